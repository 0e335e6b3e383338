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
                    let mut chunks = $rows.chunks_exact($crate::db::INSERT_CHUNK_ROWS);
                    for chunk in chunks.by_ref() {
                        let chunk: &[_; $crate::db::INSERT_CHUNK_ROWS] =
                            chunk.try_into().expect("chunks_exact yields whole chunks");
                        inserted += diesel::insert_into($table).values(chunk).execute(c)?;
                    }
                    let rest = chunks.remainder();
                    if !rest.is_empty() {
                        inserted += diesel::insert_into($table).values(rest).execute(c)?;
                    }
                    Ok(inserted)
                }
            }
        })()
    };
}
pub(crate) use insert_rows;

/// Evaluates `$body` with `$c` bound to the backend's own connection, for the queries every
/// first request makes. There diesel finds a cached statement by the query's type; through the
/// multi-backend connection (diesel's `MultiConnection` derive) it writes the query's SQL anew on
/// every execution and looks the statement up by that text, a third of a first request's
/// instructions. The query must build for both backends.
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match &mut *$conn {
            $crate::db::DbConnection::Sqlite($c) => $body,
            $crate::db::DbConnection::Postgres($c) => $body,
        }
    };
}
pub(crate) use on_backend;

pub mod canonical;
pub mod countries;
pub mod datasets;
pub mod deadline;
pub mod import_log;
pub mod reused_sql;
pub mod schema;
pub mod series;
pub mod sources;
pub mod sqlite_file;
pub mod stored;
pub mod stored_date;
pub mod trade;
pub mod treaties;
pub mod versions;
pub mod vintages;

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_web::web;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// How long a SQLite connection waits for a lock another connection holds. It is set before
/// `SQLITE_PRAGMAS`: with `journal_mode = WAL` first, concurrent first connections can fail with
/// "database is locked" while switching the journal mode.
const SQLITE_BUSY_TIMEOUT: &str = "PRAGMA busy_timeout = 5000";

/// `journal_size_limit` shrinks the write-ahead log back to 64 MiB whenever a checkpoint resets
/// it, so that one large import does not leave a log many times the database's size behind.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = NORMAL; \
     PRAGMA foreign_keys = ON; \
     PRAGMA journal_size_limit = 67108864;";

/// Key of the Postgres advisory lock held by whatever writes datasets: a replica migrating and
/// loading bundled data at start-up, and each import. Writers thus take turns, so that replicas
/// starting together do not race each other and a flow id (one more than the largest stored)
/// cannot be taken by two imports at once.
const WRITE_LOCK_KEY: i64 = 0x7472_696c_6174;

/// How long after a request's work succeeded on a connection it is handed out again without the
/// pool's liveness query (`SELECT 1`, a round trip of its own on Postgres). Under load every
/// connection comes back within it, so a first request makes one round trip fewer; an idle
/// connection, or one whose last work failed, is still checked. A connection that died in the
/// moment since its last success fails the one request it is given, and is checked before the next.
pub const RECENTLY_PROVEN: Duration = Duration::from_secs(1);

/// How long a SQLite writer waits for the write lock in one go before it says that it is still
/// waiting and tries again (the pool's connections wait 5 s, see `SQLITE_BUSY_TIMEOUT`).
const SQLITE_WRITE_WAIT_LOG_EVERY: Duration = Duration::from_secs(5);

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
pub fn sqlite_path(url: &str) -> &str {
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
    /// The SQLite file, watched for removal or replacement.
    sqlite: Arc<sqlite_file::SqliteFile>,
    /// The longest a serving query may run; `None` for no limit.
    statement_timeout: Option<Duration>,
}

