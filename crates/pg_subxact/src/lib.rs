//! Internal subtransactions, as PL/pgSQL's EXCEPTION blocks and PL/Python's
//! `plpy.subtransaction()` use them, and the fields of the errors they catch. Shared by plts
//! (each ctx.db statement and `ctx.db.transaction` block) and stopgap (a deploy attempt, a
//! prune's DROP), so both begin, end and report subtransactions the same way.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, RefUnwindSafe};

use pgrx::pg_sys::panic::CaughtError;
use pgrx::pg_sys::{self, PgTryBuilder};
use pgrx::PgSqlErrorCode;

/// An open internal subtransaction, with the memory context and resource owner that were
/// current when it began; ending it ([`SubTransaction::commit`], [`SubTransaction::rollback`])
/// makes them current again. It must be the innermost subtransaction when it ends.
#[must_use = "a subtransaction must be committed or rolled back"]
pub struct SubTransaction {
    context: pg_sys::MemoryContext,
    owner: pg_sys::ResourceOwner,
}

impl SubTransaction {
    /// Begins an internal subtransaction; the caller's memory context stays current.
    pub fn begin() -> Self {
        // SAFETY: BeginInternalSubTransaction switches to the subtransaction's memory context and
        // resource owner; the caller's context is made current again at once, and both are kept
        // to be restored when the subtransaction ends (PL/Python's sequence).
        unsafe {
            let context = pg_sys::CurrentMemoryContext;
            let owner = pg_sys::CurrentResourceOwner;
            pg_sys::BeginInternalSubTransaction(std::ptr::null());
            pg_sys::MemoryContextSwitchTo(context);
            SubTransaction { context, owner }
        }
    }

    /// The subtransaction's nesting level (`GetCurrentTransactionNestLevel`) while it is innermost.
    pub fn current_level() -> i32 {
        // SAFETY: a plain read of the transaction state.
        unsafe { pg_sys::GetCurrentTransactionNestLevel() }
    }

    /// Commits the subtransaction into its parent.
    pub fn commit(self) {
        // SAFETY: the type's contract: this is the innermost subtransaction.
        unsafe { pg_sys::ReleaseCurrentSubTransaction() };
        self.restore();
    }

    /// Rolls back what the subtransaction did.
    pub fn rollback(self) {
        // SAFETY: the type's contract: this is the innermost subtransaction.
        unsafe { pg_sys::RollbackAndReleaseCurrentSubTransaction() };
        self.restore();
    }

    fn restore(self) {
        // SAFETY: the context and owner were current when the subtransaction began, and outlive
        // it (they belong to its parent).
        unsafe {
            pg_sys::MemoryContextSwitchTo(self.context);
            pg_sys::CurrentResourceOwner = self.owner;
        }
    }
}

/// Runs `f` in an internal subtransaction: committed when `f` returns; rolled back when
/// PostgreSQL raises an ERROR inside it (or `f` panics), and the error comes back as a value, so
/// the caller can act on it and then re-raise it (`CaughtError::rethrow`) or go on.
// CaughtError is pgrx's own error value (a few hundred bytes); it is moved once, after an ERROR.
#[allow(clippy::result_large_err)]
pub fn run<R>(f: impl FnOnce() -> R) -> Result<R, CaughtError> {
    let open = Open(Cell::new(Some(SubTransaction::begin())));
    PgTryBuilder::new(AssertUnwindSafe(|| {
        let value = f();
        open.end(true);
        Ok(value)
    }))
    .catch_others(|error| {
        open.end(false);
        Err(error)
    })
    .execute()
}

/// The subtransaction of [`run`], until it ends.
struct Open(Cell<Option<SubTransaction>>);

// After an unwind the cell is only read to end the subtransaction, which is then the innermost
// one whatever `f` did.
impl RefUnwindSafe for Open {}

impl Open {
    fn end(&self, commit: bool) {
        match self.0.take() {
            Some(s) if commit => s.commit(),
            Some(s) => s.rollback(),
            None => {}
        }
    }
}

/// SQLSTATE, message, detail and hint of a caught error.
#[derive(Debug, Clone)]
pub struct ErrorFields {
    pub code: PgSqlErrorCode,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
}

impl ErrorFields {
    pub fn of(error: &CaughtError) -> Self {
        let report = match error {
            CaughtError::PostgresError(r) | CaughtError::ErrorReport(r) => r,
            CaughtError::RustPanic { ereport, .. } => ereport,
        };
        ErrorFields {
            code: report.sql_error_code(),
            message: report.message().to_string(),
            detail: report.detail().map(str::to_string),
            hint: report.hint().map(str::to_string),
        }
    }

    /// The five-character SQLSTATE (`42601`).
    pub fn sqlstate(&self) -> String {
        sqlstate(self.code)
    }
}

/// The five-character SQLSTATE of `code`, unpacked as PostgreSQL's PGUNSIXBIT does.
pub fn sqlstate(code: PgSqlErrorCode) -> String {
    let mut packed = code as isize;
    let mut text = String::with_capacity(5);
    for _ in 0..5 {
        text.push(char::from(b'0' + (packed & 0x3F) as u8));
        packed >>= 6;
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlstates_unpack_as_postgres_writes_them() {
        assert_eq!(sqlstate(PgSqlErrorCode::ERRCODE_SYNTAX_ERROR), "42601");
        assert_eq!(sqlstate(PgSqlErrorCode::ERRCODE_UNIQUE_VIOLATION), "23505");
        assert_eq!(sqlstate(PgSqlErrorCode::ERRCODE_READ_ONLY_SQL_TRANSACTION), "25006");
    }
}
