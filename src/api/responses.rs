//! Reusable OpenAPI responses for the failures operations share, so each operation lists its error
//! answers in one line each.

use utoipa::{IntoResponses, ToResponse};

use crate::error::Problem;

/// A parameter is malformed, out of range or not taken by this operation (`invalid-parameter`,
/// `unknown-parameter`).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("x-request-id" = String, description = "The request's id, also in the body")),
    example = json!({
        "type": "/problems/invalid-parameter",
        "title": "Invalid parameter",
        "status": 400,
        "detail": "limit must be from 1 to 100.",
        "instance": "/v1/provisions/search?q=labour&limit=0",
        "param": "limit",
        "request_id": "5f1c7d0e-8c1a-4d57-9a55-8f1f2b1f7a10"
    })
)]
#[allow(dead_code)]
pub struct BadRequest(Problem);

/// The resource named in the path does not exist; `help` says where valid values are listed.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("x-request-id" = String, description = "The request's id, also in the body")),
    example = json!({
        "type": "/problems/unknown-country",
        "title": "Unknown country",
        "status": 404,
        "detail": "No country has the code 'XX'.",
        "instance": "/v1/countries/XX",
        "param": "code",
        "help": "/v1/countries",
        "request_id": "5f1c7d0e-8c1a-4d57-9a55-8f1f2b1f7a10"
    })
)]
#[allow(dead_code)]
pub struct NotFound(Problem);

/// The `Accept` header asks for a media type this operation cannot produce, or `Accept-Encoding`
/// refuses every content coding the service sends (`not-acceptable`).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("x-request-id" = String, description = "The request's id, also in the body")),
    example = json!({
        "type": "/problems/not-acceptable",
        "title": "Not acceptable",
        "status": 406,
        "detail": "None of the media types in the Accept header can be produced.",
        "instance": "/v1/wages/mx",
        "param": "Accept",
        "allowed": ["application/json", "text/csv", "application/x-ndjson", "application/ndjson"],
        "request_id": "5f1c7d0e-8c1a-4d57-9a55-8f1f2b1f7a10"
    })
)]
#[allow(dead_code)]
pub struct NotAcceptable(Problem);

/// The request target (path and query) is longer than the service reads (`uri-too-long`).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("x-request-id" = String, description = "The request's id, also in the body")),
    example = json!({
        "type": "/problems/uri-too-long",
        "title": "URI too long",
        "status": 414,
        "detail": "The request target has 9267 bytes; the service reads at most 8192.",
        "instance": "/v1/provisions/search",
        "request_id": "5f1c7d0e-8c1a-4d57-9a55-8f1f2b1f7a10"
    })
)]
#[allow(dead_code)]
pub struct UriTooLong(Problem);

/// The database is unreachable or not migrated (`database-unavailable`, `not-ready`).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("x-request-id" = String, description = "The request's id, also in the body")),
    example = json!({
        "type": "/problems/database-unavailable",
        "title": "Database unavailable",
        "status": 503,
        "detail": "The database is not reachable. Retry later.",
        "instance": "/v1/wages/mx",
        "request_id": "5f1c7d0e-8c1a-4d57-9a55-8f1f2b1f7a10"
    })
)]
#[allow(dead_code)]
pub struct Unavailable(Problem);

/// The client (an import key, else an address) made more requests than the rate limit allows
/// (`rate-limited`).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(
        ("x-request-id" = String, description = "The request's id, also in the body"),
        ("Retry-After" = String, description = "Seconds after which the next request is admitted"),
        ("RateLimit-Limit" = String, description = "Requests the client may make at once"),
        ("RateLimit-Remaining" = String, description = "`0`: none may be made now"),
        ("RateLimit-Reset" = String, description = "Seconds until the next request is admitted")
    ),
    example = json!({
        "type": "/problems/rate-limited",
        "title": "Too many requests",
        "status": 429,
        "detail": "This client made more than 200 requests at once or 100 per second. Retry after 1 seconds.",
        "instance": "/v1/wages/mx",
        "request_id": "5f1c7d0e-8c1a-4d57-9a55-8f1f2b1f7a10"
    })
)]
#[allow(dead_code)]
pub struct TooManyRequests(Problem);

