//! Command line and configuration. Each subcommand takes the options it uses, and every option is
//! also an environment variable:
//!
//! | variable | default | meaning | subcommands |
//! | --- | --- | --- | --- |
//! | `TRILATERAL_DATABASE_URL` | `trilateral.db` | `postgres://…`/`postgresql://…` for Postgres; `sqlite://…` or a path for SQLite | serve, import, migrate, prune |
//! | `TRILATERAL_BIND` | `127.0.0.1:8080` | address the HTTP server listens on | serve, healthcheck |
//! | `TRILATERAL_WORKERS` | number of CPUs | HTTP worker threads | serve |
//! | `TRILATERAL_DB_POOL_SIZE` | 4 per CPU | database connections per process | serve |
//! | `TRILATERAL_DB_TIMEOUT_SECS` | `5` | how long a request waits for a connection before a 503 | serve |
//! | `TRILATERAL_DB_STATEMENT_TIMEOUT_MS` | `30000` | longest one query of a request may run before a 503; `0` for no limit | serve |
//! | `TRILATERAL_ANSWER_MEMO_MB` | `64` | memory for answers kept by ETag; `0` turns the memo off | serve |
//! | `TRILATERAL_SHUTDOWN_GRACE_SECS` | `30` | after SIGTERM or SIGINT, how long requests under way may take before they are cut | serve |
//! | `TRILATERAL_STALLED_CLIENT_TIMEOUT_SECS` | `60` | how long a client may read nothing of an answer before its connection is dropped | serve |
//! | `TRILATERAL_SPOOL_MAX_MB` | `1024` | disk for what slow export clients have not read yet, all exports together | serve |
//! | `TRILATERAL_SPOOL_EXPORT_MAX_MB` | `256` | the same, for one export | serve |
//! | `TRILATERAL_RATE_LIMIT_PER_SECOND` | `100` | requests per second one client (an import key, else an address) may make, sustained; `0` turns rate limits off | serve |
//! | `TRILATERAL_RATE_LIMIT_BURST` | `200` | requests one client may make at once before the sustained rate applies | serve |
//! | `TRILATERAL_RATE_LIMIT_LOOPBACK` | `false` | also limit clients on the loopback interface (the machine's own jobs, a local proxy) | serve |
//! | `TRILATERAL_IMPORT_KEYS` | none | keys that may import over HTTP: `name:sha256[:kind+kind]`, comma-separated (the hex SHA-256 of each key, never the key) | serve |
//! | `TRILATERAL_IMPORT_MAX_MB` | `256` | the largest body an import over HTTP may have | serve |
//! | `TRILATERAL_KEEP_VERSIONS` | none (keep all) | how many versions of each dataset `prune` keeps | prune |
//! | `TRILATERAL_LOG` | `info` | log filter (`tracing` EnvFilter syntax) | serve, import, migrate, prune |
//! | `TRILATERAL_LOG_FORMAT` | `text` | `text` or `json` (one JSON object per line) | serve, import, migrate, prune |
//!
//! `trilateral` without a subcommand runs `serve`, configured by the environment.

use std::ffi::OsString;
use std::time::Duration;

use clap::error::ErrorKind;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::db::PoolOptions;
use crate::import::command::ImportKind;

pub const DEFAULT_DATABASE_URL: &str = "trilateral.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
const DEFAULT_DB_TIMEOUT_SECS: u64 = 5;
const DEFAULT_DB_STATEMENT_TIMEOUT_MS: u64 = 30_000;
const DEFAULT_ANSWER_MEMO_MB: usize = 64;
const DEFAULT_SHUTDOWN_GRACE_SECS: u64 = 30;
const DEFAULT_STALLED_CLIENT_TIMEOUT_SECS: u64 = 60;
const DEFAULT_SPOOL_MAX_MB: u64 = 1024;
const DEFAULT_SPOOL_EXPORT_MAX_MB: u64 = 256;
const DEFAULT_RATE_LIMIT_PER_SECOND: u32 = 100;
const DEFAULT_RATE_LIMIT_BURST: u32 = 200;
const DEFAULT_IMPORT_MAX_MB: u64 = 256;
const DEFAULT_LOG_FILTER: &str = "info";

