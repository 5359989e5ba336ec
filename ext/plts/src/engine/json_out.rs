//! JS values → JSON text without QuickJS's `JSON.stringify`, for the plain data handlers return:
//! objects and arrays made by literals (or `Object.create(null)`), strings, numbers, booleans,
//! null, undefined. The text is exactly what `JSON.stringify` writes, key order and escapes
//! included. Anything else — `toJSON`, getters, proxies, class instances, Dates, BigInts,
//! functions, symbols, holes, cycles — gives up before any user code runs, and the caller uses
//! `JSON.stringify` itself, so its rules and errors still apply.
//!
//! Why: `JSON.stringify` builds a JS string piece by piece (a quoted copy of every key and
//! string, a `toJSON` lookup on every object); writing the text straight into a Rust buffer
//! costs about a third of that, on every jsonb-returning call.

use std::ffi::c_void;

use rquickjs::qjs;
use rquickjs::{Ctx, Result, Value};

/// Deeper than this gives up (a cycle always does); `JSON.stringify` then decides.
const MAX_DEPTH: usize = 64;

/// What a plain object and a plain array are in one context: their classes and prototypes.
#[derive(Clone, Copy)]
pub struct PlainShapes {
    object_class: u32,
    array_class: u32,
    object_proto: *mut c_void,
    array_proto: *mut c_void,
}

impl PlainShapes {
    /// Read from a fresh `{}` and `[]`. The prototypes are the context's own intrinsics, alive
    /// as long as the context; they are only compared, never dereferenced.
    pub fn of(ctx: &Ctx<'_>) -> Result<Self> {
        let object = rquickjs::Object::new(ctx.clone())?.into_value();
        let array = rquickjs::Array::new(ctx.clone())?.into_value();
        unsafe {
            let raw = ctx.as_raw().as_ptr();
            let (object_proto, array_proto) =
                (qjs::JS_GetPrototype(raw, object.as_raw()), qjs::JS_GetPrototype(raw, array.as_raw()));
            let shapes = Self {
                object_class: qjs::JS_GetClassID(object.as_raw()),
                array_class: qjs::JS_GetClassID(array.as_raw()),
                object_proto: qjs::JS_VALUE_GET_PTR(object_proto),
                array_proto: qjs::JS_VALUE_GET_PTR(array_proto),
            };
            // The context keeps its intrinsics alive; these references are not needed.
            qjs::JS_FreeValue(raw, object_proto);
            qjs::JS_FreeValue(raw, array_proto);
            Ok(shapes)
        }
    }
}

/// The JSON text of `value`, or `None` where `JSON.stringify` must decide. A top-level
/// `undefined` is not handled here either (it has no JSON text).
pub fn to_json_text(ctx: &Ctx<'_>, value: &Value<'_>, shapes: &PlainShapes) -> Option<String> {
    let mut writer = Writer { ctx: ctx.as_raw().as_ptr(), shapes, out: String::new(), prototypes_checked: false };
    match unsafe { writer.value(value.as_raw(), 0) } {
        Ok(Written::Text) => Some(writer.out),
        _ => None,
    }
}

/// Why the writer stopped: `JSON.stringify` must handle this value.
struct GiveUp;

enum Written {
    Text,
    /// `undefined`: left out of objects, `null` in arrays.
    Nothing,
}

struct Writer<'a> {
    ctx: *mut qjs::JSContext,
    shapes: &'a PlainShapes,
    out: String,
    /// Object.prototype and Array.prototype have been checked for an inherited `toJSON`.
    prototypes_checked: bool,
}

