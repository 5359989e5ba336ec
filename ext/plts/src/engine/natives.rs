//! The `native` object that `prelude.js` builds `ctx.db` and `ctx.log` from: QuickJS bindings of
//! the engine-neutral functions in `ctx::db` and `ctx::log`. JS values are converted here, and a
//! `DbError` becomes a thrown `PostgresError`.

use rquickjs::function::Func;
use rquickjs::{Array, Ctx, Exception, Function, Object, Result, String as JsString, Value};

use super::json_out::PlainShapes;
use super::{convert, raw};
use crate::ctx::{self, db, Rows};
use crate::db_error::DbError;
use crate::values::NaturalType;

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
    native.set("begin", Func::from(db::begin))?;
    native.set("end", Func::from(end))?;
    native.set("endTransaction", Func::from(end_transaction))?;
    native.set("log", Func::from(|level: i32, message: String| ctx::log::log(level, &message)))?;
    native.set(
        "open",
        Func::from(move |ctx: Ctx<'js>, sql: JsString<'js>, params: Array<'js>| open(ctx, sql, params, &shapes)),
    )?;
    native.set("fetch", Func::from(fetch))?;
    native.set("close", Func::from(|name: String| db::close(&name)))?;
    native.set("now", Func::from(ctx::now_ms))?;
    native.set(
        "fnResolve",
        Func::from(|ctx: Ctx<'js>, signature: String| {
            ctx::functions::resolve(&signature).map(|oid| f64::from(oid.to_u32())).map_err(|e| throw(&ctx, e))
        }),
    )?;
    native.set("fnCall", Func::from(move |ctx: Ctx<'js>, oid: f64, args: Array<'js>| call_function(ctx, oid, args, &shapes)))?;
    install_window(&native)?;
    // The web-platform APIs, built at their first use: web.js applied to the natives, which the
    // prelude passes in (a closure holding them would be a cycle QuickJS's collector cannot see,
    // and would keep a DO block's context alive).
    native.set(
        "web",
        Func::from(|ctx: Ctx<'js>, native: Object<'js>| -> Result<Value<'js>> { script_builder(&ctx, WEB_BYTECODE)?.call((native,)) }),
    )?;
    // Intl (intl.js), built at its first use the same way, and its time zones (ctx/intl.rs).
    native.set(
        "intl",
        Func::from(|ctx: Ctx<'js>, native: Object<'js>| -> Result<Value<'js>> { script_builder(&ctx, INTL_BYTECODE)?.call((native,)) }),
    )?;
    native.set("zoneAt", Func::from(zone_at))?;
    native.set("randomBytes", Func::from(random_bytes))?;
    install_web(&native)?;
    let build: Function = super::eval_internal(ctx, ctx::PRELUDE)?;
    Ok((build.call((native,))?, shapes))
}

/// Prepares `sql` (borrowed from QuickJS: a Rust String per statement costs a copy) and converts
/// `params` to its parameter types.
fn prepare<'js>(
    ctx: &Ctx<'js>,
    sql: &JsString<'js>,
    params: &Array<'js>,
    shapes: &PlainShapes,
) -> Result<(db::Statement, Vec<crate::values::JsOut>)> {
    // SAFETY: `ctx` is the live context of `sql`; the text is released before this returns.
    let text = unsafe { raw::Utf8::of_value(ctx.as_raw().as_ptr(), sql.as_raw()) }.ok_or(rquickjs::Error::Exception)?;
    let text = text.as_str().ok_or_else(|| throw(ctx, db::lone_surrogate()))?;
    let natural = |i: usize| params.get::<Value>(i).map_or(NaturalType::Unknown, |value| convert::natural_type(ctx, &value));
    let statement = db::prepare(text, params.len(), natural).map_err(|e| throw(ctx, e))?;
    let mut values = Vec::with_capacity(params.len());
    for (i, value) in params.iter::<Value>().enumerate() {
        values.push(convert::from_js_expecting(ctx, value?, statement.param_expect(i), shapes)?);
    }
    Ok((statement, values))
}

