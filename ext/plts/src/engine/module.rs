//! A program's module in one context: evaluated once (top-level await settled), its default
//! export wrapped in an invoker, and called for each call with its arguments converted.

use std::cell::RefCell;
use std::rc::Rc;

use rquickjs::promise::PromiseState;
use rquickjs::function::This;
use rquickjs::{qjs, Ctx, Function, Object, Persistent, Value};
use rustc_hash::FxHashMap;

use super::{convert, errors, invoker, js_error, json_in, json_out, kept_shapes, key_atoms, raw};
use crate::args_shape::Shape;
use crate::call_frame;
use crate::db_error::DbError;
use crate::ctx::{Invocation, JsError, JsErrorKind, Program, RowSink};
use crate::values::{Expect, JsOut, SqlValue};

/// An evaluated program, ready to call.
#[derive(Clone)]
pub enum Entry {
    /// The invoker of the default export (engine/invoker.rs): builds ctx and calls it.
    Callable {
        invoker: Rc<invoker::Invoker>,
        /// What the export says it is (`kind` of the `query` and `mutation` wrappers).
        kind: Kind,
    },
    /// No callable default export: what was exported instead (its JS type), for the error.
    NotCallable(&'static str),
}

/// The kind a wrapper declares on its handler (`handler.kind`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A plain handler: it runs with the function's own volatility.
    Plain,
    /// The `query` wrapper: every call runs read-only.
    Query,
    /// The `mutation` wrapper: it writes, so it is refused at once on a hot standby.
    Mutation,
}

/// Runs `program` for `call` in `ctx`: its entry from `entries`, or evaluated now (and kept,
/// unless the call is ephemeral); returns the result as [`JsOut`]. `entries` is not borrowed
/// while JS runs: the handler's SQL may call a function of the same context.
pub fn run<'js>(
    ctx: &Ctx<'js>,
    entries: &RefCell<FxHashMap<String, Entry>>,
    parts: &Persistent<Object<'static>>,
    shapes: &json_out::PlainShapes,
    program: &Program,
    call: &Invocation<'_>,
) -> Result<JsOut, JsError> {
    let programs = [program];
    let fail = |e: rquickjs::Error| js_error(ctx, e, &programs);
    let saved = entries.borrow().get(&program.module_name).cloned();
    let entry = match saved {
        Some(saved) => saved,
        None => {
            let entry = prepare(ctx, parts, program, call)?;
            if !call.ephemeral {
                entries.borrow_mut().insert(program.module_name.clone(), entry.clone());
            }
            entry
        }
    };
    if call.load_only {
        return loaded(entry);
    }
    let (invoker, kind) = match entry {
        Entry::Callable { invoker, kind } => (invoker, kind),
        Entry::NotCallable(_) if !call.entry_required => return Ok(JsOut::Null),
        Entry::NotCallable(found) => {
            return Err(JsError::new(
                JsErrorKind::NoEntryPoint,
                format!("the function body has no default export to call (found {found}); write `export default (ctx) => ...`"),
            ))
        }
    };
    match kind {
        Kind::Query if !call_frame::with(|frame| frame.read_only) => call_frame::enter_read_only(),
        Kind::Mutation if pg_read::on_standby() => return Err(mutation_on_standby(call)),
        _ => {}
    }
    let returned = match checked_args(ctx, invoker.shape(), call).map_err(fail)? {
        Some(args) => invoker.call_validated(ctx, args).map_err(fail)?,
        None => {
            let mut values = Vec::with_capacity(call.args.len());
            for value in call.args {
                values.push(convert::to_js(ctx, value).map_err(fail)?);
            }
            if call.ctx_members.is_empty() {
                invoker.call(ctx, &values, &[]).map_err(fail)?
            } else {
                let members = ctx_members(ctx, call).map_err(fail)?;
                invoker.call(ctx, &values, &members).map_err(fail)?
            }
        }
    };
    let value = settle(ctx, returned, &programs)?;
    if let Some(rows) = call.rows {
        walk(ctx, value, call.result, rows, shapes, &programs)?;
        return Ok(JsOut::Null);
    }
    convert::from_js_expecting(ctx, value, call.result, shapes).map_err(fail)
}

