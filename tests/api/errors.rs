use std::time::Duration;

use actix_web::test;
use trilateral::api::{self, AppState};
use trilateral::db::{self, Backend, PoolOptions};

use crate::backend_test;
use crate::helpers::TestApp;

backend_test! {
    async fn unknown_routes_are_404_problems(app: TestApp) {
        let problem = app.get("/v1/nothing-here").await.problem(404, "not-found");
        assert_eq!(problem["instance"], "/v1/nothing-here");
    }
}

backend_test! {
    async fn other_methods_are_405_with_an_allow_header(app: TestApp) {
        for method in ["POST", "PUT", "DELETE", "PATCH"] {
            let response = app.request(method, "/v1/countries").await;
            response.problem(405, "method-not-allowed");
            assert_eq!(response.header("allow"), Some("GET, HEAD"), "{method}");
        }
    }
}

backend_test! {
    async fn unknown_and_repeated_query_parameters_are_400(app: TestApp) {
        let problem = app.get("/v1/countries?kinds=iso3166_1").await.problem(400, "unknown-parameter");
        assert_eq!(problem["param"], "kinds");
        assert_eq!(problem["allowed"], serde_json::json!(["kind", "format", "as_of"]));

        let problem = app
            .get("/v1/countries?kind=iso3166_1&kind=source_specific")
            .await
            .problem(400, "invalid-parameter");
        assert_eq!(problem["param"], "kind");

        let problem = app.get("/v1/countries?format=xml").await.problem(400, "invalid-parameter");
        assert_eq!(problem["param"], "format");
        assert!(problem["detail"].as_str().expect("detail").contains("csv"));

        // `format` and `as_of` are every read's, checked like any other parameter.
        let problem = app.get("/v1/countries/mx?format=csv&format=json").await.problem(400, "invalid-parameter");
        assert_eq!(problem["param"], "format");
        let problem = app.get("/v1/countries/mx?as_of=1&as_of=2").await.problem(400, "invalid-parameter");
        assert_eq!(problem["param"], "as_of");
        let problem = app.get("/v1/treaties/tpp?lang=en").await.problem(400, "unknown-parameter");
        assert_eq!(problem["allowed"], serde_json::json!(["format", "as_of"]));
    }
}

backend_test! {
    async fn a_json_only_answer_refuses_other_formats_and_ignores_accept(app: TestApp) {
        let compare = "/v1/provisions/compare?topic=labour&treaties=tpp";
        let problem = app.get(&format!("{compare}&format=csv")).await.problem(400, "invalid-parameter");
        assert_eq!(problem["param"], "format");
        assert_eq!(problem["allowed"], serde_json::json!(["json"]));
        let answer = app.get_with(compare, &[("accept", "text/csv")]).await;
        assert_eq!(answer.status.as_u16(), 200);
        assert!(answer.header("content-type").unwrap_or_default().starts_with("application/json"));
    }
}

backend_test! {
    async fn the_request_id_is_echoed_or_generated(app: TestApp) {
        let given = app.get_with("/v1/countries/XX", &[("x-request-id", "trace-abc-123")]).await;
        assert_eq!(given.header("x-request-id"), Some("trace-abc-123"));
        assert_eq!(given.json()["request_id"], "trace-abc-123");

        let generated = app.get("/v1/countries/mx").await;
        let id = generated.header("x-request-id").expect("generated id");
        assert_eq!(id.len(), 36, "a UUID: {id}");
    }
}

/// Requests against a database that cannot be reached answer 503 problems without internals.
#[actix_web::test]
async fn an_unreachable_database_gives_503_on_both_backends() {
    let options = PoolOptions {
        max_size: 1,
        statement_timeout: None,
        timeout: Duration::from_millis(300),
    };
    for url in [
        "postgres://postgres@127.0.0.1:1/none",
        "/nonexistent-directory/trilateral.db",
    ] {
        let reference =
            trilateral::import::treaties::reference_data().expect("bundled reference data");
        let state = AppState::new(db::pool(url, options), Backend::from_url(url), 0, reference);
        let service = test::init_service(api::app(state, trilateral::openapi::spec())).await;

        for path in ["/v1/countries/mx", "/readyz"] {
            let response =
                test::call_service(&service, test::TestRequest::get().uri(path).to_request()).await;
            assert_eq!(response.status(), 503, "{url} {path}");
            let body: serde_json::Value = test::read_body_json(response).await;
            assert_eq!(body["type"], "/problems/database-unavailable");
            let text = body.to_string();
            assert!(
                !text.contains("127.0.0.1") && !text.contains("nonexistent"),
                "{text}"
            );
        }
    }
}

/// Start-up fails with the database's own words, not a generic message.
#[actix_web::test]
async fn startup_reports_the_real_connection_error() {
    let config = trilateral::config::Config {
        database_url: "postgres://postgres@127.0.0.1:1/none".to_owned(),
        ..Default::default()
    };
    let error = trilateral::Application::build(&config)
        .err()
        .expect("no database, no start")
        .to_string();
    assert!(error.contains("Connection refused"), "{error}");
}

backend_test! {
    async fn a_stored_name_that_is_no_variant_fails_the_read_instead_of_becoming_a_default(app: TestApp) {
        use diesel::RunQueryDsl;
        let pool = trilateral::db::connect(&app.db.url, app.db.config().pool_options())
            .expect("connect");
        let mut conn = pool.manager().connect_to_serve().expect("connection");
        diesel::sql_query("UPDATE datasets SET reporting = 'somebody' WHERE id = 'census'")
            .execute(&mut conn)
            .expect("corrupt the row");

        let problem = app.get("/v1/datasets").await.problem(500, "internal");
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(!detail.contains("somebody"), "the cause stays in the log: {detail}");
    }
}
