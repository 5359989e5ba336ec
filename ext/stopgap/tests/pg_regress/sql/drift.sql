-- drift: the live schema against what the active deployment installed: functions changed
-- (body, volatility, SECURITY DEFINER, SET, grants), dropped or added by hand.
\set SHOW_CONTEXT never
CREATE SCHEMA drift_src;
CREATE FUNCTION drift_src.a(args jsonb) RETURNS jsonb LANGUAGE plts STABLE AS $$ export default () => 'a' $$;
CREATE FUNCTION drift_src.b(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 'b' $$;
CREATE FUNCTION drift_src.c(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 'c' $$;
SELECT stopgap.deploy('drift_env', 'drift_src', 'v1') IS NOT NULL AS deployed;
-- as deployed: no drift
SELECT * FROM stopgap.drift('drift_env');
-- by hand: a body replaced, a volatility changed, a function dropped, one added, an overload added
CREATE OR REPLACE FUNCTION live_drift_env.a(args jsonb) RETURNS jsonb LANGUAGE plts STABLE AS $$ export default () => 'patched' $$;
ALTER FUNCTION live_drift_env.b(jsonb) IMMUTABLE SECURITY DEFINER SET search_path = public;
GRANT EXECUTE ON FUNCTION live_drift_env.b(jsonb) TO PUBLIC;
DROP FUNCTION live_drift_env.c(jsonb);
CREATE FUNCTION live_drift_env.extra(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 1 $$;
CREATE FUNCTION live_drift_env.a(n int) RETURNS int LANGUAGE sql AS $$ SELECT n $$;
SELECT fn_name, drift, regexp_replace(regexp_replace(detail, '[0-9a-f]{64}', '<hash>', 'g'), 'deployment \d+', 'deployment <id>') AS detail
  FROM stopgap.drift('drift_env');
-- a body pointing at another artifact is named
SELECT stopgap.deploy('drift_other', 'drift_src', 'v1') IS NOT NULL AS other_env;
DO $$
BEGIN
  EXECUTE format('CREATE OR REPLACE FUNCTION live_drift_env.a(args jsonb) RETURNS jsonb LANGUAGE plts STABLE AS %L',
                 (SELECT prosrc FROM pg_proc WHERE oid = 'live_drift_other.b(jsonb)'::regprocedure));
END $$;
SELECT fn_name, drift, regexp_replace(detail, '[0-9a-f]{64}', '<hash>', 'g') AS detail FROM stopgap.drift('drift_env') WHERE fn_name = 'a';
-- the same functions again make a new deployment that puts the stubs back (no drift: nothing
-- would be written); what was added by hand stays drift
SELECT active_deployment_id AS before FROM stopgap.environment WHERE env = 'drift_env' \gset
SELECT stopgap.deploy('drift_env', 'drift_src', 'v2-repair') <> :before AS new_deployment;
SELECT fn_name, drift FROM stopgap.drift('drift_env');
-- functions an older deployment installed are not drift (prune drops them)
DROP FUNCTION drift_src.b(jsonb);
DROP FUNCTION live_drift_env.extra(jsonb);
DROP FUNCTION live_drift_env.a(int);
SELECT stopgap.deploy('drift_env', 'drift_src', 'v3') IS NOT NULL AS without_b;
SELECT * FROM stopgap.drift('drift_env');
-- an unknown environment
SELECT * FROM stopgap.drift('drift_nowhere');
-- the body check: exactly the pointer stopgap writes
SELECT stopgap.pointed_artifact('{"plts": 1, "kind": "artifact_ptr", "artifact_hash": "abc", "export": "default"}') AS pointer,
       stopgap.pointed_artifact('{"plts": 1, "kind": "artifact_ptr", "artifact_hash": "abc", "export": "other"}') AS other_export,
       stopgap.pointed_artifact('export default () => 1') AS typescript;