/// What a loaded module's default export is, for `plts.check_function`.
#[cold]
fn loaded(entry: Entry) -> Result<JsOut, JsError> {
    match entry {
        Entry::Callable { kind, .. } => Ok(JsOut::String(
            match kind {
                Kind::Query => "query",
                Kind::Mutation => "mutation",
                Kind::Plain => "function",
            }
            .into(),
        )),
        Entry::NotCallable(found) => Err(JsError::new(
            JsErrorKind::NoEntryPoint,
            format!("the module's default export is {found}, not a function; export the handler, e.g. `export default query(...)`"),
        )),
    }
}

/// The ERROR of a mutation called on a hot standby: before it runs, since its first write could
/// only fail halfway.
#[cold]
fn mutation_on_standby(call: &Invocation<'_>) -> JsError {
    let message =
        format!("mutation {}.{} cannot run on a read-only standby; writes go to the primary", call.fn_schema, call.fn_name);
    JsError {
        pg: Some(Box::new(DbError::new("25006", message.clone()).hint(pg_read::STANDBY_HINT))),
        ..JsError::new(JsErrorKind::Thrown, message)
    }
}

/// The members of ctx besides `args` (`trigger`, `event`) as JS values.
#[cold]
fn ctx_members<'js>(ctx: &Ctx<'js>, call: &Invocation<'_>) -> rquickjs::Result<Vec<(&'static str, Value<'js>)>> {
    call.ctx_members.iter().map(|(name, value)| Ok((*name, convert::to_js(ctx, value)?))).collect()
}

/// Walks what a set-returning handler returned — an array or any iterable, a generator, an async
/// generator or async iterable — handing each element, converted for `expect`, to `rows`.
fn walk<'js>(
    ctx: &Ctx<'js>,
    value: Value<'js>,
    expect: &Expect,
    rows: RowSink<'_>,
    shapes: &json_out::PlainShapes,
    programs: &[&Program],
) -> Result<(), JsError> {
    let fail = |e: rquickjs::Error| js_error(ctx, e, programs);
    let not_iterable = |what: &str| {
        JsError::new(
            JsErrorKind::Thrown,
            format!("TypeError: a set-returning function returns an array, an iterable or a generator, not {what}"),
        )
    };
    let Some(object) = value.as_object().cloned() else {
        return Err(not_iterable(&convert::from_js(ctx, value, false, shapes).map_err(fail)?.describe()));
    };
    let symbol: Object = ctx.globals().get("Symbol").map_err(fail)?;
    let method = |name: &str| -> rquickjs::Result<Option<Function<'js>>> {
        let key: Value = symbol.get(name)?;
        let atom = rquickjs::Atom::from_value(ctx.clone(), &key)?;
        Ok(object.get::<_, Value>(atom)?.as_function().cloned())
    };
    let (make, is_async) = match method("asyncIterator").map_err(fail)? {
        Some(f) => (f, true),
        None => match method("iterator").map_err(fail)? {
            Some(f) => (f, false),
            None => return Err(not_iterable(&convert::from_js(ctx, value, false, shapes).map_err(fail)?.describe())),
        },
    };
    let iterator: Object = make.call((This(object.clone()),)).map_err(fail)?;
    let next: Function = iterator.get("next").map_err(fail)?;
    let raw_ctx = ctx.as_raw().as_ptr();
    // The step's keys, made once for the whole set.
    // SAFETY: `raw_ctx` is live for this call, and outlives the atoms (dropped at its end).
    let keys = unsafe { key_atoms::Atoms::new(raw_ctx, ["done", "value"]) }.map_err(fail)?;
    let (done_key, value_key) = (keys.as_slice()[0], keys.as_slice()[1]);
    // Each step is a new `{ value, done }` object: with its shapes kept, making one finds them.
    // SAFETY: `raw_ctx` is live, and the atoms are its runtime's, held by the kept objects.
    unsafe { kept_shapes::keep(raw_ctx, &[value_key, done_key]) };
    // SAFETY: `raw_ctx` is the live context of `object`; each property read gives a new
    // reference (or the exception marker), owned by its Value at once.
    let read = |object: &Value<'js>, key| unsafe {
        raw::checked(qjs::JS_GetProperty(raw_ctx, object.as_raw(), key)).map(|v| Value::from_raw(ctx.clone(), v))
    };
    loop {
        // SAFETY: `next` and `iterator` are values of the live `raw_ctx`; JS_Call borrows them and
        // returns a new reference (or the exception marker), owned by the Value at once.
        let step = unsafe { raw::checked(raw::call_on(raw_ctx, next.as_raw(), iterator.as_raw(), &mut [])) };
        // SAFETY: as above.
        let mut step = unsafe { Value::from_raw(ctx.clone(), step.map_err(fail)?) };
        if is_async {
            step = settle(ctx, step, programs)?;
        }
        if !step.is_object() {
            return Err(JsError::new(JsErrorKind::Thrown, "TypeError: the iterator's next() returned a non-object"));
        }
        let done = read(&step, done_key).map_err(fail)?;
        // SAFETY: ToBoolean of a value of the live context: no user code runs, nothing is taken.
        if unsafe { qjs::JS_ToBool(raw_ctx, done.as_raw()) } > 0 {
            return Ok(());
        }
        let element = read(&step, value_key).map_err(fail)?;
        let element = if is_async { element } else { settle(ctx, element, programs)? };
        let out = convert::from_js_expecting(ctx, element, expect, shapes).map_err(fail)?;
        rows(out).map_err(|e| JsError { pg: Some(Box::new(e.clone())), ..JsError::new(JsErrorKind::Thrown, e.message) })?;
    }
}

