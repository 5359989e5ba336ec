//! Composite values (rows) on the Datum side, both ways: a composite Datum becomes a
//! [`SqlValue::Row`] (arguments, `ctx.db` columns), and a returned object, read for the row's
//! shape ([`JsOut::Row`]), becomes a row of a tuple descriptor. A missing key is NULL; a key that
//! is not a column is an error that lists the columns, except in a record of OUT parameters, where
//! extra keys are ignored (as plv8 does).

use std::borrow::Cow;
use std::ffi::CStr;

use pgrx::pg_sys::{self, Datum, Oid};

use crate::datum::{self, Mismatch};
use crate::pg_version;
use crate::values::{Expect, JsOut, RowOut, RowShape, SqlValue};

/// Whether a row's object may have keys that are not its columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OtherKeys {
    Reject,
    Ignore,
}

/// Whether `typoid` is a composite type (or a domain over one, or `record`).
pub fn is_row_type(typoid: Oid) -> bool {
    // SAFETY: a syscache lookup; an unknown OID is simply not a row type.
    unsafe { pg_sys::type_is_rowtype(typoid) }
}

/// A tuple descriptor's columns that are not dropped: (index, name, type).
type Columns = Vec<(usize, String, Oid)>;

/// `a, b, c`: the names of a descriptor's columns, for messages.
///
/// # Safety
/// `desc` must be a live tuple descriptor.
unsafe fn names_of(desc: pg_sys::TupleDesc) -> String {
    // SAFETY: the caller's promise.
    unsafe { live_columns(desc) }.map(|(_, name, _)| name).collect::<Vec<_>>().join(", ")
}

/// The columns of a tuple descriptor that are not dropped, with their names borrowed from it.
///
/// # Safety
/// `desc` must be a live tuple descriptor, alive while the iterator is.
unsafe fn live_columns<'a>(desc: pg_sys::TupleDesc) -> impl Iterator<Item = (usize, Cow<'a, str>, Oid)> {
    // SAFETY: the caller's promise; each name is a NUL-terminated NameData.
    unsafe {
        pg_version::attributes(desc)
            .iter()
            .enumerate()
            .filter(|(_, att)| !att.attisdropped)
            .map(|(i, att)| (i, CStr::from_ptr(att.attname.data.as_ptr()).to_string_lossy(), att.atttypid))
    }
}

/// The columns of a tuple descriptor that are not dropped, owned.
///
/// # Safety
/// `desc` must be a live tuple descriptor.
unsafe fn columns(desc: pg_sys::TupleDesc) -> Columns {
    // SAFETY: the caller's promise.
    unsafe { live_columns(desc) }.map(|(i, name, typ)| (i, name.into_owned(), typ)).collect()
}

/// What each column of `desc` expects of its member: JSON for json/jsonb, a row for a composite,
/// a value otherwise.
///
/// # Safety
/// `desc` must be a live tuple descriptor.
pub unsafe fn shape_of(desc: pg_sys::TupleDesc, depth: usize) -> RowShape {
    // SAFETY: the caller's promise.
    let columns = unsafe { live_columns(desc) };
    RowShape { columns: columns.map(|(_, name, typ)| (name.into_owned(), expect_for(typ, depth + 1))).collect() }
}

/// What a value of `typoid` is converted for (rows nested at most a few levels deep are described;
/// deeper ones take their members as plain values).
pub fn expect_for(typoid: Oid, depth: usize) -> Expect {
    match typoid {
        pg_sys::JSONOID | pg_sys::JSONBOID => Expect::Json,
        pg_sys::RECORDOID => Expect::Value,
        t if depth < 8 && is_row_type(t) => with_row_desc(t, |desc| {
            // SAFETY: the descriptor is live inside the closure.
            Expect::Row(unsafe { shape_of(desc, depth) }.into())
        }),
        // SAFETY: a syscache lookup; InvalidOid for a type that is not an array.
        t if depth < 8 => match unsafe { pg_sys::get_element_type(t) } {
            elem if elem == pg_sys::InvalidOid => Expect::Value,
            elem => match expect_for(elem, depth + 1) {
                Expect::Value => Expect::Value,
                inner => Expect::Array(Box::new(inner)),
            },
        },
        _ => Expect::Value,
    }
}