/// Trilateral: North American trade flows, wage statistics and treaty provisions over HTTP.
#[derive(Debug, Parser)]
#[command(name = "trilateral", version, about, long_about = None)]
#[command(after_help = "Without a subcommand, trilateral runs `serve`.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// The subcommand `args` (program name first) ask for. A bare `trilateral` is parsed as
    /// `trilateral serve`, so that it reads the server's options from the environment exactly as
    /// `serve` does; the top level itself takes no options, which keeps each option in the help of
    /// the subcommands that use it.
    pub fn parse_command<I, T>(args: I) -> Result<Command, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString>,
    {
        let mut args: Vec<OsString> = args.into_iter().map(Into::into).collect();
        if args.len() <= 1 {
            args.push("serve".into());
        }
        Cli::try_parse_from(args)?.command.ok_or_else(|| {
            Cli::command().error(ErrorKind::MissingSubcommand, "a subcommand is required")
        })
    }
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Run the HTTP server (what `trilateral` alone does): applies migrations and loads the
    /// bundled data first.
    Serve(ServeArgs),
    /// Apply pending database migrations (or revert them all).
    Migrate {
        /// Revert every migration instead (drops all tables and their data).
        #[arg(long)]
        revert: bool,
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        log: LogArgs,
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
        /// The dataset to replace, whatever a CSV's dataset_id column says (it names where the
        /// rows came from) [default: census_intltrade, comtrade_api or trade_csv by kind].
        #[arg(long)]
        dataset: Option<String>,
        /// The source the flows are attributed to, an id of /v1/sources [default:
        /// census_intltrade_api or un_comtrade_api; CSV rows name their own].
        #[arg(long)]
        source: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        log: LogArgs,
    },
    /// Delete the rows only old versions had: keep the last versions of every dataset (at
    /// least one) and mark the others as no longer readable with as_of. Vintages are kept in
    /// full until this is run.
    Prune {
        /// How many versions of each dataset to keep.
        #[arg(long, env = "TRILATERAL_KEEP_VERSIONS", value_parser = clap::value_parser!(u32).range(1..))]
        keep: u32,
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        log: LogArgs,
    },
    /// Print the OpenAPI document as JSON.
    Openapi,
    /// Exit 0 if the server at the address answers /healthz, 1 otherwise (for container health
    /// checks, which have no curl).
    Healthcheck(BindArgs),
}

/// The options of `serve`, each declared once in the group it shares with other subcommands.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub bind: BindArgs,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

/// The database, for every subcommand that opens it.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Database URL: postgres://… or postgresql://… for Postgres; sqlite://… or a file path for SQLite.
    #[arg(long, env = "TRILATERAL_DATABASE_URL", default_value = DEFAULT_DATABASE_URL, hide_env_values = true)]
    pub database_url: String,
}

/// The server's address: where `serve` listens and `healthcheck` asks.
#[derive(Debug, Clone, Args)]
pub struct BindArgs {
    /// Address the HTTP server listens on.
    #[arg(long, env = "TRILATERAL_BIND", default_value = DEFAULT_BIND)]
    pub bind: String,
}

