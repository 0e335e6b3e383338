//! Spawning the real application for a test, on a fresh SQLite file or a fresh Postgres database.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use awc::http::StatusCode;
use diesel::connection::SimpleConnection;
use diesel::{PgConnection, QueryableByName, RunQueryDsl};
use serde_json::Value;
use trilateral::Application;
use trilateral::config::Config;

/// The backends every integration test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Postgres URL for tests, from `TRILATERAL_TEST_POSTGRES_URL`. Without it the Postgres variants
/// are skipped, except under `CI=true`, where a missing Postgres fails the suite; each skip is
/// counted, and the run says at its end how many there were.
pub fn postgres_base_url() -> Option<String> {
    let url = std::env::var("TRILATERAL_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "CI=true but TRILATERAL_TEST_POSTGRES_URL is not set: the Postgres tests must run in CI"
            );
        }
        clean_up_at_exit();
        SKIPPED_POSTGRES_VARIANTS.fetch_add(1, Ordering::Relaxed);
    }
    url
}

/// Postgres variants that found no Postgres to run against.
static SKIPPED_POSTGRES_VARIANTS: AtomicUsize = AtomicUsize::new(0);
/// The Postgres server and name of this run's template database, once it exists.
static POSTGRES_TEMPLATE: OnceLock<(String, String)> = OnceLock::new();

/// Registers, once per test binary, what happens when its run ends: the templates of this run
/// are removed (each test removes its own copy), and a run that skipped Postgres variants says
/// so on standard error, outside the test harness's captured output, instead of passing
/// silently. Test binaries have no hook of their own after the last test; the C library's
/// `atexit` runs after the harness returns from `main` or calls `exit`.
#[allow(unsafe_code)]
fn clean_up_at_exit() {
    static REGISTERED: std::sync::Once = std::sync::Once::new();
    unsafe extern "C" {
        fn atexit(callback: extern "C" fn()) -> std::ffi::c_int;
    }
    extern "C" fn at_exit() {
        // Nothing here may panic: a panic cannot unwind out of an `extern "C"` function.
        if let Some((base_url, name)) = POSTGRES_TEMPLATE.get()
            && let Ok(mut conn) = trilateral::db::establish_postgres(base_url)
        {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
        let _ = std::fs::remove_dir_all(sqlite_template_dir());
        let skipped = SKIPPED_POSTGRES_VARIANTS.load(Ordering::Relaxed);
        if skipped > 0 {
            let binary = std::env::args().next().unwrap_or_default();
            let binary = Path::new(&binary).file_name().unwrap_or_default();
            eprintln!(
                "note: {skipped} Postgres variant(s) of tests in {} were skipped, not run: \
                 TRILATERAL_TEST_POSTGRES_URL is not set",
                binary.to_string_lossy()
            );
        }
    }
    // SAFETY: `atexit` only stores the function pointer; `at_exit` neither panics nor unwinds.
    REGISTERED.call_once(|| unsafe {
        atexit(at_exit);
    });
}

/// A database that exists for one test and is removed afterwards.
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Directory(#[allow(dead_code)] tempfile::TempDir),
    Database { base_url: String, name: String },
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Cleanup::Database { base_url, name } = &self.cleanup
            && let Ok(mut conn) = trilateral::db::establish_postgres(base_url)
        {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// Every test database of this process is named `<prefix><pid>_…`, so that what a killed run
/// left behind can be told from what a running one is using.
const TEST_DATABASE_PREFIX: &str = "trilateral_test_";

/// Whether a database or directory named `<prefix><pid>_…` belongs to a process that has ended.
/// (Only answerable where `/proc` exists; elsewhere nothing is taken for stale.)
fn is_stale(name: &str, prefix: &str) -> bool {
    let Some(pid) = name
        .strip_prefix(prefix)
        .and_then(|rest| rest.split('_').next())
    else {
        return false;
    };
    Path::new("/proc/self").exists() && !Path::new("/proc").join(pid).exists()
}

/// The bundled data loaded once per test run into a template that every test then copies: each
/// test still gets a database of its own, without loading the bundled data again. (The load
/// itself is what preparing the template, and the restart test, exercise.)
fn load_template(database_url: &str) {
    let config = Config {
        database_url: database_url.to_owned(),
        ..Config::default()
    };
    let pool = trilateral::prepare_database(&config).expect("template database");
    if let Ok(mut conn) = pool.get()
        && conn.backend() == trilateral::db::Backend::Sqlite
    {
        conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")
            .expect("checkpoint");
    }
}

/// The directory of this run's SQLite template, under the target directory.
fn sqlite_template_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "{TEST_DATABASE_PREFIX}{}_template",
        std::process::id()
    ))
}

