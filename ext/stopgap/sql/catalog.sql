-- Catalogs of stopgap. Owned by stopgap_owner; only the functions of this extension
-- write them. The constraints make invalid states unrepresentable:
--   * a status outside the state machine, a failed row without its reason, a sealed or
--     later row without its manifest (CHECKs on deployment);
--   * two active deployments in one environment (partial unique index);
--   * an environment pointing at a deployment of another environment, or at one that is
--     not 'active' (deferred composite foreign key, checked at commit);
--   * a function version pointing at an artifact that does not exist (foreign key into
--     plts.artifact, whose rows are immutable).
-- Which status may follow which is decided in one place, state.rs.

-- An environment (prod, staging, ...) and the schema its callers use. The row is created
-- by the first deploy; stopgap.configure_environment() can create it earlier to choose the
-- live schema or the execute role.
CREATE TABLE stopgap.environment (
    env                  text PRIMARY KEY
                         CHECK (env ~ '^[a-z][a-z0-9_]{0,47}$'),
    -- Default: current_setting('stopgap.live_schema_prefix') || env, e.g. live_prod.
    live_schema          name NOT NULL UNIQUE,
    -- Receives USAGE on the live schema and EXECUTE on its functions.
    execute_role         name NOT NULL DEFAULT 'stopgap_app',
    active_deployment_id bigint,
    -- A protected environment (production) takes only labelled deploys from the CLI, and no
    -- watch-mode deploys (stopgap.protect_environment).
    protected            boolean NOT NULL DEFAULT false,
    updated_at           timestamptz NOT NULL DEFAULT now(),
    -- 'active' whenever a deployment is active: the foreign key below then requires the
    -- pointed-at deployment to have exactly that status.
    active_marker        text GENERATED ALWAYS AS
                         (CASE WHEN active_deployment_id IS NOT NULL THEN 'active' END) STORED
);
COMMENT ON TABLE stopgap.environment IS 'Deployment environments, their live schema and active deployment';

-- One deploy attempt. Status machine (state.rs):
--   open -> sealed -> active -> superseded | rolled_back;  superseded | rolled_back -> active (rollback)
--   open | sealed -> failed
-- A failed deploy is rolled back with the caller's transaction; its 'failed' row is written
-- by a background worker in a transaction of its own (failure.rs), so it survives.
CREATE TABLE stopgap.deployment (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    env           text NOT NULL REFERENCES stopgap.environment (env),
    label         text NOT NULL CHECK (label <> '' AND length(label) <= 200),
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    name NOT NULL,
    source_schema name NOT NULL,
    status        text NOT NULL DEFAULT 'open'
                  CHECK (status IN ('open', 'sealed', 'active', 'superseded', 'rolled_back', 'failed')),
    -- {format, env, label, source_schema, compiler_fingerprint, functions: [{name, kind, artifact_hash}]}
    manifest      jsonb,
    -- {sqlstate, message, detail, hint, function}
    failure       jsonb,
    -- A promotion (stopgap.promote) records the deployment whose artifacts it took.
    promoted_from_env           text,
    promoted_from_deployment_id bigint,
    CONSTRAINT deployment_promotion_whole CHECK ((promoted_from_env IS NULL) = (promoted_from_deployment_id IS NULL)),
    CONSTRAINT deployment_failed_has_reason CHECK ((status = 'failed') = (failure IS NOT NULL)),
    CONSTRAINT deployment_sealed_has_manifest CHECK (status IN ('open', 'failed') OR manifest IS NOT NULL),
    UNIQUE (id, env),
    UNIQUE (id, env, status),
    FOREIGN KEY (promoted_from_deployment_id, promoted_from_env) REFERENCES stopgap.deployment (id, env)
);
COMMENT ON TABLE stopgap.deployment IS 'Deploy attempts: snapshots of a source schema, with status and manifest';

CREATE UNIQUE INDEX deployment_one_active_per_env ON stopgap.deployment (env) WHERE status = 'active';
-- A label names one deployment of an environment; a failed attempt does not use it up.
CREATE UNIQUE INDEX deployment_label_per_env ON stopgap.deployment (env, label) WHERE status <> 'failed';

