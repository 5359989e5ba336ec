-- LANGUAGE plts. Trusted like plv8: the engine has no filesystem, network, process or
-- timer APIs, so any role with USAGE may create functions in it.
CREATE FUNCTION plts.plts_call_handler() RETURNS language_handler
    LANGUAGE c AS 'MODULE_PATHNAME', 'plts_call_handler';
CREATE FUNCTION plts.plts_inline_handler(internal) RETURNS void
    LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'plts_inline_handler';
CREATE FUNCTION plts.plts_validator(oid) RETURNS void
    LANGUAGE c STRICT AS 'MODULE_PATHNAME', 'plts_validator';

CREATE TRUSTED LANGUAGE plts
    HANDLER plts.plts_call_handler
    INLINE plts.plts_inline_handler
    VALIDATOR plts.plts_validator;
COMMENT ON LANGUAGE plts IS 'TypeScript, transpiled by deno_ast and run by QuickJS';
