//! Object shapes kept alive per context, for the objects plts builds from jsonb and rows.
//!
//! QuickJS gives every object a shape (its prototype and key sequence), shared through a hash
//! table, and frees a shape with the last object that uses it. Without a kept object, each call's
//! argument object is built through new shapes, one property at a time (a shape cloned, grown and
//! hashed for every key, ~390 instructions), which are freed at the end of the call. Keeping one
//! object per key prefix (`{id}`, `{id, name}`, ...) alive keeps those shapes: the next object
//! with the same keys finds each step in the table (~240 instructions a key), as `fast_parse.ts`
//! does in JS.
//!
//! The objects belong to their context: [`forget`] frees them before a context is dropped.

use std::cell::RefCell;

use rquickjs::qjs;
use rustc_hash::FxHashMap;

use super::{allocator, raw};
use crate::backend::BackendLocal;

/// Key sequences of up to this many keys are kept, and up to this many objects per context
/// (a sequence of n keys keeps n objects).
pub const MAX_KEYS: usize = 16;
const MAX_OBJECTS: usize = 512;
/// Heap room (a generous bound on what a full set of kept objects and shapes takes) that must be
/// left under half of `plts.max_heap_mb` before more are kept.
const ROOM: usize = 4 * MAX_OBJECTS * 64;

#[derive(Default)]
struct Kept {
    sequences: FxHashMap<Box<[qjs::JSAtom]>, Vec<qjs::JSValue>>,
    objects: usize,
}

/// One entry per live context that has kept shapes.
static KEPT: BackendLocal<RefCell<Vec<(usize, Kept)>>> = BackendLocal::new(RefCell::new(Vec::new()));

/// Keeps the shapes of an object with these keys, in this order, made by `JS_NewObject` and
/// `JS_DefinePropertyValue` with `JS_PROP_C_W_E` (as json_in and ctx.db rows make theirs).
/// Best effort: nothing happens when the sequence is kept already, too long, or out of room.
///
/// # Safety
/// `ctx` must be a live context, and [`forget`] must be called before it is freed; `keys` must be
/// atoms its objects hold (so they live as long as the kept objects).
pub unsafe fn keep(ctx: *mut qjs::JSContext, keys: &[qjs::JSAtom]) {
    if keys.is_empty() || keys.len() > MAX_KEYS {
        return;
    }
    let known = KEPT.with(|kept| {
        let kept = kept.borrow();
        kept.iter().find(|(c, _)| *c == ctx as usize).is_some_and(|(_, k)| {
            k.sequences.contains_key(keys) || k.objects + keys.len() > MAX_OBJECTS
        })
    });
    // A heap close to plts.max_heap_mb is left to the call itself.
    if known || !allocator::has_room(ROOM) {
        return;
    }
    let mut prefixes = raw::Owned::with_capacity(ctx, keys.len());
    for end in 1..=keys.len() {
        // SAFETY: `ctx` is live and `keys` are atoms of its runtime (the caller's promise).
        // Should one fail, `prefixes` frees the objects made so far.
        let Some(object) = (unsafe { prefix_object(ctx, &keys[..end]) }) else { return };
        prefixes.push(object);
    }
    let prefixes = prefixes.into_vec();
    KEPT.with(|kept| {
        let mut kept = kept.borrow_mut();
        let at = match kept.iter().position(|(c, _)| *c == ctx as usize) {
            Some(at) => at,
            None => {
                kept.push((ctx as usize, Kept::default()));
                kept.len() - 1
            }
        };
        let entry = &mut kept[at].1;
        entry.objects += prefixes.len();
        entry.sequences.insert(keys.into(), prefixes);
    });
}

/// An object with `keys`, each `undefined`; `None` (the exception cleared) when QuickJS is out
/// of memory: keeping shapes must never fail a call.
///
/// # Safety
/// `ctx` must be a live context and `keys` atoms of its runtime.
unsafe fn prefix_object(ctx: *mut qjs::JSContext, keys: &[qjs::JSAtom]) -> Option<qjs::JSValue> {
    // SAFETY: `ctx` is live and `keys` are atoms of its runtime (the caller's promise). The guard
    // owns the new object (freeing JS_EXCEPTION, should that be what came back, does nothing);
    // `undefined` has no reference to hand over; the pending exception is taken and freed.
    unsafe {
        let object = raw::OwnedValue::new(ctx, qjs::JS_NewObject(ctx));
        let made = !qjs::JS_IsException(object.get())
            && keys.iter().all(|&key| raw::define(ctx, object.get(), key, qjs::JS_UNDEFINED).is_ok());
        if made {
            return Some(object.into_raw());
        }
        drop(object);
        qjs::JS_FreeValue(ctx, qjs::JS_GetException(ctx));
        None
    }
}

/// Frees the objects kept for `ctx`; call it before the context is freed.
///
/// # Safety
/// `ctx` must still be live.
pub unsafe fn forget(ctx: *mut qjs::JSContext) {
    let kept = KEPT.with(|kept| {
        let mut kept = kept.borrow_mut();
        kept.iter().position(|(c, _)| *c == ctx as usize).map(|at| kept.swap_remove(at).1)
    });
    for object in kept.into_iter().flat_map(|k| k.sequences.into_values()).flatten() {
        // SAFETY: `ctx` is still live (the caller's promise); the kept objects are its values,
        // each held once here and now removed from KEPT.
        unsafe { qjs::JS_FreeValue(ctx, object) };
    }
}