/// Calls `f` with the current tuple descriptor of the composite type `typoid` (or of a domain's
/// base composite type), released afterwards.
fn with_row_desc<T>(typoid: Oid, f: impl FnOnce(pg_sys::TupleDesc) -> T) -> T {
    // SAFETY: lookup_rowtype_tupdesc_domain returns a reference-counted descriptor from the type
    // cache (or raises an ERROR for a type that is not composite); it is released after `f`, and
    // an ERROR in `f` releases it with the resource owner.
    unsafe {
        let desc = pg_sys::lookup_rowtype_tupdesc_domain(typoid, -1, false);
        let out = f(desc);
        release(desc);
        out
    }
}

/// ReleaseTupleDesc: only reference-counted descriptors are released.
///
/// # Safety
/// `desc` must be a live tuple descriptor that the caller holds a reference to, if counted.
unsafe fn release(desc: pg_sys::TupleDesc) {
    // SAFETY: the caller's promise.
    unsafe {
        if (*desc).tdrefcount >= 0 {
            pg_sys::DecrTupleDescRefCount(desc);
        }
    }
}

/// A composite Datum as a [`SqlValue::Row`] of its columns, each converted as any value of its type.
///
/// # Safety
/// `datum` must be a non-null composite Datum.
pub unsafe fn to_sql_value(datum: Datum) -> SqlValue {
    // SAFETY: a composite Datum is a (possibly toasted) HeapTupleHeader that names its type and
    // typmod, and its descriptor describes the tuple.
    unsafe {
        let header = pg_sys::pg_detoast_datum(datum.cast_mut_ptr()) as pg_sys::HeapTupleHeader;
        let typid = (*header).t_choice.t_datum.datum_typeid;
        let typmod = (*header).t_choice.t_datum.datum_typmod;
        let desc = pg_sys::lookup_rowtype_tupdesc(typid, typmod);
        let mut tuple = pg_sys::HeapTupleData {
            t_len: pgrx::varsize(header.cast()) as u32,
            t_self: pg_sys::ItemPointerData::default(),
            t_tableOid: pg_sys::InvalidOid,
            t_data: header,
        };
        let row = tuple_to_sql_value(&mut tuple, desc);
        release(desc);
        row
    }
}

/// A tuple as a [`SqlValue::Row`] of its columns that are not dropped (a trigger's row, a
/// composite value).
///
/// # Safety
/// `tuple` must be a live tuple that `desc` describes.
pub unsafe fn tuple_to_sql_value(tuple: pg_sys::HeapTuple, desc: pg_sys::TupleDesc) -> SqlValue {
    // SAFETY: the caller's promise; heap_deform_tuple reads the tuple into `natts` slots.
    unsafe {
        let natts = (*desc).natts as usize;
        let (mut values, mut nulls) = (vec![Datum::from(0); natts], vec![false; natts]);
        pg_sys::heap_deform_tuple(tuple, desc, values.as_mut_ptr(), nulls.as_mut_ptr());
        let members = live_columns(desc)
            .map(|(i, name, typ)| (name.into_owned(), datum::to_sql_value(values[i], nulls[i], typ)))
            .collect();
        SqlValue::Row(members)
    }
}

