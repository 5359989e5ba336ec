//! `plts.start_proc`: a plts function that runs once in each new JS context, before its first
//! call, as plv8's `start_proc` does — to set globals, register helpers, warm caches. A name that
//! finds no function, a function that is not plts, one the role may not execute, or one that
//! throws gives a WARNING, and the call goes on.

use std::ffi::CString;

use pgrx::pg_catalog::pg_proc::PgProc;
use pgrx::pg_sys::{self, Oid};

use crate::ctx::{ContextStart, JsError, Program};
use crate::spi::subxact::in_subtransaction;
use crate::{ffi, function, gucs, pg_version};

/// The [`ContextStart`] of every plts call: `plts.start_proc`, when set.
pub struct StartProc;

impl ContextStart for StartProc {
    fn with_program(&self, run: &mut dyn FnMut(&Program) -> Result<(), JsError>) {
        let Some(name) = gucs::start_proc() else { return };
        match resolve(&name) {
            Ok(oid) => {
                let info = function::lookup(oid);
                if let Err(e) = run(&info.program) {
                    pgrx::warning!("plts.start_proc {name} failed, and the call goes on without it: {}", e.message);
                }
            }
            Err(why) => pgrx::warning!("plts.start_proc {name} was not run: {why}; the call goes on without it"),
        }
    }
}

/// The function `name` names (`schema.name`, or `schema.name(argtypes)`), if it is a plts
/// function the current role may execute; else why not.
fn resolve(name: &str) -> Result<Oid, String> {
    let text = CString::new(name).map_err(|_| "the name contains a NUL byte".to_string())?;
    let input: unsafe fn(pg_sys::FunctionCallInfo) -> pg_sys::Datum =
        if name.contains('(') { pg_sys::regprocedurein } else { pg_sys::regprocin };
    // SAFETY: the input function reads the NUL-terminated name; its ERRORs (no such function, more
    // than one) are caught by the subtransaction.
    let oid = in_subtransaction(|| unsafe {
        Ok(pgrx::direct_function_call::<Oid>(input, &[Some(pg_sys::Datum::from(text.as_ptr()))]).unwrap_or(pg_sys::InvalidOid))
    })
    .map_err(|e| e.message)?;
    let proc = PgProc::new(oid).ok_or_else(|| "the function does not exist".to_string())?;
    // SAFETY: a catalog lookup of the language by name; InvalidOid when it is missing.
    let plts = unsafe { pg_sys::get_language_oid(c"plts".as_ptr(), true) };
    if proc.prolang() != plts {
        return Err("it is not a plts function".into());
    }
    if !pg_version::may_execute(oid, ffi::GetUserId()) {
        return Err("the current role may not execute it".into());
    }
    Ok(oid)
}
