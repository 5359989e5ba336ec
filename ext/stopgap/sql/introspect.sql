-- Introspection: what is live, what was deployed, what a deploy would change, who did what.
-- Plain SQL over the catalogs (read-only), granted to stopgap_reader (grants.sql).

-- One row per environment: its live schema, execute role, active deployment and counts.
CREATE VIEW stopgap.environment_overview AS
SELECT e.env,
       e.live_schema,
       e.execute_role,
       e.active_deployment_id,
       d.label AS active_label,
       (SELECT max(l.activated_at) FROM stopgap.activation_log l
         WHERE l.env = e.env AND l.to_deployment_id = e.active_deployment_id) AS active_since,
       (SELECT count(*) FROM stopgap.fn_version v WHERE v.deployment_id = e.active_deployment_id) AS function_count,
       (SELECT count(*) FROM stopgap.deployment x WHERE x.env = e.env) AS deployment_count,
       (SELECT count(*) FROM stopgap.deployment x WHERE x.env = e.env AND x.status = 'failed') AS failed_count,
       e.updated_at,
       e.protected
  FROM stopgap.environment e
  LEFT JOIN stopgap.deployment d ON d.id = e.active_deployment_id;
COMMENT ON VIEW stopgap.environment_overview IS 'Each environment with its active deployment';

-- Every activation, with the labels of both sides: who switched what, when, and how.
CREATE VIEW stopgap.activation_audit AS
SELECT l.id,
       l.env,
       l.action,
       l.from_deployment_id,
       f.label AS from_label,
       l.to_deployment_id,
       t.label AS to_label,
       t.source_schema,
       l.activated_by,
       l.activated_at
  FROM stopgap.activation_log l
  LEFT JOIN stopgap.deployment f ON f.id = l.from_deployment_id
  JOIN stopgap.deployment t ON t.id = l.to_deployment_id;
COMMENT ON VIEW stopgap.activation_audit IS 'Every deploy and rollback activation with labels and actor';

ALTER VIEW stopgap.environment_overview OWNER TO stopgap_owner;
ALTER VIEW stopgap.activation_audit OWNER TO stopgap_owner;

CREATE FUNCTION stopgap.require_environment(env text) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM stopgap.environment e WHERE e.env = require_environment.env) THEN
        RAISE EXCEPTION 'environment "%" does not exist', env
            USING ERRCODE = 'undefined_object',
                  HINT = 'An environment is created by its first stopgap.deploy(); stopgap.environment_overview lists them.';
    END IF;
END
$$;

-- The environment_overview row of env; an unknown environment is an ERROR (42704).
CREATE FUNCTION stopgap.status(env text) RETURNS SETOF stopgap.environment_overview
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM stopgap.require_environment(env);
    RETURN QUERY SELECT * FROM stopgap.environment_overview o WHERE o.env = status.env;
END
$$;

-- The deployments of env, newest first, with their function count and, for failed ones,
-- the reason (message and the function that failed).
CREATE FUNCTION stopgap.deployments(env text)
RETURNS TABLE (id bigint, label text, status text, created_at timestamptz, created_by name,
               source_schema name, function_count bigint, failed_function text, failure_message text,
               promoted_from_env text, promoted_from_deployment_id bigint)
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM stopgap.require_environment(env);
    RETURN QUERY
    SELECT d.id, d.label, d.status, d.created_at, d.created_by, d.source_schema,
           (SELECT count(*) FROM stopgap.fn_version v WHERE v.deployment_id = d.id),
           d.failure ->> 'function',
           d.failure ->> 'message',
           d.promoted_from_env,
           d.promoted_from_deployment_id
      FROM stopgap.deployment d
     WHERE d.env = deployments.env
     ORDER BY d.id DESC;
END
$$;

-- What deploying from_schema to env would change, function by function: 'added', 'removed',
-- 'changed' or 'unchanged', with the active artifact hash.
--
-- An artifact hash is a function of (compiler fingerprint, options, source, output) and the
-- output is determined by the first three, so "same source, same options, same fingerprint
-- and same kind" is exactly "same artifact hash and same stub": diff compiles nothing and
-- writes nothing.
CREATE FUNCTION stopgap.diff(env text, from_schema name)
RETURNS TABLE (fn_name name, change text, active_artifact_hash text)
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    active bigint;
    fingerprint text;
