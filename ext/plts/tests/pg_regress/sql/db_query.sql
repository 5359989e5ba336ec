-- ctx.db.query returns rows as plain objects in column order; ctx.db.exec returns { rowCount, command };
-- both accept (sql, params), ({ sql, params }) and objects with toSQL() (the Drizzle shape).
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric);
CREATE FUNCTION db_forms() RETURNS jsonb LANGUAGE plts AS $$
export default async (ctx: any) => {
  const a = ctx.db.exec("INSERT INTO items VALUES ($1, $2, $3)", [1, "tea", "2.50"]);
  const b = ctx.db.exec({ sql: "INSERT INTO items VALUES ($1, $2, $3), ($4, $5, $6)", params: [2, "cake", 4, 3, "pie", null] });
  const builder = { toSQL: () => ({ sql: "UPDATE items SET price = price * $1 WHERE price IS NOT NULL", params: [2] }) };
  const c = await ctx.db.exec(builder);
  const rows = await ctx.db.query("SELECT name, id, price FROM items ORDER BY id");
  const none = ctx.db.query("SELECT * FROM items WHERE false");
  const d = ctx.db.exec("DELETE FROM items WHERE id = $1", [3]);
  return { a, b, c, d, rows, keys: Object.keys(rows[0]), none };
};
$$;
SELECT jsonb_pretty(db_forms());
-- wrong arguments are TypeErrors that say what was expected
CREATE FUNCTION db_bad_call(kind text) RETURNS text LANGUAGE plts AS $$
export default (ctx: any, kind: string) => {
  try {
    if (kind === "number") ctx.db.query(42);
    if (kind === "params") ctx.db.query("SELECT $1", "not an array");
    if (kind === "no sql") ctx.db.query({ params: [] });
    return "no error";
  } catch (e: any) { return `${e.name}: ${e.message}`; }
};
$$;
SELECT db_bad_call('number'), db_bad_call('params'), db_bad_call('no sql');
