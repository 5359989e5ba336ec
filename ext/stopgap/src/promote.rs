//! `stopgap.promote(from_env, to_env, label)`: deploy the exact artifacts of one environment's
//! active deployment to another. Nothing is compiled: the new deployment's functions point at
//! the same artifact hashes, and the deployment records where it came from.

use pgrx::prelude::*;
use pgrx::PgSqlErrorCode;

use crate::deploy::{activate, label_owner, record_deployment, validate_label};
use crate::environment;
use crate::error::{notice, raise};
use crate::live;
use crate::security::{AsOwner, Caller};
use crate::state::Status;

/// Makes the functions of `from_env`'s active deployment, with their artifacts, a new
/// deployment of `to_env` named `label`, and activates it; returns its id. When `to_env`
/// already serves exactly those functions, nothing is written and the id of its active
/// deployment is returned (with a NOTICE). `stopgap.rollback(to_env)` undoes it like a deploy.
#[pg_extern(volatile, parallel_unsafe)]
#[search_path(pg_catalog, pg_temp)]
fn promote(from_env: &str, to_env: &str, label: &str) -> i64 {
    crate::error::refuse_on_standby("promote");
    let caller = Caller::current();
    caller.require_deployer("promote");
    environment::validate_name(from_env);
    environment::validate_name(to_env);
    if from_env == to_env {
        raise(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            format!("cannot promote environment \"{from_env}\" to itself"),
            None,
            Some("Promote from one environment to another, e.g. stopgap.promote('staging', 'prod', 'v1.4.0').".into()),
        );
    }
    validate_label(label);
    let _owner = AsOwner::enter();
    // Both environments, in name order, so two promotions in opposite directions cannot deadlock.
    let (first, second) = if from_env < to_env { (from_env, to_env) } else { (to_env, from_env) };
    environment::lock(first);
    environment::lock(second);
    let source = environment::find_or_raise(from_env);
    let Some(source_id) = source.active_deployment_id else {
        raise(
            PgSqlErrorCode::ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
            format!("environment \"{from_env}\" has no active deployment to promote"),
            None,
            Some(format!("Deploy to it first: stopgap.deploy('{from_env}', <schema>, <label>).")),
        );
    };
    if let Some(existing) = label_owner(to_env, label) {
        raise(
            PgSqlErrorCode::ERRCODE_DUPLICATE_OBJECT,
            format!("label \"{label}\" is already used in environment \"{to_env}\""),
            Some(format!("Deployment {existing} has this label.")),
            Some("Labels name one deployment each; choose a new label.".into()),
        );
    }
    let functions = live::functions_of(source_id);
    let target = environment::find_or_create(to_env);
    if let Some(active) = target.active_deployment_id {
        if live::functions_of(active) == functions {
            notice(
                format!(
                    "environment \"{to_env}\" already serves the functions of deployment {source_id} of \"{from_env}\"; nothing was promoted"
                ),
                Some(format!("Label \"{label}\" was not used; promote returned the id of the active deployment.")),
            );
            return active;
        }
    }
    let source_schema = pg_read::one::<String>(
        "SELECT source_schema::text FROM stopgap.deployment WHERE id = $1",
        &[source_id.into()],
    )
    .ok()
    .flatten()
    .unwrap_or_default();
    let id = record_deployment(&target, &source_schema, label, &caller, &functions);
    Spi::run_with_args(
        "UPDATE stopgap.deployment SET promoted_from_env = $2, promoted_from_deployment_id = $3 WHERE id = $1",
        &[id.into(), from_env.into(), source_id.into()],
    )
    .unwrap_or_else(|e| {
        raise(PgSqlErrorCode::ERRCODE_INTERNAL_ERROR, format!("cannot record the promotion: {e}"), None, None)
    });
    activate(&target, id, Status::Sealed, &functions, "promote", &caller);
    id
}