/// The SQLite template: a file under the target directory.
fn sqlite_template() -> &'static Path {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        for entry in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            if is_stale(&entry.file_name().to_string_lossy(), TEST_DATABASE_PREFIX) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = sqlite_template_dir();
        clean_up_at_exit();
        std::fs::create_dir_all(&dir).expect("template directory");
        let path = dir.join("template.db");
        load_template(&path.display().to_string());
        path
    })
}

#[derive(QueryableByName)]
struct DatabaseName {
    #[diesel(sql_type = diesel::sql_types::Text)]
    datname: String,
}

/// The Postgres template: a database beside the one `TRILATERAL_TEST_POSTGRES_URL` names, copied
/// with `CREATE DATABASE … TEMPLATE` (which needs the CREATEDB privilege).
fn postgres_template(base_url: &str) -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let mut conn = admin_connection(base_url);
        let existing = diesel::sql_query(format!(
            "SELECT datname FROM pg_database WHERE datname LIKE '{TEST_DATABASE_PREFIX}%'"
        ))
        .load::<DatabaseName>(&mut conn)
        .expect("list test databases");
        for database in existing {
            if is_stale(&database.datname, TEST_DATABASE_PREFIX) {
                let _ = conn.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    database.datname
                ));
            }
        }
        let name = format!("{TEST_DATABASE_PREFIX}{}_template", std::process::id());
        conn.batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create the template database");
        clean_up_at_exit();
        let _ = POSTGRES_TEMPLATE.set((base_url.to_owned(), name.clone()));
        load_template(&database_url(base_url, &name));
        // A copy needs the template to have no sessions; the pool may still be closing its own.
        conn.batch_execute(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        ))
        .expect("close the template's sessions");
        name
    })
}

fn admin_connection(base_url: &str) -> PgConnection {
    trilateral::db::establish_postgres(base_url).unwrap_or_else(|e| {
        panic!("TRILATERAL_TEST_POSTGRES_URL is set but Postgres is unreachable: {e}")
    })
}

/// `base_url` with its database name replaced by `name`.
fn database_url(base_url: &str, name: &str) -> String {
    let (location, parameters) = match base_url.split_once('?') {
        Some((location, parameters)) => (location, Some(parameters)),
        None => (base_url, None),
    };
    let scheme_end = location.find("://").map_or(0, |i| i + 3);
    let server = match location[scheme_end..].find('/') {
        Some(slash) => &location[..scheme_end + slash],
        None => location,
    };
    match parameters {
        Some(parameters) => format!("{server}/{name}?{parameters}"),
        None => format!("{server}/{name}"),
    }
}

impl TestDatabase {
    /// A fresh database, or `None` when the backend is not configured (Postgres outside CI).
    pub fn create(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let file = dir.path().join("test.db");
                std::fs::copy(sqlite_template(), &file).expect("copy of the template database");
                let url = format!("sqlite://{}", file.display());
                Some(Self {
                    url,
                    cleanup: Cleanup::Directory(dir),
                })
            }
            Backend::Postgres => {
                let base_url = postgres_base_url()?;
                let template = postgres_template(&base_url);
                let name = format!(
                    "{TEST_DATABASE_PREFIX}{}_{}",
                    std::process::id(),
                    uuid::Uuid::new_v4().simple()
                );
                admin_connection(&base_url)
                    .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .expect("copy of the template database");
                Some(Self {
                    url: database_url(&base_url, &name),
                    cleanup: Cleanup::Database { base_url, name },
                })
            }
        }
    }

    pub fn config(&self) -> Config {
        Config {
            database_url: self.url.clone(),
            bind: "127.0.0.1:0".to_owned(),
            workers: Some(1),
            db_pool_size: Some(4),
            ..Config::default()
        }
    }
}

