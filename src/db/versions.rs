//! The dataset versions as this process knows them without asking the database for each request.
//! Every answer's ETag is made of the versions of the datasets it reads, so knowing them is all a
//! 304 or an answer kept in the memo needs: such a request then costs no trip to the database.
//!
//! - **SQLite**: a connection of this watch's own reads `PRAGMA data_version` (a read of the
//!   write-ahead log's shared index, no statement on any table, a few microseconds): it changes
//!   whenever any other connection, of this process or another, has committed. The catalogue read
//!   with that value is used only while the value stays the same. The value, and that the file is
//!   still the one opened, are checked again when a request comes [`SQLITE_CHECK_EVERY`] after
//!   the last check, or after a write of this process: a commit by another process (an import
//!   run from the command line) is seen within that time, one by this process at once. (Checking
//!   on every request took a tenth of a memo hit: two locks of the log and two `stat`s.)
//! - **Postgres**: a thread with a connection of its own `LISTEN`s on [`CHANNEL`], which every
//!   dataset writer notifies inside its transaction (`db::write_transaction`; Postgres delivers it
//!   at the commit). The thread looks for notifications every [`POLL_EVERY`] and reads the
//!   catalogue again on each, and at least every [`RECHECK_EVERY`] in case one was missed
//!   across a reconnection. What it read is used for [`FRESH_FOR`] at most: when the database
//!   stops answering, hits stop within that time and requests get what the database gives them
//!   (a 503). A write made by this process is seen at once (`db::local_writes`); one by another
//!   process within `POLL_EVERY` plus a catalogue read.
//!
//! When the versions are not known, requests read them from the database as before.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::datasets::{self, DatasetRow};
use super::{Backend, ConnectionManager, DbConnection, local_writes};

/// The notification channel of dataset writes.
pub const CHANNEL: &str = "trilateral_datasets";

/// How often the Postgres watch looks for notifications.
pub const POLL_EVERY: Duration = Duration::from_millis(5);

/// How often the Postgres watch reads the catalogue without a notification.
pub const RECHECK_EVERY: Duration = Duration::from_millis(250);

/// How long the catalogue the Postgres watch read last is used.
pub const FRESH_FOR: Duration = Duration::from_secs(1);

/// How long the SQLite watch trusts its last check of `data_version` and of the file.
pub const SQLITE_CHECK_EVERY: Duration = Duration::from_millis(2);

/// How long the Postgres watch waits before it connects again after losing its connection.
const RECONNECT_AFTER: Duration = Duration::from_millis(500);

/// Every dataset row, in id order, as one read of the catalogue gave them.
pub type Catalogue = Arc<[DatasetRow]>;

/// The versions this process knows, for the backend of its pool.
pub struct KnownVersions {
    manager: ConnectionManager,
    watch: Watch,
}

enum Watch {
    Sqlite(Mutex<SqliteWatch>),
    Postgres(Arc<PostgresWatch>),
}

impl KnownVersions {
    /// The versions of the database `manager` connects to. On Postgres this starts the listening
    /// thread, which ends once the returned value is dropped or a `stop_on_drop` guard is.
    pub fn new(manager: ConnectionManager) -> Self {
        let watch = match manager.backend() {
            Backend::Sqlite => Watch::Sqlite(Mutex::new(SqliteWatch::default())),
            Backend::Postgres => {
                let watch = Arc::new(PostgresWatch::default());
                let (manager, weak) = (manager.clone(), Arc::downgrade(&watch));
                let started = std::thread::Builder::new()
                    .name("dataset-versions".to_owned())
                    .spawn(move || listen(&manager, &weak));
                if let Err(e) = started {
                    tracing::warn!(error = %e, "dataset versions are read per request: no thread to listen");
                }
                Watch::Postgres(watch)
            }
        };
        Self { manager, watch }
    }

    /// The catalogue as the database holds it now, if this process knows it without a query.
    pub fn current(&self) -> Option<Catalogue> {
        match &self.watch {
            Watch::Sqlite(watch) => {
                let mut watch = lock(watch);
                if let Some(recent) = watch.checked.as_ref().filter(|checked| {
                    checked.at.elapsed() < SQLITE_CHECK_EVERY
                        && checked.local_writes == local_writes()
                }) {
                    return Some(Arc::clone(&recent.catalogue));
                }
                watch.checked = None;
                self.manager.check_database().ok()?;
                watch.current(&self.manager)
            }
            Watch::Postgres(watch) => watch.current(),
        }
    }

