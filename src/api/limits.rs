//! Limits on the request head that the service answers itself, with a problem document: a request
//! target over `MAX_URI_BYTES` is a 414, a head with more than `MAX_HEADERS` fields or over
//! `MAX_HEADER_BYTES` a 431.
//!
//! actix-http has its own limits, below which these sit: a head that does not fit its 128 KiB
//! buffer or has more than 96 fields, a request line or header it cannot parse (a URI over the
//! 64 KiB the `http` crate reads is one, and answered 400), and a head that
//! does not arrive within the client request timeout are answered by its dispatcher (431, 400 and
//! 408) before any application code runs, with an empty body and no way to give them one. The
//! limits here are tighter, so that every head that is merely too large, rather than broken or
//! enormous, gets an answer that says why.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use crate::error::{ApiError, ProblemType};

/// The longest request target (path and query) the service reads: far beyond any URL its links
/// build (a search is at most 200 characters, a list at most 50 codes).
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// The most header fields a request may have.
pub const MAX_HEADERS: usize = 64;

/// The most bytes of header names and values a request may have, all fields together.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Answers a request whose head is over a limit before anything else reads it.
pub async fn head_limits(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if let Some(error) = over_limit(&req) {
        // The error rides on the response (`error_response` keeps it; `into_response` would
        // not), so that telemetry completes the problem document.
        return Ok(req.error_response(error).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

fn over_limit(req: &ServiceRequest) -> Option<ApiError> {
    let target = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if target > MAX_URI_BYTES {
        return Some(ApiError::new(
            ProblemType::UriTooLong,
            format!(
                "The request target has {target} bytes; the service reads at most {MAX_URI_BYTES}."
            ),
        ));
    }
    let headers = req.headers();
    if headers.len() > MAX_HEADERS {
        return Some(ApiError::new(
            ProblemType::HeadersTooLarge,
            format!(
                "The request has {} header fields; the service reads at most {MAX_HEADERS}.",
                headers.len()
            ),
        ));
    }
    let bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    (bytes > MAX_HEADER_BYTES).then(|| {
        ApiError::new(
            ProblemType::HeadersTooLarge,
            format!(
                "The request's header fields have {bytes} bytes; the service reads at most \
                 {MAX_HEADER_BYTES}."
            ),
        )
    })
}
