//! What the HTTP layer promises around every answer: `HEAD`, cross-origin access from browser
//! pages, and compression negotiated by `Accept-Encoding`.

use std::io::Read;

use crate::backend_test;
use crate::helpers::{TestApp, TestResponse, example_requests};

/// Headers that differ between two answers to the same request by nature (the second is a memo
/// hit).
const PER_ANSWER_HEADERS: [&str; 3] = ["cache-status", "date", "x-request-id"];

fn comparable_headers(response: &TestResponse) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = response
        .headers
        .iter()
        .filter(|(name, _)| !PER_ANSWER_HEADERS.contains(&name.as_str()))
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                value.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    headers.sort();
    headers
}

fn decode(coding: &str, body: &[u8]) -> Vec<u8> {
    let mut decoded = Vec::new();
    match coding {
        "gzip" => flate2::read::GzDecoder::new(body).read_to_end(&mut decoded),
        "br" => brotli::Decompressor::new(body, 4096).read_to_end(&mut decoded),
        "zstd" => zstd::stream::read::Decoder::new(body)
            .and_then(|mut decoder| decoder.read_to_end(&mut decoded)),
        other => panic!("no decoder for {other}"),
    }
    .unwrap_or_else(|e| panic!("{coding} body decodes: {e}"));
    decoded
}

backend_test! {
    /// `curl -I` (and DuckDB's httpfs) read an answer's head with `HEAD`: on every operation,
    /// in every representation, and on the pages around them, it is the head of the `GET`.
    async fn head_answers_like_get_without_a_body(app: TestApp) {
        let spec = serde_json::to_value(trilateral::openapi::spec()).expect("spec as JSON");
        let mut targets = vec![
            "/healthz".to_owned(),
            "/openapi.json".to_owned(),
            "/docs/".to_owned(),
            "/v1/countries/XX".to_owned(),
            "/v1/trade/flows?format=csv&reporter=usa&partner=mex".to_owned(),
        ];
        for (path, query, _) in example_requests(&spec) {
            targets.push(format!("{path}?{}", query.join("&")));
        }
        for target in targets {
            let get = app.get(&target).await;
            let head = app.request("HEAD", &target).await;
            assert_eq!(head.status, get.status, "{target}");
            assert!(head.body.is_empty(), "{target}: HEAD has a body");
            assert_eq!(comparable_headers(&head), comparable_headers(&get), "{target}");
        }
    }
}

backend_test! {
    /// A page served from another origin can read answers, their validators and links, and the
    /// problem document of a failure; a preflight is answered.
    async fn pages_on_other_origins_can_read_answers_and_failures(app: TestApp) {
        let origin = [("origin", "http://localhost:3000")];
        let answer = app.get_with("/v1/wages/mx", &origin).await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
        let exposed = answer.header("access-control-expose-headers").unwrap_or_default().to_ascii_lowercase();
        for header in ["etag", "last-modified", "link", "x-request-id"] {
            assert!(exposed.contains(header), "{header} exposed: {exposed}");
        }

        let failure = app.get_with("/v1/countries/XX", &origin).await;
        failure.problem(404, "unknown-country");
        assert_eq!(failure.header("access-control-allow-origin"), Some("*"));

        let preflight = app
            .request_with(
                "OPTIONS",
                "/v1/wages/mx",
                &[
                    ("origin", "http://localhost:3000"),
                    ("access-control-request-method", "GET"),
                    ("access-control-request-headers", "if-none-match"),
                ],
            )
            .await;
        assert_eq!(preflight.status, 200);
        assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
        let methods = preflight.header("access-control-allow-methods").unwrap_or_default();
        assert!(methods.contains("GET") && methods.contains("HEAD"), "{methods}");

        let refused = app
            .request_with(
                "OPTIONS",
                "/v1/wages/mx",
                &[("origin", "http://localhost:3000"), ("access-control-request-method", "DELETE")],
            )
            .await;
        refused.problem(400, "malformed-request");
    }
}

backend_test! {
    /// Each coding a client accepts gives the same bytes compressed, under an ETag of its own
    /// that revalidates; a client's copy in one coding is current whatever coding it asks next.
    async fn answers_are_compressed_as_accept_encoding_asks(app: TestApp) {
        for target in ["/v1/wages/mx", "/v1/trade/flows?format=csv&reporter=usa"] {
            let plain = app.get(target).await;
            assert_eq!(plain.status, 200, "{target}");
            assert_eq!(plain.header("content-encoding"), None, "{target}");
            let plain_etag = plain.header("etag").expect("an ETag").to_owned();
            let vary = plain.header("vary").unwrap_or_default().to_ascii_lowercase();
            assert!(vary.contains("accept-encoding") && vary.contains("accept"), "{target}: {vary}");

            let mut etags = vec![plain_etag.clone()];
            for coding in ["gzip", "br", "zstd"] {
                let compressed = app.get_with(target, &[("accept-encoding", coding)]).await;
                assert_eq!(compressed.status, 200, "{target} {coding}");
                assert_eq!(compressed.header("content-encoding"), Some(coding), "{target}");
                assert!(compressed.body.len() < plain.body.len(), "{target} {coding} is smaller");
                assert_eq!(decode(coding, &compressed.body), plain.body, "{target} {coding}");
                let etag = compressed.header("etag").expect("an ETag").to_owned();
                assert!(!etags.contains(&etag), "{target} {coding}: {etag} is not its own");
                etags.push(etag.clone());

                let revalidated = app
                    .get_with(target, &[("accept-encoding", coding), ("if-none-match", &etag)])
                    .await;
                assert_eq!(revalidated.status, 304, "{target} {coding}");
                assert_eq!(revalidated.header("etag"), Some(etag.as_str()), "{target}");

                let other_coding = app.get_with(target, &[("if-none-match", &etag)]).await;
                assert_eq!(other_coding.status, 304, "{target} {coding} then identity");
                assert_eq!(other_coding.header("etag"), Some(plain_etag.as_str()));
            }
        }
    }
}

