-- security: the roles, and the deny and allow paths of each. Roles are cluster-wide: this
-- database's CREATE EXTENSION ran while they already existed (from earlier runs or other
-- databases), which is the "roles already exist" install path.
\set SHOW_CONTEXT never
SELECT rolname, rolcanlogin, rolsuper FROM pg_roles WHERE rolname LIKE 'stopgap\_%' ORDER BY 1;
SELECT pg_has_role('stopgap_deployer', 'stopgap_reader', 'MEMBER') AS deployer_reads;
-- the catalogs and views belong to stopgap_owner
SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
 WHERE c.relnamespace = 'stopgap'::regnamespace AND c.relkind IN ('r', 'v') ORDER BY 1;

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['regress_stopgap_deployer', 'regress_stopgap_reader', 'regress_stopgap_app',
                             'regress_stopgap_nobody'] LOOP
        BEGIN
            EXECUTE format('CREATE ROLE %I', r);
        EXCEPTION WHEN duplicate_object THEN
            NULL;
        END;
    END LOOP;
END
$$;
GRANT stopgap_deployer TO regress_stopgap_deployer;
GRANT stopgap_reader TO regress_stopgap_reader;
GRANT stopgap_app TO regress_stopgap_app;

CREATE SCHEMA security_src;
CREATE FUNCTION security_src.hello(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 'hello' $$;
CREATE SCHEMA security_private;
CREATE FUNCTION security_private.secret(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 'secret' $$;
GRANT USAGE ON SCHEMA security_src TO regress_stopgap_deployer, regress_stopgap_nobody;

-- a role without stopgap_deployer cannot deploy, roll back, prune or configure
SET ROLE regress_stopgap_nobody;
SELECT stopgap.deploy('security_env', 'security_src', 'v1');
SELECT stopgap.rollback('security_env');
SELECT * FROM stopgap.prune('security_env');
SELECT stopgap.configure_environment('security_env');
-- nor read the catalogs
SELECT count(*) FROM stopgap.deployment;
SELECT * FROM stopgap.status('security_env');
RESET ROLE;
-- a stray GRANT EXECUTE does not open deploy: it checks membership itself
GRANT EXECUTE ON FUNCTION stopgap.deploy(text, text, text, boolean) TO regress_stopgap_nobody;
SET ROLE regress_stopgap_nobody;
SELECT stopgap.deploy('security_env', 'security_src', 'v1');
RESET ROLE;
REVOKE EXECUTE ON FUNCTION stopgap.deploy(text, text, text, boolean) FROM regress_stopgap_nobody;

-- a deployer deploys from a schema it may use, and only from one it may use
SET ROLE regress_stopgap_deployer;
SELECT stopgap.deploy('security_env', 'security_private', 'p1');
SELECT stopgap.deploy('security_env', 'security_src', 'v1') > 0 AS deployed;
SELECT created_by FROM stopgap.deployment WHERE env = 'security_env';
SELECT activated_by FROM stopgap.activation_audit WHERE env = 'security_env';
-- it cannot change what is live behind stopgap's back
CREATE FUNCTION live_security_env.sneaky(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 1 $$;
CREATE OR REPLACE FUNCTION live_security_env.hello(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 'pwned' $$;
UPDATE stopgap.environment SET active_deployment_id = NULL WHERE env = 'security_env';
DELETE FROM stopgap.activation_log;
-- it needs EXECUTE on plts.compile_and_store, which stopgap_deployer has (plts revokes it from PUBLIC)
RESET ROLE;
REVOKE EXECUTE ON FUNCTION plts.compile_and_store(text, jsonb) FROM stopgap_deployer;
SET ROLE regress_stopgap_deployer;
SELECT stopgap.deploy('security_env', 'security_src', 'v2');
RESET ROLE;
GRANT EXECUTE ON FUNCTION plts.compile_and_store(text, jsonb) TO stopgap_deployer;
-- the deployer may also roll back, prune and configure
CREATE OR REPLACE FUNCTION security_src.hello(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 'hello 2' $$;
SET ROLE regress_stopgap_deployer;
SELECT stopgap.deploy('security_env', 'security_src', 'v2') > 0 AS deployed;
SELECT stopgap.rollback('security_env') > 0 AS rolled_back;
SELECT count(*) FROM stopgap.prune('security_env');
RESET ROLE;

-- a reader reads, and cannot change anything
SET ROLE regress_stopgap_reader;
SELECT env, active_label, function_count FROM stopgap.status('security_env');
SELECT label, status FROM stopgap.deployments('security_env');
SELECT fn_name, change FROM stopgap.diff('security_env', 'security_src');
SELECT stopgap.deploy('security_env', 'security_src', 'v3');
UPDATE stopgap.deployment SET status = 'failed';
-- and cannot call live functions
SELECT live_security_env.hello('{}');
RESET ROLE;

-- the execute role calls live functions, and nothing else
SET ROLE regress_stopgap_app;
SELECT live_security_env.hello('{}');
SELECT stopgap.call_fn('security_env', 'hello', '{}');
SELECT stopgap.deploy('security_env', 'security_src', 'v3');
SELECT count(*) FROM stopgap.deployment;
RESET ROLE;
-- nobody else calls live functions
SET ROLE regress_stopgap_nobody;
SELECT live_security_env.hello('{}');
RESET ROLE;

-- another execute role per environment: the grants move at once
SELECT stopgap.configure_environment('security_env', execute_role => 'regress_stopgap_nobody');
SET ROLE regress_stopgap_nobody;
SELECT live_security_env.hello('{}');
RESET ROLE;
SET ROLE regress_stopgap_app;
SELECT live_security_env.hello('{}');
RESET ROLE;
SELECT stopgap.configure_environment('security_env', execute_role => 'no_such_role');

-- a live schema that exists and belongs to someone else is not taken over
CREATE SCHEMA live_security_taken AUTHORIZATION regress_stopgap_nobody;
\set VERBOSITY terse
SELECT stopgap.deploy('security_taken', 'security_src', 't1');
\set VERBOSITY default
SELECT failure ->> 'detail' AS detail, failure ->> 'hint' AS hint FROM stopgap.deployment WHERE env = 'security_taken';
DROP SCHEMA live_security_taken;

-- clean up what is cluster-wide
SELECT stopgap.configure_environment('security_env', execute_role => 'stopgap_app');
REVOKE stopgap_deployer FROM regress_stopgap_deployer;
REVOKE stopgap_reader FROM regress_stopgap_reader;
REVOKE stopgap_app FROM regress_stopgap_app;