fn run<'js>(ctx: Ctx<'js>, sql: JsString<'js>, params: Array<'js>, want_rows: bool, shapes: &PlainShapes) -> Result<Value<'js>> {
    let (statement, values) = prepare(&ctx, &sql, &params, shapes)?;
    // The rows become JS objects where SPI left them, inside the statement's subtransaction.
    let read = |rows: &Rows| want_rows.then(|| rows_to_js(&ctx, rows));
    let result = db::run(&statement, &values, read).map_err(|e| throw(&ctx, e))?;
    if let Some(rows) = result.rows {
        return rows;
    }
    let summary = Object::new(ctx.clone())?;
    summary.set("rowCount", result.row_count as f64)?;
    summary.set("command", result.command)?;
    Ok(summary.into_value())
}

/// Rows as plain objects, column name → value, in column order.
fn rows_to_js<'js>(ctx: &Ctx<'js>, rows: &Rows) -> Result<Value<'js>> {
    let raw_ctx = ctx.as_raw().as_ptr();
    // One atom per column, not one per column and row.
    // SAFETY: `raw_ctx` is live for this call, and outlives the atoms (dropped at its end).
    let keys = unsafe { super::key_atoms::Atoms::new(raw_ctx, (0..rows.columns()).map(|c| rows.name(c).to_string_lossy())) }?;
    // Every row has these keys: their shapes, kept, serve this result's rows and the next call's.
    // SAFETY: the kept objects hold these atoms; the context forgets them before it is freed.
    unsafe { super::kept_shapes::keep(raw_ctx, keys.as_slice()) };
    let mut objects = raw::Owned::with_capacity(raw_ctx, rows.len());
    for row in 0..rows.len() {
        // SAFETY: a live context; the new object is owned by `objects` at once.
        let object = unsafe { raw::new_object(raw_ctx, None) }?;
        objects.push(object);
        for (column, &key) in keys.as_slice().iter().enumerate() {
            let value = convert::cell_to_js(ctx, rows.cell(row, column))?;
            // Defined, not assigned: a column named "__proto__" is an own property, not the prototype.
            // SAFETY: `object` is a live object of `raw_ctx`; define takes `value`.
            unsafe { raw::define(raw_ctx, object, key, value) }?;
        }
    }
    // SAFETY: into_array returns an owned value of this context.
    Ok(unsafe { Value::from_raw(ctx.clone(), objects.into_array()?) })
}

/// web.js and intl.js compiled to bytecode by build.rs: a context reads them instead of parsing
/// the sources.
const WEB_BYTECODE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/web.qjsbc"));
const INTL_BYTECODE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/intl.qjsbc"));

/// The function a script's bytecode evaluates to (its frames are named `plts:ctx`, for errors.rs).
fn script_builder<'js>(ctx: &Ctx<'js>, bytecode: &[u8]) -> Result<Function<'js>> {
    use rquickjs::{qjs, FromJs};
    let raw_ctx = ctx.as_raw().as_ptr();
    // SAFETY: `raw_ctx` is live; the bytecode was written by this same QuickJS (build.rs builds
    // with the extension's rquickjs); JS_EvalFunction takes the function it reads.
    unsafe {
        let function = qjs::JS_ReadObject(raw_ctx, bytecode.as_ptr(), bytecode.len() as _, qjs::JS_READ_OBJ_BYTECODE as i32);
        let value = raw::checked(qjs::JS_EvalFunction(raw_ctx, raw::checked(function)?))?;
        Function::from_js(ctx, Value::from_raw(ctx.clone(), value))
    }
}

/// `[offset seconds, abbreviation, name]` of a time zone (the session's for null) at an instant,
/// for intl.js; an unknown zone is a RangeError, as Intl throws.
fn zone_at<'js>(ctx: Ctx<'js>, name: Option<String>, epoch_ms: f64) -> Result<Array<'js>> {
    let zone = crate::ctx::intl::zone_at(name.as_deref(), epoch_ms).map_err(|message| Exception::throw_range(&ctx, &message))?;
    let out = Array::new(ctx.clone())?;
    out.set(0, zone.offset_seconds as f64)?;
    out.set(1, zone.abbreviation)?;
    out.set(2, zone.name)?;
    Ok(out)
}

