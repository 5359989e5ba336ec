//! `plts.check_function(fn)`: loads a plts function's module as its first call would, in a
//! context of its own, and says what its default export is, without calling it. `stopgap deploy`
//! runs it on every function before anything is committed, so a module that cannot load (a throw
//! at top level, a global plts lacks, no callable default export) fails the deploy, not the first
//! call.

use pgrx::pg_catalog::pg_proc::PgProc;
use pgrx::prelude::*;

use crate::ctx::Invocation;
use crate::error::{raise, ErrorContext};
use crate::handler::{run_in_frame, FrameKind};
use crate::start_proc::StartProc;
use crate::values::{Expect, JsOut};
use crate::{call_frame, ffi, function, pg_version};

/// `query` or `mutation` for the runtime's wrappers, `function` for a plain handler; an ERROR with
/// the module's own error when it does not load or its default export is not a function.
#[pg_extern(volatile, parallel_unsafe)]
fn check_function(function: pg_sys::Oid) -> String {
    let Some(proc) = PgProc::new(function) else {
        raise(PgSqlErrorCode::ERRCODE_UNDEFINED_FUNCTION, format!("function with OID {} does not exist", function.to_u32()), None, None)
    };
    let (schema, name) = function::names(function);
    // SAFETY: a catalog lookup of the language by name; InvalidOid when it is missing.
    let plts = unsafe { pg_sys::get_language_oid(c"plts".as_ptr(), true) };
    if proc.prolang() != plts {
        raise(
            PgSqlErrorCode::ERRCODE_WRONG_OBJECT_TYPE,
            format!("{schema}.{name} is not a plts function"),
            None,
            Some("plts.check_function loads functions written in LANGUAGE plts.".into()),
        );
    }
    // Loading runs the module's top-level code, as the role's first call would.
    if !pg_version::may_execute(function, ffi::GetUserId()) {
        raise(PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE, format!("permission denied for function {schema}.{name}"), None, None);
    }
    let info = function::load_uncached(function);
    let call = Invocation {
        role: ffi::GetUserId().to_u32(),
        arg_names: &info.arg_names,
        args: &[],
        args_is_value: info.args_is_value,
        fn_oid: function.to_u32(),
        fn_schema: &info.schema,
        fn_name: &info.name,
        result: &Expect::Value,
        entry_required: true,
        ephemeral: true,
        load_only: true,
        rows: None,
        ctx_members: &[],
        start: Some(&StartProc),
    };
    let error_context = ErrorContext::push(&info.context_line, call_frame::depth());
    let out = run_in_frame(&info.program, &call, info.read_only, FrameKind::default());
    error_context.pop();
    match out {
        JsOut::String(kind) => kind,
        other => unreachable!("a load-only call says what it loaded, not {other:?}"),
    }
}
