-- What JavaScript receives for each SQL argument type (typeof and value, as JSON).
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE FUNCTION js_view(v anyelement) RETURNS text LANGUAGE plts AS $$
export default (_ctx: unknown, v: unknown): string => {
  const kind = v === null ? "null" : v instanceof Date ? "Date" : v instanceof Uint8Array ? "Uint8Array"
    : Array.isArray(v) ? "array" : typeof v;
  const shown = typeof v === "bigint" ? `${v}n` : v instanceof Date ? v.toISOString()
    : v instanceof Uint8Array ? `[${Array.from(v).join(",")}]` : JSON.stringify(v, (_k, x) => typeof x === "bigint" ? `${x}n` : x);
  return `${kind} ${shown}`;
};
$$;
SELECT js_view(true), js_view(42::int2), js_view(42::int4), js_view(3.5::float4), js_view(2.25::float8);
-- int8: a number while exact, a BigInt beyond 2^53 - 1 (never a rounded number)
SELECT js_view(9007199254740991::int8) AS max_safe, js_view(9007199254740993::int8) AS beyond, js_view('-9223372036854775808'::int8) AS min;
-- numeric: its exact decimal text
SELECT js_view(12345678901234567890.123456789::numeric) AS big_numeric, js_view('NaN'::numeric) AS nan;
SELECT js_view('text'::text), js_view('vc'::varchar), js_view('nm'::name), js_view('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid);
SELECT js_view('{"a": [1, 2, {"b": null}]}'::jsonb) AS jsonb, js_view('{"k": "v"}'::json) AS json;
SELECT js_view('2024-02-29'::date) AS date, js_view('2024-02-29 12:34:56.789+00'::timestamptz) AS timestamptz,
       js_view('2024-02-29 12:34:56.789'::timestamp) AS timestamp, js_view('infinity'::timestamptz) AS inf;
SELECT js_view('\x00ff10'::bytea) AS bytea;
SELECT js_view(ARRAY[1, NULL, 3]) AS int_array, js_view(ARRAY['a', 'b']) AS text_array,
       js_view(ARRAY[9007199254740993]::int8[]) AS int8_array, js_view('{}'::int[]) AS empty;
-- types without a mapping arrive as their text form
SELECT js_view('1 day'::interval) AS interval, js_view('10.0.0.1'::inet) AS inet, js_view(ARRAY[[1,2],[3,4]]) AS two_dim;
-- NULL arguments arrive as null (functions are not STRICT unless declared so)
SELECT js_view(NULL::int);
-- arguments by position (extra handler parameters) and by SQL name (ctx.args)
CREATE FUNCTION by_name(first_name text, age int, text) RETURNS text LANGUAGE plts AS $$
export default (ctx: { args: Record<string, unknown> }, a: string, b: number, c: string) =>
  JSON.stringify({ named: ctx.args, positional: [a, b, c] });
$$;
SELECT by_name('ann', 7, 'third');
-- (args jsonb) returns jsonb: ctx.args is the decoded value itself
CREATE FUNCTION echo(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default (ctx: { args: unknown }) => ctx.args $$;
SELECT echo('{"x": [1, "two", null, true]}'), echo('"just a string"'), echo('3');
-- ctx.fn and ctx.now
CREATE FUNCTION whoami() RETURNS jsonb LANGUAGE plts AS $$
export default (ctx: { fn: { oid: number; schema: string; name: string }; now: Date }) =>
  ({ schema: ctx.fn.schema, name: ctx.fn.name, oid_matches: ctx.fn.oid > 0, now_is_date: ctx.now instanceof Date });
$$;
SELECT whoami();
-- ctx's own property is args; fn, now, db and log come from its prototype (fn may still be replaced)
CREATE FUNCTION ctx_shape(a int) RETURNS jsonb LANGUAGE plts AS $$
export default (ctx: any) => {
  const inherited = ["fn", "now", "db", "log"].filter((k) => k in ctx && !Object.prototype.hasOwnProperty.call(ctx, k));
  const own = Object.keys(ctx), spread = Object.keys({ ...ctx });
  ctx.fn = "replaced";
  return { own, inherited, spread, replaced: ctx.fn, ownAfterReplacing: Object.keys(ctx) };
};
$$;
SELECT ctx_shape(1), ctx_shape(2) AS next_call;
BEGIN;
CREATE FUNCTION now_ms() RETURNS float8 LANGUAGE plts AS $$ export default (ctx: { now: Date }) => ctx.now.getTime() $$;
SELECT now_ms() = floor(extract(epoch from now()) * 1000) AS now_is_transaction_start;
ROLLBACK;
-- argument names are keys of ctx.args whatever they spell: __proto__ is an own property, quotes stay,
-- and any number of arguments is passed (by name and by position)
CREATE FUNCTION odd_names("__proto__" text, "say ""hi""" int, a int, b int, c int, d int) RETURNS text LANGUAGE plts AS $$
export default (ctx: { args: Record<string, unknown> }, ...values: unknown[]) =>
  JSON.stringify({ own: Object.keys(ctx.args), proto_is_object: Object.getPrototypeOf(ctx.args) === Object.prototype, named: ctx.args, values });
$$;
SELECT odd_names('p', 1, 2, 3, 4, 5);
-- a polymorphic result takes the call's actual type
CREATE FUNCTION poly_same(v anyelement) RETURNS anyelement LANGUAGE plts AS $$ export default (_ctx: unknown, v: unknown) => v $$;
CREATE FUNCTION poly_first(v anyarray) RETURNS anyelement LANGUAGE plts AS $$ export default (_ctx: unknown, v: unknown[]) => v[0] $$;
SELECT poly_same(5) + 1 AS int, poly_same('x'::text) || 'y' AS text, poly_first(ARRAY[2.5, 3]::numeric[]) AS numeric;
