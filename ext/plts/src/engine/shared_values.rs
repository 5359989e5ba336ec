//! JS values of [`SqlValue::Shared`] values, made once per context: what many calls pass unchanged
//! (a trigger's name, table and arguments for every row of a statement) is converted on its first
//! call and handed out again after, frozen so that no call can change what the next one sees.
//!
//! An entry holds its `Rc`, so the address it is found by cannot be reused while it is cached.
//! The values belong to their context: [`forget`] frees them before a context is dropped.

use std::cell::RefCell;
use std::rc::Rc;

use rquickjs::{qjs, Ctx, Result, Value};

use super::raw;
use crate::backend::BackendLocal;
use crate::values::SqlValue;

/// Values kept per context; the oldest goes first past this.
const MAX_VALUES: usize = 64;

type Kept = Vec<(Rc<SqlValue>, qjs::JSValue)>;

/// One entry per live context that has shared values.
static SHARED: BackendLocal<RefCell<Vec<(usize, Kept)>>> = BackendLocal::new(RefCell::new(Vec::new()));

/// The JS value of `shared` in `ctx`: the kept one, or made by `convert` (and frozen, if an
/// object) and kept.
pub fn to_js<'js>(ctx: &Ctx<'js>, shared: &Rc<SqlValue>, convert: impl FnOnce() -> Result<Value<'js>>) -> Result<Value<'js>> {
    let raw_ctx = ctx.as_raw().as_ptr();
    let found = SHARED.with(|all| {
        let all = all.borrow();
        let kept = all.iter().find(|(c, _)| *c == raw_ctx as usize)?;
        // SAFETY: the kept value is a live value of `raw_ctx`; the caller gets a reference of its own.
        kept.1.iter().find(|(value, _)| Rc::ptr_eq(value, shared)).map(|(_, js)| unsafe { raw::dup(raw_ctx, *js) })
    });
    if let Some(js) = found {
        // SAFETY: a new reference, owned by the Value.
        return Ok(unsafe { Value::from_raw(ctx.clone(), js) });
    }
    let value = convert()?;
    if value.is_object() {
        // SAFETY: `value` is an object of the live `raw_ctx`; freezing reads and changes only it.
        if unsafe { qjs::JS_FreezeObject(raw_ctx, value.as_raw()) } < 0 {
            return Err(rquickjs::Error::Exception);
        }
    }
    // SAFETY: the cache's own reference to a live value of `raw_ctx`, freed when evicted or forgotten.
    let held = unsafe { raw::dup(raw_ctx, value.as_raw()) };
    let evicted = SHARED.with(|all| {
        let mut all = all.borrow_mut();
        let at = match all.iter().position(|(c, _)| *c == raw_ctx as usize) {
            Some(at) => at,
            None => {
                all.push((raw_ctx as usize, Vec::new()));
                all.len() - 1
            }
        };
        let kept = &mut all[at].1;
        let evicted = (kept.len() >= MAX_VALUES).then(|| kept.remove(0).1);
        kept.push((shared.clone(), held));
        evicted
    });
    if let Some(old) = evicted {
        // SAFETY: the evicted value was the cache's own reference, of this live context.
        unsafe { qjs::JS_FreeValue(raw_ctx, old) };
    }
    Ok(value)
}

/// Frees the values kept for `ctx`; call it before the context is freed.
///
/// # Safety
/// `ctx` must still be live.
pub unsafe fn forget(ctx: *mut qjs::JSContext) {
    let kept = SHARED.with(|all| {
        let mut all = all.borrow_mut();
        all.iter().position(|(c, _)| *c == ctx as usize).map(|at| all.swap_remove(at).1)
    });
    for (_, value) in kept.into_iter().flatten() {
        // SAFETY: `ctx` is still live (the caller's promise); each value was held once here and is
        // now removed.
        unsafe { qjs::JS_FreeValue(ctx, value) };
    }
}
