//! Prometheus metrics at `/metrics`, in the OpenMetrics text format Prometheus scrapes: requests
//! by route, method and status and their latency by route; the database pool (connections open,
//! idle and in use, checkout times, checkouts that gave up); the answer memo (hits, misses, what
//! it holds); streamed exports (slots in use, spool bytes).
//!
//! Requests and checkouts are counted as they happen; what the pool, the memo and the exports hold
//! is read at each scrape. Each application has its own registry, so that several in one process
//! (as in the tests) count apart. Every name starts with `trilateral_`.

use std::time::Duration;

use actix_web::http::{Method, StatusCode, header};
use actix_web::{HttpResponse, get, web};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::text::{encode_eof, encode_registry};
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};

use super::AppState;
use crate::db::DbPool;
use crate::error::ApiError;
use crate::import::command::{ImportKind, ImportResult};

/// The media type of the answer: OpenMetrics text, which Prometheus asks for first.
pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

const PREFIX: &str = "trilateral";

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: &'static str,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ImportLabels {
    kind: &'static str,
    result: &'static str,
}

/// The counters of one application.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RouteLabels, Histogram, fn() -> Histogram>,
    imports: Family<ImportLabels, Counter>,
}

/// Request latency buckets: from 25 µs (an answer kept in the memo) by doublings to about 52 s,
/// beyond the longest a query may run by default (30 s).
fn request_duration_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_025, 2.0, 22))
}

impl Metrics {
    /// The registry of an application whose database connections come from `pool`.
    pub fn new(pool: &DbPool) -> Self {
        let mut registry = Registry::with_prefix(PREFIX);
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "Requests answered, by route pattern ((unmatched) for paths no route has), method and \
             status",
            requests.clone(),
        );
        let durations = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            request_duration_histogram,
        );
        registry.register_with_unit(
            "http_request_duration",
            "Time from a request's arrival to its answer's head (a streamed export goes on after)",
            Unit::Seconds,
            durations.clone(),
        );
        let events = pool.events();
        registry.register_with_unit(
            "db_pool_checkout_duration",
            "Time a request took to get a database connection: waiting for a free one, then \
             checking it is alive",
            Unit::Seconds,
            events.checkout_seconds.clone(),
        );
        registry.register(
            "db_pool_timeouts",
            "Requests that found no free database connection within the pool timeout (each a 503)",
            events.timeouts.clone(),
        );
        let imports = Family::<ImportLabels, Counter>::default();
        registry.register(
            "imports",
            "Imports over HTTP, by kind and result: imported, checked (a dry run), rejected (a bad \
             body, 422) or failed (the database)",
            imports.clone(),
        );
        Self {
            registry,
            requests,
            durations,
            imports,
        }
    }

    /// Counts an answered request.
    pub fn record(&self, route: &str, method: &Method, status: StatusCode, elapsed: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                method: method_label(method),
                status: status.as_u16(),
            })
            .inc();
        self.durations
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// Counts an import over HTTP of `kind` that ended as `result`.
    pub fn record_import(&self, kind: ImportKind, result: ImportResult) {
        self.imports
            .get_or_create(&ImportLabels {
                kind: kind.name(),
                result: result.name(),
            })
            .inc();
    }

    /// Every metric of the application `state`, as OpenMetrics text.
    pub fn render(&self, state: &AppState) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        encode_registry(&mut text, &self.registry)?;
        let mut now = Registry::with_prefix(PREFIX);
        now.register_collector(Box::new(Holdings::of(state)));
        encode_registry(&mut text, &now)?;
        encode_eof(&mut text)?;
        Ok(text)
    }
}

/// The method as a label: the standard ones by name, any other as `other`, so that made-up
/// methods cannot grow the label set.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

/// What the pool, the memo and the exports hold at a scrape.
#[derive(Debug)]
struct Holdings {
    connections: u32,
    idle_connections: u32,
    max_connections: u32,
    memo_hits: u64,
    memo_misses: u64,
    memo_entries: usize,
    memo_bytes: usize,
    memo_budget_bytes: usize,
    export_slots: usize,
    export_slots_free: usize,
    spool_bytes: u64,
    spool_budget_bytes: u64,
}