backend_test! {
    /// An app asking the same thing in a loop gets, from the second request on, the bytes kept
    /// from the first in its content coding: a hit (RFC 9211 `Cache-Status`), byte for byte the
    /// same answer with the same ETag, sent with its length rather than compressed again.
    async fn a_repeated_request_is_answered_from_the_memo_in_its_coding(app: TestApp) {
        for target in ["/v1/wages/mx", "/v1/trade/flows?reporter=usa&partner=mex&limit=500"] {
            for coding in ["identity", "gzip", "br", "zstd"] {
                let asked = [("accept-encoding", coding)];
                let first = app.get_with(target, &asked).await;
                assert_eq!(first.status, 200, "{target} {coding}");
                assert_eq!(
                    first.header("cache-status"),
                    Some("trilateral; fwd=miss; stored"),
                    "{target} {coding}"
                );
                // The second is found by its ETag, the next ones before routing.
                for _ in 0..3 {
                    let again = app.get_with(target, &asked).await;
                    assert_eq!(again.status, 200, "{target} {coding}");
                    assert_eq!(again.header("cache-status"), Some("trilateral; hit"), "{target}");
                    assert_eq!(again.header("etag"), first.header("etag"), "{target} {coding}");
                    for header in ["content-encoding", "content-type", "vary", "last-modified"] {
                        assert_eq!(again.header(header), first.header(header), "{target} {coding}");
                    }
                    let length = again.body.len().to_string();
                    assert_eq!(again.header("content-length"), Some(length.as_str()), "{target}");
                    assert!(again.body == first.body, "{target} {coding}: the kept bytes");
                }
            }
        }
        let changed = app.get("/v1/wages/mx?measure=minimum_wage").await;
        assert_eq!(changed.header("cache-status"), Some("trilateral; fwd=miss; stored"));
    }
}

backend_test! {
    /// From the third time on, a repeated request is answered before routing: only with the
    /// representation that request asks for, and a conditional request still gets its 304.
    async fn a_kept_answer_goes_only_to_the_request_it_answered(app: TestApp) {
        let target = "/v1/wages/mx";
        let as_csv = [("accept", "text/csv")];
        let mut kept = Vec::new();
        for _ in 0..4 {
            let csv = app.get_with(target, &as_csv).await;
            assert_eq!(csv.status, 200);
            assert!(csv.header("content-type").is_some_and(|t| t.starts_with("text/csv")));
            kept.push(csv);
        }
        assert_eq!(kept[3].header("cache-status"), Some("trilateral; hit"));
        assert!(kept[3].body == kept[0].body);
        assert_eq!(comparable_headers(&kept[3]), comparable_headers(&kept[1]));

        let json = app.get(target).await;
        assert_eq!(json.header("content-type"), Some("application/json"));
        assert_eq!(json.header("cache-status"), Some("trilateral; fwd=miss; stored"));
        assert!(json.json()["data"].is_array());
        let gzip = app.get_with(target, &[("accept", "text/csv"), ("accept-encoding", "gzip")]).await;
        assert_eq!(gzip.header("content-encoding"), Some("gzip"));
        assert!(decode("gzip", &gzip.body) == kept[0].body);

        let etag = kept[0].header("etag").expect("an ETag").to_owned();
        let current = app.get_with(target, &[("accept", "text/csv"), ("if-none-match", &etag)]).await;
        assert_eq!(current.status, 304);
    }
}

backend_test! {
    async fn an_accept_encoding_that_refuses_every_coding_is_406(app: TestApp) {
        let problem = app
            .get_with("/v1/wages/mx", &[("accept-encoding", "identity;q=0, *;q=0")])
            .await
            .problem(406, "not-acceptable");
        assert!(problem["detail"].as_str().unwrap_or_default().contains("gzip"), "{problem}");
    }
}

backend_test! {
    /// No answer, error or not, may be sniffed into something a browser runs; the pages a
    /// browser renders load nothing from elsewhere and cannot be framed by another site.
    async fn answers_forbid_sniffing_and_pages_set_a_content_security_policy(app: TestApp) {
        for target in ["/v1/wages/mx", "/v1/wages/mx?format=csv", "/v1/countries/XX", "/v1/nothing", "/openapi.json", "/docs/", "/"] {
            let response = app.get(target).await;
            assert_eq!(response.header("x-content-type-options"), Some("nosniff"), "{target}");
        }
        for page in ["/docs/", "/"] {
            let policy = app.get(page).await.header("content-security-policy").unwrap_or_default().to_owned();
            assert!(policy.contains("frame-ancestors 'none'") && policy.contains("default-src 'self'"), "{page}: {policy}");
        }
        assert_eq!(app.get("/v1/wages/mx").await.header("content-security-policy"), None);
    }
}
