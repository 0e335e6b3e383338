//! Hostile input, table-driven: every case is refused with a 4xx problem document (never a 5xx)
//! that names the offending parameter where there is one. Covers the shapes the OpenAPI document
//! now forbids (each was a schema-valid request the service refused), NUL bytes, invalid UTF-8,
//! over-long requests, SQL fragments, tampered and stale cursors, wrong methods and the search
//! operators the service does not support.

use std::io::{Read, Write};

use crate::backend_test;
use crate::helpers::TestApp;

/// (request target, status, problem type, the parameter it must name, if any)
const CASES: &[(&str, u16, &str, Option<&str>)] = &[
    // Periods, codes, ids and lists of the wrong shape.
    ("/v1/wages/mx?from=", 400, "invalid-parameter", Some("from")),
    (
        "/v1/wages/mx?to=2016-02-30",
        400,
        "invalid-parameter",
        Some("to"),
    ),
    (
        "/v1/countries/%C2%A2%C3%B9",
        400,
        "invalid-parameter",
        Some("code"),
    ),
    (
        "/v1/prices?country=",
        400,
        "invalid-parameter",
        Some("country"),
    ),
    (
        "/v1/trade/flows?reporter=us,,mx",
        400,
        "invalid-parameter",
        Some("reporter"),
    ),
    (
        "/v1/provisions/compare?topic=labour&treaties=",
        400,
        "invalid-parameter",
        Some("treaties"),
    ),
    (
        "/v1/provisions/search?q=labour&topic=",
        400,
        "invalid-parameter",
        Some("topic"),
    ),
    ("/v1/sources/%C2%8FaQ", 400, "invalid-parameter", Some("id")),
    (
        "/v1/trade/balance?country=us&partner=mx&from=",
        400,
        "invalid-parameter",
        Some("from"),
    ),
    (
        "/v1/trade/balance?country=us&partner=mx&product=TOTAL,MANUFACTURING",
        400,
        "invalid-parameter",
        Some("product"),
    ),
    (
        "/v1/trade/partners?country=us&year=2016&flow=import&top=0",
        400,
        "invalid-parameter",
        Some("top"),
    ),
    (
        "/v1/trade/partners?country=us&year=99999&flow=import",
        400,
        "invalid-parameter",
        Some("year"),
    ),
    (
        "/v1/treaties?party=",
        400,
        "invalid-parameter",
        Some("party"),
    ),
    (
        "/v1/treaties/mx.minimum_wage.zone_b/coverage",
        400,
        "invalid-parameter",
        Some("id"),
    ),
    (
        "/v1/treaties/tpp/provisions?chapter=",
        400,
        "invalid-parameter",
        Some("chapter"),
    ),
    (
        "/v1/treaties/TPP/provisions/19.3",
        400,
        "invalid-parameter",
        Some("id"),
    ),
    (
        "/v1/wages/compare?countries=&measure=minimum_wage",
        400,
        "invalid-parameter",
        Some("countries"),
    ),
    (
        "/v1/provisions/search?q=labour&limit=101",
        400,
        "invalid-parameter",
        Some("limit"),
    ),
    (
        "/v1/trade/flows?limit=0",
        400,
        "invalid-parameter",
        Some("limit"),
    ),
    // NUL bytes and invalid UTF-8, in the path and in the query.
    (
        "/v1/countries/m%00x",
        400,
        "invalid-parameter",
        Some("code"),
    ),
    (
        "/v1/provisions/search?q=lab%00our",
        400,
        "invalid-parameter",
        Some("q"),
    ),
    // Free-looking filters are ids too: a NUL byte never reaches Postgres, which refuses it.
    (
        "/v1/wages/ca?measure=minimum%00wage",
        400,
        "invalid-parameter",
        Some("measure"),
    ),
    (
        "/v1/wages/us?region=US-C%00",
        400,
        "invalid-parameter",
        Some("region"),
    ),
    (
        "/v1/prices?measure=%00",
        400,
        "invalid-parameter",
        Some("measure"),
    ),
    (
        "/v1/wages/compare?countries=us,mx&measure=cpi%00",
        400,
        "invalid-parameter",
        Some("measure"),
    ),
    ("/v1/countries/%FF%FE", 400, "invalid-parameter", None),
    (
        "/v1/provisions/search?q=%FF%FE",
        400,
        "invalid-parameter",
        Some("q"),
    ),
    (
        "/v1/wages/mx?from=%C0%AF",
        400,
        "invalid-parameter",
        Some("from"),
    ),
    // SQL fragments are values like any other: refused for their shape, never run.
    (
        "/v1/countries/mx'%20OR%20'1'='1",
        400,
        "invalid-parameter",
        Some("code"),
    ),
    (
        "/v1/provisions/search?q=labour'%3B%20DROP%20TABLE%20provisions%3B--",
        400,
        "invalid-parameter",
        Some("q"),
    ),
    (
        "/v1/trade/flows?source=census%3BDELETE",
        400,
        "invalid-parameter",
        Some("source"),
    ),
    (
        "/v1/treaties/tpp%20UNION%20SELECT%201",
        400,
        "invalid-parameter",
        Some("id"),
    ),
    // Tampered and stale cursors.
    (
        "/v1/trade/flows?cursor=i-1",
        400,
        "invalid-parameter",
        Some("cursor"),
    ),
    (
        "/v1/trade/flows?cursor=iZZ",
        400,
        "invalid-parameter",
        Some("cursor"),
    ),
    (
        "/v1/trade/flows?cursor=i8000000000000000",
        400,
        "invalid-parameter",
        Some("cursor"),
    ),
    (
        "/v1/trade/flows?cursor=I3E8",
        400,
        "invalid-parameter",
        Some("cursor"),
    ),
    // The search operators other engines know, and a lone apostrophe.
    (
        "/v1/provisions/search?q=labour%20OR%20forced",
        400,
        "invalid-parameter",
        Some("q"),
    ),
    (
        "/v1/provisions/search?q=labour%20NOT%20forced",
        400,
        "invalid-parameter",
        Some("q"),
    ),
    (
        "/v1/provisions/search?q=labour%20NEAR%20forced",
        400,
        "invalid-parameter",
        Some("q"),
    ),
    (
        "/v1/provisions/search?q=labour%20-forced",
        400,
        "invalid-parameter",
        Some("q"),
    ),
    (
        "/v1/provisions/search?q=%27",
        400,
        "invalid-parameter",
        Some("q"),
    ),
    // A character that is alphanumeric to Unicode but outside the letters the document allows
    // (`¼`, then Greek): refused as the document says, not searched.
    (
        "/v1/provisions/search?q=%C2%BC",
        400,
        "invalid-parameter",
        Some("q"),
    ),
    (
        "/v1/provisions/search?q=%CE%B5%CF%81%CE%B3%CE%B1%CF%83%CE%AF%CE%B1",
        400,
        "invalid-parameter",
        Some("q"),
    ),
    // Unknown and repeated parameters.
    (
        "/v1/countries?kind=iso3166_1&kind=iso3166_1",
        400,
        "invalid-parameter",
        Some("kind"),
    ),
    (
        "/v1/countries?%00=1",
        400,
        "unknown-parameter",
        Some("\\u{0}"),
    ),
];

