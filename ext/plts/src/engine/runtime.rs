//! QuickJS runtimes and their contexts. Each runtime has one context per role, so no role sees
//! another role's globals, and a DO block gets a context of its own, dropped afterwards.
//!
//! A plts function whose SQL calls another plts function (recursion through SQL, a trigger fired
//! by ctx.db, a `SECURITY DEFINER` function of another role) runs the inner call in the runtime
//! the outer one is running in: QuickJS is re-entrant, so a nested call costs no new engine and
//! no cold start. The one exception is a runtime with jobs queued (promise reactions of the
//! outer call waiting for its next `await`): the inner call would run them, out of turn and in
//! its own call's frame, while it waits for its own promise. Such a call runs in a runtime no
//! call is using, made the first time one is needed; that is the only way a backend gets more
//! than one.
//!
//! Runtimes are never dropped: the backend's exit frees the memory, and tearing down a runtime
//! whose scripts were interrupted can trip QuickJS's leak checks.
//!
//! QuickJS cannot unload a module from a context, so every replaced function version (a
//! redeploy, a `CREATE OR REPLACE`) would stay in its role's context for the life of the backend.
//! A replaced version's module is kept while fewer than [`RETIRED_LIMIT`] are, since a rollback or
//! the next flip back may run it again (an artifact's module never changes); a context that holds
//! that many is freed instead, with every module it evaluated, and the role's next call gets a new
//! context (its start program runs again).

use std::cell::{Cell, RefCell};
use std::ptr::NonNull;
use std::rc::Rc;

use rquickjs::{qjs, Context, Ctx, Object, Persistent, Runtime};
use rustc_hash::{FxHashMap, FxHashSet};

use super::module::{self, Entry};
use super::{allocator, errors, internal, json_out, natives};
use crate::backend::BackendLocal;
use crate::call_frame::{self, Limits};
use crate::ctx::{Invocation, JsError, JsErrorKind, Program};
use crate::values::JsOut;

/// Replaced function versions a role's context may hold before it is recycled: at most a few
/// hundred kB of modules that may never run again.
const RETIRED_LIMIT: usize = 32;

/// The stack QuickJS may use when PostgreSQL's stack base is unknown.
const FALLBACK_STACK_BYTES: usize = 1 << 20;

/// How many jobs a stopped call runs at most before it leaves the rest queued (`run_left_jobs`).
const STOPPED_DRAIN_LIMIT: usize = 10_000;

/// How far past PostgreSQL's `max_stack_depth` QuickJS's own limit lies. Nesting through SQL
/// passes one of PostgreSQL's checks every level (a level takes about 12 kB), so it meets
/// PostgreSQL's own error, as PL/pgSQL does, however each major's frames weigh; only JS recursion
/// within one level gets QuickJS's RangeError. The server keeps `max_stack_depth` at least 512 kB
/// (its STACK_DEPTH_SLOP) above the real stack limit, so this stays on the stack.
const JS_PAST_FLOOR_BYTES: usize = 64 << 10;

/// A role's context and what it keeps. Fields drop in declaration order: values before their
/// context. Nothing here is borrowed while JS runs, since a nested call may use the same context.
pub struct RoleContext {
    /// Evaluated programs by module name.
    entries: RefCell<FxHashMap<String, Entry>>,
    /// Entries whose programs no cached function runs now (replaced versions).
    retired: RefCell<FxHashSet<String>>,
    /// What prelude.js returned, `{ context }`: the shared prototype of every ctx.
    parts: Persistent<Object<'static>>,
    shapes: json_out::PlainShapes,
    context: Context,
}

/// One QuickJS runtime and its role contexts. Made once and never dropped (see above), so calls
/// hold it as `&'static`.
struct Instance {
    contexts: RefCell<FxHashMap<u32, Rc<RoleContext>>>,
    /// Calls running in this runtime now. The outermost holds rquickjs's lock on it
    /// (`Context::with`); the nested ones run under that lock.
    running: Cell<u32>,
    /// The stack floor QuickJS's limit was last set for (`Limits::stack_floor`).
    floor: Cell<Option<usize>>,
    raw: NonNull<qjs::JSRuntime>,
    runtime: Runtime,
}

/// The backend's runtimes: the first serves every call but those that [`pick`] sends elsewhere.
struct Runtimes {
    /// The first runtime, which calls from SQL run in.
    first: Cell<Option<&'static Instance>>,
    all: RefCell<Vec<&'static Instance>>,
    /// The runtime of the innermost running call.
    current: Cell<Option<&'static Instance>>,
}