ALTER TABLE stopgap.environment
    ADD CONSTRAINT environment_active_deployment_fkey
    FOREIGN KEY (active_deployment_id, env, active_marker) REFERENCES stopgap.deployment (id, env, status)
    DEFERRABLE INITIALLY DEFERRED;

-- The functions of a deployment. kind: 'query' for STABLE/IMMUTABLE source functions,
-- 'mutation' for VOLATILE ones (the live stub gets the same volatility).
CREATE TABLE stopgap.fn_version (
    deployment_id  bigint NOT NULL REFERENCES stopgap.deployment (id),
    fn_schema      name NOT NULL,
    fn_name        name NOT NULL,
    live_fn_schema name NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('query', 'mutation')),
    artifact_hash  text NOT NULL REFERENCES plts.artifact (artifact_hash),
    PRIMARY KEY (deployment_id, fn_name)
);
COMMENT ON TABLE stopgap.fn_version IS 'Each function of a deployment and the immutable artifact it runs';

-- Every change of an environment's active deployment.
CREATE TABLE stopgap.activation_log (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    env                text NOT NULL REFERENCES stopgap.environment (env),
    action             text NOT NULL CHECK (action IN ('deploy', 'rollback', 'promote')),
    from_deployment_id bigint,
    to_deployment_id   bigint NOT NULL,
    activated_at       timestamptz NOT NULL DEFAULT now(),
    activated_by       name NOT NULL,
    FOREIGN KEY (from_deployment_id, env) REFERENCES stopgap.deployment (id, env),
    FOREIGN KEY (to_deployment_id, env) REFERENCES stopgap.deployment (id, env),
    CHECK (from_deployment_id IS DISTINCT FROM to_deployment_id)
);
COMMENT ON TABLE stopgap.activation_log IS 'Every activation (deploy or rollback) of every environment';

ALTER TABLE stopgap.environment OWNER TO stopgap_owner;
ALTER TABLE stopgap.deployment OWNER TO stopgap_owner;
ALTER TABLE stopgap.fn_version OWNER TO stopgap_owner;
ALTER TABLE stopgap.activation_log OWNER TO stopgap_owner;

-- The functions of a source schema as deploy sees them. One home for "what is deployable",
-- used by deploy (deploy.rs) and diff. problem is NULL for a deployable function.
--   language <> 'plts'        skipped by deploy (NOTICE), e.g. PL/pgSQL helpers
--   overloaded                deploy refuses (42725): a live name must mean one function
--   other plts shapes         deploy refuses (42P13): only (args jsonb) RETURNS jsonb deploys
CREATE FUNCTION stopgap.source_functions(from_schema name)
RETURNS TABLE (fn_oid oid, fn_name name, language name, overloaded boolean, kind text, problem text, source text)
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.oid,
           p.proname,
           l.lanname,
           count(*) OVER (PARTITION BY p.proname) > 1,
           CASE WHEN p.provolatile = 'v' THEN 'mutation' ELSE 'query' END,
           CASE
               WHEN l.lanname <> 'plts' THEN NULL
               WHEN p.prokind <> 'f' THEN 'is not a function'
               WHEN p.pronargs <> 1 OR p.proargtypes[0] <> 'jsonb'::regtype OR p.prorettype <> 'jsonb'::regtype
                    OR p.proretset OR p.proallargtypes IS NOT NULL
                    OR coalesce(p.proargnames[1], '') <> 'args'
                   THEN format('is declared (%s) RETURNS %s%s, not (args jsonb) RETURNS jsonb',
                               pg_get_function_arguments(p.oid),
                               CASE WHEN p.proretset THEN 'SETOF ' ELSE '' END,
                               format_type(p.prorettype, NULL))
               WHEN p.prosecdef THEN 'is SECURITY DEFINER; live functions run with the caller''s rights'
           END,
           p.prosrc
      FROM pg_proc p
      JOIN pg_language l ON l.oid = p.prolang
     WHERE p.pronamespace = (SELECT n.oid FROM pg_namespace n WHERE n.nspname = from_schema)
     ORDER BY p.proname, p.oid
$$;

-- The compiler options of every deployed artifact: source maps on, so that stack traces of
-- live functions point at TypeScript lines. One home for deploy (deploy.rs) and diff.
CREATE FUNCTION stopgap.compiler_opts() RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT '{"source_map": true}'::jsonb $$;
