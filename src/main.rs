//! The `trilateral` binary: reads the configuration, sets up logging and runs a subcommand.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use trilateral::config::{Cli, Command, Config};
use trilateral::import::command::ImportKind;
use trilateral::{Application, db, openapi, telemetry};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    if matches!(command, Command::Openapi) {
        return print_openapi();
    }
    if let Err(message) = telemetry::init(&cli.config.log, cli.config.log_format) {
        eprintln!("{message}");
        return ExitCode::FAILURE;
    }
    let result = match command {
        Command::Serve => serve(&cli.config),
        Command::Migrate { revert } => migrate(&cli.config, revert),
        Command::Import {
            kind,
            file,
            dataset,
            source,
        } => import(
            &cli.config,
            kind,
            &file,
            dataset.as_deref(),
            source.as_deref(),
        ),
        Command::Healthcheck => healthcheck(&cli.config),
        Command::Openapi => unreachable!("handled above"),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn print_openapi() -> ExitCode {
    match openapi::spec().to_pretty_json() {
        Ok(json) => {
            let mut out = std::io::stdout().lock();
            if writeln!(out, "{json}").is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("cannot render the OpenAPI document: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(config: &Config) -> Result<(), String> {
    actix_web::rt::System::new().block_on(async {
        let app = Application::build(config).map_err(|e| e.to_string())?;
        tracing::info!(bind = %config.bind, port = app.port(), "listening");
        app.run_until_stopped().await.map_err(|e| e.to_string())
    })
}

fn migrate(config: &Config, revert: bool) -> Result<(), String> {
    let pool =
        db::connect(&config.database_url, config.pool_options()).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let versions = if revert {
        db::revert_all_migrations(&mut conn)
    } else {
        db::run_migrations(&mut conn)
    }
    .map_err(|e| e.to_string())?;
    let verb = if revert { "reverted" } else { "applied" };
    if versions.is_empty() {
        tracing::info!("nothing to do: no migration to be {verb}");
    }
    for version in versions {
        tracing::info!(%version, "{verb} migration");
    }
    Ok(())
}

/// Prepares the database like a start-up does, then imports the file (or standard input) as it
/// reads it.
fn import(
    config: &Config,
    kind: ImportKind,
    file: &str,
    dataset: Option<&str>,
    source: Option<&str>,
) -> Result<(), String> {
    let (name, input): (String, Box<dyn Read>) = if file == "-" {
        ("stdin".to_owned(), Box::new(std::io::stdin().lock()))
    } else {
        let opened = std::fs::File::open(file).map_err(|e| format!("cannot read {file}: {e}"))?;
        (file.to_owned(), Box::new(std::io::BufReader::new(opened)))
    };
    let pool = trilateral::prepare_database(config).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let report =
        trilateral::import::command::import(&mut conn, kind, &name, input, dataset, source)
            .map_err(|e| format!("import rejected, nothing changed: {e}"))?;
    tracing::info!(
        dataset = %report.dataset_id,
        version = report.version,
        rows = report.rows,
        skipped_aggregates = report.skipped_aggregates,
        "imported"
    );
    Ok(())
}

/// A minimal HTTP/1.1 GET of /healthz on the configured address (0.0.0.0 is probed as 127.0.0.1).
fn healthcheck(config: &Config) -> Result<(), String> {
    let address = config.bind.replace("0.0.0.0", "127.0.0.1");
    let timeout = Duration::from_secs(3);
    let socket = address
        .parse()
        .map_err(|e| format!("invalid bind address {address}: {e}"))?;
    let mut stream = TcpStream::connect_timeout(&socket, timeout).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| e.to_string())?;
    if response.starts_with("HTTP/1.1 200") {
        Ok(())
    } else {
        Err(format!(
            "unhealthy: {}",
            response.lines().next().unwrap_or("no answer")
        ))
    }
}