/// For a wrapper whose shape the jsonb argument passes: the argument with its keys in the
/// schema's order, for the wrapper's call that skips parsing.
fn checked_args<'js>(ctx: &Ctx<'js>, shape: Option<&Shape>, call: &Invocation<'_>) -> rquickjs::Result<Option<Value<'js>>> {
    let (Some(shape), [SqlValue::Jsonb(doc)]) = (shape, call.args) else { return Ok(None) };
    let Some(nodes) = shape.order(doc) else { return Ok(None) };
    json_in::nodes_to_js(ctx, &nodes, doc).map(Some)
}

/// Evaluates the program once and builds its entry: the invoker around a callable default export.
fn prepare<'js>(
    ctx: &Ctx<'js>,
    parts: &Persistent<Object<'static>>,
    program: &Program,
    call: &Invocation<'_>,
) -> Result<Entry, JsError> {
    let programs = [program];
    let fail = |e: rquickjs::Error| js_error(ctx, e, &programs);
    let export = evaluate(ctx, program).map_err(|e| match e {
        Failure::Js(e) => js_error(ctx, e, &programs),
        Failure::Plts(e) => e,
    })?;
    let Some(handler) = export.as_function().cloned() else {
        return Ok(Entry::NotCallable(export.type_name()));
    };
    let kind = match handler.get::<_, Option<String>>("kind").ok().flatten().as_deref() {
        Some("query") => Kind::Query,
        Some("mutation") => Kind::Mutation,
        _ => Kind::Plain,
    };
    let names: Vec<String> = (0..call.args.len())
        .map(|i| match call.arg_names.get(i).and_then(Option::as_deref) {
            Some(name) => name.to_owned(),
            None => format!("${}", i + 1),
        })
        .collect();
    let context: Object = parts.clone().restore(ctx).map_err(fail)?.get("context").map_err(fail)?;
    let info = fn_info(ctx, call).map_err(fail)?;
    let validated = if call.args_is_value { wrapper_parts(&handler).map_err(fail)? } else { None };
    let invoker = invoker::Invoker::new(ctx, &context, handler, info, &names, call.args_is_value, validated)
        .map_err(fail)?;
    Ok(Entry::Callable { invoker: Rc::new(invoker), kind })
}

