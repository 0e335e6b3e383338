//! The HTTP API: application assembly, shared state, and the pieces every resource uses
//! (envelope, representations, caching, query parsing, telemetry).

pub mod body;
pub mod caching;
pub mod chart;
pub mod columnar;
pub mod constraints;
pub mod envelope;
pub mod format;
pub mod health;
pub mod home;
pub mod import_keys;
pub mod limits;
pub mod lookup;
pub mod memo;
pub mod metrics;
pub mod middleware;
pub mod query;
pub mod rate_limit;
pub mod reading;
pub mod responses;
pub mod spool;
pub mod table;
pub mod transport;
pub mod v1;

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::error::PathError;
use actix_web::http::header;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpRequest, HttpResponse, web};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use self::import_keys::ImportKeys;
use self::memo::AnswerMemo;
use self::metrics::Metrics;
use self::rate_limit::RateLimits;
use self::reading::ReferenceRows;
use self::spool::SpoolBudget;
use self::v1::catalog::CatalogSettings;
use crate::db::versions::KnownVersions;
use crate::db::{Backend, DbPool};
use crate::domain::treaty::TreatyReference;
use crate::error::{ApiError, ProblemType};

/// What every handler can reach. The service keeps no other state: replicas share nothing but
/// the database.
#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub backend: Backend,
    /// Answers kept by ETag, shared by the workers of this process.
    pub memo: Arc<AnswerMemo>,
    /// The dataset versions, known without a query where the backend allows.
    pub versions: Arc<KnownVersions>,
    /// Streamed exports reading from the database at once (see `export_slots`).
    pub export_slots: Arc<tokio::sync::Semaphore>,
    /// The treaty taxonomy and DTA meanings, read once at start-up.
    pub treaty_reference: Arc<TreatyReference>,
    /// The countries and sources of their datasets' current versions, read once per version.
    pub reference_rows: Arc<ReferenceRows>,
    /// Disk for what slow export clients have not read yet, shared by the workers.
    pub spool_budget: Arc<SpoolBudget>,
    /// What `/metrics` reports, counted by the workers of this process.
    pub metrics: Arc<Metrics>,
    /// Requests each client address may make (off unless configured).
    pub rate_limits: Arc<RateLimits>,
    /// The keys that may import over HTTP (none: imports over HTTP are refused).
    pub import_keys: Arc<ImportKeys>,
    /// The largest body an import over HTTP may have, in bytes.
    pub import_max_bytes: u64,
    /// The public URL and contact the DCAT catalogue gives (`v1::catalog`).
    pub catalog: Arc<CatalogSettings>,
}

impl AppState {
    /// The state for a pool of connections to the database at `backend`, with an answer memo of
    /// `memo_bytes` (0 turns it off) and the treaty reference data.
    pub fn new(
        pool: DbPool,
        backend: Backend,
        memo_bytes: usize,
        treaty_reference: TreatyReference,
    ) -> Self {
        Self {
            treaty_reference: Arc::new(treaty_reference),
            reference_rows: Arc::default(),
            export_slots: Arc::new(tokio::sync::Semaphore::new(export_slots(pool.max_size()))),
            versions: Arc::new(KnownVersions::new(pool.manager().clone())),
            metrics: Arc::new(Metrics::new(&pool)),
            rate_limits: Arc::new(RateLimits::off()),
            import_keys: Arc::new(ImportKeys::default()),
            import_max_bytes: DEFAULT_IMPORT_MAX_BYTES,
            catalog: Arc::new(CatalogSettings {
                base_url: "http://localhost:8080".to_owned(),
                contact: None,
            }),
            pool,
            backend,
            memo: Arc::new(AnswerMemo::new(memo_bytes)),
            spool_budget: Arc::new(SpoolBudget::new(
                DEFAULT_SPOOL_BYTES,
                DEFAULT_SPOOL_EXPORT_BYTES,
            )),
        }
    }

