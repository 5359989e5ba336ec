//! The native side of `intl.js`: time zones, from PostgreSQL's own time zone database (the one
//! `timestamptz` output uses), so `Intl.DateTimeFormat` knows every zone `SET TimeZone` knows.

use std::ffi::{CStr, CString};

use pgrx::pg_sys;

/// A zone at one instant: its offset from UTC, its abbreviation there (`EST`, `CET`, `+03`) and
/// its name (`America/New_York`).
pub struct ZoneAt {
    pub offset_seconds: i64,
    pub abbreviation: String,
    pub name: String,
}

/// The zone `name` (the session's `TimeZone` when `None`) at `epoch_ms`; an unknown name is an
/// error naming it.
pub fn zone_at(name: Option<&str>, epoch_ms: f64) -> Result<ZoneAt, String> {
    let unknown = |n: &str| format!("Invalid time zone specified: {n}");
    let zone = match name {
        None => {
            // SAFETY: session_timezone is set by PostgreSQL before any query runs.
            unsafe { pg_sys::session_timezone }
        }
        Some(n) => {
            let c = CString::new(n).map_err(|_| unknown(n))?;
            // SAFETY: `c` is NUL-terminated; pg_tzset returns NULL for a name it cannot load, and
            // the zones it returns live in its cache for the backend's life.
            unsafe { pg_sys::pg_tzset(c.as_ptr()) }
        }
    };
    if zone.is_null() {
        return Err(unknown(name.unwrap_or("(the session's TimeZone)")));
    }
    let seconds = (epoch_ms / 1000.0).floor() as pg_sys::pg_time_t;
    // SAFETY: `zone` is a live pg_tz; pg_localtime returns a pointer to a static struct (or NULL
    // for an instant it cannot represent) that is read at once, before anything else calls it.
    unsafe {
        let tm = pg_sys::pg_localtime(&seconds, zone);
        if tm.is_null() {
            return Err(format!("the instant {epoch_ms} is outside the range of time zone data"));
        }
        let text = |p: *const std::ffi::c_char| if p.is_null() { String::new() } else { CStr::from_ptr(p).to_string_lossy().into_owned() };
        Ok(ZoneAt {
            offset_seconds: (*tm).tm_gmtoff as i64,
            abbreviation: text((*tm).tm_zone),
            name: text(pg_sys::pg_get_timezone_name(zone)),
        })
    }
}
