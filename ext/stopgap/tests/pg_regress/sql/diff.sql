-- diff: added / removed / changed / unchanged functions between a source schema and the active
-- deployment, by artifact (same source, options, compiler and kind = same artifact and stub).
\set SHOW_CONTEXT never
CREATE SCHEMA diff_src;
CREATE FUNCTION diff_src.same(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 1 $$;
CREATE FUNCTION diff_src.edited(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 1 $$;
CREATE FUNCTION diff_src.now_stable(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 1 $$;
CREATE FUNCTION diff_src.dropped(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 1 $$;
-- before the first deploy every function is added
SELECT stopgap.configure_environment('diff_env');
SELECT * FROM stopgap.diff('diff_env', 'diff_src');
SELECT stopgap.deploy('diff_env', 'diff_src', 'v1') AS v1 \gset
-- right after a deploy nothing differs, and the hashes are those of the deployment
SELECT d.fn_name, d.change, d.active_artifact_hash = v.artifact_hash AS hash_of_v1
  FROM stopgap.diff('diff_env', 'diff_src') d JOIN stopgap.fn_version v ON v.fn_name = d.fn_name AND v.deployment_id = :v1;
-- one of each change
CREATE OR REPLACE FUNCTION diff_src.edited(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 2 $$;
ALTER FUNCTION diff_src.now_stable(jsonb) STABLE;
DROP FUNCTION diff_src.dropped(jsonb);
CREATE FUNCTION diff_src.added(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 1 $$;
SELECT fn_name, change, active_artifact_hash IS NOT NULL AS has_active_hash FROM stopgap.diff('diff_env', 'diff_src');
-- diff deployed nothing
SELECT count(*) AS deployments FROM stopgap.deployment WHERE env = 'diff_env';
-- what diff called changed is what deploy changes
SELECT stopgap.deploy('diff_env', 'diff_src', 'v2') AS v2 \gset
SELECT fn_name, change FROM stopgap.diff('diff_env', 'diff_src');
-- errors: unknown environment, unknown schema
SELECT * FROM stopgap.diff('diff_nowhere', 'diff_src');
SELECT * FROM stopgap.diff('diff_env', 'diff_no_schema');