static RUNTIMES: BackendLocal<Runtimes> =
    BackendLocal::new(Runtimes { first: Cell::new(None), all: RefCell::new(Vec::new()), current: Cell::new(None) });

impl Instance {
    fn new() -> Result<Self, JsError> {
        let runtime = Runtime::new_with_alloc(allocator::CountingAllocator)
            .map_err(|e| internal(format!("cannot create the QuickJS runtime: {e}")))?;
        runtime.set_interrupt_handler(Some(Box::new(call_frame::should_stop)));
        runtime.set_loader(super::loader::PltsResolver, super::loader::PltsLoader);
        let base = Context::base(&runtime).map_err(|e| internal(format!("cannot create a JS context: {e}")))?;
        base.with(|ctx| allocator::pin_arenas(&ctx));
        // SAFETY: `base` is a live context of `runtime`; JS_GetRuntime only reads its pointer.
        let raw = NonNull::new(unsafe { qjs::JS_GetRuntime(base.as_raw().as_ptr()) }).expect("a context has a runtime");
        drop(base);
        Ok(Self { runtime, raw, running: Cell::new(0), floor: Cell::new(None), contexts: RefCell::new(FxHashMap::default()) })
    }

    /// Runs `f` with `context`, a context of this runtime: under rquickjs's lock when no call runs
    /// here, else under the lock the outermost running call holds.
    #[inline(always)]
    fn enter<R>(&self, context: &Context, f: impl for<'js> FnOnce(&Ctx<'js>) -> R) -> R {
        let running = self.running.get();
        self.running.set(running + 1);
        let _leave = Leave(&self.running);
        if running == 0 {
            context.with(|ctx| f(&ctx))
        } else {
            // SAFETY: a call running in this runtime holds its lock further up this thread's
            // stack, and returns only after this call has; the Ctx (a reference of its own to
            // the context) does not outlive `f`.
            let ctx = unsafe { Ctx::from_raw(context.as_raw()) };
            f(&ctx)
        }
    }

    /// Whether promise jobs are queued in this runtime.
    #[inline]
    fn jobs_pending(&self) -> bool {
        // SAFETY: the runtime is live; this only reads its job list.
        unsafe { qjs::JS_IsJobPending(self.raw.as_ptr()) }
    }

    /// Lets QuickJS use the stack down to `limits.stack_floor`, and [`JS_PAST_FLOOR_BYTES`] more.
    /// QuickJS keeps the limit as an address (its stack top less the size given), so it is set
    /// again only when the floor moves (`max_stack_depth` changed).
    #[inline]
    fn limit_stack(&self, limits: &Limits) {
        if self.floor.get() == Some(limits.stack_floor) {
            return;
        }
        self.floor.set(Some(limits.stack_floor));
        let marker = 0u8;
        let here = std::ptr::addr_of!(marker) as usize;
        let size = if limits.stack_floor == 0 {
            FALLBACK_STACK_BYTES
        } else {
            here.saturating_sub(limits.stack_floor.saturating_sub(JS_PAST_FLOOR_BYTES))
        };
        // SAFETY: the runtime is live; these set its stack top (here) and limit, which QuickJS
        // reads only to check the stack. (0 would mean no limit: a call begun past the floor gets 1.)
        unsafe {
            qjs::JS_UpdateStackTop(self.raw.as_ptr());
            qjs::JS_SetMaxStackSize(self.raw.as_ptr(), size.max(1) as _);
        }
    }

    /// Runs a full garbage collection.
    fn collect(&self) {
        // SAFETY: the runtime is live. QuickJS collects from inside running scripts too (any
        // allocation may), so a nested call may do it while outer calls' frames are live.
        unsafe { qjs::JS_RunGC(self.raw.as_ptr()) }
    }

    /// The role's context, made (and started) on its first call, and again after [`forget`]
    /// recycled it.
    fn context(&self, call: &Invocation<'_>) -> Result<Rc<RoleContext>, JsError> {
        if let Some(found) = self.contexts.borrow().get(&call.role) {
            return Ok(found.clone());
        }
        let made = Rc::new(self.new_context()?);
        self.contexts.borrow_mut().insert(call.role, made.clone());
        self.start(&made, call);
        Ok(made)
    }

    /// A new JS context with ctx.db and ctx.log installed, the parts of its invokers (prelude.js)
    /// and what its plain objects are (for results written as JSON).
    fn new_context(&self) -> Result<RoleContext, JsError> {
        // Made through the C API: rquickjs's `Context::full` takes the runtime's lock, which a
        // running call may hold.
        // SAFETY: the runtime is live; JS_NewContext returns a context with one reference (or
        // null), which the Context takes over.
        let context = unsafe {
            let raw = NonNull::new(qjs::JS_NewContext(self.raw.as_ptr()))
                .ok_or_else(|| internal("cannot create a JS context: out of memory".into()))?;
            Context::from_raw(raw, self.runtime.clone())
        };
        let (parts, shapes) = self.enter(&context, |ctx| {
            natives::install(ctx)
                .map(|(parts, shapes)| (Persistent::save(ctx, parts), shapes))
                .map_err(|e| super::js_error(ctx, e, &[]))
        })?;
        Ok(RoleContext {
            entries: RefCell::new(FxHashMap::default()),
            retired: RefCell::new(FxHashSet::default()),
            parts,
            shapes,
            context,
        })
    }

    /// Runs the call's start program (`plts.start_proc`) in a context made for it, before the
    /// call: its module is loaded as any function's, and its default export called with no
    /// arguments.
    fn start(&self, role_context: &RoleContext, call: &Invocation<'_>) {
        let Some(start) = call.start else { return };
        start.with_program(&mut |program| {
            let first = Invocation {
                arg_names: &[],
                args: &[],
                args_is_value: false,
                fn_oid: 0,
                fn_schema: "",
                fn_name: "",
                result: &crate::values::Expect::Value,
                entry_required: true,
                ephemeral: false,
                load_only: false,
                rows: None,
                ctx_members: &[],
                start: None,
                ..*call
            };
            self.run(role_context, program, &first).map(|_| ())
        });
    }

    /// Runs `program` for `call` in `role_context`, then the jobs the call queued and did not wait
    /// for, so that none is left to run in another call's turn (and another transaction). A call
    /// that failed runs them too, before its error is raised: what they write is then undone with
    /// the rest of the call, instead of being committed by whichever call ran next.
    #[inline]
    fn run(&self, role_context: &RoleContext, program: &Program, call: &Invocation<'_>) -> Result<JsOut, JsError> {
        let RoleContext { entries, parts, shapes, context, .. } = role_context;
        self.enter(context, |ctx| {
            let result = module::run(ctx, entries, parts, shapes, program, call);
            if self.jobs_pending() {
                let drained = self.run_left_jobs(ctx);
                // A failed call keeps its own error; a stop while draining fails a call that succeeded.
                if result.is_ok() {
                    drained?;
                }
            }
            result
        })
    }

    /// Runs the jobs a call left queued, until none is left; an error when the call was stopped.
    ///
    /// A stopped call (deadline, cancel) still runs them, so that none is left for another call's
    /// turn: the interrupt handler keeps answering "stop", so each one ends at its first poll, and
    /// what one wrote before that is undone with the stopped call. A queue that grows as fast as
    /// it drains is cut off after [`STOPPED_DRAIN_LIMIT`] jobs.
    #[cold]
    fn run_left_jobs(&self, ctx: &Ctx<'_>) -> Result<(), JsError> {
        let mut after_stop = 0;
        while self.jobs_pending() {
            if call_frame::stop_reason().is_some() {
                after_stop += 1;
                if after_stop > STOPPED_DRAIN_LIMIT {
                    break;
                }
            }
            ctx.execute_pending_job();
        }
        match call_frame::stop_reason() {
            Some(_) => Err(JsError::new(JsErrorKind::Interrupted, "interrupted")),
            None => Ok(()),
        }
    }

    /// Frees a context and everything made in it; no call may be running in it.
    fn discard(&self, role_context: RoleContext) {
        let RoleContext { entries, parts, context, .. } = role_context;
        // Objects and values kept for this context (kept_shapes.rs, shared_values.rs) must go before it does.
        // SAFETY: the context is still live; nothing uses its kept objects after this.
        self.enter(&context, |ctx| unsafe {
            super::kept_shapes::forget(ctx.as_raw().as_ptr());
            super::shared_values::forget(ctx.as_raw().as_ptr());
        });
        drop(entries);
        drop(parts);
        drop(context);
        self.collect();
    }
}

