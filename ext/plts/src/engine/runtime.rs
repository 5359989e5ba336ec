//! QuickJS runtimes and their contexts. One runtime per nesting depth: a plts function whose SQL
//! calls another plts function runs the inner one in the next runtime, because a QuickJS runtime
//! cannot be entered again while it is running. Each runtime has one context per role, so no role
//! sees another role's globals, and a DO block gets a context of its own, dropped afterwards.
//!
//! Runtimes are never dropped: the backend's exit frees the memory, and tearing down a runtime
//! whose scripts were interrupted can trip QuickJS's leak checks.
//!
//! QuickJS cannot unload a module from a context, so every replaced function version (a
//! redeploy, a `CREATE OR REPLACE`) would stay in its role's context for the life of the backend.
//! A replaced version's module is kept while fewer than [`RETIRED_LIMIT`] are, since a rollback or
//! the next flip back may run it again (an artifact's module never changes); a context that holds
//! that many is freed instead, with every module it evaluated, and the next call of that role at
//! that depth gets a new context (its start program runs again).

use std::cell::RefCell;

use rquickjs::{Context, Object, Persistent, Runtime};
use rustc_hash::{FxHashMap, FxHashSet};

use super::module::{self, Entry};
use super::{allocator, errors, internal, json_out, natives};
use crate::backend::BackendLocal;
use crate::call_frame::{self, Limits, MAX_DEPTH};
use crate::ctx::{Invocation, JsError, JsErrorKind, Program};
use crate::values::JsOut;

/// Replaced function versions a role's context may hold before it is recycled: at most a few
/// hundred kB of modules that may never run again.
const RETIRED_LIMIT: usize = 32;

/// A role's context and what it keeps. Fields drop in declaration order: values before their
/// context.
pub struct RoleContext {
    /// Evaluated programs by module name.
    entries: FxHashMap<String, Entry>,
    /// Entries whose programs no cached function runs now (replaced versions).
    retired: FxHashSet<String>,
    /// What prelude.js returned, `{ context }`: the shared prototype of every ctx.
    parts: Persistent<Object<'static>>,
    shapes: json_out::PlainShapes,
    context: Context,
}

/// The runtime of one nesting depth. Contexts drop before the runtime.
struct Instance {
    contexts: FxHashMap<u32, RoleContext>,
    runtime: Runtime,
    /// The stack limit last given to QuickJS (max_stack_depth may change between calls).
    stack_limit: usize,
}

static INSTANCES: BackendLocal<[RefCell<Option<Instance>>; MAX_DEPTH]> =
    BackendLocal::new([const { RefCell::new(None) }; MAX_DEPTH]);

impl Instance {
    fn new() -> Result<Self, JsError> {
        let runtime = Runtime::new_with_alloc(allocator::CountingAllocator)
            .map_err(|e| internal(format!("cannot create the QuickJS runtime: {e}")))?;
        runtime.set_interrupt_handler(Some(Box::new(call_frame::should_stop)));
        runtime.set_loader(super::loader::PltsResolver, super::loader::PltsLoader);
        let base = Context::base(&runtime).map_err(|e| internal(format!("cannot create a JS context: {e}")))?;
        base.with(|ctx| allocator::pin_arenas(&ctx));
        drop(base);
        Ok(Self { runtime, contexts: FxHashMap::default(), stack_limit: 0 })
    }

    /// The role's context, made (and started) on its first call, and again after [`forget`]
    /// recycled it.
    fn context(&mut self, call: &Invocation<'_>) -> Result<&mut RoleContext, JsError> {
        Ok(match self.contexts.entry(call.role) {
            std::collections::hash_map::Entry::Occupied(found) => found.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                let context = slot.insert(new_context(&self.runtime)?);
                start(context, call);
                context
            }
        })
    }
}

/// Runs the call's start program (`plts.start_proc`) in a context made for it, before the call:
/// its module is loaded as any function's, and its default export called with no arguments.
fn start(role_context: &mut RoleContext, call: &Invocation<'_>) {
    let Some(start) = call.start else { return };
    let RoleContext { entries, parts, shapes, context, .. } = role_context;
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
        context.with(|ctx| module::run(&ctx, entries, parts, shapes, program, &first)).map(|_| ())
    });
}