impl Writer<'_> {
    unsafe fn value(&mut self, v: qjs::JSValue, depth: usize) -> std::result::Result<Written, GiveUp> {
        unsafe {
            match qjs::JS_VALUE_GET_NORM_TAG(v) {
                qjs::JS_TAG_INT => self.integer(i64::from(qjs::JS_VALUE_GET_INT(v))),
                qjs::JS_TAG_FLOAT64 => self.number(v)?,
                qjs::JS_TAG_BOOL => self.out.push_str(if qjs::JS_VALUE_GET_BOOL(v) { "true" } else { "false" }),
                qjs::JS_TAG_NULL => self.out.push_str("null"),
                qjs::JS_TAG_UNDEFINED => return Ok(Written::Nothing),
                qjs::JS_TAG_STRING | qjs::JS_TAG_STRING_ROPE => self.string(v)?,
                qjs::JS_TAG_OBJECT if depth < MAX_DEPTH => {
                    let (class, proto) = (qjs::JS_GetClassID(v), self.prototype(v));
                    let shapes = self.shapes;
                    if class == shapes.object_class && (proto == shapes.object_proto || proto.is_null()) {
                        self.check_prototypes()?;
                        self.object(v, depth)?;
                    } else if class == shapes.array_class && proto == shapes.array_proto {
                        self.check_prototypes()?;
                        self.array(v, depth)?;
                    } else {
                        return Err(GiveUp);
                    }
                }
                _ => return Err(GiveUp),
            }
        }
        Ok(Written::Text)
    }

    unsafe fn prototype(&self, v: qjs::JSValue) -> *mut c_void {
        unsafe {
            let proto = qjs::JS_GetPrototype(self.ctx, v);
            let ptr = if qjs::JS_VALUE_GET_TAG(proto) == qjs::JS_TAG_OBJECT { qjs::JS_VALUE_GET_PTR(proto) } else { std::ptr::null_mut() };
            qjs::JS_FreeValue(self.ctx, proto);
            ptr
        }
    }

    /// A `toJSON` on Object.prototype or Array.prototype applies to every plain value.
    unsafe fn check_prototypes(&mut self) -> std::result::Result<(), GiveUp> {
        if self.prototypes_checked {
            return Ok(());
        }
        unsafe {
            let atom = self.atom("toJSON")?;
            let mut found = false;
            for proto in [self.shapes.object_proto, self.shapes.array_proto] {
                let proto = qjs::JS_MKPTR(qjs::JS_TAG_OBJECT, proto);
                found |= qjs::JS_GetOwnProperty(self.ctx, std::ptr::null_mut(), proto, atom) != 0;
            }
            qjs::JS_FreeAtom(self.ctx, atom);
            if found {
                return Err(GiveUp);
            }
        }
        self.prototypes_checked = true;
        Ok(())
    }

    unsafe fn atom(&self, name: &str) -> std::result::Result<qjs::JSAtom, GiveUp> {
        let atom = unsafe { qjs::JS_NewAtomLen(self.ctx, name.as_ptr().cast(), name.len() as _) };
        if atom == qjs::JS_ATOM_NULL { Err(GiveUp) } else { Ok(atom) }
    }

    unsafe fn object(&mut self, v: qjs::JSValue, depth: usize) -> std::result::Result<(), GiveUp> {
        unsafe {
            let (mut table, mut len) = (std::ptr::null_mut(), 0u32);
            let flags = (qjs::JS_GPN_STRING_MASK | qjs::JS_GPN_ENUM_ONLY) as i32;
            if qjs::JS_GetOwnPropertyNames(self.ctx, &mut table, &mut len, v, flags) < 0 {
                qjs::JS_FreeValue(self.ctx, qjs::JS_GetException(self.ctx));
                return Err(GiveUp);
            }
            let keys = std::slice::from_raw_parts(table, len as usize);
            let result = self.members(v, keys, depth);
            qjs::JS_FreePropertyEnum(self.ctx, table, len);
            result
        }
    }

    unsafe fn members(&mut self, v: qjs::JSValue, keys: &[qjs::JSPropertyEnum], depth: usize) -> std::result::Result<(), GiveUp> {
        self.out.push('{');
        let mut first = true;
        for key in keys {
            unsafe {
                let Some(member) = self.own_data(v, key.atom)? else { return Err(GiveUp) };
                let mark = self.out.len();
                if !first {
                    self.out.push(',');
                }
                let name = JsText::of_atom(self.ctx, key.atom);
                let quoted = match &name {
                    Ok(name) if name.bytes() != b"toJSON" => self.quoted(name.bytes()),
                    _ => Err(GiveUp),
                };
                drop(name);
                if quoted.is_err() {
                    qjs::JS_FreeValue(self.ctx, member);
                    return Err(GiveUp);
                }
                self.out.push(':');
                let written = self.value(member, depth + 1);
                qjs::JS_FreeValue(self.ctx, member);
                match written? {
                    Written::Text => first = false,
                    Written::Nothing => self.out.truncate(mark),
                }
            }
        }
        self.out.push('}');
        Ok(())
    }

    unsafe fn array(&mut self, v: qjs::JSValue, depth: usize) -> std::result::Result<(), GiveUp> {
        unsafe {
            let mut len = 0i64;
            if qjs::JS_GetLength(self.ctx, v, &mut len) < 0 || len > i64::from(u32::MAX >> 1) {
                qjs::JS_FreeValue(self.ctx, qjs::JS_GetException(self.ctx));
                return Err(GiveUp);
            }
            self.out.push('[');
            for i in 0..len as u32 {
                if i > 0 {
                    self.out.push(',');
                }
                let atom = qjs::JS_NewAtomUInt32(self.ctx, i);
                let element = self.own_data(v, atom);
                qjs::JS_FreeAtom(self.ctx, atom);
                // A hole would read through the prototype chain: JSON.stringify's business.
                let Some(element) = element? else { return Err(GiveUp) };
                let written = self.value(element, depth + 1);
                qjs::JS_FreeValue(self.ctx, element);
                if let Written::Nothing = written? {
                    self.out.push_str("null");
                }
            }
            self.out.push(']');
        }
        Ok(())
    }

    /// An own data property's value (owned); `None` if there is none; gives up on accessors,
    /// which would run user code.
    unsafe fn own_data(&self, v: qjs::JSValue, atom: qjs::JSAtom) -> std::result::Result<Option<qjs::JSValue>, GiveUp> {
        unsafe {
            let mut desc = std::mem::MaybeUninit::<qjs::JSPropertyDescriptor>::uninit();
            match qjs::JS_GetOwnProperty(self.ctx, desc.as_mut_ptr(), v, atom) {
                0 => Ok(None),
                1 => {
                    let desc = desc.assume_init();
                    if desc.flags & qjs::JS_PROP_GETSET as i32 != 0 {
                        qjs::JS_FreeValue(self.ctx, desc.getter);
                        qjs::JS_FreeValue(self.ctx, desc.setter);
                        qjs::JS_FreeValue(self.ctx, desc.value);
                        return Err(GiveUp);
                    }
                    qjs::JS_FreeValue(self.ctx, desc.getter);
                    qjs::JS_FreeValue(self.ctx, desc.setter);
                    Ok(Some(desc.value))
                }
                _ => {
                    qjs::JS_FreeValue(self.ctx, qjs::JS_GetException(self.ctx));
                    Err(GiveUp)
                }
            }
        }
    }

    unsafe fn string(&mut self, v: qjs::JSValue) -> std::result::Result<(), GiveUp> {
        let text = unsafe { JsText::of_value(self.ctx, v)? };
        self.quoted(text.bytes())
    }

    /// Writes `text` (QuickJS's UTF-8) as a JSON string, with JSON.stringify's escapes. A lone
    /// surrogate (which QuickJS encodes as if it were a code point, so not UTF-8) gives up:
    /// JSON.stringify writes it as `\udxxx`.
    fn quoted(&mut self, text: &[u8]) -> std::result::Result<(), GiveUp> {
        let text = std::str::from_utf8(text).map_err(|_| GiveUp)?;
        self.out.push('"');
        let mut start = 0;
        for (i, byte) in text.bytes().enumerate() {
            let escape = match byte {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0x08 => "\\b",
                0x0C => "\\f",
                0..=0x1F => "",
                _ => continue,
            };
            self.out.push_str(&text[start..i]);
            if escape.is_empty() {
                self.out.push_str(&format!("\\u{byte:04x}"));
            } else {
                self.out.push_str(escape);
            }
            start = i + 1;
        }
        self.out.push_str(&text[start..]);
        self.out.push('"');
        Ok(())
    }

    /// JS's own number text: safe integers directly (Number#toString writes them in full), other
    /// finite numbers through QuickJS's conversion, NaN and ±Infinity as null.
    unsafe fn number(&mut self, v: qjs::JSValue) -> std::result::Result<(), GiveUp> {
        let d = unsafe { qjs::JS_VALUE_GET_FLOAT64(v) };
        if !d.is_finite() {
            self.out.push_str("null");
        } else if d.trunc() == d && d.abs() < 9.0e15 {
            // -0 prints as 0, as in JS.
            self.integer(d as i64);
        } else {
            let text = unsafe { JsText::of_value(self.ctx, v)? };
            self.out.push_str(std::str::from_utf8(text.bytes()).map_err(|_| GiveUp)?);
        }
        Ok(())
    }

    fn integer(&mut self, i: i64) {
        use std::fmt::Write;
        let _ = write!(self.out, "{i}");
    }
}

