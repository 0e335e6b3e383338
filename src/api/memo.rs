//! Answers kept in memory under their ETag, in each content coding they were sent in. An answer's
//! ETag changes exactly when the datasets it reads change (see `caching`), so a request whose
//! freshly computed ETag matches a kept answer gets that answer's bytes without the main queries,
//! and without any query where the process knows the current dataset versions (`db::versions`,
//! which states how stale they can be). The bytes are kept as sent, compressed or not, so a hit
//! costs no compression either. The memo is bounded; when it is full it starts over, so the
//! answers that are asked for again come back first.

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

use super::AppState;
use super::transport;
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

    /// The map stays usable even if a thread panicked while holding the lock: every write leaves
    /// it consistent.
    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Keeps every complete 200 answer that carries an ETag, in the content coding it is sent in.
/// Runs outside `Compress`, so what it keeps is what went out; the compressed body is read whole
/// here (it is no larger than the memo accepts, which `CompleteAnswer` tells before compression)
/// and goes out with its length.
pub async fn memoize(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
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
