//! SQL for `ctx.db` through SPI. Each statement runs in an internal subtransaction of the
//! caller's transaction, so a failing statement rolls back alone and becomes a JS error instead of
//! ending the call (as PL/Python and plv8 do).
//!
//! - [`subxact`]: the subtransaction and scratch memory around each statement, and the caught error;
//! - [`plans`]: prepared statements, with the parameter types the server infers, in a bounded cache;
//! - [`exec`]: binding parameters, executing, and the result rows where SPI left them;
//! - [`cursors`]: portals that stay open across statements;
//! - [`blocks`]: `ctx.db.transaction` blocks.

pub mod blocks;
pub mod cursors;
pub mod exec;
pub mod plans;
pub mod subxact;

pub use exec::{run, ExecOptions, Executed, Rows};
pub use plans::{prepare, Prepared};
