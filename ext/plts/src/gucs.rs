//! Settings (GUCs) of plts, with their documented defaults.

use pgrx::{GucContext, GucFlags, GucRegistry, GucSetting};

/// `plts.max_runtime_ms`: wall-clock limit of one plts call; 0 = off (statement_timeout still applies).
pub static MAX_RUNTIME_MS: GucSetting<i32> = GucSetting::<i32>::new(0);
/// `plts.max_heap_mb`: memory limit of the backend's JS heap (all roles together).
pub static MAX_HEAP_MB: GucSetting<i32> = GucSetting::<i32>::new(256);

pub fn register() {
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

pub fn limits() -> crate::engine::Limits {
    // SAFETY: max_stack_depth is a plain int GUC of the server (kilobytes).
    let pg_stack_kb = unsafe { pgrx::pg_sys::max_stack_depth } as usize;
    crate::engine::Limits {
        max_runtime_ms: MAX_RUNTIME_MS.get().max(0) as u64,
        max_heap_bytes: (MAX_HEAP_MB.get().max(8) as usize) << 20,
        // Leave half of PostgreSQL's stack budget for the frames below and above QuickJS.
        max_stack_bytes: pg_stack_kb * 1024 / 2,
    }
}
