//! PostgreSQL Datums ↔ [`SqlValue`] / [`JsOut`], by type OID. The value mapping of
//! arguments, and of results converted to a function's declared return type.

use std::cell::RefCell;
use std::ffi::CStr;

use pgrx::pg_sys::{self, Datum, Oid};
use pgrx::{FromDatum, IntoDatum};

use rustc_hash::FxHashMap;

use crate::backend::BackendLocal;
use crate::js_number::{js_number_text, short_decimal};
use crate::values::{pg_date_to_iso, JsOut, SqlValue};

/// Milliseconds between the Unix epoch and PostgreSQL's (2000-01-01).
const PG_EPOCH_MS: f64 = 946_684_800_000.0;
/// PostgreSQL's timestamp range in milliseconds since the Unix epoch: 4714-11-24 BC (MIN_TIMESTAMP) to
/// 294277-01-01 (END_TIMESTAMP). A Date reaches further back (271821 BC); outside, it is not a timestamp.
const MIN_TIMESTAMP_MS: f64 = -211_813_488_000_000.0 + PG_EPOCH_MS;
const END_TIMESTAMP_MS: f64 = 9_223_371_331_200_000.0 + PG_EPOCH_MS;

fn in_timestamp_range(ms: f64) -> bool {
    (MIN_TIMESTAMP_MS..END_TIMESTAMP_MS).contains(&ms)
}

pub fn type_name(typoid: Oid) -> String {
    // SAFETY: format_type_be takes any OID (`???` for an unknown one) and returns a palloc'd,
    // NUL-terminated string, copied out at once.
    unsafe { CStr::from_ptr(pg_sys::format_type_be(typoid)).to_string_lossy().into_owned() }
}

/// Datum → [`SqlValue`]. Types without a mapping arrive as their text form. `datum` must be a
/// value of type `typoid` (an argument or a column of that type) unless `is_null`.
pub fn to_sql_value(datum: Datum, is_null: bool, typoid: Oid) -> SqlValue {
    if is_null {
        return SqlValue::Null;
    }
    // SAFETY: `datum` is a non-null value of type `typoid` (the contract above), and each arm
    // reads it as that type: by value for the fixed-size types, as a varlena or array otherwise.
    unsafe {
        match typoid {
            pg_sys::BOOLOID => SqlValue::Bool(datum.value() != 0),
            pg_sys::INT2OID => SqlValue::Int(i32::from(datum.value() as i16)),
            pg_sys::INT4OID => SqlValue::Int(datum.value() as i32),
            pg_sys::INT8OID => SqlValue::Int8(i64::from_datum(datum, false).unwrap_or_default()),
            pg_sys::FLOAT4OID => SqlValue::Float(f64::from(f32::from_datum(datum, false).unwrap_or_default())),
            pg_sys::FLOAT8OID => SqlValue::Float(f64::from_datum(datum, false).unwrap_or_default()),
            pg_sys::NUMERICOID => SqlValue::Numeric(crate::numeric::text(datum)),
            pg_sys::TEXTOID | pg_sys::VARCHAROID => {
                SqlValue::Text(String::from_datum(datum, false).unwrap_or_default())
            }
            pg_sys::JSONOID => SqlValue::Json(String::from_datum(datum, false).unwrap_or_default()),
            pg_sys::JSONBOID => jsonb(datum),
            pg_sys::BYTEAOID => SqlValue::Bytes(Vec::<u8>::from_datum(datum, false).unwrap_or_default()),
            pg_sys::TIMESTAMPOID | pg_sys::TIMESTAMPTZOID => timestamp(datum.value() as i64),
            pg_sys::DATEOID => match datum.value() as i32 {
                i32::MAX => SqlValue::Text("infinity".into()),
                i32::MIN => SqlValue::Text("-infinity".into()),
                days => SqlValue::Text(pg_date_to_iso(days)),
            },
            _ => match kind_of(typoid) {
                TypeKind::Array(elem) => array(datum, typoid, elem),
                TypeKind::Row => crate::row::to_sql_value(datum),
                // A domain's value is a value of its base type.
                TypeKind::Domain(base) => to_sql_value(datum, false, base),
                TypeKind::Other => SqlValue::Text(output_text(datum, typoid)),
            },
        }
    }
}

