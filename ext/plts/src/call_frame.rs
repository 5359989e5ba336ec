//! The state of the running plts call, in one place: its nesting depth, whether ctx.db may write,
//! its deadline, `ctx.now`, and the cursors and transaction blocks it opened.
//!
//! A call pushes a new frame ([`push`]) and gets back a guard that pops it when dropped, also when
//! an ERROR unwinds past it. Closing the call's cursors and rolling back its
//! open blocks needs SPI, so that part is done by `ctx::CallScope`, which owns the guard.
//!
//! Outside any call the frame has depth 0. State that a new kind of function adds to a call
//! (trigger data, a set-returning function's tuplestore, a procedure's transaction state) belongs
//! here too.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use pgrx::pg_sys;

use crate::backend::BackendLocal;

/// The limits of a call's engine, read from the GUCs when the call begins (`gucs::limits`);
/// nested calls inherit the deadline and heap limit of the outermost one. (ctx.db's limits on
/// statements are read per statement: `gucs::db_limits`.)
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_runtime_ms: u64,
    pub max_heap_bytes: usize,
    /// The lowest stack address a call may reach: where PostgreSQL's `check_stack_depth` stops
    /// (its stack base less `max_stack_depth`), so that JS recursion, and plts → SQL → plts
    /// nesting, go as deep as PL/pgSQL's do. 0 when the stack base is unknown.
    pub stack_floor: usize,
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
    pub deadline: Option<Deadline>,
    /// The transaction start, in milliseconds since the Unix epoch: what `ctx.now` reads.
    pub now_ms: f64,
    /// Portal names of the cursors this call opened and has not closed.
    pub cursors: Vec<String>,
    /// The transaction blocks this call opened and has not ended, innermost last.
    pub blocks: Vec<OpenBlock>,
    /// A trigger's transition tables, which its statements may query by their `REFERENCING`
    /// names.
    pub transition: Option<Transition>,
    /// ctx.db may commit and roll back: a CALL or DO outside a transaction block.
    pub nonatomic: bool,
    /// ctx.window's WindowObject, in a WINDOW function's call.
    pub window: Option<Window>,
    /// `XactReadOnly` when the call began: a read-only call makes the transaction read-only
    /// for its duration.
    xact_read_only: bool,
}

const OUTSIDE: CallFrame = CallFrame {
    depth: 0,
    read_only: false,
    deadline: None,
    now_ms: 0.0,
    cursors: Vec::new(),
    blocks: Vec::new(),
    transition: None,
    nonatomic: false,
    window: None,
    xact_read_only: false,
};

/// The frames of the running calls: `frames[depth]` is the innermost, `frames[0]` stands for
/// "outside any call". A call writes its frame into the next slot, so entering and leaving a call
/// copies no frame; the slots are kept for the backend, as many as the deepest nesting needed.
struct Frames {
    depth: usize,
    frames: Vec<CallFrame>,
}

static FRAMES: BackendLocal<RefCell<Frames>> = BackendLocal::new(RefCell::new(Frames { depth: 0, frames: Vec::new() }));

/// Milliseconds since the Unix epoch of the transaction start: `ctx.now`, like `now()`.
pub fn transaction_start_ms() -> f64 {
    let micros = crate::ffi::GetCurrentTransactionStartTimestamp();
    micros.div_euclid(1000) as f64 + 946_684_800_000.0
}

/// What a new call needs to say about itself.
pub struct Entry {
    pub read_only: bool,
    pub limits: Limits,
    pub now_ms: f64,
    /// A trigger's transition tables, when it has them.
    pub transition: Option<Transition>,
    /// A procedure called by CALL, or a DO block, outside a transaction block: ctx.db may
    /// commit and roll back.
    pub nonatomic: bool,
    /// A WINDOW function's call: its WindowObject, for ctx.window.
    pub window: Option<Window>,
}

/// A WINDOW function's call: its WindowObject and the actual types of its arguments (held by
/// the call, which outlives its frame).
#[derive(Clone, Copy)]
pub struct Window {
    pub object: *mut std::ffi::c_void,
    pub arg_types: *const [pg_sys::Oid],
}

/// A trigger's transition tables: its data, and the memory of its call, where each statement
/// registers them (a cursor opened on them outlives the statement's SPI connection).
#[derive(Clone, Copy)]
pub struct Transition {
    pub data: *mut pg_sys::TriggerData,
    pub memory: pg_sys::MemoryContext,
}

/// Pops the call's frame when dropped, also when an ERROR unwinds past it.
#[must_use = "the frame is popped when the guard is dropped"]
pub struct Pushed {
    depth: usize,
}