/// What only a running server uses.
#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// HTTP worker threads [default: number of CPUs].
    #[arg(long, env = "TRILATERAL_WORKERS")]
    pub workers: Option<usize>,

    /// Database connections per process [default: 4 per CPU].
    #[arg(long, env = "TRILATERAL_DB_POOL_SIZE")]
    pub db_pool_size: Option<u32>,

    /// Seconds a request waits for a database connection before it gets a 503.
    #[arg(long, env = "TRILATERAL_DB_TIMEOUT_SECS", default_value_t = DEFAULT_DB_TIMEOUT_SECS)]
    pub db_timeout_secs: u64,

    /// Milliseconds one query of a request may run before it is stopped and the request gets a
    /// 503; 0 for no limit. Start-up loading and imports are never cut.
    #[arg(long, env = "TRILATERAL_DB_STATEMENT_TIMEOUT_MS", default_value_t = DEFAULT_DB_STATEMENT_TIMEOUT_MS)]
    pub db_statement_timeout_ms: u64,

    /// Megabytes of answers kept in memory by ETag and served again while their datasets are
    /// unchanged (each request still reads the dataset versions); 0 turns this off.
    #[arg(long, env = "TRILATERAL_ANSWER_MEMO_MB", default_value_t = DEFAULT_ANSWER_MEMO_MB)]
    pub answer_memo_mb: usize,

    /// Seconds that requests under way may take after SIGTERM or SIGINT (both stop the server the
    /// same way: no new connections, every request already read answered); what is still running
    /// then is cut. A second signal cuts at once.
    #[arg(long, env = "TRILATERAL_SHUTDOWN_GRACE_SECS", default_value_t = DEFAULT_SHUTDOWN_GRACE_SECS)]
    pub shutdown_grace_secs: u64,

    /// Seconds a client may read nothing of an answer (a stalled export download) before its
    /// connection is dropped, freeing what was kept for it; 0 turns this off.
    #[arg(long, env = "TRILATERAL_STALLED_CLIENT_TIMEOUT_SECS", default_value_t = DEFAULT_STALLED_CLIENT_TIMEOUT_SECS)]
    pub stalled_client_timeout_secs: u64,

    /// Megabytes of temporary files holding what slow export clients have not read yet, all
    /// exports together; while they are full, a new export gets a 503.
    #[arg(long, env = "TRILATERAL_SPOOL_MAX_MB", default_value_t = DEFAULT_SPOOL_MAX_MB, value_parser = clap::value_parser!(u64).range(1..))]
    pub spool_max_mb: u64,

    /// The same for one export: a client that falls further behind has its export cut.
    #[arg(long, env = "TRILATERAL_SPOOL_EXPORT_MAX_MB", default_value_t = DEFAULT_SPOOL_EXPORT_MAX_MB, value_parser = clap::value_parser!(u64).range(1..))]
    pub spool_export_max_mb: u64,

    /// Requests per second one client may make, sustained: an import key, or else an address (an
    /// IPv6 client is its /64); further requests get a 429 with `Retry-After`. 0 turns rate
    /// limits off. Each replica counts its own requests.
    #[arg(long, env = "TRILATERAL_RATE_LIMIT_PER_SECOND", default_value_t = DEFAULT_RATE_LIMIT_PER_SECOND)]
    pub rate_limit_per_second: u32,

    /// Requests one client may make at once, above the sustained rate, after it has been quiet
    /// (at least 1).
    #[arg(long, env = "TRILATERAL_RATE_LIMIT_BURST", default_value_t = DEFAULT_RATE_LIMIT_BURST, value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit_burst: u32,

    /// Limit clients on the loopback interface too; by default they are not limited (the
    /// machine's own jobs, or a proxy in front of the service, which should limit by itself).
    #[arg(long, env = "TRILATERAL_RATE_LIMIT_LOOPBACK", default_value_t = false, action = clap::ArgAction::Set)]
    pub rate_limit_loopback: bool,

    /// Keys that may import over HTTP (POST /v1/admin/imports/{kind}), comma-separated, each
    /// `name:sha256` or `name:sha256:kind+kind`: a name for the log, the hex SHA-256 of the key
    /// (`printf %s "$KEY" | sha256sum`), and the kinds it may import (all if none are given).
    /// Without keys, imports over HTTP are refused.
    #[arg(
        long,
        env = "TRILATERAL_IMPORT_KEYS",
        default_value = "",
        hide_env_values = true,
        hide_default_value = true
    )]
    pub import_keys: String,

    /// The largest body, in megabytes, an import over HTTP may have; a larger one gets a 413.
    #[arg(long, env = "TRILATERAL_IMPORT_MAX_MB", default_value_t = DEFAULT_IMPORT_MAX_MB, value_parser = clap::value_parser!(u64).range(1..))]
    pub import_max_mb: u64,

    /// The URL clients reach the service at (`https://data.example.org`), which the DCAT catalogue
    /// (`/v1/catalog`) builds its absolute URLs on [default: http:// and the address listened on,
    /// `localhost` for every interface].
    #[arg(
        long,
        env = "TRILATERAL_PUBLIC_URL",
        default_value = "",
        hide_default_value = true
    )]
    pub public_url: String,

    /// The email address the DCAT catalogue gives as every dataset's contact (`contactPoint`,
    /// which harvesters such as data.gov's require); without it, the catalogue gives none.
    #[arg(
        long,
        env = "TRILATERAL_CONTACT_EMAIL",
        default_value = "",
        hide_default_value = true
    )]
    pub contact_email: String,

    /// The name given with the contact email [default: the address].
    #[arg(
        long,
        env = "TRILATERAL_CONTACT_NAME",
        default_value = "",
        hide_default_value = true
    )]
    pub contact_name: String,
}

