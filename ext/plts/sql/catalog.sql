-- Content-addressed compiled code. Rows are immutable: the hash covers the compiler
-- fingerprint, the options, the source and the output, so the same input always maps
-- to the same row and a row can never change meaning.
CREATE TABLE plts.artifact (
    artifact_hash        text PRIMARY KEY CHECK (artifact_hash ~ '^sha256:[0-9a-f]{64}$'),
    source_ts            text NOT NULL,
    compiled_js          text NOT NULL,
    compiler_opts        jsonb NOT NULL DEFAULT '{}',
    compiler_fingerprint text NOT NULL,
    source_map           text,
    diagnostics          jsonb NOT NULL DEFAULT '[]',
    created_at           timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE plts.artifact IS 'Compiled plts modules, addressed by sha256 over fingerprint, options, source and output';

-- Artifacts are readable by everyone (function bodies are visible in pg_proc too); only
-- the SECURITY DEFINER functions of this extension write them.
GRANT USAGE ON SCHEMA plts TO PUBLIC;
GRANT SELECT ON plts.artifact TO PUBLIC;

-- The stored artifact with this hash, or no row.
CREATE FUNCTION plts.get_artifact(artifact_hash text) RETURNS SETOF plts.artifact
    LANGUAGE sql STABLE STRICT
    AS $$ SELECT * FROM plts.artifact a WHERE a.artifact_hash = get_artifact.artifact_hash $$;
