//! Rate limits per client address: a burst, then 429 with `Retry-After`, told in `RateLimit-*`.

use crate::backend_test;
use crate::helpers::{TestApp, spawn_app_with};

backend_test! {
    async fn a_burst_over_the_limit_gets_429_with_retry_after(app: TestApp) {
        let limited = spawn_app_with(app.backend, |config| {
            config.rate_limit_per_second = 1;
            config.rate_limit_burst = 3;
            config.rate_limit_loopback = true;
        })
        .await
        .expect("the backend of the running test");

        let mut remaining = Vec::new();
        for _ in 0..3 {
            let response = limited.get("/v1/wages/mx").await;
            assert_eq!(response.status, 200);
            assert_eq!(response.header("ratelimit-limit"), Some("3"));
            remaining.push(response.header("ratelimit-remaining").unwrap().to_owned());
        }
        assert_eq!(remaining, ["2", "1", "0"]);

        let refused = limited.get_with("/v1/wages/mx", &[("origin", "http://localhost:3000")]).await;
        let problem = refused.problem(429, "rate-limited");
        // A page on another origin can read the refusal and when to retry.
        assert_eq!(refused.header("access-control-allow-origin"), Some("*"));
        let exposed = refused.header("access-control-expose-headers").unwrap_or_default();
        for header in ["retry-after", "ratelimit-remaining", "ratelimit-reset"] {
            assert!(exposed.contains(header), "{header} exposed: {exposed}");
        }
        let retry_after: u64 = refused.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=1).contains(&retry_after), "one request per second: {retry_after}");
        assert_eq!(refused.header("ratelimit-remaining"), Some("0"));
        assert_eq!(refused.header("ratelimit-reset"), Some("1"));
        assert!(problem["detail"].as_str().unwrap().contains("Retry after 1 seconds"));
        assert!(problem["request_id"].is_string(), "telemetry completed the problem: {problem}");

        // A refused request reaches nothing behind the limit, errors included.
        let unknown = limited.get("/v1/no-such-resource").await;
        assert_eq!(unknown.status, 429);

        // Probes and the metrics are never limited.
        for path in ["/healthz", "/readyz", "/metrics"] {
            let response = limited.get(path).await;
            assert_eq!(response.status, 200, "{path}");
            assert_eq!(response.header("ratelimit-limit"), None, "{path}");
        }
        let metrics = limited.get("/metrics").await.text();
        assert!(metrics.contains(
            r#"trilateral_http_requests_total{route="/v1/wages/{country}",method="GET",status="429"} 1"#
        ), "{metrics}");

        // After the wait it names, the client is admitted again.
        actix_web::rt::time::sleep(std::time::Duration::from_secs(retry_after)).await;
        assert_eq!(limited.get("/v1/wages/mx").await.status, 200);

        // By default a loopback client, like this test, is not limited.
        let response = app.get("/v1/wages/mx").await;
        assert_eq!(response.status, 200);
        assert_eq!(response.header("ratelimit-limit"), None);
    }
}