/// Logging, for the subcommands that log.
#[derive(Debug, Clone, Args)]
pub struct LogArgs {
    /// Log filter, in tracing's EnvFilter syntax (for example `info,trilateral=debug`).
    #[arg(long, env = "TRILATERAL_LOG", default_value = DEFAULT_LOG_FILTER)]
    pub log: String,

    /// Log format.
    #[arg(long, env = "TRILATERAL_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// What the service runs with: `serve`'s options, flat, so that tests and embedders write
/// `Config { database_url, ..Config::default() }`.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: String,
    pub workers: Option<usize>,
    pub db_pool_size: Option<u32>,
    pub db_timeout_secs: u64,
    pub db_statement_timeout_ms: u64,
    pub answer_memo_mb: usize,
    pub shutdown_grace_secs: u64,
    pub stalled_client_timeout_secs: u64,
    pub spool_max_mb: u64,
    pub spool_export_max_mb: u64,
    pub rate_limit_per_second: u32,
    pub rate_limit_burst: u32,
    pub rate_limit_loopback: bool,
    pub import_keys: String,
    pub import_max_mb: u64,
    pub public_url: String,
    pub contact_email: String,
    pub contact_name: String,
    pub log: String,
    pub log_format: LogFormat,
}

impl From<ServeArgs> for Config {
    fn from(args: ServeArgs) -> Self {
        Config {
            database_url: args.database.database_url,
            bind: args.bind.bind,
            workers: args.server.workers,
            db_pool_size: args.server.db_pool_size,
            db_timeout_secs: args.server.db_timeout_secs,
            db_statement_timeout_ms: args.server.db_statement_timeout_ms,
            answer_memo_mb: args.server.answer_memo_mb,
            shutdown_grace_secs: args.server.shutdown_grace_secs,
            stalled_client_timeout_secs: args.server.stalled_client_timeout_secs,
            spool_max_mb: args.server.spool_max_mb,
            spool_export_max_mb: args.server.spool_export_max_mb,
            rate_limit_per_second: args.server.rate_limit_per_second,
            rate_limit_burst: args.server.rate_limit_burst,
            rate_limit_loopback: args.server.rate_limit_loopback,
            import_keys: args.server.import_keys,
            import_max_mb: args.server.import_max_mb,
            public_url: args.server.public_url,
            contact_email: args.server.contact_email,
            contact_name: args.server.contact_name,
            log: args.log.log,
            log_format: args.log.log_format,
        }
    }
}