/// `n` bytes from PostgreSQL's strong random source, for `crypto` (web.js).
fn random_bytes<'js>(ctx: Ctx<'js>, n: f64) -> Result<Value<'js>> {
    let len = n.clamp(0.0, 65536.0) as usize;
    let bytes = crate::ctx::random_bytes(len).map_err(|e| throw(&ctx, e))?;
    Ok(rquickjs::TypedArray::<u8>::new(ctx.clone(), bytes)?.into_value())
}

/// The natives of web.js's `URL`, `URLSearchParams` and `crypto.subtle` (ctx/web.rs).
fn install_web<'js>(native: &Object<'js>) -> Result<()> {
    use crate::ctx::web;
    // web.js's errors are TypeErrors, as the URL API throws them.
    let type_error = |ctx: &Ctx<'js>, message: String| -> rquickjs::Error {
        let made = (|| -> Result<Value<'js>> {
            let constructor: Function = ctx.globals().get("TypeError")?;
            constructor.call((message.as_str(),))
        })();
        match made {
            Ok(error) => ctx.throw(error),
            Err(e) => e,
        }
    };
    let url_object = |ctx: &Ctx<'js>, p: web::UrlParts| -> Result<Object<'js>> {
        let object = Object::new(ctx.clone())?;
        for (key, value) in [
            ("href", p.href),
            ("origin", p.origin),
            ("protocol", p.protocol),
            ("username", p.username),
            ("password", p.password),
            ("host", p.host),
            ("hostname", p.hostname),
            ("port", p.port),
            ("pathname", p.pathname),
            ("search", p.search),
            ("hash", p.hash),
        ] {
            object.set(key, value)?;
        }
        Ok(object)
    };
    native.set(
        "urlParse",
        Func::from(move |ctx: Ctx<'js>, input: String, base: rquickjs::function::Opt<String>| -> Result<Object<'js>> {
            let parts = web::url_parse(&input, base.0.as_deref()).map_err(|m| type_error(&ctx, m))?;
            url_object(&ctx, parts)
        }),
    )?;
    native.set(
        "urlSet",
        Func::from(move |ctx: Ctx<'js>, href: String, part: String, value: String| -> Result<Object<'js>> {
            let parts = web::url_set(&href, &part, &value).map_err(|m| type_error(&ctx, m))?;
            url_object(&ctx, parts)
        }),
    )?;
    native.set("formParse", Func::from(|input: String| web::form_parse(&input).into_iter().map(|(k, v)| vec![k, v]).collect::<Vec<_>>()))?;
    native.set(
        "formSerialize",
        Func::from(|pairs: Vec<Vec<String>>| {
            let pairs: Vec<(String, String)> =
                pairs.into_iter().map(|p| (p.first().cloned().unwrap_or_default(), p.get(1).cloned().unwrap_or_default())).collect();
            web::form_serialize(&pairs)
        }),
    )?;
    native.set(
        "digest",
        Func::from(move |ctx: Ctx<'js>, algorithm: String, data: rquickjs::TypedArray<'js, u8>| -> Result<Value<'js>> {
            // SAFETY: the bytes are read at once, before any JS runs that could detach the buffer.
            let bytes = unsafe { data.as_bytes() }.unwrap_or_default();
            let digest = web::digest(&algorithm, bytes).map_err(|m| type_error(&ctx, m))?;
            Ok(rquickjs::TypedArray::<u8>::new(ctx.clone(), digest)?.into_value())
        }),
    )?;
    let hmac = move |ctx: &Ctx<'js>, hash: &str, key: &rquickjs::TypedArray<'js, u8>, data: &rquickjs::TypedArray<'js, u8>, expected: Option<&rquickjs::TypedArray<'js, u8>>| {
        // SAFETY: the bytes are read at once, before any JS runs that could detach the buffers.
        let (key, data, expected) = unsafe { (key.as_bytes().unwrap_or_default(), data.as_bytes().unwrap_or_default(), expected.map(|e| e.as_bytes().unwrap_or_default())) };
        web::hmac(hash, key, data, expected).map_err(|m| type_error(ctx, m))
    };
    native.set(
        "hmacSign",
        Func::from(move |ctx: Ctx<'js>, hash: String, key: rquickjs::TypedArray<'js, u8>, data: rquickjs::TypedArray<'js, u8>| -> Result<Value<'js>> {
            match hmac(&ctx, &hash, &key, &data, None)? {
                web::HmacOutcome::Signature(bytes) => Ok(rquickjs::TypedArray::<u8>::new(ctx.clone(), bytes)?.into_value()),
                web::HmacOutcome::Verified(_) => unreachable!("no signature to check was given"),
            }
        }),
    )?;
    native.set(
        "hmacVerify",
        Func::from(move |ctx: Ctx<'js>, hash: String, key: rquickjs::TypedArray<'js, u8>, data: rquickjs::TypedArray<'js, u8>, signature: rquickjs::TypedArray<'js, u8>| -> Result<bool> {
            Ok(hmac(&ctx, &hash, &key, &data, Some(&signature))? == web::HmacOutcome::Verified(true))
        }),
    )?;
    Ok(())
}

