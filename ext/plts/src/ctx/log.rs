//! The native side of `ctx.log`: a message at one of PostgreSQL's levels.

/// Reports `message` at `level`: 0 DEBUG1, 1 INFO, 2 NOTICE, anything else WARNING.
pub fn log(level: i32, message: &str) {
    match level {
        0 => pgrx::debug1!("{message}"),
        1 => pgrx::info!("{message}"),
        2 => pgrx::notice!("{message}"),
        _ => pgrx::warning!("{message}"),
    }
}
