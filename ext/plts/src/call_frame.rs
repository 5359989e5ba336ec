//! The state of the running plts call, in one place: its nesting depth, whether ctx.db may write,
//! its limits and deadline, `ctx.now`, and the cursors and transaction blocks it opened.
//!
//! A call pushes a new frame ([`push`]) and gets back a guard that puts the caller's frame back when
//! it is dropped, also when an ERROR unwinds past it. Closing the call's cursors and rolling back its
//! open blocks needs SPI, so that part is done by `ctx::CallScope`, which owns the guard.
//!
//! Outside any call the frame has depth 0. State that a new kind of function adds to a call
//! (trigger data, a set-returning function's tuplestore, a procedure's transaction state) belongs
//! here too.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use pgrx::pg_sys;

use crate::backend::BackendLocal;

/// plts → SQL → plts nesting deeper than this is an error.
pub const MAX_DEPTH: usize = 8;

/// Limits applied to each call, read from the GUCs once when the outermost call begins
/// (`gucs::limits`); nested calls inherit the deadline and heap limit of the outermost one.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_runtime_ms: u64,
    pub max_heap_bytes: usize,
    pub max_stack_bytes: usize,
    /// Longest SQL text ctx.db accepts (`plts.max_sql_bytes`).
    pub max_sql_bytes: usize,
    /// Most parameters of one ctx.db statement (`plts.max_params`).
    pub max_params: usize,
    /// Most rows one ctx.db statement may return (`plts.max_query_rows`).
    pub max_query_rows: u64,
}

impl Limits {
    /// No limits: the frame outside any call.
    const NONE: Limits = Limits {
        max_runtime_ms: 0,
        max_heap_bytes: usize::MAX,
        max_stack_bytes: usize::MAX,
        max_sql_bytes: usize::MAX,
        max_params: usize::MAX,
        max_query_rows: u64::MAX,
    };
}

/// When a call must stop: the instant, and the `plts.max_runtime_ms` it came from (for the error).
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    pub at: Instant,
    pub ms: u64,
}

/// A `ctx.db.transaction` block: its subtransaction, and that one's nesting level.
pub struct OpenBlock {
    pub level: i32,
    pub subtransaction: pg_subxact::SubTransaction,
}

pub struct CallFrame {
    /// 1 for a call made from SQL, 2 for a plts call made by that call's SQL, and so on.
    pub depth: usize,
    /// ctx.db may only read (STABLE/IMMUTABLE functions, `query` handlers).
    pub read_only: bool,
    pub limits: Limits,
    pub deadline: Option<Deadline>,
    /// The transaction start, in milliseconds since the Unix epoch: what `ctx.now` reads.
    pub now_ms: f64,
    /// Portal names of the cursors this call opened and has not closed.
    pub cursors: Vec<String>,
    /// The transaction blocks this call opened and has not ended, innermost last.
    pub blocks: Vec<OpenBlock>,
    /// `XactReadOnly` when the call began: a read-only call makes the transaction read-only
    /// for its duration.
    xact_read_only: bool,
}

const OUTSIDE: CallFrame = CallFrame {
    depth: 0,
    read_only: false,
    limits: Limits::NONE,
    deadline: None,
    now_ms: 0.0,
    cursors: Vec::new(),
    blocks: Vec::new(),
    xact_read_only: false,
};

static FRAME: BackendLocal<RefCell<CallFrame>> = BackendLocal::new(RefCell::new(OUTSIDE));

/// What a new call needs to say about itself.
pub struct Entry {
    pub read_only: bool,
    pub limits: Limits,
    pub now_ms: f64,
}

/// Puts the caller's frame back when dropped.
#[must_use = "the frame is popped when the guard is dropped"]
pub struct Pushed {
    caller: Option<CallFrame>,
}