backend_test! {
    async fn hostile_requests_are_refused_with_a_problem_naming_the_parameter(app: TestApp) {
        for (target, status, slug, param) in CASES {
            let response = app.get(target).await;
            assert!(response.status.is_client_error(), "{target}: {}", response.status);
            assert_eq!(response.status.as_u16(), *status, "{target}: {}", String::from_utf8_lossy(&response.body));
            let problem = response.problem(*status, slug);
            if let Some(param) = param {
                assert_eq!(problem["param"], *param, "{target}: {problem}");
            }
        }
    }
}

backend_test! {
    async fn the_spec_bounds_are_the_accepted_bounds(app: TestApp) {
        // The largest value each bound in the document allows is accepted.
        for target in [
            "/v1/provisions/search?q=labour&limit=100&offset=10000",
            "/v1/trade/flows?limit=10000&cursor=i7fffffffffffffff&format=csv",
            "/v1/trade/partners?country=us&year=2200&flow=import&top=300",
            "/v1/wages/mx?from=1800&to=2200-12-31",
        ] {
            let response = app.get(target).await;
            assert_eq!(response.status.as_u16(), 200, "{target}: {}", String::from_utf8_lossy(&response.body));
        }
    }
}

backend_test! {
    async fn wrong_methods_are_405_problems_with_allow(app: TestApp) {
        for method in ["POST", "PUT", "DELETE", "PATCH"] {
            let response = app.request(method, "/v1/countries").await;
            response.problem(405, "method-not-allowed");
            assert_eq!(response.header("allow"), Some("GET, HEAD"));
        }
    }
}