/// The bytes of a text-like varlena (detoasted into the current memory context if need be).
///
/// # Safety
/// `datum` must be a varlena (text, varchar, bytea, ...); the bytes live as long as it does.
pub unsafe fn varlena_bytes<'a>(datum: Datum) -> &'a [u8] {
    // SAFETY: `datum` is a varlena (the caller's promise); pg_detoast_datum_packed returns it, or
    // its detoasted copy in the current memory context, whose data bytes vardata_any and
    // varsize_any_exhdr describe.
    unsafe {
        let value = pg_sys::pg_detoast_datum_packed(datum.cast_mut_ptr());
        std::slice::from_raw_parts(pgrx::vardata_any(value).cast::<u8>(), pgrx::varsize_any_exhdr(value))
    }
}

/// jsonb read from its binary form: no jsonb_out text for JSON.parse to read again.
///
/// # Safety
/// `datum` must be a jsonb value.
unsafe fn jsonb(datum: Datum) -> SqlValue {
    // SAFETY: `datum` is a jsonb (the caller's promise); pg_detoast_datum gives it with a 4-byte
    // header, as jsonb::decode needs, copying only when it must. The document owns its text, so
    // the copy can be freed after decoding.
    unsafe {
        let detoasted = pg_sys::pg_detoast_datum(datum.cast_mut_ptr());
        let decoded = crate::jsonb::decode(detoasted);
        if detoasted != datum.cast_mut_ptr() {
            pg_sys::pfree(detoasted.cast());
        }
        match decoded {
            Some(doc) => SqlValue::Jsonb(doc),
            None => SqlValue::Json(output_text(datum, pg_sys::JSONBOID)),
        }
    }
}

fn timestamp(micros: i64) -> SqlValue {
    match micros {
        i64::MAX => SqlValue::Text("infinity".into()),
        i64::MIN => SqlValue::Text("-infinity".into()),
        // Date holds milliseconds: sub-millisecond digits are dropped (documented).
        us => SqlValue::Timestamp((us.div_euclid(1000)) as f64 + PG_EPOCH_MS),
    }
}

fn array_element_type(typoid: Oid) -> Option<Oid> {
    match kind_of(typoid) {
        TypeKind::Array(elem) => Some(elem),
        _ => None,
    }
}

/// What a type is, for the conversions that depend on more than its OID.
#[derive(Clone, Copy)]
enum TypeKind {
    /// An array of this element type.
    Array(Oid),
    /// A composite type, a domain over one, or `record`.
    Row,
    /// A domain over this (non-composite) base type: its values convert as the base type's.
    Domain(Oid),
    Other,
}

/// The kinds of the types converted so far. Each lookup is two syscache searches; the map is
/// emptied when pg_type changes (a type dropped, and its OID used again).
static TYPE_KINDS: BackendLocal<RefCell<Option<FxHashMap<Oid, TypeKind>>>> = BackendLocal::new(RefCell::new(None));

/// PostgreSQL's syscache callback for pg_type: every kind is looked up again.
///
/// # Safety
/// None beyond the callback's signature: it reads none of its arguments.
unsafe extern "C-unwind" fn type_changed(_arg: Datum, _cache: std::ffi::c_int, _hash: u32) {
    TYPE_KINDS.with(|kinds| {
        if let Ok(mut kinds) = kinds.try_borrow_mut() {
            kinds.as_mut().map(FxHashMap::clear);
        }
    });
}

