//! Composite values (rows) on the Datum side, both ways: a composite Datum becomes a
//! [`SqlValue::Row`] (arguments, `ctx.db` columns), and the members of a returned object
//! ([`JsOut::Record`]) become a row of a tuple descriptor, matched to its columns by name. A
//! missing key is NULL; a key that is not a column is an error that lists the columns, except in
//! a record of OUT parameters, where extra keys are ignored (as plv8 does).

use std::borrow::Cow;
use std::ffi::CStr;

use pgrx::pg_sys::{self, Datum, Oid};

use crate::datum::{self, Mismatch};
use crate::pg_version;
use crate::values::{Expect, JsOut, RowShape, SqlValue};

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
            Expect::Row(unsafe { shape_of(desc, depth) })
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
        let JsOut::Record(members) = value else {
            let expected = format!("row of {}: an object with the columns {}", row_label(desc, typoid), names_of(desc));
            return Err(Mismatch::new(&expected, value));
        };
        let (mut values, mut nulls) = values_of(members, desc, OtherKeys::Reject, typoid).map_err(|mut m| {
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
    let JsOut::Record(members) = value else { return Err(Mismatch::new(&datum::type_name(typoid), value)) };
    // A domain's descriptor is its base type's.
    // SAFETY: the descriptor is live inside the closure.
    let (row, is_domain) =
        with_row_desc(typoid, |desc| unsafe { (build(members, desc, OtherKeys::Reject, typoid), (*desc).tdtypeid != typoid) });
    let row = row?;
    if is_domain {
        // SAFETY: domain_check raises the domain's own ERROR when a constraint fails.
        unsafe { pg_sys::domain_check(row, false, typoid, std::ptr::null_mut(), std::ptr::null_mut()) };
    }
    Ok(row)
}

/// Forms the row of `desc` from `members`, each converted for its column's type.
///
/// # Safety
/// `desc` must be a live tuple descriptor.
unsafe fn build(members: &[(String, JsOut)], desc: pg_sys::TupleDesc, other_keys: OtherKeys, typoid: Oid) -> Result<Datum, Mismatch> {
    // SAFETY: the caller's promise.
    let (mut values, mut nulls) = unsafe { values_of(members, desc, other_keys, typoid) }?;
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
        let JsOut::Record(members) = value else {
            return Err(Mismatch::new(&format!("row: an object with the columns {}", names_of(desc)), value));
        };
        values_of(members, desc, OtherKeys::Reject, pg_sys::RECORDOID)
    }
}

/// One Datum and null flag per attribute of `desc`, from `members` matched to the columns by name.
///
/// # Safety
/// `desc` must be a live tuple descriptor.
unsafe fn values_of(
    members: &[(String, JsOut)],
    desc: pg_sys::TupleDesc,
    other_keys: OtherKeys,
    typoid: Oid,
) -> Result<(Vec<Datum>, Vec<bool>), Mismatch> {
    // SAFETY: the caller's promise: `desc` is live, and so are the names borrowed from it.
    unsafe {
        if other_keys == OtherKeys::Reject {
            let is_column = |key: &str| live_columns(desc).any(|(_, name, _)| name == key);
            if let Some((key, _)) = members.iter().find(|(key, _)| !is_column(key)) {
                return Err(Mismatch {
                    expected: format!("{}: its columns are {}", row_label(desc, typoid), names_of(desc)),
                    got: format!("an object with the key {key:?}"),
                    column: None,
                });
            }
        }
        let natts = (*desc).natts as usize;
        let (mut values, mut nulls) = (vec![Datum::from(0); natts], vec![true; natts]);
        let attrs = pg_version::attributes(desc);
        for (i, name, typ) in live_columns(desc) {
            if attrs[i].attgenerated != 0 {
                continue;
            }
            let Some((_, value)) = members.iter().find(|(key, _)| *key == name) else { continue };
            if let Some(d) = datum::from_js_out(value, typ).map_err(|m| m.in_column(&name))? {
                values[i] = d;
                nulls[i] = false;
            }
        }
        Ok((values, nulls))
    }
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
        let JsOut::Record(members) = value else {
            return Err(Mismatch::new(&format!("record: an object with the columns {}", names_of(desc)), value));
        };
        build(members, desc, OtherKeys::Reject, pg_sys::RECORDOID)
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
        Expect::Row(shape)
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
                let member = [(self.columns[0].1.clone(), value.clone())];
                return build(&member, self.desc, OtherKeys::Ignore, pg_sys::RECORDOID);
            }
            let JsOut::Record(members) = value else {
                let expected = format!("record of the OUT parameters {}", self.names().join(", "));
                return Err(Mismatch::new(&expected, value));
            };
            build(members, self.desc, OtherKeys::Ignore, pg_sys::RECORDOID)
        }
    }
}
