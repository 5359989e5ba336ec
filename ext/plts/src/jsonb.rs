//! jsonb Datums → [`JsonValue`], read from jsonb's binary form with PostgreSQL's iterator.
//! Printing the document with `jsonb_out` and parsing the text again in JS cost several
//! microseconds per call for a small object; walking the binary form skips both.

use std::mem::MaybeUninit;

use pgrx::pg_sys::{self, Datum, JsonbIteratorToken as Token};

use crate::values::JsonValue;

/// Deeper documents are read as text instead: the tree is converted to JS recursively, and
/// JSON.parse has its own stack checks.
pub const MAX_TREE_DEPTH: usize = 256;

/// An array or object being filled, and whether it is the wrapper jsonb uses for a top-level scalar.
enum Frame {
    Array { items: Vec<JsonValue>, raw_scalar: bool },
    Object { members: Vec<(String, JsonValue)>, key: String },
}

/// Reads a jsonb Datum; `None` when it nests deeper than [`MAX_TREE_DEPTH`].
pub fn read(datum: Datum) -> Option<JsonValue> {
    unsafe {
        let jsonb = pg_sys::pg_detoast_datum(datum.cast_mut_ptr()) as *mut pg_sys::Jsonb;
        let mut iterator = pg_sys::JsonbIteratorInit(&mut (*jsonb).root);
        let mut value = MaybeUninit::<pg_sys::JsonbValue>::zeroed();
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            let token = pg_sys::JsonbIteratorNext(&mut iterator, value.as_mut_ptr(), false);
            let v = value.assume_init_ref();
            let finished = match token {
                Token::WJB_DONE => return None, // an empty container stream: not produced by valid jsonb
                Token::WJB_BEGIN_ARRAY | Token::WJB_BEGIN_OBJECT => {
                    if stack.len() == MAX_TREE_DEPTH {
                        return None;
                    }
                    stack.push(if token == Token::WJB_BEGIN_ARRAY {
                        let array = v.val.array;
                        Frame::Array { items: Vec::with_capacity(array.nElems.max(0) as usize), raw_scalar: array.rawScalar }
                    } else {
                        Frame::Object { members: Vec::with_capacity(v.val.object.nPairs.max(0) as usize), key: String::new() }
                    });
                    continue;
                }
                Token::WJB_KEY => {
                    if let Some(Frame::Object { key, .. }) = stack.last_mut() {
                        *key = string(v);
                    }
                    continue;
                }
                Token::WJB_VALUE | Token::WJB_ELEM => scalar(v),
                _ => match stack.pop() {
                    Some(Frame::Array { mut items, raw_scalar: true }) => items.pop().unwrap_or(JsonValue::Null),
                    Some(Frame::Array { items, .. }) => JsonValue::Array(items),
                    Some(Frame::Object { members, .. }) => JsonValue::Object(members),
                    None => return None,
                },
            };
            match stack.last_mut() {
                Some(Frame::Array { items, .. }) => items.push(finished),
                Some(Frame::Object { members, key }) => members.push((std::mem::take(key), finished)),
                None => return Some(finished),
            }
        }
    }
}

unsafe fn scalar(v: &pg_sys::JsonbValue) -> JsonValue {
    unsafe {
        match v.type_ {
            pg_sys::jbvType::jbvString => JsonValue::String(string(v)),
            pg_sys::jbvType::jbvNumeric => JsonValue::Number(number(v.val.numeric)),
            pg_sys::jbvType::jbvBool => JsonValue::Bool(v.val.boolean),
            _ => JsonValue::Null,
        }
    }
}

unsafe fn string(v: &pg_sys::JsonbValue) -> String {
    unsafe {
        let s = v.val.string;
        let bytes = std::slice::from_raw_parts(s.val as *const u8, s.len.max(0) as usize);
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// The nearest double to the numeric, as JSON.parse of its text gives (Rust's parser rounds
/// correctly too; out-of-range values become ±Infinity in both).
fn number(numeric: pg_sys::Numeric) -> f64 {
    crate::datum::numeric_text(Datum::from(numeric)).parse::<f64>().unwrap_or(f64::NAN)
}
