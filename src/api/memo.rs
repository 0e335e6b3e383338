//! Answers kept in memory under their ETag, in each content coding they were sent in. An answer's
//! ETag changes exactly when the datasets it reads change (see `caching`), so a request whose
//! freshly computed ETag matches a kept answer gets that answer's bytes without the main queries,
//! and without any query where the process knows the current dataset versions (`db::versions`,
//! which states how stale they can be). The bytes are kept as sent, compressed or not, so a hit
//! costs no compression either. The memo is bounded; when it is full it starts over, so the
//! answers that are asked for again come back first.
//!
//! An answer found by the ETag the process worked out from the dataset versions it knows is then
//! kept under the request too (its target, `Accept` and content coding): the same request, while
//! those versions and the day are still current, is answered by `memoize` before routing, without
//! the handler parsing it or working out its ETag. What decides the answer is the same either
//! way: the target (parameters included), the representation asked for, the day and the versions.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, Encoding, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, Data};
use actix_web::{Error, HttpRequest, HttpResponse};
use chrono::NaiveDate;

use super::AppState;
use super::middleware::MatchedRoute;
use super::transport;
use crate::db::versions::Catalogue;
use crate::error::ApiError;

/// A kept answer: a 200 with its headers (`Content-Encoding` among them when it is compressed)
/// and body.
#[derive(Debug)]
pub struct MemoizedAnswer {
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

impl MemoizedAnswer {
    /// The kept answer, marked as a hit (RFC 9211 `Cache-Status`). A compressed answer carries its
    /// `Content-Encoding`, which tells `Compress` to send it as it is. Headers are appended, not
    /// inserted: a compressed answer has two `Vary` (`Accept`, then `Compress`'s own).
    pub fn response(&self) -> HttpResponse {
        let mut response = HttpResponse::Ok();
        for (name, value) in &self.headers {
            response.append_header((name.clone(), value.clone()));
        }
        response.insert_header((CACHE_STATUS, HeaderValue::from_static(HIT)));
        response.body(self.body.clone())
    }
}

/// RFC 9211's header, saying whether an answer came from the memo.
pub const CACHE_STATUS: HeaderName = HeaderName::from_static("cache-status");
const HIT: &str = "trilateral; hit";
const STORED: &str = "trilateral; fwd=miss; stored";

/// Marks a complete answer the handler rendered in memory (not a stream, not a 304, not a hit),
/// with the size of its body before any compression.
#[derive(Debug, Clone, Copy)]
pub struct CompleteAnswer {
    pub identity_bytes: u64,
}

/// The dataset versions and the day an answer kept under its ETag was found for.
#[derive(Debug, Clone)]
pub struct FoundWith {
    pub catalogue: Catalogue,
    pub today: NaiveDate,
}

impl FoundWith {
    /// Whether an answer found with this is still the answer now: the same day, and every dataset
    /// at the same version (none added or removed, which a family's answer would show).
    fn is_current(&self, catalogue: &Catalogue, today: NaiveDate) -> bool {
        self.today == today
            && (Arc::ptr_eq(&self.catalogue, catalogue)
                || self.catalogue.len() == catalogue.len()
                    && self
                        .catalogue
                        .iter()
                        .zip(catalogue.iter())
                        .all(|(kept, now)| kept.id == now.id && kept.version == now.version))
    }
}

/// An answer kept under the request it answers (see the module's documentation).
#[derive(Debug)]
struct RequestAnswer {
    answer: Arc<MemoizedAnswer>,
    found_with: FoundWith,
    /// The route that answered, for the metrics and the log (routing does not run for a hit).
    route: Option<MatchedRoute>,
}

/// The request target as sent: what the memo key holds and `links.self` repeats.
pub fn target(req: &HttpRequest) -> &str {
    req.uri()
        .path_and_query()
        .map_or_else(|| req.path(), |pq| pq.as_str())
}

/// The kept answers, shared by the workers of one process.
#[derive(Debug)]
pub struct AnswerMemo {
    budget_bytes: usize,
    entries: Mutex<Entries>,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// What the memo has done and holds, for the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoStats {
    pub hits: u64,
    pub misses: u64,
    pub entries: usize,
    pub bytes: usize,
    pub budget_bytes: usize,
}

#[derive(Debug, Default)]
struct Entries {
    by_key: HashMap<String, Arc<MemoizedAnswer>>,
    /// The same answers, for the requests they answered (`request_key`).
    by_request: HashMap<String, Arc<RequestAnswer>>,
    bytes: usize,
}

/// No single answer may take more than this share of the budget (a 100,000-row page would
/// otherwise push out everything else).
const LARGEST_SHARE: usize = 8;

impl AnswerMemo {
    /// A memo of at most `budget_bytes` of bodies; 0 turns it off.
    pub fn new(budget_bytes: usize) -> Self {
        Self {
            budget_bytes,
            entries: Mutex::new(Entries::default()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    pub fn stats(&self) -> MemoStats {
        let entries = self.lock();
        MemoStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries: entries.by_key.len(),
            bytes: entries.bytes,
            budget_bytes: self.budget_bytes,
        }
    }

    /// The key of an answer: its ETag (without the coding), the content coding it is sent in and
    /// the request target as sent (the ETag already covers the representation; the target is
    /// kept whole because `links.self` repeats it).
    pub fn key(etag: &str, coding: &Encoding, target: &str) -> String {
        format!("{etag} {coding} {target}")
    }

    /// The key of the request itself: the content coding negotiated, the `Accept` headers and the
    /// target as sent. `None` for an `Accept` that is not visible ASCII, which takes the long way.
    fn request_key(coding: &Encoding, req: &HttpRequest) -> Option<String> {
        let mut key = format!("{coding} {}", target(req));
        for accept in req.headers().get_all(header::ACCEPT) {
            key.push('\n');
            key.push_str(accept.to_str().ok()?);
        }
        Some(key)
    }

    /// The answer kept for the request `key`, if it was read from what is current now: a hit.
    /// A request not found here is not counted; the handler's lookup counts it.
    fn get_for_request(
        &self,
        key: &str,
        current: impl FnOnce() -> Option<Catalogue>,
        today: NaiveDate,
    ) -> Option<HttpResponse> {
        let kept = self.lock().by_request.get(key).cloned()?;
        if !kept.found_with.is_current(&current()?, today) {
            return None;
        }
        self.hits.fetch_add(1, Ordering::Relaxed);
        let mut response = kept.answer.response();
        if let Some(route) = &kept.route {
            response.extensions_mut().insert(route.clone());
        }
        Some(response)
    }

    /// The answer kept under `key`; each call with the memo on counts as a hit or a miss.
    pub fn get(&self, key: &str) -> Option<Arc<MemoizedAnswer>> {
        if self.budget_bytes == 0 {
            return None;
        }
        let answer = self.lock().by_key.get(key).cloned();
        let counter = if answer.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        answer
    }

    fn accepts(&self, size: u64) -> bool {
        usize::try_from(size).is_ok_and(|size| size <= self.budget_bytes / LARGEST_SHARE)
    }

    fn insert(&self, key: String, answer: MemoizedAnswer) {
        let size = answer.body.len() + key.len();
        let mut entries = self.lock();
        if entries.bytes + size > self.budget_bytes {
            *entries = Entries::default();
        }
        entries.bytes += size;
        if let Some(previous) = entries.by_key.insert(key.clone(), Arc::new(answer)) {
            entries.bytes -= previous.body.len() + key.len();
        }
    }

    /// Keeps an answer found by its ETag for `req`, worked out from `found_with`, under the request
    /// too, where the next such request can be answered before routing
    /// (`answerable_before_routing`). A conditional request is not kept for: it would never be
    /// answered from there.
    /// Its body is counted under its ETag key already; here only the request key is.
    pub fn keep_for_request(
        &self,
        req: &HttpRequest,
        coding: &Encoding,
        answer: &Arc<MemoizedAnswer>,
        found_with: FoundWith,
    ) {
        if !answerable_before_routing(req) {
            return;
        }
        let Some(key) = Self::request_key(coding, req) else {
            return;
        };
        let kept = Arc::new(RequestAnswer {
            answer: Arc::clone(answer),
            found_with,
            route: req.match_pattern().map(MatchedRoute::new),
        });
        let len = key.len();
        let mut entries = self.lock();
        if entries.bytes + len > self.budget_bytes {
            return;
        }
        entries.bytes += len;
        if entries.by_request.insert(key, kept).is_some() {
            entries.bytes -= len;
        }
    }

    /// The map stays usable even if a thread panicked while holding the lock: every write leaves
    /// it consistent.
    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Answers a request kept under its own key while what it was read from is current (see the
/// module's documentation), before routing; otherwise keeps every complete 200 answer that
/// carries an ETag, in the content coding it is sent in. Runs outside `Compress`, so what it keeps
/// is what went out; the compressed body is read whole here (it is no larger than the memo
/// accepts, which `CompleteAnswer` tells before compression) and goes out with its length.
pub async fn memoize(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if let Some(answer) = answer_before_routing(req.request()) {
        let (request, _) = req.into_parts();
        return Ok(ServiceResponse::new(request, answer));
    }
    let response = next.call(req).await?;
    // Only answers the handler marked complete are looked at further: hits, 304s, streams and
    // errors pass through without a key being built. A posted query is answered from the memo
    // by the key of the GET it stands for, and so never kept under its own path.
    let complete = response
        .response()
        .extensions()
        .get::<CompleteAnswer>()
        .copied()
        .filter(|_| {
            response.status() == StatusCode::OK && response.request().method() == Method::GET
        });
    let Some(complete) = complete else {
        return Ok(response.map_into_boxed_body());
    };
    let request = response.request();
    let memo = request
        .app_data::<Data<AppState>>()
        .map(|state| Arc::clone(&state.memo))
        .filter(|memo| memo.budget_bytes > 0 && memo.accepts(complete.identity_bytes));
    let etag = response
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok());
    let key = match (memo, etag, transport::negotiated_coding(request)) {
        (Some(memo), Some(etag), Some(coding)) => {
            Some((memo, AnswerMemo::key(etag, &coding, target(request))))
        }
        _ => None,
    };
    let Some((memo, key)) = key else {
        return Ok(response.map_into_boxed_body());
    };
    let (request, response) = response.into_parts();
    let (mut response, sent) = response.into_parts();
    let bytes = body::to_bytes(sent)
        .await
        .map_err(|e| ApiError::internal(format!("compressing an answer: {}", e.into())))?;
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    memo.insert(
        key,
        MemoizedAnswer {
            headers,
            body: bytes.clone(),
        },
    );
    response
        .headers_mut()
        .insert(CACHE_STATUS, HeaderValue::from_static(STORED));
    Ok(ServiceResponse::new(
        request,
        response.set_body(BoxBody::new(bytes)),
    ))
}

/// The kept answer to `req` where the memo has one found with the current versions on this day.
fn answer_before_routing(req: &HttpRequest) -> Option<HttpResponse> {
    if !answerable_before_routing(req) {
        return None;
    }
    let state = req.app_data::<Data<AppState>>()?;
    if state.memo.budget_bytes == 0 {
        return None;
    }
    let key = AnswerMemo::request_key(&transport::negotiated_coding(req)?, req)?;
    let today = super::caching::today();
    state
        .memo
        .get_for_request(&key, || state.versions.current(), today)
}

/// Whether a request can be answered before routing: an unconditional GET. A conditional request
/// goes to the handler, which answers it 304 where the client's copy is current.
fn answerable_before_routing(req: &HttpRequest) -> bool {
    let conditional = req.headers().contains_key(header::IF_NONE_MATCH)
        || req.headers().contains_key(header::IF_MODIFIED_SINCE);
    req.method() == Method::GET && !conditional
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &'static str) -> MemoizedAnswer {
        MemoizedAnswer {
            headers: vec![(header::ETAG, HeaderValue::from_static("\"x\""))],
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    #[test]
    fn a_full_memo_starts_over_and_never_exceeds_its_budget() {
        let memo = AnswerMemo::new(64);
        memo.insert("a".to_owned(), answer("0123456789"));
        memo.insert("b".to_owned(), answer("0123456789"));
        assert!(memo.get("a").is_some() && memo.get("b").is_some());
        for key in ["c", "d", "e", "f"] {
            memo.insert(key.to_owned(), answer("0123456789"));
            assert!(memo.lock().bytes <= 64);
        }
        assert!(memo.get("a").is_none(), "the oldest generation was dropped");
        assert!(memo.get("f").is_some());
        let stats = memo.stats();
        assert_eq!((stats.hits, stats.misses), (3, 1));
        assert!(stats.entries >= 1 && stats.bytes <= stats.budget_bytes);
    }

    #[test]
    fn an_answer_kept_for_a_request_is_current_only_on_its_day_with_its_versions() {
        use crate::db::datasets::example;
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).expect("a day");
        let catalogue: Catalogue = vec![example("countries", 3), example("wages", 7)].into();
        let found_with = FoundWith {
            catalogue: Arc::clone(&catalogue),
            today: day,
        };
        assert!(found_with.is_current(&catalogue, day));
        let read_again: Catalogue = vec![example("countries", 3), example("wages", 7)].into();
        assert!(
            found_with.is_current(&read_again, day),
            "the same versions, read anew"
        );
        let next_day = day.succ_opt().expect("a day");
        assert!(!found_with.is_current(&catalogue, next_day));
        let changed: Catalogue = vec![example("countries", 3), example("wages", 8)].into();
        assert!(!found_with.is_current(&changed, day));
        let added: Catalogue = vec![
            example("countries", 3),
            example("trade", 1),
            example("wages", 7),
        ]
        .into();
        assert!(!found_with.is_current(&added, day));
    }

    #[test]
    fn replacing_an_answer_counts_its_bytes_once() {
        let memo = AnswerMemo::new(1024);
        memo.insert("a".to_owned(), answer("0123456789"));
        memo.insert("a".to_owned(), answer("01234"));
        assert_eq!(memo.lock().bytes, 6);
    }

    #[test]
    fn a_zero_budget_keeps_nothing_and_large_answers_are_not_kept() {
        let memo = AnswerMemo::new(0);
        assert!(!memo.accepts(1));
        assert!(memo.get("a").is_none());
        let memo = AnswerMemo::new(80);
        assert!(memo.accepts(10) && !memo.accepts(11));
    }
}