/// Makes `entry` the running call, one level deeper than the caller. A read-only call also makes
/// the transaction read-only, so that no path (nextval(), a writing function, NOTIFY) can write.
pub fn push(entry: Entry) -> Pushed {
    // SAFETY: XactReadOnly is a plain bool of the backend's transaction state; plts runs on the
    // backend's only thread.
    let xact_read_only = unsafe { pg_sys::XactReadOnly };
    let frame = FRAME.with(|current| {
        let current = current.borrow();
        let deadline = if current.depth == 0 {
            (entry.limits.max_runtime_ms > 0).then(|| Deadline {
                at: Instant::now() + Duration::from_millis(entry.limits.max_runtime_ms),
                ms: entry.limits.max_runtime_ms,
            })
        } else {
            current.deadline
        };
        CallFrame {
            depth: current.depth + 1,
            read_only: entry.read_only,
            limits: entry.limits,
            deadline,
            now_ms: entry.now_ms,
            cursors: Vec::new(),
            blocks: Vec::new(),
            xact_read_only,
        }
    });
    if frame.depth == 1 {
        STOPPED.with(|s| s.set(None));
    }
    if entry.read_only {
        // SAFETY: as above; `Pushed` restores it when the call ends.
        unsafe { pg_sys::XactReadOnly = true };
    }
    let caller = FRAME.with(|current| std::mem::replace(&mut *current.borrow_mut(), frame));
    Pushed { caller: Some(caller) }
}

impl Drop for Pushed {
    fn drop(&mut self) {
        let caller = self.caller.take().expect("dropped once");
        let ended = FRAME.with(|current| std::mem::replace(&mut *current.borrow_mut(), caller));
        // SAFETY: as in `push`. After an ERROR the (sub)transaction abort restores the flag
        // again, after this.
        unsafe { pg_sys::XactReadOnly = ended.xact_read_only };
    }
}

/// Reads the running call's frame.
pub fn with<R>(f: impl FnOnce(&CallFrame) -> R) -> R {
    FRAME.with(|frame| f(&frame.borrow()))
}

/// Changes the running call's frame; `f` must not call back into plts.
pub fn with_mut<R>(f: impl FnOnce(&mut CallFrame) -> R) -> R {
    FRAME.with(|frame| f(&mut frame.borrow_mut()))
}

/// The nesting depth of the running call (0 outside any call).
pub fn depth() -> usize {
    with(|f| f.depth)
}

/// Makes the rest of the running call read-only (a `query` handler called from a VOLATILE
/// function): ctx.db, and the transaction until the call ends.
pub fn enter_read_only() {
    with_mut(|f| f.read_only = true);
    // SAFETY: as in `push`; `Pushed` restores it when the call ends.
    unsafe { pg_sys::XactReadOnly = true };
}

/// Why the last script was stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// PostgreSQL asked to cancel the query or end the backend (a cancel, `statement_timeout`).
    Postgres,
    /// `plts.max_runtime_ms` ran out.
    Deadline(u64),
}

static STOPPED: BackendLocal<std::cell::Cell<Option<StopReason>>> = BackendLocal::new(std::cell::Cell::new(None));

/// Whether the running script must stop, for the engine's interrupt hook, which runs every few
/// thousand JS operations: so it only reads flags and the clock. PostgreSQL's own
/// CHECK_FOR_INTERRUPTS runs later, in Rust, once control has left the engine.
pub fn should_stop() -> bool {
    // SAFETY: plain reads of PostgreSQL's interrupt flags, which signal handlers set (hence volatile).
    let pending = unsafe {
        std::ptr::read_volatile(&raw const pg_sys::InterruptPending) != 0
            && (std::ptr::read_volatile(&raw const pg_sys::QueryCancelPending) != 0
                || std::ptr::read_volatile(&raw const pg_sys::ProcDiePending) != 0)
    };
    let reason = if pending {
        Some(StopReason::Postgres)
    } else {
        with(|f| f.deadline).filter(|d| Instant::now() >= d.at).map(|d| StopReason::Deadline(d.ms))
    };
    if let Some(r) = reason {
        STOPPED.with(|s| s.set(Some(r)));
    }
    reason.is_some()
}

/// Why the last script was stopped, if it was since the outermost call began.
pub fn stop_reason() -> Option<StopReason> {
    STOPPED.with(std::cell::Cell::get)
}
