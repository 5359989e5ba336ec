//! The values that cross between PostgreSQL and the engine, independent of both.
//!
//! `datum.rs` (and `spi::Rows` for result rows) turns Datums into [`SqlValue`] and [`SqlRef`], and
//! [`JsOut`] into Datums; `engine::convert` turns those into JS values and JS values into [`JsOut`].
//! Neither side sees the other.

use std::rc::Rc;

pub use crate::json_doc::{JsonDoc, JsonNode};

/// 2^53 - 1: the largest integer a JS number holds exactly.
pub const MAX_SAFE_INTEGER: i64 = 9_007_199_254_740_991;

/// An argument or query result on its way into JavaScript.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Bool(bool),
    /// int2, int4: always a JS number.
    Int(i32),
    /// int8: a JS number when |v| <= 2^53 - 1, else a BigInt (never a rounded number).
    Int8(i64),
    Float(f64),
    /// numeric: its exact decimal text, a JS string.
    Numeric(String),
    Text(String),
    /// json text (and jsonb nested too deep for [`JsonDoc`]), parsed into a JS value.
    Json(String),
    /// jsonb, decoded from its binary form (jsonb.rs).
    Jsonb(JsonDoc),
    Bytes(Vec<u8>),
    /// timestamp/timestamptz: milliseconds since the Unix epoch, a JS Date.
    Timestamp(f64),
    Array(Vec<SqlValue>),
    /// A composite value (a row): its non-dropped columns' names and values, in column order.
    Row(Vec<(String, SqlValue)>),
    /// A value many calls pass unchanged (a trigger's name, table and arguments): the engine
    /// converts it once per context and gives every call the same frozen JS value.
    Shared(std::rc::Rc<SqlValue>),
}

/// A column value read where SPI left it (`spi::Rows::cell`), on its way into JavaScript: the
/// common scalars as they are, text borrowed from the row, everything else as a [`SqlValue`].
#[derive(Debug)]
pub enum SqlRef<'a> {
    Null,
    Bool(bool),
    /// int2, int4.
    Int(i32),
    /// text and varchar, borrowed.
    Text(&'a str),
    /// A JS string made for the value (numeric's exact decimal text).
    String(String),
    Value(SqlValue),
}

/// A JS value on its way back to PostgreSQL, before the declared type is applied.
#[derive(Debug, Clone, PartialEq)]
pub enum JsOut {
    Null,
    Bool(bool),
    Number(f64),
    /// A BigInt, as its decimal text.
    BigInt(String),
    String(String),
    Bytes(Vec<u8>),
    /// A Date, as milliseconds since the Unix epoch (NaN for an invalid date).
    Date(f64),
    Array(Vec<JsOut>),
    /// Any other object, as JSON text.
    Object(String),
    /// The value as JSON text (when the declared type is json/jsonb), from JSON.stringify.
    Json(String),
    /// The same for plain data, as a document (no text for jsonb to parse).
    JsonDoc(JsonDoc),
    /// An object returned where a row is expected, read for its [`RowShape`].
    Row(RowOut),
    /// `undefined`, where it differs from null ([`Expect::TriggerRow`]).
    Undefined,
}

/// The SQL type a JS value has of itself, for a `ctx.db` parameter whose type the SQL does not
/// determine (`SELECT $1`, `pg_typeof($1)`, `$1 IS NULL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NaturalType {
    /// null and undefined say nothing: such a parameter is text, as PostgreSQL's default.
    Unknown,
    Bool,
    /// An integral number that fits int4.
    Int4,
    /// An integral number beyond int4 (within 2^53), or a BigInt.
    Int8,
    /// Any other number.
    Float8,
    Text,
    /// A Uint8Array, an ArrayBuffer or another view of one.
    Bytea,
    /// A Date.
    Timestamptz,
    /// Any other object, and arrays.
    Jsonb,
}

