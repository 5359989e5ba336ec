-- Who may call what. Runs after every function exists (finalize).
--
-- PUBLIC keeps USAGE on the schema, version() and call_fn() (the call itself needs EXECUTE on
-- the live function, i.e. the environment's execute role). Everything that changes an
-- environment is for stopgap_deployer; the functions also check membership themselves
-- (security.rs), so a stray GRANT EXECUTE to another role does not open them.
GRANT USAGE ON SCHEMA stopgap TO PUBLIC;

REVOKE EXECUTE ON FUNCTION stopgap.deploy(text, text, text, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION stopgap.rollback(text, integer, bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION stopgap.prune(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION stopgap.configure_environment(text, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION stopgap.promote(text, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION stopgap.protect_environment(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION stopgap.deploy(text, text, text, boolean) TO stopgap_deployer;
GRANT EXECUTE ON FUNCTION stopgap.rollback(text, integer, bigint) TO stopgap_deployer;
GRANT EXECUTE ON FUNCTION stopgap.prune(text) TO stopgap_deployer;
GRANT EXECUTE ON FUNCTION stopgap.configure_environment(text, text, text) TO stopgap_deployer;
GRANT EXECUTE ON FUNCTION stopgap.promote(text, text, text) TO stopgap_deployer;
GRANT EXECUTE ON FUNCTION stopgap.protect_environment(text, boolean) TO stopgap_deployer;

REVOKE EXECUTE ON FUNCTION stopgap.status(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION stopgap.deployments(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION stopgap.diff(text, name) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION stopgap.source_functions(name) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION stopgap.require_environment(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION stopgap.drift(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION stopgap.drift(text) TO stopgap_reader;
REVOKE EXECUTE ON FUNCTION stopgap.pointed_artifact(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION stopgap.pointed_artifact(text) TO stopgap_reader;
GRANT EXECUTE ON FUNCTION stopgap.status(text) TO stopgap_reader;
GRANT EXECUTE ON FUNCTION stopgap.deployments(text) TO stopgap_reader;
GRANT EXECUTE ON FUNCTION stopgap.diff(text, name) TO stopgap_reader;
GRANT EXECUTE ON FUNCTION stopgap.source_functions(name) TO stopgap_reader;
GRANT EXECUTE ON FUNCTION stopgap.require_environment(text) TO stopgap_reader;

GRANT SELECT ON stopgap.environment, stopgap.deployment, stopgap.fn_version, stopgap.activation_log,
                stopgap.environment_overview, stopgap.activation_audit, stopgap.function_stats
   TO stopgap_reader;

-- Artifacts are written by deploy as stopgap_owner; deployers need the right too (security.rs
-- checks it before a deploy starts). plts revokes both writers from PUBLIC.
GRANT EXECUTE ON FUNCTION plts.compile_and_store(text, jsonb) TO stopgap_owner, stopgap_deployer;
GRANT EXECUTE ON FUNCTION plts.upsert_artifact(text, text, jsonb) TO stopgap_owner, stopgap_deployer;

-- deploy and diff classify source functions as stopgap_owner / the reader; deploy reads drift.
GRANT EXECUTE ON FUNCTION stopgap.source_functions(name) TO stopgap_owner;
GRANT EXECUTE ON FUNCTION stopgap.drift(text) TO stopgap_owner;
GRANT EXECUTE ON FUNCTION stopgap.pointed_artifact(text) TO stopgap_owner;
GRANT EXECUTE ON FUNCTION stopgap.require_environment(text) TO stopgap_owner;
