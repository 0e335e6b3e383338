//! Stopping the server: SIGTERM and SIGINT to the real binary under load lose no request it had
//! begun to read, an export cut by the end of the grace period is visibly cut, and a stalled
//! export client neither keeps its spool nor keeps other exports out for ever.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::helpers::{Backend, TestApp, TestDatabase, spawn_app_with};

/// The binary serving a copy of the test databases, with none of the caller's `TRILATERAL_*`
/// settings.
struct Server {
    child: Child,
    address: SocketAddr,
    _db: TestDatabase,
}

impl Server {
    /// Starts `trilateral serve` on a free port and waits until it listens; `None` when the
    /// backend is not configured.
    fn start(backend: Backend, args: &[&str]) -> Option<Self> {
        let db = TestDatabase::create(backend)?;
        let mut command = Command::new(env!("CARGO_BIN_EXE_trilateral"));
        for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("TRILATERAL_")) {
            command.env_remove(name);
        }
        let mut child = command
            .args(["serve", "--bind", "127.0.0.1:0", "--workers", "2"])
            .args(["--database-url", &db.url, "--log-format", "json"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let stderr = child.stderr.take().expect("standard error");
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        // Reads the log to its end, so that the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let log: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
                if log["message"] == "listening" {
                    let _ = port_tx.send(log["port"].as_u64());
                }
            }
        });
        let port = port_rx
            .recv_timeout(Duration::from_secs(60))
            .ok()
            .flatten()
            .and_then(|port| u16::try_from(port).ok())
            .expect("the server listens");
        Some(Self {
            child,
            address: SocketAddr::from(([127, 0, 0, 1], port)),
            _db: db,
        })
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name}");
    }

    /// Waits for the process to end and returns how long that took, or panics after `limit`.
    fn wait_for_exit(&mut self, limit: Duration) -> (Duration, std::process::ExitStatus) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("process status") {
                return (start.elapsed(), status);
            }
            assert!(start.elapsed() < limit, "still running after {limit:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What became of one request.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// A whole response.
    Answered(u16),
    /// The connection closed before a single byte of the response, on a connection that had
    /// answered before: the server closed it as idle, and an idempotent request may be retried.
    ClosedIdle,
    /// The request could not even be sent on a new connection: the server no longer listens.
    Refused,
    /// Anything else: the request was sent and not answered.
    Lost(String),
}

/// A keep-alive client that reads each response whole (Content-Length or chunked).
struct Client {
    address: SocketAddr,
    stream: Option<BufReader<TcpStream>>,
    answered_on_this_connection: usize,
}

impl Client {
    fn new(address: SocketAddr) -> Self {
        Self {
            address,
            stream: None,
            answered_on_this_connection: 0,
        }
    }

    fn get(&mut self, path: &str) -> Outcome {
        if self.stream.is_none() {
            match TcpStream::connect_timeout(&self.address, Duration::from_secs(10)) {
                Ok(stream) => {
                    stream
                        .set_read_timeout(Some(Duration::from_secs(60)))
                        .expect("timeout");
                    self.stream = Some(BufReader::new(stream));
                    self.answered_on_this_connection = 0;
                }
                Err(e) if e.kind() == ErrorKind::ConnectionRefused => return Outcome::Refused,
                Err(e) if e.kind() == ErrorKind::TimedOut => return Outcome::Refused,
                Err(e) => return Outcome::Lost(format!("connect: {e}")),
            }
        }
        let reused = self.answered_on_this_connection > 0;
        let stream = self.stream.as_mut().expect("connected");
        let request = format!("GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", self.address);
        if let Err(e) = stream.get_mut().write_all(request.as_bytes()) {
            self.stream = None;
            return if reused {
                Outcome::ClosedIdle
            } else {
                Outcome::Lost(format!("send: {e}"))
            };
        }
        match read_response(stream) {
            Ok((status, close)) => {
                self.answered_on_this_connection += 1;
                if close {
                    self.stream = None;
                }
                Outcome::Answered(status)
            }
            Err((bytes_read, e)) => {
                self.stream = None;
                if reused && bytes_read == 0 {
                    Outcome::ClosedIdle
                } else {
                    Outcome::Lost(format!("after {bytes_read} bytes of the response: {e}"))
                }
            }
        }
    }
}