BEGIN
    PERFORM stopgap.require_environment(diff.env);
    IF NOT EXISTS (SELECT FROM pg_namespace n WHERE n.nspname = diff.from_schema) THEN
        RAISE EXCEPTION 'source schema "%" does not exist', diff.from_schema USING ERRCODE = 'invalid_schema_name';
    END IF;
    SELECT e.active_deployment_id INTO active FROM stopgap.environment e WHERE e.env = diff.env;
    SELECT c.compiler_fingerprint INTO fingerprint FROM plts.compile_ts('', stopgap.compiler_opts()) c;
    RETURN QUERY
    WITH src AS (
        SELECT s.fn_name, s.kind, s.source FROM stopgap.source_functions(diff.from_schema) s WHERE s.language = 'plts'
    ), live AS (
        SELECT v.fn_name, v.kind, v.artifact_hash, a.source_ts, a.compiler_opts, a.compiler_fingerprint
          FROM stopgap.fn_version v JOIN plts.artifact a ON a.artifact_hash = v.artifact_hash
         WHERE v.deployment_id = active
    )
    SELECT coalesce(src.fn_name, live.fn_name),
           CASE
               WHEN live.fn_name IS NULL THEN 'added'
               WHEN src.fn_name IS NULL THEN 'removed'
               WHEN src.kind = live.kind AND src.source = live.source_ts
                    AND live.compiler_opts = stopgap.compiler_opts()
                    AND live.compiler_fingerprint = fingerprint THEN 'unchanged'
               ELSE 'changed'
           END,
           live.artifact_hash
      FROM src FULL JOIN live ON live.fn_name = src.fn_name
     ORDER BY 1;
END
$$;