impl ConnectionManager {
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            backend: Backend::from_url(url),
            sqlite: Arc::new(sqlite_file::SqliteFile::new(sqlite_path(url))),
            statement_timeout: None,
        }
    }

    pub fn with_statement_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.statement_timeout = timeout;
        self
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn statement_timeout(&self) -> Option<Duration> {
        self.statement_timeout
    }

    /// Whether the database the service opened is still there: on SQLite, whether the path
    /// still leads to the file it opened (a stat, cheap enough for every request).
    pub fn check_database(&self) -> Result<(), DbError> {
        match self.backend {
            Backend::Postgres => Ok(()),
            Backend::Sqlite => self.sqlite.check().map_err(DbError::Unavailable),
        }
    }

    /// Opens a SQLite connection: through the non-creating URI for the pool, through the plain
    /// name when initialising the database.
    fn open_sqlite(&self, create: bool) -> Result<DbConnection, r2d2::Error> {
        deadline::install_sqlite_handler();
        let name = if create {
            self.sqlite.create_name().to_owned()
        } else {
            self.sqlite.open_uri()
        };
        let mut conn = SqliteConnection::establish(&name).map_err(r2d2::Error::ConnectionError)?;
        conn.batch_execute(SQLITE_BUSY_TIMEOUT)
            .and_then(|()| conn.batch_execute(SQLITE_PRAGMAS))
            .map_err(r2d2::Error::QueryError)?;
        self.sqlite
            .check()
            .map_err(|e| r2d2::Error::ConnectionError(ConnectionError::BadConnection(e)))?;
        Ok(DbConnection::Sqlite(conn))
    }

    /// Opens a connection that may create the SQLite file and has no statement timeout: what
    /// initialising the database (migrations, bundled data, imports) runs on.
    pub fn connect_to_initialise(&self) -> Result<DbConnection, r2d2::Error> {
        match self.backend {
            Backend::Postgres => establish_postgres(&self.url)
                .map(DbConnection::Postgres)
                .map_err(r2d2::Error::ConnectionError),
            Backend::Sqlite => self.open_sqlite(true),
        }
    }

    /// Opens a connection like the pool's: on Postgres with the serving statement timeout.
    pub fn connect_to_serve(&self) -> Result<DbConnection, r2d2::Error> {
        match self.backend {
            Backend::Postgres => {
                let mut conn =
                    establish_postgres(&self.url).map_err(r2d2::Error::ConnectionError)?;
                if let Some(timeout) = self.statement_timeout {
                    conn.batch_execute(&format!("SET statement_timeout = {}", timeout.as_millis()))
                        .map_err(r2d2::Error::QueryError)?;
                }
                Ok(DbConnection::Postgres(conn))
            }
            Backend::Sqlite => self.open_sqlite(false),
        }
    }
}

/// A connection of the pool, with the moment the last request's work on it succeeded: what lets a
/// checkout skip the liveness query (see `RECENTLY_PROVEN`).
pub struct PooledConnection {
    conn: DbConnection,
    proven_at: Option<Instant>,
}

impl PooledConnection {
    /// Marks the connection as working now: `run` calls it when a request's work on it succeeded.
    fn prove(&mut self) {
        self.proven_at = Some(Instant::now());
    }

    /// Whether the connection succeeded recently enough to skip the liveness query. It asks once:
    /// until the next success, the connection counts as unchecked.
    fn recently_proven(&mut self) -> bool {
        self.proven_at
            .take()
            .is_some_and(|at| at.elapsed() < RECENTLY_PROVEN)
    }
}

impl Deref for PooledConnection {
    type Target = DbConnection;

    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl DerefMut for PooledConnection {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = PooledConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<PooledConnection, r2d2::Error> {
        let conn = self.connect_to_serve()?;
        Ok(PooledConnection {
            conn,
            proven_at: None,
        })
    }

    /// A ping, unless a request's work succeeded on the connection a moment ago. Whether the
    /// SQLite file is still the one opened is checked once per request, by `run`, before it takes
    /// a connection.
    fn is_valid(&self, conn: &mut PooledConnection) -> Result<(), r2d2::Error> {
        if conn.recently_proven() {
            return Ok(());
        }
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut PooledConnection) -> bool {
        conn.is_broken()
    }
}

/// The pool, with what requests check before they use it: whether the database is still the
/// one opened, and how long their queries may run.
#[derive(Clone)]
pub struct DbPool {
    pool: r2d2::Pool<ConnectionManager>,
    manager: ConnectionManager,
    events: PoolEvents,
}

impl DbPool {
    pub fn get(&self) -> Result<r2d2::PooledConnection<ConnectionManager>, r2d2::PoolError> {
        self.pool.get()
    }

    pub fn max_size(&self) -> u32 {
        self.pool.max_size()
    }

    pub fn manager(&self) -> &ConnectionManager {
        &self.manager
    }

