-- ctx.functions.get(signature): another plts function as a JS function, called through fmgr
-- without SQL, with SQL's conversions, privileges and SECURITY DEFINER; clear errors otherwise.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE FUNCTION dc_add(a int, b int) RETURNS int LANGUAGE plts AS $$
export default (_ctx: unknown, a: number, b: number) => a + b;
$$;
CREATE FUNCTION dc_greet(who text, n int) RETURNS jsonb LANGUAGE plts AS $$
export default (_ctx: unknown, who: string, n: number) => ({ greeting: `hi ${who}`, n });
$$;
CREATE TYPE dc_pair AS (a int, b text);
CREATE FUNCTION dc_swap(p dc_pair) RETURNS dc_pair LANGUAGE plts AS $$
export default (_ctx: unknown, p: { a: number; b: string }) => ({ a: p.a * 10, b: p.b.toUpperCase() });
$$;
CREATE FUNCTION dc_out(x int, OUT doubled int, OUT label text) LANGUAGE plts AS $$
export default (_ctx: unknown, x: number) => ({ doubled: x * 2, label: `x=${x}` });
$$;
CREATE FUNCTION dc_strict(x int) RETURNS text LANGUAGE plts STRICT AS $$
export default () => "called";
$$;
CREATE FUNCTION dc_nullable(x int) RETURNS text LANGUAGE plts AS $$
export default (_ctx: unknown, x: number | null) => `got ${x}`;
$$;
-- by signature, by name alone, qualified; arguments and results converted as in SQL
CREATE FUNCTION dc_caller() RETURNS jsonb LANGUAGE plts AS $$
export default (ctx: any) => {
  const add = ctx.functions.get("dc_add(int, int)");
  const greet = ctx.functions.get("public.dc_greet");
  const swap = ctx.functions.get("dc_swap(dc_pair)");
  const out = ctx.functions.get("dc_out(int)");
  return {
    sum: add(2, 40),
    name: add.name,
    greet: greet("ada", 3),
    swapped: swap({ a: 4, b: "x" }),
    out: out(21),
    strictNull: ctx.functions.get("dc_strict(int)")(null),
    nullable: ctx.functions.get("dc_nullable(int)")(null),
  };
};
$$;
SELECT jsonb_pretty(dc_caller());
-- the same function through SQL, for comparison
SELECT dc_add(2, 40), dc_greet('ada', 3), dc_swap(row(4, 'x')), dc_out(21);
-- recursion through direct calls re-enters the engine like any nested call
CREATE FUNCTION dc_fact(n int) RETURNS numeric LANGUAGE plts AS $$
export default (ctx: any, n: number): string =>
  n <= 1 ? "1" : (BigInt(ctx.functions.get("dc_fact(int)")(n - 1)) * BigInt(n)).toString();