/// The row a trigger returns for its table (or view) `desc`: the object's members by column
/// name, a key that is not a column being an error; generated columns are left to PostgreSQL,
/// which computes them after BEFORE triggers.
///
/// # Safety
/// `desc` must be a live tuple descriptor. The tuple is palloc'd in the current memory context.
pub unsafe fn trigger_tuple(value: &JsOut, desc: pg_sys::TupleDesc) -> Result<pg_sys::HeapTuple, Mismatch> {
    // SAFETY: the caller's promise.
    unsafe {
        let typoid = (*desc).tdtypeid;
        let JsOut::Row(row) = value else {
            let expected = format!("row of {}: an object with the columns {}", row_label(desc, typoid), names_of(desc));
            return Err(Mismatch::new(&expected, value));
        };
        let (mut values, mut nulls) = values_of(row, desc, OtherKeys::Reject, typoid).map_err(|mut m| {
            if m.column.is_none() {
                m.expected = format!("row of {}", m.expected);
            }
            m
        })?;
        Ok(pg_sys::heap_form_tuple(desc, values.as_mut_ptr(), nulls.as_mut_ptr()))
    }
}

/// A value returned for the composite type `typoid`: an object's members as a row of the type's
/// current columns (a key that is not a column is an error); for a domain over a composite type,
/// the domain's constraints are checked.
pub fn from_js_out(value: &JsOut, typoid: Oid) -> Result<Datum, Mismatch> {
    let JsOut::Row(row) = value else { return Err(Mismatch::new(&datum::type_name(typoid), value)) };
    // A domain's descriptor is its base type's.
    // SAFETY: the descriptor is live inside the closure.
    let (row, is_domain) =
        with_row_desc(typoid, |desc| unsafe { (build(row, desc, OtherKeys::Reject, typoid), (*desc).tdtypeid != typoid) });
    let row = row?;
    if is_domain {
        // SAFETY: domain_check raises the domain's own ERROR when a constraint fails.
        unsafe { pg_sys::domain_check(row, false, typoid, std::ptr::null_mut(), std::ptr::null_mut()) };
    }
    Ok(row)
}

/// Forms the row of `desc` from `row`, each value converted for its column's type.
///
/// # Safety
/// `desc` must be a live tuple descriptor.
unsafe fn build(row: &RowOut, desc: pg_sys::TupleDesc, other_keys: OtherKeys, typoid: Oid) -> Result<Datum, Mismatch> {
    // SAFETY: the caller's promise.
    let (mut values, mut nulls) = unsafe { values_of(row, desc, other_keys, typoid) }?;
    // SAFETY: one value and null flag per attribute of `desc`; the tuple is palloc'd in the
    // current memory context, where results of the call live.
    unsafe {
        let tuple = pg_sys::heap_form_tuple(desc, values.as_mut_ptr(), nulls.as_mut_ptr());
        Ok(pg_sys::HeapTupleHeaderGetDatum((*tuple).t_data))
    }
}

/// The values of one row of a set (set.rs): an object's members by column name, a key that is
/// not a column being an error.
///
/// # Safety
/// `desc` must be a live tuple descriptor.
pub unsafe fn set_row_values(value: &JsOut, desc: pg_sys::TupleDesc) -> Result<(Vec<Datum>, Vec<bool>), Mismatch> {
    // SAFETY: the caller's promise.
    unsafe {
        let JsOut::Row(row) = value else {
            return Err(Mismatch::new(&format!("row: an object with the columns {}", names_of(desc)), value));
        };
        values_of(row, desc, OtherKeys::Reject, pg_sys::RECORDOID)
    }
}