    /// The same state with rate limits.
    pub fn with_rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = Arc::new(limits);
        self
    }

    /// The same state with the keys that may import over HTTP, and the largest body they may send.
    pub fn with_imports(mut self, keys: ImportKeys, max_bytes: u64) -> Self {
        self.import_keys = Arc::new(keys);
        self.import_max_bytes = max_bytes;
        self
    }

    /// The same state with the catalogue's public URL and contact.
    pub fn with_catalog(mut self, settings: CatalogSettings) -> Self {
        self.catalog = Arc::new(settings);
        self
    }

    /// The same state with another spool budget.
    pub fn with_spool_budget(mut self, budget: SpoolBudget) -> Self {
        self.spool_budget = Arc::new(budget);
        self
    }
}

/// The spool budget of a state made without one: 1 GiB in all, 256 MiB per export (the serve
/// options' defaults).
const DEFAULT_SPOOL_BYTES: u64 = 1 << 30;
const DEFAULT_SPOOL_EXPORT_BYTES: u64 = 256 << 20;

/// The largest import body of a state made without one: 256 MiB (the serve option's default).
const DEFAULT_IMPORT_MAX_BYTES: u64 = 256 << 20;

/// How many streamed exports may read from the database at once: half of the pool's connections,
/// at least one. An export holds its connection while it reads (seconds for a million rows), so
/// that many data-team downloads starting together still leave connections for every other
/// request; further exports wait for a slot.
pub fn export_slots(pool_size: u32) -> usize {
    usize::try_from(pool_size / 2).unwrap_or(usize::MAX).max(1)
}

/// Where imports are posted (`v1::imports`).
const IMPORTS_PATH: &str = "/v1/admin/imports/";

/// Registers every documented operation. The server and `openapi::spec` both call this, so the
/// document describes exactly the routes that exist.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(metrics::metrics);
    v1::configure(cfg);
}

/// The application: documented operations, `/openapi.json`, Swagger UI at `/docs`, a home page
/// at `/`, and problem documents for everything else.
pub fn app(
    state: AppState,
    spec: utoipa::openapi::OpenApi,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(state))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .configure(|cfg| configure(&mut ServiceConfig::new(cfg)))
        .service(
            SwaggerUi::new("/docs/{_:.*}")
                .url("/openapi.json", spec)
                .config(SwaggerConfig::default().validator_url("none")),
        )
        .route("/docs", web::get().to(redirect_to_docs))
        .route("/", web::get().to(home::home))
        .default_service(web::to(fallback))
        .wrap(Compress::default())
        .wrap(from_fn(memo::memoize))
        .wrap(from_fn(transport::tag_content_coding))
        .wrap(from_fn(transport::head_as_get))
        .wrap(from_fn(rate_limit::limit))
        .wrap(transport::cors())
        .wrap(from_fn(limits::head_limits))
        .wrap(from_fn(middleware::telemetry))
        .wrap(from_fn(transport::security_headers))
}

async fn redirect_to_docs() -> HttpResponse {
    HttpResponse::TemporaryRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

/// Unknown paths are 404; known paths with another method are 405 naming the methods they take:
/// imports and posted queries are POSTs, every other operation is a GET (and `HEAD` is answered
/// as one).
async fn fallback(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    if req.resource_map().has_resource(req.path()) {
        let posted_only =
            req.path().starts_with(IMPORTS_PATH) || req.path() == v1::trade::flows::QUERY_PATH;
        let (allowed, allow): (&[&str], _) = if posted_only {
            (&["POST"], "POST")
        } else {
            (&["GET", "HEAD"], "GET, HEAD")
        };
        Err(ApiError::new(
            ProblemType::MethodNotAllowed,
            format!(
                "{} is not allowed here; use {}.",
                req.method(),
                allowed.join(" or ")
            ),
        )
        .with_allowed(allowed.iter().copied())
        .with_allow_methods(allow))
    } else {
        Err(ApiError::new(
            ProblemType::NotFound,
            "No resource exists at this path. The operations are listed at /openapi.json and /docs.",
        )
        .with_help("/docs"))
    }
}

fn path_error(error: PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::new(
        ProblemType::InvalidParameter,
        format!("A path segment cannot be read: {error}."),
    )
    .with_param("path")
    .into()
}

#[cfg(test)]
mod tests {
    use super::export_slots;

    #[test]
    fn exports_take_at_most_half_of_the_pool_and_always_one() {
        assert_eq!(export_slots(8), 4);
        assert_eq!(export_slots(9), 4);
        assert_eq!(export_slots(2), 1);
        assert_eq!(export_slots(1), 1);
    }
}
