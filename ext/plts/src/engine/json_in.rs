//! A decoded jsonb document ([`JsonDoc`]) → JS values, the ones `JSON.parse` would make of its
//! text: own enumerable data properties in jsonb's key order, `__proto__` included as a plain
//! key, dense arrays, numbers as doubles.

use rquickjs::qjs;
use rquickjs::{Ctx, Error, Result, Value};

use super::{kept_shapes, key_atoms};
use super::raw;
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
    // SAFETY: `builder.ctx` is the context behind `ctx`, live for 'js.
    let raw = unsafe { builder.value() }?;
    // SAFETY: `raw` is a value of that context, and its one reference goes to the `Value`.
    Ok(unsafe { Value::from_raw(ctx.clone(), raw) })
}

/// Builds JS values in the context `ctx` from `nodes`, one node after another.
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
    ///
    /// # Safety
    /// `self.ctx` must be a live context.
    unsafe fn value(&mut self) -> Result<qjs::JSValue> {
        let node = self.nodes[self.next];
        self.next += 1;
        // SAFETY: `self.ctx` is live (this method's contract).
        unsafe {
            Ok(match node {
                JsonNode::Null => qjs::JS_NULL,
                JsonNode::Bool(b) => if b { qjs::JS_TRUE } else { qjs::JS_FALSE },
                JsonNode::Number(n) => raw::new_number(self.ctx, n),
                JsonNode::String(start, len) => self.string(start, len)?,
                JsonNode::Array(count) => self.array(count)?,
                JsonNode::Object(count) => self.object(count)?,
                JsonNode::Key(..) => return Err(Error::Unknown),
            })
        }
    }

    /// # Safety
    /// `self.ctx` must be a live context.
    unsafe fn string(&self, start: u32, len: u32) -> Result<qjs::JSValue> {
        // SAFETY: `self.ctx` is live (the caller's promise).
        unsafe { raw::new_string(self.ctx, self.doc.str(start, len)) }
    }

    /// # Safety
    /// `self.ctx` must be a live context.
    unsafe fn array(&mut self, count: u32) -> Result<qjs::JSValue> {
        let mut elements = raw::Owned::with_capacity(self.ctx, count as usize);
        for _ in 0..count {
            // SAFETY: `self.ctx` is live; `elements` owns each value made.
            elements.push(unsafe { self.value() }?);
        }
        elements.into_array()
    }

    /// # Safety
    /// `self.ctx` must be a live context.
    unsafe fn object(&mut self, count: u32) -> Result<qjs::JSValue> {
        // SAFETY: `self.ctx` is live; the guard owns the new object until it is returned.
        let object = unsafe { raw::OwnedValue::new(self.ctx, raw::new_object(self.ctx, None)?) };
        // The keys, to keep this key sequence's shapes for the next object like it.
        let mut keys = [qjs::JS_ATOM_NULL; kept_shapes::MAX_KEYS];
        for i in 0..count as usize {
            // SAFETY: `self.ctx` is live and `object` an object of it.
            let atom = unsafe { self.member(object.get()) }?;
            if let Some(slot) = keys.get_mut(i) {
                *slot = atom;
            }
        }
        if self.keep_shapes && count as usize <= keys.len() {
            // SAFETY: `self.ctx` is live; the object holds its key atoms while the call runs.
            unsafe { kept_shapes::keep(self.ctx, &keys[..count as usize]) };
        }
        Ok(object.into_raw())
    }

    /// Defines the next key and its value on `object`, as JSON.parse does (so `__proto__` is an
    /// own property, not the prototype); returns the key's atom (held by the object).
    ///
    /// # Safety
    /// `self.ctx` must be a live context, `object` an object of it.
    unsafe fn member(&mut self, object: qjs::JSValue) -> Result<qjs::JSAtom> {
        let JsonNode::Key(start, len) = self.nodes[self.next] else { return Err(Error::Unknown) };
        self.next += 1;
        // SAFETY: `self.ctx` is live and `object` an object of it (this method's contract);
        // `define` takes the value; the atom is freed once, after the object took its own
        // reference (or failed to).
        unsafe {
            let atom = key_atoms::atom(self.ctx, self.doc.str(start, len))?;
            let defined = self.value().and_then(|value| raw::define(self.ctx, object, atom, value));
            qjs::JS_FreeAtom(self.ctx, atom);
            defined.map(|()| atom)
        }
    }
}
