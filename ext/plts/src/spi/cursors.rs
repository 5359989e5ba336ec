//! Cursors (portals) that stay open across ctx.db statements. The running call's frame lists the
//! ones it opened; `ctx::CallScope` closes what is left when the call ends.

use std::ffi::{CStr, CString};

use pgrx::pg_sys;

use super::exec::{bind, spi_args, Rows};
use super::plans::Prepared;
use super::subxact::in_subtransaction;
use crate::call_frame;
use crate::db_error::DbError;
use crate::values::JsOut;

/// Opens a cursor for a statement; returns its name. It stays open across statements until
/// [`close`], or until the call ends ([`close_all`]).
///
/// A trigger's transition tables are not registered for a cursor: a portal opened with them
/// registered is gone by the next statement, so a cursor over one is refused with what to do.
pub fn open(prepared: &Prepared, params: &[JsOut], read_only: bool) -> Result<String, DbError> {
    let in_transition = call_frame::with(|frame| frame.transition.is_some());
    open_portal(prepared, params, read_only).map_err(|e| {
        let names_tuplestore = e.message.contains("named tuplestore") || e.sqlstate == "42P01";
        if !(in_transition && names_tuplestore) {
            return e;
        }
        DbError::new("0A000", "ctx.db.cursor cannot read a trigger's transition tables")
            .hint("Read them with ctx.db.query (SELECT ... FROM new_table), which sees them.")
    })
}

fn open_portal(prepared: &Prepared, params: &[JsOut], read_only: bool) -> Result<String, DbError> {
    prepared.check_count(params.len())?;
    // SAFETY: inside the subtransaction, which catches SPI's ERRORs; the portal's name is copied
    // before SPI_finish.
    let name = in_subtransaction(|| unsafe {
        let (mut values, nulls) = spi_args(&bind(prepared, params)?);
        pg_sys::SPI_connect();
        let portal = pg_sys::SPI_cursor_open(
            std::ptr::null(),
            prepared.plan,
            values.as_mut_ptr(),
            if nulls.is_empty() { std::ptr::null() } else { nulls.as_ptr() },
            read_only,
        );
        let name = CStr::from_ptr((*portal).name).to_string_lossy().into_owned();
        pg_sys::SPI_finish();
        Ok(name)
    })?;
    call_frame::with_mut(|frame| frame.cursors.push(name.clone()));
    Ok(name)
}

/// The next `count` rows of cursor `name` (fewer at the end, none when exhausted), given to `read`.
pub fn fetch<T>(name: &str, count: i64, read: impl FnOnce(&Rows) -> T) -> Result<T, DbError> {
    let c_name = CString::new(name).map_err(|_| DbError::new("34000", "invalid cursor name"))?;
    // SAFETY: inside the subtransaction, which catches SPI's ERRORs; the rows are read before
    // SPI_finish frees them.
    in_subtransaction(|| unsafe {
        pg_sys::SPI_connect();
        let portal = pg_sys::SPI_cursor_find(c_name.as_ptr());
        if portal.is_null() {
            pg_sys::SPI_finish();
            return Err(DbError::new("34000", format!("cursor {name} is closed")));
        }
        pg_sys::SPI_cursor_fetch(portal, true, count as _);
        let out = read(&Rows::of(pg_sys::SPI_tuptable, pg_sys::SPI_processed));
        pg_sys::SPI_finish();
        Ok(out)
    })
}

/// Closes cursor `name` if it is still open.
pub fn close(name: &str) {
    call_frame::with_mut(|frame| frame.cursors.retain(|n| n != name));
    close_portal(name);
}

/// Closes the cursors of a call that ended.
pub fn close_all(names: &[String]) {
    for name in names {
        close_portal(name);
    }
}

fn close_portal(name: &str) {
    let Ok(c_name) = CString::new(name) else { return };
    // SAFETY: SPI_cursor_find returns null or a live portal, which SPI_cursor_close may close.
    unsafe {
        let portal = pg_sys::SPI_cursor_find(c_name.as_ptr());
        if !portal.is_null() {
            pg_sys::SPI_cursor_close(portal);
        }
    }
}
