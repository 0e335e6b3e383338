//! What the HTTP layer adds around every answer, whatever the resource: `HEAD` answered as `GET`
//! without its body, cross-origin access for browser pages, compression negotiated by
//! `Accept-Encoding` with an ETag of its own for each content coding, and the headers that keep
//! browsers from sniffing answers or framing the pages.

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_cors::Cors;
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, AcceptEncoding, Encoding, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{Error, HttpMessage};

use super::caching;
use super::middleware::REQUEST_ID_HEADER;
use super::rate_limit;

/// The content codings actix-web's `Compress` chooses from with the `compress-*` features this
/// crate enables, in its order; a 304 names the coding the same negotiation picks.
pub const CODINGS: [Encoding; 5] = [
    Encoding::identity(),
    Encoding::brotli(),
    Encoding::gzip(),
    Encoding::deflate(),
    Encoding::zstd(),
];

/// The content coding `Compress` sends an answer to `req` in: identity when the request names
/// none, `None` when it refuses every coding (`Compress` answers 406). Worked out once per
/// request (three layers ask) and kept in its extensions.
pub fn negotiated_coding(req: &impl HttpMessage) -> Option<Encoding> {
    if let Some(NegotiatedCoding(coding)) = req.extensions().get::<NegotiatedCoding>() {
        return coding.clone();
    }
    // Without the header there is nothing to weigh (actix's negotiation would build a set of
    // the codings to answer identity).
    let coding = if req.headers().contains_key(header::ACCEPT_ENCODING) {
        req.get_header::<AcceptEncoding>()
            .and_then(|accepted| accepted.negotiate(CODINGS.iter()))
    } else {
        Some(Encoding::identity())
    };
    req.extensions_mut()
        .insert(NegotiatedCoding(coding.clone()));
    coding
}

/// See `negotiated_coding`.
#[derive(Clone)]
struct NegotiatedCoding(Option<Encoding>);

/// How long a browser may keep the answer to a preflight request.
const PREFLIGHT_MAX_AGE_SECONDS: usize = 24 * 60 * 60;

/// Any page may read the data: every operation is a public read. Browsers get the validators and
/// links an answer carries, and the request id to quote.
pub fn cors() -> Cors {
    Cors::default()
        .allow_any_origin()
        // The same `*` whatever the origin, so answers need not vary by it.
        .send_wildcard()
        .disable_vary_header()
        // POST for queries posted as JSON (imports need a key, which no page has by default).
        .allowed_methods([Method::GET, Method::HEAD, Method::POST])
        .allow_any_header()
        .expose_headers([
            header::ETAG,
            header::LAST_MODIFIED,
            header::LINK,
            header::CONTENT_DISPOSITION,
            REQUEST_ID_HEADER,
            header::RETRY_AFTER,
            rate_limit::RATELIMIT_LIMIT,
            rate_limit::RATELIMIT_REMAINING,
            rate_limit::RATELIMIT_RESET,
        ])
        .max_age(PREFLIGHT_MAX_AGE_SECONDS)
}

/// What the pages a browser renders (`/` and Swagger UI at `/docs/`) may load: their own scripts,
/// styles and images (Swagger UI sets inline styles and `data:` icons), nothing from elsewhere,
/// and no framing by another site.
pub const PAGE_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
     style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Every answer, errors included, forbids content sniffing (a CSV or a problem document is never
/// run as a script or rendered as HTML); the pages get `PAGE_POLICY`. Runs outermost, after the
/// problem documents are rendered.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let is_page = req.path() == "/" || req.path().starts_with("/docs");
    let mut response = next.call(req).await?.map_into_boxed_body();
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if is_page {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_POLICY),
        );
    }
    Ok(response)
}

/// Routes a `HEAD` request as the `GET` it stands for and answers with the same head and no body.
/// The connection already knows the request was a `HEAD` and sends no body whatever the answer
/// holds; replacing the body also stops a streamed export before it reads its rows.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let is_head = req.method() == Method::HEAD;
    if is_head {
        req.head_mut().method = Method::GET;
    }
    let response = next.call(req).await?;
    Ok(if is_head {
        response.map_body(|_, body| BoxBody::new(NoBody(body.size())))
    } else {
        response.map_into_boxed_body()
    })
}

/// A body that announces the size of the one it replaces and holds nothing.
struct NoBody(BodySize);

impl MessageBody for NoBody {
    type Error = std::convert::Infallible;

    fn size(&self) -> BodySize {
        self.0
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Poll::Ready(None)
    }
}

/// Gives each content coding of an answer its own ETag (RFC 9110 §8.8.3: a strong validator
/// changes with the representation) and tells caches that answers vary by `Accept-Encoding`.
/// Runs outside `Compress`, which has by then set `Content-Encoding`; a 304, which has no body to
/// encode, names the coding the client's `Accept-Encoding` would have got.
pub async fn tag_content_coding(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let negotiated = negotiated_coding(&req);
    let mut response = next.call(req).await?.map_into_boxed_body();
    let Some(etag) = response
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return Ok(response);
    };
    let coding = match response.headers().get(header::CONTENT_ENCODING) {
        Some(sent) => sent.to_str().ok().map(str::to_owned),
        None if response.status() == StatusCode::NOT_MODIFIED => {
            negotiated.map(|coding| coding.to_string())
        }
        None => None,
    };
    let headers = response.headers_mut();
    let tagged = coding.and_then(|coding| caching::tag_for_coding(&etag, &coding));
    if let Some(value) = tagged.and_then(|tag| HeaderValue::from_str(&tag).ok()) {
        headers.insert(header::ETAG, value);
    }
    vary_on_accept_encoding(headers);
    Ok(response)
}

/// Folds every `Vary` value into one header that names `Accept-Encoding` once.
fn vary_on_accept_encoding(headers: &mut header::HeaderMap) {
    let mut names: Vec<String> = Vec::new();
    for value in headers.get_all(header::VARY) {
        for name in value.to_str().unwrap_or_default().split(',').map(str::trim) {
            if !name.is_empty() && !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                names.push(name.to_owned());
            }
        }
    }
    if !names
        .iter()
        .any(|n| n.eq_ignore_ascii_case("accept-encoding"))
    {
        names.push("Accept-Encoding".to_owned());
    }
    if let Ok(value) = HeaderValue::from_str(&names.join(", ")) {
        headers.insert(header::VARY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vary_names_each_header_once_and_always_accept_encoding() {
        let mut headers = header::HeaderMap::new();
        headers.append(header::VARY, HeaderValue::from_static("Accept"));
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
        vary_on_accept_encoding(&mut headers);
        assert_eq!(headers.get_all(header::VARY).count(), 1);
        assert_eq!(
            headers.get(header::VARY).map(|v| v.as_bytes()),
            Some(&b"Accept, accept-encoding"[..])
        );

        let mut headers = header::HeaderMap::new();
        vary_on_accept_encoding(&mut headers);
        assert_eq!(
            headers.get(header::VARY).map(|v| v.as_bytes()),
            Some(&b"Accept-Encoding"[..])
        );
    }
}
