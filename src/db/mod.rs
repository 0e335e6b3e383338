//! Database access: one connection type over SQLite and Postgres, a pool that picks the backend
//! from the URL scheme, the embedded migrations, and `run`, which moves every query off the async
//! workers onto actix's blocking pool.

/// Inserts `$row` into `$table`, or updates the row with the same primary key `$key`, and
/// evaluates to `QueryResult<()>`. A macro because the trait bounds of a generic function over
/// the multi-backend connection would be longer than the code.
macro_rules! upsert {
    ($conn:expr, $table:path, $key:expr, $row:expr) => {
        (|| -> diesel::QueryResult<()> {
            let updated = diesel::update($table.find($key))
                .set($row)
                .execute(&mut *$conn)?;
            if updated == 0 {
                diesel::insert_into($table)
                    .values($row)
                    .execute(&mut *$conn)?;
            }
            Ok(())
        })()
    };
}
pub(crate) use upsert;

/// Rows per multi-row INSERT on SQLite; keeps the bind parameters of wide tables well below its
/// limit.
pub const INSERT_CHUNK_ROWS: usize = 500;

/// Inserts a slice of rows and evaluates to `QueryResult<usize>`: one binary `COPY` on Postgres,
/// multi-row INSERTs on SQLite. Both only compile against a concrete backend connection, so this
/// matches on the variant. Row types need `treat_none_as_default_value = false`.
macro_rules! insert_rows {
    ($conn:expr, $table:path, $rows:expr) => {
        (|| -> diesel::QueryResult<usize> {
            match &mut *$conn {
                $crate::db::DbConnection::Postgres(c) => {
                    diesel::copy_from($table).from_insertable($rows).execute(c)
                }
                $crate::db::DbConnection::Sqlite(c) => {
                    let mut inserted = 0;
                    for chunk in $rows.chunks($crate::db::INSERT_CHUNK_ROWS) {
                        inserted += diesel::insert_into($table).values(chunk).execute(c)?;
                    }
                    Ok(inserted)
                }
            }
        })()
    };
}
pub(crate) use insert_rows;

pub mod countries;
pub mod datasets;
pub mod schema;
pub mod series;
pub mod sources;
pub mod stored;
pub mod trade;
pub mod treaties;

use std::time::Duration;

use actix_web::web;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// `busy_timeout` must come before `journal_mode = WAL`: with the opposite order, concurrent
/// first connections can fail with "database is locked" while switching the journal mode.
/// `journal_size_limit` shrinks the write-ahead log back to 64 MiB whenever a checkpoint resets
/// it, so that one large import does not leave a log many times the database's size behind.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; \
     PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = NORMAL; \
     PRAGMA foreign_keys = ON; \
     PRAGMA journal_size_limit = 67108864;";

/// Key of the Postgres advisory lock held while one replica migrates and loads bundled data, so
/// that replicas starting together do not race each other.
const STARTUP_LOCK_KEY: i64 = 0x7472_696c_6174;

/// A connection to either backend. Postgres comes first: `establish` on the derived enum tries
/// the variants in order and SQLite accepts any string as a file name.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// The backend a database URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `postgres://` and `postgresql://` select Postgres; anything else (`sqlite://…`, `sqlite:…`
    /// or a plain path) is a SQLite file.
    pub fn from_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

