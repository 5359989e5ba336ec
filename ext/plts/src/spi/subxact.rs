//! The internal subtransaction around each ctx.db statement, and the statement's scratch memory.

use std::cell::{Cell, RefCell};

use pg_subxact::{ErrorFields, SubTransaction};
use pgrx::pg_sys;

use crate::backend::BackendLocal;
use crate::call_frame;
use crate::db_error::DbError;

static ERROR_POSITION: BackendLocal<Cell<i32>> = BackendLocal::new(Cell::new(0));

/// Scratch memory of the statements of the calls at each nesting depth (a plts function whose
/// statement calls another plts function runs the inner one's statements a level deeper). What a
/// statement pallocs — bound parameters, parse trees, detoasted values — is freed when the
/// statement ends, so a loop of statements runs in bounded memory.
static SCRATCH: BackendLocal<RefCell<Vec<pg_sys::MemoryContext>>> = BackendLocal::new(RefCell::new(Vec::new()));

/// The scratch context of nesting level `level`, made on first use and kept for the backend.
fn scratch_context(level: usize) -> pg_sys::MemoryContext {
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        while scratch.len() <= level {
            // SAFETY: a child of TopMemoryContext lives as long as the backend; the sizes are
            // PostgreSQL's own defaults.
            let context = unsafe {
                pg_sys::AllocSetContextCreateInternal(
                    pg_sys::TopMemoryContext,
                    c"plts statement".as_ptr(),
                    pg_sys::ALLOCSET_DEFAULT_MINSIZE as usize,
                    pg_sys::ALLOCSET_DEFAULT_INITSIZE as usize,
                    pg_sys::ALLOCSET_DEFAULT_MAXSIZE as usize,
                )
            };
            scratch.push(context);
        }
        scratch[level]
    })
}

/// Runs `f` in an internal subtransaction: committed when `f` returns, rolled back (with the
/// error captured as a [`DbError`]) when PostgreSQL raises an ERROR inside it. `f` runs in a
/// scratch memory context that is emptied afterwards: what it returns must not point into memory
/// it palloc'd.
pub fn in_subtransaction<T>(f: impl FnOnce() -> Result<T, DbError>) -> Result<T, DbError> {
    // Statements of one call run one after another; a statement that runs a nested plts call
    // runs that call's statements one level deeper.
    let scratch = scratch_context(call_frame::depth().saturating_sub(1));
    // SAFETY: the scratch context is emptied only while no statement uses it (before this one
    // and after it). The probe lives on this stack frame and is unlinked before the frame ends,
    // also when `f` unwinds (catch_unwind below stops the unwinding here).
    unsafe {
        // Emptied before use too: a statement an ERROR unwound past (not caught below) left it.
        pg_sys::MemoryContextReset(scratch);
        let subtransaction = SubTransaction::begin();
        pg_sys::MemoryContextSwitchTo(scratch);
        // Records the error position: pgrx's error capture keeps SQLSTATE, message, detail and
        // hint, but not the cursor position.
        ERROR_POSITION.with(|p| p.set(0));
        let mut probe = pg_sys::ErrorContextCallback {
            previous: pg_sys::error_context_stack,
            callback: Some(record_position),
            arg: std::ptr::null_mut(),
        };
        pg_sys::error_context_stack = &raw mut probe;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        if pg_sys::error_context_stack == &raw mut probe {
            pg_sys::error_context_stack = probe.previous;
        }
        if matches!(outcome, Ok(Ok(_))) {
            subtransaction.commit();
        } else {
            subtransaction.rollback();
        }
        let result = match outcome {
            Ok(result) => result,
            Err(payload) => Err(caught(payload)),
        };
        pg_sys::MemoryContextReset(scratch);
        result
    }
}

/// Turns a caught panic (a PostgreSQL ERROR re-raised by pgrx, or a Rust panic) into a [`DbError`].
fn caught(payload: Box<dyn std::any::Any + Send>) -> DbError {
    let position = ERROR_POSITION.with(|p| p.replace(0));
    match payload.downcast::<pgrx::pg_sys::panic::CaughtError>() {
        Ok(caught) => {
            let fields = ErrorFields::of(&caught);
            on_standby(DbError {
                sqlstate: fields.sqlstate(),
                message: fields.message,
                detail: fields.detail,
                hint: fields.hint,
                position: (position > 0).then_some(position),
            })
        }
        Err(other) => {
            let text = other
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| other.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "internal error".into());
            DbError::new("XX000", text)
        }
    }
}

/// A write refused because the server is a hot standby (25006 in recovery) says so, and where
/// writes go; PostgreSQL's own message only says the transaction is read-only.
fn on_standby(mut error: DbError) -> DbError {
    if error.sqlstate == "25006" && pg_read::on_standby() {
        error.message.push_str(" (this server is a read-only standby; writes go to the primary)");
        error.hint.get_or_insert_with(|| pg_read::STANDBY_HINT.into());
    }
    error
}

/// The error context callback of [`in_subtransaction`]: it only records the error position.
unsafe extern "C-unwind" fn record_position(_arg: *mut std::ffi::c_void) {
    // SPI's own callback (which runs first) moves syntax-error positions to the internal position.
    // SAFETY: error context callbacks run while an error is being reported, when these two
    // accessors of the error data are valid.
    let position = unsafe { pg_sys::geterrposition().max(pg_sys::getinternalerrposition()) };
    ERROR_POSITION.with(|p| p.set(position));
}
