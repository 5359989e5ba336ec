-- One JS context per effective role: globals set by one role are invisible to another.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE FUNCTION set_global(v text) RETURNS text LANGUAGE plts AS $$
export default (_ctx: unknown, v: string) => { (globalThis as any).shared = v; return v; };
$$;
CREATE FUNCTION get_global() RETURNS text LANGUAGE plts AS $$
export default () => String((globalThis as any).shared);
$$;
GRANT EXECUTE ON FUNCTION set_global(text), get_global() TO PUBLIC;
SELECT set_global('secret of the first role');
SELECT get_global();
SET ROLE regress_role;
SELECT get_global();
SELECT set_global('second role');
RESET ROLE;
SELECT get_global();
-- plts is trusted: an unprivileged role may create functions in it
GRANT CREATE ON SCHEMA public TO regress_role;
SET ROLE regress_role;
CREATE FUNCTION public.by_unprivileged() RETURNS int LANGUAGE plts AS $$ export default () => 1 $$;
SELECT public.by_unprivileged();
RESET ROLE;
DROP FUNCTION public.by_unprivileged();
REVOKE CREATE ON SCHEMA public FROM regress_role;
-- writing artifacts needs a grant: a role without one may compile and read, not store
SET ROLE regress_role;
SELECT compiler_fingerprint IS NOT NULL AS compiles FROM plts.compile_ts('export default 1');
SELECT plts.compile_and_store('export default 1');
SELECT plts.upsert_artifact('export default 1', 'export default 1;');
INSERT INTO plts.artifact (artifact_hash, source_ts, compiled_js, compiler_opts, compiler_fingerprint) VALUES ('x', '', '', '{}', '');
SELECT count(*) >= 0 AS reads FROM plts.artifact;
RESET ROLE;
