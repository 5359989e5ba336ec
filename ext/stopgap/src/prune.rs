//! `stopgap.prune(env)`: drop live functions that the active deployment no longer has.

use pgrx::prelude::*;
use pgrx::PgSqlErrorCode;

use crate::environment::{self, Environment};
use crate::error::raise;
use crate::security::{quote_identifier, AsOwner, Caller, OWNER_ROLE};

type Pruned = (String, String, Option<String>);

/// Drops, from the live schema of `env`, every function owned by stopgap_owner that the active
/// deployment does not have. A function that other objects depend on (a view, a default, a
/// SQL-standard function body — whatever PostgreSQL records in pg_depend) is skipped and
/// reported with PostgreSQL's own description of the dependency. Dependencies that live only
/// in function source text (a plts or PL/pgSQL body calling it) are invisible to PostgreSQL
/// and do not stop the drop.
///
/// One row per function considered: `action` is `dropped` or `skipped`; `reason` says why a
/// function was skipped.
#[pg_extern(volatile, parallel_unsafe)]
#[search_path(pg_catalog, pg_temp)]
fn prune(
    env: &str,
) -> TableIterator<'static, (name!(fn_name, String), name!(action, String), name!(reason, Option<String>))> {
    crate::error::refuse_on_standby("prune");
    let caller = Caller::current();
    caller.require_deployer("prune");
    environment::validate_name(env);
    let _owner = AsOwner::enter();
    environment::lock(env);
    let target = environment::find_or_raise(env);
    TableIterator::new(prune_environment(&target))
}

/// Prunes `env`'s live schema; the caller holds the environment lock and runs as the owner.
pub fn prune_environment(env: &Environment) -> Vec<Pruned> {
    let Some(active) = env.active_deployment_id else {
        raise(
            PgSqlErrorCode::ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
            format!(
                "environment \"{}\" has no active deployment; there is nothing to compare the live schema with",
                env.env
            ),
            None,
            None,
        );
    };
    let stale: Vec<(String, String)> = pg_read::query(
        "SELECT p.proname::text, pg_catalog.pg_get_function_identity_arguments(p.oid)
           FROM pg_catalog.pg_proc p
           JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname = $1::name
            AND p.proowner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $3)
            AND NOT EXISTS (SELECT FROM stopgap.fn_version v
                             WHERE v.deployment_id = $2 AND v.fn_name = p.proname
                               AND p.proargtypes = '3802'::oidvector)
          ORDER BY 1, 2",
        &[env.live_schema.as_str().into(), active.into(), OWNER_ROLE.into()],
        |rows| {
            Ok(rows.into_iter()
                .map(|r| {
                    (
                        r.get::<String>(1).ok().flatten().unwrap_or_default(),
                        r.get::<String>(2).ok().flatten().unwrap_or_default(),
                    )
                })
                .collect())
        },
    )
    .unwrap_or_default();
    let schema = quote_identifier(&env.live_schema);
    stale
        .into_iter()
        .map(|(name, arguments)| {
            // The argument list comes from pg_get_function_identity_arguments: already quoted SQL.
            let drop = format!("DROP FUNCTION {schema}.{}({arguments}) RESTRICT", quote_identifier(&name));
            match pg_subxact::run(|| Spi::run(&drop)) {
                Ok(_) => (name, "dropped".to_string(), None),
                Err(error) => {
                    let parts = pg_subxact::ErrorFields::of(&error);
                    if parts.code != PgSqlErrorCode::ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST {
                        error.rethrow();
                    }
                    let reason = parts.detail.unwrap_or(parts.message);
                    (name, "skipped".to_string(), Some(reason))
                }
            }
        })
        .collect()
}
