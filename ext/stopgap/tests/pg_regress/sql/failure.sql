-- failure: a TypeScript error in one function aborts the deploy, the previous deployment keeps
-- serving, the error names the function and the TypeScript line, and the failure is recorded
-- by a background worker so that it survives the rollback of the deploying transaction.
\set SHOW_CONTEXT never
CREATE SCHEMA failure_src;
CREATE FUNCTION failure_src.a(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => ({ version: 1 }) $$;
CREATE FUNCTION failure_src.b(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => ({ b: 1 }) $$;
SELECT stopgap.deploy('failure_env', 'failure_src', 'v1') AS v1 \gset

-- v2 changes a and breaks b (the validator is off, as when a tool writes many functions at once)
CREATE OR REPLACE FUNCTION failure_src.a(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => ({ version: 2 }) $$;
SET check_function_bodies = off;
CREATE OR REPLACE FUNCTION failure_src.b(args jsonb) RETURNS jsonb LANGUAGE plts AS $$
export default () => {
  return 1 +;
};
$$;
RESET check_function_bodies;
-- the error: SQLSTATE 42601, function and line in the message; its DETAIL (the caret) is in the
-- failure record below, its HINT names deployment ids (which depend on what ran before)
\set VERBOSITY terse
BEGIN;
SELECT stopgap.deploy('failure_env', 'failure_src', 'v2');
ROLLBACK;
\set VERBOSITY default
-- nothing users see changed: v1 is active and a is still version 1
SELECT active_deployment_id = :v1 AS v1_active FROM stopgap.environment WHERE env = 'failure_env';
SELECT live_failure_env.a('{}');
-- the attempt is recorded although its transaction rolled back
SELECT label, status, created_by = current_user AS created_by_me, source_schema, failure - 'detail' AS failure
  FROM stopgap.deployment WHERE env = 'failure_env' AND status = 'failed';
SELECT failure ->> 'detail' AS caret FROM stopgap.deployment WHERE env = 'failure_env' AND status = 'failed';
SELECT label, status, failed_function, failure_message FROM stopgap.deployments('failure_env');
-- no function versions, no activation for the failed attempt
SELECT count(*) AS fn_versions FROM stopgap.fn_version v JOIN stopgap.deployment d ON d.id = v.deployment_id
 WHERE d.env = 'failure_env' AND d.status = 'failed';
SELECT count(*) AS activations FROM stopgap.activation_log WHERE env = 'failure_env';

-- a failed attempt does not use up its label: fix b and deploy v2 again
CREATE OR REPLACE FUNCTION failure_src.b(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => ({ b: 2 }) $$;
SELECT stopgap.deploy('failure_env', 'failure_src', 'v2') AS v2 \gset
SELECT live_failure_env.a('{}'), live_failure_env.b('{}');
SELECT label, status FROM stopgap.deployments('failure_env');

-- a failure inside a transaction that goes on (a savepoint): the caller's earlier work stays
BEGIN;
CREATE TABLE failure_marker (x int);
SAVEPOINT before_deploy;
SET LOCAL check_function_bodies = off;
CREATE OR REPLACE FUNCTION failure_src.b(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => { return ( $$;
\set VERBOSITY terse
SELECT stopgap.deploy('failure_env', 'failure_src', 'v3');
\set VERBOSITY default
ROLLBACK TO SAVEPOINT before_deploy;
SELECT count(*) AS marker_table_exists FROM pg_class WHERE relname = 'failure_marker';
COMMIT;
SELECT label, status FROM stopgap.deployments('failure_env');
DROP TABLE failure_marker;