    /// When a request did not find the versions known: on SQLite, reads the catalogue again if
    /// `data_version` moved, so that the next requests know it. (The Postgres watch keeps itself
    /// current.) Runs on the blocking pool.
    pub fn learn(&self) {
        if let Watch::Sqlite(watch) = &self.watch {
            lock(watch).read(&self.manager);
        }
    }

    /// A guard that ends the Postgres watch's thread when dropped: what serves the versions
    /// holds it, so that a stopped server leaves no thread or connection behind even while
    /// something else still holds this value.
    pub fn stop_on_drop(&self) -> StopWatching {
        StopWatching(match &self.watch {
            Watch::Postgres(watch) => Some(Arc::clone(watch)),
            Watch::Sqlite(_) => None,
        })
    }
}

/// See `KnownVersions::stop_on_drop`.
pub struct StopWatching(Option<Arc<PostgresWatch>>);

impl Drop for StopWatching {
    fn drop(&mut self) {
        if let Some(watch) = &self.0 {
            watch.stopped.store(true, Ordering::Relaxed);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[derive(QueryableByName)]
struct DataVersion {
    #[diesel(sql_type = BigInt)]
    data_version: i64,
}

#[derive(Default)]
struct SqliteWatch {
    conn: Option<DbConnection>,
    /// The catalogue and the `data_version` it was read at.
    known: Option<(i64, Catalogue)>,
    /// The known catalogue as the last check found it current.
    checked: Option<Confirmed>,
}

impl SqliteWatch {
    /// The connection, opened on first use; dropped on any error, so that a replaced file is
    /// opened anew.
    fn data_version(&mut self, manager: &ConnectionManager) -> Option<i64> {
        if self.conn.is_none() {
            self.conn = manager.connect_to_serve().ok();
        }
        let read = match self.conn.as_mut()? {
            DbConnection::Sqlite(c) => diesel::sql_query("PRAGMA data_version")
                .get_result::<DataVersion>(c)
                .map(|v| v.data_version),
            DbConnection::Postgres(_) => return None,
        };
        match read {
            Ok(version) => Some(version),
            Err(_) => {
                self.conn = None;
                None
            }
        }
    }

    /// Checks `data_version` against the known catalogue's. The writes of this process are
    /// counted before the check, so that one committing during it makes the next request check
    /// again.
    fn current(&mut self, manager: &ConnectionManager) -> Option<Catalogue> {
        let (at, writes) = (Instant::now(), local_writes());
        let version = self.data_version(manager)?;
        let catalogue = match &self.known {
            Some((known, catalogue)) if *known == version => Arc::clone(catalogue),
            _ => return None,
        };
        self.checked = Some(Confirmed {
            catalogue: Arc::clone(&catalogue),
            at,
            local_writes: writes,
        });
        Some(catalogue)
    }

    /// Reads the catalogue after `data_version`, unless the one known is of that value: a commit
    /// between the two reads makes the value stale at the next request, never the catalogue
    /// older than the value says.
    fn read(&mut self, manager: &ConnectionManager) {
        let Some(version) = self.data_version(manager) else {
            self.known = None;
            return;
        };
        if self
            .known
            .as_ref()
            .is_some_and(|(known, _)| *known == version)
        {
            return;
        }
        self.known = None;
        if let Some(conn) = self.conn.as_mut()
            && let Ok(rows) = datasets::list(conn)
        {
            self.known = Some((version, rows.into()));
        }
    }
}

#[derive(Default)]
struct PostgresWatch {
    known: RwLock<Option<Confirmed>>,
    stopped: AtomicBool,
}

/// A catalogue the watch read (Postgres) or found current (SQLite), when, and how many writes
/// this process had made by then.
struct Confirmed {
    catalogue: Catalogue,
    at: Instant,
    local_writes: u64,
}

impl PostgresWatch {
    fn current(&self) -> Option<Catalogue> {
        let known = self
            .known
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        known
            .as_ref()
            .filter(|k| k.at.elapsed() < FRESH_FOR && k.local_writes == local_writes())
            .map(|k| Arc::clone(&k.catalogue))
    }

    fn set(&self, confirmed: Option<Confirmed>) {
        *self
            .known
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = confirmed;
    }
}

/// The listening thread: until `watch` is dropped, keeps it as current as notifications and
/// regular reads allow, connecting again whenever its connection fails.
fn listen(manager: &ConnectionManager, watch: &Weak<PostgresWatch>) {
    let mut conn: Option<DbConnection> = None;
    let mut last_read: Option<Instant> = None;
    while let Some(watch) = watch.upgrade() {
        if watch.stopped.load(Ordering::Relaxed) {
            return;
        }
        if conn.is_none() {
            conn = connect_and_listen(manager);
            last_read = None;
            if conn.is_none() {
                drop(watch);
                std::thread::sleep(RECONNECT_AFTER);
                continue;
            }
        }
        let due = last_read.is_none_or(|at| at.elapsed() >= RECHECK_EVERY);
        let checked = conn.as_mut().map_or(Check::Failed, |c| check(c, due));
        match checked {
            Check::Read(confirmed) => {
                last_read = Some(confirmed.at);
                watch.set(Some(confirmed));
            }
            Check::Quiet => {}
            Check::Failed => {
                tracing::warn!(
                    "the connection that listens for dataset changes failed; connecting again"
                );
                watch.set(None);
                conn = None;
                continue;
            }
        }
        drop(watch);
        std::thread::sleep(POLL_EVERY);
    }
}

/// A connection like the pool's (with its statement timeout), listening on [`CHANNEL`].
fn connect_and_listen(manager: &ConnectionManager) -> Option<DbConnection> {
    let mut conn = manager.connect_to_serve().ok()?;
    conn.batch_execute(&format!("LISTEN {CHANNEL}")).ok()?;
    Some(conn)
}

/// What one look at the listening connection found.
enum Check {
    /// The catalogue, read because of a notification or because a read was due.
    Read(Confirmed),
    /// No notification, and no read due.
    Quiet,
    /// The connection failed.
    Failed,
}

/// Takes the notifications that arrived and reads the catalogue when there were some or `due`.
fn check(conn: &mut DbConnection, due: bool) -> Check {
    let DbConnection::Postgres(pg) = conn else {
        return Check::Failed;
    };
    let mut notified = false;
    for notification in pg.notifications_iter() {
        if notification.is_err() {
            return Check::Failed;
        }
        notified = true;
    }
    if !(notified || due) {
        return Check::Quiet;
    }
    // Counted before the read: a write of this process that commits meanwhile makes this
    // catalogue unused until the next read, never taken for newer than it is.
    let writes = local_writes();
    match datasets::list(conn) {
        Ok(rows) => Check::Read(Confirmed {
            catalogue: rows.into(),
            at: Instant::now(),
            local_writes: writes,
        }),
        Err(_) => Check::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(version: i64) -> DatasetRow {
        datasets::example("wages", version)
    }

    fn save(manager: &ConnectionManager, row: &DatasetRow) {
        let mut conn = manager.connect_to_initialise().expect("connection");
        super::super::write_transaction(&mut conn, |conn| datasets::save(conn, row, None))
            .expect("saved");
    }

    #[test]
    fn sqlite_versions_are_known_until_another_connection_commits() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = dir.path().join("versions.db").display().to_string();
        let manager = ConnectionManager::new(&url);
        let mut conn = manager.connect_to_initialise().expect("file created");
        super::super::run_migrations(&mut conn).expect("migrated");
        save(&manager, &dataset(1));

        let known = KnownVersions::new(manager.clone());
        assert!(
            known.current().is_none(),
            "nothing is known before a request read it"
        );
        known.learn();
        let versions =
            |catalogue: Catalogue| catalogue.iter().map(|d| d.version).collect::<Vec<_>>();
        assert_eq!(known.current().map(versions), Some(vec![1]));

        save(&manager, &dataset(2));
        assert!(
            known.current().is_none(),
            "a commit of this process makes the versions unknown at once"
        );
        known.learn();
        assert_eq!(known.current().map(versions), Some(vec![2]));

        // A commit that is no write of this process, as an import run from the command line.
        conn.batch_execute("UPDATE datasets SET version = 3")
            .expect("updated");
        std::thread::sleep(SQLITE_CHECK_EVERY);
        assert!(
            known.current().is_none(),
            "another process's commit makes the versions unknown within the bound"
        );
        known.learn();
        assert_eq!(known.current().map(versions), Some(vec![3]));

        std::fs::remove_file(&url).expect("file removed");
        std::thread::sleep(SQLITE_CHECK_EVERY);
        assert!(
            known.current().is_none(),
            "a removed file is not answered from memory past the bound"
        );
    }
}
