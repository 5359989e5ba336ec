-- deploy: the first deploy creates the environment and its live schema; a second deploy
-- supersedes the first; live functions are pointer stubs owned by stopgap_owner.
\set SHOW_CONTEXT never
CREATE SCHEMA deploy_src;
CREATE FUNCTION deploy_src.greet(args jsonb) RETURNS jsonb LANGUAGE plts STABLE AS $$
export default (ctx: { args: { name: string } }) => ({ greeting: `hello ${ctx.args.name}` });
$$;
CREATE FUNCTION deploy_src.add_item(args jsonb) RETURNS jsonb LANGUAGE plts AS $$
export default (ctx: { args: { n: number } }) => ({ added: ctx.args.n });
$$;
-- a helper in another language is skipped, with a NOTICE
CREATE FUNCTION deploy_src.helper() RETURNS int LANGUAGE sql AS 'SELECT 1';

SELECT stopgap.deploy('deploy_env', 'deploy_src', 'v1') AS v1 \gset
-- the environment row, with the default live schema live_<env>
SELECT env, live_schema, execute_role, active_deployment_id = :v1 AS points_at_v1 FROM stopgap.environment WHERE env = 'deploy_env';
SELECT pg_get_userbyid(nspowner) AS live_schema_owner FROM pg_namespace WHERE nspname = 'live_deploy_env';
-- the deployment and its functions
SELECT label, status, created_by = current_user AS created_by_me, source_schema FROM stopgap.deployment WHERE id = :v1;
SELECT fn_schema, fn_name, live_fn_schema, kind, artifact_hash ~ '^sha256:[0-9a-f]{64}$' AS hash_ok
  FROM stopgap.fn_version WHERE deployment_id = :v1 ORDER BY fn_name;
SELECT manifest - 'functions' - 'compiler_fingerprint' AS manifest,
       jsonb_array_length(manifest -> 'functions') AS functions,
       manifest ->> 'compiler_fingerprint' LIKE 'plts@%;source_map=true' AS fingerprint_ok
  FROM stopgap.deployment WHERE id = :v1;
-- live functions: stubs owned by stopgap_owner, volatility of the source, EXECUTE for stopgap_app only
SELECT p.proname, pg_get_userbyid(p.proowner) AS owner, p.provolatile, p.prosecdef, p.proacl::text[] AS acl,
       p.prosrc::jsonb - 'artifact_hash' AS pointer
  FROM pg_proc p WHERE p.pronamespace = 'live_deploy_env'::regnamespace ORDER BY 1;
SELECT live_deploy_env.greet('{"name": "world"}');
-- a stack trace of a live function points at the TypeScript source (source maps are on)
SELECT (plts.get_artifact(artifact_hash)).source_map IS NOT NULL AS has_source_map
  FROM stopgap.fn_version WHERE deployment_id = :v1 AND fn_name = 'greet';

-- v2 changes one function: a new deployment, the old one superseded
CREATE OR REPLACE FUNCTION deploy_src.greet(args jsonb) RETURNS jsonb LANGUAGE plts STABLE AS $$
export default (ctx: { args: { name: string } }) => ({ greeting: `hi ${ctx.args.name}` });
$$;
SELECT stopgap.deploy('deploy_env', 'deploy_src', 'v2') AS v2 \gset
SELECT :v2 > :v1 AS newer;
SELECT id = :v1 AS is_v1, label, status FROM stopgap.deployment WHERE env = 'deploy_env' ORDER BY id;
SELECT live_deploy_env.greet('{"name": "world"}');
-- unchanged functions keep their artifact, the changed one gets a new one
SELECT a.fn_name, a.artifact_hash = b.artifact_hash AS same_artifact
  FROM stopgap.fn_version a JOIN stopgap.fn_version b USING (fn_name)
 WHERE a.deployment_id = :v1 AND b.deployment_id = :v2 ORDER BY 1;
SELECT active_deployment_id = :v2 AS points_at_v2 FROM stopgap.environment WHERE env = 'deploy_env';

-- deploying the same functions again changes nothing: a NOTICE, the active id, no new row
SELECT stopgap.deploy('deploy_env', 'deploy_src', 'v2-again') = :v2 AS returned_active;
SELECT count(*) AS deployments FROM stopgap.deployment WHERE env = 'deploy_env';
