//! The engine's raw layer: the QuickJS C API steps that plts takes instead of rquickjs's generic
//! API (which pays for a context clone, a Rust string or an atom per step) — making strings,
//! numbers, objects and dates, defining properties, calling a function — and the guards that free
//! what they own when dropped, so an early return leaks nothing. convert, natives, invoker and
//! json_in build values with these. Beside it, json_out (which walks objects the C API's way),
//! key_atoms and kept_shapes (which hold atoms and objects) call QuickJS directly too. It uses
//! nothing else of plts.

use rquickjs::{qjs, Error, Result};

/// A QuickJS exception (out of memory) as an error; the exception stays pending for the caller.
pub fn checked(value: qjs::JSValue) -> Result<qjs::JSValue> {
    // SAFETY: JS_IsException only compares the value's tag, which every JSValue has.
    if unsafe { qjs::JS_IsException(value) } { Err(Error::Exception) } else { Ok(value) }
}

/// The atom of a property key (owned by the caller: JS_FreeAtom it).
///
/// # Safety
/// `ctx` must be a live context.
pub unsafe fn key_atom(ctx: *mut qjs::JSContext, key: &str) -> Result<qjs::JSAtom> {
    // SAFETY: `ctx` is live (the caller's promise); `key`'s pointer and length describe its
    // bytes, which QuickJS copies. JS_ValueToAtom borrows the string; the guard frees it once.
    unsafe {
        // JS_NewAtomLen matches existing atoms byte by byte, which is right for ASCII only (UTF-8
        // "é" is the bytes of Latin-1 "Ã©"): other keys become a string first.
        let atom = if key.is_ascii() {
            qjs::JS_NewAtomLen(ctx, key.as_ptr().cast(), key.len() as _)
        } else {
            let string = OwnedValue::new(ctx, checked(qjs::JS_NewStringLen(ctx, key.as_ptr().cast(), key.len() as _))?);
            qjs::JS_ValueToAtom(ctx, string.get())
        };
        if atom == qjs::JS_ATOM_NULL { Err(Error::Exception) } else { Ok(atom) }
    }
}

/// A new string with the UTF-8 `text` (QuickJS copies it).
///
/// # Safety
/// `ctx` must be a live context.
#[inline]
pub unsafe fn new_string(ctx: *mut qjs::JSContext, text: &str) -> Result<qjs::JSValue> {
    // SAFETY: `ctx` is live (the caller's promise); the pointer and length describe `text`.
    checked(unsafe { qjs::JS_NewStringLen(ctx, text.as_ptr().cast(), text.len() as _) })
}

/// A number (an int where `n` is one, as QuickJS stores them).
///
/// # Safety
/// `ctx` must be a live context.
#[inline]
pub unsafe fn new_number(ctx: *mut qjs::JSContext, n: f64) -> qjs::JSValue {
    // SAFETY: `ctx` is live (the caller's promise); a number needs no allocation.
    unsafe { qjs::JS_NewNumber(ctx, n) }
}

/// A new plain object (`{}`), or with `proto` as its prototype.
///
/// # Safety
/// `ctx` must be a live context, and `proto` (if given) an object of it.
#[inline]
pub unsafe fn new_object(ctx: *mut qjs::JSContext, proto: Option<qjs::JSValue>) -> Result<qjs::JSValue> {
    // SAFETY: the caller's promises; the new object is owned by the caller.
    checked(unsafe {
        match proto {
            Some(proto) => qjs::JS_NewObjectProto(ctx, proto),
            None => qjs::JS_NewObject(ctx),
        }
    })
}

/// A new `Date` of `ms` since the Unix epoch, made with the intrinsic constructor (no user code
/// runs, whatever the handler did to `globalThis.Date`).
///
/// # Safety
/// `ctx` must be a live context.
#[inline]
pub unsafe fn new_date(ctx: *mut qjs::JSContext, ms: f64) -> Result<qjs::JSValue> {
    // SAFETY: `ctx` is live (the caller's promise).
    checked(unsafe { qjs::JS_NewDate(ctx, ms) })
}

/// A new reference to `value`.
///
/// # Safety
/// `ctx` must be a live context and `value` a value of it.
#[inline]
pub unsafe fn dup(ctx: *mut qjs::JSContext, value: qjs::JSValue) -> qjs::JSValue {
    // SAFETY: the caller's promises; the new reference is the caller's.
    unsafe { qjs::JS_DupValue(ctx, value) }
}

/// Calls `function` with `this` undefined and `argv` (borrowed); the result is owned by the
/// caller (the exception marker when it threw: read it with `Error::Exception`).
///
/// # Safety
/// `ctx` must be a live context, and `function` and every value of `argv` values of it.
#[inline]
pub unsafe fn call(ctx: *mut qjs::JSContext, function: qjs::JSValue, argv: &mut [qjs::JSValue]) -> qjs::JSValue {
    // SAFETY: the caller's promises; JS_Call only borrows its arguments.
    unsafe { qjs::JS_Call(ctx, function, qjs::JS_UNDEFINED, argv.len() as i32, argv.as_mut_ptr()) }
}

/// Calls `function` with `this`, as a method call does.
///
/// # Safety
/// `ctx` must be a live context, and `function`, `this` and every value of `argv` values of it.
#[inline]
pub unsafe fn call_on(ctx: *mut qjs::JSContext, function: qjs::JSValue, this: qjs::JSValue, argv: &mut [qjs::JSValue]) -> qjs::JSValue {
    // SAFETY: the caller's promises; JS_Call only borrows its arguments.
    unsafe { qjs::JS_Call(ctx, function, this, argv.len() as i32, argv.as_mut_ptr()) }
}