impl Holdings {
    fn of(state: &AppState) -> Self {
        let pool = state.pool.state();
        let memo = state.memo.stats();
        Self {
            connections: pool.connections,
            idle_connections: pool.idle_connections,
            max_connections: state.pool.max_size(),
            memo_hits: memo.hits,
            memo_misses: memo.misses,
            memo_entries: memo.entries,
            memo_bytes: memo.bytes,
            memo_budget_bytes: memo.budget_bytes,
            export_slots: super::export_slots(state.pool.max_size()),
            export_slots_free: state.export_slots.available_permits(),
            spool_bytes: state.spool_budget.used(),
            spool_budget_bytes: state.spool_budget.total(),
        }
    }
}

impl Collector for Holdings {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let in_use = self.connections.saturating_sub(self.idle_connections);
        let mut family = encoder.encode_descriptor(
            "db_pool_connections",
            "Database connections this process holds, idle or in use by a request",
            None,
            MetricType::Gauge,
        )?;
        for (state, count) in [("idle", self.idle_connections), ("in_use", in_use)] {
            ConstGauge::new(i64::from(count)).encode(family.encode_family(&[("state", state)])?)?;
        }
        let gauges: [(&str, &str, Option<Unit>, i64); 7] = [
            (
                "db_pool_max_connections",
                "The most database connections this process opens",
                None,
                i64::from(self.max_connections),
            ),
            (
                "answer_memo_entries",
                "Answers kept in the memo",
                None,
                whole(self.memo_entries),
            ),
            (
                "answer_memo",
                "Bytes of the answers kept in the memo",
                Some(Unit::Bytes),
                whole(self.memo_bytes),
            ),
            (
                "answer_memo_budget",
                "Bytes the memo may keep (0: the memo is off)",
                Some(Unit::Bytes),
                whole(self.memo_budget_bytes),
            ),
            (
                "export_slots_in_use",
                "Streamed exports reading from the database now",
                None,
                whole(self.export_slots.saturating_sub(self.export_slots_free)),
            ),
            (
                "export_spool",
                "Bytes of exports held in temporary files for clients that read slowly",
                Some(Unit::Bytes),
                i64::try_from(self.spool_bytes).unwrap_or(i64::MAX),
            ),
            (
                "export_spool_budget",
                "Bytes all exports together may hold in temporary files",
                Some(Unit::Bytes),
                i64::try_from(self.spool_budget_bytes).unwrap_or(i64::MAX),
            ),
        ];
        for (name, help, unit, value) in gauges {
            let metric = ConstGauge::new(value);
            metric.encode(encoder.encode_descriptor(
                name,
                help,
                unit.as_ref(),
                metric.metric_type(),
            )?)?;
        }
        let counters = [
            (
                "answer_memo_hits",
                "Requests answered from the memo (the memo on)",
                self.memo_hits,
            ),
            (
                "answer_memo_misses",
                "Requests the memo had no answer for (the memo on)",
                self.memo_misses,
            ),
        ];
        for (name, help, value) in counters {
            let metric = ConstCounter::new(value);
            metric.encode(encoder.encode_descriptor(name, help, None, metric.metric_type())?)?;
        }
        Ok(())
    }
}

fn whole(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// Metrics for Prometheus
///
/// Every counter, histogram and gauge of this process, in the OpenMetrics text format: requests
/// by route, method and status (`trilateral_http_requests_total`) and their latency by route
/// (`trilateral_http_request_duration_seconds`); database connections open, idle and in use,
/// checkout times and timeouts (`trilateral_db_pool_*`); answer-memo hits, misses, entries and
/// bytes (`trilateral_answer_memo_*`); exports reading and their spool bytes
/// (`trilateral_export_*`). Each replica answers for itself; never rate-limited.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "The metrics, as OpenMetrics text",
         content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8", body = String),
        (status = 406, response = super::responses::NotAcceptable),
    )
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let text = state
        .metrics
        .render(&state)
        .map_err(|e| ApiError::internal(format!("encoding the metrics: {e}")))?;
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    Ok(response.body(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_up_methods_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::TRACE), "TRACE");
        let made_up = Method::from_bytes(b"FROBNICATE").unwrap();
        assert_eq!(method_label(&made_up), "other");
    }
}
