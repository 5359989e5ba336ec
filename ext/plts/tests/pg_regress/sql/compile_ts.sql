-- plts.compile_ts: JS output, diagnostics relative to the source, a fingerprint of the real compiler.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
SELECT compiled_js, diagnostics, compiler_fingerprint ~ '^plts@[0-9.]+\+deno_ast@[0-9.]+\+rquickjs@[0-9.]+;source_map=false$' AS fingerprint_ok
FROM plts.compile_ts('export default (x: number): number => x * 2;');
-- a syntax error: no output, 1-based line/column inside the given source
SELECT compiled_js IS NULL AS no_output, jsonb_array_length(diagnostics) > 0 AS has_diagnostics,
       diagnostics -> 0 ->> 'severity' AS severity, diagnostics -> 0 -> 'line' AS line, diagnostics -> 0 -> 'column' AS col
FROM plts.compile_ts(E'export default () => {\n  const x: number = ;\n};');
-- options change the fingerprint and add a source map
SELECT (SELECT compiler_fingerprint FROM plts.compile_ts('export default 1', '{"source_map": true}'))
    <> (SELECT compiler_fingerprint FROM plts.compile_ts('export default 1', '{}')) AS fingerprints_differ;
-- unknown options are rejected, not ignored
SELECT * FROM plts.compile_ts('export default 1', '{"sourcemap": true}');
SELECT * FROM plts.compile_ts('export default 1', '{"source_map": "yes"}');