/// Defines an own data property (writable, enumerable, configurable), taking `value`, as an
/// object literal or `JSON.parse` does: so `__proto__` is a key like any other.
///
/// # Safety
/// `ctx` must be a live context, `object` an object of it, `atom` an atom of its runtime, and
/// `value` a value of it whose reference the caller hands over.
pub unsafe fn define(ctx: *mut qjs::JSContext, object: qjs::JSValue, atom: qjs::JSAtom, value: qjs::JSValue) -> Result<()> {
    // SAFETY: the caller's promises above; JS_DefinePropertyValue takes `value` (frees it on
    // failure too) and only borrows `object` and `atom`.
    let defined = unsafe { qjs::JS_DefinePropertyValue(ctx, object, atom, value, qjs::JS_PROP_C_W_E as i32) };
    if defined < 0 { Err(Error::Exception) } else { Ok(()) }
}

/// One value owned until it is handed on ([`OwnedValue::into_raw`]) or dropped (freed): the same
/// `JS_FreeValue` an error path would otherwise call by hand.
pub struct OwnedValue {
    ctx: *mut qjs::JSContext,
    value: qjs::JSValue,
}

impl OwnedValue {
    /// Takes over one reference to `value` (freeing an exception or a value without a reference
    /// count, such as `undefined`, does nothing).
    ///
    /// # Safety
    /// `ctx` must be a live context that outlives the guard, and `value` a value of it whose
    /// reference the caller owns and hands over.
    #[inline]
    pub unsafe fn new(ctx: *mut qjs::JSContext, value: qjs::JSValue) -> Self {
        Self { ctx, value }
    }

    /// The value, borrowed: valid while the guard lives.
    #[inline]
    pub fn get(&self) -> qjs::JSValue {
        self.value
    }

    /// The value, with its reference handed to the caller.
    #[inline]
    pub fn into_raw(self) -> qjs::JSValue {
        let value = self.value;
        std::mem::forget(self);
        value
    }
}

impl Drop for OwnedValue {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: the guard owns one reference to `value`, a value of the live context `ctx`
        // ([`OwnedValue::new`]'s contract), and `into_raw` skips this drop.
        unsafe { qjs::JS_FreeValue(self.ctx, self.value) };
    }
}

/// Values owned until they are handed on ([`Owned::into_array`], [`Owned::into_vec`]) or dropped
/// (freed).
pub struct Owned {
    ctx: *mut qjs::JSContext,
    values: Vec<qjs::JSValue>,
}

impl Owned {
    /// Holds values of `ctx`, a live context that outlives this.
    pub fn with_capacity(ctx: *mut qjs::JSContext, capacity: usize) -> Self {
        Self { ctx, values: Vec::with_capacity(capacity) }
    }

    /// Takes over one reference to `value`, a value of this context.
    pub fn push(&mut self, value: qjs::JSValue) {
        self.values.push(value);
    }

    /// A dense array of the values.
    pub fn into_array(mut self) -> Result<qjs::JSValue> {
        let values = std::mem::take(&mut self.values);
        // SAFETY: `self.ctx` is the live context the values belong to (see `with_capacity` and
        // `push`). JS_NewArrayFrom takes the values, also when it fails; they were taken out of
        // `self`, so its drop frees none of them again.
        checked(unsafe { qjs::JS_NewArrayFrom(self.ctx, values.len() as i32, values.as_ptr()) })
    }

    /// The values, with their references handed to the caller.
    pub fn into_vec(mut self) -> Vec<qjs::JSValue> {
        std::mem::take(&mut self.values)
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        for value in self.values.drain(..) {
            // SAFETY: each value still here is owned by this `Owned` (pushed, not handed on) and
            // belongs to the live context `self.ctx`.
            unsafe { qjs::JS_FreeValue(self.ctx, value) };
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
        // SAFETY: `ctx` is live and `value` a value of it (the caller's promise); `len` is a
        // valid place for the length; the text is released with the same `ctx` on drop.
        unsafe { Self::made(ctx, qjs::JS_ToCStringLen2(ctx, &mut len, value, false), len) }
    }

    /// The text of a property key, as [`Utf8::of_value`].
    ///
    /// # Safety
    /// As [`Utf8::of_value`], for an atom of the context's runtime.
    pub unsafe fn of_atom(ctx: *mut qjs::JSContext, atom: qjs::JSAtom) -> Option<Self> {
        let mut len = 0;
        // SAFETY: as in `of_value`, for an atom of the context's runtime.
        unsafe { Self::made(ctx, qjs::JS_AtomToCStringLen(ctx, &mut len, atom), len) }
    }

    fn made(ctx: *mut qjs::JSContext, ptr: *const std::ffi::c_char, len: u64) -> Option<Self> {
        (!ptr.is_null()).then_some(Utf8 { ctx, ptr, len: len as usize })
    }

    /// The text; `None` for a string with a lone surrogate, which QuickJS encodes as if it were
    /// a code point, so it is not UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        // SAFETY: `ptr` is non-null (`made`) and points at the `len` bytes QuickJS wrote, which
        // stay until `drop` releases them; the slice borrows `self`, so it cannot outlive them.
        let bytes = unsafe { std::slice::from_raw_parts(self.ptr.cast::<u8>(), self.len) };
        std::str::from_utf8(bytes).ok()
    }
}

impl Drop for Utf8 {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from JS_ToCStringLen2 or JS_AtomToCStringLen of `ctx`, which is
        // still live (`of_value`'s contract), and is released only here.
        unsafe { qjs::JS_FreeCString(self.ctx, self.ptr) };
    }
}
