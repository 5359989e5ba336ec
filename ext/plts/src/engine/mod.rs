//! The JavaScript engine: QuickJS (quickjs-ng) through rquickjs. Every engine call in the
//! crate goes through this module, so another engine (V8 through deno_core, where its
//! library can be obtained) can be added beside it.
//!
//! One runtime per backend, created lazily on the first call (never in the postmaster);
//! one context per effective role, so no role sees another role's globals.

mod allocator;
mod convert;
mod db;
mod errors;
mod interrupt;
mod invoker;
mod json_in;
mod json_out;
mod kept_shapes;
mod key_atoms;
mod loader;
mod program;
mod raw;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use rquickjs::promise::PromiseState;
use rustc_hash::FxHashMap;
use rquickjs::{Context, Ctx, Function, Object, Persistent, Runtime, Value};

pub use errors::{JsError, JsErrorKind};
pub use interrupt::StopReason;
pub use program::Program;

use crate::args_shape::Shape;
use crate::backend::BackendLocal;
use crate::values::{JsOut, SqlValue};

/// Limits applied to each call, read from GUCs by the caller.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_runtime_ms: u64,
    pub max_heap_bytes: usize,
    pub max_stack_bytes: usize,
}

/// Everything one call needs besides the program.
pub struct Invocation<'a> {
    pub role: u32,
    /// SQL names of the arguments (`None` for unnamed ones), by position.
    pub arg_names: &'a [Option<String>],
    /// Argument values, by position.
    pub args: &'a [SqlValue],
    /// `(args jsonb) returns jsonb` functions get the decoded value itself as `ctx.args`.
    pub args_is_value: bool,
    pub fn_oid: u32,
    pub fn_schema: &'a str,
    pub fn_name: &'a str,
    /// Transaction start, milliseconds since the Unix epoch: `ctx.now`.
    pub now_ms: f64,
    /// Return the result as JSON text (declared json/jsonb).
    pub want_json: bool,
    /// DO blocks run the module body and call a default export only if there is one.
    pub entry_required: bool,
    /// Run once and forget (DO blocks): the entry is not kept for reuse.
    pub ephemeral: bool,
    /// `ctx.db` may only read (STABLE/IMMUTABLE functions, query handlers).
    pub read_only: bool,
}

/// An evaluated program, ready to call.
#[derive(Clone)]
enum Entry {
    /// The invoker of the default export (engine/invoker.rs): builds ctx and calls it.
    Callable {
        invoker: Rc<invoker::Invoker>,
        /// The export says `kind: "query"` (the `query` wrapper): every call runs read-only.
        is_query: bool,
    },
    /// No callable default export: what was exported instead (its JS type), for the error.
    NotCallable(&'static str),
}

// Fields drop in declaration order: values before their context, contexts before the runtime.
struct RoleContext {
    /// Evaluated programs by module name.
    entries: FxHashMap<String, Entry>,
    /// What prelude.js returned, `{ context }`: the shared prototype of every ctx.
    parts: Persistent<Object<'static>>,
    shapes: json_out::PlainShapes,
    context: Context,
}

struct Engine {
    contexts: FxHashMap<u32, RoleContext>,
    runtime: Runtime,
    /// The stack limit last given to QuickJS (max_stack_depth may change between calls).
    stack_limit: usize,
}

/// plts → SQL → plts nesting deeper than this is an error.
pub const MAX_DEPTH: usize = 8;

// One engine per nesting depth: a plts function whose SQL calls another plts function runs the
// inner one in the next engine, because a QuickJS runtime cannot be entered again while it is
// running. Statics are never dropped: the backend's exit frees the memory, and tearing down a
// runtime whose scripts were interrupted can trip QuickJS's leak checks.
static ENGINES: BackendLocal<[RefCell<Option<Engine>>; MAX_DEPTH]> =
    BackendLocal::new([const { RefCell::new(None) }; MAX_DEPTH]);
static DEPTH: BackendLocal<Cell<usize>> = BackendLocal::new(Cell::new(0));

/// Restores the nesting depth and the caller's read-only mode, also when an ERROR unwinds.
struct Nesting {
    depth: usize,
    read_only: bool,
}

impl Drop for Nesting {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(self.depth));
        db::set_read_only(self.read_only);
    }
}

