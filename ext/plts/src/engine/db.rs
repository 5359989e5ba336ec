//! The native side of `ctx.db` and `ctx.log`: JS arguments in, SPI through `crate::spi`, JS
//! values out. The statement forms and transaction blocks are in prelude.js.

use std::cell::Cell;

use rquickjs::function::Func;
use rquickjs::{qjs, Array, Ctx, Exception, Function, Object, Result, String as JsString, Value};

use super::{convert, raw};
use super::json_out::PlainShapes;
use crate::backend::BackendLocal;
use crate::spi::{self, DbError, ExecOptions};

/// Whether the running call may write (false for STABLE/IMMUTABLE functions and queries).
static READ_ONLY: BackendLocal<Cell<bool>> = BackendLocal::new(Cell::new(false));

/// Sets the read-only mode of the running call; returns the previous one (nested calls).
pub fn set_read_only(read_only: bool) -> bool {
    READ_ONLY.with(|r| r.replace(read_only))
}

/// Installs `ctx.db` and `ctx.log` in a new context (prelude.js applied to the native
/// functions) and returns what the invokers need, `{ context }` (engine/invoker.rs),
/// with the context's plain shapes (for values written as JSON).
pub fn install<'js>(ctx: &Ctx<'js>) -> Result<(Object<'js>, PlainShapes)> {
    let shapes = PlainShapes::of(ctx)?;
    let native = Object::new(ctx.clone())?;
    native.set(
        "run",
        Func::from(move |ctx: Ctx<'js>, sql: JsString<'js>, params: Array<'js>, want_rows: bool| {
            run(ctx, sql, params, want_rows, &shapes)
        }),
    )?;
    native.set("begin", Func::from(|| spi::begin()))?;
    native.set("end", Func::from(end))?;
    native.set("log", Func::from(log))?;
    native.set(
        "open",
        Func::from(move |ctx: Ctx<'js>, sql: JsString<'js>, params: Array<'js>| open(ctx, sql, params, &shapes)),
    )?;
    native.set("fetch", Func::from(fetch))?;
    native.set("close", Func::from(|name: String| spi::close_cursor(&name)))?;
    native.set("now", Func::from(super::invoker::now_ms))?;
    let build: Function = super::eval_internal(ctx, include_str!("prelude.js"))?;
    Ok((build.call((native,))?, shapes))
}

/// The SQL text, borrowed from QuickJS (a Rust String per statement costs a copy).
fn sql_text(ctx: &Ctx<'_>, sql: &JsString<'_>) -> Result<raw::Utf8> {
    unsafe { raw::Utf8::of_value(ctx.as_raw().as_ptr(), sql.as_raw()) }.ok_or(rquickjs::Error::Exception)
}

fn sql_str<'a>(ctx: &Ctx<'_>, sql: &'a raw::Utf8) -> Result<&'a str> {
    sql.as_str().ok_or_else(|| {
        let error = DbError::new("22021", "the SQL text contains a lone surrogate, which has no UTF-8 form")
            .hint("Remove or pair the \\uD800-\\uDFFF code unit: PostgreSQL text is UTF-8 and cannot hold it.");
        throw(ctx, error)
    })
}

/// Checks the limits, prepares `sql` and converts `params` to its parameter types.
fn prepare_statement<'js>(
    ctx: &Ctx<'js>,
    sql: &str,
    params: &Array<'js>,
    shapes: &PlainShapes,
) -> Result<(std::rc::Rc<spi::Prepared>, Vec<crate::values::JsOut>)> {
    let limits = crate::gucs::db_limits();
    if sql.len() > limits.max_sql_bytes {
        return Err(throw(ctx, DbError::new("54000", format!(
            "SQL text is {} bytes, more than plts.max_sql_bytes ({})", sql.len(), limits.max_sql_bytes
        ))));
    }
    if params.len() > limits.max_params {
        return Err(throw(ctx, DbError::new("54000", format!(
            "{} parameters given, more than plts.max_params ({})", params.len(), limits.max_params
        ))));
    }
    let prepared = spi::prepare(sql).map_err(|e| throw(ctx, e))?;
    let mut values = Vec::with_capacity(params.len());
    for (i, value) in params.iter::<Value>().enumerate() {
        values.push(convert::from_js(ctx, value?, spi::param_is_json(&prepared, i), shapes)?);
    }
    Ok((prepared, values))
}

