//! Liveness and readiness probes for load balancers and orchestrators.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use crate::db;
use crate::error::{ApiError, ProblemType};

/// The process is up.
#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// The database answers and its schema is current.
#[derive(Serialize, ToSchema)]
pub struct Readiness {
    #[schema(example = "ready")]
    pub status: &'static str,
    /// The backend in use.
    #[schema(example = "sqlite")]
    pub database: &'static str,
}

/// Liveness probe
///
/// Answers 200 while the process runs, without touching the database. Use it to decide whether to
/// restart the process; use `/readyz` to decide whether to send it traffic.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "The process is up", body = Health),
        (status = 406, response = super::responses::NotAcceptable),
    )
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Health { status: "ok" })
}

/// Readiness probe
///
/// Answers 200 when the database answers and every migration this binary embeds is applied,
/// otherwise 503 with a problem document (`database-unavailable` or `not-ready`).
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = Readiness),
        (status = 406, response = super::responses::NotAcceptable),
        (status = 503, response = super::responses::Unavailable),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let backend = state.backend;
    db::run(&state.pool, |conn| {
        let pending =
            db::has_pending_migrations(conn).map_err(|e| ApiError::unavailable(e.to_string()))?;
        if pending {
            return Err(ApiError::new(
                ProblemType::NotReady,
                "The database answers but has migrations that are not applied yet.",
            ));
        }
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Readiness {
            status: "ready",
            database: backend.name(),
        }))
}
