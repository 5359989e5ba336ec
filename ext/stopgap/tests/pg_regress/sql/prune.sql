-- prune: live functions the active deployment no longer has are dropped, except those other
-- objects depend on, which are skipped and reported. Also as a deploy option.
\set SHOW_CONTEXT never
CREATE SCHEMA prune_src;
CREATE FUNCTION prune_src.keep(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 'keep' $$;
CREATE FUNCTION prune_src.old(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 'old' $$;
CREATE FUNCTION prune_src.used(args jsonb) RETURNS jsonb LANGUAGE plts STABLE AS $$ export default () => 'used' $$;
SELECT stopgap.deploy('prune_env', 'prune_src', 'v1') AS v1 \gset
-- a view depends on live_prune_env.used
CREATE VIEW prune_view AS SELECT live_prune_env.used('{}') AS value;
DROP FUNCTION prune_src.old(jsonb), prune_src.used(jsonb);
-- a deploy without prune leaves the removed functions in the live schema
SELECT stopgap.deploy('prune_env', 'prune_src', 'v2') AS v2 \gset
SELECT proname FROM pg_proc WHERE pronamespace = 'live_prune_env'::regnamespace ORDER BY 1;
-- prune drops old and skips used, saying what depends on it
SELECT * FROM stopgap.prune('prune_env');
SELECT proname FROM pg_proc WHERE pronamespace = 'live_prune_env'::regnamespace ORDER BY 1;
SELECT value FROM prune_view;
-- a function someone else owns in the live schema is not stopgap's to drop (a superuser can put one there)
CREATE FUNCTION live_prune_env.foreign_fn() RETURNS int LANGUAGE sql AS 'SELECT 1';
SELECT * FROM stopgap.prune('prune_env');
DROP FUNCTION live_prune_env.foreign_fn();
-- deploy with prune => true reports what it dropped or skipped as NOTICEs
CREATE FUNCTION prune_src.temp(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 'temp' $$;
SELECT stopgap.deploy('prune_env', 'prune_src', 'v3') AS v3 \gset
DROP FUNCTION prune_src.temp(jsonb);
DROP VIEW prune_view;
SELECT stopgap.deploy('prune_env', 'prune_src', 'v4', prune => true) AS v4 \gset
SELECT proname FROM pg_proc WHERE pronamespace = 'live_prune_env'::regnamespace ORDER BY 1;
-- prune needs an active deployment
SELECT stopgap.configure_environment('prune_fresh');
SELECT * FROM stopgap.prune('prune_fresh');
