//! Property-key atoms kept alive per QuickJS runtime. QuickJS frees an atom with the last object
//! that uses it, so the keys of every call's jsonb arguments and result rows (`id`, `name`, ...)
//! were made again on every call (a string allocated, hashed and inserted into the atom table) and
//! read back into UTF-8 on the way out. Kept here, a key is one Rust hash lookup either way.
//!
//! Atoms belong to a runtime; plts's runtimes live as long as the backend (engine/mod.rs), so a held
//! atom stays valid. The cache is bounded and never evicts: past its size, keys are made as before.

use std::cell::RefCell;

use rquickjs::{qjs, Result};
use rustc_hash::FxHashMap;

use super::raw;
use crate::backend::BackendLocal;

/// Keys per runtime, and the longest key kept: ids and column names, not arbitrary map keys.
const MAX_KEYS: usize = 1024;
const MAX_KEY_BYTES: usize = 48;

#[derive(Default)]
struct Keys {
    atoms: FxHashMap<Box<str>, qjs::JSAtom>,
    texts: FxHashMap<qjs::JSAtom, Box<str>>,
}

/// One entry per runtime (one per nesting depth): few enough for a linear search.
static CACHES: BackendLocal<RefCell<Vec<(usize, Keys)>>> = BackendLocal::new(RefCell::new(Vec::new()));

fn with_keys<T>(ctx: *mut qjs::JSContext, f: impl FnOnce(&mut Keys) -> T) -> T {
    let runtime = unsafe { qjs::JS_GetRuntime(ctx) } as usize;
    CACHES.with(|caches| {
        let mut caches = caches.borrow_mut();
        let at = match caches.iter().position(|(rt, _)| *rt == runtime) {
            Some(at) => at,
            None => {
                caches.push((runtime, Keys::default()));
                caches.len() - 1
            }
        };
        f(&mut caches[at].1)
    })
}

/// The atom of a property key, owned by the caller (JS_FreeAtom it), as [`raw::key_atom`] makes it.
///
/// # Safety
/// `ctx` must be a live context.
pub unsafe fn atom(ctx: *mut qjs::JSContext, key: &str) -> Result<qjs::JSAtom> {
    if let Some(atom) = with_keys(ctx, |keys| keys.atoms.get(key).copied()) {
        return Ok(unsafe { qjs::JS_DupAtom(ctx, atom) });
    }
    let atom = unsafe { raw::key_atom(ctx, key) }?;
    unsafe { keep(ctx, atom, key) };
    Ok(atom)
}

/// Calls `f` with the UTF-8 text of `atom` (`None` where QuickJS could not make it: out of memory,
/// the exception pending; or a lone surrogate, which is not UTF-8).
///
/// # Safety
/// `ctx` must be a live context, `atom` an atom of its runtime.
/// `f` must not make or read key atoms itself (the cache is borrowed while it runs).
pub unsafe fn with_text<T>(ctx: *mut qjs::JSContext, atom: qjs::JSAtom, f: impl FnOnce(Option<&str>) -> T) -> T {
    let mut f = Some(f);
    let cached = with_keys(ctx, |keys| keys.texts.get(&atom).map(|text| f.take().expect("not called yet")(Some(text))));
    if let Some(result) = cached {
        return result;
    }
    let f = f.expect("not called yet");
    let Some(made) = (unsafe { raw::Utf8::of_atom(ctx, atom) }) else { return f(None) };
    let text = made.as_str();
    if let Some(text) = text {
        unsafe { keep(ctx, atom, text) };
    }
    f(text)
}

/// Holds a reference to `atom`, the key `key`, when the cache has room for it.
unsafe fn keep(ctx: *mut qjs::JSContext, atom: qjs::JSAtom, key: &str) {
    with_keys(ctx, |keys| {
        if key.len() <= MAX_KEY_BYTES && keys.atoms.len() < MAX_KEYS && !keys.atoms.contains_key(key) {
            keys.atoms.insert(key.into(), unsafe { qjs::JS_DupAtom(ctx, atom) });
            keys.texts.insert(atom, key.into());
        }
    });
}
