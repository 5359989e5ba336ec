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
       e.updated_at
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
               source_schema name, function_count bigint, failed_function text, failure_message text)
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM stopgap.require_environment(env);
    RETURN QUERY
    SELECT d.id, d.label, d.status, d.created_at, d.created_by, d.source_schema,
           (SELECT count(*) FROM stopgap.fn_version v WHERE v.deployment_id = d.id),
           d.failure ->> 'function',
           d.failure ->> 'message'
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
