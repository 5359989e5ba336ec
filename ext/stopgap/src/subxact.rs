//! Running a closure in an internal subtransaction, as PL/pgSQL's EXCEPTION blocks and
//! PL/Python's `plpy.subtransaction()` do: an ERROR inside rolls back exactly what the
//! closure did and comes back as a value, so the caller can act on it (deploy records the
//! failure, prune skips a function that others depend on) and then re-raise or go on.

use std::panic::AssertUnwindSafe;

use pgrx::pg_sys::panic::CaughtError;
use pgrx::pg_sys::{self, PgTryBuilder};

pub fn run<R>(f: impl FnOnce() -> R) -> Result<R, CaughtError> {
    // SAFETY: called from a SQL function, so a transaction is in progress, which
    // BeginInternalSubTransaction requires (a NULL name is allowed). `context` and `owner`
    // belong to the enclosing (sub)transaction and outlive the one begun here; switching back
    // to `context` after Begin, and to both after Release or RollbackAndRelease, is what
    // PL/Python's plpy_spi.c does. The subtransaction begun here is the current one when it
    // ends (SPI refuses SAVEPOINT and RELEASE, so `f` cannot leave one of its own open), and
    // it ends once: Release when `f` returns, RollbackAndRelease when `f` or that Release
    // raised (the Release sits inside the try, as in PL/Python). The CaughtError owns copies
    // of the error's fields (pgrx copied the ErrorData and flushed the error state), so the
    // rollback frees nothing it points to.
    unsafe {
        let context = pg_sys::CurrentMemoryContext;
        let owner = pg_sys::CurrentResourceOwner;
        pg_sys::BeginInternalSubTransaction(std::ptr::null());
        pg_sys::MemoryContextSwitchTo(context);
        let restore = move || {
            pg_sys::MemoryContextSwitchTo(context);
            pg_sys::CurrentResourceOwner = owner;
        };
        PgTryBuilder::new(AssertUnwindSafe(|| {
            let value = f();
            pg_sys::ReleaseCurrentSubTransaction();
            restore();
            Ok(value)
        }))
        .catch_others(move |error| {
            pg_sys::RollbackAndReleaseCurrentSubTransaction();
            restore();
            Err(error)
        })
        .execute()
    }
}

/// SQLSTATE, message, detail and hint of a caught error.
pub struct ErrorParts {
    pub code: pgrx::PgSqlErrorCode,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
}

pub fn parts(error: &CaughtError) -> ErrorParts {
    let report = match error {
        CaughtError::PostgresError(r) | CaughtError::ErrorReport(r) => r,
        CaughtError::RustPanic { ereport, .. } => ereport,
    };
    ErrorParts {
        code: report.sql_error_code(),
        message: report.message().to_string(),
        detail: report.detail().map(str::to_string),
        hint: report.hint().map(str::to_string),
    }
}

/// The five-character SQLSTATE of `code` (`42601`), unpacked as PostgreSQL's PGUNSIXBIT does.
pub fn sqlstate(code: pgrx::PgSqlErrorCode) -> String {
    let mut packed = code as isize;
    let mut text = String::with_capacity(5);
    for _ in 0..5 {
        text.push(char::from(b'0' + (packed & 0x3F) as u8));
        packed >>= 6;
    }
    text
}
