//! `ctx.db.transaction(fn)` blocks: a subtransaction that stays open while `fn` runs, possibly
//! across awaits. The running call's frame lists the open ones, innermost last; `ctx::CallScope`
//! rolls back what is left when the call ends.

use pg_subxact::SubTransaction;

use crate::call_frame::{self, OpenBlock};
use crate::db_error::DbError;

/// Opens a subtransaction and returns its nesting level.
pub fn begin() -> i32 {
    let subtransaction = SubTransaction::begin();
    let level = SubTransaction::current_level();
    call_frame::with_mut(|frame| frame.blocks.push(OpenBlock { level, subtransaction }));
    level
}

/// Commits (`commit`) or rolls back the subtransaction `level`, which must be the innermost.
pub fn end(level: i32, commit: bool) -> Result<(), DbError> {
    let top = call_frame::with(|frame| frame.blocks.last().map(|b| b.level));
    if top != Some(level) || SubTransaction::current_level() != level {
        return Err(DbError::new("25000", "ctx.db.transaction blocks must not overlap")
            .hint("Await one transaction before starting the next; do not run transactions in parallel."));
    }
    let block = call_frame::with_mut(|frame| frame.blocks.pop()).expect("checked above");
    if commit {
        block.subtransaction.commit();
    } else {
        block.subtransaction.rollback();
    }
    Ok(())
}

/// Rolls back the blocks a call left open (its promise never settled, or it failed half-way),
/// innermost first.
pub fn abandon(blocks: Vec<OpenBlock>) {
    for block in blocks.into_iter().rev() {
        if SubTransaction::current_level() != block.level {
            break; // already ended by an ERROR's abort
        }
        block.subtransaction.rollback();
    }
}
