-- Results are converted to the declared return type; what cannot be converted is a clear ERROR.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE FUNCTION ret_json(kind text) RETURNS jsonb LANGUAGE plts AS $$
export default (_ctx: unknown, kind: string) => ({ obj: { a: 1, nested: [true, null] }, str: "s", num: 1.5, nul: null, undef: undefined, arr: [1, "x"] } as Record<string, unknown>)[kind];
$$;
SELECT ret_json('obj') AS obj, ret_json('str') AS str, ret_json('num') AS num, ret_json('arr') AS arr,
       ret_json('nul') IS NULL AS null_is_sql_null, ret_json('undef') IS NULL AS undefined_is_sql_null;
CREATE FUNCTION ret_text() RETURNS text LANGUAGE plts AS $$ export default () => "héllo" $$;
CREATE FUNCTION ret_bool() RETURNS bool LANGUAGE plts AS $$ export default () => true $$;
CREATE FUNCTION ret_int() RETURNS int LANGUAGE plts AS $$ export default () => 2147483647 $$;
CREATE FUNCTION ret_int8() RETURNS int8 LANGUAGE plts AS $$ export default () => 9223372036854775807n $$;
CREATE FUNCTION ret_float() RETURNS float8 LANGUAGE plts AS $$ export default () => 0.1 + 0.2 $$;
CREATE FUNCTION ret_numeric() RETURNS numeric LANGUAGE plts AS $$ export default () => "12345678901234567890.000000001" $$;
CREATE FUNCTION ret_int_array() RETURNS int[] LANGUAGE plts AS $$ export default () => [1, null, 3] $$;
CREATE FUNCTION ret_text_array() RETURNS text[] LANGUAGE plts AS $$ export default () => ["a", "b,c"] $$;
CREATE FUNCTION ret_void() RETURNS void LANGUAGE plts AS $$ export default () => { /* nothing */ } $$;
CREATE FUNCTION ret_ts() RETURNS timestamptz LANGUAGE plts AS $$ export default () => new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 5)) $$;
CREATE FUNCTION ret_uuid() RETURNS uuid LANGUAGE plts AS $$ export default () => "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11" $$;
CREATE FUNCTION ret_bytea() RETURNS bytea LANGUAGE plts AS $$ export default () => new Uint8Array([0, 255]) $$;
SET TimeZone = 'UTC';
SELECT ret_text(), ret_bool(), ret_int(), ret_int8(), ret_float(), ret_numeric();
SELECT ret_int_array(), ret_text_array(), ret_void(), ret_ts(), ret_uuid(), ret_bytea();
-- JS numbers as numeric: integers up to 2^53 - 1 exactly, larger and fractional ones by their JS text
CREATE FUNCTION ret_numeric_from(n float8) RETURNS numeric LANGUAGE plts AS $$ export default (_ctx: unknown, n: number) => n $$;
SELECT ret_numeric_from(42) AS int, ret_numeric_from(-7) AS negative, ret_numeric_from(-0.0) AS negative_zero,
       ret_numeric_from(9007199254740991) AS max_safe, ret_numeric_from(1e21) AS beyond, ret_numeric_from(0.1) AS fraction;
