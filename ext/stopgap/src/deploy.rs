//! `stopgap.deploy(env, from_schema, label)`: snapshot a source schema into a new deployment
//! and make it the live one, in the caller's transaction.
//!
//! Order of work (all as `stopgap_owner`, see security.rs):
//! 1. checks of the request — caller's rights, environment name, label, source schema; these
//!    are plain errors and leave no trace;
//! 2. the advisory lock of the environment (concurrent deploys serialize here);
//! 3. the attempt, in a subtransaction: scan the schema, compile and store every function,
//!    write the deployment (open → sealed), materialize the live schema, supersede the
//!    previous deployment, activate (sealed → active), log the activation.
//!
//! If the attempt fails, the subtransaction rolls back, so the previous deployment keeps
//! serving; the failure is recorded as a 'failed' deployment by a background worker in its
//! own transaction (failure.rs) — it survives the caller's rollback — and the error is raised
//! again, naming the function (and, for TypeScript errors, the line and column).

use std::cell::RefCell;

use pgrx::prelude::*;
use pgrx::{JsonB, PgSqlErrorCode};

use crate::environment::{self, Environment};
use crate::error::{notice, raise};
use crate::live::{self, FnVersion};
use crate::security::{AsOwner, Caller};
use crate::state::{self, Status};
use crate::{failure, prune};

/// A function of the source schema, as `stopgap.source_functions()` classifies it.
struct Source {
    name: String,
    language: String,
    overloaded: bool,
    kind: String,
    problem: Option<String>,
    source: String,
}

enum Outcome {
    Deployed(i64),
    /// Same functions, kinds and artifacts as the active deployment: nothing was changed.
    Unchanged(i64),
}

/// Deploys the plts functions of `from_schema` to environment `env` as a new deployment
/// named `label`, and returns its id. With `prune => true`, live functions that the new
/// deployment does not have are dropped afterwards (see `stopgap.prune`).
#[pg_extern(volatile, parallel_unsafe)]
#[search_path(pg_catalog, pg_temp)]
fn deploy(env: &str, from_schema: &str, label: &str, prune: default!(bool, false)) -> i64 {
    crate::error::refuse_on_standby("deploy");
    let caller = Caller::current();
    caller.require_deployer("deploy");
    environment::validate_name(env);
    validate_label(label);
    caller.require_schema_usage(from_schema);
    caller.require_compile_right();

    let _owner = AsOwner::enter();
    environment::lock(env);
    if let Some(existing) = label_owner(env, label) {
        raise(
            PgSqlErrorCode::ERRCODE_DUPLICATE_OBJECT,
            format!("label \"{label}\" is already used in environment \"{env}\""),
            Some(format!("Deployment {existing} has this label.")),
            Some(
                "Labels name one deployment each; choose a new label (a failed attempt does not use up its label)."
                    .into(),
            ),
        );
    }

    let current_fn = RefCell::new(None::<String>);
    match pg_subxact::run(|| attempt(env, from_schema, label, &caller, &current_fn)) {
        Ok(Outcome::Deployed(id)) => {
            if prune {
                let target = environment::find_or_raise(env);
                for (name, action, reason) in prune::prune_environment(&target) {
                    notice(format!("prune: {action} {}.{name}", target.live_schema), reason);
                }
            }
            id
        }
        Ok(Outcome::Unchanged(active)) => {
            notice(
                format!(
                    "the active deployment of environment \"{env}\" already has these functions; nothing was deployed"
                ),
                Some(format!("Label \"{label}\" was not used; deploy returned the id of the active deployment.")),
            );
            active
        }
        Err(error) => {
            let parts = pg_subxact::ErrorFields::of(&error);
            let function = current_fn.borrow().clone();
            let live_schema =
                environment::find(env).map(|e| e.live_schema).unwrap_or_else(|| environment::default_live_schema(env));
            let failure = serde_json::json!({
                "env": env,
                "live_schema": live_schema,
                "label": label,
                "source_schema": from_schema,
                "created_by": caller.name,
                "failure": {
                    "sqlstate": parts.sqlstate(),
                    "message": parts.message,
                    "detail": parts.detail,
                    "hint": parts.hint,
                    "function": function.as_ref().map(|f| format!("{from_schema}.{f}")),
                },
            });
            let recorded = failure::record(&failure);
            let serving = match environment::find(env).and_then(|e| e.active_deployment_id) {
                Some(active) => format!("Nothing changed: deployment {active} keeps serving environment \"{env}\"."),
                None => format!("Nothing changed: environment \"{env}\" has no active deployment."),
            };
            let record = match recorded {
                Ok(id) => format!(
                    " The attempt is recorded as failed deployment {id}: SELECT * FROM stopgap.deployments('{env}');"
                ),
                Err(why) => {
                    crate::error::warning(format!("the failed deploy could not be recorded: {why}"), None);
                    String::new()
                }
            };
            let hint = match parts.hint {
                Some(h) => format!("{h}\n{serving}{record}"),
                None => format!("{serving}{record}"),
            };
            let place = match function {
                Some(f) => format!(" in function {from_schema}.{f}"),
                None => String::new(),
            };
            raise(
                parts.code,
                format!("deploy to environment \"{env}\" failed{place}: {}", parts.message),
                parts.detail,
                Some(hint),
            )
        }
    }
}

