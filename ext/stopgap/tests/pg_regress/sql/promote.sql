-- promote: the exact artifacts of one environment's active deployment become a deployment of
-- another, recorded as a promotion; rollback undoes it; the errors say what is wrong.
\set SHOW_CONTEXT never
CREATE FUNCTION pg_temp.error_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    state text;
    message text;
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
    RETURN state || ': ' || regexp_replace(message, 'deployment \d+', 'deployment <id>', 'g');
END
$$;
CREATE SCHEMA promote_src;
CREATE FUNCTION promote_src.version(args jsonb) RETURNS jsonb LANGUAGE plts STABLE AS $$ export default () => ({ version: 1 }) $$;
SELECT stopgap.deploy('promote_staging', 'promote_src', 'v1') AS staging_v1 \gset
-- promoting: same artifact hashes, recorded as a promotion, activated as 'promote'
SELECT stopgap.promote('promote_staging', 'promote_prod', 'release-1') AS prod_1 \gset
SELECT (SELECT array_agg(artifact_hash ORDER BY fn_name) FROM stopgap.fn_version WHERE deployment_id = :prod_1)
     = (SELECT array_agg(artifact_hash ORDER BY fn_name) FROM stopgap.fn_version WHERE deployment_id = :staging_v1)
       AS same_artifacts;
SELECT label, status, promoted_from_env, promoted_from_deployment_id = :staging_v1 AS from_staging_v1
  FROM stopgap.deployments('promote_prod');
SELECT action FROM stopgap.activation_log WHERE env = 'promote_prod';
SELECT stopgap.call_fn('promote_prod', 'version', '{}');
-- nothing new to promote: the active deployment's id (and a NOTICE saying so)
SET client_min_messages = warning;
SELECT stopgap.promote('promote_staging', 'promote_prod', 'release-again') = :prod_1 AS unchanged;
RESET client_min_messages;
-- staging moves on; a second promotion supersedes the first, and rollback returns to it
CREATE OR REPLACE FUNCTION promote_src.version(args jsonb) RETURNS jsonb LANGUAGE plts STABLE AS $$ export default () => ({ version: 2 }) $$;
SELECT stopgap.deploy('promote_staging', 'promote_src', 'v2') IS NOT NULL AS staging_v2;
SELECT stopgap.promote('promote_staging', 'promote_prod', 'release-2') IS NOT NULL AS prod_2;
SELECT stopgap.call_fn('promote_prod', 'version', '{}');
SELECT stopgap.rollback('promote_prod') = :prod_1 AS rolled_back_to_release_1;
SELECT stopgap.call_fn('promote_prod', 'version', '{}');
-- errors
SELECT pg_temp.error_of($$SELECT stopgap.promote('promote_staging', 'promote_staging', 'x')$$);
SELECT pg_temp.error_of($$SELECT stopgap.promote('promote_nowhere', 'promote_prod', 'x')$$);
SELECT stopgap.configure_environment('promote_empty');
SELECT pg_temp.error_of($$SELECT stopgap.promote('promote_empty', 'promote_prod', 'x')$$);
SELECT pg_temp.error_of($$SELECT stopgap.promote('promote_staging', 'promote_prod', 'release-1')$$);
SELECT pg_temp.error_of($$SELECT stopgap.promote('promote_staging', 'promote_prod', ' ')$$);
SELECT pg_temp.error_of($$SELECT stopgap.promote('promote_staging', 'Prod!', 'x')$$);
-- protection is a flag the CLI reads; it is kept on the environment
SELECT stopgap.protect_environment('promote_prod');
SELECT env, protected FROM stopgap.environment_overview WHERE env LIKE 'promote_%' ORDER BY env;
SELECT stopgap.protect_environment('promote_prod', false);
-- only deployers may promote
SET ROLE stopgap_app;
SELECT pg_temp.error_of($$SELECT stopgap.promote('promote_staging', 'promote_prod', 'x')$$);
RESET ROLE;