/// A new JS context with ctx.db and ctx.log installed, the parts of its invokers (prelude.js)
/// and what its plain objects are (for results written as JSON).
fn new_context(runtime: &Runtime) -> Result<RoleContext, JsError> {
    let context = Context::full(runtime).map_err(|e| internal(format!("cannot create a JS context: {e}")))?;
    let (parts, shapes) = context.with(|ctx| {
        natives::install(&ctx)
            .map(|(parts, shapes)| (Persistent::save(&ctx, parts), shapes))
            .map_err(|e| super::js_error(&ctx, e, &[]))
    })?;
    Ok(RoleContext { entries: FxHashMap::default(), retired: FxHashSet::default(), parts, shapes, context })
}

/// Frees a context and everything made in it.
fn discard(runtime: &Runtime, role_context: RoleContext) {
    let RoleContext { entries, parts, context, .. } = role_context;
    // Objects and values kept for this context (kept_shapes.rs, shared_values.rs) must go before it does.
    // SAFETY: the context is still live; nothing uses its kept objects after this.
    context.with(|ctx| unsafe {
        super::kept_shapes::forget(ctx.as_raw().as_ptr());
        super::shared_values::forget(ctx.as_raw().as_ptr());
    });
    drop(entries);
    drop(parts);
    drop(context);
    runtime.run_gc();
}

/// Marks module `name` retired in every role context that evaluated it, in the runtimes that are
/// not running a call now, and drops its entry unless it `may_return`; a context with
/// [`RETIRED_LIMIT`] retired modules is freed (the role's next call at that depth makes a new
/// one). A running runtime is left as it is: it is only memory.
pub fn forget(name: &str, may_return: bool) {
    INSTANCES.with(|instances| {
        for slot in instances {
            let Ok(mut slot) = slot.try_borrow_mut() else { continue };
            let Some(instance) = slot.as_mut() else { continue };
            let mut recycle = Vec::new();
            for (role, role_context) in instance.contexts.iter_mut() {
                if role_context.entries.contains_key(name) {
                    if !may_return {
                        role_context.entries.remove(name);
                    }
                    role_context.retired.insert(name.to_owned());
                    if role_context.retired.len() >= RETIRED_LIMIT {
                        recycle.push(*role);
                    }
                }
            }
            for role in recycle {
                if let Some(old) = instance.contexts.remove(&role) {
                    discard(&instance.runtime, old);
                }
            }
        }
    });
}

/// A function runs module `name` again (a rollback, a flip back to an artifact): it is no longer
/// retired where it was.
pub fn revive(name: &str) {
    INSTANCES.with(|instances| {
        for slot in instances {
            let Ok(mut slot) = slot.try_borrow_mut() else { continue };
            let Some(instance) = slot.as_mut() else { continue };
            for role_context in instance.contexts.values_mut() {
                role_context.retired.remove(name);
            }
        }
    });
}

/// Runs `program`'s default export for `call` in the runtime of the running call's depth.
#[inline]
pub fn call(program: &Program, call: &Invocation<'_>, limits: &Limits) -> Result<JsOut, JsError> {
    let depth = call_frame::depth();
    if depth == 1 {
        // Nested calls share the outermost call's heap limit.
        allocator::arm(limits.max_heap_bytes);
    }
    INSTANCES.with(|instances| {
        let mut slot = instances[depth - 1].borrow_mut();
        if slot.is_none() {
            *slot = Some(Instance::new()?);
        }
        let instance = slot.as_mut().expect("created above");
        if instance.stack_limit != limits.max_stack_bytes {
            instance.runtime.set_max_stack_size(limits.max_stack_bytes);
            instance.stack_limit = limits.max_stack_bytes;
        }
        let mut result = if call.ephemeral {
            run_in_own_context(instance, program, call)
        } else {
            let RoleContext { entries, parts, shapes, context, .. } = instance.context(call)?;
            context.with(|ctx| module::run(&ctx, entries, parts, shapes, program, call))
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
                instance.runtime.run_gc();
            }
        }
        result
    })
}

/// Runs a DO block in a context of its own, dropped afterwards with everything the block made.
/// QuickJS cannot unload one module from a context, so in the role's context every DO block
/// would leave its module behind (about 2 KB each, until the heap limit).
fn run_in_own_context(instance: &mut Instance, program: &Program, call: &Invocation<'_>) -> Result<JsOut, JsError> {
    let mut own = new_context(&instance.runtime)?;
    start(&mut own, call);
    let RoleContext { entries, parts, shapes, context, .. } = &mut own;
    let result = context.with(|ctx| module::run(&ctx, entries, parts, shapes, program, call));
    discard(&instance.runtime, own);
    result
}
