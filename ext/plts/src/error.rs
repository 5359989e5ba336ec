//! Errors of plts and their SQLSTATEs, converted to PostgreSQL errors in one place.

use std::cell::UnsafeCell;

use pgrx::pg_sys;
use pgrx::{PgLogLevel, PgSqlErrorCode};

use crate::backend::BackendLocal;

use crate::call_frame::StopReason;
use crate::ctx::{JsError, JsErrorKind};

/// Raises `js` as a PostgreSQL ERROR. Cancels and statement_timeout surface as PostgreSQL's
/// own errors (raised by CHECK_FOR_INTERRUPTS, now that control is back in Rust).
pub fn raise_js(js: JsError) -> ! {
    if js.kind == JsErrorKind::Interrupted {
        match js.stopped() {
            Some(StopReason::Deadline(ms)) => raise(
                PgSqlErrorCode::ERRCODE_QUERY_CANCELED,
                format!("plts function ran longer than plts.max_runtime_ms ({ms} ms)"),
                None,
                Some("Make the function do less work per call, or raise plts.max_runtime_ms.".into()),
            ),
            _ => {
                pgrx::check_for_interrupts!();
                raise(PgSqlErrorCode::ERRCODE_QUERY_CANCELED, "canceling statement due to user request".into(), None, None)
            }
        }
    }
    if let Some(pg) = js.pg.map(|pg| *pg) {
        // An uncaught ctx.db error keeps the statement's own SQLSTATE and fields.
        let code = sqlstate_code(&pg.sqlstate);
        raise(code, pg.message, pg.detail.or(js.stack), pg.hint)
    }
    let (code, hint) = match js.kind {
        JsErrorKind::OutOfMemory => (
            PgSqlErrorCode::ERRCODE_OUT_OF_MEMORY,
            Some("The JavaScript heap reached plts.max_heap_mb.".to_string()),
        ),
        JsErrorKind::StackOverflow => (
            PgSqlErrorCode::ERRCODE_STATEMENT_TOO_COMPLEX,
            Some("Recursion went too deep: JS shares PostgreSQL's max_stack_depth with the SQL and plts calls around it.".into()),
        ),
        JsErrorKind::NoEntryPoint => (PgSqlErrorCode::ERRCODE_INVALID_FUNCTION_DEFINITION, None),
        _ => (PgSqlErrorCode::ERRCODE_RAISE_EXCEPTION, missing_api_hint(&js.message)),
    };
    raise(code, js.message, js.stack, hint)
}

/// Why a web or Deno API a library reached for is not there: plts runs inside a query, with no
/// timers, network or files.
fn missing_api_hint(message: &str) -> Option<String> {
    let name = message.strip_prefix("ReferenceError: ")?.strip_suffix(" is not defined")?;
    let why = match name {
        "setTimeout" | "setInterval" | "clearTimeout" | "clearInterval" | "setImmediate" => {
            "plts has no timers: a function runs inside a query, which waits for no event"
        }
        "fetch" | "Request" | "Response" | "Headers" | "WebSocket" | "XMLHttpRequest" | "EventSource" => {
            "plts has no network access: a function runs inside a query and reaches data through ctx.db"
        }
        "Deno" | "process" | "require" | "Buffer" | "module" | "__dirname" | "__filename" => {
            "plts runs in PostgreSQL, not in Deno or Node: there is no process, file or module-loading API"
        }
        "window" | "document" | "navigator" | "location" | "localStorage" | "sessionStorage" => {
            "plts runs in PostgreSQL, not in a browser: there is no page, window or storage"
        }
        _ => return None,
    };
    Some(format!("{name} is not available: {why}."))
}

/// `"23505"` → the PostgreSQL error code (MAKE_SQLSTATE).
fn sqlstate_code(sqlstate: &str) -> PgSqlErrorCode {
    let code = sqlstate
        .bytes()
        .take(5)
        .enumerate()
        .fold(0i32, |acc, (i, c)| acc + ((i32::from(c.wrapping_sub(b'0')) & 0x3F) << (6 * i)));
    PgSqlErrorCode::from(code)
}

