//! `stopgap.rollback(env, steps, to_id)`: make an earlier deployment the live one again.

use pgrx::prelude::*;
use pgrx::PgSqlErrorCode;

use crate::deploy::activate;
use crate::environment;
use crate::error::raise;
use crate::live;
use crate::security::{AsOwner, Caller};
use crate::state::{self, Status};

/// Re-materializes the live schema from an earlier deployment, moves the active pointer and
/// logs it; returns the id of the deployment that is now active.
///
/// - `steps` (default 1): go back to the `steps`-th most recent *superseded* deployment older
///   than the active one. Rolled-back deployments are skipped: after deploying v3 and rolling
///   back to v2, a deploy of v4 followed by a rollback returns to v2, not to v3.
/// - `to_id`: re-activate exactly that deployment (superseded or rolled back; it may be newer
///   than the active one, which rolls forward). Give `steps` or `to_id`, not both.
///
/// The deployment that was active becomes `rolled_back`. Live functions the target does not
/// have stay in the live schema until `stopgap.prune(env)`.
#[pg_extern(volatile, parallel_unsafe)]
#[search_path(pg_catalog, pg_temp)]
fn rollback(env: &str, steps: default!(i32, 1), to_id: default!(Option<i64>, "NULL")) -> i64 {
    crate::error::refuse_on_standby("roll back");
    let caller = Caller::current();
    caller.require_deployer("roll back");
    environment::validate_name(env);
    if steps < 1 {
        raise(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            format!("steps must be at least 1, got {steps}"),
            None,
            None,
        );
    }
    if to_id.is_some() && steps != 1 {
        raise(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            "give steps or to_id, not both",
            None,
            Some("stopgap.rollback('prod', steps => 2) or stopgap.rollback('prod', to_id => 42)".into()),
        );
    }
    let _owner = AsOwner::enter();
    environment::lock(env);
    let target_env = environment::find_or_raise(env);
    let Some(active) = target_env.active_deployment_id else {
        raise(
            PgSqlErrorCode::ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
            format!("environment \"{env}\" has no active deployment to roll back"),
            None,
            None,
        );
    };
    let (target, from) = match to_id {
        Some(id) => (id, explicit_target(env, id, active)),
        None => (previous_target(env, active, steps), Status::Superseded),
    };
    activate(&target_env, target, from, &live::functions_of(target), "rollback", &caller);
    target
}

/// The status of deployment `id` of `env`, which must be able to become active again.
fn explicit_target(env: &str, id: i64, active: i64) -> Status {
    let belongs = pg_read::one::<bool>(
        "SELECT EXISTS (SELECT FROM stopgap.deployment WHERE id = $1 AND env = $2)",
        &[id.into(), env.into()],
    )
    .ok()
    .flatten()
    .unwrap_or(false);
    if !belongs {
        raise(
            PgSqlErrorCode::ERRCODE_UNDEFINED_OBJECT,
            format!("deployment {id} does not exist in environment \"{env}\""),
            None,
            Some(format!("SELECT * FROM stopgap.deployments('{env}') lists them.")),
        );
    }
    if id == active {
        raise(
            PgSqlErrorCode::ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
            format!("deployment {id} is already the active deployment of environment \"{env}\""),
            None,
            None,
        );
    }
    match state::status_of(id) {
        Some(status @ (Status::Superseded | Status::RolledBack)) => status,
        other => raise(
            PgSqlErrorCode::ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
            format!("deployment {id} is {} and cannot be activated", other.map(Status::as_str).unwrap_or("unknown")),
            None,
            Some("Only superseded or rolled_back deployments can be re-activated.".into()),
        ),
    }
}

fn previous_target(env: &str, active: i64, steps: i32) -> i64 {
    let found = pg_read::one::<i64>(
        "SELECT id FROM stopgap.deployment
          WHERE env = $1 AND status = 'superseded' AND id < $2
          ORDER BY id DESC OFFSET $3 - 1 LIMIT 1",
        &[env.into(), active.into(), i64::from(steps).into()],
    )
    .ok()
    .flatten();
    found.unwrap_or_else(|| {
        let available = pg_read::one::<i64>(
            "SELECT count(*) FROM stopgap.deployment WHERE env = $1 AND status = 'superseded' AND id < $2",
            &[env.into(), active.into()],
        )
        .ok()
        .flatten()
        .unwrap_or(0);
        raise(
            PgSqlErrorCode::ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
            format!(
                "cannot roll back environment \"{env}\" by {steps} step{}: only {available} earlier deployment{} to return to",
                if steps == 1 { "" } else { "s" },
                if available == 1 { " is there" } else { "s are there" }
            ),
            Some(format!("Deployment {active} is active; rolling back past the first deployment is not possible.")),
            Some(format!("SELECT * FROM stopgap.deployments('{env}') lists the deployments.")),
        )
    })
}