/// The natives of `ctx.window` (ctx/window.rs).
fn install_window<'js>(native: &Object<'js>) -> Result<()> {
    use crate::ctx::window::{self, ArgFrom};
    native.set("winPosition", Func::from(|ctx: Ctx<'js>| window::position().map_err(|e| throw(&ctx, e))))?;
    native.set("winRowCount", Func::from(|ctx: Ctx<'js>| window::partition_row_count().map_err(|e| throw(&ctx, e))))?;
    native.set("winSetMark", Func::from(|ctx: Ctx<'js>, pos: f64| window::set_mark_position(pos).map_err(|e| throw(&ctx, e))))?;
    native.set("winPeers", Func::from(|ctx: Ctx<'js>, a: f64, b: f64| window::rows_are_peers(a, b).map_err(|e| throw(&ctx, e))))?;
    native.set("winPartition", Func::from(|ctx: Ctx<'js>| window::partition_id().map_err(|e| throw(&ctx, e))))?;
    native.set(
        "winArg",
        Func::from(|ctx: Ctx<'js>, from: i32, argno: i32, relpos: i32, seek: i32, set_mark: bool| -> Result<Value<'js>> {
            let from = match from {
                1 => ArgFrom::Partition,
                2 => ArgFrom::Frame,
                _ => ArgFrom::Current,
            };
            match window::arg(from, argno, relpos, seek, set_mark).map_err(|e| throw(&ctx, e))? {
                Some(value) => convert::to_js(&ctx, &value),
                None => Ok(Value::new_undefined(ctx.clone())),
            }
        }),
    )?;
    Ok(())
}

/// A direct call of plts function `oid` (`ctx.functions`): the JS arguments converted for its
/// argument types, its result back to JS.
fn call_function<'js>(ctx: Ctx<'js>, oid: f64, args: Array<'js>, shapes: &PlainShapes) -> Result<Value<'js>> {
    let target = ctx::functions::target(pgrx::pg_sys::Oid::from(oid as u32)).map_err(|e| throw(&ctx, e))?;
    if args.len() != target.arity() {
        return Err(throw(&ctx, ctx::functions::wrong_arity(&target, args.len())));
    }
    let mut values = Vec::with_capacity(args.len());
    for (i, value) in args.iter::<Value>().enumerate() {
        values.push(convert::from_js_expecting(&ctx, value?, target.arg_expect(i), shapes)?);
    }
    let result = ctx::functions::call(&target, &values).map_err(|e| throw(&ctx, e))?;
    convert::to_js(&ctx, &result)
}

fn open<'js>(ctx: Ctx<'js>, sql: JsString<'js>, params: Array<'js>, shapes: &PlainShapes) -> Result<String> {
    let (statement, values) = prepare(&ctx, &sql, &params, shapes)?;
    db::open(&statement, &values).map_err(|e| throw(&ctx, e))
}

fn fetch<'js>(ctx: Ctx<'js>, name: String, count: f64) -> Result<Value<'js>> {
    let read = |rows: &Rows| rows_to_js(&ctx, rows);
    db::fetch(&name, count, read).map_err(|e| throw(&ctx, e))?
}

fn end_transaction(ctx: Ctx<'_>, commit: bool) -> Result<()> {
    db::end_transaction(commit).map_err(|e| throw(&ctx, e))
}

fn end(ctx: Ctx<'_>, level: i32, commit: bool) -> Result<()> {
    db::end(level, commit).map_err(|e| throw(&ctx, e))
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
