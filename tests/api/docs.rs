use crate::backend_test;
use crate::helpers::TestApp;

backend_test! {
    async fn swagger_ui_is_served_from_the_binary(app: TestApp) {
        let page = app.get("/docs/").await;
        assert_eq!(page.status, 200);
        assert!(page.text().contains("swagger-ui"));

        for asset in ["swagger-ui-bundle.js", "swagger-ui.css", "swagger-initializer.js"] {
            let response = app.get(&format!("/docs/{asset}")).await;
            assert_eq!(response.status, 200, "{asset}");
        }
        let initializer = app.get("/docs/swagger-initializer.js").await.text();
        assert!(initializer.contains("/openapi.json"));
        assert!(!initializer.contains("https://"), "the UI must not call out: {initializer}");
    }
}

backend_test! {
    async fn the_served_document_is_the_generated_one(app: TestApp) {
        let served = app.get("/openapi.json").await.json();
        let generated = serde_json::to_value(trilateral::openapi::spec()).expect("spec as JSON");
        assert_eq!(served, generated);
        assert_eq!(served["openapi"], "3.1.0");
    }
}

backend_test! {
    /// A browser gets a page with the datasets and the headline charts, each an SVG answer of the
    /// API; a client gets the same links as JSON.
    async fn the_home_page_shows_what_the_service_holds(app: TestApp) {
        let page = app.get_with("/", &[("accept", "text/html,application/xhtml+xml,*/*;q=0.8")]).await;
        assert_eq!(page.status, 200);
        assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
        let html = page.text();
        for text in ["href=\"/docs/\"", "href=\"/openapi.json\"", "href=\"/v1/datasets\"", "census", "comtrade"] {
            assert!(html.contains(text), "{text} missing from the page");
        }
        let charts: Vec<&str> = html
            .split("<img src=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert_eq!(charts.len(), 3, "{charts:?}");
        for chart in charts {
            let chart = chart.replace("&amp;", "&");
            let svg = app.get(&chart).await;
            assert_eq!(svg.status, 200, "{chart}: {}", svg.text());
            assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
            assert!(svg.text().contains("<polyline") || svg.text().contains("<path"), "{chart} draws no line");
        }

        let links = app.get("/").await.json();
        assert_eq!(links["links"]["docs"], "/docs/");
        assert_eq!(links["charts"].as_array().map(Vec::len), Some(3));
    }
}
