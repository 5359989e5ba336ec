//! Property-key atoms kept alive per QuickJS runtime. QuickJS frees an atom with the last object
//! that uses it, so without a reference held here the keys of every call's jsonb arguments and
//! result rows (`id`, `name`, ...) would be made again on every call (a string allocated, hashed
//! and inserted into the atom table) and read back into UTF-8 on the way out. Kept, a key is one
//! Rust hash lookup either way.
//!
//! Atoms belong to a runtime; plts's runtimes live as long as the backend (engine/runtime.rs), so a held
//! atom stays valid. The cache is bounded and never evicts: past its size, keys are made by
//! [`raw::key_atom`] each time.

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

/// One entry per runtime (a backend has one, rarely more): few enough for a linear search.
static CACHES: BackendLocal<RefCell<Vec<(usize, Keys)>>> = BackendLocal::new(RefCell::new(Vec::new()));

/// # Safety
/// `ctx` must be a live context.
unsafe fn with_keys<T>(ctx: *mut qjs::JSContext, f: impl FnOnce(&mut Keys) -> T) -> T {
    // SAFETY: `ctx` is live (the caller's promise); JS_GetRuntime only reads its runtime pointer.
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
    // SAFETY: `ctx` is live (the caller's promise).
    if let Some(atom) = unsafe { with_keys(ctx, |keys| keys.atoms.get(key).copied()) } {
        // SAFETY: the cache holds a reference to `atom`, an atom of this context's runtime, so it
        // is alive; the caller gets a reference of its own.
        return Ok(unsafe { qjs::JS_DupAtom(ctx, atom) });
    }
    // SAFETY: `ctx` is live; `atom` is the key `key` of its runtime, made just now.
    unsafe {
        let atom = raw::key_atom(ctx, key)?;
        keep(ctx, atom, key);
        Ok(atom)
    }
}

/// Calls `f` with the UTF-8 text of `atom` (`None` where QuickJS could not make it: out of memory,
/// the exception pending; or a lone surrogate, which is not UTF-8).
///
/// # Safety
/// `ctx` must be a live context, `atom` an atom of its runtime.
/// `f` must not make or read key atoms itself (the cache is borrowed while it runs).
pub unsafe fn with_text<T>(ctx: *mut qjs::JSContext, atom: qjs::JSAtom, f: impl FnOnce(Option<&str>) -> T) -> T {
    let mut f = Some(f);
    // SAFETY: `ctx` is live (the caller's promise).
    let cached =
        unsafe { with_keys(ctx, |keys| keys.texts.get(&atom).map(|text| f.take().expect("not called yet")(Some(text)))) };
    if let Some(result) = cached {
        return result;
    }
    let f = f.expect("not called yet");
    // SAFETY: `ctx` is live and `atom` an atom of its runtime (the caller's promise); the text
    // is released before this returns, while `ctx` is still live.
    let Some(made) = (unsafe { raw::Utf8::of_atom(ctx, atom) }) else { return f(None) };
    let text = made.as_str();
    if let Some(text) = text {
        // SAFETY: as above; `text` is the key of `atom`.
        unsafe { keep(ctx, atom, text) };
    }
    f(text)
}

/// Holds a reference to `atom`, the key `key`, when the cache has room for it.
///
/// # Safety
/// `ctx` must be a live context and `atom` the atom of `key` in its runtime.
unsafe fn keep(ctx: *mut qjs::JSContext, atom: qjs::JSAtom, key: &str) {
    // SAFETY: `ctx` is live (the caller's promise).
    unsafe {
        with_keys(ctx, |keys| {
            if key.len() <= MAX_KEY_BYTES && keys.atoms.len() < MAX_KEYS && !keys.atoms.contains_key(key) {
                // SAFETY: `atom` is alive (the caller holds it); the cache takes a reference of
                // its own, never freed: the runtime lives as long as the backend.
                keys.atoms.insert(key.into(), qjs::JS_DupAtom(ctx, atom));
                keys.texts.insert(atom, key.into());
            }
        })
    }
}

/// Atoms of property keys, owned until dropped.
pub struct Atoms {
    ctx: *mut qjs::JSContext,
    atoms: Vec<qjs::JSAtom>,
}

impl Atoms {
    /// The atoms of `keys`, in order, through the cache.
    ///
    /// # Safety
    /// `ctx` must be a live context, and outlive the atoms.
    pub unsafe fn new(ctx: *mut qjs::JSContext, keys: impl IntoIterator<Item = impl AsRef<str>>) -> Result<Self> {
        let mut atoms = Atoms { ctx, atoms: Vec::new() };
        for key in keys {
            // SAFETY: `ctx` is live (the caller's promise); on an error the atoms made so far
            // are freed by `atoms`' drop.
            atoms.atoms.push(unsafe { atom(ctx, key.as_ref()) }?);
        }
        Ok(atoms)
    }

    pub fn as_slice(&self) -> &[qjs::JSAtom] {
        &self.atoms
    }
}

impl Drop for Atoms {
    fn drop(&mut self) {
        for atom in self.atoms.drain(..) {
            // SAFETY: each atom is a reference this owns, of the runtime of `ctx`, which
            // outlives it (`new`'s contract).
            unsafe { qjs::JS_FreeAtom(self.ctx, atom) };
        }
    }
}

/// `value[key]`, with the key's atom from the cache (a property read by name costs an atom made
/// from the text otherwise).
pub fn get_by_key<'js>(ctx: &rquickjs::Ctx<'js>, value: &rquickjs::Value<'js>, key: &str) -> Result<rquickjs::Value<'js>> {
    let raw_ctx = ctx.as_raw().as_ptr();
    // SAFETY: `raw_ctx` is the live context of `value`; the atom is freed after the read, and the
    // property's value (a new reference, or the exception marker) is owned by the returned Value.
    unsafe {
        let atom = atom(raw_ctx, key)?;
        let got = qjs::JS_GetProperty(raw_ctx, value.as_raw(), atom);
        qjs::JS_FreeAtom(raw_ctx, atom);
        Ok(rquickjs::Value::from_raw(ctx.clone(), raw::checked(got)?))
    }
}
