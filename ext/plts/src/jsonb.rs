//! jsonb values read straight from PostgreSQL's binary format (utils/jsonb.h, its on-disk
//! format) into a flat [`crate::values::JsonDoc`], so the engine can build JS values without `jsonb_out` writing
//! text and `JSON.parse` reading it back.
//!
//! The format: a container is a header word (count and kind) followed by one JEntry word per
//! child (for objects: every key first, then every value), then the children's data. A JEntry
//! holds the child's type and either its length or, every 32nd entry, its end offset. Numerics
//! and nested containers are int-aligned within the data.

use pgrx::pg_sys;

use crate::values::{JsonDoc as Doc, JsonNode as Node};

const JB_CMASK: u32 = 0x0FFF_FFFF;
const JB_FSCALAR: u32 = 0x1000_0000;
const JB_FOBJECT: u32 = 0x2000_0000;
const JENTRY_OFFLENMASK: u32 = 0x0FFF_FFFF;
const JENTRY_TYPEMASK: u32 = 0x7000_0000;
const JENTRY_HAS_OFF: u32 = 0x8000_0000;
const JENTRY_ISSTRING: u32 = 0x0000_0000;
const JENTRY_ISNUMERIC: u32 = 0x1000_0000;
const JENTRY_ISBOOL_FALSE: u32 = 0x2000_0000;
const JENTRY_ISBOOL_TRUE: u32 = 0x3000_0000;
const JENTRY_ISNULL: u32 = 0x4000_0000;
const JENTRY_ISCONTAINER: u32 = 0x5000_0000;

/// Documents nested deeper than this take the text path (JSON.parse guards its own stack).
const MAX_DEPTH: usize = 100;

/// Decodes a (detoasted) jsonb datum; `None` when it is nested too deep for this path.
///
/// # Safety
/// `jsonb` must point to a valid, detoasted jsonb value with a 4-byte header.
pub unsafe fn decode(jsonb: *const pg_sys::varlena) -> Option<Doc> {
    let mut doc = Doc::default();
    // The root container follows the 4-byte varlena header.
    let root = unsafe { jsonb.cast::<u8>().add(pg_sys::VARHDRSZ) };
    unsafe { container(root, &mut doc, 0) }.then_some(doc)
}

unsafe fn word(at: *const u8) -> u32 {
    unsafe { at.cast::<u32>().read_unaligned() }
}

fn int_align(offset: u32) -> u32 {
    (offset + 3) & !3
}

unsafe fn container(at: *const u8, doc: &mut Doc, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    unsafe {
        let header = word(at);
        let count = header & JB_CMASK;
        let is_object = header & JB_FOBJECT != 0;
        let children = if is_object { 2 * count } else { count } as usize;
        let entries = at.add(4);
        let data = entries.add(4 * children);
        // Start offset of every child, from the lengths and the stored end offsets.
        let mut starts = Vec::with_capacity(children + 1);
        let mut end = 0u32;
        starts.push(0);
        for i in 0..children {
            let entry = word(entries.add(4 * i));
            end = if entry & JENTRY_HAS_OFF != 0 { entry & JENTRY_OFFLENMASK } else { end + (entry & JENTRY_OFFLENMASK) };
            starts.push(end);
        }
        let child = |doc: &mut Doc, i: usize, depth: usize| -> bool {
            let entry = word(entries.add(4 * i));
            let (start, end) = (starts[i], starts[i + 1]);
            scalar_or_container(entry, data, start, end, doc, depth)
        };
        if header & JB_FSCALAR != 0 {
            // A raw scalar is stored as a one-element array.
            return child(doc, 0, depth);
        }
        if is_object {
            doc.nodes.push(Node::Object(count));
            for i in 0..count as usize {
                let (start, end) = (starts[i], starts[i + 1]);
                let key = std::slice::from_raw_parts(data.add(start as usize), (end - start) as usize);
                let (offset, len) = push_text(doc, key);
                doc.nodes.push(Node::Key(offset, len));
                if !child(doc, count as usize + i, depth) {
                    return false;
                }
            }
        } else {
            doc.nodes.push(Node::Array(count));
            for i in 0..count as usize {
                if !child(doc, i, depth) {
                    return false;
                }
            }
        }
        true
    }
}

unsafe fn scalar_or_container(entry: u32, data: *const u8, start: u32, end: u32, doc: &mut Doc, depth: usize) -> bool {
    unsafe {
        let node = match entry & JENTRY_TYPEMASK {
            JENTRY_ISSTRING => {
                let bytes = std::slice::from_raw_parts(data.add(start as usize), (end - start) as usize);
                let (offset, len) = push_text(doc, bytes);
                Node::String(offset, len)
            }
            JENTRY_ISNUMERIC => Node::Number(number(data.add(int_align(start) as usize))),
            JENTRY_ISBOOL_FALSE => Node::Bool(false),
            JENTRY_ISBOOL_TRUE => Node::Bool(true),
            JENTRY_ISNULL => Node::Null,
            JENTRY_ISCONTAINER => return container(data.add(int_align(start) as usize), doc, depth + 1),
            _ => return false,
        };
        doc.nodes.push(node);
        true
    }
}

/// jsonb strings are in the server encoding, UTF-8 for plts (as for every text value).
fn push_text(doc: &mut Doc, bytes: &[u8]) -> (u32, u32) {
    let offset = doc.text.len() as u32;
    doc.text.push_str(&String::from_utf8_lossy(bytes));
    (offset, doc.text.len() as u32 - offset)
}

/// A numeric as the JS number `JSON.parse` makes of its text: the nearest double.
unsafe fn number(numeric: *const u8) -> f64 {
    let text = crate::datum::numeric_text(pg_sys::Datum::from(numeric));
    text.parse().unwrap_or(f64::NAN)
}
