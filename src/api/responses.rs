//! Reusable OpenAPI responses for the failures operations share, so each operation lists its error
//! answers in one line each.

use utoipa::ToResponse;

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
