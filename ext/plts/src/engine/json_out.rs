//! JS values → [`JsonDoc`] without QuickJS's `JSON.stringify`, for the plain data handlers
//! return: objects and arrays made by literals (or `Object.create(null)`), strings, numbers,
//! booleans, null, undefined. The document is exactly what `JSON.stringify` would write (key
//! order, skipped `undefined` members, NaN as null). Anything else — `toJSON`, getters, proxies,
//! class instances, Dates, BigInts, functions, symbols, holes, cycles — gives up before any user
//! code runs, and the caller uses `JSON.stringify` itself, so its rules and errors still apply.
//!
//! Why: `JSON.stringify` builds a JS string piece by piece (a quoted copy of every key and
//! string, a `toJSON` lookup on every object) that jsonb_in then parses again; a document
//! becomes jsonb directly (jsonb.rs).

use std::ffi::c_void;

use rquickjs::qjs;
use rquickjs::{Ctx, Result, Value};

use super::{key_atoms, raw};

use crate::values::{JsonDoc, JsonNode};

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

/// `value` as a document, or `None` where `JSON.stringify` must decide. A top-level
/// `undefined` is not handled here either (it has no JSON text).
pub fn to_json_doc(ctx: &Ctx<'_>, value: &Value<'_>, shapes: &PlainShapes) -> Option<JsonDoc> {
    let doc = JsonDoc::with_capacity(16, 64);
    let mut writer = Writer { ctx: ctx.as_raw().as_ptr(), shapes, doc, to_json: qjs::JS_ATOM_NULL };
    let written = unsafe { writer.value(value.as_raw(), 0) };
    if writer.to_json != qjs::JS_ATOM_NULL {
        unsafe { qjs::JS_FreeAtom(writer.ctx, writer.to_json) };
    }
    match written {
        Ok(Written::Value) => Some(writer.doc),
        _ => None,
    }
}

/// Why the writer stopped: `JSON.stringify` must handle this value.
struct GiveUp;

enum Written {
    Value,
    /// `undefined`: left out of objects, `null` in arrays.
    Nothing,
}

struct Writer<'a> {
    ctx: *mut qjs::JSContext,
    shapes: &'a PlainShapes,
    doc: JsonDoc,
    /// The atom `toJSON`, made (and Object.prototype and Array.prototype checked for an inherited
    /// one) at the first object; `JS_ATOM_NULL` before.
    to_json: qjs::JSAtom,
}

