//! Per-backend state in plain statics. A PostgreSQL backend runs extension code on one thread,
//! and `thread_local!` in a shared library costs a `__tls_get_addr` call on every access, several
//! times per plts call.

use std::cell::UnsafeCell;

/// A value owned by the backend's one thread; used like a `thread_local!` key (`X.with(|x| ...)`).
pub struct BackendLocal<T>(UnsafeCell<T>);

// SAFETY: plts touches its state only from the backend's main thread (QuickJS runs there too;
// pgrx refuses calls into PostgreSQL from other threads).
unsafe impl<T> Sync for BackendLocal<T> {}

impl<T> BackendLocal<T> {
    pub const fn new(value: T) -> Self {
        Self(UnsafeCell::new(value))
    }

    #[inline]
    pub fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
        // SAFETY: one thread (above); only shared references are handed out, so interior
        // mutability (Cell, RefCell) keeps its own rules.
        f(unsafe { &*self.0.get() })
    }
}

static STACK_BASE: BackendLocal<std::cell::Cell<usize>> = BackendLocal::new(std::cell::Cell::new(0));

/// The address `check_stack_depth` measures the stack from: set once when the backend started,
/// read here by setting it and putting it back at once.
pub fn stack_base() -> usize {
    STACK_BASE.with(|base| {
        if base.get() == 0 {
            // SAFETY: the old base is put back before anything could check the stack against the
            // new one (neither call raises, and nothing runs between them).
            let old = unsafe {
                let old = crate::ffi::set_stack_base();
                crate::ffi::restore_stack_base(old);
                old
            };
            base.set(old as usize);
        }
        base.get()
    })
}
