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
    /// Whether `value` is an ordinary object (an object literal, a class instance, `Object.create`),
    /// not an array, a function, a Date, a typed array, a Map, a Proxy or another exotic class.
    pub fn is_ordinary_object(&self, value: &Value<'_>) -> bool {
        // SAFETY: reading an object's class id needs no context; other values have none.
        value.is_object() && unsafe { qjs::JS_GetClassID(value.as_raw()) } == self.object_class
    }

    /// Read from a fresh `{}` and `[]`. The prototypes are the context's own intrinsics, alive
    /// as long as the context; they are only compared, never dereferenced.
    pub fn of(ctx: &Ctx<'_>) -> Result<Self> {
        let object = rquickjs::Object::new(ctx.clone())?.into_value();
        let array = rquickjs::Array::new(ctx.clone())?.into_value();
        let raw_ctx = ctx.as_raw().as_ptr();
        // SAFETY: `raw_ctx` is the live context of `ctx`, and `object` and `array` are values of
        // it. JS_GetPrototype returns a reference, which its guard frees: the context keeps its
        // intrinsics alive without it.
        unsafe {
            let object_proto = raw::OwnedValue::new(raw_ctx, qjs::JS_GetPrototype(raw_ctx, object.as_raw()));
            let array_proto = raw::OwnedValue::new(raw_ctx, qjs::JS_GetPrototype(raw_ctx, array.as_raw()));
            Ok(Self {
                object_class: qjs::JS_GetClassID(object.as_raw()),
                array_class: qjs::JS_GetClassID(array.as_raw()),
                object_proto: qjs::JS_VALUE_GET_PTR(object_proto.get()),
                array_proto: qjs::JS_VALUE_GET_PTR(array_proto.get()),
            })
        }
    }
}

