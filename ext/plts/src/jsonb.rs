//! jsonb values read from and written to PostgreSQL's binary format (utils/jsonb.h, its on-disk
//! format) as a flat [`JsonDoc`], so JS values cross without text: no `jsonb_out` writing text
//! for `JSON.parse` to read, no `JSON.stringify` writing text for `jsonb_in` to parse.
//!
//! The format: a container is a header word (count and kind) followed by one JEntry word per
//! child (for objects: every key first, then every value), then the children's data. A JEntry
//! holds the child's type and either its length or, every 32nd entry, its end offset. Numerics
//! and nested containers are int-aligned; an object's keys are sorted by length, then bytes.

use pgrx::pg_sys;

use crate::values::{JsonDoc as Doc, JsonNode as Node};

const JB_CMASK: u32 = 0x0FFF_FFFF;
const JB_FSCALAR: u32 = 0x1000_0000;
const JB_FOBJECT: u32 = 0x2000_0000;
const JB_FARRAY: u32 = 0x4000_0000;
/// Every this many JEntries, one stores an end offset instead of a length.
const JB_OFFSET_STRIDE: usize = 32;
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
    // The document is smaller than its jsonb: reserve once.
    // SAFETY: `jsonb` is a valid varlena (the caller's promise), whose header gives its size.
    let size = unsafe { pgrx::varsize_any(jsonb) };
    let mut doc = Doc::with_capacity(size / 8 + 4, size);
    // The root container follows the 4-byte varlena header.
    // SAFETY: the header is 4 bytes (the caller's promise), within the value.
    let root = unsafe { jsonb.cast::<u8>().add(pg_sys::VARHDRSZ) };
    // SAFETY: `root` is the root container of a valid jsonb value.
    unsafe { container(root, &mut doc, 0) }.then_some(doc)
}

/// # Safety
/// `at` must point at 4 readable bytes.
unsafe fn word(at: *const u8) -> u32 {
    // SAFETY: 4 readable bytes (the caller's promise); read_unaligned needs no alignment.
    unsafe { at.cast::<u32>().read_unaligned() }
}

fn int_align(offset: u32) -> u32 {
    (offset + 3) & !3
}