/// No key, or one the service is not configured with (`unauthorized`); `WWW-Authenticate` says
/// how to authenticate.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(
        ("x-request-id" = String, description = "The request's id, also in the body"),
        ("WWW-Authenticate" = String, description = "`Bearer realm=\"imports\"`")
    ),
    example = json!({
        "type": "/problems/unauthorized",
        "title": "Unauthorized",
        "status": 401,
        "detail": "An import needs `Authorization: Bearer <key>` with a key the service is configured with (TRILATERAL_IMPORT_KEYS).",
        "instance": "/v1/admin/imports/csv",
        "request_id": "5f1c7d0e-8c1a-4d57-9a55-8f1f2b1f7a10"
    })
)]
#[allow(dead_code)]
pub struct Unauthorized(Problem);

/// The key is known but may not import this kind (`forbidden`).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("x-request-id" = String, description = "The request's id, also in the body")),
    example = json!({
        "type": "/problems/forbidden",
        "title": "Forbidden",
        "status": 403,
        "detail": "The key 'feeds' may not import tota-xml; it may import: csv.",
        "instance": "/v1/admin/imports/tota-xml",
        "request_id": "5f1c7d0e-8c1a-4d57-9a55-8f1f2b1f7a10"
    })
)]
#[allow(dead_code)]
pub struct Forbidden(Problem);

/// The body is larger than an import may be (`payload-too-large`).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("x-request-id" = String, description = "The request's id, also in the body")),
    example = json!({
        "type": "/problems/payload-too-large",
        "title": "Payload too large",
        "status": 413,
        "detail": "The body is larger than the 256 MiB an import may have (TRILATERAL_IMPORT_MAX_MB).",
        "instance": "/v1/admin/imports/csv",
        "request_id": "5f1c7d0e-8c1a-4d57-9a55-8f1f2b1f7a10"
    })
)]
#[allow(dead_code)]
pub struct PayloadTooLarge(Problem);

/// The `Content-Type` is not one the kind is read from (`unsupported-media-type`).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("x-request-id" = String, description = "The request's id, also in the body")),
    example = json!({
        "type": "/problems/unsupported-media-type",
        "title": "Unsupported media type",
        "status": 415,
        "detail": "A csv import is read from text/csv; the request's Content-Type is 'application/json'.",
        "instance": "/v1/admin/imports/csv",
        "param": "Content-Type",
        "allowed": ["text/csv"],
        "request_id": "5f1c7d0e-8c1a-4d57-9a55-8f1f2b1f7a10"
    })
)]
#[allow(dead_code)]
pub struct UnsupportedMediaType(Problem);

/// The body has a bad line, record or value (`import-rejected`); nothing was changed.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("x-request-id" = String, description = "The request's id, also in the body")),
    example = json!({
        "type": "/problems/import-rejected",
        "title": "Import rejected",
        "status": 422,
        "detail": "body, line 3: value_usd 'abc' is not a number",
        "instance": "/v1/admin/imports/csv",
        "param": "body",
        "request_id": "5f1c7d0e-8c1a-4d57-9a55-8f1f2b1f7a10"
    })
)]
#[allow(dead_code)]
pub struct ImportRejected(Problem);

/// The client's copy, named by `If-None-Match` or `If-Modified-Since`, is current.
#[derive(ToResponse)]
#[response(headers(
    ("ETag" = String, description = "The validator of the current representation"),
    ("Last-Modified" = String, description = "When the newest dataset read last changed"),
    ("Cache-Control" = String, description = "`public, max-age=300`")
))]
#[allow(dead_code)]
pub struct NotModified;

/// What every read operation can answer besides its 200: 304, 400, 406, 414 and 503, listed once
/// here and referenced by each operation.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum ReadFailures {
    #[response(status = 304)]
    NotModified(#[ref_response] NotModified),
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    #[response(status = 406)]
    NotAcceptable(#[ref_response] NotAcceptable),
    #[response(status = 414)]
    UriTooLong(#[ref_response] UriTooLong),
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
    #[response(status = 414)]
    UriTooLong(#[ref_response] UriTooLong),
    #[response(status = 503)]
    Unavailable(#[ref_response] Unavailable),
}