/// Reads one response: its status and whether the server closes the connection after it. An
/// error says how many bytes of the response had arrived.
fn read_response(stream: &mut BufReader<TcpStream>) -> Result<(u16, bool), (usize, String)> {
    let mut read = 0;
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut line = Vec::new();
        match stream.read_until(b'\n', &mut line) {
            Ok(0) => return Err((read, "closed".into())),
            Ok(n) => read += n,
            Err(e) => return Err((read, e.to_string())),
        }
        head.extend_from_slice(&line);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or((read, format!("no status in {head}")))?;
    let header = |name: &str| {
        head.lines()
            .find_map(|line| line.strip_prefix(&format!("{name}: ")))
            .map(|value| value.trim().to_owned())
    };
    let close = header("connection").is_some_and(|v| v == "close");
    if let Some(length) = header("content-length") {
        let length: usize = length.parse().map_err(|_| (read, "length".to_owned()))?;
        let mut body = vec![0; length];
        stream
            .read_exact(&mut body)
            .map_err(|e| (read, format!("body: {e}")))?;
    } else if header("transfer-encoding").is_some_and(|v| v == "chunked") {
        read_chunked(stream).map_err(|e| (read, format!("chunked body: {e}")))?;
    }
    Ok((status, close))
}

/// Reads a chunked body to its terminating chunk; an error if the stream ends before it.
fn read_chunked(stream: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line)? == 0 {
            return Err(std::io::Error::new(
                ErrorKind::UnexpectedEof,
                "no terminating chunk",
            ));
        }
        let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
            .map_err(|_| std::io::Error::new(ErrorKind::InvalidData, line.clone()))?;
        let mut chunk = vec![0; size + 2];
        stream.read_exact(&mut chunk)?;
        if size == 0 {
            return Ok(body);
        }
        body.extend_from_slice(&chunk[..size]);
    }
}

/// The requests of the load: small answers, a page of rows and a whole export, all idempotent.
const PATHS: [&str; 4] = [
    "/v1/countries/mx",
    "/v1/trade/flows?reporter=us&partner=mx&limit=500",
    "/healthz",
    "/v1/trade/flows?reporter=us&partner=mx&format=csv",
];

