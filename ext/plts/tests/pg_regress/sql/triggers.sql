-- Triggers: ctx.trigger describes the event; a BEFORE row trigger returns the row to store or null
-- to skip it; AFTER and statement-level results are ignored; ctx.db works inside.
\set SHOW_CONTEXT never
CREATE TABLE trg_items (id int PRIMARY KEY, name text, price numeric, total numeric GENERATED ALWAYS AS (price * 2) STORED);
CREATE TABLE trg_log (entry text);
-- what a row trigger sees
CREATE FUNCTION trg_describe() RETURNS trigger LANGUAGE plts AS $$
export default (ctx: any) => {
  const t = ctx.trigger;
  ctx.db.exec("INSERT INTO trg_log VALUES ($1)", [JSON.stringify({ ...t, table: { schema: t.table.schema, name: t.table.name, oid: typeof t.table.oid } })]);
  return t.event === "DELETE" ? t.old : t.new;
};
$$;
CREATE TRIGGER describe BEFORE INSERT OR UPDATE OR DELETE ON trg_items FOR EACH ROW EXECUTE FUNCTION trg_describe('one', 'two');
INSERT INTO trg_items (id, name, price) VALUES (1, 'tea', 2.5);
UPDATE trg_items SET price = 3 WHERE id = 1;
DELETE FROM trg_items WHERE id = 1;
SELECT entry FROM trg_log;
DROP TRIGGER describe ON trg_items;
TRUNCATE trg_log;
-- BEFORE: the returned row is stored (changed, or a new object); generated columns are computed anyway
CREATE FUNCTION trg_upper() RETURNS trigger LANGUAGE plts AS $$
export default (ctx: any) => ({ ...ctx.trigger.new, name: ctx.trigger.new.name.toUpperCase(), total: 999 });
$$;
CREATE TRIGGER upper BEFORE INSERT OR UPDATE ON trg_items FOR EACH ROW EXECUTE FUNCTION trg_upper();
INSERT INTO trg_items (id, name, price) VALUES (1, 'tea', 2.5), (2, 'coffee', 4);
UPDATE trg_items SET name = 'green tea' WHERE id = 1;
SELECT * FROM trg_items ORDER BY id;
DROP TRIGGER upper ON trg_items;
-- BEFORE: null skips the row; a missing key is NULL
CREATE FUNCTION trg_skip_cheap() RETURNS trigger LANGUAGE plts AS $$
export default (ctx: any) => ctx.trigger.new.price < 1 ? null : { id: ctx.trigger.new.id, price: ctx.trigger.new.price };
$$;
CREATE TRIGGER skip_cheap BEFORE INSERT ON trg_items FOR EACH ROW EXECUTE FUNCTION trg_skip_cheap();
INSERT INTO trg_items (id, name, price) VALUES (3, 'water', 0.5), (4, 'juice', 3);
SELECT * FROM trg_items WHERE id IN (3, 4);
DROP TRIGGER skip_cheap ON trg_items;
-- BEFORE DELETE: null keeps the row, the old row lets the delete go on
CREATE FUNCTION trg_keep_tea() RETURNS trigger LANGUAGE plts AS $$
export default (ctx: any) => (ctx.trigger.old.name ?? "").includes("TEA") ? null : ctx.trigger.old;
$$;
CREATE TRIGGER keep_tea BEFORE DELETE ON trg_items FOR EACH ROW EXECUTE FUNCTION trg_keep_tea();
DELETE FROM trg_items;
SELECT id, name FROM trg_items ORDER BY id;
DROP TRIGGER keep_tea ON trg_items;
-- AFTER row and statement triggers: the result is ignored; ctx.db sees the statement's rows
CREATE FUNCTION trg_after() RETURNS trigger LANGUAGE plts AS $$
export default (ctx: any) => {
  const t = ctx.trigger;
  const [{ n }] = ctx.db.query("SELECT count(*)::int AS n FROM trg_items");
  ctx.db.exec("INSERT INTO trg_log VALUES ($1)", [`${t.when} ${t.level} ${t.event}: ${n} rows, new ${t.new?.id ?? "-"}`]);
  return { ignored: true };
};
$$;
CREATE TRIGGER after_row AFTER INSERT ON trg_items FOR EACH ROW EXECUTE FUNCTION trg_after();
CREATE TRIGGER after_stmt AFTER INSERT OR TRUNCATE ON trg_items FOR EACH STATEMENT EXECUTE FUNCTION trg_after();
CREATE TRIGGER before_stmt BEFORE INSERT ON trg_items FOR EACH STATEMENT EXECUTE FUNCTION trg_after();
INSERT INTO trg_items (id, name, price) VALUES (10, 'a', 1), (11, 'b', 1);
TRUNCATE trg_items;
SELECT entry FROM trg_log;
DROP TRIGGER after_row ON trg_items;
DROP TRIGGER after_stmt ON trg_items;
DROP TRIGGER before_stmt ON trg_items;
-- INSTEAD OF on a view: the trigger writes the table; the returned row is what RETURNING shows
CREATE VIEW trg_items_view AS SELECT id, name FROM trg_items;
CREATE FUNCTION trg_view_insert() RETURNS trigger LANGUAGE plts AS $$
export default (ctx: any) => {
  const row = ctx.trigger.new;
  ctx.db.exec("INSERT INTO trg_items (id, name, price) VALUES ($1, $2, 0)", [row.id, `via view: ${row.name}`]);
  return { ...row, name: `stored ${row.name}` };
};
$$;
CREATE TRIGGER view_insert INSTEAD OF INSERT ON trg_items_view FOR EACH ROW EXECUTE FUNCTION trg_view_insert();
INSERT INTO trg_items_view VALUES (20, 'x') RETURNING *;
SELECT id, name FROM trg_items WHERE id = 20;
-- errors: undefined from a BEFORE row trigger, an unknown column, a wrong type, not an object
CREATE FUNCTION trg_undefined() RETURNS trigger LANGUAGE plts AS $$ export default () => {} $$;
CREATE TRIGGER undefined_row BEFORE INSERT ON trg_items FOR EACH ROW EXECUTE FUNCTION trg_undefined();
INSERT INTO trg_items (id, name, price) VALUES (30, 'u', 1);
DROP TRIGGER undefined_row ON trg_items;
CREATE FUNCTION trg_unknown_column() RETURNS trigger LANGUAGE plts AS $$
export default (ctx: any) => ({ ...ctx.trigger.new, colour: "red" });
$$;
CREATE TRIGGER unknown_column BEFORE INSERT ON trg_items FOR EACH ROW EXECUTE FUNCTION trg_unknown_column();
INSERT INTO trg_items (id, name, price) VALUES (31, 'u', 1);
DROP TRIGGER unknown_column ON trg_items;
CREATE FUNCTION trg_wrong_type() RETURNS trigger LANGUAGE plts AS $$
export default (ctx: any) => ({ ...ctx.trigger.new, id: "thirty-two" });
$$;
CREATE TRIGGER wrong_type BEFORE INSERT ON trg_items FOR EACH ROW EXECUTE FUNCTION trg_wrong_type();
INSERT INTO trg_items (id, name, price) VALUES (32, 'u', 1);
DROP TRIGGER wrong_type ON trg_items;
CREATE FUNCTION trg_not_row() RETURNS trigger LANGUAGE plts AS $$ export default () => 42 $$;
CREATE TRIGGER not_row BEFORE INSERT ON trg_items FOR EACH ROW EXECUTE FUNCTION trg_not_row();
INSERT INTO trg_items (id, name, price) VALUES (33, 'u', 1);
DROP TRIGGER not_row ON trg_items;
-- a throw in a trigger aborts the statement with the TypeScript error
CREATE FUNCTION trg_throws() RETURNS trigger LANGUAGE plts AS $$
export default (ctx: any) => { throw new Error(`no ${ctx.trigger.event.toLowerCase()} today`); };
$$;
CREATE TRIGGER throws BEFORE INSERT ON trg_items FOR EACH ROW EXECUTE FUNCTION trg_throws();
INSERT INTO trg_items (id, name, price) VALUES (34, 'u', 1);
DROP TRIGGER throws ON trg_items;
SELECT count(*) AS rows_from_failed_inserts FROM trg_items WHERE id >= 30;
-- dropped columns are left out of the row objects and of the stored row
DROP VIEW trg_items_view;
ALTER TABLE trg_items DROP COLUMN name;
CREATE TRIGGER describe_after_drop BEFORE INSERT ON trg_items FOR EACH ROW EXECUTE FUNCTION trg_describe();
TRUNCATE trg_log;
INSERT INTO trg_items (id, price) VALUES (40, 1);
SELECT entry FROM trg_log;
SELECT id, price, total FROM trg_items WHERE id = 40;
-- the parts every row shares (table, args) are frozen: no row's handler changes what the next sees
CREATE FUNCTION trg_mutate() RETURNS trigger LANGUAGE plts AS $$
export default (ctx: any) => {
  let outcome;
  try { ctx.trigger.args.push("more"); outcome = "pushed"; } catch (e: any) { outcome = e.constructor.name; }
  ctx.db.exec("INSERT INTO trg_log VALUES ($1)", [`${ctx.trigger.args.length} args, push: ${outcome}`]);
  return ctx.trigger.new;
};
$$;
CREATE TRIGGER mutate BEFORE INSERT ON trg_items FOR EACH ROW EXECUTE FUNCTION trg_mutate('only');
TRUNCATE trg_log;
INSERT INTO trg_items (id, price) VALUES (50, 1), (51, 1);
SELECT entry FROM trg_log;
