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
-- parameters the SQL leaves untyped take their JS value's natural type
CREATE FUNCTION db_natural(sql text, vs jsonb) RETURNS text LANGUAGE plts AS $$
const decode = (v: any): unknown =>
  v && typeof v === "object" && "bigint" in v ? BigInt(v.bigint)
  : v && typeof v === "object" && "date" in v ? new Date(v.date)
  : v && typeof v === "object" && "bytes" in v ? new Uint8Array(v.bytes)
  : v && typeof v === "object" && "json" in v ? v.json : v;
const show = (v: unknown) => typeof v === "bigint" ? `${v}n` : v instanceof Date ? v.toISOString() : JSON.stringify(v);
export default (ctx: any, sql: string, vs: unknown[]) => {
  try {
    const [row] = ctx.db.query(sql, vs.map(decode));
    return Object.values(row).map(show).join(" ");
  } catch (e: any) { return `${e.code}: ${e.message}`; }
};
$$;
SELECT v AS value, db_natural('SELECT pg_typeof($1)::text AS t', jsonb_build_array(v)) AS natural_type
FROM (VALUES ('true'::jsonb), ('7'), ('-2147483648'), ('5000000000'), ('1.5'), ('{"bigint": "12"}'), ('"x"'),
             ('{"bytes": [1, 2]}'), ('{"date": "2024-02-29T12:00:00Z"}'), ('{"json": {"a": 1}}'), ('[1, 2]'),
             ('null')) AS t(v);
-- SELECT $1 gives the value back as it was, not as text
SELECT db_natural('SELECT $1 AS v', '[7]') AS int, db_natural('SELECT $1 AS v', '[1.5]') AS float,
       db_natural('SELECT $1 AS v', '[true]') AS bool, db_natural('SELECT $1 AS v', '[{"json": {"a": [1]}}]') AS jsonb,
       db_natural('SELECT $1 AS v', '[{"date": "2024-02-29T12:00:00Z"}]') AS date;
SELECT db_natural('SELECT $1 IS NULL AS n', '[null]') AS untyped_null, db_natural('SELECT $1 IS NULL AS n', '[0]') AS zero,
       db_natural('SELECT $1 + $2 AS sum', '[40, 2]') AS untyped_operands,
       db_natural('SELECT $1 || $2 AS joined', '["a", "b"]') AS untyped_text;
-- only the untyped parameters take natural types: name = $1 stays text, as the SQL says
CREATE TABLE db_natural_items (name text);
INSERT INTO db_natural_items VALUES ('7');
SELECT db_natural('SELECT count(*) AS n, pg_typeof($2)::text AS t FROM db_natural_items WHERE name = $1', '[7, 7]') AS typed_and_untyped;
-- one SQL text, values of different natural types: a plan for each, in any order
CREATE FUNCTION db_natural_plans() RETURNS text LANGUAGE plts AS $$
export default (ctx: any) => [1, "a", 1.5, 2, "b", 10n]
  .map((v) => ctx.db.query("SELECT pg_typeof($1)::text AS t", [v])[0].t).join(", ");
$$;
SELECT db_natural_plans();
-- a value that fits no operator is still an error
SELECT db_natural('SELECT $1 + $2 AS sum', '["a", 1]') AS text_plus_int;
