//! The arguments check of the `query`/`mutation` wrappers, done on the jsonb argument before it
//! becomes JS: `runtime/native_shape.ts` describes the valibot schema as plain data ([`Shape`]),
//! and [`Shape::order`] accepts a document only when valibot would accept it and its output would
//! be the document itself with each object's keys in the schema's order. Everything else goes
//! the JavaScript way (compiled parser, then valibot), which also reports the issues.
//!
//! Schemas keyed by a name on `Object.prototype` never get a shape (valibot reads keys with `in`).
//! The check assumes that nobody adds keys to `Object.prototype` after the wrapper was made.

use serde_json::Value as Json;

use crate::values::{JsonDoc, JsonNode};

/// A schema as `runtime/native_shape.ts` describes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    String,
    Number,
    Boolean,
    Null,
    /// `any` and `unknown`: the value as it is.
    Any,
    Literal(Scalar),
    Picklist(Vec<Scalar>),
    /// optional, nullable, nullish and exactOptional, without a default.
    Wrapped { wrapped: Box<Shape>, may_be_missing: bool, accepts_null: bool },
    Array(Box<Shape>),
    Object { entries: Vec<(String, Shape)>, others: OtherKeys },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    String(String),
    Number(f64),
    Bool(bool),
}

/// What an object schema does with keys that are not its entries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OtherKeys {
    /// `object` drops them: its output would differ from the value.
    Drop,
    /// `strictObject` rejects them.
    Reject,
    /// `looseObject` keeps them, except the three it drops against prototype pollution.
    Keep,
}

/// Deeper shapes than the JS side makes are refused.
const MAX_DEPTH: usize = 33;

impl Shape {
    /// Reads the JSON text that native_shape.ts writes; `None` for anything else.
    pub fn parse(text: &str) -> Option<Shape> {
        Self::from_json(&serde_json::from_str(text).ok()?, 0)
    }

    fn from_json(json: &Json, depth: usize) -> Option<Shape> {
        if depth > MAX_DEPTH {
            return None;
        }
        let wrapped = |may_be_missing, accepts_null| {
            let wrapped = Box::new(Self::from_json(json.get("wrapped")?, depth + 1)?);
            Some(Shape::Wrapped { wrapped, may_be_missing, accepts_null })
        };
        let object = |others| {
            let mut entries = Vec::new();
            for entry in json.get("entries")?.as_array()? {
                let [key, shape] = entry.as_array()?.as_slice() else { return None };
                entries.push((key.as_str()?.to_owned(), Self::from_json(shape, depth + 1)?));
            }
            Some(Shape::Object { entries, others })
        };
        Some(match json.get("type")?.as_str()? {
            "string" => Shape::String,
            "number" => Shape::Number,
            "boolean" => Shape::Boolean,
            "null" => Shape::Null,
            "any" => Shape::Any,
            "literal" => Shape::Literal(Scalar::from_json(json.get("value")?)?),
            "picklist" => {
                Shape::Picklist(json.get("options")?.as_array()?.iter().map(Scalar::from_json).collect::<Option<_>>()?)
            }
            "optional" => wrapped(true, false)?,
            "nullable" => wrapped(false, true)?,
            "nullish" => wrapped(true, true)?,
            "exact_optional" => wrapped(true, false)?,
            "array" => Shape::Array(Box::new(Self::from_json(json.get("item")?, depth + 1)?)),
            "object" => object(OtherKeys::Drop)?,
            "strict_object" => object(OtherKeys::Reject)?,
            "loose_object" => object(OtherKeys::Keep)?,
            _ => return None,
        })
    }

    /// The document's nodes with each object's members in the schema's order, when valibot would
    /// accept the document and give back an equal value; `None` otherwise. Key and string nodes
    /// still point into `doc.text`.
    pub fn order(&self, doc: &JsonDoc) -> Option<Vec<JsonNode>> {
        let mut out = Vec::with_capacity(doc.nodes.len());
        let end = self.visit(doc, 0, &mut out)?;
        (end == doc.nodes.len()).then_some(out)
    }

    /// Checks the value at node `at` and appends its nodes in output order; returns the node after it.
    fn visit(&self, doc: &JsonDoc, at: usize, out: &mut Vec<JsonNode>) -> Option<usize> {
        let node = *doc.nodes.get(at)?;
        let scalar = |ok: bool, out: &mut Vec<JsonNode>| {
            ok.then(|| {
                out.push(node);
                at + 1
            })
        };
        match (self, node) {
            (Shape::String, JsonNode::String(..)) => scalar(true, out),
            (Shape::Number, JsonNode::Number(_)) => scalar(true, out),
            (Shape::Boolean, JsonNode::Bool(_)) => scalar(true, out),
            (Shape::Null, JsonNode::Null) => scalar(true, out),
            (Shape::Literal(literal), _) => scalar(literal.matches(doc, node), out),
            (Shape::Picklist(options), _) => scalar(options.iter().any(|o| o.matches(doc, node)), out),
            (Shape::Wrapped { accepts_null: true, .. }, JsonNode::Null) => scalar(true, out),
            (Shape::Wrapped { wrapped, .. }, _) => wrapped.visit(doc, at, out),
            (Shape::Any, _) => {
                let end = skip(doc, at)?;
                out.extend_from_slice(&doc.nodes[at..end]);
                Some(end)
            }
            (Shape::Array(item), JsonNode::Array(count)) => {
                out.push(node);
                let mut next = at + 1;
                for _ in 0..count {
                    next = item.visit(doc, next, out)?;
                }
                Some(next)
            }
            (Shape::Object { entries, others }, JsonNode::Object(count)) => {
                object(entries, *others, doc, at, count, out)
            }
            _ => None,
        }
    }
}