/// Refuses a blank label or one longer than the catalog allows.
pub fn validate_label(label: &str) {
    if label.trim().is_empty() || label.len() > 200 {
        raise(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            "a deployment label must be 1 to 200 characters and not blank",
            None,
            Some("Use a version or a commit id, e.g. 'v1.4.0' or 'git:3f2a9c1'.".into()),
        );
    }
}

/// The id of the non-failed deployment of `env` named `label`, if any.
pub fn label_owner(env: &str, label: &str) -> Option<i64> {
    pg_read::one::<i64>(
        "SELECT id FROM stopgap.deployment WHERE env = $1 AND label = $2 AND status <> 'failed'",
        &[env.into(), label.into()],
    )
    .ok()
    .flatten()
}

fn scan(from_schema: &str) -> Vec<Source> {
    pg_read::query(
        "SELECT fn_name::text, language::text, overloaded, kind, problem, source FROM stopgap.source_functions($1::name)",
        &[from_schema.into()],
        |rows| {
            Ok(rows.into_iter()
                .map(|row| Source {
                    name: row.get::<String>(1).ok().flatten().unwrap_or_default(),
                    language: row.get::<String>(2).ok().flatten().unwrap_or_default(),
                    overloaded: row.get::<bool>(3).ok().flatten().unwrap_or(false),
                    kind: row.get::<String>(4).ok().flatten().unwrap_or_default(),
                    problem: row.get::<String>(5).ok().flatten(),
                    source: row.get::<String>(6).ok().flatten().unwrap_or_default(),
                })
                .collect())
        },
    )
    .unwrap_or_default()
}

/// Refuses source schemas that cannot become a deployment, and returns the deployable functions.
fn deployable(from_schema: &str, sources: Vec<Source>) -> Vec<Source> {
    let mut overloaded: Vec<&str> =
        sources.iter().filter(|s| s.overloaded && s.language == "plts").map(|s| s.name.as_str()).collect();
    overloaded.dedup();
    if !overloaded.is_empty() {
        raise(
            PgSqlErrorCode::ERRCODE_AMBIGUOUS_FUNCTION,
            format!("source schema \"{from_schema}\" has overloaded function names: {}", overloaded.join(", ")),
            None,
            Some("A live function is called by name; keep one function per name.".into()),
        );
    }
    let problems: Vec<String> =
        sources.iter().filter_map(|s| s.problem.as_ref().map(|p| format!("{from_schema}.{} {p}", s.name))).collect();
    if !problems.is_empty() {
        raise(
            PgSqlErrorCode::ERRCODE_INVALID_FUNCTION_DEFINITION,
            format!("source schema \"{from_schema}\" has plts functions that cannot be deployed"),
            Some(problems.join("\n")),
            Some(
                "Deployable functions are declared (args jsonb) RETURNS jsonb LANGUAGE plts, without SECURITY DEFINER."
                    .into(),
            ),
        );
    }
    let (plts, others): (Vec<Source>, Vec<Source>) = sources.into_iter().partition(|s| s.language == "plts");
    if !others.is_empty() {
        let names: Vec<String> = others.iter().map(|s| format!("{} ({})", s.name, s.language)).collect();
        notice(format!("skipping functions that are not plts: {}", names.join(", ")), None);
    }
    if plts.is_empty() {
        raise(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            format!("source schema \"{from_schema}\" has no plts functions to deploy"),
            None,
            Some("Create the functions as (args jsonb) RETURNS jsonb LANGUAGE plts in that schema first.".into()),
        );
    }
    plts
}

fn attempt(
    env: &str,
    from_schema: &str,
    label: &str,
    caller: &Caller,
    current_fn: &RefCell<Option<String>>,
) -> Outcome {
    let environment = environment::find_or_create(env);
    let sources = deployable(from_schema, scan(from_schema));

    let mut functions = Vec::with_capacity(sources.len());
    for s in &sources {
        *current_fn.borrow_mut() = Some(s.name.clone());
        let hash = Spi::get_one_with_args::<String>(
            "SELECT plts.compile_and_store($1, stopgap.compiler_opts())",
            &[s.source.as_str().into()],
        )
        .ok()
        .flatten()
        .unwrap_or_else(|| {
            raise(PgSqlErrorCode::ERRCODE_INTERNAL_ERROR, "plts.compile_and_store returned no hash", None, None)
        });
        functions.push(FnVersion { name: s.name.clone(), kind: s.kind.clone(), artifact_hash: hash });
    }
    *current_fn.borrow_mut() = None;

    if let Some(active) = environment.active_deployment_id {
        // The same functions again write nothing, unless the live schema drifted from them: then
        // the new deployment puts the stubs back.
        if live::functions_of(active) == functions && !live::drifted(env) {
            return Outcome::Unchanged(active);
        }
    }

    let id = record_deployment(&environment, from_schema, label, caller, &functions);
    activate(&environment, id, Status::Sealed, &functions, "deploy", caller);
    Outcome::Deployed(id)
}

