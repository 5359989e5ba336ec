//! The JavaScript engine: QuickJS (quickjs-ng) through rquickjs, and nothing else. It implements
//! `ctx::Engine` (the four steps of a call, described there) and binds the natives of the ctx API;
//! it knows nothing of SPI, Datums, GUCs or the language handler.
//!
//! - [`runtime`]: the backend's QuickJS runtime, created lazily (never in the postmaster), which
//!   nested calls re-enter, and its contexts, one per role;
//! - [`module`]: loading a program's module once per context, calling its entry, settling promises;
//! - [`invoker`]: building `ctx` and calling the handler through QuickJS's C API;
//! - [`natives`]: the `native` object behind `ctx.db` and `ctx.log`;
//! - [`convert`], [`json_in`], [`json_out`]: values between JS and plts's value types;
//! - [`errors`]: thrown values as `JsError`s with TypeScript positions;
//! - [`loader`]: what can be imported (data: URLs and the built-in modules);
//! - [`allocator`], [`key_atoms`], [`kept_shapes`], [`shared_values`], [`raw`]: the heap limit,
//!   and the QuickJS steps of the hot paths.

mod allocator;
mod convert;
mod errors;
mod invoker;
mod json_in;
mod json_out;
mod kept_shapes;
mod key_atoms;
mod loader;
mod module;
mod natives;
mod raw;
mod runtime;
mod shared_values;

use rquickjs::Ctx;

use crate::call_frame::Limits;
use crate::ctx::{Engine, Invocation, JsError, JsErrorKind, Program};
use crate::values::JsOut;

/// The QuickJS engine.
pub struct QuickJs;

/// The engine plts runs programs with: the one place where a second engine would be chosen.
pub type Js = QuickJs;

impl Engine for QuickJs {
    fn call(program: &Program, call: &Invocation<'_>, limits: &Limits) -> Result<JsOut, JsError> {
        runtime::call(program, call, limits)
    }

    fn forget(program: &Program, may_return: bool) {
        runtime::forget(&program.module_name, may_return);
    }

    fn revive(program: &Program) {
        runtime::revive(&program.module_name);
    }
}

/// Evaluates plts's own JavaScript (the prelude, invokers) under the file name `plts:ctx`, whose
/// frames errors.rs keeps out of users' stacks.
fn eval_internal<'js, T: rquickjs::FromJs<'js>>(ctx: &Ctx<'js>, source: impl Into<Vec<u8>>) -> rquickjs::Result<T> {
    let mut options = rquickjs::context::EvalOptions::default();
    options.filename = Some("plts:ctx".into());
    ctx.eval_with_options(source, options)
}

fn js_error(ctx: &Ctx<'_>, error: rquickjs::Error, programs: &[&Program]) -> JsError {
    match error {
        rquickjs::Error::Exception => {
            let e = errors::caught(ctx, programs);
            if e.kind == JsErrorKind::Interrupted || crate::call_frame::stop_reason().is_some() {
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