fn kind_of(typoid: Oid) -> TypeKind {
    if let Some(kind) = TYPE_KINDS.with(|kinds| kinds.borrow().as_ref().and_then(|kinds| kinds.get(&typoid).copied())) {
        return kind;
    }
    // SAFETY: get_element_type is a syscache lookup that takes any OID (InvalidOid when it is
    // not an array type).
    let kind = match unsafe { pg_sys::get_element_type(typoid) } {
        elem if elem != pg_sys::InvalidOid => TypeKind::Array(elem),
        _ if crate::row::is_row_type(typoid) => TypeKind::Row,
        // SAFETY: getBaseType is a syscache walk that takes any OID (itself when not a domain).
        _ => match unsafe { pg_sys::getBaseType(typoid) } {
            base if base != typoid => TypeKind::Domain(base),
            _ => TypeKind::Other,
        },
    };
    TYPE_KINDS.with(|kinds| {
        let mut kinds = kinds.borrow_mut();
        let kinds = kinds.get_or_insert_with(|| {
            // SAFETY: registering a static function as a syscache callback, once per backend.
            unsafe {
                pg_sys::CacheRegisterSyscacheCallback(pg_sys::SysCacheIdentifier::TYPEOID as _, Some(type_changed), Datum::from(0))
            };
            FxHashMap::with_hasher(rustc_hash::FxBuildHasher)
        });
        kinds.insert(typoid, kind);
    });
    kind
}

/// Whether `typoid` is a composite type (or a domain over one, or `record`), from the kinds cache.
pub fn is_row_type(typoid: Oid) -> bool {
    matches!(kind_of(typoid), TypeKind::Row)
}

/// # Safety
/// `datum` must be an array of type `typoid`, whose elements are of type `elem`.
unsafe fn array(datum: Datum, typoid: Oid, elem: Oid) -> SqlValue {
    // SAFETY: `datum` is an array of `elem` (the caller's promise), detoasted here.
    // get_typlenbyvalalign fills the three places it is given; deconstruct_array, given the
    // element type's own length, by-value flag and alignment, points `values` and `nulls` at `n`
    // entries each, read in bounds.
    unsafe {
        let arr = pg_sys::pg_detoast_datum(datum.cast_mut_ptr()) as *mut pg_sys::ArrayType;
        if (*arr).ndim > 1 {
            return SqlValue::Text(output_text(datum, typoid));
        }
        let (mut len, mut byval, mut align) = (0i16, false, 0 as std::ffi::c_char);
        pg_sys::get_typlenbyvalalign(elem, &mut len, &mut byval, &mut align);
        let (mut values, mut nulls, mut n) = (std::ptr::null_mut(), std::ptr::null_mut(), 0);
        pg_sys::deconstruct_array(arr, elem, len.into(), byval, align, &mut values, &mut nulls, &mut n);
        let items = (0..n as usize)
            .map(|i| to_sql_value(*values.add(i), *nulls.add(i), elem))
            .collect();
        SqlValue::Array(items)
    }
}

/// The type's output function's text of `datum`, a value of type `typoid`.
fn output_text(datum: Datum, typoid: Oid) -> String {
    // SAFETY: `datum` is a value of `typoid` (the callers pass a value with its type);
    // getTypeOutputInfo fills the two places it is given (an ERROR for a type without output);
    // OidOutputFunctionCall returns a palloc'd, NUL-terminated string, copied out at once.
    unsafe {
        let (mut func, mut varlena) = (pg_sys::InvalidOid, false);
        pg_sys::getTypeOutputInfo(typoid, &mut func, &mut varlena);
        let text = pg_sys::OidOutputFunctionCall(func, datum);
        CStr::from_ptr(text).to_string_lossy().into_owned()
    }
}