    /// The connections open now, and how many of them are idle.
    pub fn state(&self) -> r2d2::State {
        self.pool.state()
    }

    /// How long checkouts waited, and how many gave up.
    pub fn events(&self) -> &PoolEvents {
        &self.events
    }
}

/// What the pool tells of its checkouts, for the metrics: the time each took (waiting for a free
/// connection and checking it is alive) and the number that gave up at the timeout (each a 503).
#[derive(Debug, Clone)]
pub struct PoolEvents {
    pub checkout_seconds: Histogram,
    pub timeouts: Counter,
}

impl Default for PoolEvents {
    /// Buckets from 50 µs (a free connection and its ping) by doublings to about 6.6 s, beyond the
    /// longest timeout a request waits by default.
    fn default() -> Self {
        Self {
            checkout_seconds: Histogram::new(exponential_buckets(0.000_05, 2.0, 18)),
            timeouts: Counter::default(),
        }
    }
}

impl r2d2::HandleEvent for PoolEvents {
    fn handle_checkout(&self, event: r2d2::event::CheckoutEvent) {
        self.checkout_seconds
            .observe(event.duration().as_secs_f64());
    }

    fn handle_timeout(&self, _event: r2d2::event::TimeoutEvent) {
        self.timeouts.inc();
    }
}

/// Pool settings; see `Config` for their meaning.
#[derive(Debug, Clone, Copy)]
pub struct PoolOptions {
    pub max_size: u32,
    pub timeout: Duration,
    /// The longest one query of a request may run; `None` for no limit.
    pub statement_timeout: Option<Duration>,
}

/// Builds the pool after one direct connection attempt, so that a wrong URL or a database that
/// is down is reported with its real cause.
pub fn connect(url: &str, options: PoolOptions) -> Result<DbPool, r2d2::Error> {
    initialise(url, options).map(|(pool, _)| pool)
}

/// Opens the connection that initialises the database (see
/// `ConnectionManager::connect_to_initialise`: a SQLite file that does not exist yet is created
/// here, and only here), then builds the pool.
pub fn initialise(url: &str, options: PoolOptions) -> Result<(DbPool, DbConnection), r2d2::Error> {
    let manager = ConnectionManager::new(url).with_statement_timeout(options.statement_timeout);
    // Before the pool, whose first connections would find no file to open.
    let conn = manager.connect_to_initialise()?;
    Ok((pool_of(manager, options), conn))
}

/// Builds the pool without opening any connection; requests get a 503 while the database is down.
pub fn pool(url: &str, options: PoolOptions) -> DbPool {
    pool_of(
        ConnectionManager::new(url).with_statement_timeout(options.statement_timeout),
        options,
    )
}

fn pool_of(manager: ConnectionManager, options: PoolOptions) -> DbPool {
    let events = PoolEvents::default();
    let pool = r2d2::Pool::builder()
        .max_size(options.max_size)
        .min_idle(Some(1))
        .connection_timeout(options.timeout)
        .event_handler(Box::new(events.clone()))
        .build_unchecked(manager.clone());
    DbPool {
        pool,
        manager,
        events,
    }
}

/// Why a database call failed, as far as the API needs to know.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("no database connection: {0}")]
    Unavailable(String),
    #[error("query failed: {0}")]
    Query(diesel::result::Error),
    #[error("query stopped at the statement timeout: {0}")]
    TimedOut(String),
    #[error("blocking task was cancelled")]
    Cancelled,
}

impl From<diesel::result::Error> for DbError {
    fn from(error: diesel::result::Error) -> Self {
        DbError::from_query(error)
    }
}

impl DbError {
    /// A failed query: one stopped by the request's statement deadline says so.
    pub fn from_query(error: diesel::result::Error) -> Self {
        match error {
            diesel::result::Error::DatabaseError(_, info) if deadline::passed() => {
                DbError::TimedOut(info.message().to_owned())
            }
            other => DbError::Query(other),
        }
    }
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
        let manager = pool.manager();
        manager.check_database()?;
        let mut conn = pool
            .get()
            .map_err(|e| DbError::Unavailable(e.to_string()))?;
        let result = deadline::within(manager.statement_timeout(), || f(&mut conn));
        if result.is_ok() {
            conn.prove();
        }
        result
    })
    .await
    .map_err(|_| E::from(DbError::Cancelled))?
}

