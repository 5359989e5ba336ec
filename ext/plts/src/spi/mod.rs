//! SQL for `ctx.db` through SPI. Each statement runs in an internal subtransaction of the
//! caller's transaction, so a failing statement rolls back alone and becomes a JS error instead of
//! ending the call (as PL/Python and plv8 do).
//!
//! - [`subxact`]: the subtransaction and scratch memory around each statement, and the caught error;
//! - [`plans`]: prepared statements, with the parameter types the server infers, in a bounded cache;
//! - [`exec`]: binding parameters, executing, and the result rows where SPI left them;
//! - [`cursors`]: portals that stay open across statements;
//! - [`blocks`]: `ctx.db.transaction` blocks;
//! - [`transaction_control`]: `ctx.db.commit()` and `ctx.db.rollback()` in procedures.

pub mod blocks;
pub mod cursors;
pub mod exec;
pub mod plans;
pub mod subxact;
pub mod transaction_control;

pub use exec::{run, ExecOptions, Executed, Rows};
pub use plans::{prepare, Prepared};

/// After SPI_connect: the running trigger's transition tables become visible to the statement by
/// their `REFERENCING` names.
///
/// # Safety
/// Must be called inside an SPI connection.
pub(crate) unsafe fn register_transition_tables() {
    let Some(transition) = crate::call_frame::with(|frame| frame.transition) else { return };
    // SAFETY: the frame's trigger data and memory belong to the running trigger call; the
    // registration is made in that memory, which lives until the call ends.
    unsafe {
        let previous = pgrx::pg_sys::MemoryContextSwitchTo(transition.memory);
        pgrx::pg_sys::SPI_register_trigger_data(transition.data);
        pgrx::pg_sys::MemoryContextSwitchTo(previous);
    }
}
