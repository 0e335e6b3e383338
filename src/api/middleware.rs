//! Per-request telemetry and error finishing: a request id (taken from `x-request-id` or made
//! up), one span with method, route, status and latency, one log line per request, the request
//! counted in the metrics, and problem+json bodies completed with `instance` and `request_id`.

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Data;
use actix_web::{Error, HttpMessage, HttpResponse};
use tracing::Instrument;
use tracing::field::Empty;

use super::AppState;
use crate::error::{ApiError, PROBLEM_CONTENT_TYPE, ProblemType};

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request, in the request extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// A client-supplied id is kept if it is short and printable, so it is safe in logs and headers.
fn incoming_request_id(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(&REQUEST_ID_HEADER)?.to_str().ok()?;
    let acceptable =
        !value.is_empty() && value.len() <= 128 && value.bytes().all(|b| b.is_ascii_graphic());
    acceptable.then(|| value.to_owned())
}

/// The route pattern a response answered, where it was answered before routing (a memo hit):
/// `telemetry` then need not match the path again.
#[derive(Debug, Clone)]
pub struct MatchedRoute(Arc<str>);

impl MatchedRoute {
    pub fn new(pattern: String) -> Self {
        Self(pattern.into())
    }
}

pub async fn telemetry(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let state = req.app_data::<Data<AppState>>().cloned();
    let request_id = incoming_request_id(&req).unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let target = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.path().to_owned(), |pq| pq.as_str().to_owned());
    let target = shorten_target(target);
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %req.method(),
        route = Empty,
        status = Empty,
        latency_ms = Empty,
    );

    let response = next.call(req).instrument(span.clone()).await?;
    let route = match response.response().extensions().get::<MatchedRoute>() {
        Some(MatchedRoute(route)) => route.to_string(),
        None => response
            .request()
            .match_pattern()
            .unwrap_or_else(|| "(unmatched)".to_owned()),
    };
    let mut response = span.in_scope(|| finish_problem(response, &target, &request_id));
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }

    let status = response.status();
    let elapsed = started.elapsed();
    if let Some(state) = state {
        state.metrics.record(&route, &method, status, elapsed);
    }
    let latency_ms = elapsed.as_secs_f64() * 1000.0;
    span.record("route", route.as_str());
    span.record("status", status.as_u16());
    span.record("latency_ms", latency_ms);
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::error!("request failed");
        } else {
            tracing::info!("request completed");
        }
    });
    Ok(response)
}

/// The request target as problem documents and logs show it: cut after `MAX_SHOWN_TARGET` bytes,
/// so that an over-long request is not echoed back whole.
fn shorten_target(mut target: String) -> String {
    const MAX_SHOWN_TARGET: usize = 2048;
    if target.len() > MAX_SHOWN_TARGET {
        let mut end = MAX_SHOWN_TARGET;
        while !target.is_char_boundary(end) {
            end -= 1;
        }
        target.truncate(end);
        target.push('…');
    }
    target
}

/// Re-renders error answers as complete problem documents. `ApiError`s get `instance` and
/// `request_id`; errors from elsewhere (the framework, Swagger UI) and bare 4xx/5xx answers get a
/// problem of the kind their status implies, and their cause goes to the log only.
fn finish_problem(
    response: ServiceResponse<impl MessageBody + 'static>,
    target: &str,
    request_id: &str,
) -> ServiceResponse<BoxBody> {
    let status = response.status();
    if let Some(api_error) = response
        .response()
        .error()
        .and_then(|e| e.as_error::<ApiError>())
    {
        if let Some(cause) = &api_error.cause {
            tracing::error!(%cause, kind = api_error.kind.slug(), "request error");
        }
        let rendered = api_error.render(Some(target), Some(request_id));
        return keep_transport_headers(response, rendered);
    }
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_CONTENT_TYPE.as_bytes()));
    if status.as_u16() < 400 || is_problem {
        return response.map_into_boxed_body();
    }
    let cause = response.response().error().map(ToString::to_string);
    let error = match status {
        StatusCode::NOT_FOUND => {
            ApiError::new(ProblemType::NotFound, "No resource exists at this path.")
        }
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            ProblemType::MethodNotAllowed,
            "This path does not accept this method.",
        ),
        StatusCode::NOT_ACCEPTABLE => ApiError::new(
            ProblemType::NotAcceptable,
            "No content coding the Accept-Encoding header allows can be produced: the service \
             sends identity, gzip, br, deflate or zstd.",
        ),
        s if s.is_client_error() => ApiError::new(
            ProblemType::MalformedRequest,
            "The request could not be understood.",
        ),
        _ => ApiError::internal(cause.clone().unwrap_or_else(|| status.to_string())),
    };
    let error = match cause {
        Some(cause) => {
            tracing::warn!(%cause, "framework error");
            error.with_cause(cause)
        }
        None => error,
    };
    let rendered = error.render(Some(target), Some(request_id));
    keep_transport_headers(response, rendered)
}

/// The answer re-rendered as a problem document, with the headers of the original that are not
/// about its body: CORS (a page on another origin can read why its request failed) and the rate
/// limit's (`RateLimit-*`, `Retry-After`).
fn keep_transport_headers(
    response: ServiceResponse<impl MessageBody + 'static>,
    mut rendered: HttpResponse,
) -> ServiceResponse<BoxBody> {
    for (name, value) in response.headers() {
        let name_text = name.as_str();
        if name_text.starts_with("access-control-")
            || name_text.starts_with("ratelimit-")
            || name == header::RETRY_AFTER
        {
            rendered.headers_mut().append(name.clone(), value.clone());
        }
    }
    response.into_response(rendered)
}