impl Engine {
    fn new() -> Result<Self, JsError> {
        let runtime = Runtime::new_with_alloc(allocator::CountingAllocator)
            .map_err(|e| internal(format!("cannot create the QuickJS runtime: {e}")))?;
        runtime.set_interrupt_handler(Some(Box::new(interrupt::should_stop)));
        runtime.set_loader(loader::PltsResolver, loader::PltsLoader);
        let base = Context::base(&runtime).map_err(|e| internal(format!("cannot create a JS context: {e}")))?;
        base.with(|ctx| allocator::pin_arenas(&ctx));
        drop(base);
        Ok(Self { runtime, contexts: FxHashMap::default(), stack_limit: 0 })
    }

    fn context(&mut self, role: u32) -> Result<&mut RoleContext, JsError> {
        Ok(match self.contexts.entry(role) {
            std::collections::hash_map::Entry::Occupied(found) => found.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                let (context, parts, shapes) = new_context(&self.runtime)?;
                slot.insert(RoleContext { entries: FxHashMap::default(), parts, shapes, context })
            }
        })
    }
}

/// A new JS context with ctx.db and ctx.log installed, the parts of its invokers (prelude.js)
/// and what its plain objects are (for results written as JSON).
fn new_context(runtime: &Runtime) -> Result<(Context, Persistent<Object<'static>>, json_out::PlainShapes), JsError> {
    let context = Context::full(runtime).map_err(|e| internal(format!("cannot create a JS context: {e}")))?;
    let (parts, shapes) = context.with(|ctx| {
        db::install(&ctx).map(|(parts, shapes)| (Persistent::save(&ctx, parts), shapes)).map_err(|e| js_error(&ctx, e, &[]))
    })?;
    Ok((context, parts, shapes))
}

/// Evaluates plts's own JavaScript (the prelude, invokers) under the file name `plts:ctx`, whose
/// frames errors.rs keeps out of users' stacks.
fn eval_internal<'js, T: rquickjs::FromJs<'js>>(ctx: &Ctx<'js>, source: impl Into<Vec<u8>>) -> rquickjs::Result<T> {
    let mut options = rquickjs::context::EvalOptions::default();
    options.filename = Some("plts:ctx".into());
    ctx.eval_with_options(source, options)
}

/// Runs `program`'s default export with `ctx` built from `call`; returns the result as [`JsOut`].
pub fn call(program: &Program, call: &Invocation<'_>, limits: Limits) -> Result<JsOut, JsError> {
    let depth = DEPTH.with(Cell::get);
    if depth >= MAX_DEPTH {
        return Err(JsError::new(
            JsErrorKind::StackOverflow,
            format!("plts calls are nested more than {MAX_DEPTH} deep (a plts function calls SQL that calls plts ...)"),
        ));
    }
    let _nesting = Nesting { depth, read_only: db::set_read_only(call.read_only) };
    DEPTH.with(|d| d.set(depth + 1));
    if depth == 0 {
        // Nested calls inherit the outermost call's deadline and heap limit.
        allocator::arm(limits.max_heap_bytes);
        interrupt::arm(limits.max_runtime_ms);
    }
    ENGINES.with(|engines| {
        let mut slot = engines[depth].borrow_mut();
        if slot.is_none() {
            *slot = Some(Engine::new()?);
        }
        let engine = slot.as_mut().expect("created above");
        if engine.stack_limit != limits.max_stack_bytes {
            engine.runtime.set_max_stack_size(limits.max_stack_bytes);
            engine.stack_limit = limits.max_stack_bytes;
        }
        let mut result = if call.ephemeral {
            run_in_own_context(engine, program, call)
        } else {
            let RoleContext { entries, parts, shapes, context } = engine.context(call.role)?;
            context.with(|ctx| run(&ctx, entries, parts, shapes, program, call))
        };
        if let Err(e) = &mut result {
            // Without memory, QuickJS may throw null, or an InternalError whose message it could
            // not allocate ("Invalid error message"): say what happened.
            if allocator::refused() && matches!(e.kind, JsErrorKind::Thrown | JsErrorKind::OutOfMemory) {
                *e = JsError { kind: JsErrorKind::OutOfMemory, ..e.clone() };
                if e.message == errors::NULL_THROWN || e.message.ends_with("Invalid error message") {
                    e.message = "InternalError: out of memory".into();
                }
            }
            // Give back what a failed script allocated (an out-of-memory one most of all).
            engine.runtime.run_gc();
        }
        result
    })
}

