//! `stopgap.configure_environment(env, live_schema, execute_role)`: create or change an
//! environment before or between deployments; `stopgap.protect_environment(env, protected)`:
//! mark it protected.

use pgrx::prelude::*;
use pgrx::PgSqlErrorCode;

use crate::environment;
use crate::error::raise;
use crate::live;
use crate::security::{quote_identifier, AsOwner, Caller};

/// Creates or changes an environment before or between deployments.
///
/// - `live_schema`: where the environment's functions live. Can only be chosen while the
///   environment has never had an active deployment (moving a live schema would break every
///   caller); the schema must not be another environment's.
/// - `execute_role`: the role that gets USAGE on the live schema and EXECUTE on its
///   functions (default `stopgap_app`). Changing it moves the grants at once.
#[pg_extern(volatile, parallel_unsafe)]
#[search_path(pg_catalog, pg_temp)]
fn configure_environment(
    env: &str,
    live_schema: default!(Option<&str>, "NULL"),
    execute_role: default!(Option<&str>, "NULL"),
) {
    crate::error::refuse_on_standby("configure an environment");
    let caller = Caller::current();
    caller.require_deployer("configure an environment");
    environment::validate_name(env);
    let _owner = AsOwner::enter();
    environment::lock(env);
    let existing = environment::find(env);
    if let Some(schema) = live_schema {
        if schema.is_empty() || schema.starts_with("pg_") {
            raise(
                PgSqlErrorCode::ERRCODE_INVALID_SCHEMA_NAME,
                format!("\"{schema}\" cannot be a live schema"),
                None,
                Some("Names starting with pg_ are reserved by PostgreSQL.".into()),
            );
        }
        match &existing {
            None => environment::insert(env, schema),
            Some(e) if e.live_schema == schema => {}
            Some(e) => {
                let ever_active = pg_read::one::<bool>(
                    "SELECT EXISTS (SELECT FROM stopgap.activation_log WHERE env = $1)",
                    &[env.into()],
                )
                .ok()
                .flatten()
                .unwrap_or(true);
                if ever_active {
                    raise(
                        PgSqlErrorCode::ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                        format!(
                            "cannot move environment \"{env}\" from live schema \"{}\" to \"{schema}\"",
                            e.live_schema
                        ),
                        Some("The environment has been deployed; its callers use the current live schema.".into()),
                        Some("Create a new environment with the new live schema instead.".into()),
                    );
                }
                Spi::run_with_args(
                    "UPDATE stopgap.environment SET live_schema = $2::name, updated_at = now() WHERE env = $1",
                    &[env.into(), schema.into()],
                )
                .unwrap_or_else(|e| raise(PgSqlErrorCode::ERRCODE_INTERNAL_ERROR, format!("{e}"), None, None));
            }
        }
    } else if existing.is_none() {
        environment::insert(env, &environment::default_live_schema(env));
    }
    if let Some(role) = execute_role {
        if !role_exists(role) {
            raise(
                PgSqlErrorCode::ERRCODE_UNDEFINED_OBJECT,
                format!("role \"{role}\" does not exist"),
                None,
                Some(format!(
                    "CREATE ROLE {} NOLOGIN; then grant it to the application's login roles.",
                    quote_identifier(role)
                )),
            );
        }
        let current = environment::find_or_raise(env);
        if current.execute_role != role {
            live::move_grants(&current, role);
            Spi::run_with_args(
                "UPDATE stopgap.environment SET execute_role = $2::name, updated_at = now() WHERE env = $1",
                &[env.into(), role.into()],
            )
            .unwrap_or_else(|e| raise(PgSqlErrorCode::ERRCODE_INTERNAL_ERROR, format!("{e}"), None, None));
        }
    }
}

fn role_exists(role: &str) -> bool {
    pg_read::one::<bool>(
        "SELECT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = $1::name)",
        &[role.into()],
    )
    .ok()
    .flatten()
    .unwrap_or(false)
}

/// Marks environment `env` protected (or, with `protected => false`, not), creating it if need
/// be, and returns the new setting. The CLI deploys to a protected environment only with an
/// explicit `--label`, and `stopgap dev` refuses it. It guards against mistakes, not against
/// deployers: any deployer may change it.
#[pg_extern(volatile, parallel_unsafe)]
#[search_path(pg_catalog, pg_temp)]
fn protect_environment(env: &str, protected: default!(bool, true)) -> bool {
    crate::error::refuse_on_standby("protect an environment");
    let caller = Caller::current();
    caller.require_deployer("protect an environment");
    environment::validate_name(env);
    let _owner = AsOwner::enter();
    environment::lock(env);
    environment::find_or_create(env);
    Spi::run_with_args(
        "UPDATE stopgap.environment SET protected = $2, updated_at = now() WHERE env = $1",
        &[env.into(), protected.into()],
    )
    .unwrap_or_else(|e| raise(PgSqlErrorCode::ERRCODE_INTERNAL_ERROR, format!("{e}"), None, None));
    protected
}