/// An object's members in schema order, then (looseObject) its other keys in document order.
fn object(
    entries: &[(String, Shape)],
    others: OtherKeys,
    doc: &JsonDoc,
    at: usize,
    count: u32,
    out: &mut Vec<JsonNode>,
) -> Option<usize> {
    // Each member: its key's text, its key node, the node after its value, and whether an entry took it.
    let mut members = Vec::with_capacity(count as usize);
    let mut next = at + 1;
    for _ in 0..count {
        let JsonNode::Key(start, len) = doc.nodes[next] else { return None };
        let end = skip(doc, next + 1)?;
        members.push((doc.str(start, len), next, end, false));
        next = end;
    }
    let header = out.len();
    out.push(JsonNode::Object(0));
    let mut written = 0;
    for (name, shape) in entries {
        match members.iter_mut().find(|m| m.0 == name) {
            Some(member) => {
                member.3 = true;
                out.push(doc.nodes[member.1]);
                if shape.visit(doc, member.1 + 1, out)? != member.2 {
                    return None;
                }
                written += 1;
            }
            None if matches!(shape, Shape::Wrapped { may_be_missing: true, .. }) => {}
            None => return None,
        }
    }
    for &(name, key, end, taken) in &members {
        if taken {
            continue;
        }
        if others != OtherKeys::Keep || matches!(name, "__proto__" | "prototype" | "constructor") {
            return None;
        }
        out.extend_from_slice(&doc.nodes[key..end]);
        written += 1;
    }
    out[header] = JsonNode::Object(written);
    Some(next)
}

/// The node after the value that starts at `at`.
fn skip(doc: &JsonDoc, at: usize) -> Option<usize> {
    let mut next = at;
    let mut pending = 1u64;
    while pending > 0 {
        pending -= 1;
        match *doc.nodes.get(next)? {
            JsonNode::Array(n) => pending += u64::from(n),
            JsonNode::Object(n) => pending += 2 * u64::from(n),
            _ => {}
        }
        next += 1;
    }
    Some(next)
}

impl Scalar {
    fn from_json(json: &Json) -> Option<Scalar> {
        Some(match json {
            Json::String(s) => Scalar::String(s.clone()),
            Json::Number(n) => Scalar::Number(n.as_f64()?),
            Json::Bool(b) => Scalar::Bool(*b),
            _ => return None,
        })
    }

