//! The few QuickJS C API steps that plts's hot paths (json_in, invoker, db rows) take instead of
//! rquickjs's generic API, which pays for a context clone, a Rust string or an atom per step.

use rquickjs::{qjs, Error, Result};

/// A QuickJS exception (out of memory) as an error; the exception stays pending for the caller.
pub fn checked(value: qjs::JSValue) -> Result<qjs::JSValue> {
    if unsafe { qjs::JS_IsException(value) } { Err(Error::Exception) } else { Ok(value) }
}

/// The atom of a property key (owned by the caller: JS_FreeAtom it).
///
/// # Safety
/// `ctx` must be a live context.
pub unsafe fn key_atom(ctx: *mut qjs::JSContext, key: &str) -> Result<qjs::JSAtom> {
    unsafe {
        // JS_NewAtomLen matches existing atoms byte by byte, which is right for ASCII only (UTF-8
        // "é" is the bytes of Latin-1 "Ã©"): other keys become a string first.
        let atom = if key.is_ascii() {
            qjs::JS_NewAtomLen(ctx, key.as_ptr().cast(), key.len() as _)
        } else {
            let string = checked(qjs::JS_NewStringLen(ctx, key.as_ptr().cast(), key.len() as _))?;
            let atom = qjs::JS_ValueToAtom(ctx, string);
            qjs::JS_FreeValue(ctx, string);
            atom
        };
        if atom == qjs::JS_ATOM_NULL { Err(Error::Exception) } else { Ok(atom) }
    }
}

/// Defines an own data property (writable, enumerable, configurable), taking `value`, as an
/// object literal or `JSON.parse` does: so `__proto__` is a key like any other.
///
/// # Safety
/// `ctx` must be a live context, `object` an object of it.
pub unsafe fn define(ctx: *mut qjs::JSContext, object: qjs::JSValue, atom: qjs::JSAtom, value: qjs::JSValue) -> Result<()> {
    let defined = unsafe { qjs::JS_DefinePropertyValue(ctx, object, atom, value, qjs::JS_PROP_C_W_E as i32) };
    if defined < 0 { Err(Error::Exception) } else { Ok(()) }
}

/// Values owned until they are handed on ([`Owned::into_array`]) or dropped (freed).
pub struct Owned {
    ctx: *mut qjs::JSContext,
    values: Vec<qjs::JSValue>,
}

impl Owned {
    pub fn with_capacity(ctx: *mut qjs::JSContext, capacity: usize) -> Self {
        Self { ctx, values: Vec::with_capacity(capacity) }
    }

    pub fn push(&mut self, value: qjs::JSValue) {
        self.values.push(value);
    }

    /// A dense array of the values.
    pub fn into_array(mut self) -> Result<qjs::JSValue> {
        let values = std::mem::take(&mut self.values);
        // JS_NewArrayFrom takes the values, also when it fails.
        checked(unsafe { qjs::JS_NewArrayFrom(self.ctx, values.len() as i32, values.as_ptr()) })
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        for value in self.values.drain(..) {
            unsafe { qjs::JS_FreeValue(self.ctx, value) };
        }
    }
}

/// Atoms of property keys, owned until dropped.
pub struct Atoms {
    ctx: *mut qjs::JSContext,
    atoms: Vec<qjs::JSAtom>,
}

impl Atoms {
    /// # Safety
    /// `ctx` must be a live context, and outlive the atoms.
    pub unsafe fn new(ctx: *mut qjs::JSContext, keys: impl IntoIterator<Item = impl AsRef<str>>) -> Result<Self> {
        let mut atoms = Atoms { ctx, atoms: Vec::new() };
        for key in keys {
            atoms.atoms.push(unsafe { super::key_atoms::atom(ctx, key.as_ref()) }?);
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
            unsafe { qjs::JS_FreeAtom(self.ctx, atom) };
        }
    }
}

/// QuickJS's UTF-8 form of a string value or a key: lent where QuickJS can (ASCII strings need
/// no copy) instead of copied into a Rust `String`; released on drop.
pub struct Utf8 {
    ctx: *mut qjs::JSContext,
    ptr: *const std::ffi::c_char,
    len: usize,
}

impl Utf8 {
    /// The text of a string value; `None` when QuickJS could not make it (out of memory: the
    /// exception is pending).
    ///
    /// # Safety
    /// `ctx` must be a live context that outlives the result, `value` a value of it.
    pub unsafe fn of_value(ctx: *mut qjs::JSContext, value: qjs::JSValue) -> Option<Self> {
        let mut len = 0;
        unsafe { Self::made(ctx, qjs::JS_ToCStringLen2(ctx, &mut len, value, false), len) }
    }

    /// The text of a property key, as [`Utf8::of_value`].
    ///
    /// # Safety
    /// As [`Utf8::of_value`], for an atom of the context's runtime.
    pub unsafe fn of_atom(ctx: *mut qjs::JSContext, atom: qjs::JSAtom) -> Option<Self> {
        let mut len = 0;
        unsafe { Self::made(ctx, qjs::JS_AtomToCStringLen(ctx, &mut len, atom), len) }
    }

    fn made(ctx: *mut qjs::JSContext, ptr: *const std::ffi::c_char, len: u64) -> Option<Self> {
        (!ptr.is_null()).then_some(Utf8 { ctx, ptr, len: len as usize })
    }

    /// The text; `None` for a string with a lone surrogate, which QuickJS encodes as if it were
    /// a code point, so it is not UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        let bytes = unsafe { std::slice::from_raw_parts(self.ptr.cast::<u8>(), self.len) };
        std::str::from_utf8(bytes).ok()
    }
}

impl Drop for Utf8 {
    fn drop(&mut self) {
        unsafe { qjs::JS_FreeCString(self.ctx, self.ptr) };
    }
}
