//! The server APIs that differ between the PostgreSQL majors plts builds for (15, 17, 18), each
//! behind one function, so that no other module needs a `cfg`. The features `pg15` ... `pg18`
//! (one per build, chosen by `cargo pgrx` from `pg_config`) select the variant.

use pgrx::pg_sys::{self, Oid};

/// Whether `role` may EXECUTE the function `function`.
///
/// PostgreSQL 16 folded the per-catalog checks (`pg_proc_aclcheck`, ...) into `object_aclcheck`.
pub fn may_execute(function: Oid, role: Oid) -> bool {
    let mode = pg_sys::ACL_EXECUTE as pg_sys::AclMode;
    // SAFETY: an ACL check reads the catalog; a function that does not exist raises the usual ERROR.
    #[cfg(any(feature = "pg13", feature = "pg14", feature = "pg15"))]
    let result = unsafe { pg_sys::pg_proc_aclcheck(function, role, mode) };
    // SAFETY: as above.
    #[cfg(not(any(feature = "pg13", feature = "pg14", feature = "pg15")))]
    let result = unsafe { pg_sys::object_aclcheck(pg_sys::ProcedureRelationId, function, role, mode) };
    result == pg_sys::AclResult::ACLCHECK_OK
}

/// The attributes (`pg_attribute` rows) of a tuple descriptor, dropped ones included.
///
/// PostgreSQL 18 put an array of `CompactAttribute` first and moved the full attributes behind
/// it, where its `TupleDescAttr` finds them: this reads them from the same address, without a
/// call per attribute.
///
/// # Safety
/// `desc` must be a live tuple descriptor, alive for `'a`.
pub unsafe fn attributes<'a>(desc: pg_sys::TupleDesc) -> &'a [pg_sys::FormData_pg_attribute] {
    // SAFETY: the caller's promise; `natts` attributes follow the descriptor's header (before 18)
    // or its `natts` compact attributes (18).
    unsafe {
        let natts = (*desc).natts as usize;
        #[cfg(not(feature = "pg18"))]
        let first = (*desc).attrs.as_ptr();
        #[cfg(feature = "pg18")]
        let first = (*desc).compact_attrs.as_ptr().add(natts).cast::<pg_sys::FormData_pg_attribute>();
        std::slice::from_raw_parts(first, natts)
    }
}

/// The xmin of a heap tuple as stored, frozen or not (`HeapTupleHeaderGetRawXmin`, a macro up to
/// 17 and an inline function in 18).
///
/// # Safety
/// `header` must point to a live heap tuple header.
pub unsafe fn raw_xmin(header: pg_sys::HeapTupleHeader) -> pg_sys::TransactionId {
    // SAFETY: the caller's promise; a heap tuple's header holds t_heap in every major.
    unsafe { (*header).t_choice.t_heap.t_xmin }
}