/// One Datum and null flag per attribute of `desc`, from the values `row` read for its shape.
/// The shape is the descriptor's, column for column, unless the row type changed since the shape
/// was made: then each column finds its value by name.
///
/// # Safety
/// `desc` must be a live tuple descriptor.
unsafe fn values_of(row: &RowOut, desc: pg_sys::TupleDesc, other_keys: OtherKeys, typoid: Oid) -> Result<(Vec<Datum>, Vec<bool>), Mismatch> {
    let not_a_column = |key: &str| {
        // SAFETY: the caller's promise.
        let (label, names) = unsafe { (row_label(desc, typoid), names_of(desc)) };
        Mismatch { expected: format!("{label}: its columns are {names}"), got: format!("an object with the key {key:?}"), column: None }
    };
    if let (Some(key), OtherKeys::Reject) = (&row.other_key, other_keys) {
        return Err(not_a_column(key));
    }
    let shape = &row.shape.columns;
    // SAFETY: the caller's promise: `desc` is live.
    let (natts, attrs) = unsafe { ((*desc).natts as usize, pg_version::attributes(desc)) };
    let (mut values, mut nulls) = (vec![Datum::from(0); natts], vec![true; natts]);
    let mut taken = 0;
    let mut at = 0;
    for (i, att) in attrs.iter().enumerate() {
        if att.attisdropped {
            continue;
        }
        // SAFETY: an attribute's name is a NUL-terminated NameData.
        let name = unsafe { CStr::from_ptr(att.attname.data.as_ptr()) }.to_bytes();
        let column = match shape.get(at) {
            Some((shape_name, _)) if shape_name.as_bytes() == name => Some(at),
            _ => shape.iter().position(|(shape_name, _)| shape_name.as_bytes() == name),
        };
        at += 1;
        let Some(value) = column.and_then(|c| row.values[c].as_ref()) else { continue };
        taken += 1;
        if att.attgenerated != 0 {
            continue;
        }
        if let Some(d) = datum::from_js_out(value, att.atttypid).map_err(|m| m.in_column(&String::from_utf8_lossy(name)))? {
            values[i] = d;
            nulls[i] = false;
        }
    }
    // A column of an older shape that the row type no longer has.
    if other_keys == OtherKeys::Reject && taken < row.values.iter().flatten().count() {
        // SAFETY: the caller's promise.
        let is_column = |key: &str| unsafe { live_columns(desc) }.any(|(_, name, _)| name == key);
        let present = shape.iter().zip(&row.values).filter(|(_, value)| value.is_some());
        if let Some(((key, _), _)) = present.into_iter().find(|((key, _), _)| !is_column(key)) {
            return Err(not_a_column(key));
        }
    }
    Ok((values, nulls))
}

/// `a row of point`, or `a record` for an anonymous row type.
///
/// # Safety
/// `desc` must be a live tuple descriptor.
unsafe fn row_label(desc: pg_sys::TupleDesc, typoid: Oid) -> String {
    // SAFETY: the caller's promise.
    let typ = unsafe { (*desc).tdtypeid };
    match typ {
        pg_sys::RECORDOID if typoid == pg_sys::RECORDOID => "record".into(),
        pg_sys::RECORDOID => datum::type_name(typoid),
        t => datum::type_name(t),
    }
}

/// The columns a call of a `RETURNS record` function (without OUT parameters) asks for: its
/// column definition list (`SELECT * FROM f() AS t(a int, b text)`).
///
/// # Safety
/// `fcinfo` must be the live call.
pub unsafe fn call_record_desc(fcinfo: pg_sys::FunctionCallInfo, label: &str, name: &str) -> pg_sys::TupleDesc {
    // SAFETY: the caller's promise; the descriptor is made for this call in the current memory
    // context and blessed so the tuple names its record type.
    unsafe {
        let mut desc = std::ptr::null_mut();
        let class = pg_sys::get_call_result_type(fcinfo, std::ptr::null_mut(), &mut desc);
        if class != pg_sys::TypeFuncClass::TYPEFUNC_COMPOSITE || desc.is_null() {
            crate::error::raise(
                pgrx::PgSqlErrorCode::ERRCODE_SYNTAX_ERROR,
                format!("plts function {label} returns record, but the call gives no columns"),
                None,
                Some(format!("Give a column definition list: SELECT * FROM {name}() AS t(a int, b text).")),
            );
        }
        pg_sys::BlessTupleDesc(desc)
    }
}

