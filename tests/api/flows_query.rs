//! `POST /v1/trade/flows/query`: the filters of `GET /v1/trade/flows` as a JSON body, answered
//! as that GET.

use serde_json::{Value, json};

use crate::backend_test;
use crate::helpers::{TestApp, TestResponse};

async fn post_json(app: &TestApp, body: &Value, headers: &[(&str, &str)]) -> TestResponse {
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    app.post("/v1/trade/flows/query", &all, body.to_string().into_bytes())
        .await
}

backend_test! {
    async fn a_posted_query_is_answered_as_its_get_page_after_page(app: TestApp) {
        let filters = json!({"reporter": "us", "partner": "mx,ca", "from": "2010", "to": "2016", "limit": 5});
        let got = app.get("/v1/trade/flows?reporter=us&partner=mx,ca&from=2010&to=2016&limit=5").await;
        assert_eq!(got.status, 200);
        let posted = post_json(&app, &filters, &[]).await;
        assert_eq!(posted.status, 200, "{}", posted.text());
        assert_eq!(posted.header("etag"), got.header("etag"), "the same answer, the same ETag");
        let (got, posted) = (got.json(), posted.json());
        assert_eq!(posted["data"], got["data"]);
        assert_eq!(posted["meta"], got["meta"]);
        assert_eq!(posted["data"].as_array().unwrap().len(), 5);

        // The next page: the GET that links.next names, or the same body with its cursor.
        let next = posted["links"]["next"].as_str().expect("a next page");
        assert!(next.starts_with("/v1/trade/flows?"), "{next}");
        let page_two = app.get(next).await.json();
        let cursor = next.split("cursor=").nth(1).unwrap().split('&').next().unwrap();
        let mut with_cursor = filters.clone();
        with_cursor["cursor"] = json!(cursor);
        let posted_two = post_json(&app, &with_cursor, &[]).await.json();
        assert_eq!(posted_two["data"], page_two["data"]);
        assert_ne!(posted_two["data"], posted["data"]);

        // Every representation of the GET: `format` as a member, byte for byte.
        let csv = app.get("/v1/trade/flows?reporter=us&partner=mx&from=2015&to=2016&format=csv").await;
        let posted_csv = post_json(
            &app,
            &json!({"reporter": "us", "partner": "mx", "from": "2015", "to": "2016", "format": "csv"}),
            &[],
        )
        .await;
        assert_eq!(posted_csv.header("content-type"), csv.header("content-type"));
        assert_eq!(posted_csv.text(), csv.text());

        // Never a 304: a posted query is answered whole.
        let etag = app.get("/v1/trade/flows?reporter=us&partner=mx,ca&from=2010&to=2016&limit=5").await;
        let etag = etag.header("etag").unwrap().to_owned();
        let again = post_json(&app, &filters, &[("if-none-match", &etag)]).await;
        assert_eq!(again.status, 200);
    }
}

backend_test! {
    async fn a_posted_query_is_refused_as_its_get_would_be(app: TestApp) {
        let unknown = post_json(&app, &json!({"reporter": "us", "colour": "red"}), &[]).await;
        assert_eq!(unknown.problem(400, "unknown-parameter")["param"], "colour");
        let bad_code = post_json(&app, &json!({"reporter": "u!s"}), &[]).await;
        assert_eq!(bad_code.problem(400, "invalid-parameter")["param"], "reporter");
        let unknown_code = post_json(&app, &json!({"reporter": "zz9"}), &[]).await;
        assert_eq!(unknown_code.problem(404, "unknown-country")["param"], "reporter");
        let fraction = post_json(&app, &json!({"limit": 2.5}), &[]).await;
        assert_eq!(fraction.problem(400, "invalid-parameter")["param"], "limit");
        // JSON Schema's integers include numbers with a zero fraction.
        assert_eq!(post_json(&app, &json!({"limit": 3.0}), &[]).await.json()["data"].as_array().unwrap().len(), 3);
        let string_limit = post_json(&app, &json!({"limit": "5"}), &[]).await;
        assert_eq!(string_limit.problem(400, "invalid-parameter")["param"], "limit");
        let list = post_json(&app, &json!({"reporter": ["us"]}), &[]).await;
        assert_eq!(list.problem(400, "invalid-parameter")["param"], "reporter");
        let not_an_object = app
            .post("/v1/trade/flows/query", &[("content-type", "application/json")], b"[1,2]".to_vec())
            .await;
        not_an_object.problem(400, "malformed-request");
        let form = app
            .post("/v1/trade/flows/query", &[("content-type", "text/csv")], b"reporter,us".to_vec())
            .await;
        assert_eq!(form.problem(415, "unsupported-media-type")["allowed"], json!(["application/json"]));
        let in_url = app
            .post("/v1/trade/flows/query?reporter=us", &[("content-type", "application/json")], b"{}".to_vec())
            .await;
        in_url.problem(400, "unknown-parameter");
        let huge = json!({"source": "x".repeat(70 * 1024)});
        post_json(&app, &huge, &[]).await.problem(413, "payload-too-large");
        let get = app.get("/v1/trade/flows/query").await;
        get.problem(405, "method-not-allowed");
        assert_eq!(get.header("allow"), Some("POST"));
    }
}
