//! `stopgap.call_fn`: call a live function by environment and name, for clients that do not
//! want to know the live schema's name.

use pgrx::prelude::*;
use pgrx::{JsonB, PgSqlErrorCode};

use crate::environment;
use crate::error::raise;
use crate::gucs;
use crate::security::{quote_identifier, AsOwner};

/// Calls function `fn_name` of the active deployment of `env` with `args` and returns its
/// result. The call itself runs with the caller's rights: the caller needs the environment's
/// execute role (EXECUTE on the live function), exactly as when calling the live function
/// directly. A function that is still in the live schema but not in the active deployment
/// (not pruned yet) is refused.
#[pg_extern(volatile, parallel_unsafe)]
fn call_fn(env: Option<&str>, fn_name: Option<&str>, args: Option<JsonB>) -> Option<JsonB> {
    let (Some(env), Some(fn_name)) = (env, fn_name) else {
        raise(
            PgSqlErrorCode::ERRCODE_NULL_VALUE_NOT_ALLOWED,
            "call_fn needs an environment and a function name",
            None,
            None,
        );
    };
    call(env, fn_name, args)
}

/// Like `call_fn(env, fn_name, args)`, with the environment from `stopgap.default_env`.
#[pg_extern(volatile, parallel_unsafe, name = "call_fn")]
fn call_fn_default_env(fn_name: Option<&str>, args: Option<JsonB>) -> Option<JsonB> {
    let Some(env) = gucs::default_env() else {
        raise(
            PgSqlErrorCode::ERRCODE_UNDEFINED_OBJECT,
            "stopgap.default_env is not set",
            None,
            Some("SET stopgap.default_env = 'prod'; or call stopgap.call_fn('prod', fn_name, args)".into()),
        );
    };
    let Some(fn_name) = fn_name else {
        raise(PgSqlErrorCode::ERRCODE_NULL_VALUE_NOT_ALLOWED, "call_fn needs a function name", None, None);
    };
    call(&env, fn_name, args)
}

fn call(env: &str, fn_name: &str, args: Option<JsonB>) -> Option<JsonB> {
    let live_schema = {
        // The catalogs are readable by stopgap_reader only; resolving a name is not reading them.
        let _owner = AsOwner::enter();
        let environment = environment::find_or_raise(env);
        let deployed = environment.active_deployment_id.is_some_and(|active| {
            pg_read::one::<bool>(
                "SELECT EXISTS (SELECT FROM stopgap.fn_version WHERE deployment_id = $1 AND fn_name = $2::name)",
                &[active.into(), fn_name.into()],
            )
            .ok()
            .flatten()
            .unwrap_or(false)
        });
        if !deployed {
            raise(
                PgSqlErrorCode::ERRCODE_UNDEFINED_FUNCTION,
                format!("function \"{fn_name}\" is not in the active deployment of environment \"{env}\""),
                None,
                Some(format!("SELECT * FROM stopgap.status('{env}') shows the active deployment.")),
            );
        }
        environment.live_schema
    };
    let sql = format!("SELECT {}.{}($1)", quote_identifier(&live_schema), quote_identifier(fn_name));
    pg_read::one::<JsonB>(&sql, &[args.into()]).ok().flatten()
}
