//! Who may do what, and running catalog and live-schema work as `stopgap_owner`.
//!
//! deploy, rollback, prune and configure_environment are definer-rights operations, but they
//! are not declared SECURITY DEFINER: inside a SECURITY DEFINER function `current_user` is the
//! owner, and `session_user` ignores `SET ROLE`, so the function could not tell who called it.
//! Instead they run as the caller, check the caller's rights here, and then switch the current
//! user to `stopgap_owner` for the work itself with [`AsOwner`] — the way PostgreSQL runs
//! `REFRESH MATERIALIZED VIEW` as the view's owner. Their `search_path` is fixed
//! (`pg_catalog, pg_temp`) in their declaration, and every name they use is schema-qualified.
//!
//! stopgap's reads go through `pg_read`: SPI's read-write path, so a statement that runs after
//! the environment lock was granted sees what the deploy it waited for committed, but without
//! pgrx's request for a transaction id, so that resolving a name on the call path works on a
//! hot standby. Writes use pgrx's `Spi` as usual.

use pgrx::prelude::*;
use pgrx::PgSqlErrorCode;

use crate::error::raise;

pub const OWNER_ROLE: &str = "stopgap_owner";
pub const DEPLOYER_ROLE: &str = "stopgap_deployer";

/// The role that called a stopgap function (`current_user` at entry).
pub struct Caller {
    pub oid: pg_sys::Oid,
    pub name: String,
}

impl Caller {
    pub fn current() -> Self {
        // SAFETY: GetUserId only reads the backend's current user, which is set while a SQL
        // function runs. GetUserNameFromId with noerr = false raises an ERROR for an unknown
        // oid instead of returning NULL, so the pointer is a NUL-terminated palloc'd string;
        // it is copied into a Rust String before anything can free it.
        let (oid, name) = unsafe {
            let oid = pg_sys::GetUserId();
            let name = std::ffi::CStr::from_ptr(pg_sys::GetUserNameFromId(oid, false));
            (oid, name.to_string_lossy().into_owned())
        };
        Caller { oid, name }
    }

    fn check(&self, sql: &str, what: &str) -> bool {
        pg_read::one::<bool>(sql, &[self.oid.into(), what.into()]).ok().flatten().unwrap_or(false)
    }

    /// The caller must be a member of `stopgap_deployer` to `action` (deploy, roll back, ...).
    pub fn require_deployer(&self, action: &str) {
        if !self.check("SELECT pg_catalog.pg_has_role($1, $2::text, 'MEMBER')", DEPLOYER_ROLE) {
            raise(
                PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE,
                format!("permission denied to {action}: role \"{}\" is not a member of {DEPLOYER_ROLE}", self.name),
                None,
                Some(format!(
                    "A superuser or {DEPLOYER_ROLE}'s admin can run: GRANT {DEPLOYER_ROLE} TO {};",
                    quote_identifier(&self.name)
                )),
            );
        }
    }

    /// The caller must be allowed to USAGE the schema it deploys from (it must exist).
    pub fn require_schema_usage(&self, schema: &str) {
        let exists = pg_read::one::<bool>(
            "SELECT EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = $1::text)",
            &[schema.into()],
        )
        .ok()
        .flatten()
        .unwrap_or(false);
        if !exists {
            raise(
                PgSqlErrorCode::ERRCODE_INVALID_SCHEMA_NAME,
                format!("source schema \"{schema}\" does not exist"),
                None,
                Some("Create the functions to deploy in a schema first, then pass its name.".into()),
            );
        }
        if !self.check("SELECT pg_catalog.has_schema_privilege($1, $2::text, 'USAGE')", schema) {
            raise(
                PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE,
                format!("permission denied for source schema \"{schema}\": role \"{}\" lacks USAGE", self.name),
                None,
                Some(format!(
                    "GRANT USAGE ON SCHEMA {} TO {};",
                    quote_identifier(schema),
                    quote_identifier(&self.name)
                )),
            );
        }
    }

    /// The caller must be allowed to compile and store artifacts itself.
    pub fn require_compile_right(&self) {
        if !self.check(
            "SELECT pg_catalog.has_function_privilege($1, $2::text, 'EXECUTE')",
            "plts.compile_and_store(text, jsonb)",
        ) {
            raise(
                PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE,
                format!("permission denied to deploy: role \"{}\" may not execute plts.compile_and_store", self.name),
                None,
                Some(format!(
                    "GRANT EXECUTE ON FUNCTION plts.compile_and_store(text, jsonb) TO {};",
                    quote_identifier(&self.name)
                )),
            );
        }
    }
}

pub fn quote_identifier(name: &str) -> String {
    pgrx::spi::quote_identifier(name)
}

/// While alive, the current user is `stopgap_owner` (SECURITY_LOCAL_USERID_CHANGE, so `SET ROLE`
/// cannot undo it). Dropping it — also while unwinding from an ERROR — restores the caller;
/// PostgreSQL restores it as well when it aborts the (sub)transaction.
pub struct AsOwner {
    previous_user: pg_sys::Oid,
    previous_context: i32,
}

impl AsOwner {
    pub fn enter() -> Self {
        // SAFETY: the role name is a NUL-terminated 'static C string, and get_role_oid with
        // missing_ok = false raises an ERROR rather than return InvalidOid (roles.sql creates
        // the role with the extension). GetUserIdAndSecContext writes into two locals of this
        // frame. SetUserIdAndSecContext only sets two backend globals; this is the pair of
        // calls fmgr_security_definer makes, and PostgreSQL resets both at (sub)transaction
        // abort, so an ERROR before the Drop below cannot leave the owner in place.
        unsafe {
            let owner = pg_sys::get_role_oid(c"stopgap_owner".as_ptr(), false);
            let mut previous_user = pg_sys::InvalidOid;
            let mut previous_context = 0;
            pg_sys::GetUserIdAndSecContext(&mut previous_user, &mut previous_context);
            pg_sys::SetUserIdAndSecContext(owner, previous_context | pg_sys::SECURITY_LOCAL_USERID_CHANGE as i32);
            AsOwner { previous_user, previous_context }
        }
    }
}

impl Drop for AsOwner {
    fn drop(&mut self) {
        // SAFETY: sets the two backend globals back to the user id and security context that
        // GetUserIdAndSecContext returned in enter(), a pair PostgreSQL itself produced; no
        // pointer is involved and the backend has only this thread.
        unsafe { pg_sys::SetUserIdAndSecContext(self.previous_user, self.previous_context) }
    }
}
