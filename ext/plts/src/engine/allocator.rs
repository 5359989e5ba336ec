//! The QuickJS heap allocator: the C allocator plus a byte count, so plts enforces
//! `plts.max_heap_mb` itself and knows when a call failed for lack of memory.
//!
//! QuickJS's own `JS_SetMemoryLimit` works, but when the limit is hit it may not even have
//! room for its "out of memory" error and throws `null` instead — indistinguishable from
//! `throw null`. The count here tells a call that ran out of memory from a script's own
//! throw. (rquickjs ignores `set_memory_limit` with a custom allocator, so only this limit
//! applies.)

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};

use rquickjs::allocator::Allocator;

use crate::ffi::{calloc, free, malloc, malloc_usable_size, realloc};

// Plain statics, not thread-locals: a backend runs QuickJS on one thread, and thread-local
// access from a shared library costs a __tls_get_addr call on every allocation.
static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);
static USED: AtomicUsize = AtomicUsize::new(0);
static REFUSED: AtomicBool = AtomicBool::new(false);

/// Sets the heap limit for the next call and forgets earlier refusals.
pub fn arm(limit_bytes: usize) {
    LIMIT.store(limit_bytes, Relaxed);
    REFUSED.store(false, Relaxed);
}

/// Whether an allocation was refused since [`arm`].
pub fn refused() -> bool {
    REFUSED.load(Relaxed)
}

/// Whether `bytes` more would leave the heap under half its limit: room for optional work
/// (engine/kept_shapes.rs) that must not bring a call closer to running out.
pub fn has_room(bytes: usize) -> bool {
    USED.load(Relaxed).saturating_add(bytes) <= LIMIT.load(Relaxed) / 2
}

/// Room past the limit once an allocation was refused: QuickJS builds the "out of memory" error
/// and its stack trace with allocations of their own, and without this room whether a report
/// names its frames would depend on where the heap happened to end. A script that catches the
/// error and goes on allocating is refused again at the end of it.
const RESERVE: usize = 256 << 10;

fn admit(extra: usize) -> bool {
    let wanted = USED.load(Relaxed).saturating_add(extra);
    let limit = LIMIT.load(Relaxed);
    if wanted <= limit {
        return true;
    }
    if REFUSED.swap(true, Relaxed) {
        return wanted <= limit.saturating_add(RESERVE);
    }
    false
}

fn add(bytes: usize) {
    USED.fetch_add(bytes, Relaxed);
}

fn sub(bytes: usize) {
    USED.fetch_sub(bytes.min(USED.load(Relaxed)), Relaxed);
}

pub struct CountingAllocator;

// SAFETY: every pointer comes from the C allocator, which returns null or at least the bytes
// asked for, aligned for any fundamental type (so to `usize`); `usable_size` is the C
// allocator's own count for its blocks.
unsafe impl Allocator for CountingAllocator {
    fn alloc(&mut self, size: usize) -> *mut u8 {
        if !admit(size) {
            return std::ptr::null_mut();
        }
        // SAFETY: malloc accepts any size.
        let ptr = unsafe { malloc(size) };
        if !ptr.is_null() {
            // SAFETY: `ptr` is a live block malloc just returned.
            add(unsafe { malloc_usable_size(ptr) });
        }
        ptr
    }

    fn calloc(&mut self, count: usize, size: usize) -> *mut u8 {
        if !admit(count.saturating_mul(size)) {
            return std::ptr::null_mut();
        }
        // SAFETY: calloc accepts any count and size (it fails on overflow).
        let ptr = unsafe { calloc(count, size) };
        if !ptr.is_null() {
            // SAFETY: `ptr` is a live block calloc just returned.
            add(unsafe { malloc_usable_size(ptr) });
        }
        ptr
    }

    unsafe fn dealloc(&mut self, ptr: *mut u8) {
        if !ptr.is_null() {
            // SAFETY: `ptr` is a live block of this allocator (the trait's contract), so of the C
            // allocator; it is measured before it is freed, once.
            unsafe {
                sub(malloc_usable_size(ptr));
                free(ptr);
            }
        }
    }

    unsafe fn realloc(&mut self, ptr: *mut u8, new_size: usize) -> *mut u8 {
        // SAFETY: a non-null `ptr` is a live block of this allocator (the trait's contract).
        let old = if ptr.is_null() { 0 } else { unsafe { malloc_usable_size(ptr) } };
        if new_size > old && !admit(new_size - old) {
            return std::ptr::null_mut();
        }
        // SAFETY: `ptr` is null or a live block of the C allocator (above).
        let new = unsafe { realloc(ptr, new_size) };
        if !new.is_null() || new_size == 0 {
            sub(old);
            if !new.is_null() {
                // SAFETY: `new` is a live block realloc just returned.
                add(unsafe { malloc_usable_size(new) });
            }
        }
        new
    }

    unsafe fn usable_size(ptr: *mut u8) -> usize {
        // SAFETY: `ptr` is a live block of this allocator (the trait's contract).
        unsafe { malloc_usable_size(ptr) }
    }
}

/// QuickJS serves blocks up to 512 bytes from 4 KB arenas, one list per size class, and frees an
/// arena when its last block is freed. A call whose temporary objects are the only blocks of a
/// class then builds a new arena on every call (~700 instructions: it threads a free list
/// through every block). One block of each class, held for the runtime's life, keeps a first
/// arena of each class (31 arenas, ~124 KB per runtime).
pub fn pin_arenas(ctx: &rquickjs::Ctx<'_>) {
    // QuickJS's arena block sizes (arena_block_sizes in quickjs.c); each block has an 8-byte header.
    const BLOCK_SIZES: [usize; 31] = [
        16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288,
        320, 352, 384, 416, 448, 480, 512,
    ];
    for size in BLOCK_SIZES {
        // SAFETY: `ctx` is a live context; the block is never freed, since the runtime lives as
        // long as the backend.
        unsafe { rquickjs::qjs::js_malloc(ctx.as_raw().as_ptr(), (size - 8) as _) };
    }
}
