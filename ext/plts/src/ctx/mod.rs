//! The `ctx` API of plts functions, and the boundary between plts and its JavaScript engine.
//!
//! Everything a handler reaches through `ctx` — `ctx.db`, `ctx.log`, `ctx.now` — is defined here
//! without naming an engine: the JavaScript side in `prelude.js`, the native side in [`db`] and
//! [`log`]. An engine (QuickJS in `engine/`) plugs in through two surfaces:
//!
//! - **What plts asks of the engine**: the [`Engine`] trait. One call runs a [`Program`] for an
//!   [`Invocation`] under [`Limits`], which takes four steps, all the engine's own:
//!   1. *create a context* for the calling role on first use (one per role, so no role sees
//!      another's globals; a fresh one for each DO block), with `prelude.js` evaluated over the
//!      natives below; it returns `{ context, empty }`, and `context` is the prototype of every ctx;
//!   2. *load the module* once per context (its `module_name` keys it), top-level await settled, and
//!      find its default export;
//!   3. *call the entry* with `ctx` (`{ args }` on a prototype holding `fn`, inheriting `context`)
//!      and the SQL arguments, then settle a returned promise by running the job queue;
//!   4. *convert values*: each [`SqlValue`] argument into JS, and the result into [`JsOut`] (JSON
//!      for json/jsonb results, members for rows), by the mapping of `docs/RUNTIME-CONTRACT.md`;
//!      for a set-returning call, each element of the returned iterable, handed to
//!      [`Invocation::rows`] as it is produced.
//!
//!   Failures come back as [`JsError`], with TypeScript positions in their stacks.
//! - **What the engine offers `prelude.js`**: an object `native` of plain functions, each a thin
//!   binding of one function here: `run` and `open` ([`db::prepare`] then [`db::run`] or
//!   [`db::open`], rows read with [`Rows::cell`]), `fetch` ([`db::fetch`]), `close`, `begin`, `end`,
//!   `endTransaction` ([`db::end_transaction`]), `fnResolve` and `fnCall` ([`functions::resolve`],
//!   [`functions::target`] then [`functions::call`]), `log` ([`log::log`]), `now` ([`now_ms`]), the
//!   `win*` functions of `ctx.window` ([`window`]), and for `web.js` (evaluated by `web` at the
//!   first use of console, TextEncoder, crypto, ...) `randomBytes` ([`random_bytes`]) and the
//!   `url*`, `form*`, `digest` and `hmac*` functions of [`web`]; for `intl.js` (evaluated by
//!   `intl` at the first use of `Intl` or a `toLocaleString`) `zoneAt` ([`intl`]). A [`DbError`]
//!   becomes a thrown `PostgresError`.
//!
//! So a second engine implements [`Engine`] and binds those natives; nothing in `spi`, `datum` or
//! `handler` changes. [`CallScope`] is the other half of a call: the call frame around it.

pub mod db;
pub mod functions;
pub mod intl;
pub mod log;
pub mod web;
pub mod window;

use crate::call_frame::{self, Limits, StopReason};
use crate::db_error::DbError;
use crate::values::{Expect, JsOut, SqlValue};

pub use crate::program::Program;
pub use crate::spi::Rows;

/// The JavaScript half of the ctx API, evaluated once per context over the engine's `native` object.
pub const PRELUDE: &str = include_str!("prelude.js");
// web.js, the web-platform APIs without I/O (console, TextEncoder, crypto, ...), is compiled to
// bytecode by build.rs; the engine evaluates it in a context at their first use (prelude.js
// installs them lazily).

/// A JavaScript engine that runs plts programs (see the module doc for the four steps of a call).
pub trait Engine {
    /// Runs `program`'s default export for `call`, inside the running call's frame; returns the
    /// result converted for the declared type.
    fn call(program: &Program, call: &Invocation<'_>, limits: &Limits) -> Result<JsOut, JsError>;

    /// Lets go of what was kept for `program`, which no cached function runs now (its function
    /// was replaced). `may_return`: a function may point at it again (a stored artifact, which a
    /// rollback brings back), so its evaluated module is worth keeping for a while.
    fn forget(program: &Program, may_return: bool);

    /// `program` runs again after [`Engine::forget`] (a function points at it once more).
    fn revive(program: &Program);
}

/// Everything one call needs besides the program and the call frame.
pub struct Invocation<'a> {
    pub role: u32,
    /// SQL names of the arguments (`None` for unnamed ones), by position.
    pub arg_names: &'a [Option<String>],
    /// Argument values, by position.
    pub args: &'a [SqlValue],
    /// `(args jsonb) returns jsonb` functions get the decoded value itself as `ctx.args`.
    pub args_is_value: bool,
    pub fn_oid: u32,
    pub fn_schema: &'a str,
    pub fn_name: &'a str,
    /// What the result is converted for: JSON (declared json/jsonb), a row (a composite type, OUT
    /// parameters), or a value.
    pub result: &'a Expect,
    /// DO blocks run the module body and call a default export only if there is one.
    pub entry_required: bool,
    /// Run once and forget (DO blocks): the entry is not kept for reuse.
    pub ephemeral: bool,
    /// Only load the module and say what its default export is (`plts.check_function`): the
    /// result is `query`, `mutation` or `function`, and nothing is called.
    pub load_only: bool,
    /// A set-returning call: the handler's array, iterable, generator or async generator is
    /// walked, and each element, converted for `result`, goes to this sink as it is produced.
    pub rows: Option<RowSink<'a>>,
    /// Members of ctx besides `args` that this kind of call has: `trigger` for a trigger,
    /// `event` for an event trigger.
    pub ctx_members: &'a [(&'static str, SqlValue)],
    /// Runs in a context the engine creates for this call, before the call.
    pub start: Option<&'a dyn ContextStart>,
}