/// QuickJS's UTF-8 copy of a string value or a key, freed on drop.
struct JsText {
    ctx: *mut qjs::JSContext,
    ptr: *const std::ffi::c_char,
    len: usize,
}

impl JsText {
    unsafe fn of_value(ctx: *mut qjs::JSContext, v: qjs::JSValue) -> std::result::Result<Self, GiveUp> {
        let mut len = 0;
        unsafe { Self::checked(ctx, qjs::JS_ToCStringLen2(ctx, &mut len, v, false), len) }
    }

    unsafe fn of_atom(ctx: *mut qjs::JSContext, atom: qjs::JSAtom) -> std::result::Result<Self, GiveUp> {
        let mut len = 0;
        unsafe { Self::checked(ctx, qjs::JS_AtomToCStringLen(ctx, &mut len, atom), len) }
    }

    unsafe fn checked(ctx: *mut qjs::JSContext, ptr: *const std::ffi::c_char, len: u64) -> std::result::Result<Self, GiveUp> {
        if ptr.is_null() {
            // Out of memory: clear the exception; JSON.stringify will meet the same and report it.
            unsafe { qjs::JS_FreeValue(ctx, qjs::JS_GetException(ctx)) };
            return Err(GiveUp);
        }
        Ok(Self { ctx, ptr, len: len as usize })
    }

    fn bytes(&self) -> &[u8] {
        unsafe { std::slice::from_raw_parts(self.ptr.cast::<u8>(), self.len) }
    }
}

impl Drop for JsText {
    fn drop(&mut self) {
        unsafe { qjs::JS_FreeCString(self.ctx, self.ptr) };
    }
}
