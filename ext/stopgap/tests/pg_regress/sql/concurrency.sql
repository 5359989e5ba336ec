-- concurrency: a deploy holds a transaction-level advisory lock on its environment until the
-- transaction ends, so deploys, rollbacks and prunes of one environment serialize.
-- (Two real sessions deploying at once are tested from Deno: tests/stopgap_concurrency_test.ts.)
\set SHOW_CONTEXT never
CREATE SCHEMA concurrency_src;
CREATE FUNCTION concurrency_src.f(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 1 $$;
BEGIN;
SELECT stopgap.deploy('concurrency_env', 'concurrency_src', 'c1') > 0 AS deployed;
-- the lock: classid 1398032208 (ASCII "STGP"), objid hashtext(env)
SELECT locktype, classid, objid::int = hashtext('concurrency_env') AS env_key, mode, granted
  FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory';
COMMIT;
-- released at commit
SELECT count(*) AS advisory_locks FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory';
-- a deploy rolled back by its caller leaves nothing, not even a failed row
CREATE OR REPLACE FUNCTION concurrency_src.f(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 2 $$;
BEGIN;
SELECT stopgap.deploy('concurrency_env', 'concurrency_src', 'c2') > 0 AS deployed;
ROLLBACK;
SELECT label, status FROM stopgap.deployments('concurrency_env');
SELECT live_concurrency_env.f('{}');
