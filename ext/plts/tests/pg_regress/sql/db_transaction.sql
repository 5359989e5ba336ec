-- ctx.db.transaction(fn) groups statements atomically: all or nothing, nestable, also for async fn.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE TABLE ledger (id int PRIMARY KEY);
CREATE FUNCTION db_tx() RETURNS jsonb LANGUAGE plts AS $$
export default async (ctx: any) => {
  const results: unknown[] = [];
  try {
    ctx.db.transaction((db: any) => { db.exec("INSERT INTO ledger VALUES (1)"); db.exec("INSERT INTO ledger VALUES (1)"); });
  } catch (e: any) { results.push(`rolled back: ${e.code}`); }
  results.push(ctx.db.transaction((db: any) => { db.exec("INSERT INTO ledger VALUES (2)"); return "committed"; }));
  ctx.db.transaction((db: any) => {
    db.exec("INSERT INTO ledger VALUES (3)");
    try { db.transaction((inner: any) => { inner.exec("INSERT INTO ledger VALUES (4)"); throw new Error("inner"); }); } catch {}
  });
  results.push(await ctx.db.transaction(async (db: any) => { await null; db.exec("INSERT INTO ledger VALUES (5)"); return "async committed"; }));
  try {
    await ctx.db.transaction(async (db: any) => { db.exec("INSERT INTO ledger VALUES (6)"); await null; throw new Error("async undo"); });
  } catch (e: any) { results.push(e.message); }
  results.push(ctx.db.query("SELECT array_agg(id ORDER BY id) AS ids FROM ledger")[0].ids);
  return results;
};
$$;
SELECT db_tx();
-- a block left open by a promise that never settles is rolled back with the failed call
CREATE FUNCTION db_tx_open() RETURNS int LANGUAGE plts AS $$
export default (ctx: any) => ctx.db.transaction((db: any) => { db.exec("INSERT INTO ledger VALUES (7)"); return new Promise(() => {}); });
$$;
SELECT db_tx_open();
SELECT array_agg(id ORDER BY id) FROM ledger;
