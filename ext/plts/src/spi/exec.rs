//! Executing a prepared statement, and reading its result rows where SPI left them.

use std::ffi::CStr;

use pgrx::pg_sys::{self, Oid};

use super::plans::Prepared;
use super::subxact::in_subtransaction;
use crate::datum;
use crate::db_error::DbError;
use crate::values::{JsOut, SqlRef};

/// How a statement may run.
#[derive(Debug, Clone, Copy)]
pub struct ExecOptions {
    pub read_only: bool,
    /// Most rows a statement may return (`plts.max_query_rows`).
    pub max_rows: u64,
}

/// What a statement did: the result of the caller's row reader, and the row count and command.
pub struct Executed<T> {
    pub rows: T,
    pub row_count: u64,
    pub command: &'static str,
}

/// The rows of a statement's SPI result, readable only inside the reader given to [`run`] or
/// `cursors::fetch`: the reader converts them where they lie, before SPI frees them, with no copy.
pub struct Rows {
    table: *mut pg_sys::SPITupleTable,
    count: usize,
}

impl Rows {
    /// SPI's result (`table` may be null: no rows).
    pub(super) fn of(table: *mut pg_sys::SPITupleTable, processed: u64) -> Self {
        Rows { table, count: if table.is_null() { 0 } else { processed as usize } }
    }

    /// How many rows there are.
    pub fn len(&self) -> usize {
        self.count
    }

    /// How many columns each row has (none for a statement that returns no rows).
    pub fn columns(&self) -> usize {
        // SAFETY: a non-null table is SPI's live result, with its tuple descriptor.
        if self.table.is_null() { 0 } else { unsafe { (*(*self.table).tupdesc).natts as usize } }
    }

    fn attribute(&self, column: usize) -> &pg_sys::FormData_pg_attribute {
        assert!(column < self.columns(), "column {column} out of range");
        // SAFETY: `column` is below natts (checked), and the descriptor lives as long as the result.
        unsafe {
            &crate::pg_version::attributes((*self.table).tupdesc)[column]
        }
    }

    /// The name of `column` (0-based).
    pub fn name(&self, column: usize) -> &CStr {
        // SAFETY: attname is a NUL-terminated NameData inside the live descriptor.
        unsafe { CStr::from_ptr(self.attribute(column).attname.data.as_ptr()) }
    }

    /// The type of `column` (0-based).
    pub fn type_oid(&self, column: usize) -> Oid {
        self.attribute(column).atttypid
    }

    /// The value of `column` in `row` (both 0-based): the common scalars as they are, text
    /// borrowed from the row, other types converted. It lives as long as the result: convert it
    /// inside the reader.
    pub fn cell(&self, row: usize, column: usize) -> SqlRef<'_> {
        assert!(row < self.count && column < self.columns(), "row {row}, column {column} out of range");
        let mut is_null = false;
        // SAFETY: `row` is below the row count (checked), so `vals[row]` is a live tuple of the
        // table, and `column + 1` a valid attribute number of its descriptor.
        let datum = unsafe {
            let tuple = *(*self.table).vals.add(row);
            pg_sys::SPI_getbinval(tuple, (*self.table).tupdesc, column as i32 + 1, &mut is_null)
        };
        if is_null {
            return SqlRef::Null;
        }
        match self.type_oid(column) {
            pg_sys::BOOLOID => SqlRef::Bool(datum.value() != 0),
            pg_sys::INT2OID => SqlRef::Int(i32::from(datum.value() as i16)),
            pg_sys::INT4OID => SqlRef::Int(datum.value() as i32),
            pg_sys::NUMERICOID => SqlRef::String(crate::numeric::text(datum)),
            typ @ (pg_sys::TEXTOID | pg_sys::VARCHAROID) => {
                // SAFETY: a text or varchar column's value is a varlena that lives as long as the result.
                match std::str::from_utf8(unsafe { datum::varlena_bytes(datum) }) {
                    Ok(text) => SqlRef::Text(text),
                    Err(_) => SqlRef::Value(datum::to_sql_value(datum, false, typ)),
                }
            }
            typ => SqlRef::Value(datum::to_sql_value(datum, false, typ)),
        }
    }
}

/// Binds `params` to the statement's parameter types and executes it, in one subtransaction
/// (input functions may raise too); `read` gets the result rows (none unless it returned rows).
pub fn run<T>(
    prepared: &Prepared,
    params: &[JsOut],
    opts: ExecOptions,
    read: impl FnOnce(&Rows) -> T,
) -> Result<Executed<T>, DbError> {
    prepared.check_count(params.len())?;
    in_subtransaction(|| {
        let datums = bind(prepared, params)?;
        // SAFETY: inside the subtransaction, which catches the ERRORs SPI raises.
        unsafe { execute_now(prepared, &datums, opts, read) }
    })
}