/// The running application and a client for it.
pub struct TestApp {
    pub address: String,
    pub backend: Backend,
    pub db: TestDatabase,
    client: awc::Client,
}

/// A response with its body read.
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: awc::http::header::HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the response is a problem document with this status and type slug, and returns it.
    pub fn problem(&self, status: u16, slug: &str) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json")
        );
        let problem = self.json();
        assert_eq!(problem["type"], format!("/problems/{slug}"), "{problem}");
        assert_eq!(problem["status"], status);
        problem
    }
}

fn init_test_logging() {
    static INIT: OnceLock<()> = OnceLock::new();
    INIT.get_or_init(|| {
        if let Ok(filter) = std::env::var("TEST_LOG") {
            let _ = trilateral::telemetry::init(&filter, trilateral::config::LogFormat::Text);
        }
    });
}

/// Starts the application on a fresh database, or returns `None` when the backend is not
/// configured.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// Like `spawn_app`, with settings changed from the tests' defaults.
pub async fn spawn_app_with(backend: Backend, change: impl FnOnce(&mut Config)) -> Option<TestApp> {
    init_test_logging();
    let db = TestDatabase::create(backend)?;
    let mut config = db.config();
    change(&mut config);
    let app = Application::build(&config).expect("the application starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    actix_web::rt::spawn(app.run_until_stopped());
    Some(TestApp {
        address,
        backend,
        db,
        // The client keeps an idle connection for less than the server's keep-alive (5 s): a
        // test that pauses longer (reverting migrations on a busy machine) would otherwise send
        // its next request on a connection the server is closing, and fail with `Disconnected`.
        client: awc::Client::builder()
            .connector(awc::Connector::new().conn_keep_alive(std::time::Duration::from_secs(2)))
            .timeout(std::time::Duration::from_secs(60))
            .disable_redirects()
            .finish(),
    })
}

impl TestApp {
    /// A dataset's entry in `/v1/datasets`; panics, listing the catalogue, when it is missing.
    pub async fn dataset(&self, id: &str) -> Value {
        let datasets = self.get("/v1/datasets").await.json();
        datasets["data"]
            .as_array()
            .expect("data")
            .iter()
            .find(|d| d["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no dataset {id}: {datasets}"))
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.get_with(path, &[]).await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> TestResponse {
        self.request_with("GET", path, headers).await
    }

    /// Sends a GET from a client that then reads nothing until asked (see `StalledClient`).
    pub async fn get_stalled(&self, path: &str) -> StalledClient {
        let (address, path) = (self.address.clone(), path.to_owned());
        actix_web::rt::task::spawn_blocking(move || StalledClient::get(&address, &path))
            .await
            .expect("stalled client")
    }

    /// Starts a second server on this test's database, as another replica behind a load
    /// balancer would be, and gives its address (for `get_from`).
    pub fn spawn_replica(&self) -> String {
        let replica = Application::build(&self.db.config()).expect("the replica starts");
        let address = format!("http://127.0.0.1:{}", replica.port());
        actix_web::rt::spawn(replica.run_until_stopped());
        address
    }

    /// A GET to the server at `address`: this test's, or a replica.
    pub async fn get_from(&self, address: &str, path: &str) -> TestResponse {
        let request = self.client.get(format!("{address}{path}"));
        read(request.send().await.expect("request sent")).await
    }

    pub async fn request(&self, method: &str, path: &str) -> TestResponse {
        self.request_with(method, path, &[]).await
    }

    pub async fn request_with(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let method = awc::http::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address));
        for (name, value) in headers {
            request = request.insert_header((*name, *value));
        }
        read(request.send().await.expect("request sent")).await
    }
}

