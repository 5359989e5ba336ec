//! The live schema of an environment: created on demand and owned by `stopgap_owner`; its
//! functions are pointer stubs to immutable artifacts, so switching a deployment is a
//! catalog update per function, not a recompile.

use pgrx::prelude::*;
use pgrx::PgSqlErrorCode;

use crate::environment::Environment;
use crate::error::raise;
use crate::security::{quote_identifier, OWNER_ROLE};

/// One function of a deployment, as `stopgap.fn_version` stores it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FnVersion {
    pub name: String,
    pub kind: String,
    pub artifact_hash: String,
}

/// The functions of deployment `id`, by name.
pub fn functions_of(id: i64) -> Vec<FnVersion> {
    pg_read::query(
        "SELECT fn_name::text, kind, artifact_hash FROM stopgap.fn_version WHERE deployment_id = $1 ORDER BY fn_name",
        &[id.into()],
        |rows| {
            Ok(rows.into_iter()
                .map(|row| FnVersion {
                    name: row.get::<String>(1).ok().flatten().unwrap_or_default(),
                    kind: row.get::<String>(2).ok().flatten().unwrap_or_default(),
                    artifact_hash: row.get::<String>(3).ok().flatten().unwrap_or_default(),
                })
                .collect())
        },
    )
    .unwrap_or_default()
}

/// Whether a live function of `env`'s active deployment was changed or dropped by hand
/// (`stopgap.drift`; functions added by hand are not the deployment's to repair).
pub fn drifted(env: &str) -> bool {
    pg_read::one::<bool>(
        "SELECT EXISTS (SELECT FROM stopgap.drift($1) WHERE drift <> 'added')",
        &[env.into()],
    )
    .ok()
    .flatten()
    .unwrap_or(false)
}

/// The body of a live function: a pointer that plts resolves to the stored artifact.
pub fn pointer_body(artifact_hash: &str) -> String {
    serde_json::json!({"plts": 1, "kind": "artifact_ptr", "artifact_hash": artifact_hash, "export": "default"})
        .to_string()
}

/// Creates the live schema (as the current user, `stopgap_owner`) unless it exists; an
/// existing schema owned by anyone else is refused rather than taken over.
pub fn ensure_schema(env: &Environment) {
    let owner = pg_read::one::<String>(
        "SELECT pg_catalog.pg_get_userbyid(nspowner)::text FROM pg_catalog.pg_namespace WHERE nspname = $1::name",
        &[env.live_schema.as_str().into()],
    )
    .ok()
    .flatten();
    match owner {
        None => run(&format!("CREATE SCHEMA {}", quote_identifier(&env.live_schema))),
        Some(owner) if owner == OWNER_ROLE => {}
        Some(owner) => raise(
            PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE,
            format!(
                "live schema \"{}\" of environment \"{}\" exists and is owned by \"{owner}\", not {OWNER_ROLE}",
                env.live_schema, env.env
            ),
            Some("stopgap only creates functions in live schemas it owns, so that nobody else can change them.".into()),
            Some(format!(
                "Drop or rename that schema, or before the first deploy choose another one with stopgap.configure_environment('{}', live_schema => '...').",
                env.env
            )),
        ),
    }
}

/// Points the live functions named in `functions` at their artifacts: one CREATE OR REPLACE
/// per function (the stub keeps the source function's volatility), EXECUTE for the
/// environment's execute role only. Sent as one multi-statement SPI call.
pub fn install(env: &Environment, functions: &[FnVersion]) {
    let schema = quote_identifier(&env.live_schema);
    let role = quote_identifier(&env.execute_role);
    let mut script = format!("GRANT USAGE ON SCHEMA {schema} TO {role};\n");
    for f in functions {
        let name = format!("{schema}.{}(jsonb)", quote_identifier(&f.name));
        let volatility = if f.kind == "query" { "STABLE" } else { "VOLATILE" };
        script.push_str(&format!(
            "CREATE OR REPLACE FUNCTION {schema}.{}(args jsonb) RETURNS jsonb LANGUAGE plts {volatility} AS {};\n\
             REVOKE ALL ON FUNCTION {name} FROM PUBLIC;\n\
             GRANT EXECUTE ON FUNCTION {name} TO {role};\n",
            quote_identifier(&f.name),
            pgrx::spi::quote_literal(pointer_body(&f.artifact_hash)),
        ));
    }
    run(&script);
}

/// Moves USAGE on the live schema and EXECUTE on its functions from the environment's
/// current execute role to `new_role` (nothing to do before the schema exists).
pub fn move_grants(env: &Environment, new_role: &str) {
    let exists = pg_read::one::<bool>(
        "SELECT EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = $1::name)",
        &[env.live_schema.as_str().into()],
    )
    .ok()
    .flatten()
    .unwrap_or(false);
    if !exists {
        return;
    }
    let schema = quote_identifier(&env.live_schema);
    let (old, new) = (quote_identifier(&env.execute_role), quote_identifier(new_role));
    run(&format!(
        "REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {schema} FROM {old};\n\
         REVOKE USAGE ON SCHEMA {schema} FROM {old};\n\
         GRANT USAGE ON SCHEMA {schema} TO {new};\n\
         GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {schema} TO {new};"
    ));
}

/// Runs generated DDL whose identifiers and literals were quoted by PostgreSQL's own
/// quote_identifier/quote_literal.
fn run(sql: &str) {
    Spi::run(sql).unwrap_or_else(|e| raise(PgSqlErrorCode::ERRCODE_INTERNAL_ERROR, format!("{e}"), None, None));
}
