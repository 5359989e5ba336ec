-- plts → SQL → plts nesting: as deep as the stack allows (max_stack_depth), in the backend's one
-- engine, with roles kept apart; past the limit a clean 54001 and the backend lives on.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE FUNCTION rec_down(n int) RETURNS int LANGUAGE plts AS $$
export default (ctx: any, n: number): number => n === 0 ? 0 : ctx.db.query("SELECT rec_down($1) AS r", [n - 1])[0].r + 1;
$$;
CREATE FUNCTION plpgsql_down(n int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  IF n = 0 THEN RETURN 0; END IF;
  RETURN plpgsql_down(n - 1) + 1;
END $$;
-- 150 levels, far past the 8 a per-level engine allowed (a level takes about 12 kB of stack)
SELECT rec_down(150);
-- a nested call re-enters the same context: module state is one across the levels
CREATE FUNCTION count_levels(n int) RETURNS int LANGUAGE plts AS $$
let calls = 0;
export default (ctx: any, n: number): number => {
  calls++;
  if (n > 0) ctx.db.query("SELECT count_levels($1)", [n - 1]);
  return calls;
};
$$;
SELECT count_levels(49) AS calls_seen_by_the_outermost;
-- past max_stack_depth: PostgreSQL's own error, as PL/pgSQL gets it
SELECT rec_down(1000000);
SELECT plpgsql_down(1000000);
SELECT 1 AS backend_alive, rec_down(3) AS still_recurses;
-- the bound is max_stack_depth: with half of it, half as deep
SET max_stack_depth = '1MB';
SELECT rec_down(150);
SELECT rec_down(60);
RESET max_stack_depth;
-- JS recursion deep inside SQL nesting: the same clean error, caught by the level above
CREATE FUNCTION js_deep(levels int) RETURNS text LANGUAGE plts AS $$
const down = (n: number): number => down(n + 1) + 1;
export default (ctx: any, levels: number): string => {
  if (levels > 0) return ctx.db.query("SELECT js_deep($1) AS r", [levels - 1])[0].r;
  return String(down(0));
};
$$;
CREATE FUNCTION catch_deep() RETURNS text LANGUAGE plts AS $$
export default (ctx: any): string => {
  try {
    ctx.db.query("SELECT js_deep(10)");
    return "no error";
  } catch (e: any) {
    return `${e.code}: ${e.message}`;
  }
};
$$;
SELECT catch_deep();
SELECT js_deep(5);
-- an async handler with reactions queued when its SQL calls plts: the inner call does not run
-- them out of turn ("b" comes after "a after"); it runs in a second engine, with globals of its own
CREATE FUNCTION log_turn(what text) RETURNS int LANGUAGE plts AS $$
export default async (ctx: any, what: string) => {
  await null;
  (globalThis as any).turns = [...((globalThis as any).turns ?? []), what];
  return (globalThis as any).turns.length;
};
$$;
CREATE FUNCTION interleaved() RETURNS text LANGUAGE plts AS $$
export default async (ctx: any) => {
  (globalThis as any).turns = [];
  const a = (async () => { await null; (globalThis as any).turns.push("a before"); const n = ctx.db.query("SELECT log_turn('inner of a') AS n")[0].n; (globalThis as any).turns.push(`a after (inner saw ${n} turn)`); })();
  const b = (async () => { await null; (globalThis as any).turns.push("b"); return 0; })();
  await Promise.all([a, b]);
  return (globalThis as any).turns.join(", ");
};
$$;
SELECT interleaved();
-- reactions a call queued and did not wait for run before the call returns, in its own frame
CREATE TABLE fired (what text);
CREATE FUNCTION fire_and_forget() RETURNS int LANGUAGE plts AS $$
export default (ctx: any) => {
  Promise.resolve().then(() => ctx.db.exec("INSERT INTO fired VALUES ('after return')"));
  return 1;
};
$$;
CREATE FUNCTION nested_fire() RETURNS bigint LANGUAGE plts AS $$
export default (ctx: any) => {
  ctx.db.query("SELECT fire_and_forget()");
  return ctx.db.query("SELECT count(*)::int AS n FROM fired")[0].n;
};
$$;
SELECT fire_and_forget();
SELECT what FROM fired;
SELECT nested_fire() AS rows_seen_right_after_the_nested_call;
-- a call that fails runs them too, before its error: their write is undone with the call, and the
-- next call (in another transaction) does not run them
CREATE FUNCTION fire_and_fail() RETURNS int LANGUAGE plts AS $$
export default async (ctx: any) => {
  Promise.resolve().then(() => Promise.resolve()).then(() => ctx.db.exec("INSERT INTO fired VALUES ('from the failed call')"));
  throw new Error("failed after queueing a write");
};
$$;
SELECT fire_and_fail();
SELECT fire_and_forget() AS next_call;
SELECT what FROM fired ORDER BY what;
-- a call stopped by plts.max_runtime_ms runs them too (each stops at once; a write is undone with
-- the call), so the next call does not run them either
CREATE FUNCTION fire_and_spin() RETURNS int LANGUAGE plts AS $$
export default (ctx: any) => {
  Promise.resolve().then(() => ctx.db.exec("INSERT INTO fired VALUES ('from the stopped call')"));
  for (;;) {}
};
$$;
SET plts.max_runtime_ms = 100;
SELECT fire_and_spin();
RESET plts.max_runtime_ms;
SELECT fire_and_forget() AS next_call;
SELECT what FROM fired ORDER BY what;
-- roles: A's function calls B's SECURITY DEFINER function, which calls back into A's (also
-- SECURITY DEFINER); each runs in its own role's context (plv8 crashed here: its issue 606)
DO $$ BEGIN CREATE ROLE regress_rec_a; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE regress_rec_b; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
CREATE SCHEMA rec AUTHORIZATION regress_rec_b;
GRANT USAGE ON SCHEMA rec TO regress_rec_a;
GRANT CREATE ON SCHEMA public TO regress_rec_a;
SET ROLE regress_rec_a;
CREATE FUNCTION public.a_leaf() RETURNS text LANGUAGE plts SECURITY DEFINER AS $$
export default () => `leaf sees ${(globalThis as any).who ?? "nothing"}`;
$$;
CREATE FUNCTION public.a_entry() RETURNS text LANGUAGE plts AS $$
export default (ctx: any) => {
  (globalThis as any).who = "A's secret";
  const via = ctx.db.query("SELECT rec.b_definer() AS r")[0].r;
  return `${via}; A still sees ${(globalThis as any).who}`;
};
$$;
RESET ROLE;
SET ROLE regress_rec_b;
CREATE FUNCTION rec.b_definer() RETURNS text LANGUAGE plts SECURITY DEFINER AS $$
export default (ctx: any) => {
  const before = (globalThis as any).who ?? "nothing";
  (globalThis as any).who = "B's secret";
  return `B saw ${before}, then ${ctx.db.query("SELECT public.a_leaf() AS r")[0].r}`;
};
$$;
GRANT EXECUTE ON FUNCTION rec.b_definer() TO regress_rec_a;
RESET ROLE;
GRANT EXECUTE ON FUNCTION public.a_leaf() TO regress_rec_b;
SET ROLE regress_rec_a;
SELECT public.a_entry();
SELECT public.a_entry();
RESET ROLE;
DROP FUNCTION public.a_entry(), public.a_leaf();
DROP SCHEMA rec CASCADE;
REVOKE CREATE ON SCHEMA public FROM regress_rec_a;
DROP ROLE regress_rec_a;
DROP ROLE regress_rec_b;