/// What the JS value is converted for: its expected shape, known before any JS runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    /// A value of a scalar or array type.
    Value,
    /// json/jsonb: the whole value as JSON.
    Json,
    /// A row: an object whose keys are the columns.
    Row(Rc<RowShape>),
    /// An array whose elements are JSON or rows (json[], arrays of a composite type).
    Array(Box<Expect>),
    /// What a BEFORE or INSTEAD OF row trigger returns: a row, or null to skip the row;
    /// `undefined` is told apart ([`JsOut::Undefined`]), since it is a mistake.
    TriggerRow(Rc<RowShape>),
}

/// The columns of an expected row, for converting each member for its column's type.
#[derive(Debug, Clone, PartialEq)]
pub struct RowShape {
    pub columns: Vec<(String, Expect)>,
}

impl RowShape {
    /// The position of the column `key` (`None`: no such column).
    pub fn position(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|(name, _)| name == key)
    }
}

/// A row's object read for a [`RowShape`]: the value of each column's key, in the shape's column
/// order (`None` where the object has no such key), and the first key that is not a column. The
/// Datum side takes the values by position (`row.rs`), checking that the shape is still the row
/// type's.
#[derive(Debug, Clone, PartialEq)]
pub struct RowOut {
    pub shape: Rc<RowShape>,
    pub values: Vec<Option<JsOut>>,
    pub other_key: Option<String>,
}

impl JsOut {
    /// What the function returned, for error messages: `the string "abc"`, `an array`.
    pub fn describe(&self) -> String {
        fn clip(s: &str) -> String {
            let mut out: String = s.chars().take(60).collect();
            if out.len() < s.len() {
                out.push('…');
            }
            out
        }
        match self {
            JsOut::Null => "null".into(),
            JsOut::Undefined => "undefined".into(),
            JsOut::Bool(b) => format!("the boolean {b}"),
            JsOut::Number(n) => format!("the number {}", crate::js_number::js_number_text(*n)),
            JsOut::BigInt(s) => format!("the bigint {s}n"),
            JsOut::String(s) => format!("the string {:?}", clip(s)),
            JsOut::Bytes(b) => format!("a Uint8Array of {} bytes", b.len()),
            JsOut::Date(_) => "a Date".into(),
            JsOut::Array(a) => format!("an array of {} elements", a.len()),
            JsOut::Object(json) => format!("the object {}", clip(json)),
            JsOut::Json(json) => format!("the JSON value {}", clip(json)),
            JsOut::JsonDoc(doc) => format!("the JSON value {}", clip(&doc.to_json_text())),
            JsOut::Row(row) => {
                let present = row.shape.columns.iter().zip(&row.values).filter(|(_, value)| value.is_some());
                let mut keys: Vec<&str> = present.map(|((name, _), _)| name.as_str()).collect();
                keys.extend(row.other_key.as_deref());
                format!("an object with the keys {}", clip(&keys.join(", ")))
            }
        }
    }
}

/// Days since 2000-01-01 (PostgreSQL's date epoch) → `YYYY-MM-DD`, proleptic Gregorian.
pub fn pg_date_to_iso(days_since_2000: i32) -> String {
    // Howard Hinnant's civil_from_days, shifted from the Unix epoch (2000-01-01 is day 10957).
    let z = days_since_2000 as i64 + 10957 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    if year <= 0 {
        format!("{:04}-{month:02}-{day:02} BC", 1 - year)
    } else {
        format!("{year:04}-{month:02}-{day:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_convert_from_the_postgres_epoch() {
        assert_eq!(pg_date_to_iso(0), "2000-01-01");
        assert_eq!(pg_date_to_iso(-1), "1999-12-31");
        assert_eq!(pg_date_to_iso(59), "2000-02-29");
        assert_eq!(pg_date_to_iso(-10957), "1970-01-01");
        assert_eq!(pg_date_to_iso(-730_119), "0001-01-01");
        assert_eq!(pg_date_to_iso(-730_485), "0001-01-01 BC");
    }

    #[test]
    fn descriptions_clip_long_strings() {
        let d = JsOut::String("x".repeat(100)).describe();
        assert!(d.ends_with("…\""), "{d}");
    }
}