-- The artifact a live function's body points at (live.rs writes the pointer), or NULL for a
-- body that is not exactly such a pointer (TypeScript written over it by hand, say).
CREATE FUNCTION stopgap.pointed_artifact(body text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    doc jsonb;
BEGIN
    doc := body::jsonb;
    IF doc - 'artifact_hash' = '{"plts": 1, "kind": "artifact_ptr", "export": "default"}'::jsonb
       AND jsonb_typeof(doc -> 'artifact_hash') = 'string' THEN
        RETURN doc ->> 'artifact_hash';
    END IF;
    RETURN NULL;
EXCEPTION WHEN invalid_text_representation THEN
    RETURN NULL;
END
$$;

-- Drift: how the live schema of env differs from what its active deployment installed.
--   changed  a live function of the deployment whose body or attributes were changed by hand
--            (CREATE OR REPLACE, ALTER FUNCTION, GRANT): detail says what differs
--   dropped  a function of the deployment missing from the live schema
--   added    a function in the live schema that no deployment of env installed (or an extra
--            overload of one that did)
-- Functions an older deployment installed and a later one no longer has are not drift: they
-- stay until stopgap.prune(env) drops them. Rows are ordered by name.
CREATE FUNCTION stopgap.drift(env text)
RETURNS TABLE (fn_name name, drift text, detail text)
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    e stopgap.environment;
BEGIN
    PERFORM stopgap.require_environment(drift.env);
    SELECT * INTO e FROM stopgap.environment x WHERE x.env = drift.env;
    RETURN QUERY
    WITH expected AS (
        SELECT v.fn_name, v.kind, v.artifact_hash
          FROM stopgap.fn_version v
         WHERE v.deployment_id = e.active_deployment_id
    ), live AS (
        SELECT p.oid, p.proname, stopgap.pointed_artifact(p.prosrc) AS pointed, p.provolatile, p.prosecdef,
               p.proconfig, l.lanname,
               p.prokind = 'f' AND p.pronargs = 1 AND p.proargtypes[0] = 'jsonb'::regtype
                 AND p.prorettype = 'jsonb'::regtype AND NOT p.proretset AS stub_shape
          FROM pg_proc p
          JOIN pg_language l ON l.oid = p.prolang
         WHERE p.pronamespace = (SELECT n.oid FROM pg_namespace n WHERE n.nspname = e.live_schema)
    ), installed AS (
        SELECT DISTINCT v.fn_name
          FROM stopgap.fn_version v
          JOIN stopgap.deployment d ON d.id = v.deployment_id
         WHERE d.env = drift.env AND d.status <> 'failed'
    ), differences AS (
        SELECT x.fn_name,
               concat_ws('; ',
                   CASE WHEN l.lanname <> 'plts' THEN format('language is %s, not plts', l.lanname) END,
                   CASE WHEN l.pointed IS NULL
                        THEN format('its body is not the pointer to artifact %s', x.artifact_hash)
                        WHEN l.pointed <> x.artifact_hash
                        THEN format('it points at artifact %s, not %s', l.pointed, x.artifact_hash)
                   END,
                   CASE WHEN l.provolatile <> CASE WHEN x.kind = 'query' THEN 's' ELSE 'v' END
                        THEN format('volatility is %s, not %s',
                                    CASE l.provolatile WHEN 'i' THEN 'IMMUTABLE' WHEN 's' THEN 'STABLE' ELSE 'VOLATILE' END,
                                    CASE WHEN x.kind = 'query' THEN 'STABLE' ELSE 'VOLATILE' END)
                   END,
                   CASE WHEN l.prosecdef THEN 'it is SECURITY DEFINER' END,
                   CASE WHEN l.proconfig IS NOT NULL THEN format('it sets %s', array_to_string(l.proconfig, ', ')) END,
                   CASE WHEN has_function_privilege('public', l.oid, 'EXECUTE') THEN 'PUBLIC may execute it' END
               ) AS detail
          FROM expected x
          JOIN live l ON l.proname = x.fn_name AND l.stub_shape
    )
    SELECT d.fn_name, 'changed'::text, d.detail FROM differences d WHERE d.detail <> ''
    UNION ALL
    SELECT x.fn_name, 'dropped',
           format('deployment %s installed %I.%I(jsonb); the live schema has no such function',
                  e.active_deployment_id, e.live_schema, x.fn_name)
      FROM expected x
     WHERE NOT EXISTS (SELECT FROM live l WHERE l.proname = x.fn_name AND l.stub_shape)
    UNION ALL
    SELECT l.proname, 'added',
           CASE WHEN l.stub_shape
                THEN format('%s is in the live schema, but no deployment of environment "%s" installed it',
                            l.oid::regprocedure, drift.env)
                ELSE format('%s is in the live schema, and deployments install only (args jsonb) RETURNS jsonb',
                            l.oid::regprocedure)
           END
      FROM live l
     WHERE NOT l.stub_shape OR l.proname NOT IN (SELECT i.fn_name FROM installed i)
     ORDER BY 1, 2;
END
$$;

-- Per-function call statistics of every live function, from PostgreSQL's own counters
-- (pg_stat_user_functions: kept only while track_functions is 'pl' or 'all'). The counters
-- belong to the function, so they add up across the deployments it served;
-- deployment_id is the one serving now.
CREATE VIEW stopgap.function_stats AS
SELECT e.env,
       v.fn_name,
       e.active_deployment_id AS deployment_id,
       v.kind,
       coalesce(s.calls, 0) AS calls,
       coalesce(s.total_time, 0) AS total_ms,
       coalesce(s.self_time, 0) AS self_ms,
       CASE WHEN s.calls > 0 THEN s.total_time / s.calls END AS mean_ms,
       current_setting('track_functions') AS track_functions
  FROM stopgap.environment e
  JOIN stopgap.fn_version v ON v.deployment_id = e.active_deployment_id
  LEFT JOIN pg_catalog.pg_proc p
         ON p.proname = v.fn_name
        AND p.pronamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = e.live_schema)
        AND p.proargtypes = '3802'::oidvector
  LEFT JOIN pg_catalog.pg_stat_user_functions s ON s.funcid = p.oid;
COMMENT ON VIEW stopgap.function_stats IS 'Calls and time of each live function (pg_stat_user_functions)';
ALTER VIEW stopgap.function_stats OWNER TO stopgap_owner;