impl TestApp {
    /// A POST of `body` with `headers`.
    pub async fn post(&self, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> TestResponse {
        let mut request = self.client.post(format!("{}{path}", self.address));
        for (name, value) in headers {
            request = request.insert_header((*name, *value));
        }
        read(request.send_body(body).await.expect("request sent")).await
    }
}

/// A client that sends a GET, reads the response head and then nothing until `read_body`, with a
/// receive buffer of a few kilobytes: the server cannot push much of a large answer ahead of it.
/// Its blocking calls run off the runtime, which also runs the server under test.
pub struct StalledClient {
    stream: std::net::TcpStream,
    pub status: u16,
}

impl StalledClient {
    fn get(address: &str, path: &str) -> Self {
        let address: std::net::SocketAddr = address
            .trim_start_matches("http://")
            .parse()
            .expect("socket address");
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
            .expect("socket");
        socket.set_recv_buffer_size(4096).expect("receive buffer");
        socket.connect(&address.into()).expect("connected");
        let mut stream = std::net::TcpStream::from(socket);
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        )
        .expect("request sent");
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            stream.read_exact(&mut byte).expect("response head");
            head.push(byte[0]);
        }
        let head = String::from_utf8(head).expect("UTF-8 head");
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status code");
        Self { stream, status }
    }

    /// Reads the rest of the (chunked) response and returns its body.
    pub async fn read_body(mut self) -> Vec<u8> {
        let raw = actix_web::rt::task::spawn_blocking(move || {
            let mut raw = Vec::new();
            self.stream.read_to_end(&mut raw).map(|_| raw)
        })
        .await
        .expect("reader")
        .expect("response body");
        let mut rest = raw.as_slice();
        let mut body = Vec::new();
        loop {
            let line_end = rest
                .windows(2)
                .position(|w| w == b"\r\n")
                .expect("chunk size line");
            let size_field = std::str::from_utf8(&rest[..line_end]).expect("chunk size");
            let size = usize::from_str_radix(size_field.split(';').next().unwrap_or("").trim(), 16)
                .expect("hexadecimal chunk size");
            rest = &rest[line_end + 2..];
            if size == 0 {
                return body;
            }
            body.extend_from_slice(&rest[..size]);
            rest = &rest[size + 2..];
        }
    }
}

/// Every public `/v1` read of an OpenAPI document as a request built from the document's own
/// examples: the path with its parameters filled in, the required query parameters, and the
/// operation itself.
pub fn example_requests(spec: &Value) -> Vec<(String, Vec<String>, &Value)> {
    let mut requests = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        // The public reads: an operation that declares a key (the import log) is left out.
        let Some(operation) = item
            .get("get")
            .filter(|operation| path.starts_with("/v1/") && operation.get("security").is_none())
        else {
            continue;
        };
        let mut target = path.clone();
        let mut query = Vec::new();
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            let name = parameter["name"].as_str().expect("a name");
            let example = match &parameter["example"] {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            if parameter["in"] == "path" {
                target = target.replace(&format!("{{{name}}}"), &example);
            } else if parameter["required"] == true {
                let example: String = form_urlencoded::byte_serialize(example.as_bytes()).collect();
                query.push(format!("{name}={example}"));
            }
        }
        requests.push((target, query, operation));
    }
    requests
}

/// Reads a response whole.
async fn read<S>(mut response: awc::ClientResponse<S>) -> TestResponse
where
    S: futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>> + Unpin,
{
    let body = response
        .body()
        .limit(256 * 1024 * 1024)
        .await
        .expect("body read");
    TestResponse {
        status: response.status(),
        headers: response.headers().clone(),
        body: body.to_vec(),
    }
}

/// Defines a test that runs once per backend, as `<name>::sqlite` and `<name>::postgres`.
#[macro_export]
macro_rules! backend_test {
    ($(#[$meta:meta])* async fn $name:ident($app:ident: $app_type:ty) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[actix_web::test]
            async fn sqlite() {
                let $app: $app_type = $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite)
                    .await
                    .expect("SQLite is always available");
                $body
            }

            #[actix_web::test]
            async fn postgres() {
                let Some($app): Option<$app_type> = $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await else {
                    return;
                };
                $body
            }
        }
    };
}