/// Decrements a runtime's count of running calls, also when an ERROR unwinds past the call.
struct Leave<'a>(&'a Cell<u32>);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

/// Makes the outer call's runtime the current one again when a call ends, also when an ERROR
/// unwinds past it.
struct Restore(Option<&'static Instance>);

impl Drop for Restore {
    fn drop(&mut self) {
        RUNTIMES.with(|runtimes| runtimes.current.set(self.0));
    }
}

/// The runtime a new call runs in: the running call's, unless jobs are queued there; then one no
/// call is using. Made when there is none.
#[inline]
fn pick() -> Result<&'static Instance, JsError> {
    RUNTIMES.with(|runtimes| {
        let found = match runtimes.current.get() {
            None => runtimes.first.get(),
            Some(running) if !running.jobs_pending() => Some(running),
            Some(_) => runtimes.all.borrow().iter().find(|instance| instance.running.get() == 0).copied(),
        };
        match found {
            Some(instance) => Ok(instance),
            None => new_instance(runtimes),
        }
    })
}

#[cold]
fn new_instance(runtimes: &Runtimes) -> Result<&'static Instance, JsError> {
    let made: &'static Instance = Box::leak(Box::new(Instance::new()?));
    runtimes.all.borrow_mut().push(made);
    if runtimes.first.get().is_none() {
        runtimes.first.set(Some(made));
    }
    Ok(made)
}

