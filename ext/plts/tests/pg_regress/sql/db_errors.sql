-- Each statement runs in its own subtransaction: a failure is a catchable JS error with PostgreSQL's
-- fields, the transaction goes on; an uncaught one surfaces with its own SQLSTATE.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE TABLE accounts (id int PRIMARY KEY, balance int CHECK (balance >= 0));
INSERT INTO accounts VALUES (1, 10);
CREATE FUNCTION db_catch() RETURNS jsonb LANGUAGE plts AS $$
export default (ctx: any) => {
  const seen: unknown[] = [];
  for (const sql of ["INSERT INTO accounts VALUES (1, 5)", "UPDATE accounts SET balance = -1", "SELECT * FROM missing_table",
                     "SELECT * FROMM accounts"]) {
    try { ctx.db.exec(sql); } catch (e: any) {
      seen.push({ name: e.name, sqlstate: e.sqlstate, code: e.code, message: e.message, detail: e.detail ?? null,
                  hint: e.hint ?? null, position: e.position ?? null, isError: e instanceof Error });
    }
  }
  ctx.db.exec("INSERT INTO accounts VALUES (2, 20)"); // the transaction is intact
  return seen;
};
$$;
SELECT jsonb_pretty(db_catch());
SELECT * FROM accounts ORDER BY id;
-- uncaught: the original SQLSTATE and message, the caller can catch it like any ERROR
CREATE FUNCTION db_uncaught() RETURNS int LANGUAGE plts AS $$
export default (ctx: any) => ctx.db.exec("INSERT INTO accounts VALUES (1, 1)").rowCount;
$$;
SELECT db_uncaught();
DO $$
BEGIN
  PERFORM db_uncaught();
EXCEPTION WHEN unique_violation THEN
  RAISE NOTICE 'caught unique_violation (SQLSTATE %): %', SQLSTATE, SQLERRM;
END $$;
-- a statement that failed inside a caught error leaves nothing behind
CREATE FUNCTION db_partial() RETURNS int LANGUAGE plts AS $$
export default (ctx: any) => {
  try { ctx.db.exec("INSERT INTO accounts VALUES (3, 1), (1, 1)"); } catch { /* the whole statement rolled back */ }
  return ctx.db.query("SELECT count(*)::int AS n FROM accounts WHERE id = 3")[0].n;
};
$$;
SELECT db_partial();
-- SQL text must be UTF-8: a lone surrogate (which JS strings may hold) is a catchable error naming it
CREATE FUNCTION db_lone_surrogate() RETURNS text LANGUAGE plts AS $$
export default (ctx: any) => {
  try { ctx.db.query("SELECT '\ud800' AS x"); return "no error"; }
  catch (e: any) { return `${e.name} ${e.sqlstate}: ${e.message} (hint: ${e.hint})`; }
};
$$;
SELECT db_lone_surrogate();
-- COPY from or to the client is not a statement a function can run: 0A000 with what to do instead
CREATE TEMP TABLE copy_target (a int);
DO $$ export default (ctx: any) => { ctx.db.exec("copy copy_target from stdin"); } $$ LANGUAGE plts;
DO $$ export default (ctx: any) => { try { ctx.db.exec("copy copy_target to stdout"); } catch (e: any) { ctx.log.info(e.sqlstate); } } $$ LANGUAGE plts;
