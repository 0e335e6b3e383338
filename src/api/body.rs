//! Request bodies: read as they arrive, up to a limit the caller sets, with a 413 problem past it.

use actix_web::web;
use futures_util::StreamExt;

use crate::error::{ApiError, ProblemType};

/// Hands each chunk of `payload` to `sink` as it arrives, and returns the bytes read. A body
/// that says or turns out to be longer than `limit` bytes is a 413 (`too_large` says why), with
/// nothing more read.
pub async fn read_limited(
    req: &actix_web::HttpRequest,
    payload: &mut web::Payload,
    limit: u64,
    too_large: impl Fn() -> String,
    mut sink: impl FnMut(&[u8]) -> Result<(), ApiError>,
) -> Result<u64, ApiError> {
    let over = || ApiError::new(ProblemType::PayloadTooLarge, too_large());
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(over());
    }
    let mut received = 0u64;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                ProblemType::MalformedRequest,
                format!("The body could not be read: {e}."),
            )
        })?;
        received += chunk.len() as u64;
        if received > limit {
            return Err(over());
        }
        sink(&chunk)?;
    }
    Ok(received)
}

/// Whether the request's `Content-Type` (its media type, without parameters) is one of
/// `allowed`; a 415 naming them otherwise.
pub fn check_media_type(
    req: &actix_web::HttpRequest,
    allowed: &[&str],
    what: &str,
) -> Result<(), ApiError> {
    let given = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| {
            value
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    match given {
        Some(given) if allowed.contains(&given.as_str()) => Ok(()),
        given => Err(ApiError::new(
            ProblemType::UnsupportedMediaType,
            format!(
                "{what} is read from {}; the request's Content-Type is {}.",
                allowed.join(" or "),
                given.map_or_else(|| "missing".to_owned(), |g| format!("'{g}'"))
            ),
        )
        .with_param("Content-Type")
        .with_allowed(allowed.iter().copied())),
    }
}
