//! A JSON value as a flat list of nodes ([`JsonDoc`]): what crosses between jsonb's binary form
//! (jsonb.rs) and JS values (engine/json_in.rs, engine/json_out.rs) without text in between.
//! Also its JSON text, written exactly as `JSON.stringify` writes it.

use std::fmt::Write;

use crate::js_number::write_js_number;

/// One node of a JSON document, in document order. An object is followed by its members, each
/// a `Key` and then the value's nodes; an array by its elements' nodes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum JsonNode {
    Object(u32),
    Array(u32),
    /// A byte range of [`JsonDoc::text`].
    Key(u32, u32),
    String(u32, u32),
    /// Always finite (JSON has no NaN or Infinity).
    Number(f64),
    Bool(bool),
    Null,
}

/// A JSON value: its nodes, and the UTF-8 of its keys and strings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JsonDoc {
    pub nodes: Vec<JsonNode>,
    pub text: String,
}

impl JsonDoc {
    pub fn with_capacity(nodes: usize, text: usize) -> Self {
        Self { nodes: Vec::with_capacity(nodes), text: String::with_capacity(text) }
    }

    pub fn str(&self, start: u32, len: u32) -> &str {
        &self.text[start as usize..(start + len) as usize]
    }

    /// Appends `s` to the text; returns its range for a `Key` or `String` node.
    pub fn push_str(&mut self, s: &str) -> (u32, u32) {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        (start, s.len() as u32)
    }

    /// The JSON text, as `JSON.stringify` writes it (no spaces, its escapes, JS number text).
    pub fn to_json_text(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 8 * self.nodes.len());
        self.write(0, &mut out);
        out
    }

    /// Writes the value starting at node `at`; returns the node after it.
    fn write(&self, at: usize, out: &mut String) -> usize {
        match self.nodes[at] {
            JsonNode::Null => out.push_str("null"),
            JsonNode::Bool(b) => out.push_str(if b { "true" } else { "false" }),
            JsonNode::Number(n) => write_js_number(n, out),
            JsonNode::String(start, len) | JsonNode::Key(start, len) => write_quoted(self.str(start, len), out),
            JsonNode::Array(count) => return self.write_children(at, count, ['[', ']'], out),
            JsonNode::Object(count) => return self.write_children(at, count, ['{', '}'], out),
        }
        at + 1
    }

    /// Writes the elements (or key–value members) after node `at`; returns the node after them.
    fn write_children(&self, at: usize, count: u32, [open, close]: [char; 2], out: &mut String) -> usize {
        out.push(open);
        let mut next = at + 1;
        for i in 0..count {
            if i > 0 {
                out.push(',');
            }
            if open == '{' {
                next = self.write(next, out);
                out.push(':');
            }
            next = self.write(next, out);
        }
        out.push(close);
        next
    }
}

/// `s` as a JSON string with `JSON.stringify`'s escapes (`\uXXXX` in lower case for the other
/// control characters; everything else, U+2028 and U+2029 included, as it is).
pub fn write_quoted(s: &str, out: &mut String) {
    out.push('"');
    let mut start = 0;
    for (i, byte) in s.bytes().enumerate() {
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
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{byte:04x}");
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_get_json_stringify_escapes() {
        let mut out = String::new();
        write_quoted("q\"b\\n\nt\tc\u{1}\u{1f}\u{7f}é\u{2028}", &mut out);
        assert_eq!(out, "\"q\\\"b\\\\n\\nt\\tc\\u0001\\u001f\u{7f}é\u{2028}\"");
    }

    #[test]
    fn documents_are_written_in_node_order() {
        let mut doc = JsonDoc::default();
        let (a, b, s) = (doc.push_str("a"), doc.push_str("b"), doc.push_str("x"));
        doc.nodes = vec![
            JsonNode::Object(2),
            JsonNode::Key(a.0, a.1),
            JsonNode::Array(3),
            JsonNode::Number(1.0),
            JsonNode::Null,
            JsonNode::Object(0),
            JsonNode::Key(b.0, b.1),
            JsonNode::String(s.0, s.1),
        ];
        assert_eq!(doc.to_json_text(), r#"{"a":[1,null,{}],"b":"x"}"#);
    }
}
