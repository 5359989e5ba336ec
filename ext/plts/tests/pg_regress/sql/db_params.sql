-- Parameters are bound with the types PostgreSQL infers from the SQL; JS values are converted to them.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE FUNCTION db_param(sql text, v jsonb) RETURNS text LANGUAGE plts AS $$
const decode = (v: any): unknown =>
  v && typeof v === "object" && "bigint" in v ? BigInt(v.bigint)
  : v && typeof v === "object" && "date" in v ? new Date(v.date)
  : v && typeof v === "object" && "bytes" in v ? new Uint8Array(v.bytes)
  : v && typeof v === "object" && "json" in v ? v.json : v;
export default (ctx: any, sql: string, v: unknown) => {
  try {
    const [row] = ctx.db.query(sql, [decode(v)]);
    return String(Object.values(row)[0]);
  } catch (e: any) { return `${e.code}: ${e.message}`; }
};
$$;
SELECT db_param('SELECT pg_typeof($1::int) || '' '' || $1', '7') AS int,
       db_param('SELECT $1 + 1', '41') AS inferred_int,
       db_param('SELECT $1::int8 + 1', '{"bigint": "9007199254740993"}') AS int8_bigint,
       db_param('SELECT $1::numeric * 2', '"0.10000000000000000001"') AS numeric_text,
       db_param('SELECT $1::float8 / 2', '1.5') AS float;
SELECT db_param('SELECT $1::int IS NULL', 'null') AS null_param, db_param('SELECT $1 IS NULL', 'null') AS untyped_null,
       db_param('SELECT NOT $1::bool', 'true') AS bool,
       db_param('SELECT upper($1)', '"héllo"') AS text,
       db_param('SELECT $1::uuid', '"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"') AS uuid;
SELECT db_param('SELECT $1::jsonb -> ''a''', '{"json": {"a": [1, 2]}}') AS jsonb_object,
       db_param('SELECT jsonb_typeof($1)', '{"json": [1, 2]}') AS jsonb_inferred,
       db_param('SELECT encode($1::bytea, ''hex'')', '{"bytes": [0, 255]}') AS bytea,
       db_param('SELECT extract(year from $1::timestamptz)', '{"date": "2024-02-29T12:00:00Z"}') AS date,
       db_param('SELECT array_length($1::int[], 1)', '[1, 2, 3]') AS int_array;
-- values that do not fit the inferred type name the parameter
SELECT db_param('SELECT $1 + 1', '1.5') AS fraction_for_int,
       db_param('SELECT $1::int', '{"json": {"a": 1}}') AS object_for_int,
       db_param('SELECT $1::uuid', '"nope"') AS bad_uuid;
-- the number of values must match the placeholders
CREATE FUNCTION db_count() RETURNS text LANGUAGE plts AS $$
export default (ctx: any) => { try { ctx.db.query("SELECT $1::int, $2::int", [1]); return "ok"; } catch (e: any) { return `${e.code}: ${e.message}`; } };
$$;
SELECT db_count();
