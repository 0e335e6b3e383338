//! Trilateral: a REST/JSON service for North American trade flows, wage statistics and treaty
//! provisions, on SQLite or Postgres.

pub mod api;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod import;
pub mod openapi;
pub mod shutdown;
pub mod telemetry;

use std::net::TcpListener;
use std::time::Duration;

use actix_web::HttpServer;
use actix_web::dev::Server;
use futures_util::future::{Either, select};

use crate::api::AppState;
use crate::api::import_keys::ImportKeys;
use crate::api::rate_limit::RateLimits;
use crate::api::spool::SpoolBudget;
use crate::api::v1::catalog::CatalogSettings;
use crate::config::Config;
use crate::db::versions::StopWatching;
use crate::db::{Backend, DbPool};
use crate::import::{ImportError, LoadOutcome};

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot connect to the database: {0}")]
    Database(#[from] diesel::r2d2::Error),
    #[error("cannot get a database connection: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("cannot migrate the database: {0}")]
    Migration(String),
    #[error("cannot load the bundled data: {0}")]
    Import(#[from] ImportError),
    #[error("TRILATERAL_IMPORT_KEYS: {0}")]
    ImportKeys(String),
    /// The catalogue's public URL or contact (the message names the setting).
    #[error("{0}")]
    Catalog(String),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
}

impl From<diesel::result::Error> for StartupError {
    fn from(error: diesel::result::Error) -> Self {
        StartupError::Import(ImportError::Database(error))
    }
}

/// Connects, then migrates and loads the bundled data while holding the start-up lock, so that
/// replicas starting together do the work once. This work runs on a connection of its own, the
/// one allowed to create a SQLite file and free of the statement timeout of serving queries.
pub fn prepare_database(config: &Config) -> Result<DbPool, StartupError> {
    let (pool, mut conn) = db::initialise(&config.database_url, config.pool_options())?;
    db::with_startup_lock(&mut conn, |conn| {
        let applied =
            db::run_migrations(conn).map_err(|e| StartupError::Migration(e.to_string()))?;
        for version in applied {
            tracing::info!(%version, "applied migration");
        }
        for outcome in import::load_bundled(conn)? {
            match outcome {
                LoadOutcome::Loaded {
                    id,
                    version,
                    rows,
                    millis,
                } => {
                    tracing::info!(
                        dataset = id,
                        version,
                        rows,
                        millis,
                        "loaded bundled dataset"
                    );
                }
                LoadOutcome::UpToDate { id, version } => {
                    tracing::debug!(dataset = id, version, "bundled dataset up to date");
                }
            }
        }
        Ok::<_, StartupError>(())
    })?;
    Ok(pool)
}

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    /// A second handle on the listening socket, for the stop on a signal (`shutdown`).
    listener: TcpListener,
    grace: Duration,
    /// Ends the watch of dataset versions when the server's future ends or is dropped.
    watching: StopWatching,
}

impl Application {
    /// Prepares the database and binds the listener. `main` and the integration tests both start
    /// the service through this.
    pub fn build(config: &Config) -> Result<Self, StartupError> {
        // Reference data is read before anything else: a bundled file that does not parse stops
        // the start instead of leaving every answer that needs it to fail.
        let treaty_reference = import::treaties::reference_data()?;
        let import_keys =
            ImportKeys::parse(&config.import_keys).map_err(StartupError::ImportKeys)?;
        let catalog = CatalogSettings::new(
            &config.public_url,
            &config.contact_name,
            &config.contact_email,
        )
        .map_err(StartupError::Catalog)?;
        let pool = prepare_database(config)?;
        let state = AppState::new(
            pool,
            Backend::from_url(&config.database_url),
            config.answer_memo_mb.saturating_mul(1 << 20),
            treaty_reference,
        )
        .with_spool_budget(SpoolBudget::new(
            config.spool_max_mb.saturating_mul(1 << 20),
            config.spool_export_max_mb.saturating_mul(1 << 20),
        ))
        .with_imports(import_keys, config.import_max_mb.saturating_mul(1 << 20))
        .with_rate_limits(RateLimits::new(
            config.rate_limit_per_second,
            config.rate_limit_burst,
            config.rate_limit_loopback,
        ));
        let watching = state.versions.stop_on_drop();
        let spec = openapi::spec();
        let bind_error = |source| StartupError::Bind {
            address: config.bind.clone(),
            source,
        };
        let listener = TcpListener::bind(&config.bind).map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();
        let own_handle = listener.try_clone().map_err(bind_error)?;
        let state = state.with_catalog(catalog.or_listening_on(&config.bind, port));
        let stall_timeout = Duration::from_secs(config.stalled_client_timeout_secs);
        let mut server = HttpServer::new(move || api::app(state.clone(), spec.clone()))
            // Signals are handled by `run_until_signalled`: actix's own handling resets every
            // connection on SIGINT and the queued ones on SIGTERM.
            .disable_signals()
            .shutdown_timeout(config.shutdown_grace_secs)
            .on_connect(move |connection, _| {
                shutdown::limit_stalled_client(connection, stall_timeout)
            });
        if let Some(workers) = config.workers {
            server = server.workers(workers.max(1));
        }
        let server = server.listen(listener).map_err(bind_error)?.run();
        Ok(Self {
            port,
            server,
            listener: own_handle,
            grace: Duration::from_secs(config.shutdown_grace_secs),
            watching,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the server is stopped through a handle (what the tests do).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let _watching = self.watching;
        self.server.await
    }

    /// Serves until SIGTERM or SIGINT, then stops as `shutdown` describes: within the grace
    /// period (plus at most a second), or at once on a second signal. The signals are caught from
    /// this call on, before the returned future first runs.
    pub fn run_until_signalled(
        self,
    ) -> std::io::Result<impl std::future::Future<Output = std::io::Result<()>>> {
        let mut signals = shutdown::StopSignals::catch()?;
        let Self {
            server,
            listener,
            grace,
            watching,
            ..
        } = self;
        let handle = server.handle();
        let signalled = async move {
            let signal = signals.next().await;
            tracing::info!(
                ?signal,
                grace_secs = grace.as_secs(),
                "stopping: no new connections; answering the requests already read"
            );
            actix_web::rt::spawn(shutdown::stop_gracefully(handle, listener));
            let again = signals.next().await;
            tracing::warn!(signal = ?again, "second signal: cutting the requests under way");
        };
        Ok(async move {
            let _watching = watching;
            match select(server, Box::pin(signalled)).await {
                Either::Left((served, _)) => served,
                Either::Right(((), _)) => Ok(()),
            }
        })
    }
}
