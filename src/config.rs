//! Command line and configuration. Every option is also an environment variable:
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `TRILATERAL_DATABASE_URL` | `trilateral.db` | `postgres://…`/`postgresql://…` for Postgres; `sqlite://…` or a path for SQLite |
//! | `TRILATERAL_BIND` | `127.0.0.1:8080` | address the HTTP server listens on |
//! | `TRILATERAL_WORKERS` | number of CPUs | HTTP worker threads |
//! | `TRILATERAL_DB_POOL_SIZE` | 4 per CPU | database connections per process |
//! | `TRILATERAL_DB_TIMEOUT_SECS` | `5` | how long a request waits for a connection before a 503 |
//! | `TRILATERAL_ANSWER_MEMO_MB` | `64` | memory for answers kept by ETag; `0` turns the memo off |
//! | `TRILATERAL_LOG` | `info` | log filter (`tracing` EnvFilter syntax) |
//! | `TRILATERAL_LOG_FORMAT` | `text` | `text` or `json` (one JSON object per line) |

use std::time::Duration;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::db::PoolOptions;
use crate::import::command::ImportKind;

pub const DEFAULT_DATABASE_URL: &str = "trilateral.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
const DEFAULT_DB_TIMEOUT_SECS: u64 = 5;
const DEFAULT_ANSWER_MEMO_MB: usize = 64;
const DEFAULT_LOG_FILTER: &str = "info";

/// Trilateral: North American trade flows, wage statistics and treaty provisions over HTTP.
#[derive(Debug, Parser)]
#[command(name = "trilateral", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default): applies migrations and loads the bundled data first.
    Serve,
    /// Apply pending database migrations, or revert them all with --revert.
    Migrate {
        /// Revert every migration instead (drops all tables and their data).
        #[arg(long)]
        revert: bool,
    },
    /// Load a file into the database in one transaction: trade flows (census-intltrade, comtrade,
    /// csv) and treaty texts (tota-xml, articles) replace the rows of their dataset and bump its
    /// version; sources are added or updated. A bad row rejects the whole file with its position
    /// and changes nothing.
    Import {
        /// What the file holds.
        #[arg(value_enum)]
        kind: ImportKind,
        /// The file to read, or - for standard input.
        file: String,
        /// The dataset to replace [default: census_intltrade, comtrade_api or trade_csv by kind].
        #[arg(long)]
        dataset: Option<String>,
        /// The source the flows are attributed to, an id of /v1/sources [default:
        /// census_intltrade_api or un_comtrade_api; CSV rows name their own].
        #[arg(long)]
        source: Option<String>,
    },
    /// Print the OpenAPI document as JSON.
    Openapi,
    /// Exit 0 if the server at TRILATERAL_BIND answers /healthz, 1 otherwise (for container
    /// health checks, which have no curl).
    Healthcheck,
}

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Database URL: postgres://… or postgresql://… for Postgres; sqlite://… or a file path for SQLite.
    #[arg(long, global = true, env = "TRILATERAL_DATABASE_URL", default_value = DEFAULT_DATABASE_URL, hide_env_values = true)]
    pub database_url: String,

    /// Address the HTTP server listens on.
    #[arg(long, global = true, env = "TRILATERAL_BIND", default_value = DEFAULT_BIND)]
    pub bind: String,

    /// HTTP worker threads [default: number of CPUs].
    #[arg(long, global = true, env = "TRILATERAL_WORKERS")]
    pub workers: Option<usize>,

    /// Database connections per process [default: 4 per CPU].
    #[arg(long, global = true, env = "TRILATERAL_DB_POOL_SIZE")]
    pub db_pool_size: Option<u32>,

    /// Seconds a request waits for a database connection before it gets a 503.
    #[arg(long, global = true, env = "TRILATERAL_DB_TIMEOUT_SECS", default_value_t = DEFAULT_DB_TIMEOUT_SECS)]
    pub db_timeout_secs: u64,

    /// Megabytes of answers kept in memory by ETag and served again while their datasets are
    /// unchanged (each request still reads the dataset versions); 0 turns this off.
    #[arg(long, global = true, env = "TRILATERAL_ANSWER_MEMO_MB", default_value_t = DEFAULT_ANSWER_MEMO_MB)]
    pub answer_memo_mb: usize,

    /// Log filter, in tracing's EnvFilter syntax (for example `info,trilateral=debug`).
    #[arg(long, global = true, env = "TRILATERAL_LOG", default_value = DEFAULT_LOG_FILTER)]
    pub log: String,

    /// Log format.
    #[arg(long, global = true, env = "TRILATERAL_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