    /// SameValueZero against the JS value the node becomes (NaN cannot occur on either side).
    fn matches(&self, doc: &JsonDoc, node: JsonNode) -> bool {
        match (self, node) {
            (Scalar::String(s), JsonNode::String(start, len)) => doc.str(start, len) == s,
            (Scalar::Number(n), JsonNode::Number(m)) => *n == m,
            (Scalar::Bool(b), JsonNode::Bool(c)) => *b == c,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document from JSON text, members sorted by key (serde_json's map), as jsonb also sorts them.
    fn doc(text: &str) -> JsonDoc {
        fn add(value: &Json, doc: &mut JsonDoc) {
            match value {
                Json::Null => doc.nodes.push(JsonNode::Null),
                Json::Bool(b) => doc.nodes.push(JsonNode::Bool(*b)),
                Json::Number(n) => doc.nodes.push(JsonNode::Number(n.as_f64().unwrap())),
                Json::String(s) => {
                    let (start, len) = doc.push_str(s);
                    doc.nodes.push(JsonNode::String(start, len));
                }
                Json::Array(items) => {
                    doc.nodes.push(JsonNode::Array(items.len() as u32));
                    items.iter().for_each(|item| add(item, doc));
                }
                Json::Object(members) => {
                    doc.nodes.push(JsonNode::Object(members.len() as u32));
                    for (key, value) in members {
                        let (start, len) = doc.push_str(key);
                        doc.nodes.push(JsonNode::Key(start, len));
                        add(value, doc);
                    }
                }
            }
        }
        let mut out = JsonDoc::default();
        add(&serde_json::from_str(text).unwrap(), &mut out);
        out
    }

    /// The JSON text of what `order` made, or `None`.
    fn ordered(shape: &str, value: &str) -> Option<String> {
        let shape = Shape::parse(shape).expect("a valid shape");
        let input = doc(value);
        let nodes = shape.order(&input)?;
        Some(JsonDoc { nodes, text: input.text }.to_json_text())
    }

    const ITEM: &str = r#"{"type":"object","entries":[["id",{"type":"number"}],["name",{"type":"string"}],
        ["tags",{"type":"array","item":{"type":"string"}}],["note",{"type":"optional","wrapped":{"type":"string"}}]]}"#;

    #[test]
    fn members_are_put_in_the_schema_order_and_missing_optional_keys_stay_missing() {
        let out = ordered(ITEM, r#"{"tags":["a","b"],"name":"n","id":1}"#);
        assert_eq!(out.as_deref(), Some(r#"{"id":1,"name":"n","tags":["a","b"]}"#));
        let reversed = r#"{"type":"object","entries":[["z",{"type":"number"}],["a",{"type":"number"}]]}"#;
        assert_eq!(ordered(reversed, r#"{"a":1,"z":2}"#).as_deref(), Some(r#"{"z":2,"a":1}"#));
        let out = ordered(ITEM, r#"{"note":"x","tags":[],"id":2,"name":""}"#);
        assert_eq!(out.as_deref(), Some(r#"{"id":2,"name":"","tags":[],"note":"x"}"#));
    }

    #[test]
    fn wrong_types_missing_required_keys_and_dropped_keys_go_the_javascript_way() {
        assert_eq!(ordered(ITEM, r#"{"id":"1","name":"n","tags":[]}"#), None);
        assert_eq!(ordered(ITEM, r#"{"name":"n","tags":[]}"#), None);
        assert_eq!(ordered(ITEM, r#"{"id":1,"name":"n","tags":[1]}"#), None);
        assert_eq!(ordered(ITEM, r#"{"id":1,"name":"n","tags":[],"extra":true}"#), None, "object drops extra");
        assert_eq!(ordered(ITEM, r#"{"id":1,"name":"n","tags":[],"note":null}"#), None, "optional is not nullable");
        assert_eq!(ordered(ITEM, r#"[1]"#), None);
    }

    #[test]
    fn strict_objects_reject_and_loose_objects_keep_other_keys_after_the_entries() {
        let strict = r#"{"type":"strict_object","entries":[["a",{"type":"number"}]]}"#;
        assert_eq!(ordered(strict, r#"{"a":1}"#).as_deref(), Some(r#"{"a":1}"#));
        assert_eq!(ordered(strict, r#"{"a":1,"b":2}"#), None);
        let loose = r#"{"type":"loose_object","entries":[["b",{"type":"number"}]]}"#;
        assert_eq!(ordered(loose, r#"{"z":[1,{"q":2}],"a":1,"b":2}"#).as_deref(), Some(r#"{"b":2,"a":1,"z":[1,{"q":2}]}"#));
        for dropped in ["__proto__", "prototype", "constructor"] {
            assert_eq!(ordered(loose, &format!(r#"{{"b":1,"{dropped}":2}}"#)), None, "{dropped}");
        }
    }

    #[test]
    fn null_is_accepted_by_nullable_and_nullish_only() {
        let shape = |t: &str| format!(r#"{{"type":"{t}","wrapped":{{"type":"number"}}}}"#);
        assert_eq!(ordered(&shape("nullable"), "null").as_deref(), Some("null"));
        assert_eq!(ordered(&shape("nullish"), "null").as_deref(), Some("null"));
        assert_eq!(ordered(&shape("optional"), "null"), None);
        assert_eq!(ordered(&shape("exact_optional"), "null"), None);
        let object = r#"{"type":"object","entries":[["n",{"type":"nullable","wrapped":{"type":"number"}}]]}"#;
        assert_eq!(ordered(object, "{}"), None, "nullable keys are required");
    }

    #[test]
    fn literals_and_picklists_compare_values_and_any_keeps_whole_subtrees() {
        let literal = r#"{"type":"literal","value":"a"}"#;
        assert_eq!(ordered(literal, r#""a""#).as_deref(), Some(r#""a""#));
        assert_eq!(ordered(literal, r#""b""#), None);
        let picklist = r#"{"type":"picklist","options":[1,"x"]}"#;
        assert_eq!(ordered(picklist, "1.0").as_deref(), Some("1"));
        assert_eq!(ordered(picklist, r#""1""#), None);
        let any = r#"{"type":"array","item":{"type":"any"}}"#;
        assert_eq!(ordered(any, r#"[{"b":1,"a":[2]},null]"#).as_deref(), Some(r#"[{"a":[2],"b":1},null]"#));
    }

    #[test]
    fn unknown_or_malformed_shapes_are_refused() {
        for text in [
            "",
            r#"{"type":"bigint"}"#,
            r#"{"type":"literal","value":null}"#,
            r#"{"type":"array"}"#,
            r#"{"type":"object","entries":[["a"]]}"#,
        ] {
            assert_eq!(Shape::parse(text), None, "{text}");
        }
        let deep = (0..40).fold(r#"{"type":"number"}"#.to_string(), |s, _| format!(r#"{{"type":"array","item":{s}}}"#));
        assert_eq!(Shape::parse(&deep), None);
    }
}