impl DbConnection {
    pub fn backend(&self) -> Backend {
        match self {
            DbConnection::Postgres(_) => Backend::Postgres,
            DbConnection::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// The file name SQLite should open for a URL: the scheme prefix, if any, is dropped.
fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// Opens one Postgres connection; every Postgres connection of the process is opened here.
///
/// OpenSSL is initialised first, so that it does not free its global state in an `atexit`
/// handler: left to libpq, the first initialisation registers that handler, and a process that
/// exits while another of its threads is still in a TLS call (the pool opening or closing a
/// connection in the background, say) crashes with a segmentation fault. Whichever
/// initialisation comes first decides; `openssl_sys::init` asks for no handler, and calling it
/// again is free.
pub fn establish_postgres(url: &str) -> diesel::ConnectionResult<PgConnection> {
    openssl_sys::init();
    PgConnection::establish(url)
}

/// Opens connections for the pool. It dispatches on the URL scheme itself instead of using the
/// derived `establish`, which hides the real connection error behind "invalid connection url".
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: String,
    backend: Backend,
}

impl ConnectionManager {
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            backend: Backend::from_url(url),
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match self.backend {
            Backend::Postgres => establish_postgres(&self.url)
                .map(DbConnection::Postgres)
                .map_err(r2d2::Error::ConnectionError),
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(sqlite_path(&self.url))
                    .map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute(SQLITE_PRAGMAS)
                    .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

pub type DbPool = r2d2::Pool<ConnectionManager>;

/// Pool settings; see `Config` for their meaning.
#[derive(Debug, Clone, Copy)]
pub struct PoolOptions {
    pub max_size: u32,
    pub timeout: Duration,
}

/// Builds the pool after one direct connection attempt, so that a wrong URL or a database that
/// is down is reported with its real cause.
pub fn connect(url: &str, options: PoolOptions) -> Result<DbPool, r2d2::Error> {
    ConnectionManager::new(url).connect()?;
    Ok(pool(url, options))
}

/// Builds the pool without opening any connection; requests get a 503 while the database is down.
pub fn pool(url: &str, options: PoolOptions) -> DbPool {
    r2d2::Pool::builder()
        .max_size(options.max_size)
        .min_idle(Some(1))
        .connection_timeout(options.timeout)
        .build_unchecked(ConnectionManager::new(url))
}

/// Why a database call failed, as far as the API needs to know.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("no database connection: {0}")]
    Unavailable(String),
    #[error("query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("blocking task was cancelled")]
    Cancelled,
}

/// Runs `f` with a pooled connection on the blocking thread pool, so that no query ever blocks an
/// async worker. Pool and scheduling failures convert into the caller's error type.
pub async fn run<T, E, F>(pool: &DbPool, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    let pool = pool.clone();
    // The blocking pool runs outside the request's span: carry it over, so that what the work
    // logs carries the request id.
    let span = tracing::Span::current();
    web::block(move || {
        let _request = span.enter();
        let mut conn = pool
            .get()
            .map_err(|e| DbError::Unavailable(e.to_string()))?;
        f(&mut conn)
    })
    .await
    .map_err(|_| E::from(DbError::Cancelled))?
}

/// Runs `f` in one read-only transaction, so that every query of an answer sees the same
/// snapshot: the dataset versions an ETag is made of and the rows it describes cannot come from
/// either side of an import. (On SQLite it also takes the file lock once instead of per query.)
pub fn read_snapshot<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<DbError>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let begun = match conn {
        DbConnection::Postgres(c) => AnsiTransactionManager::begin_transaction_sql(
            c,
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        ),
        DbConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN"),
    };
    begun.map_err(|e| E::from(DbError::Query(e)))?;
    let result = f(conn);
    let ended = match &result {
        Ok(_) => DbConnection::commit_transaction(conn),
        Err(_) => DbConnection::rollback_transaction(conn),
    };
    ended.map_err(|e| E::from(DbError::Query(e)))?;
    result
}

type MigrationResult<T> = diesel::migration::Result<T>;

/// Applies pending migrations and returns the versions it applied.
pub fn run_migrations(conn: &mut DbConnection) -> MigrationResult<Vec<String>> {
    let applied = match conn {
        DbConnection::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS)?,
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS)?,
    };
    Ok(applied.iter().map(ToString::to_string).collect())
}

/// Reverts every applied migration (used by the migration round-trip test and `migrate --revert`).
pub fn revert_all_migrations(conn: &mut DbConnection) -> MigrationResult<Vec<String>> {
    let reverted = match conn {
        DbConnection::Postgres(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS)?,
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS)?,
    };
    Ok(reverted.iter().map(ToString::to_string).collect())
}

/// Reverts the newest applied migration, keeping the data its `down.sql` carries back (used by
/// the tests that check a migration keeps the rows it reshapes).
pub fn revert_last_migration(conn: &mut DbConnection) -> MigrationResult<String> {
    let reverted = match conn {
        DbConnection::Postgres(c) => c.revert_last_migration(POSTGRES_MIGRATIONS)?,
        DbConnection::Sqlite(c) => c.revert_last_migration(SQLITE_MIGRATIONS)?,
    };
    Ok(reverted.to_string())
}

/// Whether migrations embedded in this binary are not yet applied.
pub fn has_pending_migrations(conn: &mut DbConnection) -> MigrationResult<bool> {
    match conn {
        DbConnection::Postgres(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
        DbConnection::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
    }
}

/// Settles the database after a load has changed the tables. The statistics the query planners
/// choose indexes by are refreshed: without them Postgres plans a freshly loaded million-row table
/// as if it were empty, and scans the GIN index's pending list (where bulk inserts land) on every
/// search. On SQLite the write-ahead log the load filled is copied into the database and
/// truncated, instead of staying on disk at its largest.
pub fn settle_after_load(conn: &mut DbConnection) -> QueryResult<()> {
    match conn {
        DbConnection::Postgres(c) => c.batch_execute(
            "SELECT gin_clean_pending_list('provisions_search_idx'::regclass); ANALYZE",
        ),
        // A sample per index is enough for SQLite to choose between them, and keeps this fast.
        DbConnection::Sqlite(c) => c.batch_execute(
            "PRAGMA analysis_limit = 1000; ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)",
        ),
    }
}

/// Runs `f` while holding the start-up lock. On Postgres this is a session advisory lock shared
/// by all replicas; a SQLite file has one writer at a time anyway.
pub fn with_startup_lock<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    if let DbConnection::Postgres(pg) = conn {
        pg.batch_execute(&format!("SELECT pg_advisory_lock({STARTUP_LOCK_KEY})"))?;
        let result = f(conn);
        if let DbConnection::Postgres(pg) = conn {
            pg.batch_execute(&format!("SELECT pg_advisory_unlock({STARTUP_LOCK_KEY})"))?;
        }
        result
    } else {
        f(conn)
    }
}