/// Marks module `name` retired in every role context that evaluated it, and drops its entry
/// unless it `may_return`; a context with [`RETIRED_LIMIT`] retired modules is freed (the role's
/// next call makes a new one), in a runtime no call is running in: a running one's contexts are
/// left as they are until a later `forget`.
pub fn forget(name: &str, may_return: bool) {
    RUNTIMES.with(|runtimes| {
        for instance in runtimes.all.borrow().iter() {
            let mut recycle = Vec::new();
            for (role, role_context) in instance.contexts.borrow().iter() {
                let mut entries = role_context.entries.borrow_mut();
                let mut retired = role_context.retired.borrow_mut();
                if entries.contains_key(name) {
                    if !may_return {
                        entries.remove(name);
                    }
                    retired.insert(name.to_owned());
                }
                // Only a context no call holds: a call about to run in it has its own reference.
                if retired.len() >= RETIRED_LIMIT && instance.running.get() == 0 && Rc::strong_count(role_context) == 1 {
                    recycle.push(*role);
                }
            }
            for role in recycle {
                let old = instance.contexts.borrow_mut().remove(&role);
                if let Some(old) = old.and_then(|old| Rc::try_unwrap(old).ok()) {
                    instance.discard(old);
                }
            }
        }
    });
}

/// A function runs module `name` again (a rollback, a flip back to an artifact): it is no longer
/// retired where it was.
pub fn revive(name: &str) {
    RUNTIMES.with(|runtimes| {
        for instance in runtimes.all.borrow().iter() {
            for role_context in instance.contexts.borrow().values() {
                role_context.retired.borrow_mut().remove(name);
            }
        }
    });
}

/// Runs `program`'s default export for `call`, in the runtime [`pick`] chooses.
#[inline]
pub fn call(program: &Program, call: &Invocation<'_>, limits: &Limits) -> Result<JsOut, JsError> {
    if call_frame::depth() == 1 {
        // Nested calls share the outermost call's heap limit.
        allocator::arm(limits.max_heap_bytes);
    }
    let instance = pick()?;
    let _restore = Restore(RUNTIMES.with(|runtimes| runtimes.current.replace(Some(instance))));
    instance.limit_stack(limits);
    let mut result = if call.ephemeral {
        run_in_own_context(instance, program, call)
    } else {
        let role_context = instance.context(call)?;
        instance.run(&role_context, program, call)
    };
    if let Err(e) = &mut result {
        // Without memory, QuickJS may throw null, or an InternalError whose message it could
        // not allocate ("Invalid error message"): say what happened.
        if allocator::refused() && matches!(e.kind, JsErrorKind::Thrown | JsErrorKind::OutOfMemory) {
            e.kind = JsErrorKind::OutOfMemory;
            if e.message == errors::NULL_THROWN || e.message.ends_with("Invalid error message") {
                e.message = "InternalError: out of memory".into();
            }
        }
        // Give back what a script that ran out of memory or stack, or was stopped, allocated (it may have
        // left cycles behind). Not after every throw: a full collection costs in proportion to
        // the heap, which grows with every module the backend has loaded (2 ms per refused
        // `returns` check with 400 functions loaded); QuickJS's own GC threshold still runs.
        if matches!(e.kind, JsErrorKind::OutOfMemory | JsErrorKind::Interrupted | JsErrorKind::StackOverflow) {
            instance.collect();
        }
    }
    result
}

/// Runs a DO block in a context of its own, dropped afterwards with everything the block made.
/// QuickJS cannot unload one module from a context, so in the role's context every DO block
/// would leave its module behind (about 2 KB each, until the heap limit).
fn run_in_own_context(instance: &Instance, program: &Program, call: &Invocation<'_>) -> Result<JsOut, JsError> {
    let own = instance.new_context()?;
    instance.start(&own, call);
    let result = instance.run(&own, program, call);
    instance.discard(own);
    result
}