/// A wrapper's `~plts` (runtime/wrappers.ts): its arguments' shape and the call that skips parsing
/// them, when it has a shape plts reads.
fn wrapper_parts<'js>(handler: &Function<'js>) -> rquickjs::Result<Option<(Shape, Function<'js>)>> {
    let parts: Value = handler.get("~plts")?;
    let Some(parts) = parts.as_object() else { return Ok(None) };
    let (shape, validated): (Value, Value) = (parts.get("shape")?, parts.get("validated")?);
    let shape = shape.as_string().map(rquickjs::String::to_string).transpose()?;
    Ok(shape.as_deref().and_then(Shape::parse).zip(validated.as_function().cloned()))
}

enum Failure {
    Js(rquickjs::Error),
    Plts(JsError),
}

/// Declares and evaluates the module (top-level await included) and returns its default export.
fn evaluate<'js>(ctx: &Ctx<'js>, program: &Program) -> Result<Value<'js>, Failure> {
    let declared = rquickjs::Module::declare(ctx.clone(), program.module_name.as_str(), program.js.as_str())
        .map_err(Failure::Js)?;
    let (module, promise) = declared.eval().map_err(Failure::Js)?;
    settle(ctx, promise.into_value(), &[program]).map_err(Failure::Plts)?;
    module.get::<_, Value>("default").map_err(Failure::Js)
}

/// Waits for a promise by running the job queue; other values are returned as they are.
fn settle<'js>(ctx: &Ctx<'js>, value: Value<'js>, programs: &[&Program]) -> Result<Value<'js>, JsError> {
    let promise = match value.as_promise() {
        Some(promise) => promise.clone(),
        None if !value.is_object() => return Ok(value),
        None => match thenable(ctx, &value).map_err(|e| js_error(ctx, e, programs))? {
            Some(promise) => promise,
            None => return Ok(value),
        },
    };
    loop {
        match promise.state() {
            PromiseState::Resolved => {
                return promise.result::<Value>().expect("settled").map_err(|e| js_error(ctx, e, programs))
            }
            PromiseState::Rejected => {
                let reason = promise.result::<Value>().expect("settled");
                return Err(match reason {
                    Err(e) => js_error(ctx, e, programs),
                    Ok(v) => errors::describe(ctx, v, programs),
                });
            }
            PromiseState::Pending => {
                if !ctx.execute_pending_job() {
                    if call_frame::stop_reason().is_some() {
                        return Err(JsError::new(JsErrorKind::Interrupted, "interrupted"));
                    }
                    return Err(JsError::new(
                        JsErrorKind::NeverSettled,
                        "the handler's promise never settled: nothing is left that could resolve it (plts has no timers or I/O events)",
                    ));
                }
            }
        }
    }
}

/// A thenable (an object with a callable `then`, not a promise) as the promise `await` makes of it.
#[inline(never)]
fn thenable<'js>(ctx: &Ctx<'js>, value: &Value<'js>) -> rquickjs::Result<Option<rquickjs::Promise<'js>>> {
    if !super::key_atoms::get_by_key(ctx, value, "then")?.is_function() {
        return Ok(None);
    }
    let promise: Object = ctx.globals().get("Promise")?;
    let resolve: Function = promise.get("resolve")?;
    let resolved: Value = resolve.call((This(promise), value.clone()))?;
    Ok(resolved.as_promise().cloned())
}

/// `ctx.fn = { oid, schema, name }`, frozen: built once per program.
fn fn_info<'js>(ctx: &Ctx<'js>, call: &Invocation<'_>) -> rquickjs::Result<Value<'js>> {
    let info = Object::new(ctx.clone())?;
    info.set("oid", call.fn_oid)?;
    info.set("schema", call.fn_schema)?;
    info.set("name", call.fn_name)?;
    let freeze: Function = ctx.globals().get::<_, Object>("Object")?.get("freeze")?;
    freeze.call((info,))
}
