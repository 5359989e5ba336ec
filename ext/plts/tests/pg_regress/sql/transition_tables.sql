-- Transition tables: a trigger with REFERENCING NEW TABLE / OLD TABLE queries them through ctx.db by their names.
\set SHOW_CONTEXT never
CREATE TABLE tt_accounts (id int PRIMARY KEY, balance int);
CREATE TABLE tt_audit (entry text);
CREATE FUNCTION tt_summarize() RETURNS trigger LANGUAGE plts AS $$
export default (ctx: any) => {
  const t = ctx.trigger;
  const count = (table: string) => ctx.db.query(`SELECT count(*)::int AS n, coalesce(sum(balance), 0)::int AS total FROM ${table}`)[0];
  const parts = [];
  if (t.event !== "DELETE") parts.push(`new ${JSON.stringify(count("fresh"))}`);
  if (t.event !== "INSERT") parts.push(`old ${JSON.stringify(count("stale"))}`);
  ctx.db.exec("INSERT INTO tt_audit VALUES ($1)", [`${t.event} ${t.level}: ${parts.join(", ")}`]);
};
$$;
CREATE TRIGGER tt_insert AFTER INSERT ON tt_accounts REFERENCING NEW TABLE AS fresh
  FOR EACH STATEMENT EXECUTE FUNCTION tt_summarize();
CREATE TRIGGER tt_update AFTER UPDATE ON tt_accounts REFERENCING NEW TABLE AS fresh OLD TABLE AS stale
  FOR EACH STATEMENT EXECUTE FUNCTION tt_summarize();
CREATE TRIGGER tt_delete AFTER DELETE ON tt_accounts REFERENCING OLD TABLE AS stale
  FOR EACH ROW EXECUTE FUNCTION tt_summarize();
INSERT INTO tt_accounts SELECT g, g * 10 FROM generate_series(1, 5) g;
UPDATE tt_accounts SET balance = balance + 1 WHERE id <= 2;
DELETE FROM tt_accounts WHERE id IN (4, 5);
SELECT entry FROM tt_audit;
-- parameters over a transition table; cursors work in the trigger, but not over a transition table
CREATE FUNCTION tt_rich() RETURNS trigger LANGUAGE plts AS $$
export default (ctx: any) => {
  const rich = ctx.db.query("SELECT id FROM fresh WHERE balance > $1 ORDER BY id", [100]).map((r: any) => r.id);
  const first = [];
  for (const row of ctx.db.cursor("SELECT id FROM tt_accounts ORDER BY id", [], { batchSize: 1 })) {
    first.push(row.id);
    if (first.length === 2) break;
  }
  let refused = "";
  try { [...ctx.db.cursor("SELECT id FROM fresh")]; } catch (e: any) { refused = `${e.code}: ${e.message} (${e.hint})`; }
  ctx.db.exec("INSERT INTO tt_audit VALUES ($1)", [`rich ${rich.join(",")}; first two accounts ${first.join(",")}; cursor on fresh: ${refused}`]);
};
$$;
CREATE TRIGGER tt_rich AFTER INSERT ON tt_accounts REFERENCING NEW TABLE AS fresh
  FOR EACH STATEMENT EXECUTE FUNCTION tt_rich();
TRUNCATE tt_audit;
INSERT INTO tt_accounts VALUES (10, 50), (11, 500), (12, 5000);
SELECT entry FROM tt_audit ORDER BY entry;
-- the same SQL text under another table's transition table of the same name is planned for that table
CREATE TABLE tt_other (label text);
CREATE FUNCTION tt_first() RETURNS trigger LANGUAGE plts AS $$
export default (ctx: any) => {
  const [row] = ctx.db.query("SELECT * FROM fresh LIMIT 1");
  ctx.db.exec("INSERT INTO tt_audit VALUES ($1)", [`${ctx.trigger.table.name}: ${JSON.stringify(row)}`]);
};
$$;
CREATE TRIGGER tt_first_a AFTER INSERT ON tt_accounts REFERENCING NEW TABLE AS fresh FOR EACH STATEMENT EXECUTE FUNCTION tt_first();
CREATE TRIGGER tt_first_o AFTER INSERT ON tt_other REFERENCING NEW TABLE AS fresh FOR EACH STATEMENT EXECUTE FUNCTION tt_first();
DROP TRIGGER tt_insert ON tt_accounts;
DROP TRIGGER tt_rich ON tt_accounts;
TRUNCATE tt_audit;
INSERT INTO tt_accounts VALUES (20, 1);
INSERT INTO tt_other VALUES ('hello');
SELECT entry FROM tt_audit ORDER BY entry;
-- outside a trigger, the name is not a table
CREATE FUNCTION tt_outside() RETURNS text LANGUAGE plts AS $$
export default (ctx: any) => { try { ctx.db.query("SELECT * FROM fresh"); return "found"; } catch (e: any) { return `${e.code}: ${e.message}`; } };
$$;
SELECT tt_outside();