fn input(text: &str, typoid: Oid) -> Datum {
    // SAFETY: pstrdup makes a NUL-terminated copy of `text` in the current memory context.
    // getTypeInputInfo fills the two places it is given, and the input function is called with
    // the type's own I/O parameter. A cached FmgrInfo is in TopMemoryContext, which lives as
    // long as the backend, so its pointer stays valid.
    unsafe {
        let cstr = pgrx::PgMemoryContexts::CurrentMemoryContext.pstrdup(text);
        if typoid.to_u32() >= pg_sys::FirstNormalObjectId {
            let (mut func, mut ioparam) = (pg_sys::InvalidOid, pg_sys::InvalidOid);
            pg_sys::getTypeInputInfo(typoid, &mut func, &mut ioparam);
            return pg_sys::OidInputFunctionCall(func, cstr, ioparam, -1);
        }
        // Built-in types never change: their input function is looked up once per backend
        // (a syscache lookup and fmgr_info on every result otherwise).
        let (finfo, ioparam) = INPUT_FUNCTIONS.with(|cache| {
            *cache.borrow_mut().entry(typoid).or_insert_with(|| {
                let (mut func, mut ioparam) = (pg_sys::InvalidOid, pg_sys::InvalidOid);
                pg_sys::getTypeInputInfo(typoid, &mut func, &mut ioparam);
                let finfo = pg_sys::MemoryContextAllocZero(pg_sys::TopMemoryContext, std::mem::size_of::<pg_sys::FmgrInfo>())
                    .cast::<pg_sys::FmgrInfo>();
                pg_sys::fmgr_info_cxt(func, finfo, pg_sys::TopMemoryContext);
                (finfo, ioparam)
            })
        });
        pg_sys::InputFunctionCall(finfo, cstr, ioparam, -1)
    }
}

/// The input function (in TopMemoryContext) and I/O parameter of each built-in type used so far.
static INPUT_FUNCTIONS: BackendLocal<RefCell<FxHashMap<Oid, (*mut pg_sys::FmgrInfo, Oid)>>> =
    BackendLocal::new(RefCell::new(FxHashMap::with_hasher(rustc_hash::FxBuildHasher)));

/// Why a JS value does not fit the declared type; the caller names the function.
pub struct Mismatch {
    pub expected: String,
    pub got: String,
    /// Where in the value it was found, as a JS path: the column of a row (`address.city` when
    /// nested), an array's element (`[2]`), or both (`items[0].qty`).
    pub column: Option<String>,
}

impl Mismatch {
    pub fn new(expected: &str, got: &JsOut) -> Self {
        Self { expected: expected.to_string(), got: got.describe(), column: None }
    }

    /// The same mismatch, found in column `name` of a row.
    pub fn in_column(mut self, name: &str) -> Self {
        self.column = Some(match self.column.take() {
            Some(inner) if inner.starts_with('[') => format!("{name}{inner}"),
            Some(inner) => format!("{name}.{inner}"),
            None => name.to_string(),
        });
        self
    }

    /// The same mismatch, found in element `index` (0-based, as in JS) of an array.
    pub fn in_element(mut self, index: usize) -> Self {
        self.column = Some(match self.column.take() {
            Some(inner) if inner.starts_with('[') => format!("[{index}]{inner}"),
            Some(inner) => format!("[{index}].{inner}"),
            None => format!("[{index}]"),
        });
        self
    }

    /// ` for column "c"` where the mismatch is inside a row, ` at element [1]` inside an array,
    /// for messages.
    pub fn place(&self) -> String {
        match &self.column {
            Some(path) if path.starts_with('[') => format!(" at element {path}"),
            Some(path) => format!(" for column {path:?}"),
            None => String::new(),
        }
    }
}

/// A value of domain `domain`: converted as its base type, then checked against the domain's
/// constraints (NOT NULL, CHECK), which raise their ERROR (23502, 23514) as a cast would.
fn to_domain(value: &JsOut, domain: Oid, base: Oid) -> Result<Option<Datum>, Mismatch> {
    let datum = from_js_out(value, base).map_err(|m| Mismatch { expected: type_name(domain), ..m })?;
    // SAFETY: `datum` is a value of the domain's base type (or None, checked as NULL);
    // domain_check only reads it, looking the constraints up itself (no cache passed).
    unsafe {
        pg_sys::domain_check(
            datum.unwrap_or(Datum::from(0)),
            datum.is_none(),
            domain,
            std::ptr::null_mut(),
            pg_sys::CurrentMemoryContext,
        )
    };
    Ok(datum)
}

