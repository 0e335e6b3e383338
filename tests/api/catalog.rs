//! `/v1/catalog`: the datasets as a DCAT-US 1.1 catalogue whose URLs a harvester can follow.

use serde_json::Value;

use crate::backend_test;
use crate::helpers::{TestApp, spawn_app_with};
use crate::imports::sha256_hex;

/// The fields DCAT-US 1.1 requires of every dataset of a public catalogue (its `dataset.json`
/// schema: `required`, less the federal agencies' bureau and program codes).
const REQUIRED: [&str; 8] = [
    "title",
    "description",
    "keyword",
    "modified",
    "publisher",
    "contactPoint",
    "identifier",
    "accessLevel",
];

/// The path and query of `url`, a URL under `base`.
fn path_under<'a>(url: &'a str, base: &str) -> &'a str {
    url.strip_prefix(base)
        .unwrap_or_else(|| panic!("{url} is not under {base}"))
}

backend_test! {
    async fn the_catalog_describes_every_dataset_with_urls_a_harvester_can_follow(app: TestApp) {
        // Without a public URL, the URLs are those of the address the service listens on.
        let plain = app.get("/v1/catalog").await.json();
        assert_eq!(plain["@id"], format!("{}/v1/catalog", app.address));
        assert!(plain["dataset"][0].get("contactPoint").is_none(), "no contact is invented");
        app.get("/v1/catalog?format=csv").await.problem(400, "invalid-parameter");

        let base = "https://data.example.org";
        let app = spawn_app_with(app.backend, |config| {
            config.public_url = format!("{base}/");
            config.contact_email = "data@example.org".to_owned();
            config.contact_name = "Data desk".to_owned();
        })
        .await
        .expect("the same backend again");
        let catalog = app.get("/v1/catalog").await.json();
        assert_eq!(catalog["@type"], "dcat:Catalog");
        assert_eq!(catalog["conformsTo"], "https://project-open-data.cio.gov/v1.1/schema");
        assert_eq!(catalog["@id"], format!("{base}/v1/catalog"));

        let listed = app.get("/v1/datasets").await.json();
        let listed = listed["data"].as_array().expect("datasets");
        let described = catalog["dataset"].as_array().expect("dataset");
        assert_eq!(described.len(), listed.len());
        for (dataset, entry) in listed.iter().zip(described) {
            let id = dataset["id"].as_str().expect("id");
            for field in REQUIRED {
                let value = &entry[field];
                let present = match value {
                    Value::String(text) => !text.is_empty(),
                    Value::Array(items) => !items.is_empty(),
                    Value::Object(_) => true,
                    _ => false,
                };
                assert!(present, "{id}: {field} is required: {entry}");
            }
            assert_eq!(entry["identifier"], format!("{base}/v1/datasets/{id}"));
            assert_eq!(entry["title"], dataset["title"]);
            assert_eq!(entry["modified"], dataset["last_updated"]);
            assert_eq!(entry["accessLevel"], "public");
            assert_eq!(entry["contactPoint"]["hasEmail"], "mailto:data@example.org");
            assert_eq!(entry["contactPoint"]["fn"], "Data desk");
            assert!(!entry["publisher"]["name"].as_str().expect("publisher").is_empty());
            if let (Some(first), Some(last)) = (
                dataset["coverage"]["first"].as_str(),
                dataset["coverage"]["last"].as_str(),
            ) {
                assert_eq!(entry["temporal"], format!("{first}/{last}"), "{id}");
            }

            // The CSV distribution is the download whose checksum the catalogue publishes.
            let distributions = entry["distribution"].as_array().expect("distribution");
            let csv = distributions
                .iter()
                .find(|d| d["mediaType"] == "text/csv")
                .expect("a CSV distribution");
            let download = app.get(path_under(csv["downloadURL"].as_str().expect("downloadURL"), base)).await;
            assert_eq!(download.status.as_u16(), 200, "{id}");
            let sha256 = sha256_hex(&download.text());
            assert_eq!(dataset["sha256"], sha256, "{id}");
            assert!(csv["description"].as_str().expect("description").contains(&sha256), "{id}");
            for distribution in distributions {
                let url = distribution["downloadURL"].as_str().or(distribution["accessURL"].as_str()).expect("a URL");
                let answer = app.get(path_under(url, base)).await;
                assert_eq!(answer.status.as_u16(), 200, "{id}: {url}");
            }
        }
        let census = described.iter().find(|d| d["identifier"] == format!("{base}/v1/datasets/census")).expect("census");
        assert_eq!(census["license"], Value::Null, "the Census Bureau's public domain has no licence URL");
        assert!(census["publisher"]["name"].as_str().expect("name").contains("Census Bureau"), "{census}");
        assert!(census["references"].as_array().expect("references").iter().any(|r| r.as_str().is_some_and(|r| r.starts_with("https://www.census.gov/"))), "{census}");
    }
}