impl Default for Config {
    /// The defaults `serve` declares (they are declared there only), without reading the
    /// environment: what tests and embedders start from.
    #[expect(
        clippy::expect_used,
        reason = "the defaults are constants of this file; the unit test below parses them"
    )]
    fn default() -> Self {
        let command = ServeArgs::augment_args(clap::Command::new("serve"))
            .mut_args(|arg| arg.env(None::<&str>));
        let matches = command
            .try_get_matches_from(["serve"])
            .expect("serve declares a default for every option");
        ServeArgs::from_arg_matches(&matches)
            .expect("the defaults make a configuration")
            .into()
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
    /// The configuration of a subcommand that only opens the database (`import`, `migrate`): the
    /// server's settings stay at their defaults, since nothing serves requests, and no statement
    /// is cut short.
    pub fn for_database(database: &DatabaseArgs) -> Self {
        Config {
            database_url: database.database_url.clone(),
            db_statement_timeout_ms: 0,
            ..Config::default()
        }
    }

    pub fn pool_options(&self) -> PoolOptions {
        PoolOptions {
            max_size: self.db_pool_size.unwrap_or_else(default_pool_size).max(1),
            timeout: Duration::from_secs(self.db_timeout_secs.max(1)),
            statement_timeout: (self.db_statement_timeout_ms > 0)
                .then(|| Duration::from_millis(self.db_statement_timeout_ms)),
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
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_import_kind_is_named_on_the_command_line_in_kebab_case() {
        for kind in <ImportKind as strum::VariantArray>::VARIANTS {
            let parsed = Cli::parse_command(["trilateral", "import", kind.name(), "file"]);
            assert!(
                matches!(parsed, Ok(Command::Import { kind: k, .. }) if k == *kind),
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
        let parsed = match Cli::parse_command(["trilateral", "serve"]) {
            Ok(Command::Serve(args)) => Config::from(args),
            other => panic!("serve parses as serve: {other:?}"),
        };
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
        assert_eq!(config.shutdown_grace_secs, 30);
        assert_eq!(config.stalled_client_timeout_secs, 60);
        assert_eq!(
            (config.spool_max_mb, config.spool_export_max_mb),
            (1024, 256)
        );
        assert_eq!(
            (
                config.rate_limit_per_second,
                config.rate_limit_burst,
                config.rate_limit_loopback
            ),
            (100, 200, false)
        );
        assert_eq!(config.log_format, LogFormat::Text);
    }

    #[test]
    fn trilateral_alone_serves() {
        let command = Cli::parse_command(["trilateral"]);
        assert!(matches!(command, Ok(Command::Serve(_))), "{command:?}");
    }

    /// The long options a help text names, without their dashes.
    fn options_in_help(args: &[&str]) -> BTreeSet<String> {
        let error = Cli::try_parse_from(args).expect_err("help ends the parse");
        assert_eq!(error.kind(), ErrorKind::DisplayHelp, "{args:?}: {error}");
        error
            .render()
            .to_string()
            .split_whitespace()
            .filter_map(|word| word.strip_prefix("--"))
            .map(|word| word.trim_end_matches(|c: char| !c.is_ascii_alphanumeric()))
            .filter(|word| !word.is_empty())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn each_subcommands_help_shows_only_its_own_options() {
        let database = ["database-url"];
        let log = ["log", "log-format"];
        let server = [
            "bind",
            "workers",
            "db-pool-size",
            "db-timeout-secs",
            "db-statement-timeout-ms",
            "answer-memo-mb",
            "shutdown-grace-secs",
            "stalled-client-timeout-secs",
            "spool-max-mb",
            "spool-export-max-mb",
            "rate-limit-per-second",
            "rate-limit-burst",
            "rate-limit-loopback",
            "import-keys",
            "import-max-mb",
            "public-url",
            "contact-email",
            "contact-name",
        ];
        let cases: [(&[&str], Vec<&str>); 6] = [
            (&["trilateral", "--help"], vec!["help", "version"]),
            (
                &["trilateral", "serve", "--help"],
                [&["help"][..], &database, &server, &log].concat(),
            ),
            (
                &["trilateral", "import", "--help"],
                [&["help", "dataset", "source"][..], &database, &log].concat(),
            ),
            (
                &["trilateral", "migrate", "--help"],
                [&["help", "revert"][..], &database, &log].concat(),
            ),
            (
                &["trilateral", "healthcheck", "--help"],
                vec!["help", "bind"],
            ),
            (&["trilateral", "openapi", "--help"], vec!["help"]),
        ];
        for (args, expected) in cases {
            let expected: BTreeSet<String> = expected.into_iter().map(str::to_owned).collect();
            assert_eq!(options_in_help(args), expected, "{args:?}");
        }
    }

    #[test]
    fn a_subcommand_refuses_the_options_of_another() {
        let cases: [&[&str]; 5] = [
            &[
                "trilateral",
                "import",
                "csv",
                "f.csv",
                "--bind",
                "0.0.0.0:80",
            ],
            &["trilateral", "migrate", "--workers", "2"],
            &["trilateral", "healthcheck", "--database-url", "x.db"],
            &["trilateral", "openapi", "--log", "debug"],
            &["trilateral", "--bind", "0.0.0.0:80"],
        ];
        for args in cases {
            let error = Cli::parse_command(args).expect_err("refused");
            assert_eq!(
                error.kind(),
                ErrorKind::UnknownArgument,
                "{args:?}: {error}"
            );
        }
    }

    #[test]
    fn every_option_keeps_its_environment_variable() {
        let expected = [
            ("serve", "database-url", "TRILATERAL_DATABASE_URL"),
            ("serve", "bind", "TRILATERAL_BIND"),
            ("serve", "workers", "TRILATERAL_WORKERS"),
            ("serve", "db-pool-size", "TRILATERAL_DB_POOL_SIZE"),
            ("serve", "db-timeout-secs", "TRILATERAL_DB_TIMEOUT_SECS"),
            (
                "serve",
                "db-statement-timeout-ms",
                "TRILATERAL_DB_STATEMENT_TIMEOUT_MS",
            ),
            ("serve", "answer-memo-mb", "TRILATERAL_ANSWER_MEMO_MB"),
            (
                "serve",
                "shutdown-grace-secs",
                "TRILATERAL_SHUTDOWN_GRACE_SECS",
            ),
            (
                "serve",
                "stalled-client-timeout-secs",
                "TRILATERAL_STALLED_CLIENT_TIMEOUT_SECS",
            ),
            ("serve", "spool-max-mb", "TRILATERAL_SPOOL_MAX_MB"),
            (
                "serve",
                "spool-export-max-mb",
                "TRILATERAL_SPOOL_EXPORT_MAX_MB",
            ),
            (
                "serve",
                "rate-limit-per-second",
                "TRILATERAL_RATE_LIMIT_PER_SECOND",
            ),
            ("serve", "rate-limit-burst", "TRILATERAL_RATE_LIMIT_BURST"),
            (
                "serve",
                "rate-limit-loopback",
                "TRILATERAL_RATE_LIMIT_LOOPBACK",
            ),
            ("serve", "import-keys", "TRILATERAL_IMPORT_KEYS"),
            ("serve", "import-max-mb", "TRILATERAL_IMPORT_MAX_MB"),
            ("serve", "public-url", "TRILATERAL_PUBLIC_URL"),
            ("serve", "contact-email", "TRILATERAL_CONTACT_EMAIL"),
            ("serve", "contact-name", "TRILATERAL_CONTACT_NAME"),
            ("serve", "log", "TRILATERAL_LOG"),
            ("serve", "log-format", "TRILATERAL_LOG_FORMAT"),
            ("import", "database-url", "TRILATERAL_DATABASE_URL"),
            ("import", "log", "TRILATERAL_LOG"),
            ("import", "log-format", "TRILATERAL_LOG_FORMAT"),
            ("migrate", "database-url", "TRILATERAL_DATABASE_URL"),
            ("migrate", "log", "TRILATERAL_LOG"),
            ("migrate", "log-format", "TRILATERAL_LOG_FORMAT"),
            ("prune", "keep", "TRILATERAL_KEEP_VERSIONS"),
            ("prune", "database-url", "TRILATERAL_DATABASE_URL"),
            ("prune", "log", "TRILATERAL_LOG"),
            ("prune", "log-format", "TRILATERAL_LOG_FORMAT"),
            ("healthcheck", "bind", "TRILATERAL_BIND"),
        ];
        let command = Cli::command();
        let declared: BTreeSet<(String, String, String)> = command
            .get_subcommands()
            .flat_map(|sub| {
                sub.get_arguments().filter_map(|arg| {
                    let env = arg.get_env()?.to_string_lossy().into_owned();
                    Some((sub.get_name().to_owned(), arg.get_long()?.to_owned(), env))
                })
            })
            .collect();
        let expected: BTreeSet<(String, String, String)> = expected
            .into_iter()
            .map(|(sub, long, env)| (sub.to_owned(), long.to_owned(), env.to_owned()))
            .collect();
        assert_eq!(declared, expected);
    }
}