/// Sends `signal` to a server under load from 32 keep-alive clients and checks that every request
/// was answered, except those on connections closed while idle (retried once on a new
/// connection, as a client does), and that the server exits within the grace period.
fn no_request_is_lost_on(backend: Backend, signal: &str) {
    let grace = 20;
    let Some(mut server) = Server::start(backend, &["--shutdown-grace-secs", &grace.to_string()])
    else {
        eprintln!("skipped: TRILATERAL_TEST_POSTGRES_URL is not set");
        return;
    };
    let signalled = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..32)
        .map(|i| {
            let (address, signalled) = (server.address, Arc::clone(&signalled));
            std::thread::spawn(move || {
                let mut client = Client::new(address);
                let (mut answered, mut after_signal, mut lost) = (0, 0, Vec::new());
                for n in i.. {
                    let path = PATHS[n % PATHS.len()];
                    let was_signalled = signalled.load(Ordering::SeqCst);
                    let mut outcome = client.get(path);
                    if outcome == Outcome::ClosedIdle {
                        outcome = client.get(path);
                    }
                    match outcome {
                        Outcome::Answered(200) => {
                            answered += 1;
                            after_signal += usize::from(was_signalled);
                        }
                        Outcome::Answered(status) => lost.push(format!("{path}: {status}")),
                        Outcome::Refused => break,
                        Outcome::ClosedIdle => {
                            lost.push(format!("{path}: closed again on a new connection"))
                        }
                        Outcome::Lost(what) => lost.push(format!("{path}: {what}")),
                    }
                }
                (answered, after_signal, lost)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(2));
    signalled.store(true, Ordering::SeqCst);
    server.signal(signal);
    let (took, status) = server.wait_for_exit(Duration::from_secs(grace + 10));
    let mut answered = 0;
    let mut lost = Vec::new();
    for client in clients {
        let (a, _, l) = client.join().expect("client thread");
        answered += a;
        lost.extend(l);
    }
    assert!(answered >= 64, "only {answered} answers: not under load");
    assert!(lost.is_empty(), "{} requests lost: {lost:#?}", lost.len());
    assert!(status.success(), "{status}");
    assert!(
        took < Duration::from_secs(grace),
        "stopping took {took:?}, although every request was done long before the grace period"
    );
}

#[test]
fn sigterm_under_load_loses_no_request_on_sqlite() {
    no_request_is_lost_on(Backend::Sqlite, "TERM");
}

#[test]
fn sigterm_under_load_loses_no_request_on_postgres() {
    no_request_is_lost_on(Backend::Postgres, "TERM");
}

#[test]
fn sigint_under_load_loses_no_request_on_sqlite() {
    no_request_is_lost_on(Backend::Sqlite, "INT");
}

#[test]
fn sigint_under_load_loses_no_request_on_postgres() {
    no_request_is_lost_on(Backend::Postgres, "INT");
}

/// Opens a connection with a small receive buffer, sends a GET and reads the response head only:
/// a client that reads nothing more until asked.
fn stalled_get(address: SocketAddr, path: &str) -> (u16, BufReader<TcpStream>) {
    let socket =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    socket.set_recv_buffer_size(4096).expect("receive buffer");
    socket.connect(&address.into()).expect("connected");
    let mut stream = TcpStream::from(socket);
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .expect("request sent");
    let mut stream = BufReader::with_capacity(4096, stream);
    let mut head = String::new();
    while !head.ends_with("\r\n\r\n") {
        assert!(stream.read_line(&mut head).expect("head") > 0, "{head}");
    }
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    (status, stream)
}

/// The rest of a chunked body, read a little at a time: `Ok` only if it ends with its
/// terminating chunk.
fn read_slowly_to_the_end(mut stream: BufReader<TcpStream>) -> std::io::Result<Vec<u8>> {
    stream
        .get_ref()
        .set_read_timeout(Some(Duration::from_secs(30)))?;
    read_chunked(&mut stream)
}

fn an_export_cut_by_the_end_of_the_grace_period_is_visibly_cut(backend: Backend) {
    let Some(mut server) = Server::start(backend, &["--shutdown-grace-secs", "1"]) else {
        eprintln!("skipped: TRILATERAL_TEST_POSTGRES_URL is not set");
        return;
    };
    // Every stored flow as NDJSON: 5.5 MB, more than the socket buffers of both ends take.
    let (status, stream) = stalled_get(server.address, "/v1/trade/flows?format=ndjson");
    assert_eq!(status, 200);
    std::thread::sleep(Duration::from_millis(500));
    server.signal("TERM");
    let (took, _) = server.wait_for_exit(Duration::from_secs(10));
    assert!(
        took >= Duration::from_secs(1),
        "stopped before the grace period: {took:?}"
    );
    assert!(
        took < Duration::from_secs(4),
        "stopping took {took:?} with 1 s of grace"
    );
    match read_slowly_to_the_end(stream) {
        Ok(body) => panic!("a complete-looking export of {} bytes", body.len()),
        Err(e) => assert!(
            matches!(
                e.kind(),
                ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset
            ),
            "{e}"
        ),
    }
}

#[test]
fn an_export_cut_by_shutdown_is_visibly_cut_on_sqlite() {
    an_export_cut_by_the_end_of_the_grace_period_is_visibly_cut(Backend::Sqlite);
}

#[test]
fn an_export_cut_by_shutdown_is_visibly_cut_on_postgres() {
    an_export_cut_by_the_end_of_the_grace_period_is_visibly_cut(Backend::Postgres);
}

/// Asks for a small export until its status is `wanted`, for up to `limit`.
async fn export_status_becomes(app: &TestApp, wanted: u16, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        let response = app
            .get("/v1/trade/flows?reporter=us&partner=mx&from=2016&to=2016&format=csv")
            .await;
        if response.status == wanted {
            if wanted == 503 {
                let problem = response.problem(503, "exports-busy");
                let detail = problem["detail"].as_str().unwrap_or_default();
                assert!(detail.contains("temporary files"), "{detail}");
            }
            return true;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// A client that stops reading an export: once the spool allowed for it is full, other exports
/// are refused with a 503; once it has read nothing for the stalled-client timeout, its
/// connection is dropped, its spool given back, and exports are served again.
async fn a_stalled_export_client_fills_its_spool_then_is_dropped(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |config| {
        config.spool_max_mb = 1;
        config.spool_export_max_mb = 1;
        config.stalled_client_timeout_secs = 2;
    })
    .await
    else {
        eprintln!("skipped: TRILATERAL_TEST_POSTGRES_URL is not set");
        return;
    };
    let address: SocketAddr = app
        .address
        .trim_start_matches("http://")
        .parse()
        .expect("address");
    let (status, stream) = actix_web::rt::task::spawn_blocking(move || {
        stalled_get(address, "/v1/trade/flows?format=ndjson")
    })
    .await
    .expect("stalled client");
    assert_eq!(status, 200);

    let refused = export_status_becomes(&app, 503, Duration::from_secs(20)).await;
    assert!(refused, "never refused");
    let served = export_status_becomes(&app, 200, Duration::from_secs(30)).await;
    assert!(served, "never served again");
    let read = actix_web::rt::task::spawn_blocking(move || read_slowly_to_the_end(stream))
        .await
        .expect("reader");
    assert!(
        read.is_err(),
        "the stalled client got a complete-looking export"
    );
}

#[actix_web::test]
async fn a_stalled_export_client_is_dropped_on_sqlite() {
    a_stalled_export_client_fills_its_spool_then_is_dropped(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_stalled_export_client_is_dropped_on_postgres() {
    a_stalled_export_client_fills_its_spool_then_is_dropped(Backend::Postgres).await;
}
