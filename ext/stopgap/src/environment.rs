//! Environments: names, the per-environment advisory lock, the environment row (created on
//! first use). `stopgap.configure_environment()` (configure.rs) creates or changes the row
//! before or between deployments.

use pgrx::prelude::*;
use pgrx::PgSqlErrorCode;

use crate::error::raise;
use crate::gucs;

/// First key of the advisory lock every deploy, rollback and prune of an environment takes
/// (the second is `hashtext(env)`): ASCII "STGP". It shows in `pg_locks` as `classid`.
pub const LOCK_CLASS: i32 = 0x5354_4750;

pub struct Environment {
    pub env: String,
    pub live_schema: String,
    pub execute_role: String,
    pub active_deployment_id: Option<i64>,
}

/// Environment names become part of schema names: a lowercase letter, then up to 47
/// lowercase letters, digits or `_`.
pub fn validate_name(env: &str) {
    let mut chars = env.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !first_ok || !rest_ok || env.len() > 48 {
        raise(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            format!("invalid environment name \"{env}\""),
            None,
            Some(
                "Use a lowercase letter followed by up to 47 lowercase letters, digits or underscores, e.g. prod."
                    .into(),
            ),
        );
    }
}

/// Serializes deploy, rollback, prune and configure_environment per environment until the
/// end of the transaction. A second session waits here; under READ COMMITTED it then sees
/// what the first committed.
pub fn lock(env: &str) {
    Spi::run_with_args(
        "SELECT pg_catalog.pg_advisory_xact_lock($1, pg_catalog.hashtext($2))",
        &[LOCK_CLASS.into(), env.into()],
    )
    .unwrap_or_else(|e| {
        raise(PgSqlErrorCode::ERRCODE_INTERNAL_ERROR, format!("cannot lock environment \"{env}\": {e}"), None, None)
    });
}

pub fn find(env: &str) -> Option<Environment> {
    pg_read::query(
        "SELECT env, live_schema::text, execute_role::text, active_deployment_id FROM stopgap.environment WHERE env = $1",
        &[env.into()],
        |rows| {
            Ok(rows.into_iter().next().map(|row| Environment {
                env: row.get::<String>(1).ok().flatten().unwrap_or_default(),
                live_schema: row.get::<String>(2).ok().flatten().unwrap_or_default(),
                execute_role: row.get::<String>(3).ok().flatten().unwrap_or_default(),
                active_deployment_id: row.get::<i64>(4).ok().flatten(),
            }))
        },
    )
    .ok()
    .flatten()
}

pub fn find_or_raise(env: &str) -> Environment {
    find(env).unwrap_or_else(|| {
        raise(
            PgSqlErrorCode::ERRCODE_UNDEFINED_OBJECT,
            format!("environment \"{env}\" does not exist"),
            None,
            Some(
                "An environment is created by its first stopgap.deploy(); stopgap.environment_overview lists them."
                    .into(),
            ),
        )
    })
}

/// `<stopgap.live_schema_prefix><env>`, e.g. `live_prod`.
pub fn default_live_schema(env: &str) -> String {
    format!("{}{env}", gucs::live_schema_prefix())
}

/// The environment row, created with the default live schema when missing.
pub fn find_or_create(env: &str) -> Environment {
    if let Some(found) = find(env) {
        return found;
    }
    insert(env, &default_live_schema(env));
    find_or_raise(env)
}

/// Inserts the row of `env` with `live_schema`, refusing a live schema that another
/// environment already uses.
pub fn insert(env: &str, live_schema: &str) {
    let taken = pg_read::one::<String>(
        "SELECT env FROM stopgap.environment WHERE live_schema = $1::name",
        &[live_schema.into()],
    )
    .ok()
    .flatten();
    if let Some(other) = taken {
        raise(
            PgSqlErrorCode::ERRCODE_DUPLICATE_SCHEMA,
            format!("live schema \"{live_schema}\" is already used by environment \"{other}\""),
            None,
            Some(format!("Choose another one: SELECT stopgap.configure_environment('{env}', live_schema => '...');")),
        );
    }
    Spi::run_with_args(
        "INSERT INTO stopgap.environment (env, live_schema) VALUES ($1, $2::name)",
        &[env.into(), live_schema.into()],
    )
    .unwrap_or_else(|e| {
        raise(PgSqlErrorCode::ERRCODE_INTERNAL_ERROR, format!("cannot create environment \"{env}\": {e}"), None, None)
    });
}
