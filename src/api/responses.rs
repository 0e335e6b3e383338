//! Reusable OpenAPI responses for the failures operations share, so each operation lists its error
//! answers in one line each.

use utoipa::{IntoResponses, ToResponse};

use crate::error::Problem;

/// A parameter is malformed, out of range or not taken by this operation (`invalid-parameter`,
/// `unknown-parameter`).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
#[allow(dead_code)]
pub struct BadRequest(Problem);

/// The resource named in the path does not exist; `help` says where valid values are listed.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
#[allow(dead_code)]
pub struct NotFound(Problem);

/// The `Accept` header asks for a media type this operation cannot produce (`not-acceptable`).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
#[allow(dead_code)]
pub struct NotAcceptable(Problem);

/// The database is unreachable or not migrated (`database-unavailable`, `not-ready`).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
#[allow(dead_code)]
pub struct Unavailable(Problem);

/// The client's copy, named by `If-None-Match` or `If-Modified-Since`, is current.
#[derive(ToResponse)]
#[allow(dead_code)]
pub struct NotModified;

/// What every read operation can answer besides its 200: 304, 400, 406 and 503, listed once here
/// and referenced by each operation.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum ReadFailures {
    #[response(status = 304)]
    NotModified(#[ref_response] NotModified),
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    #[response(status = 406)]
    NotAcceptable(#[ref_response] NotAcceptable),
    #[response(status = 503)]
    Unavailable(#[ref_response] Unavailable),
}

/// The same for operations that look up what the request names (a country, a series, a
/// treaty): 404 besides.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum LookupFailures {
    #[response(status = 304)]
    NotModified(#[ref_response] NotModified),
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    #[response(status = 404)]
    NotFound(#[ref_response] NotFound),
    #[response(status = 406)]
    NotAcceptable(#[ref_response] NotAcceptable),
    #[response(status = 503)]
    Unavailable(#[ref_response] Unavailable),
}
