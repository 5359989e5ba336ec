//! `ctx.db.commit()` and `ctx.db.rollback()`: ending the transaction of a procedure called by CALL
//! (or of a DO block) outside a transaction block, as PL/pgSQL's COMMIT and ROLLBACK do. A new
//! transaction starts at once and the handler goes on in it.

use pgrx::pg_sys;

use crate::call_frame;
use crate::db_error::DbError;

/// Commits (`commit`) or rolls back the running call's transaction and starts a new one. Cursors
/// the call opened are closed first (a commit ends them as it ends their transaction).
pub fn end_transaction(commit: bool) -> Result<(), DbError> {
    let what = if commit { "commit" } else { "rollback" };
    let (nonatomic, in_block) = call_frame::with(|frame| (frame.nonatomic, !frame.blocks.is_empty()));
    if !nonatomic {
        return Err(DbError::new("2D000", format!("ctx.db.{what}() is not allowed here: the call runs inside a transaction it cannot end"))
            .hint("Transaction control works in a procedure called by CALL, or a DO block, outside BEGIN ... COMMIT and not from a function or a nested call."));
    }
    if in_block {
        return Err(DbError::new("2D000", format!("ctx.db.{what}() is not allowed inside ctx.db.transaction"))
            .hint("End the ctx.db.transaction block first; it is a subtransaction of the transaction being ended."));
    }
    let cursors = call_frame::with_mut(|frame| std::mem::take(&mut frame.cursors));
    super::cursors::close_all(&cursors);
    // SAFETY: a non-atomic SPI connection lets SPI end the transaction and start the next; the
    // connection survives it (SPI marks it internal for the switch) and is closed after. An ERROR
    // at commit (a deferred constraint) leaves a new transaction started and propagates.
    unsafe {
        pg_sys::SPI_connect_ext(pg_sys::SPI_OPT_NONATOMIC as i32);
        if commit {
            pg_sys::SPI_commit();
        } else {
            pg_sys::SPI_rollback();
        }
        pg_sys::SPI_finish();
    }
    // ctx.now is the new transaction's start, as now() is.
    let now = call_frame::transaction_start_ms();
    call_frame::with_mut(|frame| frame.now_ms = now);
    Ok(())
}