/// `len` bytes from PostgreSQL's strong random source (`pg_strong_random`), for `crypto`.
pub fn random_bytes(len: usize) -> Result<Vec<u8>, DbError> {
    let mut bytes = vec![0u8; len];
    // SAFETY: pg_strong_random writes `len` bytes into the buffer it is given, which has them.
    let filled = len == 0 || unsafe { pgrx::pg_sys::pg_strong_random(bytes.as_mut_ptr().cast(), len) };
    if !filled {
        return Err(DbError::new("XX000", "could not generate random values (pg_strong_random failed)"));
    }
    Ok(bytes)
}

/// What runs once when the engine creates a context, before the context's first call
/// (`plts.start_proc`).
pub trait ContextStart {
    /// Calls `run` with the program to start a context with, when one is set and may run; says
    /// why not otherwise, and reports what `run` returns.
    fn with_program(&self, run: &mut dyn FnMut(&Program) -> Result<(), JsError>);
}

/// Where a set-returning call's rows go (set.rs): one converted element at a time; an error
/// (a row that does not fit) ends the call with it.
pub type RowSink<'a> = &'a dyn Fn(JsOut) -> Result<(), DbError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsErrorKind {
    /// An exception thrown by the script.
    Thrown,
    /// The script was stopped (cancel, statement_timeout, plts.max_runtime_ms): see `stopped`.
    Interrupted,
    OutOfMemory,
    StackOverflow,
    /// The handler returned a promise that can never settle (no pending jobs are left).
    NeverSettled,
    /// The module has no callable default export.
    NoEntryPoint,
}

#[derive(Debug, Clone)]
pub struct JsError {
    pub kind: JsErrorKind,
    /// `TypeError: x is not a function`, or the thrown value's description.
    pub message: String,
    /// JS stack with positions in TypeScript lines of the function body, when known.
    pub stack: Option<String>,
    /// Set when the exception names a SQLSTATE (a ctx.db `PostgresError` nobody caught, the
    /// runtime's `ValidationError`): the call then fails with that SQLSTATE, message, detail, hint.
    /// Boxed: errors are returned by value on every path, and most have none.
    pub pg: Option<Box<DbError>>,
}

impl JsError {
    pub fn new(kind: JsErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), stack: None, pg: None }
    }

    /// Why an interrupted script was stopped.
    pub fn stopped(&self) -> Option<StopReason> {
        (self.kind == JsErrorKind::Interrupted).then(call_frame::stop_reason).flatten()
    }
}

/// `ctx.now`'s clock: the transaction start of the running call, in ms since the Unix epoch.
#[inline]
pub fn now_ms() -> f64 {
    call_frame::with(|frame| frame.now_ms)
}

/// A running call: its frame pushed, and its cursors and transaction blocks cleaned up when it
/// ends. On an ERROR the frame is popped as well, and the (sub)transaction abort closes the
/// cursors and ends the blocks.
pub struct CallScope {
    frame: call_frame::Pushed,
}

impl CallScope {
    /// Enters a call, one level deeper than the running one (past `max_stack_depth`, the ERROR
    /// of [`call_frame::push`]).
    #[inline]
    pub fn enter(entry: call_frame::Entry) -> CallScope {
        CallScope { frame: call_frame::push(entry) }
    }

    /// Ends the call: closes the cursors it left open and rolls back its open transaction blocks,
    /// then pops its frame.
    #[inline]
    pub fn exit(self) {
        if let Some((cursors, blocks)) = self.frame.take_left_open() {
            crate::spi::cursors::close_all(&cursors);
            crate::spi::blocks::abandon(blocks);
        }
    }
}