fn run<'js>(ctx: Ctx<'js>, sql: JsString<'js>, params: Array<'js>, want_rows: bool, shapes: &PlainShapes) -> Result<Value<'js>> {
    let sql = sql_text(&ctx, &sql)?;
    let (prepared, values) = prepare_statement(&ctx, sql_str(&ctx, &sql)?, &params, shapes)?;
    let limits = crate::gucs::db_limits();
    let read_only = READ_ONLY.with(Cell::get);
    let opts = ExecOptions { read_only, max_rows: limits.max_query_rows };
    // The rows become JS objects where SPI left them, inside the statement's subtransaction.
    let read = |rows: &spi::Rows| want_rows.then(|| rows_to_js(&ctx, rows));
    let result = spi::run(&prepared, &values, opts, read).map_err(|e| throw(&ctx, read_only_message(e, read_only)))?;
    if let Some(rows) = result.rows {
        return rows;
    }
    let summary = Object::new(ctx.clone())?;
    summary.set("rowCount", result.row_count as f64)?;
    summary.set("command", result.command)?;
    Ok(summary.into_value())
}

/// Rows as plain objects, column name → value, in column order.
fn rows_to_js<'js>(ctx: &Ctx<'js>, rows: &spi::Rows) -> Result<Value<'js>> {
    let raw_ctx = ctx.as_raw().as_ptr();
    // One atom per column, not one per column and row.
    let keys = unsafe { raw::Atoms::new(raw_ctx, (0..rows.columns()).map(|c| rows.name(c).to_string_lossy())) }?;
    // Every row has these keys: their shapes, kept, serve this result's rows and the next call's.
    unsafe { super::kept_shapes::keep(raw_ctx, keys.as_slice()) };
    let types: Vec<_> = (0..rows.columns()).map(|c| rows.type_oid(c)).collect();
    let mut objects = raw::Owned::with_capacity(raw_ctx, rows.len());
    for row in 0..rows.len() {
        let object = raw::checked(unsafe { qjs::JS_NewObject(raw_ctx) })?;
        objects.push(object);
        for (column, (&key, &typ)) in keys.as_slice().iter().zip(&types).enumerate() {
            let value = convert::datum_to_js(ctx, rows.value(row, column), typ)?;
            // Defined, not assigned: a column named "__proto__" is an own property, not the prototype.
            unsafe { raw::define(raw_ctx, object, key, value) }?;
        }
    }
    Ok(unsafe { Value::from_raw(ctx.clone(), objects.into_array()?) })
}

fn open<'js>(ctx: Ctx<'js>, sql: JsString<'js>, params: Array<'js>, shapes: &PlainShapes) -> Result<String> {
    let sql = sql_text(&ctx, &sql)?;
    let (prepared, values) = prepare_statement(&ctx, sql_str(&ctx, &sql)?, &params, shapes)?;
    let read_only = READ_ONLY.with(Cell::get);
    spi::open_cursor(&prepared, &values, read_only).map_err(|e| throw(&ctx, read_only_message(e, read_only)))
}

fn fetch<'js>(ctx: Ctx<'js>, name: String, count: f64) -> Result<Value<'js>> {
    let read = |rows: &spi::Rows| rows_to_js(&ctx, rows);
    spi::fetch(&name, count.clamp(1.0, 1e9) as i64, read).map_err(|e| throw(&ctx, e))?
}

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

fn end(ctx: Ctx<'_>, level: i32, commit: bool) -> Result<()> {
    spi::end(level, commit).map_err(|e| throw(&ctx, e))
}

fn log(level: i32, message: String) {
    match level {
        0 => pgrx::debug1!("{message}"),
        1 => pgrx::info!("{message}"),
        2 => pgrx::notice!("{message}"),
        _ => pgrx::warning!("{message}"),
    }
}

/// Throws a `PostgresError` carrying the fields PostgreSQL reported (postgres.js names
/// the SQLSTATE `code`; plts sets both `code` and `sqlstate`).
fn throw(ctx: &Ctx<'_>, error: DbError) -> rquickjs::Error {
    let build = || -> Result<Value> {
        let exception = Exception::from_message(ctx.clone(), &error.message)?;
        exception.set("name", "PostgresError")?;
        exception.set("sqlstate", error.sqlstate.as_str())?;
        exception.set("code", error.sqlstate.as_str())?;
        exception.set("detail", error.detail.as_deref())?;
        exception.set("hint", error.hint.as_deref())?;
        exception.set("position", error.position)?;
        Ok(exception.into_value())
    };
    match build() {
        Ok(value) => ctx.throw(value),
        Err(e) => e,
    }
}