/// `value` as a document, or `None` where `JSON.stringify` must decide. A top-level
/// `undefined` is not handled here either (it has no JSON text).
pub fn to_json_doc(ctx: &Ctx<'_>, value: &Value<'_>, shapes: &PlainShapes) -> Option<JsonDoc> {
    let doc = JsonDoc::with_capacity(16, 64);
    let mut writer = Writer { ctx: ctx.as_raw().as_ptr(), shapes, doc, to_json: qjs::JS_ATOM_NULL };
    // SAFETY: `writer.ctx` is the live context of `ctx`, `value` a value of it, and `shapes`
    // were read from the same context (engine/runtime.rs keeps them with it).
    let written = unsafe { writer.value(value.as_raw(), 0) };
    if writer.to_json != qjs::JS_ATOM_NULL {
        // SAFETY: the writer made this atom in `writer.ctx` and holds its one reference.
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

/// Writes values of the context `ctx` into `doc`. Every method is `unsafe` with the same
/// contract: `ctx` is a live context, `shapes` were read from it, and the values passed in are
/// its values (borrowed: the writer frees only what it takes itself).
struct Writer<'a> {
    ctx: *mut qjs::JSContext,
    shapes: &'a PlainShapes,
    doc: JsonDoc,
    /// The atom `toJSON`, made (and Object.prototype and Array.prototype checked for an inherited
    /// one) at the first object; `JS_ATOM_NULL` before.
    to_json: qjs::JSAtom,
}

impl Writer<'_> {
    /// # Safety
    /// As for every method of [`Writer`]: `self.ctx` is live, `v` one of its values.
    unsafe fn value(&mut self, v: qjs::JSValue, depth: usize) -> std::result::Result<Written, GiveUp> {
        // SAFETY: `v` is a value of the live `self.ctx` (this method's contract); the tag says
        // which accessor applies.
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
                    let (class, shapes) = (qjs::JS_GetClassID(v), self.shapes);
                    // Only a plain object's or array's prototype is read: a Proxy's getPrototypeOf
                    // trap is user code.
                    if class != shapes.object_class && class != shapes.array_class {
                        return Err(GiveUp);
                    }
                    let proto = self.prototype(v);
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

    /// The object's prototype, only to compare (null when it has none).
    ///
    /// # Safety
    /// As for [`Writer::value`].
    unsafe fn prototype(&self, v: qjs::JSValue) -> *mut c_void {
        // SAFETY: `v` is an object of the live `self.ctx`; the prototype's reference is freed by
        // its guard, and the pointer is only compared (the object keeps its prototype alive).
        unsafe {
            let proto = raw::OwnedValue::new(self.ctx, qjs::JS_GetPrototype(self.ctx, v));
            if qjs::JS_VALUE_GET_TAG(proto.get()) == qjs::JS_TAG_OBJECT {
                qjs::JS_VALUE_GET_PTR(proto.get())
            } else {
                std::ptr::null_mut()
            }
        }
    }

    /// A `toJSON` on Object.prototype or Array.prototype applies to every plain value.
    ///
    /// # Safety
    /// As for [`Writer::value`].
    unsafe fn check_prototypes(&mut self) -> std::result::Result<(), GiveUp> {
        if self.to_json != qjs::JS_ATOM_NULL {
            return Ok(());
        }
        let name = "toJSON";
        // SAFETY: `self.ctx` is live; the writer holds the atom until `to_json_doc` frees it.
        // The prototypes are the context's intrinsics, alive as long as it is: JS_MKPTR lends
        // them (no reference taken) to a check that only borrows them.
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
    ///
    /// # Safety
    /// As for [`Writer::value`], `v` an object, after [`Writer::check_prototypes`] made the atom.
    unsafe fn refuse_own_to_json(&self, v: qjs::JSValue) -> std::result::Result<(), GiveUp> {
        // SAFETY: `v` is an object of the live `self.ctx` and `to_json` an atom of it; a null
        // descriptor asks only whether the property exists.
        match unsafe { qjs::JS_GetOwnProperty(self.ctx, std::ptr::null_mut(), v, self.to_json) } {
            0 => Ok(()),
            1 => Err(GiveUp),
            _ => {
                // SAFETY: the failed lookup left an exception pending in `self.ctx`: taken and freed.
                unsafe { qjs::JS_FreeValue(self.ctx, qjs::JS_GetException(self.ctx)) };
                Err(GiveUp)
            }
        }
    }

    /// # Safety
    /// As for [`Writer::value`], `v` an object.
    unsafe fn object(&mut self, v: qjs::JSValue, depth: usize) -> std::result::Result<(), GiveUp> {
        // SAFETY: `v` is an object of the live `self.ctx`. On success QuickJS hands over a table
        // of `len` entries, read while it lives and freed once; on failure the pending exception
        // is taken and freed.
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

    /// # Safety
    /// As for [`Writer::value`], `v` an object and `keys` its own keys.
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
            // SAFETY: `v` is an object of the live `self.ctx`, `key.atom` one of its keys; the
            // member's value is owned by its guard and lent to `value`.
            unsafe {
                let Some(member) = self.own_data(v, key.atom)? else { return Err(GiveUp) };
                let (nodes, text) = (self.doc.nodes.len(), self.doc.text.len());
                self.key(key.atom)?;
                match self.value(member.get(), depth + 1)? {
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

    /// # Safety
    /// As for [`Writer::value`], `atom` an atom of the context's runtime.
    unsafe fn key(&mut self, atom: qjs::JSAtom) -> std::result::Result<(), GiveUp> {
        let ctx = self.ctx;
        let doc = &mut self.doc;
        // SAFETY: `ctx` is live and `atom` an atom of its runtime; the callback makes and reads no
        // key atoms (key_atoms::with_text's rule). Where there is no text the pending exception,
        // if any, is taken and freed (with none, JS_GetException gives `uninitialized`, which
        // has nothing to free).
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

    /// # Safety
    /// As for [`Writer::value`], `v` an array.
    unsafe fn array(&mut self, v: qjs::JSValue, depth: usize) -> std::result::Result<(), GiveUp> {
        // SAFETY: `v` is an array of the live `self.ctx`. Each index atom is freed once, after
        // the lookup; each element is owned by its guard and lent to `value`; a failed length
        // read leaves an exception pending, taken and freed.
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
                if let Written::Nothing = self.value(element.get(), depth + 1)? {
                    self.doc.nodes.push(JsonNode::Null);
                }
            }
        }
        Ok(())
    }

    /// An own data property's value; `None` if there is none; gives up on accessors, which
    /// would run user code.
    ///
    /// # Safety
    /// As for [`Writer::value`], `v` an object and `atom` an atom of the context's runtime.
    unsafe fn own_data(&self, v: qjs::JSValue, atom: qjs::JSAtom) -> std::result::Result<Option<raw::OwnedValue>, GiveUp> {
        let mut desc = std::mem::MaybeUninit::<qjs::JSPropertyDescriptor>::uninit();
        // SAFETY: `v` is an object of the live `self.ctx` and `atom` an atom of it; `desc` is
        // written when the property exists (1), and then holds a reference to each of its
        // getter, setter and value, which the guards own. On failure the pending exception is
        // taken and freed.
        unsafe {
            match qjs::JS_GetOwnProperty(self.ctx, desc.as_mut_ptr(), v, atom) {
                0 => Ok(None),
                1 => {
                    let desc = desc.assume_init();
                    let _getter = raw::OwnedValue::new(self.ctx, desc.getter);
                    let _setter = raw::OwnedValue::new(self.ctx, desc.setter);
                    let value = raw::OwnedValue::new(self.ctx, desc.value);
                    if desc.flags & qjs::JS_PROP_GETSET as i32 != 0 {
                        return Err(GiveUp);
                    }
                    Ok(Some(value))
                }
                _ => {
                    qjs::JS_FreeValue(self.ctx, qjs::JS_GetException(self.ctx));
                    Err(GiveUp)
                }
            }
        }
    }

    /// # Safety
    /// As for [`Writer::value`], `v` a string.
    unsafe fn string(&mut self, v: qjs::JSValue) -> std::result::Result<(), GiveUp> {
        // SAFETY: `v` is a string of the live `self.ctx`, which outlives the text (dropped here).
        let text = unsafe { made(self.ctx, raw::Utf8::of_value(self.ctx, v)) }?;
        let (start, len) = self.doc.push_str(text.as_str().ok_or(GiveUp)?);
        self.doc.nodes.push(JsonNode::String(start, len));
        Ok(())
    }
}

/// The text QuickJS made of a string value or key, or give up where it could not (out of memory:
/// the exception is cleared; JSON.stringify will meet the same and report it).
///
/// # Safety
/// `ctx` must be a live context, the one `text` was made in.
unsafe fn made(ctx: *mut qjs::JSContext, text: Option<raw::Utf8>) -> std::result::Result<raw::Utf8, GiveUp> {
    if text.is_none() {
        // SAFETY: `ctx` is live; QuickJS left the out-of-memory exception pending: taken and freed.
        unsafe { qjs::JS_FreeValue(ctx, qjs::JS_GetException(ctx)) };
    }
    text.ok_or(GiveUp)
}
