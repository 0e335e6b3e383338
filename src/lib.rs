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
pub mod telemetry;

use std::net::TcpListener;

use actix_web::HttpServer;
use actix_web::dev::Server;

use crate::api::AppState;
use crate::config::Config;
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
}

impl Application {
    /// Prepares the database and binds the listener. `main` and the integration tests both start
    /// the service through this.
    pub fn build(config: &Config) -> Result<Self, StartupError> {
        // Reference data is read before anything else: a bundled file that does not parse stops
        // the start instead of leaving every answer that needs it to fail.
        let treaty_reference = import::treaties::reference_data()?;
        let pool = prepare_database(config)?;
        let state = AppState::new(
            pool,
            Backend::from_url(&config.database_url),
            config.answer_memo_mb.saturating_mul(1 << 20),
            treaty_reference,
        );
        let spec = openapi::spec();
        let bind_error = |source| StartupError::Bind {
            address: config.bind.clone(),
            source,
        };
        let listener = TcpListener::bind(&config.bind).map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();
        let mut server = HttpServer::new(move || api::app(state.clone(), spec.clone()));
        if let Some(workers) = config.workers {
            server = server.workers(workers.max(1));
        }
        let server = server.listen(listener).map_err(bind_error)?.run();
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
