//! Answers kept in memory under their ETag. An answer's ETag changes exactly when the datasets it
//! reads change (see `caching`), so a request whose freshly computed ETag matches a kept answer
//! gets that answer's bytes without the main queries, and without any query where the process
//! knows the current dataset versions (`db::versions`, which states how stale they can be). The
//! memo is bounded; when it is full it starts over, so the answers that are asked for again come
//! back first.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, Data};
use actix_web::{Error, HttpResponse};

use super::AppState;

/// A kept answer: a 200 with its headers and body.
#[derive(Debug)]
pub struct MemoizedAnswer {
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

impl MemoizedAnswer {
    pub fn response(&self) -> HttpResponse {
        let mut response = HttpResponse::Ok();
        for (name, value) in &self.headers {
            response.insert_header((name.clone(), value.clone()));
        }
        response.body(self.body.clone())
    }
}

/// The kept answers, shared by the workers of one process.
#[derive(Debug)]
pub struct AnswerMemo {
    budget_bytes: usize,
    entries: Mutex<Entries>,
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
        }
    }

    /// The key of an answer: its ETag and the request target as sent (the ETag already covers the
    /// representation; the target is kept whole because `links.self` repeats it).
    pub fn key(etag: &str, target: &str) -> String {
        format!("{etag} {target}")
    }

    pub fn get(&self, key: &str) -> Option<Arc<MemoizedAnswer>> {
        if self.budget_bytes == 0 {
            return None;
        }
        self.lock().by_key.get(key).cloned()
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

/// Keeps every complete 200 answer to a GET under `/v1/` that carries an ETag (streamed exports
/// have no known size and are not kept).
pub async fn memoize(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let memo = req
        .app_data::<Data<AppState>>()
        .map(|state| Arc::clone(&state.memo))
        .filter(|memo| memo.budget_bytes > 0);
    let target = req.uri().path_and_query().map(|pq| pq.as_str().to_owned());
    let memo = match (memo, target) {
        (Some(memo), Some(target)) if req.method() == Method::GET && target.starts_with("/v1/") => {
            Some((memo, target))
        }
        _ => None,
    };
    let response = next.call(req).await?;
    let Some((memo, target)) = memo else {
        return Ok(response.map_into_boxed_body());
    };
    let etag = response
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let keepable = response.status() == StatusCode::OK
        && matches!(response.response().body().size(), BodySize::Sized(size) if memo.accepts(size));
    let (Some(etag), true) = (etag, keepable) else {
        return Ok(response.map_into_boxed_body());
    };
    let (request, response) = response.into_parts();
    let (response, body) = response.into_parts();
    let response = match body.try_into_bytes() {
        Ok(bytes) => {
            let headers = response
                .headers()
                .iter()
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect();
            memo.insert(
                AnswerMemo::key(&etag, &target),
                MemoizedAnswer {
                    headers,
                    body: bytes.clone(),
                },
            );
            response.set_body(BoxBody::new(bytes))
        }
        Err(body) => response.set_body(BoxBody::new(body)),
    };
    Ok(ServiceResponse::new(request, response))
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