impl Default for Config {
    /// The defaults the command line declares (they are declared there only), without reading the
    /// environment: what tests and embedders start from.
    #[expect(
        clippy::expect_used,
        reason = "the defaults are constants of this file; the unit test below parses them"
    )]
    fn default() -> Self {
        let command = Cli::command().mut_args(|arg| arg.env(None::<&str>));
        let matches = command
            .try_get_matches_from(["trilateral"])
            .expect("the command line declares a default for every option");
        Config::from_arg_matches(&matches).expect("the defaults make a configuration")
    }
}

/// Four connections per CPU: enough to keep the CPUs busy while some queries wait on the network
/// or on a slow client of a streamed export. Many more let more queries run at once than there
/// are cores, and on Postgres that turned into stalls of up to four seconds (most likely backends
/// sleeping in spinlock back-off while the holder waits for a core): with 16 connections on two
/// cores a few requests in 100,000 took over 2 s; with 8, none took over 20 ms, at the same
/// throughput.
fn default_pool_size() -> u32 {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    u32::try_from(cpus * 4).unwrap_or(u32::MAX)
}

impl Config {
    pub fn pool_options(&self) -> PoolOptions {
        PoolOptions {
            max_size: self.db_pool_size.unwrap_or_else(default_pool_size).max(1),
            timeout: Duration::from_secs(self.db_timeout_secs.max(1)),
        }
    }
}
/// The import formats as command-line values: the names and help the import module gives them.
impl clap::ValueEnum for ImportKind {
    fn value_variants<'a>() -> &'a [Self] {
        <ImportKind as strum::VariantArray>::VARIANTS
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()).help(self.describe()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_import_kind_is_named_on_the_command_line_in_kebab_case() {
        for kind in <ImportKind as strum::VariantArray>::VARIANTS {
            let parsed = Cli::try_parse_from(["trilateral", "import", kind.name(), "file"])
                .map(|cli| cli.command);
            assert!(
                matches!(parsed, Ok(Some(Command::Import { kind: k, .. })) if k == *kind),
                "{kind:?}"
            );
            assert!(!kind.describe().is_empty(), "{kind:?} has no help");
        }
        assert_eq!(ImportKind::CensusIntltrade.name(), "census-intltrade");
        assert_eq!(ImportKind::TotaXml.name(), "tota-xml");
    }

    #[test]
    fn the_default_configuration_is_the_command_lines() {
        let config = Config::default();
        let parsed = Cli::try_parse_from(["trilateral", "serve"]).map(|cli| cli.config);
        let parsed = parsed.expect("an empty command line parses");
        // Equal unless the environment sets an option, which the default never reads.
        let option_set =
            |name: &str| name.starts_with("TRILATERAL_") && !name.starts_with("TRILATERAL_TEST_");
        if !std::env::vars().any(|(name, _)| option_set(&name)) {
            assert_eq!(format!("{config:?}"), format!("{parsed:?}"));
        }
        assert_eq!(config.database_url, "trilateral.db");
        assert_eq!(config.bind, "127.0.0.1:8080");
        assert_eq!(config.pool_options().timeout, Duration::from_secs(5));
        assert_eq!(config.answer_memo_mb, 64);
        assert_eq!(config.log_format, LogFormat::Text);
    }
}
