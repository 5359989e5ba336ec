-- audit: the views activation_audit and environment_overview, and status().
\set SHOW_CONTEXT never
CREATE SCHEMA audit_src;
CREATE FUNCTION audit_src.f(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 1 $$;
CREATE FUNCTION audit_src.g(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 1 $$;
SELECT stopgap.deploy('audit_env', 'audit_src', 'a1') AS a1 \gset
CREATE OR REPLACE FUNCTION audit_src.f(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 2 $$;
SELECT stopgap.deploy('audit_env', 'audit_src', 'a2') AS a2 \gset
SELECT stopgap.rollback('audit_env') AS back \gset
-- who switched what, when, how
SELECT action, from_label, to_label, source_schema, activated_by = current_user AS by_me, activated_at <= now() AS at_ok
  FROM stopgap.activation_audit WHERE env = 'audit_env' ORDER BY id;
-- the overview of the environment
SELECT env, live_schema, execute_role, active_label, function_count, deployment_count, failed_count,
       active_since IS NOT NULL AS has_active_since
  FROM stopgap.environment_overview WHERE env = 'audit_env';
-- status() is the overview row of one environment; an unknown one is an error
SELECT env, active_label, active_deployment_id = :a1 AS a1_active FROM stopgap.status('audit_env');
SELECT * FROM stopgap.status('audit_nowhere');
-- deployments(), newest first
SELECT label, status, function_count, created_by = current_user AS by_me FROM stopgap.deployments('audit_env');