/// [`JsOut`] → Datum of `typoid`; `None` is SQL NULL.
pub fn from_js_out(value: &JsOut, typoid: Oid) -> Result<Option<Datum>, Mismatch> {
    // Built-in types (OIDs below 10000) are never domains: they skip the lookup.
    if typoid.to_u32() >= pg_sys::FirstGenbkiObjectId {
        if let TypeKind::Domain(base) = kind_of(typoid) {
            return to_domain(value, typoid, base);
        }
    }
    let mismatch = || Mismatch::new(&type_name(typoid), value);
    if typoid == pg_sys::VOIDOID {
        // The void value, not NULL (as PL/pgSQL returns it): `f() IS NULL` is false.
        return Ok(Some(Datum::from(0)));
    }
    if *value == JsOut::Null {
        return Ok(None);
    }
    let datum = match (typoid, value) {
        (pg_sys::VOIDOID, _) => Datum::from(0),
        (pg_sys::BOOLOID, JsOut::Bool(b)) => b.into_datum().unwrap(),
        (pg_sys::INT2OID | pg_sys::INT4OID | pg_sys::INT8OID, _) => {
            let (min, max) = match typoid {
                pg_sys::INT2OID => (i16::MIN as i64, i16::MAX as i64),
                pg_sys::INT4OID => (i32::MIN as i64, i32::MAX as i64),
                _ => (i64::MIN, i64::MAX),
            };
            let n = match value {
                JsOut::Number(n) if n.fract() == 0.0 && *n >= min as f64 && *n <= max as f64 && n.abs() < 9.3e18 => {
                    *n as i64
                }
                // A string that is exactly an integer in range, as PL/pgSQL's assignment takes it.
                JsOut::BigInt(s) | JsOut::String(s) => {
                    s.parse::<i64>().ok().filter(|n| (min..=max).contains(n)).ok_or_else(mismatch)?
                }
                _ => return Err(mismatch()),
            };
            match typoid {
                pg_sys::INT2OID => (n as i16).into_datum().unwrap(),
                pg_sys::INT4OID => (n as i32).into_datum().unwrap(),
                _ => n.into_datum().unwrap(),
            }
        }
        (pg_sys::FLOAT4OID, JsOut::Number(n)) => (*n as f32).into_datum().unwrap(),
        (pg_sys::FLOAT8OID, JsOut::Number(n)) => n.into_datum().unwrap(),
        // Integers and short decimals (ids, counts, sums, prices) skip printing and parsing.
        (pg_sys::NUMERICOID, JsOut::Number(n)) => match short_decimal(*n) {
            Some((scaled, places)) => crate::numeric::from_scaled(scaled, places),
            None => input(&js_number_text(*n), typoid),
        },
        (pg_sys::NUMERICOID, JsOut::BigInt(s) | JsOut::String(s)) => match crate::numeric::parse_short_decimal(s) {
            Some((scaled, places)) => crate::numeric::from_scaled(scaled, places),
            None => input(s, typoid),
        },
        (pg_sys::JSONOID | pg_sys::JSONBOID, JsOut::Json(text)) => input(text, typoid),
        (pg_sys::JSONBOID, JsOut::JsonDoc(doc)) => crate::jsonb::encode(doc),
        (pg_sys::JSONOID, JsOut::JsonDoc(doc)) => input(&doc.to_json_text(), typoid),
        (pg_sys::BYTEAOID, JsOut::Bytes(b)) => b.as_slice().into_datum().unwrap(),
        // In integers: a Date's time value is a whole number of milliseconds, but µs = ms * 1000 in
        // float8 is inexact past 2^53 µs (year 2285) and would add microseconds.
        (pg_sys::TIMESTAMPOID | pg_sys::TIMESTAMPTZOID, JsOut::Date(ms)) if in_timestamp_range(*ms) => {
            Datum::from((ms - PG_EPOCH_MS) as i64 * 1000)
        }
        (pg_sys::DATEOID, JsOut::Date(ms)) if in_timestamp_range(*ms) => {
            Datum::from(((ms - PG_EPOCH_MS) as i64).div_euclid(86_400_000) as i32)
        }
        (t, JsOut::Row(_)) if is_row_type(t) => crate::row::from_js_out(value, t)?,
        (_, JsOut::Array(items)) => match array_element_type(typoid) {
            Some(elem) => build_array(items, elem)?,
            None => return Err(mismatch()),
        },
        // PostgreSQL's text cannot hold a NUL: the input function would cut the string there.
        (_, JsOut::String(s)) if s.as_bytes().contains(&0) => {
            return Err(Mismatch {
                expected: type_name(typoid),
                got: format!("{} with a NUL character (\\u0000)", value.describe()),
                column: None,
            });
        }
        // text's input function only copies the bytes.
        // SAFETY: the pointer and length describe the string's bytes, copied into a new text
        // in the current memory context.
        (pg_sys::TEXTOID, JsOut::String(s)) if s.len() < i32::MAX as usize => unsafe {
            Datum::from(pg_sys::cstring_to_text_with_len(s.as_ptr().cast(), s.len() as i32))
        },
        // Text-like and every other type: through the type's input function, which
        // validates (uuid, date, timestamptz, enums, ...).
        (t, JsOut::String(s)) if !matches!(t, pg_sys::BOOLOID | pg_sys::FLOAT4OID | pg_sys::FLOAT8OID) => {
            input(s, typoid)
        }
        (pg_sys::TEXTOID | pg_sys::VARCHAROID, JsOut::Number(n)) => input(&js_number_text(*n), typoid),
        (pg_sys::TEXTOID | pg_sys::VARCHAROID, JsOut::BigInt(s)) => input(s, typoid),
        (pg_sys::TEXTOID | pg_sys::VARCHAROID, JsOut::Bool(b)) => input(&b.to_string(), typoid),
        _ => return Err(mismatch()),
    };
    Ok(Some(datum))
}

