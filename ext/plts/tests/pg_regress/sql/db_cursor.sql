-- ctx.db.cursor walks large results in batches: a million rows in a small, fixed heap.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE FUNCTION walk(n int, batch int) RETURNS jsonb LANGUAGE plts AS $$
export default (ctx: any, n: number, batch: number) => {
  let count = 0, sum = 0;
  for (const row of ctx.db.cursor("SELECT g FROM generate_series(1, $1) g", [n], { batchSize: batch })) { count++; sum += row.g; }
  return { count, sum };
};
$$;
SET plts.max_heap_mb = 16;
SET plts.max_query_rows = 1000;
SELECT walk(1000000, 5000);
RESET plts.max_heap_mb;
RESET plts.max_query_rows;
-- leaving the loop early closes the cursor
CREATE FUNCTION first_over(limit_ int) RETURNS int LANGUAGE plts AS $$
export default (ctx: any, limit: number) => {
  for (const r of ctx.db.cursor("SELECT g FROM generate_series(1, 100) g", [], { batchSize: 7 })) if (r.g > limit) return r.g;
  return 0;
};
$$;
SELECT first_over(20);
SELECT count(*) AS open_cursors FROM pg_cursors;
