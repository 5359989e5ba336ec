-- catalog: constraints that make invalid states unrepresentable, even for a superuser writing
-- the catalogs by hand.
\set SHOW_CONTEXT never
\set VERBOSITY terse
CREATE SCHEMA catalog_src;
CREATE FUNCTION catalog_src.f(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 1 $$;
SELECT stopgap.deploy('catalog_env', 'catalog_src', 'k1') AS k1 \gset
CREATE OR REPLACE FUNCTION catalog_src.f(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 2 $$;
SELECT stopgap.deploy('catalog_env', 'catalog_src', 'k2') AS k2 \gset
-- a status outside the machine
UPDATE stopgap.deployment SET status = 'live' WHERE id = :k2;
-- two active deployments in one environment
UPDATE stopgap.deployment SET status = 'active' WHERE id = :k1;
-- a failed deployment without its reason
UPDATE stopgap.deployment SET status = 'failed' WHERE id = :k1;
-- a sealed deployment without its manifest
INSERT INTO stopgap.deployment (env, label, created_by, source_schema, status) VALUES ('catalog_env', 'k9', 'x', 'y', 'sealed');
-- the same label twice
INSERT INTO stopgap.deployment (env, label, created_by, source_schema) VALUES ('catalog_env', 'k1', 'x', 'y');
-- an environment pointing at a deployment that is not active (checked at commit)
BEGIN;
UPDATE stopgap.environment SET active_deployment_id = :k1 WHERE env = 'catalog_env';
COMMIT;
-- an environment pointing at another environment's deployment (checked at commit)
SELECT stopgap.deploy('catalog_other', 'catalog_src', 'o1') AS o1 \gset
BEGIN;
UPDATE stopgap.environment SET active_deployment_id = :o1 WHERE env = 'catalog_env';
COMMIT;
-- a function version of an artifact that does not exist
INSERT INTO stopgap.fn_version VALUES (:k1, 'catalog_src', 'ghost', 'live_catalog_env', 'query', 'sha256:0000000000000000000000000000000000000000000000000000000000000000');
-- an environment name that cannot be part of a schema name
INSERT INTO stopgap.environment (env, live_schema) VALUES ('Bad-Name', 'live_bad');
-- nothing above changed anything
SELECT label, status FROM stopgap.deployments('catalog_env');
SELECT active_deployment_id = :k2 AS k2_active FROM stopgap.environment WHERE env = 'catalog_env';
