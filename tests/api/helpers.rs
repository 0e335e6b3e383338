//! Spawning the real application for a test, on a fresh SQLite file or a fresh Postgres schema.

use std::sync::OnceLock;

use awc::http::StatusCode;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
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
/// are skipped, except under `CI=true`, where a missing Postgres fails the suite.
pub fn postgres_base_url() -> Option<String> {
    let url = std::env::var("TRILATERAL_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "CI=true but TRILATERAL_TEST_POSTGRES_URL is not set: the Postgres tests must run in CI"
        );
    }
    url
}

/// A database that exists for one test and is removed afterwards.
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Directory(#[allow(dead_code)] tempfile::TempDir),
    Schema { base_url: String, schema: String },
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Cleanup::Schema { base_url, schema } = &self.cleanup
            && let Ok(mut conn) = PgConnection::establish(base_url)
        {
            let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

impl TestDatabase {
    /// A fresh database, or `None` when the backend is not configured (Postgres outside CI).
    pub fn create(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                Some(Self {
                    url,
                    cleanup: Cleanup::Directory(dir),
                })
            }
            Backend::Postgres => {
                let base_url = postgres_base_url()?;
                let schema = format!("test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = PgConnection::establish(&base_url).unwrap_or_else(|e| {
                    panic!("TRILATERAL_TEST_POSTGRES_URL is set but Postgres is unreachable: {e}")
                });
                conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
                    .expect("create test schema");
                let separator = if base_url.contains('?') { '&' } else { '?' };
                let url = format!("{base_url}{separator}options=-csearch_path%3D{schema}");
                Some(Self {
                    url,
                    cleanup: Cleanup::Schema { base_url, schema },
                })
            }
        }
    }

    pub fn config(&self) -> Config {
        Config {
            database_url: self.url.clone(),
            bind: "127.0.0.1:0".to_owned(),
            workers: Some(1),
            db_pool_size: 4,
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
    init_test_logging();
    let db = TestDatabase::create(backend)?;
    let app = Application::build(&db.config()).expect("the application starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    actix_web::rt::spawn(app.run_until_stopped());
    Some(TestApp {
        address,
        backend,
        db,
        client: awc::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .disable_redirects()
            .finish(),
    })
}

impl TestApp {
    pub async fn get(&self, path: &str) -> TestResponse {
        self.get_with(path, &[]).await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> TestResponse {
        let mut request = self.client.get(format!("{}{path}", self.address));
        for (name, value) in headers {
            request = request.insert_header((*name, *value));
        }
        read(request.send().await.expect("request sent")).await
    }

    pub async fn request(&self, method: &str, path: &str) -> TestResponse {
        let method = awc::http::Method::from_bytes(method.as_bytes()).expect("method");
        let request = self
            .client
            .request(method, format!("{}{path}", self.address));
        read(request.send().await.expect("request sent")).await
    }
}

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
                    eprintln!("skipped: TRILATERAL_TEST_POSTGRES_URL is not set");
                    return;
                };
                $body
            }
        }
    };
}
