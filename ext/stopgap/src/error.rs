//! Reporting from stopgap: every error carries a SQLSTATE, a message that says what was
//! wrong, and where useful a hint that says what to do. One helper for every level.

use pgrx::pg_sys::panic::ErrorReport;
use pgrx::{PgLogLevel, PgSqlErrorCode};

fn report(level: PgLogLevel, code: PgSqlErrorCode, message: String, detail: Option<String>, hint: Option<String>) {
    let mut report = ErrorReport::new(code, message, "stopgap");
    if let Some(d) = detail {
        report = report.set_detail(d);
    }
    if let Some(h) = hint {
        report = report.set_hint(h);
    }
    report.report(level);
}

/// Raises an ERROR.
pub fn raise(code: PgSqlErrorCode, message: impl Into<String>, detail: Option<String>, hint: Option<String>) -> ! {
    report(PgLogLevel::ERROR, code, message.into(), detail, hint);
    unreachable!("ERROR does not return")
}

/// Refuses `action` (deploy, roll back, ...) at once on a hot standby, where it could only fail
/// later, halfway, on its first write.
pub fn refuse_on_standby(action: &str) {
    if pg_read::on_standby() {
        raise(
            PgSqlErrorCode::ERRCODE_READ_ONLY_SQL_TRANSACTION,
            format!("cannot {action} on a read-only standby"),
            None,
            Some(pg_read::STANDBY_HINT.into()),
        );
    }
}

/// Emits a NOTICE: information about what a call did; the call goes on.
pub fn notice(message: impl Into<String>, detail: Option<String>) {
    report(PgLogLevel::NOTICE, PgSqlErrorCode::ERRCODE_SUCCESSFUL_COMPLETION, message.into(), detail, None);
}

/// Emits a WARNING: something beside the main work went wrong; the call goes on.
pub fn warning(message: impl Into<String>, hint: Option<String>) {
    report(PgLogLevel::WARNING, PgSqlErrorCode::ERRCODE_WARNING, message.into(), None, hint);
}