/// The result of a `RETURNS record` call: the returned object's members as the row the column
/// definition list describes (a key that is not a column is an error).
///
/// # Safety
/// `desc` must come from [`call_record_desc`] for this call.
pub unsafe fn build_call_record(value: &JsOut, desc: pg_sys::TupleDesc) -> Result<Datum, Mismatch> {
    // SAFETY: the caller's promise.
    unsafe {
        let JsOut::Row(row) = value else {
            return Err(Mismatch::new(&format!("record: an object with the columns {}", names_of(desc)), value));
        };
        build(row, desc, OtherKeys::Reject, pg_sys::RECORDOID)
    }
}

/// The result row of a function with OUT or INOUT parameters (`RETURNS record` made by them):
/// its descriptor, derived from the pg_proc row (so it changes only with it), kept for the
/// backend and registered as a record type.
pub struct OutRecord {
    desc: pg_sys::TupleDesc,
    columns: Columns,
}

impl OutRecord {
    /// The OUT record of function `oid`, when its result is one.
    pub fn of_function(oid: Oid) -> Option<OutRecord> {
        // SAFETY: get_func_result_type reads the pg_proc row; the descriptor it returns is a new
        // one in the current memory context, copied into TopMemoryContext (kept for the backend,
        // like the function cache entry that holds it) and blessed so its tuples name their type.
        unsafe {
            let (mut rettype, mut desc) = (pg_sys::InvalidOid, std::ptr::null_mut());
            let class = pg_sys::get_func_result_type(oid, &mut rettype, &mut desc);
            if class != pg_sys::TypeFuncClass::TYPEFUNC_COMPOSITE || rettype != pg_sys::RECORDOID || desc.is_null() {
                return None;
            }
            let previous = pg_sys::MemoryContextSwitchTo(pg_sys::TopMemoryContext);
            let kept = pg_sys::BlessTupleDesc(pg_sys::CreateTupleDescCopy(desc));
            pg_sys::MemoryContextSwitchTo(previous);
            Some(OutRecord { desc: kept, columns: columns(kept) })
        }
    }

    /// What the handler's result is converted for: an object keyed by the OUT names, or with a
    /// single output parameter its value itself.
    pub fn expect(&self) -> Expect {
        // SAFETY: the descriptor is kept for the backend.
        let shape = unsafe { shape_of(self.desc, 0) };
        if self.is_single() {
            return shape.columns.into_iter().next().map(|(_, expect)| expect).unwrap_or(Expect::Value);
        }
        Expect::Row(shape.into())
    }

    /// One output parameter (a procedure's): the handler returns its value itself.
    fn is_single(&self) -> bool {
        self.columns.len() == 1
    }

    /// The names of the output parameters, for errors.
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|(_, name, _)| name.as_str()).collect()
    }

    /// The result row: the returned object's members by OUT name (other keys ignored), or the
    /// single output parameter's value.
    pub fn build(&self, value: &JsOut) -> Result<Datum, Mismatch> {
        // SAFETY: the descriptor is kept for the backend, and `columns` are its columns.
        unsafe {
            if self.is_single() {
                let (i, name, typ) = &self.columns[0];
                let natts = (*self.desc).natts as usize;
                let (mut values, mut nulls) = (vec![Datum::from(0); natts], vec![true; natts]);
                if let Some(d) = datum::from_js_out(value, *typ).map_err(|m| m.in_column(name))? {
                    values[*i] = d;
                    nulls[*i] = false;
                }
                let tuple = pg_sys::heap_form_tuple(self.desc, values.as_mut_ptr(), nulls.as_mut_ptr());
                return Ok(pg_sys::HeapTupleHeaderGetDatum((*tuple).t_data));
            }
            let JsOut::Row(row) = value else {
                let expected = format!("record of the OUT parameters {}", self.names().join(", "));
                return Err(Mismatch::new(&expected, value));
            };
            build(row, self.desc, OtherKeys::Ignore, pg_sys::RECORDOID)
        }
    }
}