/// Runs a DO block in a context of its own, dropped afterwards with everything the block made.
/// QuickJS cannot unload one module from a context, so in the role's context every DO block
/// would leave its module behind (about 2 KB each, until the heap limit).
fn run_in_own_context(engine: &mut Engine, program: &Program, call: &Invocation<'_>) -> Result<JsOut, JsError> {
    let (context, parts, shapes) = new_context(&engine.runtime)?;
    let result = context.with(|ctx| run(&ctx, &mut FxHashMap::default(), &parts, &shapes, program, call));
    // Objects kept for this context (engine/kept_shapes.rs) must go before it does.
    context.with(|ctx| unsafe { kept_shapes::forget(ctx.as_raw().as_ptr()) });
    drop(parts);
    drop(context);
    engine.runtime.run_gc();
    result
}

/// Why the last failed call was interrupted, if it was.
pub fn stop_reason() -> Option<StopReason> {
    interrupt::reason()
}

fn run<'js>(
    ctx: &Ctx<'js>,
    entries: &mut FxHashMap<String, Entry>,
    parts: &Persistent<Object<'static>>,
    shapes: &json_out::PlainShapes,
    program: &Program,
    call: &Invocation<'_>,
) -> Result<JsOut, JsError> {
    let programs = [program];
    let fail = |e: rquickjs::Error| js_error(ctx, e, &programs);
    let entry = match entries.get(&program.module_name) {
        Some(saved) => saved.clone(),
        None => {
            let entry = prepare(ctx, parts, program, call)?;
            if !call.ephemeral {
                entries.insert(program.module_name.clone(), entry.clone());
            }
            entry
        }
    };
    let (invoker, is_query) = match entry {
        Entry::Callable { invoker, is_query } => (invoker, is_query),
        Entry::NotCallable(_) if !call.entry_required => return Ok(JsOut::Null),
        Entry::NotCallable(found) => {
            return Err(JsError::new(
                JsErrorKind::NoEntryPoint,
                format!("the function body has no default export to call (found {found}); write `export default (ctx) => ...`"),
            ))
        }
    };
    if is_query && !call.read_only {
        db::set_read_only(true);
        crate::spi::enter_read_only_transaction();
    }
    let returned = match checked_args(ctx, invoker.shape(), call).map_err(fail)? {
        Some(args) => invoker.call_validated(ctx, call.now_ms, args).map_err(fail)?,
        None => {
            let mut values = Vec::with_capacity(call.args.len());
            for value in call.args {
                values.push(convert::to_js(ctx, value).map_err(fail)?);
            }
            invoker.call(ctx, call.now_ms, &values).map_err(fail)?
        }
    };
    let value = settle(ctx, returned, &programs)?;
    convert::from_js(ctx, value, call.want_json, shapes).map_err(fail)
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
    let is_query = handler.get::<_, Option<String>>("kind").ok().flatten().is_some_and(|kind| kind == "query");
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
    Ok(Entry::Callable { invoker: Rc::new(invoker), is_query })
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
    let Some(promise) = value.as_promise().cloned() else { return Ok(value) };
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
                    if interrupt::reason().is_some() {
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

/// `ctx.fn = { oid, schema, name }`, frozen: built once per program.
fn fn_info<'js>(ctx: &Ctx<'js>, call: &Invocation<'_>) -> rquickjs::Result<Value<'js>> {
    let info = Object::new(ctx.clone())?;
    info.set("oid", call.fn_oid)?;
    info.set("schema", call.fn_schema)?;
    info.set("name", call.fn_name)?;
    let freeze: Function = ctx.globals().get::<_, Object>("Object")?.get("freeze")?;
    freeze.call((info,))
}

fn js_error(ctx: &Ctx<'_>, error: rquickjs::Error, programs: &[&Program]) -> JsError {
    match error {
        rquickjs::Error::Exception => {
            let e = errors::caught(ctx, programs);
            if e.kind == JsErrorKind::Interrupted || interrupt::reason().is_some() {
                return JsError { kind: JsErrorKind::Interrupted, ..e };
            }
            e
        }
        rquickjs::Error::Allocation => JsError::new(JsErrorKind::OutOfMemory, "out of memory"),
        other => internal(other.to_string()),
    }
}

fn internal(message: String) -> JsError {
    JsError::new(JsErrorKind::Thrown, message)
}
