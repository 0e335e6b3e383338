use crate::backend_test;
use crate::helpers::TestApp;

backend_test! {
    async fn swagger_ui_is_served_from_the_binary(app: TestApp) {
        let redirect = app.get("/").await;
        assert_eq!(redirect.status, 307);
        assert_eq!(redirect.header("location"), Some("/docs/"));

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