/// Makes `entry` the running call, one level deeper than the caller. A read-only call also
/// makes the transaction read-only, so that no path (nextval(), a writing function, NOTIFY) can
/// write.
///
/// How deep calls nest is bounded by the stack alone: a nested call first checks it as
/// PostgreSQL's own recursion does, and past `max_stack_depth` raises PostgreSQL's `54001` ERROR
/// ("stack depth limit exceeded", with its hint).
#[inline]
pub fn push(entry: Entry) -> Pushed {
    // SAFETY: XactReadOnly is a plain bool of the backend's transaction state; plts runs on the
    // backend's only thread.
    let xact_read_only = unsafe { pg_sys::XactReadOnly };
    let depth = FRAMES.with(|frames| {
        let Frames { depth, frames } = &mut *frames.borrow_mut();
        if *depth > 0 && crate::ffi::stack_is_too_deep() {
            too_deep();
        }
        if frames.len() <= *depth + 1 {
            grow(frames, *depth + 2);
        }
        let deadline = if *depth == 0 {
            (entry.limits.max_runtime_ms > 0).then(|| Deadline {
                at: Instant::now() + Duration::from_millis(entry.limits.max_runtime_ms),
                ms: entry.limits.max_runtime_ms,
            })
        } else {
            frames[*depth].deadline
        };
        *depth += 1;
        let frame = &mut frames[*depth];
        frame.depth = *depth;
        frame.read_only = entry.read_only;
        frame.deadline = deadline;
        frame.now_ms = entry.now_ms;
        frame.transition = entry.transition;
        frame.nonatomic = entry.nonatomic;
        frame.window = entry.window;
        frame.xact_read_only = xact_read_only;
        *depth
    });
    if depth == 1 {
        STOPPED.with(|s| s.set(None));
    }
    if entry.read_only {
        // SAFETY: as above; `Pushed` restores it when the call ends.
        unsafe { pg_sys::XactReadOnly = true };
    }
    Pushed { depth }
}

/// Raises PostgreSQL's ERROR for a stack past `max_stack_depth`.
#[cold]
fn too_deep() -> ! {
    // SAFETY: raises the ERROR through pgrx's guard, like any pg_sys call; nothing is held that
    // the unwinding would leave half-changed (the frame is not pushed yet).
    unsafe { pg_sys::check_stack_depth() };
    unreachable!("check_stack_depth raises when stack_is_too_deep")
}

/// Frame slots up to `len`, made once per depth a backend reaches.
#[cold]
fn grow(frames: &mut Vec<CallFrame>, len: usize) {
    while frames.len() < len {
        frames.push(OUTSIDE);
    }
}

impl Pushed {
    /// The cursors and transaction blocks the call left open, taken from its frame; `None` when
    /// it left none (the common case, in one look at the frame).
    #[inline]
    pub fn take_left_open(&self) -> Option<(Vec<String>, Vec<OpenBlock>)> {
        with_mut(|frame| {
            (!frame.cursors.is_empty() || !frame.blocks.is_empty())
                .then(|| (std::mem::take(&mut frame.cursors), std::mem::take(&mut frame.blocks)))
        })
    }
}

impl Drop for Pushed {
    #[inline]
    fn drop(&mut self) {
        let xact_read_only = FRAMES.with(|frames| {
            let Frames { depth, frames } = &mut *frames.borrow_mut();
            debug_assert_eq!(*depth, self.depth, "call frames are popped innermost first");
            let frame = &mut frames[self.depth];
            // After an ERROR the (sub)transaction abort has closed the cursors and ended the
            // blocks: only the lists are left to clear.
            frame.cursors.clear();
            frame.blocks.clear();
            *depth = self.depth - 1;
            frame.xact_read_only
        });
        // SAFETY: as in `push`. After an ERROR the (sub)transaction abort restores the flag
        // again, after this.
        unsafe { pg_sys::XactReadOnly = xact_read_only };
    }
}

/// Reads the running call's frame.
#[inline]
pub fn with<R>(f: impl FnOnce(&CallFrame) -> R) -> R {
    FRAMES.with(|frames| {
        let frames = frames.borrow();
        match frames.frames.get(frames.depth) {
            Some(frame) => f(frame),
            // Before the backend's first call.
            None => f(&OUTSIDE),
        }
    })
}

/// Changes the running call's frame; `f` must not call back into plts.
#[inline]
pub fn with_mut<R>(f: impl FnOnce(&mut CallFrame) -> R) -> R {
    FRAMES.with(|frames| {
        let Frames { depth, frames } = &mut *frames.borrow_mut();
        if frames.is_empty() {
            frames.push(OUTSIDE);
        }
        f(&mut frames[*depth])
    })
}

/// The nesting depth of the running call (0 outside any call).
#[inline]
pub fn depth() -> usize {
    FRAMES.with(|frames| frames.borrow().depth)
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
