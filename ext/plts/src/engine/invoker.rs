//! Calls one program's default export: builds `ctx` (`{ args }` on the program's prototype,
//! which holds `fn` and inherits `db`, `log` and `now` from prelude.js) and the arguments object,
//! and calls the handler, all through QuickJS's C API: a JS invoker would cost one more
//! interpreter frame per call.

use std::ptr::NonNull;

use rquickjs::{qjs, Ctx, FromJs, Function, Object, Result, Value};

use super::key_atoms;
use super::raw::{self, OwnedValue};
use crate::args_shape::Shape;

/// Calls with fewer SQL arguments pass ctx and them to the handler from a stack array.
const ARGV_ON_STACK: usize = 5;

/// What every call of one program shares. Owns its values and atoms, so it must be dropped
/// while its context lives (entries drop before their context, engine/runtime.rs).
pub struct Invoker {
    ctx: NonNull<qjs::JSContext>,
    handler: qjs::JSValue,
    /// Every ctx's prototype: `fn` on top of the context's shared prototype.
    proto: qjs::JSValue,
    /// `ctx.args` is the single argument itself, not an object of the arguments by name.
    args_is_value: bool,
    /// `args`, then the SQL argument names (the keys of `ctx.args`).
    atoms: key_atoms::Atoms,
    /// A wrapper's arguments shape and its call for arguments that passed it in Rust
    /// (args_shape.rs): `(args, ctx)`.
    validated: Option<(Shape, qjs::JSValue)>,
    /// Objects holding the shapes of ctx and of the arguments object's key prefixes: QuickJS
    /// frees a shape with its last object, and would build it again on every call.
    templates: Vec<qjs::JSValue>,
}

impl Invoker {
    /// The invoker of `handler`, whose calls get `ctx.args` with SQL argument `names`
    /// (`args_is_value`: the single argument itself) and `ctx.fn = fn_info`. `context` is the
    /// context's shared prototype (prelude.js); `validated` a wrapper's shape and checked call.
    pub fn new<'js>(
        ctx: &Ctx<'js>,
        context: &Object<'js>,
        handler: Function<'js>,
        fn_info: Value<'js>,
        names: &[String],
        args_is_value: bool,
        validated: Option<(Shape, Function<'js>)>,
    ) -> Result<Self> {
        let proto = Object::new(ctx.clone())?;
        proto.set_prototype(Some(context))?;
        proto.prop("fn", super::convert::data_property(fn_info))?;
        let raw = ctx.as_raw();
        // SAFETY: a new reference to a live value of this context, owned by the invoker.
        let owned = |value: &Value<'js>| unsafe { raw::dup(raw.as_ptr(), value.as_raw()) };
        let keys = if args_is_value { &[] } else { names };
        // SAFETY: the context outlives the invoker, which owns the atoms.
        let atoms = unsafe { key_atoms::Atoms::new(raw.as_ptr(), std::iter::once("args").chain(keys.iter().map(String::as_str))) }?;
        let mut invoker = Invoker {
            ctx: raw,
            handler: owned(handler.as_value()),
            proto: owned(proto.as_value()),
            args_is_value,
            atoms,
            validated: validated.filter(|_| args_is_value).map(|(shape, f)| (shape, owned(f.as_value()))),
            templates: Vec::new(),
        };
        // SAFETY: each object made is owned by `templates` at once (freed with the invoker); the
        // atoms are the invoker's own.
        unsafe {
            // ctx without and with `args`, and each prefix of the arguments object.
            let ctx_template = raw::new_object(raw.as_ptr(), Some(invoker.proto))?;
            invoker.templates.push(ctx_template);
            let ctx_template = raw::new_object(raw.as_ptr(), Some(invoker.proto))?;
            invoker.templates.push(ctx_template);
            raw::define(raw.as_ptr(), ctx_template, invoker.args_atom(), qjs::JS_UNDEFINED)?;
            for n in 1..=invoker.names().len() {
                let args = raw::new_object(raw.as_ptr(), None)?;
                invoker.templates.push(args);
                for &atom in &invoker.names()[..n] {
                    raw::define(raw.as_ptr(), args, atom, qjs::JS_UNDEFINED)?;
                }
            }
        }
        Ok(invoker)
    }

    fn args_atom(&self) -> qjs::JSAtom {
        self.atoms.as_slice()[0]
    }

    fn names(&self) -> &[qjs::JSAtom] {
        &self.atoms.as_slice()[1..]
    }

    /// The shape a jsonb argument must pass for [`Invoker::call_validated`], for wrappers that have one.
    pub fn shape(&self) -> Option<&Shape> {
        self.validated.as_ref().map(|(shape, _)| shape)
    }