fn build_array(items: &[JsOut], elem: Oid) -> Result<Datum, Mismatch> {
    let mut datums = Vec::with_capacity(items.len());
    let mut nulls = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match from_js_out(item, elem).map_err(|m| m.in_element(i))? {
            Some(d) => {
                datums.push(d);
                nulls.push(false);
            }
            None => {
                datums.push(Datum::from(0));
                nulls.push(true);
            }
        }
    }
    // SAFETY: get_typlenbyvalalign fills the three places it is given. construct_md_array reads
    // `items.len()` datums and nulls (both vectors have that many), one dimension of that length
    // from lower bound 1, and copies the elements of type `elem` into a palloc'd array.
    unsafe {
        let (mut len, mut byval, mut align) = (0i16, false, 0 as std::ffi::c_char);
        pg_sys::get_typlenbyvalalign(elem, &mut len, &mut byval, &mut align);
        let mut dims = [items.len() as i32];
        let mut lbs = [1];
        let arr = pg_sys::construct_md_array(
            datums.as_mut_ptr(),
            nulls.as_mut_ptr(),
            1,
            dims.as_mut_ptr(),
            lbs.as_mut_ptr(),
            elem,
            len.into(),
            byval,
            align,
        );
        Ok(Datum::from(arr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(m: Mismatch) -> String {
        m.place()
    }

    #[test]
    fn mismatch_places_read_as_js_paths() {
        let m = || Mismatch::new("integer", &JsOut::String("x".into()));
        assert_eq!(at(m()), "");
        assert_eq!(at(m().in_column("b").in_column("p")), " for column \"p.b\"");
        assert_eq!(at(m().in_element(2)), " at element [2]");
        assert_eq!(at(m().in_column("qty").in_element(0).in_column("items")), " for column \"items[0].qty\"");
        assert_eq!(at(m().in_element(1).in_element(0)), " at element [0][1]");
        assert_eq!(at(m().in_column("a").in_element(3)), " at element [3].a");
    }
}