-- mismatches name the function, the expected type and what was returned
CREATE FUNCTION ret_bad_int() RETURNS int LANGUAGE plts AS $$ export default () => 1.5 $$;
SELECT ret_bad_int();
-- a string that is exactly an integer in range is an integer, as PL/pgSQL's assignment takes it
CREATE FUNCTION ret_int_text(s text) RETURNS int LANGUAGE plts AS $$ export default (_ctx: unknown, s: string) => s $$;
SELECT ret_int_text('42') AS plain, ret_int_text('-7') AS negative;
SELECT ret_int_text('4.0');
SELECT ret_int_text('99999999999');
-- bytea from an ArrayBuffer and from any view of one: a typed array, a subarray, a DataView
CREATE FUNCTION ret_bytes(kind text) RETURNS bytea LANGUAGE plts AS $$
export default (_ctx: unknown, kind: string) => {
  const buffer = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]).buffer;
  switch (kind) {
    case "buffer": return buffer;
    case "int32": return new Int32Array([1, -1]);
    case "subarray": return new Uint8Array(buffer).subarray(2, 5);
    case "dataview": return new DataView(buffer, 6, 2);
  }
};
$$;
SELECT ret_bytes('buffer') AS buffer, ret_bytes('int32') AS int32, ret_bytes('subarray') AS subarray, ret_bytes('dataview') AS dataview;
-- void is the void value, not NULL, as in PL/pgSQL
SELECT ret_void() IS NULL AS void_is_null;
-- a returned thenable is awaited as await would
CREATE FUNCTION ret_thenable() RETURNS int LANGUAGE plts AS $$ export default () => ({ then(resolve: (v: number) => void) { resolve(5); } }) $$;
SELECT ret_thenable();
CREATE FUNCTION ret_int_overflow() RETURNS int LANGUAGE plts AS $$ export default () => 2147483648 $$;
SELECT ret_int_overflow();
CREATE FUNCTION ret_bad_bool() RETURNS bool LANGUAGE plts AS $$ export default () => "yes" $$;
SELECT ret_bad_bool();
CREATE FUNCTION ret_bad_text() RETURNS text LANGUAGE plts AS $$ export default () => ({ a: 1 }) $$;
SELECT ret_bad_text();
CREATE FUNCTION ret_bad_uuid() RETURNS uuid LANGUAGE plts AS $$ export default () => "not-a-uuid" $$;
SELECT ret_bad_uuid();
CREATE FUNCTION ret_bigint_json() RETURNS jsonb LANGUAGE plts AS $$ export default () => ({ n: 1n }) $$;
SELECT ret_bigint_json();
-- a number returned as text (or bound to a text parameter) is its JS string form, String(n)
CREATE FUNCTION number_as_text(x float8) RETURNS text LANGUAGE plts AS $$
export default (_ctx: unknown, x: number) => x;
$$;
CREATE FUNCTION number_as_text_param(x float8) RETURNS text LANGUAGE plts AS $$
export default (ctx: any, x: number) => ctx.db.query("SELECT $1::text AS t", [x])[0].t;
$$;
CREATE FUNCTION js_string(x float8) RETURNS text LANGUAGE plts AS $$
export default (_ctx: unknown, x: number) => String(x);
$$;
SELECT x, number_as_text(x), number_as_text(x) = js_string(x) AS same, number_as_text_param(x) = js_string(x) AS param_same
FROM unnest(ARRAY[0, 3, -1.5, 0.1, 1e-7, 2^60, 1e21, 1.5e300, 5e-324, 'NaN', 'Infinity', '-Infinity']::float8[]) AS x;
-- a string with a NUL character cannot be text: an error, not a string cut short
CREATE FUNCTION ret_nul() RETURNS text LANGUAGE plts AS $$ export default () => "before\u0000after" $$;
SELECT ret_nul();
CREATE FUNCTION param_nul() RETURNS text LANGUAGE plts AS $$
export default (ctx: any) => { try { return ctx.db.query("SELECT $1::text AS t", ["a\u0000b"])[0].t; } catch (e: any) { return `${e.code}: ${e.message}`; } };
$$;
SELECT param_nul();
-- a Date becomes a timestamp in integers: exact past the year 2285 (2^53 microseconds), refused outside PostgreSQL's range
CREATE FUNCTION far_future_ts(t timestamptz) RETURNS timestamptz LANGUAGE plts AS $$ export default (_c: unknown, t: Date) => t $$;
SELECT far_future_ts('9999-12-31 23:59:59.999+00') = '9999-12-31 23:59:59.999+00' AS exact;
CREATE FUNCTION before_4713_bc() RETURNS timestamptz LANGUAGE plts AS $$ export default () => new Date(-8.64e15) $$;
SELECT before_4713_bc();