/// Like `run`, for a write a request makes (an import over HTTP), on a connection of its own
/// rather than the pool's: its statements are never cut by the statement timeout of reads (as
/// imports from the command line are not), and a long import holds no serving connection.
pub async fn run_write<T, E, F>(pool: &DbPool, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    let manager = pool.manager().clone().with_statement_timeout(None);
    let span = tracing::Span::current();
    web::block(move || {
        let _request = span.enter();
        manager.check_database()?;
        let mut conn = manager
            .connect()
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
    read_snapshot_at(conn, None, f)
}

/// Like `read_snapshot`, with the tables as they stood at `vintage` when one is given
/// (`vintages::as_of`). That transaction is always rolled back, which takes the views it put in
/// the tables' place away with it: the connection goes back to the pool reading current rows.
pub fn read_snapshot_at<T, E, F>(
    conn: &mut DbConnection,
    vintage: Option<i64>,
    f: F,
) -> Result<T, E>
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
    begun.map_err(|e| E::from(DbError::from_query(e)))?;
    let result = match vintage {
        None => f(conn),
        Some(vintage) => vintages::as_of(conn, vintage)
            .map_err(|e| E::from(DbError::from_query(e)))
            .and_then(|()| f(conn)),
    };
    let ended = match vintage {
        None => end_transaction(conn, &result),
        Some(_) => DbConnection::rollback_transaction(conn),
    };
    ended.map_err(|e| E::from(DbError::from_query(e)))?;
    result
}

/// Ends the transaction `result` was computed in: committed when it is a success, rolled back
/// when it is a failure.
fn end_transaction<T, E>(conn: &mut DbConnection, result: &Result<T, E>) -> QueryResult<()> {
    use diesel::connection::TransactionManager;
    match result {
        Ok(_) => DbConnection::commit_transaction(conn),
        Err(_) => DbConnection::rollback_transaction(conn),
    }
}

/// Runs `f` in a transaction that holds the write lock, the turn of one writer of datasets (an
/// import, or start-up loading the bundled data): the flow ids it numbers from the largest stored
/// cannot be taken by another writer, and a second writer waits for the first, saying so in the
/// log, instead of failing. On Postgres this is a transaction-level advisory lock; on SQLite the
/// file's write lock, taken at `BEGIN IMMEDIATE` instead of at the first write (where a reader
/// turning writer fails with "database is locked" when another wrote first). Inside a transaction
/// already, `f` runs in a savepoint of it. On Postgres a committed write notifies the replicas
/// listening for dataset changes (`versions::CHANNEL`).
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let begun = match conn {
        DbConnection::Postgres(c) => begin_postgres_write(c),
        DbConnection::Sqlite(c) => begin_sqlite_write(c),
    };
    match begun {
        Err(diesel::result::Error::AlreadyInTransaction) => return conn.transaction(f),
        other => other?,
    }
    let mut result = f(conn);
    if result.is_ok()
        && let DbConnection::Postgres(c) = conn
        && let Err(e) = c.batch_execute(&format!("NOTIFY {}", versions::CHANNEL))
    {
        result = Err(e.into());
    }
    end_transaction(conn, &result)?;
    if result.is_ok() {
        LOCAL_WRITES.fetch_add(1, Ordering::SeqCst);
    }
    result
}

/// Dataset writes this process has committed (see `versions`).
static LOCAL_WRITES: AtomicU64 = AtomicU64::new(0);

/// How many dataset writes this process has committed: the versions a watch read before the
/// latest of them are not used (`versions`).
pub fn local_writes() -> u64 {
    LOCAL_WRITES.load(Ordering::SeqCst)
}

/// Takes the Postgres write lock, for the transaction (`xact`) or the session, saying in the log
/// when it has to wait for another writer.
fn lock_postgres_writes(c: &mut PgConnection, scope: &str) -> QueryResult<()> {
    use diesel::dsl::sql;
    use diesel::sql_types::Bool;
    let taken = diesel::select(sql::<Bool>(&format!(
        "pg_try_advisory{scope}_lock({WRITE_LOCK_KEY})"
    )))
    .get_result::<bool>(c)?;
    if !taken {
        tracing::info!("another import or start-up is writing datasets; waiting for it");
        c.batch_execute(&format!("SELECT pg_advisory{scope}_lock({WRITE_LOCK_KEY})"))?;
        tracing::info!("the other writer is done; going on");
    }
    Ok(())
}

