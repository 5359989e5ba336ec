-- Content-addressed artifacts: same input → same hash and one row; pointer bodies run stored code.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
SELECT plts.compile_and_store('export default (ctx: any) => ({ doubled: ctx.args.n * 2 })') AS h1 \gset
SELECT plts.compile_and_store('export default (ctx: any) => ({ doubled: ctx.args.n * 2 })') = :'h1' AS same_hash;
SELECT count(*) FROM plts.artifact WHERE artifact_hash = :'h1';
SELECT :'h1' ~ '^sha256:[0-9a-f]{64}$' AS hash_format;
SELECT source_ts, compiler_opts, source_map IS NULL AS no_map, diagnostics FROM plts.get_artifact(:'h1');
-- a source map is stored on request
SELECT plts.compile_and_store('export default 2', '{"source_map": true}') AS with_map \gset
SELECT source_map::jsonb ->> 'version' AS map_version FROM plts.get_artifact(:'with_map');
-- upsert_artifact stores JS built elsewhere (e.g. a bundle), idempotently
SELECT plts.upsert_artifact('// bundled', 'export default () => 42') = plts.upsert_artifact('// bundled', 'export default () => 42') AS upsert_idempotent;
-- an unknown hash is no row
SELECT count(*) FROM plts.get_artifact('sha256:0000000000000000000000000000000000000000000000000000000000000000');
-- a function whose body is an artifact pointer runs the stored code
SELECT format('CREATE FUNCTION doubled(args jsonb) RETURNS jsonb LANGUAGE plts AS %L',
              json_build_object('plts', 1, 'kind', 'artifact_ptr', 'artifact_hash', :'h1', 'export', 'default')) \gexec
SELECT doubled('{"n": 21}');
-- a pointer to a missing artifact is rejected at CREATE
CREATE FUNCTION missing(args jsonb) RETURNS jsonb LANGUAGE plts
AS '{"plts":1,"kind":"artifact_ptr","artifact_hash":"sha256:1111111111111111111111111111111111111111111111111111111111111111","export":"default"}';
-- a TypeScript error in compile_and_store is an ERROR with line, column and caret
SELECT plts.compile_and_store(E'export default () => {\n  return 1 +;\n};');
