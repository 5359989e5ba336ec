-- Limits checked before work is done: plts.max_sql_bytes, plts.max_params, plts.max_query_rows.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE FUNCTION db_limit(kind text) RETURNS text LANGUAGE plts AS $$
export default (ctx: any, kind: string) => {
  try {
    if (kind === "sql") ctx.db.query("SELECT 1 -- " + "x".repeat(200));
    if (kind === "params") ctx.db.query("SELECT $1::int + $2::int + $3::int", [1, 2, 3]);
    if (kind === "rows") ctx.db.query("SELECT g FROM generate_series(1, 11) g");
    if (kind === "rows at limit") return String(ctx.db.query("SELECT g FROM generate_series(1, 10) g").length);
    return "ok";
  } catch (e: any) { return `${e.code}: ${e.message} (${e.hint ?? "no hint"})`; }
};
$$;
SET plts.max_sql_bytes = 100;
SELECT db_limit('sql');
RESET plts.max_sql_bytes;
SET plts.max_params = 2;
SELECT db_limit('params');
RESET plts.max_params;
SET plts.max_query_rows = 10;
SELECT db_limit('rows');
SELECT db_limit('rows at limit');
RESET plts.max_query_rows;
SELECT name, setting FROM pg_settings WHERE name LIKE 'plts.%' ORDER BY name;