    /// Calls the handler with ctx and `values` (the SQL arguments, by position); `members` are
    /// set on ctx besides `args` (`trigger`, `event`).
    pub fn call<'js>(&self, ctx: &Ctx<'js>, values: &[Value<'js>], members: &[(&str, Value<'js>)]) -> Result<Value<'js>> {
        let raw_ctx = ctx.as_raw().as_ptr();
        // SAFETY: `ctx` is the invoker's context; every value handed to QuickJS is a new reference
        // it takes (define) or held by a guard, and argv only borrows for the call.
        unsafe {
            let args = if self.args_is_value {
                OwnedValue::new(raw_ctx, values.first().map_or(qjs::JS_UNDEFINED, |v| raw::dup(raw_ctx, v.as_raw())))
            } else {
                let args = OwnedValue::new(raw_ctx, raw::new_object(raw_ctx, None)?);
                for (&atom, value) in self.names().iter().zip(values) {
                    raw::define(raw_ctx, args.get(), atom, raw::dup(raw_ctx, value.as_raw()))?;
                }
                args
            };
            let context = self.new_ctx(args)?;
            for (name, value) in members {
                let atom = key_atoms::atom(raw_ctx, name)?;
                let defined = raw::define(raw_ctx, context.get(), atom, raw::dup(raw_ctx, value.as_raw()));
                qjs::JS_FreeAtom(raw_ctx, atom);
                defined?;
            }
            // The handler gets ctx, then each SQL argument by position; on the stack for short lists.
            let argv = std::iter::once(context.get()).chain(values.iter().map(Value::as_raw));
            let (mut on_stack, mut on_heap) = ([qjs::JS_UNDEFINED; ARGV_ON_STACK], Vec::new());
            let argv: &mut [qjs::JSValue] = if values.len() < ARGV_ON_STACK {
                argv.zip(on_stack.iter_mut()).for_each(|(value, slot)| *slot = value);
                &mut on_stack[..=values.len()]
            } else {
                on_heap.extend(argv);
                &mut on_heap
            };
            let result = raw::call(raw_ctx, self.handler, argv);
            drop(context);
            returned(ctx, result)
        }
    }

    /// Calls the wrapper's `validated(args, ctx)` with ctx.args = `args`.
    pub fn call_validated<'js>(&self, ctx: &Ctx<'js>, args: Value<'js>) -> Result<Value<'js>> {
        let Some((_, validated)) = self.validated else { return Err(rquickjs::Error::Unknown) };
        let raw_ctx = ctx.as_raw().as_ptr();
        // SAFETY: as in `call`: ctx takes a new reference of `args`, and argv only borrows.
        unsafe {
            let context = self.new_ctx(OwnedValue::new(raw_ctx, raw::dup(raw_ctx, args.as_raw())))?;
            let mut argv = [args.as_raw(), context.get()];
            let result = raw::call(raw_ctx, validated, &mut argv);
            drop(context);
            returned(ctx, result)
        }
    }

    /// `{ __proto__: proto, args }`, taking `args`.
    ///
    /// # Safety
    /// `args` must be a value of the invoker's context.
    #[inline(always)]
    unsafe fn new_ctx(&self, args: OwnedValue) -> Result<OwnedValue> {
        // SAFETY: `proto` and the atom are the invoker's own; the guards free `args` and the new
        // object on the error paths, and define takes `args` on success.
        unsafe {
            let context = OwnedValue::new(self.ctx.as_ptr(), raw::new_object(self.ctx.as_ptr(), Some(self.proto))?);
            raw::define(self.ctx.as_ptr(), context.get(), self.args_atom(), args.into_raw())?;
            Ok(context)
        }
    }
}

/// A `JS_Call` result as rquickjs returns it: an exception becomes `Error::Exception`, and a
/// Rust panic caught in a native function (ctx.db) resumes here.
fn returned<'js>(ctx: &Ctx<'js>, result: qjs::JSValue) -> Result<Value<'js>> {
    // SAFETY: `result` is an owned value (or the exception marker) of `ctx`, returned by JS_Call.
    let value = unsafe { Value::from_raw(ctx.clone(), result) };
    <Result<Value>>::from_js(ctx, value)?
}

impl Drop for Invoker {
    fn drop(&mut self) {
        let ctx = self.ctx.as_ptr();
        // SAFETY: the invoker owns one reference to each value, and is dropped before its
        // context (engine/runtime.rs).
        unsafe {
            let validated = self.validated.take().map(|(_, call)| call);
            for value in self.templates.drain(..).chain([self.handler, self.proto]).chain(validated) {
                qjs::JS_FreeValue(ctx, value);
            }
        }
    }
}