backend_test! {
    async fn an_over_long_request_is_a_414_and_too_many_headers_a_431(app: TestApp) {
        let query = "x".repeat(16 * 1024);
        let response = app.get(&format!("/v1/provisions/search?q={query}")).await;
        let problem = response.problem(414, "uri-too-long");
        assert!(problem.to_string().len() < 4096, "the target is echoed whole: {problem}");
        assert!(problem["request_id"].is_string(), "telemetry completed the problem: {problem}");
        assert!(problem["instance"].as_str().unwrap().starts_with("/v1/provisions/search?q=x"));

        let names: Vec<String> = (0..80).map(|i| format!("x-extra-{i}")).collect();
        let headers: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "1")).collect();
        app.get_with("/v1/countries", &headers).await.problem(431, "headers-too-large");

        let big = "v".repeat(40 * 1024);
        app.get_with("/v1/countries", &[("x-big", big.as_str())]).await.problem(431, "headers-too-large");
    }
}

/// Sends raw bytes and returns the status line and the body of the answer.
fn raw_exchange(address: &str, request: &[u8]) -> (String, Vec<u8>) {
    let host = address.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).expect("connect");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.lines().next().unwrap_or_default().to_owned();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.as_bytes().to_vec())
        .unwrap_or_default();
    (status, body)
}

backend_test! {
    async fn what_actix_http_refuses_before_the_application_is_a_bare_4xx(app: TestApp) {
        // These are answered by actix-http's dispatcher, which gives them no body (see
        // `api::limits`): the client still gets a 4xx, never a 5xx or a hang.
        let address = app.address.clone();
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"GET /v1/countries HTTP/1.1\r\nHost: x\r\nBad\0Header: 1\r\n\r\n".to_vec(), "400"),
            (b"GET /v1/coun\x01tries HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(), "400"),
            // The `http` crate reads no URI over 64 KiB: a 100 KB query is refused as unreadable.
            (format!("GET /v1/provisions/search?q={} HTTP/1.1\r\nHost: x\r\n\r\n", "x".repeat(100 * 1024)).into_bytes(), "400"),
            (format!("GET /v1/countries?q={} HTTP/1.1\r\nHost: x\r\n\r\n", "x".repeat(140 * 1024)).into_bytes(), "431"),
            (format!("GET /v1/countries HTTP/1.1\r\nHost: x\r\n{}\r\n", "x-h: 1\r\n".repeat(100)).into_bytes(), "431"),
        ];
        let answers = actix_web::rt::task::spawn_blocking(move || {
            cases
                .into_iter()
                .map(|(request, expected)| (raw_exchange(&address, &request), expected))
                .collect::<Vec<_>>()
        })
        .await
        .unwrap();
        for ((status, body), expected) in answers {
            assert!(status.starts_with(&format!("HTTP/1.1 {expected}")), "{status}");
            assert!(body.is_empty(), "{status}: {}", String::from_utf8_lossy(&body));
        }
    }
}
