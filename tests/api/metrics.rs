//! `/metrics`: what Prometheus scrapes moves with the requests served.

use crate::backend_test;
use crate::helpers::TestApp;

/// The value of the sample `series` (a name with its labels, as written) in a scrape; 0 while
/// the series has not appeared yet.
fn sample(scrape: &str, series: &str) -> f64 {
    scrape
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |value| {
            value
                .parse()
                .unwrap_or_else(|e| panic!("{series}: {value}: {e}"))
        })
}

async fn scrape(app: &TestApp) -> String {
    let response = app.get("/metrics").await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some("application/openmetrics-text; version=1.0.0; charset=utf-8")
    );
    let text = response.text();
    assert!(
        text.ends_with("# EOF\n"),
        "an OpenMetrics scrape ends with # EOF"
    );
    text
}

const WAGES_OK: &str =
    r#"trilateral_http_requests_total{route="/v1/wages/{country}",method="GET",status="200"}"#;
const UNMATCHED_404: &str =
    r#"trilateral_http_requests_total{route="(unmatched)",method="GET",status="404"}"#;
const WAGES_LATENCY_COUNT: &str =
    r#"trilateral_http_request_duration_seconds_count{route="/v1/wages/{country}"}"#;

backend_test! {
    async fn a_scrape_shows_requests_the_memo_and_the_pool_moving(app: TestApp) {
        let before = scrape(&app).await;

        for _ in 0..3 {
            assert_eq!(app.get("/v1/wages/mx").await.status, 200);
        }
        assert_eq!(app.get("/no/such/path").await.status, 404);
        let after = scrape(&app).await;

        assert_eq!(sample(&after, WAGES_OK) - sample(&before, WAGES_OK), 3.0);
        assert_eq!(sample(&after, UNMATCHED_404) - sample(&before, UNMATCHED_404), 1.0);
        assert_eq!(
            sample(&after, WAGES_LATENCY_COUNT) - sample(&before, WAGES_LATENCY_COUNT),
            3.0
        );
        // The first of the three was computed and kept, the next two were sent from the memo.
        let hits = "trilateral_answer_memo_hits_total";
        let misses = "trilateral_answer_memo_misses_total";
        assert_eq!(sample(&after, hits) - sample(&before, hits), 2.0, "{after}");
        assert_eq!(sample(&after, misses) - sample(&before, misses), 1.0);
        assert!(sample(&after, "trilateral_answer_memo_bytes") > 0.0);
        assert!(sample(&after, "trilateral_answer_memo_entries") >= 1.0);
        // The computed answer took a connection from the pool.
        let checkouts = "trilateral_db_pool_checkout_duration_seconds_count";
        assert!(sample(&after, checkouts) > sample(&before, checkouts));
        assert_eq!(sample(&after, "trilateral_db_pool_max_connections"), 4.0);
        let open = sample(&after, r#"trilateral_db_pool_connections{state="idle"}"#)
            + sample(&after, r#"trilateral_db_pool_connections{state="in_use"}"#);
        assert!((1.0..=4.0).contains(&open), "{after}");
        assert_eq!(sample(&after, "trilateral_db_pool_timeouts_total"), 0.0);
        assert_eq!(sample(&after, "trilateral_export_spool_bytes"), 0.0);
        // The scrape itself is counted, by its own route.
        assert!(after.contains(r#"trilateral_http_requests_total{route="/metrics",method="GET",status="200"}"#));
    }
}

backend_test! {
    async fn made_up_methods_do_not_grow_the_label_set(app: TestApp) {
        app.request("FROBNICATE", "/v1/wages/mx").await;
        app.request("FROBNICATE", "/no/such/path").await;

        let text = scrape(&app).await;

        assert!(!text.contains("FROBNICATE"), "{text}");
        assert!(text.contains(r#"method="other""#), "{text}");
    }
}
