-- Procedures with transaction control: ctx.db.commit() and ctx.db.rollback() in a CALL or DO block outside a
-- transaction block; the handler goes on in a new transaction.
\set SHOW_CONTEXT never
CREATE TABLE proc_rows (id int, v int);
INSERT INTO proc_rows SELECT g, 0 FROM generate_series(1, 100) g;
-- each chunk commits or rolls back on its own; what a rollback undid stays undone
CREATE PROCEDURE proc_chunks(n int) LANGUAGE plts AS $$
export default (ctx: any, n: number) => {
  const sums = [];
  for (let i = 0; i < n; i++) {
    ctx.db.exec("UPDATE proc_rows SET v = v + 1 WHERE id % $1 = $2", [n, i]);
    if (i % 2 === 0) ctx.db.commit(); else ctx.db.rollback();
    sums.push(ctx.db.query("SELECT sum(v)::int AS s FROM proc_rows")[0].s);
  }
  ctx.log.info(`after each chunk: ${sums.join(", ")}`);
};
$$;
CALL proc_chunks(4);
SELECT sum(v) AS committed FROM proc_rows;
-- a DO block outside a transaction block may commit too
DO $$
export default (ctx: any) => { ctx.db.exec("UPDATE proc_rows SET v = 0"); ctx.db.commit(); ctx.db.exec("UPDATE proc_rows SET v = 1 WHERE id = 1"); ctx.db.rollback(); };
$$ LANGUAGE plts;
SELECT sum(v) AS after_do FROM proc_rows;
-- errors, each 2D000: inside BEGIN ... COMMIT, from a function, inside ctx.db.transaction, COMMIT as SQL
CREATE PROCEDURE proc_try(what text) LANGUAGE plts AS $$
export default (ctx: any, what: string) => {
  try {
    if (what === "commit") ctx.db.commit();
    if (what === "in block") ctx.db.transaction(() => ctx.db.commit());
    if (what === "sql") ctx.db.exec("COMMIT");
    if (what === "savepoint") ctx.db.exec("SAVEPOINT s");
    ctx.log.info(`${what}: ok`);
  } catch (e: any) {
    ctx.log.info(`${what}: ${e.code} ${e.message} (${e.hint})`);
  }
};
$$;
BEGIN;
CALL proc_try('commit');
ROLLBACK;
CALL proc_try('in block');
CALL proc_try('sql');
CALL proc_try('savepoint');
CREATE FUNCTION proc_from_function() RETURNS text LANGUAGE plts AS $$
export default (ctx: any) => { try { ctx.db.commit(); return "committed"; } catch (e: any) { return `${e.code} ${e.message}`; } };
$$;
SELECT proc_from_function();
-- uncaught, the error ends the call with its SQLSTATE
BEGIN;
CREATE PROCEDURE proc_commit() LANGUAGE plts AS $$ export default (ctx: any) => ctx.db.commit() $$;
CALL proc_commit();
ROLLBACK;
-- a commit closes the cursors the call opened
CREATE PROCEDURE proc_cursor() LANGUAGE plts AS $$
export default (ctx: any) => {
  const seen = [];
  try {
    for (const row of ctx.db.cursor("SELECT id FROM proc_rows ORDER BY id", [], { batchSize: 2 })) {
      seen.push(row.id);
      if (row.id === 2) ctx.db.commit();
    }
  } catch (e: any) {
    seen.push(e.message);
  }
  ctx.log.info(seen.join(", "));
};
$$;
CALL proc_cursor();
-- a procedure with an output parameter commits and returns its row
CREATE PROCEDURE proc_count(OUT n int) LANGUAGE plts AS $$
export default (ctx: any) => { ctx.db.exec("INSERT INTO proc_rows VALUES (101, 1)"); ctx.db.commit(); return ctx.db.query("SELECT count(*)::int AS n FROM proc_rows")[0].n; };
$$;
CALL proc_count(NULL);
