//! The native side of `ctx.db`, engine-neutral: the statement limits, the read-only mode of the
//! running call, cursors and transaction blocks, each on top of `spi`. The statement forms
//! (`(sql, params)`, `{ sql, params }`, `toSQL()`) and `transaction(fn)` are in prelude.js.

use std::rc::Rc;

use crate::call_frame;
use crate::db_error::DbError;
use crate::spi::{self, ExecOptions, Executed, Rows};
use crate::values::{Expect, JsOut, NaturalType};

/// A prepared statement, checked against the running call's limits.
pub struct Statement(Rc<spi::Prepared>);

impl Statement {
    /// What parameter `i`'s JS value is converted for (JSON, a row, or a value).
    pub fn param_expect(&self, i: usize) -> &Expect {
        self.0.param_expect(i)
    }
}

/// Checks `sql` and its parameter count against `plts.max_sql_bytes` and `plts.max_params`,
/// then prepares it (or finds it prepared). `natural(i)` is the natural type of parameter `i`'s
/// value, for parameters the SQL does not type.
pub fn prepare(sql: &str, param_count: usize, natural: impl Fn(usize) -> NaturalType) -> Result<Statement, DbError> {
    let limits = crate::gucs::db_limits();
    if sql.len() > limits.max_sql_bytes {
        return Err(DbError::new(
            "54000",
            format!("SQL text is {} bytes, more than plts.max_sql_bytes ({})", sql.len(), limits.max_sql_bytes),
        ));
    }
    if param_count > limits.max_params {
        return Err(DbError::new(
            "54000",
            format!("{param_count} parameters given, more than plts.max_params ({})", limits.max_params),
        ));
    }
    spi::prepare(sql, param_count, natural).map(Statement)
}

/// The error for SQL text that has no UTF-8 form.
pub fn lone_surrogate() -> DbError {
    DbError::new("22021", "the SQL text contains a lone surrogate, which has no UTF-8 form")
        .hint("Remove or pair the \\uD800-\\uDFFF code unit: PostgreSQL text is UTF-8 and cannot hold it.")
}

/// Runs a statement with the running call's read-only mode and row limit; `read` converts the
/// result rows where SPI left them.
pub fn run<T>(statement: &Statement, params: &[JsOut], read: impl FnOnce(&Rows) -> T) -> Result<Executed<T>, DbError> {
    let read_only = call_frame::with(|frame| frame.read_only);
    let max_rows = crate::gucs::db_limits().max_query_rows;
    spi::run(&statement.0, params, ExecOptions { read_only, max_rows }, read).map_err(|e| read_only_message(e, read_only))
}

/// Opens a cursor for a statement; returns its name.
pub fn open(statement: &Statement, params: &[JsOut]) -> Result<String, DbError> {
    let read_only = call_frame::with(|frame| frame.read_only);
    spi::cursors::open(&statement.0, params, read_only).map_err(|e| read_only_message(e, read_only))
}

/// The next rows of cursor `name`, `count` clamped to 1..=10^9.
pub fn fetch<T>(name: &str, count: f64, read: impl FnOnce(&Rows) -> T) -> Result<T, DbError> {
    spi::cursors::fetch(name, count.clamp(1.0, 1e9) as i64, read)
}

pub use spi::blocks::{begin, end};
pub use spi::cursors::close;
pub use spi::transaction_control::end_transaction;

/// Says that the handler is read-only when PostgreSQL refused a write for that reason.
fn read_only_message(mut error: DbError, read_only: bool) -> DbError {
    let refused = error.sqlstate == "25006"
        || (error.sqlstate == "0A000" && error.message.contains("non-volatile function"));
    if read_only && refused {
        error.message = format!("this plts handler is read-only: {}", error.message);
        error.hint = Some(
            "STABLE and IMMUTABLE plts functions and `query` handlers may only read; write from a VOLATILE function or a `mutation`."
                .into(),
        );
        error.sqlstate = "25006".into();
    }
    error
}