/// Appends the nodes of the container at `at`; false when it is nested too deep.
///
/// # Safety
/// `at` must point at a container of a valid jsonb value.
unsafe fn container(at: *const u8, doc: &mut Doc, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    // SAFETY: `at` is a container of a valid jsonb value (the caller's promise; PostgreSQL
    // checked the value when it made it): its header word is followed by one JEntry per child
    // and then the children's data, at the offsets the JEntries give, all within the value.
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
                let (offset, len) = doc.push_str(&utf8(key));
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

/// # Safety
/// `data` must be a container's data, and `entry`, `start` and `end` one child's JEntry and byte
/// range in it.
unsafe fn scalar_or_container(entry: u32, data: *const u8, start: u32, end: u32, doc: &mut Doc, depth: usize) -> bool {
    // SAFETY: `start..end` is the child's range in `data` (the caller's promise), and its JEntry
    // says what it holds: string bytes, or an int-aligned numeric or container.
    unsafe {
        let node = match entry & JENTRY_TYPEMASK {
            JENTRY_ISSTRING => {
                let bytes = std::slice::from_raw_parts(data.add(start as usize), (end - start) as usize);
                let (offset, len) = doc.push_str(&utf8(bytes));
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
fn utf8(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// A numeric as the JS number `JSON.parse` makes of its text: the nearest double.
///
/// # Safety
/// `numeric` must point at a numeric varlena.
unsafe fn number(numeric: *const u8) -> f64 {
    // SAFETY: `numeric` points at a numeric varlena (the caller's promise).
    if let Some(n) = unsafe { crate::numeric::parts(numeric) }.as_ref().and_then(crate::numeric::to_f64) {
        return n;
    }
    let text = crate::numeric::text(pg_sys::Datum::from(numeric));
    text.parse().unwrap_or(f64::NAN)
}

/// Encodes `doc` as a jsonb datum (palloc'd), byte for byte what `jsonb_in` makes of the
/// document's JSON text: numbers become numerics through `numeric_in` of their JS text, as
/// `jsonb_in` reads them.
pub fn encode(doc: &Doc) -> pg_sys::Datum {
    let mut buf: Vec<u8> = Vec::with_capacity(pg_sys::VARHDRSZ + doc.text.len() + 8 * doc.nodes.len() + 16);
    buf.extend_from_slice(&[0; pg_sys::VARHDRSZ]);
    if matches!(doc.nodes[0], Node::Object(_) | Node::Array(_)) {
        encode_value(doc, 0, &mut buf);
    } else {
        // A raw scalar is stored as a one-element array.
        buf.extend_from_slice(&(1 | JB_FARRAY | JB_FSCALAR).to_ne_bytes());
        let slot = reserve(&mut buf, 1);
        let (entry, _) = encode_value(doc, 0, &mut buf);
        let total = entry & JENTRY_OFFLENMASK;
        put(&mut buf, slot, (entry & JENTRY_TYPEMASK) | total | JENTRY_HAS_OFF);
    }
    // SAFETY: palloc returns `buf.len()` writable bytes (or raises an ERROR), all of which the
    // copy fills; `buf` starts with the 4 header bytes that set_varsize_4b writes.
    unsafe {
        let out = pg_sys::palloc(buf.len()).cast::<u8>();
        std::ptr::copy_nonoverlapping(buf.as_ptr(), out, buf.len());
        pgrx::set_varsize_4b(out.cast(), buf.len() as i32);
        pg_sys::Datum::from(out)
    }
}

/// Appends the data of the value at node `at`; returns its JEntry (type and length) and the
/// node after it.
fn encode_value(doc: &Doc, at: usize, buf: &mut Vec<u8>) -> (u32, usize) {
    let entry = match doc.nodes[at] {
        Node::Null => JENTRY_ISNULL,
        Node::Bool(false) => JENTRY_ISBOOL_FALSE,
        Node::Bool(true) => JENTRY_ISBOOL_TRUE,
        Node::String(start, len) | Node::Key(start, len) => {
            buf.extend_from_slice(doc.str(start, len).as_bytes());
            JENTRY_ISSTRING | len
        }
        Node::Number(n) => {
            let padding = pad(buf);
            let numeric = numeric(n);
            // SAFETY: `numeric` is a palloc'd numeric varlena, read for its size in bytes and
            // freed once, after the copy.
            unsafe {
                let size = pgrx::varsize_any(numeric.cast());
                buf.extend_from_slice(std::slice::from_raw_parts(numeric.cast::<u8>(), size));
                pg_sys::pfree(numeric.cast());
                JENTRY_ISNUMERIC | (padding + size) as u32
            }
        }
        Node::Array(count) => return encode_array(doc, at, count as usize, buf),
        Node::Object(count) => return encode_object(doc, at, count as usize, buf),
    };
    (entry, at + 1)
}

fn encode_array(doc: &Doc, at: usize, count: usize, buf: &mut Vec<u8>) -> (u32, usize) {
    let base = buf.len();
    pad(buf);
    buf.extend_from_slice(&(count as u32 | JB_FARRAY).to_ne_bytes());
    let slots = reserve(buf, count);
    let (mut next, mut total) = (at + 1, 0u32);
    for i in 0..count {
        let (entry, after) = encode_value(doc, next, buf);
        next = after;
        total = checked_total(total, entry);
        put(buf, slots + 4 * i, stride_entry(entry, i, total));
    }
    (JENTRY_ISCONTAINER | (buf.len() - base) as u32, next)
}

fn encode_object(doc: &Doc, at: usize, count: usize, buf: &mut Vec<u8>) -> (u32, usize) {
    // (key node, value node), sorted as jsonb sorts keys: by length, then bytes.
    let mut members = Vec::with_capacity(count);
    let mut next = at + 1;
    for _ in 0..count {
        members.push((next, next + 1));
        next = skip(doc, next + 1);
    }
    let key = |node: usize| match doc.nodes[node] {
        Node::Key(start, len) => doc.str(start, len).as_bytes(),
        _ => unreachable!("an object member starts with its key"),
    };
    members.sort_by(|a, b| key(a.0).len().cmp(&key(b.0).len()).then_with(|| key(a.0).cmp(key(b.0))));
    let base = buf.len();
    pad(buf);
    buf.extend_from_slice(&(count as u32 | JB_FOBJECT).to_ne_bytes());
    let slots = reserve(buf, 2 * count);
    let mut total = 0u32;
    let nodes = members.iter().map(|m| m.0).chain(members.iter().map(|m| m.1));
    for (i, node) in nodes.enumerate() {
        let (entry, _) = encode_value(doc, node, buf);
        total = checked_total(total, entry);
        put(buf, slots + 4 * i, stride_entry(entry, i, total));
    }
    (JENTRY_ISCONTAINER | (buf.len() - base) as u32, next)
}

/// The node after the value at `at`.
fn skip(doc: &Doc, at: usize) -> usize {
    match doc.nodes[at] {
        Node::Array(count) => (0..count).fold(at + 1, |next, _| skip(doc, next)),
        Node::Object(count) => (0..count).fold(at + 1, |next, _| skip(doc, next + 1)),
        _ => at + 1,
    }
}

/// Every 32nd child stores its end offset instead of its length.
fn stride_entry(entry: u32, i: usize, total: u32) -> u32 {
    if i.is_multiple_of(JB_OFFSET_STRIDE) { (entry & JENTRY_TYPEMASK) | total | JENTRY_HAS_OFF } else { entry }
}

fn checked_total(total: u32, entry: u32) -> u32 {
    let total = total + (entry & JENTRY_OFFLENMASK);
    if total > JENTRY_OFFLENMASK {
        pgrx::error!("a jsonb result is larger than jsonb allows ({} bytes)", JENTRY_OFFLENMASK);
    }
    total
}

/// Pads `buf` to a multiple of 4 bytes (from the varlena's start, as jsonb does); returns the padding.
fn pad(buf: &mut Vec<u8>) -> usize {
    let padding = buf.len().next_multiple_of(4) - buf.len();
    buf.extend(std::iter::repeat_n(0, padding));
    padding
}

fn reserve(buf: &mut Vec<u8>, entries: usize) -> usize {
    let at = buf.len();
    buf.extend(std::iter::repeat_n(0, 4 * entries));
    at
}

fn put(buf: &mut [u8], at: usize, word: u32) {
    buf[at..at + 4].copy_from_slice(&word.to_ne_bytes());
}

/// The numeric jsonb_in would store for `n`'s JSON text (palloc'd).
fn numeric(n: f64) -> *mut pg_sys::varlena {
    // SAFETY: numeric_in is called with its three arguments: a NUL-terminated string that
    // outlives the call, the type's I/O parameter (none) and the typmod (-1, none); it returns a
    // palloc'd numeric or raises an ERROR.
    unsafe {
        // Integers and short decimals without text: the same value and scale as numeric_in's.
        if let Some((scaled, places)) = crate::js_number::short_decimal(n) {
            return crate::numeric::from_scaled(scaled, places).cast_mut_ptr();
        }
        let text = std::ffi::CString::new(crate::js_number::js_number_text(n)).expect("a number's text has no NUL");
        let datum = pgrx::direct_function_call_as_datum(
            pg_sys::numeric_in,
            &[Some(pg_sys::Datum::from(text.as_ptr())), Some(pg_sys::Datum::from(pg_sys::InvalidOid)), Some(pg_sys::Datum::from(-1i32))],
        );
        datum.expect("numeric_in returns a value").cast_mut_ptr()
    }
}
