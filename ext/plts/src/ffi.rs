//! The C functions plts declares by hand; everything else comes from `pgrx::pg_sys` and
//! `rquickjs::qjs`.
//!
//! - **Variadic server functions.** bindgen leaves C variadics out of `pg_sys`; `errcontext_msg`
//!   is part of the server's ABI (elog.h) all the same.
//! - **Unguarded reads.** `pg_sys` wraps every function in pgrx's guard, a `sigsetjmp` that turns
//!   a PostgreSQL ERROR into a Rust panic. For a function that only reads a backend global and
//!   cannot raise an ERROR, the guard costs more than the call itself, on every plts call. They
//!   are declared `safe`: they have no precondition. The stack base pair is unguarded for the
//!   same reason (they cannot raise), but not `safe`: a wrong base breaks the server's checks.
//! - **Headers pgrx does not bind.** `parser/parse_param.h` is not among pgrx's headers; its
//!   setup of variable parameters is what `parse_analyze_varparams` uses, and plts wraps it to
//!   see how each parameter's type was decided (spi/plans.rs).
//! - **The window API** (`windowapi.h`, not among pgrx's headers): what a WINDOW function asks
//!   of its WindowObject. These can raise an ERROR; ctx/window.rs calls them through pgrx's guard.
//! - **The C allocator**, for QuickJS's heap (engine/allocator.rs): malloc and friends, and
//!   glibc's `malloc_usable_size` to count the bytes. plts has no `libc` dependency; these five
//!   are all it needs.

use pgrx::pg_sys::{Oid, ParseState, TimestampTz};

// SAFETY: the signature is elog.h's `int errcontext_msg(const char *fmt, ...)`.
unsafe extern "C" {
    /// Adds a line to the CONTEXT of the error being reported; call it from an error context
    /// callback, with a format whose conversions match the arguments.
    pub fn errcontext_msg(fmt: *const std::ffi::c_char, ...) -> std::ffi::c_int;
}

// SAFETY: the signatures are miscinit.c's, xact.c's and postgres.c's; each only reads backend
// globals (and the stack pointer), so they are safe to call at any time in a backend.
unsafe extern "C" {
    pub safe fn GetUserId() -> Oid;
    pub safe fn GetCurrentTransactionStartTimestamp() -> TimestampTz;
    /// Whether the stack is deeper than `max_stack_depth` allows: `check_stack_depth` without the ERROR.
    pub safe fn stack_is_too_deep() -> bool;
}

// SAFETY: the signatures are postgres.c's (`pg_stack_base_t` is `char *` on every platform
// PostgreSQL 15 and later build on). Neither raises an ERROR.
unsafe extern "C" {
    /// Makes the current stack pointer the base `check_stack_depth` measures from; returns the old base.
    pub fn set_stack_base() -> *mut std::ffi::c_char;
    /// Puts back a base `set_stack_base` returned.
    pub fn restore_stack_base(base: *mut std::ffi::c_char);
}

// SAFETY: the signature is parse_param.h's (PostgreSQL 13 and later). It only sets the parse
// state's hooks and cannot raise an ERROR.
unsafe extern "C-unwind" {
    /// Makes `pstate` infer the types of `$n` parameters into `*param_types` (a palloc'd array of
    /// `*num_params` OIDs, grown as parameters are met).
    pub fn setup_parse_variable_parameters(pstate: *mut ParseState, param_types: *mut *mut Oid, num_params: *mut i32);
}

/// windowapi.h's seek types.
pub const WINDOW_SEEK_CURRENT: i32 = 0;
pub const WINDOW_SEEK_HEAD: i32 = 1;
pub const WINDOW_SEEK_TAIL: i32 = 2;

// SAFETY: the signatures are windowapi.h's (PostgreSQL 9.0 and later), with `*mut c_void` for the
// opaque WindowObject and `usize` for `Size`.
unsafe extern "C-unwind" {
    pub fn WinGetPartitionLocalMemory(winobj: *mut std::ffi::c_void, size: usize) -> *mut std::ffi::c_void;
    pub fn WinGetCurrentPosition(winobj: *mut std::ffi::c_void) -> i64;
    pub fn WinGetPartitionRowCount(winobj: *mut std::ffi::c_void) -> i64;
    pub fn WinSetMarkPosition(winobj: *mut std::ffi::c_void, markpos: i64);
    pub fn WinRowsArePeers(winobj: *mut std::ffi::c_void, pos1: i64, pos2: i64) -> bool;
    pub fn WinGetFuncArgInPartition(
        winobj: *mut std::ffi::c_void,
        argno: i32,
        relpos: i32,
        seektype: i32,
        set_mark: bool,
        isnull: *mut bool,
        isout: *mut bool,
    ) -> pgrx::pg_sys::Datum;
    pub fn WinGetFuncArgInFrame(
        winobj: *mut std::ffi::c_void,
        argno: i32,
        relpos: i32,
        seektype: i32,
        set_mark: bool,
        isnull: *mut bool,
        isout: *mut bool,
    ) -> pgrx::pg_sys::Datum;
    pub fn WinGetFuncArgCurrent(winobj: *mut std::ffi::c_void, argno: i32, isnull: *mut bool) -> pgrx::pg_sys::Datum;
}

// SAFETY: the signatures are the C library's (stdlib.h, and glibc's malloc.h for
// malloc_usable_size), with `usize` for `size_t`.
unsafe extern "C" {
    pub fn malloc(size: usize) -> *mut u8;
    pub fn calloc(count: usize, size: usize) -> *mut u8;
    pub fn realloc(ptr: *mut u8, size: usize) -> *mut u8;
    pub fn free(ptr: *mut u8);
    pub fn malloc_usable_size(ptr: *mut u8) -> usize;
}