fn begin_postgres_write(c: &mut PgConnection) -> QueryResult<()> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    AnsiTransactionManager::begin_transaction_sql(c, "BEGIN")?;
    let locked = lock_postgres_writes(c, "_xact").and_then(|()| vintages::begin_postgres(c));
    if locked.is_err() {
        let _ = AnsiTransactionManager::rollback_transaction(c);
    }
    locked
}

fn begin_sqlite_write(c: &mut SqliteConnection) -> QueryResult<()> {
    use diesel::connection::AnsiTransactionManager;
    let is_busy = |e: &diesel::result::Error| matches!(e, diesel::result::Error::DatabaseError(_, info) if info.message() == "database is locked");
    // The first attempt does not wait, so that a writer that has to wait says so at once.
    c.batch_execute("PRAGMA busy_timeout = 0")?;
    let mut waited = false;
    let begun = loop {
        match AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE") {
            Err(e) if is_busy(&e) => {
                if !waited {
                    tracing::info!(
                        "another import or start-up is writing to the database; waiting for it"
                    );
                    waited = true;
                    c.batch_execute(&format!(
                        "PRAGMA busy_timeout = {}",
                        SQLITE_WRITE_WAIT_LOG_EVERY.as_millis()
                    ))?;
                } else {
                    tracing::info!("still waiting for the other writer");
                }
            }
            other => break other,
        }
    };
    // Back to the pool's wait.
    c.batch_execute(SQLITE_BUSY_TIMEOUT)?;
    if begun.is_ok() && waited {
        tracing::info!("the other writer is done; going on");
    }
    begun
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

/// The newest migration applied to the database, if any.
pub fn latest_applied_migration(conn: &mut DbConnection) -> MigrationResult<Option<String>> {
    let applied = match conn {
        DbConnection::Postgres(c) => c.applied_migrations()?,
        DbConnection::Sqlite(c) => c.applied_migrations()?,
    };
    Ok(applied.iter().map(ToString::to_string).max())
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
        // ANALYZE writes, so it waits for its turn like any writer.
        DbConnection::Sqlite(_) => {
            write_transaction(conn, |conn| {
                conn.batch_execute("PRAGMA analysis_limit = 1000; ANALYZE")
            })?;
            conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }
}

/// Runs `f` while holding the start-up lock. On Postgres this is a session advisory lock shared
/// by all replicas (the write lock, see `write_transaction`, taken for the whole start-up); a
/// SQLite file has one writer at a time anyway.
pub fn with_startup_lock<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    if let DbConnection::Postgres(pg) = conn {
        lock_postgres_writes(pg, "")?;
        let result = f(conn);
        if let DbConnection::Postgres(pg) = conn {
            pg.batch_execute(&format!("SELECT pg_advisory_unlock({WRITE_LOCK_KEY})"))?;
        }
        result
    } else {
        f(conn)
    }
}

#[cfg(test)]
mod tests {
    use diesel::sqlite::SqliteConnection;
    use diesel::{Connection, QueryableByName, RunQueryDsl};

    #[derive(QueryableByName)]
    struct CompileOption {
        #[diesel(sql_type = diesel::sql_types::Text)]
        compile_options: String,
    }

    /// The bundled SQLite is built as `.cargo/config.toml` says. A build that lost those flags
    /// (another build tool, a moved config file) would answer the same, only slower: cached
    /// statements parsed anew on every execution, a mutex taken on every allocation and call.
    #[test]
    fn the_bundled_sqlite_plans_each_statement_once_and_takes_no_lock_it_does_not_need() {
        let mut conn = SqliteConnection::establish(":memory:").expect("in-memory database");
        let options: Vec<String> = diesel::sql_query("PRAGMA compile_options")
            .load::<CompileOption>(&mut conn)
            .expect("compile options")
            .into_iter()
            .map(|option| option.compile_options)
            .collect();
        for wanted in ["ENABLE_QPSG", "THREADSAFE=2", "DEFAULT_MEMSTATUS=0"] {
            assert!(
                options.iter().any(|option| option == wanted),
                "SQLite was built without {wanted}: {options:?}"
            );
        }
    }
}
