//! The `trilateral` binary: reads the configuration, sets up logging and runs a subcommand.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

use trilateral::config::{Cli, Command, Config, LogFormat};
use trilateral::import::command::{Commit, ImportKind, ImportRun};
use trilateral::{Application, db, openapi, telemetry};

fn main() -> ExitCode {
    let command = Cli::parse_command(std::env::args_os()).unwrap_or_else(|error| error.exit());
    match command {
        Command::Serve(args) => {
            let config = Config::from(args);
            logged(&config.log, config.log_format, || serve(&config))
        }
        Command::Migrate {
            revert,
            database,
            log,
        } => logged(&log.log, log.log_format, || {
            migrate(&Config::for_database(&database), revert)
        }),
        Command::Import {
            kind,
            file,
            dataset,
            source,
            database,
            log,
        } => logged(&log.log, log.log_format, || {
            import(
                &Config::for_database(&database),
                kind,
                &file,
                dataset.as_deref(),
                source.as_deref(),
            )
        }),
        Command::Prune {
            keep,
            database,
            log,
        } => logged(&log.log, log.log_format, || {
            prune(&Config::for_database(&database), keep)
        }),
        Command::Openapi => print_openapi(),
        // No logging here: the one line a failed check prints is what a container's health log
        // keeps, so it goes to standard error as it is.
        Command::Healthcheck(args) => match healthcheck(&args.bind) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("{message}");
                ExitCode::FAILURE
            }
        },
    }
}

/// Runs a subcommand with logging set up, logging its failure.
fn logged(filter: &str, format: LogFormat, run: impl FnOnce() -> Result<(), String>) -> ExitCode {
    if let Err(message) = telemetry::init(filter, format) {
        eprintln!("{message}");
        return ExitCode::FAILURE;
    }
    match run() {
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
        let port = app.port();
        let running = app.run_until_signalled().map_err(|e| e.to_string())?;
        tracing::info!(bind = %config.bind, port, "listening");
        running.await.map_err(|e| e.to_string())
    })
}

fn prune(config: &Config, keep: u32) -> Result<(), String> {
    let pool =
        db::connect(&config.database_url, config.pool_options()).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let pruned = db::vintages::prune(&mut conn, keep as usize).map_err(|e| e.to_string())?;
    tracing::info!(
        keep,
        vintages = pruned.vintages,
        rows = pruned.rows,
        "pruned: the versions before each dataset's last {keep} are no longer kept"
    );
    Ok(())
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
    // Send: a tidy CSV is read on a thread of its own while the rows before are written.
    let (name, input): (String, Box<dyn Read + Send>) = if file == "-" {
        (
            "stdin".to_owned(),
            Box::new(std::io::BufReader::new(std::io::stdin())),
        )
    } else {
        let opened = std::fs::File::open(file).map_err(|e| format!("cannot read {file}: {e}"))?;
        (file.to_owned(), Box::new(std::io::BufReader::new(opened)))
    };
    let pool = trilateral::prepare_database(config).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let run = ImportRun {
        dataset,
        source,
        commit: Commit::Keep,
        made_by: Some("command line"),
    };
    let report = trilateral::import::command::import_as(&mut conn, kind, &name, input, run)
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

/// Asks the server at `bind` for /healthz with a minimal HTTP/1.1 GET (the runtime image has no
/// curl). A failure names the URL it tried, so that a health log says which address was wrong.
fn healthcheck(bind: &str) -> Result<(), String> {
    let sockets = bind
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve the address '{bind}': {e}"))?;
    let mut failures = Vec::new();
    for socket in sockets.map(reachable) {
        match probe(socket) {
            Ok(()) => return Ok(()),
            Err(failure) => failures.push(failure),
        }
    }
    if failures.is_empty() {
        failures.push(format!("the address '{bind}' resolves to nothing"));
    }
    Err(failures.join("; "))
}

/// Where a server bound to `socket` is reached from this machine: an unspecified address
/// (0.0.0.0, [::]) listens on every interface, so it is asked on the loopback of its family.
fn reachable(socket: SocketAddr) -> SocketAddr {
    let ip = match socket.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, socket.port())
}

/// One GET of /healthz on `socket`: `Ok` on a 200, otherwise what happened, with the URL.
fn probe(socket: SocketAddr) -> Result<(), String> {
    let url = format!("http://{socket}/healthz");
    let no_answer = |e: std::io::Error| format!("no answer from {url}: {e}");
    let timeout = Duration::from_secs(3);
    let mut stream = TcpStream::connect_timeout(&socket, timeout).map_err(no_answer)?;
    stream.set_read_timeout(Some(timeout)).map_err(no_answer)?;
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: {socket}\r\nConnection: close\r\n\r\n"
    )
    .map_err(no_answer)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(no_answer)?;
    let response = String::from_utf8_lossy(&response);
    match response.lines().next().unwrap_or_default() {
        status if status.starts_with("HTTP/1.1 200") => Ok(()),
        "" => Err(format!(
            "no answer from {url}: the connection closed without a response"
        )),
        status => Err(format!("{url} answered {status}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unspecified_address_is_asked_on_the_loopback_of_its_family() {
        let cases = [
            ("0.0.0.0:8080", "127.0.0.1:8080"),
            ("[::]:8080", "[::1]:8080"),
            ("127.0.0.1:8080", "127.0.0.1:8080"),
            ("10.1.2.3:80", "10.1.2.3:80"),
        ];
        for (bind, asked) in cases {
            let socket: SocketAddr = bind.parse().unwrap();
            assert_eq!(reachable(socket).to_string(), asked, "{bind}");
        }
    }

    #[test]
    fn a_failed_check_names_the_url_it_tried() {
        // A port that was just free: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .unwrap()
            .port();
        let cases = [
            (
                format!("127.0.0.1:{port}"),
                format!("no answer from http://127.0.0.1:{port}/healthz: "),
            ),
            (
                format!("0.0.0.0:{port}"),
                format!("no answer from http://127.0.0.1:{port}/healthz: "),
            ),
            (
                "no-port".to_owned(),
                "cannot resolve the address 'no-port'".to_owned(),
            ),
        ];
        for (bind, expected) in cases {
            let message = healthcheck(&bind).unwrap_err();
            assert!(message.starts_with(&expected), "{bind}: {message}");
        }
    }
}