impl Writer<'_> {
    unsafe fn value(&mut self, v: qjs::JSValue, depth: usize) -> std::result::Result<Written, GiveUp> {
        unsafe {
            match qjs::JS_VALUE_GET_NORM_TAG(v) {
                qjs::JS_TAG_INT => self.doc.nodes.push(JsonNode::Number(f64::from(qjs::JS_VALUE_GET_INT(v)))),
                qjs::JS_TAG_FLOAT64 => {
                    let n = qjs::JS_VALUE_GET_FLOAT64(v);
                    // JSON.stringify writes NaN and ±Infinity as null.
                    self.doc.nodes.push(if n.is_finite() { JsonNode::Number(n) } else { JsonNode::Null });
                }
                qjs::JS_TAG_BOOL => self.doc.nodes.push(JsonNode::Bool(qjs::JS_VALUE_GET_BOOL(v))),
                qjs::JS_TAG_NULL => self.doc.nodes.push(JsonNode::Null),
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
                        self.refuse_own_to_json(v)?;
                        self.array(v, depth)?;
                    } else {
                        return Err(GiveUp);
                    }
                }
                _ => return Err(GiveUp),
            }
        }
        Ok(Written::Value)
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
        if self.to_json != qjs::JS_ATOM_NULL {
            return Ok(());
        }
        let name = "toJSON";
        unsafe {
            self.to_json = qjs::JS_NewAtomLen(self.ctx, name.as_ptr().cast(), name.len() as _);
            if self.to_json == qjs::JS_ATOM_NULL {
                return Err(GiveUp);
            }
            for proto in [self.shapes.object_proto, self.shapes.array_proto] {
                self.refuse_own_to_json(qjs::JS_MKPTR(qjs::JS_TAG_OBJECT, proto))?;
            }
        }
        Ok(())
    }

    /// Gives up on an own `toJSON` (any kind of property, enumerable or not): JSON.stringify calls it.
    unsafe fn refuse_own_to_json(&self, v: qjs::JSValue) -> std::result::Result<(), GiveUp> {
        match unsafe { qjs::JS_GetOwnProperty(self.ctx, std::ptr::null_mut(), v, self.to_json) } {
            0 => Ok(()),
            1 => Err(GiveUp),
            _ => {
                unsafe { qjs::JS_FreeValue(self.ctx, qjs::JS_GetException(self.ctx)) };
                Err(GiveUp)
            }
        }
    }

    unsafe fn object(&mut self, v: qjs::JSValue, depth: usize) -> std::result::Result<(), GiveUp> {
        unsafe {
            let (mut table, mut len) = (std::ptr::null_mut(), 0u32);
            // Every own string key, enumerable or not: a non-enumerable `toJSON` counts too.
            let flags = (qjs::JS_GPN_STRING_MASK | qjs::JS_GPN_SET_ENUM) as i32;
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
        let at = self.doc.nodes.len();
        self.doc.nodes.push(JsonNode::Object(0));
        let mut count = 0;
        for key in keys {
            if key.atom == self.to_json {
                return Err(GiveUp);
            }
            if !key.is_enumerable {
                continue;
            }
            unsafe {
                let Some(member) = self.own_data(v, key.atom)? else { return Err(GiveUp) };
                let (nodes, text) = (self.doc.nodes.len(), self.doc.text.len());
                let pushed = self.key(key.atom);
                let written = pushed.and_then(|()| self.value(member, depth + 1));
                qjs::JS_FreeValue(self.ctx, member);
                match written? {
                    Written::Value => count += 1,
                    Written::Nothing => {
                        self.doc.nodes.truncate(nodes);
                        self.doc.text.truncate(text);
                    }
                }
            }
        }
        self.doc.nodes[at] = JsonNode::Object(count);
        Ok(())
    }

    unsafe fn key(&mut self, atom: qjs::JSAtom) -> std::result::Result<(), GiveUp> {
        let ctx = self.ctx;
        let doc = &mut self.doc;
        unsafe {
            key_atoms::with_text(ctx, atom, |name| match name {
                Some(name) => {
                    let (start, len) = doc.push_str(name);
                    doc.nodes.push(JsonNode::Key(start, len));
                    Ok(())
                }
                // Out of memory (JSON.stringify will meet it too and report it), or a lone
                // surrogate, which is not UTF-8: JSON.stringify writes it as `\udxxx`.
                None => {
                    qjs::JS_FreeValue(ctx, qjs::JS_GetException(ctx));
                    Err(GiveUp)
                }
            })
        }
    }

    unsafe fn array(&mut self, v: qjs::JSValue, depth: usize) -> std::result::Result<(), GiveUp> {
        unsafe {
            let mut len = 0i64;
            if qjs::JS_GetLength(self.ctx, v, &mut len) < 0 || len > i64::from(u32::MAX >> 1) {
                qjs::JS_FreeValue(self.ctx, qjs::JS_GetException(self.ctx));
                return Err(GiveUp);
            }
            self.doc.nodes.push(JsonNode::Array(len as u32));
            for i in 0..len as u32 {
                let atom = qjs::JS_NewAtomUInt32(self.ctx, i);
                let element = self.own_data(v, atom);
                qjs::JS_FreeAtom(self.ctx, atom);
                // A hole would read through the prototype chain: JSON.stringify's business.
                let Some(element) = element? else { return Err(GiveUp) };
                let written = self.value(element, depth + 1);
                qjs::JS_FreeValue(self.ctx, element);
                if let Written::Nothing = written? {
                    self.doc.nodes.push(JsonNode::Null);
                }
            }
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
        let text = made(self.ctx, unsafe { raw::Utf8::of_value(self.ctx, v) })?;
        let (start, len) = self.doc.push_str(text.as_str().ok_or(GiveUp)?);
        self.doc.nodes.push(JsonNode::String(start, len));
        Ok(())
    }
}

/// The text QuickJS made of a string value or key, or give up where it could not (out of memory:
/// the exception is cleared; JSON.stringify will meet the same and report it).
fn made(ctx: *mut qjs::JSContext, text: Option<raw::Utf8>) -> std::result::Result<raw::Utf8, GiveUp> {
    if text.is_none() {
        unsafe { qjs::JS_FreeValue(ctx, qjs::JS_GetException(ctx)) };
    }
    text.ok_or(GiveUp)
}
