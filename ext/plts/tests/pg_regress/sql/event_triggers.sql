-- Event triggers: ctx.event = { event, tag }; pg_event_trigger_ddl_commands() and
-- pg_event_trigger_dropped_objects() work through ctx.db.
\set SHOW_CONTEXT never
CREATE TABLE et_log (entry text);
CREATE FUNCTION et_ddl_end() RETURNS event_trigger LANGUAGE plts AS $$
export default (ctx: any) => {
  const commands = ctx.db.query("SELECT command_tag, object_type, object_identity FROM pg_event_trigger_ddl_commands() ORDER BY object_identity");
  for (const c of commands) {
    ctx.db.exec("INSERT INTO et_log VALUES ($1)", [`${ctx.event.event} ${ctx.event.tag}: ${c.object_type} ${c.object_identity}`]);
  }
};
$$;
CREATE FUNCTION et_dropped() RETURNS event_trigger LANGUAGE plts AS $$
export default (ctx: any) => {
  const dropped = ctx.db.query("SELECT object_type, object_identity FROM pg_event_trigger_dropped_objects() WHERE original ORDER BY object_identity");
  for (const d of dropped) ctx.db.exec("INSERT INTO et_log VALUES ($1)", [`${ctx.event.event} ${ctx.event.tag}: ${d.object_type} ${d.object_identity}`]);
};
$$;
CREATE FUNCTION et_start() RETURNS event_trigger LANGUAGE plts AS $$
export default (ctx: any) => { ctx.db.exec("INSERT INTO et_log VALUES ($1)", [`${ctx.event.event} ${ctx.event.tag}`]); };
$$;
CREATE EVENT TRIGGER et_end ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE') EXECUTE FUNCTION et_ddl_end();
CREATE EVENT TRIGGER et_drop ON sql_drop EXECUTE FUNCTION et_dropped();
CREATE EVENT TRIGGER et_begin ON ddl_command_start WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION et_start();
CREATE TABLE et_thing (id int);
ALTER TABLE et_thing ADD COLUMN name text;
DROP TABLE et_thing;
SELECT entry FROM et_log;
-- an error in an event trigger aborts the command
CREATE FUNCTION et_refuse() RETURNS event_trigger LANGUAGE plts AS $$
export default (ctx: any) => { throw new Error(`no ${ctx.event.tag} here`); };
$$;
CREATE EVENT TRIGGER et_refuse ON ddl_command_start WHEN TAG IN ('CREATE VIEW') EXECUTE FUNCTION et_refuse();
CREATE VIEW et_view AS SELECT 1 AS one;
SELECT count(*) AS views FROM pg_views WHERE viewname = 'et_view';
DROP EVENT TRIGGER et_refuse;
DROP EVENT TRIGGER et_end;
DROP EVENT TRIGGER et_drop;
DROP EVENT TRIGGER et_begin;
