//! The native side of `ctx.window`, engine-neutral: PostgreSQL's window API for the running
//! WINDOW function's call, as C window functions and pljs have it. Positions are 0-based within
//! the partition; an argument read outside the partition or frame is `None`.

use pgrx::pg_sys;

use crate::call_frame::{self, Window};
use crate::datum;
use crate::db_error::DbError;
use crate::ffi;
use crate::values::SqlValue;

/// Where an argument is read: the current row, or a row of the partition or frame.
#[derive(Clone, Copy)]
pub enum ArgFrom {
    Current,
    Partition,
    Frame,
}

/// The running call's window, or the error for a call that is not a WINDOW function's.
fn window() -> Result<Window, DbError> {
    call_frame::with(|frame| frame.window).ok_or_else(|| {
        DbError::new("0A000", "ctx.window is only available in a WINDOW function")
            .hint("Declare the function with CREATE FUNCTION ... WINDOW and call it with OVER (...).")
    })
}

/// Runs a window API call under pgrx's guard: an ERROR it raises (a position before the mark)
/// ends the call instead of jumping over the engine's frames.
fn guarded<T>(f: impl FnOnce() -> T) -> T {
    // SAFETY: the guard turns a longjmp out of `f` into a Rust panic, which the engine's native
    // boundary catches and resumes after the handler returns.
    unsafe { pg_sys::ffi::pg_guard_ffi_boundary(f) }
}

/// The current row's position in its partition.
pub fn position() -> Result<f64, DbError> {
    let w = window()?;
    // SAFETY: the running call's WindowObject.
    Ok(guarded(|| unsafe { ffi::WinGetCurrentPosition(w.object) }) as f64)
}

/// The number of rows in the current partition.
pub fn partition_row_count() -> Result<f64, DbError> {
    let w = window()?;
    // SAFETY: the running call's WindowObject.
    Ok(guarded(|| unsafe { ffi::WinGetPartitionRowCount(w.object) }) as f64)
}

/// Lets PostgreSQL forget the rows before `position`.
pub fn set_mark_position(position: f64) -> Result<(), DbError> {
    let w = window()?;
    // SAFETY: the running call's WindowObject; an invalid position raises an ERROR (guarded).
    guarded(|| unsafe { ffi::WinSetMarkPosition(w.object, position as i64) });
    Ok(())
}

/// Whether the rows at two positions are peers under the window's ORDER BY.
pub fn rows_are_peers(a: f64, b: f64) -> Result<bool, DbError> {
    let w = window()?;
    // SAFETY: the running call's WindowObject; positions out of the partition raise an ERROR (guarded).
    Ok(guarded(|| unsafe { ffi::WinRowsArePeers(w.object, a as i64, b as i64) }))
}

/// An id of the current partition, unique in the backend: the same for every row of one
/// partition, kept in the partition's local memory.
pub fn partition_id() -> Result<f64, DbError> {
    static NEXT: crate::backend::BackendLocal<std::cell::Cell<u64>> = crate::backend::BackendLocal::new(std::cell::Cell::new(0));
    let w = window()?;
    // SAFETY: the running call's WindowObject; the local memory is 8 zeroed bytes at a partition's
    // first request, kept for the partition.
    let slot = guarded(|| unsafe { ffi::WinGetPartitionLocalMemory(w.object, std::mem::size_of::<u64>()) }).cast::<u64>();
    // SAFETY: `slot` points at the partition's 8 bytes, suitably aligned (palloc'd).
    unsafe {
        if *slot == 0 {
            NEXT.with(|next| next.set(next.get() + 1));
            *slot = NEXT.with(|next| next.get());
        }
        Ok(*slot as f64)
    }
}

/// Argument `argno` (0-based) of a row: the current one, or the row `relpos` from `seek` (0 the
/// current row, 1 the partition's or frame's first, 2 its last) in the partition or frame; `None`
/// when that row is outside it.
pub fn arg(from: ArgFrom, argno: i32, relpos: i32, seek: i32, set_mark: bool) -> Result<Option<SqlValue>, DbError> {
    let w = window()?;
    // SAFETY: the frame's argument types are held by the running call, which outlives its frame.
    let types = unsafe { &*w.arg_types };
    let Some(&typ) = usize::try_from(argno).ok().and_then(|i| types.get(i)) else {
        return Err(DbError::new("22023", format!("ctx.window: argument {argno} does not exist; the function has {}", types.len())));
    };
    if !matches!(seek, ffi::WINDOW_SEEK_CURRENT | ffi::WINDOW_SEEK_HEAD | ffi::WINDOW_SEEK_TAIL) {
        return Err(DbError::new("22023", "ctx.window: seek must be \"current\", \"head\" or \"tail\""));
    }
    let (mut is_null, mut is_out) = (false, false);
    // SAFETY: the running call's WindowObject, an argument it has, a valid seek type; the flags
    // are written by the call.
    let datum = guarded(|| unsafe {
        match from {
            ArgFrom::Current => ffi::WinGetFuncArgCurrent(w.object, argno, &mut is_null),
            ArgFrom::Partition => ffi::WinGetFuncArgInPartition(w.object, argno, relpos, seek, set_mark, &mut is_null, &mut is_out),
            ArgFrom::Frame => ffi::WinGetFuncArgInFrame(w.object, argno, relpos, seek, set_mark, &mut is_null, &mut is_out),
        }
    });
    Ok((!is_out).then(|| datum::to_sql_value(datum, is_null, typ)))
}

/// The current row's argument `i`, for the handler's positional arguments.
///
/// # Safety
/// `window` must be the running WINDOW call's, with at least `i + 1` arguments.
pub unsafe fn current_arg(window: Window, i: usize) -> SqlValue {
    // SAFETY: the caller's promise; the types are the function's.
    unsafe {
        let mut is_null = false;
        let datum = guarded(|| ffi::WinGetFuncArgCurrent(window.object, i as i32, &mut is_null));
        datum::to_sql_value(datum, is_null, (&*window.arg_types)[i])
    }
}
