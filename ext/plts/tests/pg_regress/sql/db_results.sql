-- Results use the same value mapping as function arguments: int8 and numeric keep every digit.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE FUNCTION db_types() RETURNS text LANGUAGE plts AS $$
export default (ctx: any) => {
  const [r] = ctx.db.query(`SELECT 1::int2 AS i2, 9007199254740993::int8 AS big, 42::int8 AS small,
    12345678901234567890.123456789::numeric AS num, 1.5::float8 AS f, 'x'::text AS t, true AS b,
    '{"a": {"b": [1]}}'::jsonb AS j, '\\x00ff'::bytea AS bytes, '2024-02-29'::date AS d,
    '2024-02-29 12:00:00+00'::timestamptz AS ts, ARRAY[1, NULL]::int[] AS arr, NULL::text AS n, '1 day'::interval AS iv`);
  return Object.entries(r).map(([k, v]) => `${k}=${typeof v === "bigint" ? v + "n" : v instanceof Date ? "Date " + v.toISOString()
    : v instanceof Uint8Array ? "bytes " + Array.from(v) : JSON.stringify(v)}`).join("\n");
};
$$;
SET IntervalStyle = postgres;
SELECT db_types();
-- round trip through JS and back keeps int8 and numeric exact
CREATE TABLE exact (big int8, num numeric);
CREATE FUNCTION db_round_trip() RETURNS text LANGUAGE plts AS $$
export default (ctx: any) => {
  const [r] = ctx.db.query("SELECT 9223372036854775807::int8 AS big, 0.1000000000000000000000000001::numeric AS num");
  ctx.db.exec("INSERT INTO exact VALUES ($1, $2)", [r.big, r.num]);
  return "stored";
};
$$;
SELECT db_round_trip();
SELECT big, num FROM exact;
-- a column named __proto__ is an own property of the row; the row keeps Object.prototype
CREATE FUNCTION db_proto_column() RETURNS jsonb LANGUAGE plts AS $$
export default (ctx: any) => {
  const [row] = ctx.db.query(`SELECT '{"polluted": true}'::jsonb AS "__proto__", 1 AS id`);
  return {
    own: Object.prototype.hasOwnProperty.call(row, "__proto__"),
    plainPrototype: Object.getPrototypeOf(row) === Object.prototype,
    keys: Object.keys(row),
    polluted: row.polluted ?? null,
  };
};
$$;
SELECT db_proto_column();
-- every row gets the column values (column names are shared across rows)
CREATE FUNCTION db_many_rows() RETURNS text LANGUAGE plts AS $$
export default (ctx: any) => ctx.db.query("SELECT g AS n, g * 2 AS twice FROM generate_series(1, 3) g")
  .map((r: any) => `${r.n}:${r.twice}`).join(" ");
$$;
SELECT db_many_rows();
-- a non-ASCII column name is never mistaken for a Latin-1 key of the same bytes ("é" is C3 A9 in UTF-8)
CREATE FUNCTION column_identity() RETURNS text LANGUAGE plts AS $$
const latin1 = { "\u00c3\u00a9": "made first" };
export default (ctx: any): string => {
  const [row] = ctx.db.query(`SELECT 1 AS "é", 2 AS "日本"`);
  return JSON.stringify([Object.keys(row), row["é"] ?? null, row["\u00c3\u00a9"] ?? null, Object.keys(latin1)]);
};
$$;
SELECT column_identity();
-- rows are built without running user code: a handler that replaces globalThis.Date still gets real Dates
CREATE FUNCTION timestamp_with_date_replaced() RETURNS text LANGUAGE plts AS $$
export default (ctx: any) => {
  const RealDate = Date;
  let calls = 0;
  (globalThis as any).Date = function () { calls++; throw new Error("the user's Date ran"); };
  try {
    const [row] = ctx.db.query("SELECT timestamptz '2026-01-02 03:04:05+00' AS t");
    return `${row.t instanceof RealDate} ${row.t.toISOString()} calls=${calls}`;
  } finally {
    (globalThis as any).Date = RealDate;
  }
};
$$;
SELECT timestamp_with_date_replaced();
