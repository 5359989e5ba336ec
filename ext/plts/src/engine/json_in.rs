//! A decoded jsonb document ([`JsonDoc`]) → JS values, the ones `JSON.parse` would make of its
//! text: own enumerable data properties in jsonb's key order, `__proto__` included as a plain
//! key, dense arrays, numbers as doubles.

use rquickjs::qjs;
use rquickjs::{Ctx, Error, Result, Value};

use super::{kept_shapes, key_atoms};
use super::raw::{self, checked};
use crate::values::{JsonDoc, JsonNode};

pub fn to_js<'js>(ctx: &Ctx<'js>, doc: &JsonDoc) -> Result<Value<'js>> {
    build(ctx, &doc.nodes, doc, true)
}

/// Like [`to_js`] for `nodes` in place of the document's own (the same value reordered by
/// args_shape.rs), whose keys and strings are in `doc.text`. These objects have the key order of
/// the wrapper's schema, whose compiled parser (fast_parse.ts) keeps their shapes already.
pub fn nodes_to_js<'js>(ctx: &Ctx<'js>, nodes: &[JsonNode], doc: &JsonDoc) -> Result<Value<'js>> {
    build(ctx, nodes, doc, false)
}

fn build<'js>(ctx: &Ctx<'js>, nodes: &[JsonNode], doc: &JsonDoc, keep_shapes: bool) -> Result<Value<'js>> {
    let mut builder = Builder { ctx: ctx.as_raw().as_ptr(), nodes, doc, next: 0, keep_shapes };
    let raw = unsafe { builder.value() }?;
    Ok(unsafe { Value::from_raw(ctx.clone(), raw) })
}

struct Builder<'a> {
    ctx: *mut qjs::JSContext,
    nodes: &'a [JsonNode],
    /// Holds the text of the keys and strings.
    doc: &'a JsonDoc,
    /// The node to read next.
    next: usize,
    /// Keep the shapes of the objects built (engine/kept_shapes.rs).
    keep_shapes: bool,
}

impl Builder<'_> {
    /// The value starting at the next node, owned by the caller.
    unsafe fn value(&mut self) -> Result<qjs::JSValue> {
        let node = self.nodes[self.next];
        self.next += 1;
        unsafe {
            Ok(match node {
                JsonNode::Null => qjs::JS_NULL,
                JsonNode::Bool(b) => if b { qjs::JS_TRUE } else { qjs::JS_FALSE },
                JsonNode::Number(n) => qjs::JS_NewNumber(self.ctx, n),
                JsonNode::String(start, len) => checked(self.string(start, len))?,
                JsonNode::Array(count) => self.array(count)?,
                JsonNode::Object(count) => self.object(count)?,
                JsonNode::Key(..) => return Err(Error::Unknown),
            })
        }
    }

    unsafe fn string(&self, start: u32, len: u32) -> qjs::JSValue {
        let text = self.doc.str(start, len);
        unsafe { qjs::JS_NewStringLen(self.ctx, text.as_ptr().cast(), text.len() as _) }
    }

    unsafe fn array(&mut self, count: u32) -> Result<qjs::JSValue> {
        let mut elements = raw::Owned::with_capacity(self.ctx, count as usize);
        for _ in 0..count {
            elements.push(unsafe { self.value() }?);
        }
        elements.into_array()
    }

    unsafe fn object(&mut self, count: u32) -> Result<qjs::JSValue> {
        unsafe {
            let object = checked(qjs::JS_NewObject(self.ctx))?;
            // The keys, to keep this key sequence's shapes for the next object like it.
            let mut keys = [qjs::JS_ATOM_NULL; kept_shapes::MAX_KEYS];
            for i in 0..count as usize {
                match self.member(object) {
                    Ok(atom) => {
                        if let Some(slot) = keys.get_mut(i) {
                            *slot = atom;
                        }
                    }
                    Err(e) => {
                        qjs::JS_FreeValue(self.ctx, object);
                        return Err(e);
                    }
                }
            }
            if self.keep_shapes && count as usize <= keys.len() {
                // The object holds its key atoms while the call runs.
                kept_shapes::keep(self.ctx, &keys[..count as usize]);
            }
            Ok(object)
        }
    }

    /// Defines the next key and its value on `object`, as JSON.parse does (so `__proto__` is an
    /// own property, not the prototype); returns the key's atom (held by the object).
    unsafe fn member(&mut self, object: qjs::JSValue) -> Result<qjs::JSAtom> {
        let JsonNode::Key(start, len) = self.nodes[self.next] else { return Err(Error::Unknown) };
        self.next += 1;
        unsafe {
            let atom = key_atoms::atom(self.ctx, self.doc.str(start, len))?;
            let defined = self.value().and_then(|value| raw::define(self.ctx, object, atom, value));
            qjs::JS_FreeAtom(self.ctx, atom);
            defined.map(|()| atom)
        }
    }
}