/// Writes the deployment (open), its functions and manifest, and seals it.
pub fn record_deployment(
    env: &Environment,
    from_schema: &str,
    label: &str,
    caller: &Caller,
    functions: &[FnVersion],
) -> i64 {
    let id = Spi::get_one_with_args::<i64>(
        "INSERT INTO stopgap.deployment (env, label, created_by, source_schema) VALUES ($1, $2, $3::name, $4::name) RETURNING id",
        &[env.env.as_str().into(), label.into(), caller.name.as_str().into(), from_schema.into()],
    )
    .ok()
    .flatten()
    .unwrap_or_else(|| raise(PgSqlErrorCode::ERRCODE_INTERNAL_ERROR, "cannot create the deployment row", None, None));
    let list = serde_json::Value::Array(
        functions
            .iter()
            .map(|f| serde_json::json!({"name": f.name, "kind": f.kind, "artifact_hash": f.artifact_hash}))
            .collect(),
    );
    // One statement for every function version, however many there are.
    Spi::run_with_args(
        "INSERT INTO stopgap.fn_version (deployment_id, fn_schema, fn_name, live_fn_schema, kind, artifact_hash)
         SELECT $1, $2::name, f.name, $3::name, f.kind, f.artifact_hash
           FROM jsonb_to_recordset($4) AS f(name name, kind text, artifact_hash text)",
        &[id.into(), from_schema.into(), env.live_schema.as_str().into(), JsonB(list.clone()).into()],
    )
    .unwrap_or_else(|e| {
        raise(PgSqlErrorCode::ERRCODE_INTERNAL_ERROR, format!("cannot record function versions: {e}"), None, None)
    });
    let fingerprint = pg_read::one::<String>(
        "SELECT compiler_fingerprint FROM plts.artifact WHERE artifact_hash = $1",
        &[functions[0].artifact_hash.as_str().into()],
    )
    .ok()
    .flatten();
    let manifest = serde_json::json!({
        "format": 1,
        "env": env.env,
        "label": label,
        "source_schema": from_schema,
        "live_schema": env.live_schema,
        "compiler_fingerprint": fingerprint,
        "functions": list,
    });
    Spi::run_with_args(
        "UPDATE stopgap.deployment SET manifest = $2 WHERE id = $1",
        &[id.into(), JsonB(manifest).into()],
    )
    .unwrap_or_else(|e| {
        raise(PgSqlErrorCode::ERRCODE_INTERNAL_ERROR, format!("cannot write the manifest: {e}"), None, None)
    });
    state::transition(id, Status::Open, Status::Sealed);
    id
}

/// Makes deployment `id` (now in status `from`) the active one of `env`: live schema, status of
/// the previous and the new deployment, the environment's pointer and the activation log.
/// Shared by deploy, promote and rollback.
pub fn activate(env: &Environment, id: i64, from: Status, functions: &[FnVersion], action: &str, caller: &Caller) {
    live::ensure_schema(env);
    live::install(env, functions);
    if let Some(previous) = env.active_deployment_id {
        let next = if action == "rollback" { Status::RolledBack } else { Status::Superseded };
        state::transition(previous, Status::Active, next);
    }
    state::transition(id, from, Status::Active);
    Spi::run_with_args(
        "UPDATE stopgap.environment SET active_deployment_id = $2, updated_at = now() WHERE env = $1",
        &[env.env.as_str().into(), id.into()],
    )
    .unwrap_or_else(|e| {
        raise(PgSqlErrorCode::ERRCODE_INTERNAL_ERROR, format!("cannot move the active pointer: {e}"), None, None)
    });
    Spi::run_with_args(
        "INSERT INTO stopgap.activation_log (env, action, from_deployment_id, to_deployment_id, activated_by)
         VALUES ($1, $2, $3, $4, $5::name)",
        &[
            env.env.as_str().into(),
            action.into(),
            env.active_deployment_id.into(),
            id.into(),
            caller.name.as_str().into(),
        ],
    )
    .unwrap_or_else(|e| {
        raise(PgSqlErrorCode::ERRCODE_INTERNAL_ERROR, format!("cannot log the activation: {e}"), None, None)
    });
}
