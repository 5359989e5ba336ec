//! Set-returning functions (`RETURNS SETOF ...`, `RETURNS TABLE (...)`, `SETOF record` with a
//! column definition list). The handler returns an array or any iterable, or is a generator or
//! async generator; each element becomes a row of a tuplestore as it is produced (materialize
//! mode, which spills past `work_mem`), so a generator's rows never gather in the JS heap. An
//! ERROR mid-stream discards the tuplestore with the query: the caller sees no partial result.

use std::cell::Cell;
use std::ffi::CString;

use pgrx::pg_sys::{self, Datum, Oid};
use pgrx::PgSqlErrorCode;

use crate::ctx::RowSink;
use crate::datum;
use crate::db_error::DbError;
use crate::error::raise;
use crate::function::FunctionInfo;
use crate::row;
use crate::values::{Expect, JsOut};


/// Runs a set-returning call: `run` gets what each element is converted for and the sink of the
/// rows; the tuplestore becomes the call's result.
///
/// # Safety
/// `fcinfo` must be the live call of `info`'s function.
pub unsafe fn materialize(
    fcinfo: pg_sys::FunctionCallInfo,
    info: &FunctionInfo,
    ret_type: Oid,
    run: impl FnOnce(&Expect, RowSink<'_>),
) -> Datum {
    let label = format!("{}.{}", info.schema, info.name);
    // SAFETY: PostgreSQL passes a ReturnSetInfo node to a set-returning function's call where the
    // caller can take a set; its expression context and per-query memory live for the query.
    unsafe {
        let rsinfo = (*fcinfo).resultinfo as *mut pg_sys::ReturnSetInfo;
        let materialize = pg_sys::SetFunctionReturnMode::SFRM_Materialize as i32;
        if rsinfo.is_null() || (*rsinfo).type_ != pg_sys::NodeTag::T_ReturnSetInfo || (*rsinfo).allowedModes & materialize == 0 {
            raise(
                PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED,
                format!("plts function {label} returns a set, but it was called where no set is accepted"),
                None,
                Some("Call it in FROM (SELECT * FROM f()) or in the select list.".into()),
            );
        }
        let mut result_desc = std::ptr::null_mut();
        let class = pg_sys::get_call_result_type(fcinfo, std::ptr::null_mut(), &mut result_desc);
        let previous = pg_sys::MemoryContextSwitchTo((*(*rsinfo).econtext).ecxt_per_query_memory);
        let (desc, expect, scalar) = match class {
            pg_sys::TypeFuncClass::TYPEFUNC_COMPOSITE | pg_sys::TypeFuncClass::TYPEFUNC_COMPOSITE_DOMAIN => {
                let desc = pg_sys::CreateTupleDescCopy(result_desc);
                (desc, Expect::Row(row::shape_of(desc, 0).into()), false)
            }
            pg_sys::TypeFuncClass::TYPEFUNC_SCALAR => {
                let desc = pg_sys::CreateTemplateTupleDesc(1);
                let column = match info.out_names.as_slice() {
                    [one] if !one.is_empty() => one.as_str(),
                    _ => info.name.as_str(),
                };
                let name = CString::new(column).unwrap_or_default();
                pg_sys::TupleDescInitEntry(desc, 1, name.as_ptr(), ret_type, -1, 0);
                let value = row::expect_for(ret_type, 0);
                // One named column (RETURNS TABLE (a int), one OUT parameter): an element is the
                // value, or an object keyed by the column's name, unless an object is a value of
                // the column's type (json, jsonb, a composite).
                let expect = match (&value, info.out_names.as_slice()) {
                    (Expect::Value, [one]) if !one.is_empty() => {
                        Expect::Row(crate::values::RowShape { columns: vec![(one.clone(), value.clone())] }.into())
                    }
                    _ => value,
                };
                (desc, expect, true)
            }
            _ => raise(
                PgSqlErrorCode::ERRCODE_SYNTAX_ERROR,
                format!("plts function {label} returns a set of records, but the call gives no columns"),
                None,
                Some(format!("Give a column definition list: SELECT * FROM {}() AS t(a int, b text).", info.name)),
            ),
        };
        let random = (*rsinfo).allowedModes & pg_sys::SetFunctionReturnMode::SFRM_Materialize_Random as i32 != 0;
        let store = pg_sys::tuplestore_begin_heap(random, false, pg_sys::work_mem);
        pg_sys::MemoryContextSwitchTo(previous);
        // What one row's conversion pallocs is freed with the row: the tuplestore keeps a copy.
        let row_memory = pg_sys::AllocSetContextCreateInternal(
            pg_sys::CurrentMemoryContext,
            c"plts row".as_ptr(),
            pg_sys::ALLOCSET_DEFAULT_MINSIZE as usize,
            pg_sys::ALLOCSET_DEFAULT_INITSIZE as usize,
            pg_sys::ALLOCSET_DEFAULT_MAXSIZE as usize,
        );
        let rows = Cell::new(0u64);
        let sink = |out: JsOut| -> Result<(), DbError> {
            rows.set(rows.get() + 1);
            let previous = pg_sys::MemoryContextSwitchTo(row_memory);
            let as_row = !scalar || matches!(out, JsOut::Row(_));
            let put = put_row(store, desc, &out, scalar, ret_type);
            pg_sys::MemoryContextSwitchTo(previous);
            pg_sys::MemoryContextReset(row_memory);
            put.map_err(|m| {
                DbError::new(
                    "42804",
                    format!(
                        "plts function {label} returned {}{} as row {}, which is not a valid {}",
                        m.got,
                        m.place(),
                        rows.get(),
                        m.expected
                    ),
                )
                .hint(if !as_row {
                    format!("Yield values of type {} (or null for SQL NULL).", m.expected)
                } else {
                    "Yield one object per row, keyed by column name (a missing key is NULL).".to_string()
                })
            })
        };
        run(&expect, &sink);
        pg_sys::MemoryContextDelete(row_memory);
        (*rsinfo).returnMode = pg_sys::SetFunctionReturnMode::SFRM_Materialize;
        (*rsinfo).setResult = store;
        (*rsinfo).setDesc = desc;
        (*fcinfo).isnull = true;
        Datum::from(0)
    }
}

/// Converts one element and appends it to the tuplestore.
///
/// # Safety
/// `store` and `desc` must be the call's live tuplestore and its descriptor.
unsafe fn put_row(
    store: *mut pg_sys::Tuplestorestate,
    desc: pg_sys::TupleDesc,
    out: &JsOut,
    scalar: bool,
    ret_type: Oid,
) -> Result<(), datum::Mismatch> {
    let (mut values, mut nulls) = if scalar && matches!(out, JsOut::Row(_)) {
        // One named column, given as an object keyed by its name.
        // SAFETY: the caller's promise.
        unsafe { row::set_row_values(out, desc) }?
    } else if scalar {
        let value = datum::from_js_out(out, ret_type)?;
        (vec![value.unwrap_or(Datum::from(0))], vec![value.is_none()])
    } else if *out == JsOut::Null {
        // SAFETY: the caller's promise.
        let natts = unsafe { (*desc).natts } as usize;
        (vec![Datum::from(0); natts], vec![true; natts])
    } else {
        // SAFETY: the caller's promise.
        unsafe { row::set_row_values(out, desc) }?
    };
    // SAFETY: one value and null flag per attribute of `desc`; the tuplestore copies the row.
    unsafe { pg_sys::tuplestore_putvalues(store, desc, values.as_mut_ptr(), nulls.as_mut_ptr()) };
    Ok(())
}