$$;
SELECT dc_fact(25);
-- the callee's error is a PostgresError the caller may catch; uncaught, it ends the call
CREATE FUNCTION dc_fails(x int) RETURNS int LANGUAGE plts AS $$
export default (_ctx: unknown, x: number) => { if (x < 0) throw new RangeError(`negative: ${x}`); return x; };
$$;
CREATE FUNCTION dc_catches() RETURNS text LANGUAGE plts AS $$
export default (ctx: any) => {
  const f = ctx.functions.get("dc_fails(int)");
  try { f(-1); return "no error"; } catch (e: any) { return `${e.name} ${e.code}: ${e.message} / then ${f(5)}`; }
};
$$;
SELECT dc_catches();
-- a direct call runs under the caller's read-only mode: a STABLE caller's callee cannot write
CREATE TABLE dc_log (v int);
CREATE FUNCTION dc_writer(v int) RETURNS int LANGUAGE plts AS $$
export default (ctx: any, v: number) => { ctx.db.exec("INSERT INTO dc_log VALUES ($1)", [v]); return v; };
$$;
CREATE FUNCTION dc_stable_caller() RETURNS text LANGUAGE plts STABLE AS $$
export default (ctx: any) => {
  try { ctx.functions.get("dc_writer(int)")(1); return "wrote"; } catch (e: any) { return `${e.code}: ${e.message}`; }
};
$$;
SELECT dc_stable_caller();
CREATE FUNCTION dc_volatile_caller() RETURNS int LANGUAGE plts AS $$
export default (ctx: any) => ctx.functions.get("dc_writer(int)")(7);
$$;
SELECT dc_volatile_caller();
SELECT v AS logged FROM dc_log;
-- errors: what was wrong and what to do
CREATE FUNCTION dc_try(signature text, args jsonb) RETURNS text LANGUAGE plts AS $$
export default (ctx: any, signature: string, args: unknown[]) => {
  try {
    return String(ctx.functions.get(signature)(...args));
  } catch (e: any) {
    return `${e.code ?? e.name}: ${e.message}${e.hint ? ` (hint: ${e.hint})` : ""}`;
  }
};
$$;
SELECT dc_try('no_such_function(int)', '[]');
SELECT dc_try('dc_add(text)', '[]');
SELECT dc_try('dc_add(int', '[]');
SELECT dc_try('lower(text)', '["X"]');
CREATE FUNCTION dc_set() RETURNS SETOF int LANGUAGE plts AS $$ export default () => [1, 2] $$;
SELECT dc_try('dc_set()', '[]');
CREATE PROCEDURE dc_proc() LANGUAGE plts AS $$ export default () => {} $$;
SELECT dc_try('dc_proc()', '[]');
CREATE FUNCTION dc_poly(x anyelement) RETURNS anyelement LANGUAGE plts AS $$ export default (_c: unknown, x: unknown) => x $$;
SELECT dc_try('dc_poly(anyelement)', '[1]');
CREATE FUNCTION dc_trg() RETURNS trigger LANGUAGE plts AS $$ export default () => null $$;
SELECT dc_try('dc_trg()', '[]');
CREATE FUNCTION dc_overloaded(x int) RETURNS int LANGUAGE plts AS $$ export default (_c: unknown, x: number) => x $$;
CREATE FUNCTION dc_overloaded(x text) RETURNS text LANGUAGE plts AS $$ export default (_c: unknown, x: string) => x $$;
SELECT dc_try('dc_overloaded', '[1]');
SELECT dc_try('dc_add(int, int)', '[1]');
SELECT dc_try('dc_add(int, int)', '["one", 2]');
SELECT dc_try('dc_add(int, int)', '[3000000000, 1]');
CREATE FUNCTION dc_not_string() RETURNS text LANGUAGE plts AS $$
export default (ctx: any) => { try { ctx.functions.get(42); return "no error"; } catch (e: any) { return `${e.name}: ${e.message}`; } };
$$;
SELECT dc_not_string();
-- privileges: the calling role needs EXECUTE, as through SQL (42501)
CREATE FUNCTION dc_secret() RETURNS text LANGUAGE plts AS $$ export default () => "secret" $$;
REVOKE EXECUTE ON FUNCTION dc_secret() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dc_try(text, jsonb) TO regress_role;
SET ROLE regress_role;
SELECT dc_try('dc_secret()', '[]');
SELECT dc_try('dc_add(int, int)', '[1, 2]');
RESET ROLE;
-- SECURITY DEFINER applies: the callee runs as its owner, in the owner's context
CREATE FUNCTION dc_whoami() RETURNS text LANGUAGE plts SECURITY DEFINER AS $$
export default (ctx: any) => ctx.db.query("SELECT current_user AS u")[0].u;
$$;
CREATE FUNCTION dc_invoker_whoami() RETURNS text LANGUAGE plts AS $$
export default (ctx: any) => ctx.db.query("SELECT current_user AS u")[0].u;
$$;
SET ROLE regress_role;
SELECT dc_try('dc_whoami()', '[]') AS definer, dc_try('dc_invoker_whoami()', '[]') AS invoker;
RESET ROLE;
-- a replaced callee is called in its new version; a dropped one is a clear error
CREATE FUNCTION dc_version() RETURNS text LANGUAGE plts AS $$ export default () => "v1" $$;
CREATE FUNCTION dc_kept_caller() RETURNS text LANGUAGE plts AS $$
let kept: any;
export default (ctx: any) => {
  kept ??= ctx.functions.get("dc_version()");
  try { return kept(); } catch (e: any) { return `${e.code}: ${e.message.replace(/OID \d+/, "OID <oid>")}`; }
};
$$;
SELECT dc_kept_caller();
CREATE OR REPLACE FUNCTION dc_version() RETURNS text LANGUAGE plts AS $$ export default () => "v2" $$;
SELECT dc_kept_caller();
DROP FUNCTION dc_version();
SELECT dc_kept_caller();
