-- rollback: by steps (skipping rolled-back deployments), to an id (also forward), and the
-- errors for rolling back past the first deployment or to a deployment that cannot be activated.
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
    -- deployment ids depend on what ran before in this database
    RETURN state || ': ' || regexp_replace(message, 'deployment \d+', 'deployment <id>', 'g');
END
$$;
CREATE SCHEMA rollback_src;
CREATE FUNCTION pg_temp.version_source(n int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE OR REPLACE FUNCTION rollback_src.version(args jsonb) RETURNS jsonb LANGUAGE plts AS %L',
                   format('export default () => ({ version: %s })', n));
END
$$;
-- an environment without deployments cannot be rolled back
SELECT pg_temp.error_of($$SELECT stopgap.rollback('rollback_nothing')$$);
SELECT stopgap.configure_environment('rollback_nothing');
SELECT pg_temp.error_of($$SELECT stopgap.rollback('rollback_nothing')$$);

SELECT pg_temp.version_source(1);
SELECT stopgap.deploy('rollback_env', 'rollback_src', 'v1') AS v1 \gset
-- rolling back past the first deployment is an error
SELECT pg_temp.error_of($$SELECT stopgap.rollback('rollback_env')$$);
SELECT pg_temp.version_source(2);
SELECT stopgap.deploy('rollback_env', 'rollback_src', 'v2') AS v2 \gset
SELECT pg_temp.version_source(3);
SELECT stopgap.deploy('rollback_env', 'rollback_src', 'v3') AS v3 \gset
SELECT live_rollback_env.version('{}');

-- one step back: v2 serves, v3 is rolled back
SELECT stopgap.rollback('rollback_env') = :v2 AS back_to_v2;
SELECT live_rollback_env.version('{}');
SELECT label, status FROM stopgap.deployments('rollback_env');
-- a new deploy after a rollback, then one step back: returns to v2 (v3 was rolled back, it is skipped)
SELECT pg_temp.version_source(4);
SELECT stopgap.deploy('rollback_env', 'rollback_src', 'v4') AS v4 \gset
SELECT stopgap.rollback('rollback_env') = :v2 AS back_to_v2_again;
SELECT live_rollback_env.version('{}');
-- two steps from v2 would go past v1
SELECT pg_temp.error_of($$SELECT stopgap.rollback('rollback_env', steps => 2)$$);
SELECT pg_temp.error_of($$SELECT stopgap.rollback('rollback_env', steps => 0)$$);
-- to_id: roll forward to v4 (rolled back), then to v1 (superseded)
SELECT stopgap.rollback('rollback_env', to_id => :v4) = :v4 AS forward_to_v4;
SELECT live_rollback_env.version('{}');
SELECT stopgap.rollback('rollback_env', to_id => :v1) = :v1 AS to_v1;
SELECT live_rollback_env.version('{}');
-- to_id errors: the active one, another environment's, one that does not exist, steps and to_id together
SELECT pg_temp.error_of(format('SELECT stopgap.rollback(%L, to_id => %s)', 'rollback_env', :v1));
CREATE SCHEMA rollback_other_src;
CREATE FUNCTION rollback_other_src.f(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 0 $$;
SELECT stopgap.deploy('rollback_other', 'rollback_other_src', 'o1') AS o1 \gset
SELECT pg_temp.error_of(format('SELECT stopgap.rollback(%L, to_id => %s)', 'rollback_env', :o1));
SELECT pg_temp.error_of($$SELECT stopgap.rollback('rollback_env', to_id => -1)$$);
SELECT pg_temp.error_of(format('SELECT stopgap.rollback(%L, steps => 2, to_id => %s)', 'rollback_env', :v2));
-- a failed deployment cannot be activated
SET check_function_bodies = off;
CREATE OR REPLACE FUNCTION rollback_src.version(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default ( $$;
RESET check_function_bodies;
SELECT pg_temp.error_of($$SELECT stopgap.deploy('rollback_env', 'rollback_src', 'broken')$$);
SELECT id AS broken FROM stopgap.deployment WHERE env = 'rollback_env' AND label = 'broken' \gset
SELECT pg_temp.error_of(format('SELECT stopgap.rollback(%L, to_id => %s)', 'rollback_env', :broken));

-- every activation is logged, in order
SELECT action, from_label, to_label FROM stopgap.activation_audit WHERE env = 'rollback_env' ORDER BY id;
-- exactly one deployment is active
SELECT status, count(*) FROM stopgap.deployment WHERE env = 'rollback_env' GROUP BY status ORDER BY status;