/// Converts JS values to the statement's parameter types; a value that does not fit is an
/// error naming the parameter.
pub(super) fn bind(prepared: &Prepared, params: &[JsOut]) -> Result<Vec<Option<pg_sys::Datum>>, DbError> {
    params
        .iter()
        .zip(&prepared.param_types)
        .enumerate()
        .map(|(i, (value, typ))| {
            datum::from_js_out(value, *typ).map_err(|m| {
                DbError::new("42804", format!("parameter ${} expects {}, got {}{}", i + 1, m.expected, m.got, m.place()))
                    .hint("Convert the value in JS, or cast the parameter in SQL (e.g. $1::text).")
            })
        })
        .collect()
}

/// # Safety
/// Must run inside [`in_subtransaction`]: SPI may raise an ERROR.
unsafe fn execute_now<T>(
    prepared: &Prepared,
    params: &[Option<pg_sys::Datum>],
    opts: ExecOptions,
    read: impl FnOnce(&Rows) -> T,
) -> Result<Executed<T>, DbError> {
    let (mut values, nulls) = spi_args(params);
    let limit = if prepared.is_select { opts.max_rows.saturating_add(1) as i64 } else { 0 };
    // SAFETY: the caller catches ERRORs; `values` and `nulls` have one entry per parameter (or
    // `nulls` is empty: no NULLs); SPI's result is read before SPI_finish frees it.
    unsafe {
        pg_sys::SPI_connect();
        super::register_transition_tables();
        let code = pg_sys::SPI_execute_plan(
            prepared.plan,
            values.as_mut_ptr(),
            if nulls.is_empty() { std::ptr::null() } else { nulls.as_ptr() },
            opts.read_only,
            limit as _,
        );
        if code == pg_sys::SPI_ERROR_TRANSACTION {
            pg_sys::SPI_finish();
            return Err(DbError::new("2D000", "transaction control statements cannot run through ctx.db.exec or ctx.db.query")
                .hint("In a procedure called by CALL, use ctx.db.commit() or ctx.db.rollback(); for a savepoint, ctx.db.transaction(fn)."));
        }
        if code == pg_sys::SPI_ERROR_COPY {
            pg_sys::SPI_finish();
            return Err(DbError::new("0A000", "COPY from or to the client (STDIN, STDOUT) cannot run through ctx.db")
                .hint("Write rows with INSERT ... SELECT or ctx.db.exec per batch, or return them from a set-returning function; COPY with a server file name runs as usual."));
        }
        if code < 0 {
            pg_sys::SPI_finish();
            return Err(DbError::new("XX000", format!("SPI_execute_plan failed (code {code})")));
        }
        let processed = pg_sys::SPI_processed;
        let table = pg_sys::SPI_tuptable;
        if !table.is_null() && processed > opts.max_rows {
            pg_sys::SPI_finish();
            return Err(DbError::new(
                "54000",
                format!("query returned more than plts.max_query_rows ({}) rows", opts.max_rows),
            )
            .hint("Walk large results with ctx.db.cursor(sql, params), or raise plts.max_query_rows."));
        }
        let rows = read(&Rows::of(table, processed));
        pg_sys::SPI_finish();
        Ok(Executed { rows, row_count: processed, command: command_name(code) })
    }
}

/// Parameter values and SPI's null flags (`'n'` for NULL, `' '` otherwise).
pub(super) fn spi_args(params: &[Option<pg_sys::Datum>]) -> (Vec<pg_sys::Datum>, Vec<std::ffi::c_char>) {
    let values = params.iter().map(|p| p.unwrap_or(pg_sys::Datum::from(0))).collect();
    let nulls = params.iter().map(|p| if p.is_some() { b' ' } else { b'n' } as std::ffi::c_char).collect();
    (values, nulls)
}

fn command_name(code: i32) -> &'static str {
    match code as u32 {
        pg_sys::SPI_OK_SELECT | pg_sys::SPI_OK_SELINTO => "SELECT",
        pg_sys::SPI_OK_INSERT | pg_sys::SPI_OK_INSERT_RETURNING => "INSERT",
        pg_sys::SPI_OK_UPDATE | pg_sys::SPI_OK_UPDATE_RETURNING => "UPDATE",
        pg_sys::SPI_OK_DELETE | pg_sys::SPI_OK_DELETE_RETURNING => "DELETE",
        pg_sys::SPI_OK_MERGE => "MERGE",
        pg_sys::SPI_OK_UTILITY => "UTILITY",
        _ => "OTHER",
    }
}