pub fn raise(code: PgSqlErrorCode, message: String, detail: Option<String>, hint: Option<String>) -> ! {
    let mut report = pgrx::pg_sys::panic::ErrorReport::new(code, message, "plts");
    if let Some(d) = detail {
        report = report.set_detail(d);
    }
    if let Some(h) = hint {
        report = report.set_hint(h);
    }
    report.report(PgLogLevel::ERROR);
    unreachable!("ERROR does not return")
}

/// The CONTEXT line of errors raised while a plts function runs: `plts function public.add(16384)`.
///
/// The callback and its text live in a slot per nesting level, kept for the backend, not on the Rust stack: an
/// ERROR unwinds the Rust frames before PostgreSQL reads the context stack. (Kept slots also
/// spare each call a pstrdup and two pallocs.) PostgreSQL restores `error_context_stack` itself
/// when it recovers from the error.
pub struct ErrorContext {
    callback: *mut pg_sys::ErrorContextCallback,
}

/// `plts function <schema>.<name>(<oid>)` fits: names are at most 63 bytes.
const TEXT_BYTES: usize = 256;

struct Slot {
    callback: pg_sys::ErrorContextCallback,
    text: [u8; TEXT_BYTES],
}

const EMPTY_SLOT: Slot = Slot {
    callback: pg_sys::ErrorContextCallback { previous: std::ptr::null_mut(), callback: None, arg: std::ptr::null_mut() },
    text: [0; TEXT_BYTES],
};

/// One slot per nesting depth, made when a call first nests that deep and kept for the backend.
/// Boxed, so that a slot stays where the context stack points when the list grows.
#[allow(clippy::vec_box)] // the boxes give the slots addresses that do not move
static CONTEXT_SLOTS: BackendLocal<UnsafeCell<Vec<Box<Slot>>>> = BackendLocal::new(UnsafeCell::new(Vec::new()));

impl ErrorContext {
    /// Pushes the context line of a call made at nesting depth `depth` (0: from SQL outside plts).
    pub fn push(text: &std::ffi::CStr, depth: usize) -> Self {
        // SAFETY: one thread; the slot of a depth is written only by the call at that depth,
        // while no deeper call (which would use the next slot) runs.
        let slots = unsafe { CONTEXT_SLOTS.with(|slots| &mut *slots.get()) };
        while slots.len() <= depth {
            slots.push(Box::new(EMPTY_SLOT));
        }
        let slot = &mut *slots[depth];
        let bytes = text.to_bytes();
        let mut len = bytes.len().min(TEXT_BYTES - 1);
        // Cut a longer text at a character boundary (UTF-8 continuation bytes are 0b10xxxxxx).
        while len < bytes.len() && len > 0 && bytes[len] & 0xC0 == 0x80 {
            len -= 1;
        }
        slot.text[..len].copy_from_slice(&bytes[..len]);
        slot.text[len] = 0;
        slot.callback.callback = Some(context_callback);
        slot.callback.arg = slot.text.as_mut_ptr().cast();
        // SAFETY: the slot is never freed, so the callback outlives its place on the context stack.
        unsafe {
            slot.callback.previous = pg_sys::error_context_stack;
            pg_sys::error_context_stack = &raw mut slot.callback;
        }
        Self { callback: &raw mut slot.callback }
    }

    /// Removes the callback after a successful call.
    pub fn pop(self) {
        // SAFETY: `callback` points into a slot that is never freed; only the stack's head is unlinked.
        unsafe {
            if pg_sys::error_context_stack == self.callback {
                pg_sys::error_context_stack = (*self.callback).previous;
            }
        }
    }
}

unsafe extern "C-unwind" fn context_callback(text: *mut std::ffi::c_void) {
    // SAFETY: `text` is the NUL-terminated text of a slot (ErrorContext::push), passed
    // through the "%s" format.
    unsafe {
        crate::ffi::errcontext_msg(c"%s".as_ptr(), text as *const std::ffi::c_char);
    }
}
