//! Settings (GUCs) of plts, with their documented defaults.

use pgrx::{GucContext, GucFlags, GucRegistry, GucSetting};

use crate::call_frame::Limits;

/// `plts.max_runtime_ms`: wall-clock limit of one plts call; 0 = off (statement_timeout still applies).
pub static MAX_RUNTIME_MS: GucSetting<i32> = GucSetting::<i32>::new(0);
/// `plts.max_heap_mb`: memory limit of the backend's JS heap (all roles together).
pub static MAX_HEAP_MB: GucSetting<i32> = GucSetting::<i32>::new(256);

/// `plts.max_sql_bytes`: longest SQL text ctx.db accepts.
pub static MAX_SQL_BYTES: GucSetting<i32> = GucSetting::<i32>::new(1 << 20);
/// `plts.max_params`: most parameters of one ctx.db statement.
pub static MAX_PARAMS: GucSetting<i32> = GucSetting::<i32>::new(1000);
/// `plts.max_query_rows`: most rows one ctx.db statement may return (cursors have no limit).
pub static MAX_QUERY_ROWS: GucSetting<i32> = GucSetting::<i32>::new(100_000);

/// `plts.start_proc`: a plts function run once in each new JS context, before its first call.
pub static START_PROC: GucSetting<Option<std::ffi::CString>> = GucSetting::<Option<std::ffi::CString>>::new(None);

/// The function `plts.start_proc` names, if any.
pub fn start_proc() -> Option<String> {
    START_PROC.get().map(|name| name.to_string_lossy().trim().to_string()).filter(|name| !name.is_empty())
}

pub fn register() {
    GucRegistry::define_string_guc(
        c"plts.start_proc",
        c"A plts function run once in each new JS context (a role's, or a DO block's), before its first call.",
        c"Name it as a function (schema.name) or with its argument types (schema.name()); it takes no arguments. A missing one, or one the role may not execute, gives a WARNING and the call goes on.",
        &START_PROC,
        GucContext::Suset,
        GucFlags::default(),
    );
    GucRegistry::define_int_guc(
        c"plts.max_sql_bytes",
        c"Longest SQL text, in bytes, that ctx.db accepts.",
        c"Longer statements are refused before they are parsed.",
        &MAX_SQL_BYTES,
        1,
        i32::MAX,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_int_guc(
        c"plts.max_params",
        c"Most parameters one ctx.db statement may have.",
        c"Statements with more are refused before they are prepared.",
        &MAX_PARAMS,
        0,
        65535,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_int_guc(
        c"plts.max_query_rows",
        c"Most rows one ctx.db query may return.",
        c"A query returning more fails and suggests the cursor API; reading stops at the limit.",
        &MAX_QUERY_ROWS,
        1,
        i32::MAX,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_int_guc(
        c"plts.max_runtime_ms",
        c"Longest time one plts call may run, in milliseconds (0 = no limit).",
        c"A call that runs longer ends with an ERROR; statement_timeout and cancel requests apply as well.",
        &MAX_RUNTIME_MS,
        0,
        i32::MAX,
        GucContext::Userset,
        GucFlags::UNIT_MS,
    );
    GucRegistry::define_int_guc(
        c"plts.max_heap_mb",
        c"Memory limit of the JavaScript heap of one backend, in megabytes.",
        c"An allocation beyond it ends the call with an out-of-memory ERROR; the backend lives on.",
        &MAX_HEAP_MB,
        8,
        1 << 20,
        GucContext::Suset,
        GucFlags::UNIT_MB,
    );
}

/// The limits of ctx.db's statements, read when a statement runs.
pub struct DbLimits {
    pub max_sql_bytes: usize,
    pub max_params: usize,
    pub max_query_rows: u64,
}

#[inline]
pub fn db_limits() -> DbLimits {
    DbLimits {
        max_sql_bytes: MAX_SQL_BYTES.get().max(1) as usize,
        max_params: MAX_PARAMS.get().max(0) as usize,
        max_query_rows: MAX_QUERY_ROWS.get().max(1) as u64,
    }
}

/// The limits of a call's engine, read when the call begins.
#[inline]
pub fn limits() -> Limits {
    // SAFETY: max_stack_depth is a plain int GUC of the server (kilobytes).
    let pg_stack_bytes = unsafe { pgrx::pg_sys::max_stack_depth } as usize * 1024;
    let base = crate::backend::stack_base();
    Limits {
        max_runtime_ms: MAX_RUNTIME_MS.get().max(0) as u64,
        max_heap_bytes: (MAX_HEAP_MB.get().max(8) as usize) << 20,
        // The stack grows down from the base.
        stack_floor: if base == 0 { 0 } else { base.saturating_sub(pg_stack_bytes) },
    }
}
