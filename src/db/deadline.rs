//! The statement deadline of the requests being served. A query that runs past it is stopped
//! and the request answers 503 (`query-timeout`) instead of holding a worker and a connection.
//!
//! The deadline belongs to the thread running the request's queries (`db::run` sets it around
//! the work it moves onto the blocking pool), so that start-up loading and imports, which never
//! run there, are never cut. Postgres enforces the same limit itself (`statement_timeout`, set on
//! the serving pool's connections); SQLite has no such setting, so every SQLite connection gets a
//! progress handler that interrupts the running statement once the deadline has passed.
#![allow(unsafe_code)]

use std::cell::Cell;
use std::ffi::{c_char, c_int, c_void};
use std::sync::Once;
use std::time::{Duration, Instant};

use libsqlite3_sys as ffi;

/// SQLite virtual-machine instructions between two looks at the clock: a few microseconds of
/// work, so a statement overruns its deadline by about that much.
const SQLITE_CHECK_EVERY: c_int = 10_000;

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Runs `f` with a deadline `timeout` from now on this thread (none if `timeout` is `None`).
pub fn within<T>(timeout: Option<Duration>, f: impl FnOnce() -> T) -> T {
    /// Puts the outer deadline back, also when `f` panics (the blocking pool reuses threads).
    struct Restore(Option<Instant>);
    impl Drop for Restore {
        fn drop(&mut self) {
            DEADLINE.with(|cell| cell.set(self.0));
        }
    }
    let deadline = timeout.map(|timeout| Instant::now() + timeout);
    let _restore = Restore(DEADLINE.with(|cell| cell.replace(deadline)));
    f()
}

/// Whether this thread runs under a deadline that has passed: a query failing now failed
/// because it was stopped (Postgres names the cancellation only by a SQLSTATE diesel does not
/// pass on, and in the server's language).
pub fn passed() -> bool {
    DEADLINE.with(|cell| {
        cell.get()
            .is_some_and(|deadline| Instant::now() >= deadline)
    })
}

/// Gives every SQLite connection the process opens from now on the progress handler that
/// enforces the deadline. Diesel does not hand out its raw connection, so the handler is
/// installed by an automatic extension, which SQLite runs for each connection it opens.
pub fn install_sqlite_handler() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // SAFETY: `register` has the signature SQLite calls automatic extensions with, and stays
        // valid for the life of the process.
        let code = unsafe { ffi::sqlite3_auto_extension(Some(register)) };
        if code != ffi::SQLITE_OK {
            tracing::error!(code, "cannot install the SQLite statement deadline");
        }
    });
}

/// SQLite's entry point for an automatic extension: installs the progress handler on `db`.
unsafe extern "C" fn register(
    db: *mut ffi::sqlite3,
    _error: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    // SAFETY: SQLite passes the connection it is opening; the handler takes no argument.
    unsafe {
        ffi::sqlite3_progress_handler(
            db,
            SQLITE_CHECK_EVERY,
            Some(interrupt_when_passed),
            std::ptr::null_mut(),
        );
    }
    ffi::SQLITE_OK
}

/// A non-zero answer makes SQLite stop the statement with SQLITE_INTERRUPT. It runs on the
/// thread executing the statement, which is the thread whose deadline applies.
unsafe extern "C" fn interrupt_when_passed(_: *mut c_void) -> c_int {
    c_int::from(passed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_holds_only_inside_its_scope_and_thread() {
        assert!(!passed());
        within(Some(Duration::ZERO), || {
            assert!(passed());
            let other = std::thread::spawn(passed).join().unwrap();
            assert!(!other, "another thread has no deadline");
            within(None, || assert!(!passed(), "an inner scope without one"));
            assert!(passed());
        });
        assert!(!passed());
        within(Some(Duration::from_secs(60)), || assert!(!passed()));
    }
}
