//! When QuickJS must stop a running script: query cancel, backend termination,
//! statement_timeout (PostgreSQL raises QueryCancelPending for it) and plts.max_runtime_ms.
//!
//! The handler only reads flags and returns true to stop the script; PostgreSQL's own
//! CHECK_FOR_INTERRUPTS runs later, in Rust, after control has left QuickJS.

use std::cell::Cell;
use std::time::{Duration, Instant};

use crate::backend::BackendLocal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// PostgreSQL asked to cancel the query or end the backend.
    Postgres,
    /// plts.max_runtime_ms ran out.
    Deadline(u64),
}

static DEADLINE: BackendLocal<Cell<Option<(Instant, u64)>>> = BackendLocal::new(Cell::new(None));
static STOPPED: BackendLocal<Cell<Option<StopReason>>> = BackendLocal::new(Cell::new(None));

/// Arms the per-call deadline (`max_runtime_ms == 0` disables it) and clears the last reason.
pub fn arm(max_runtime_ms: u64) {
    let deadline = (max_runtime_ms > 0)
        .then(|| (Instant::now() + Duration::from_millis(max_runtime_ms), max_runtime_ms));
    DEADLINE.with(|d| d.set(deadline));
    STOPPED.with(|s| s.set(None));
}

/// Why the last script was stopped, if it was.
pub fn reason() -> Option<StopReason> {
    STOPPED.with(Cell::get)
}

/// The QuickJS interrupt handler. Runs every few thousand JS operations, so it stays cheap.
pub fn should_stop() -> bool {
    // SAFETY: plain reads of PostgreSQL's volatile interrupt flags, set by signal handlers.
    let pending = unsafe {
        std::ptr::read_volatile(&raw const pgrx::pg_sys::InterruptPending) != 0
            && (std::ptr::read_volatile(&raw const pgrx::pg_sys::QueryCancelPending) != 0
                || std::ptr::read_volatile(&raw const pgrx::pg_sys::ProcDiePending) != 0)
    };
    let reason = if pending {
        Some(StopReason::Postgres)
    } else {
        DEADLINE.with(Cell::get).filter(|(at, _)| Instant::now() >= *at).map(|(_, ms)| StopReason::Deadline(ms))
    };
    if let Some(r) = reason {
        STOPPED.with(|s| s.set(Some(r)));
    }
    reason.is_some()
}
