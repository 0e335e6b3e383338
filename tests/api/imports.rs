//! Imports over HTTP (`POST /v1/admin/imports/{kind}`): authorised by a configured key, checked
//! whole, all-or-nothing, with a dry run that changes nothing.

use sha2::{Digest, Sha256};

use crate::backend_test;
use crate::helpers::{TestApp, TestResponse, spawn_app_with};

pub const PIPELINE_KEY: &str = "k-pipeline-7f3a";
const FEEDS_KEY: &str = "k-feeds-91c2";

pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub async fn app_with_keys(backend: crate::helpers::Backend) -> TestApp {
    spawn_app_with(backend, |config| {
        config.import_keys = format!(
            "pipeline:{},feeds:{}:sources",
            sha256_hex(PIPELINE_KEY),
            sha256_hex(FEEDS_KEY)
        );
        config.import_max_mb = 1;
    })
    .await
    .expect("the backend of the running test")
}

pub async fn post_csv(app: &TestApp, path: &str, key: Option<&str>, body: &str) -> TestResponse {
    let bearer = key.map(|key| format!("Bearer {key}"));
    let mut headers = vec![("content-type", "text/csv")];
    if let Some(bearer) = &bearer {
        headers.push(("authorization", bearer.as_str()));
    }
    app.post(path, &headers, body.as_bytes().to_vec()).await
}

/// Real rows to import: the Census flows of one year, as the service exports them.
pub async fn census_flows(app: &TestApp) -> String {
    app.get("/v1/trade/flows?reporter=us&partner=mx&from=2016&to=2016&source=census&format=csv")
        .await
        .text()
}

/// What a failed or dry import must leave as it was: the catalogue and the flows.
async fn state(app: &TestApp) -> (String, String) {
    (
        app.get("/v1/datasets?format=csv").await.text(),
        app.get("/v1/trade/flows?reporter=us&partner=mx&from=2016&to=2016&format=csv")
            .await
            .text(),
    )
}

backend_test! {
    async fn an_import_over_http_needs_a_key_and_a_refused_one_changes_nothing(app: TestApp) {
        let app = app_with_keys(app.backend).await;
        let csv = census_flows(&app).await;
        let rows = csv.lines().count() - 1;
        assert!(rows >= 2, "{csv}");
        let target = "/v1/admin/imports/csv?dataset=pipeline_flows";
        let before = state(&app).await;

        let anonymous = post_csv(&app, target, None, &csv).await;
        anonymous.problem(401, "unauthorized");
        assert_eq!(anonymous.header("www-authenticate"), Some("Bearer realm=\"imports\""));
        post_csv(&app, target, Some("not-a-key"), &csv).await.problem(401, "unauthorized");
        // Imports are POSTs only.
        let get = app.get(target).await;
        get.problem(405, "method-not-allowed");
        assert_eq!(get.header("allow"), Some("POST"));
        let forbidden = post_csv(&app, target, Some(FEEDS_KEY), &csv).await.problem(403, "forbidden");
        assert!(forbidden["detail"].as_str().unwrap().contains("may import: sources"), "{forbidden}");

        let json = app
            .post(
                target,
                &[("content-type", "application/json"), ("authorization", &format!("Bearer {PIPELINE_KEY}"))],
                csv.clone().into_bytes(),
            )
            .await
            .problem(415, "unsupported-media-type");
        assert_eq!(json["allowed"], serde_json::json!(["text/csv"]));

        // The third line's value is not a number: the whole body is refused, naming the line.
        let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
        let mut fields: Vec<&str> = lines[2].split(',').collect();
        fields[8] = "seventy-six billion";
        lines[2] = fields.join(",");
        let bad = lines.join("\n");
        let rejected = post_csv(&app, target, Some(PIPELINE_KEY), &bad).await.problem(422, "import-rejected");
        let detail = rejected["detail"].as_str().unwrap();
        assert!(detail.contains("line 3") && detail.contains("seventy-six billion"), "{detail}");
        assert_eq!(rejected["param"], "body");

        let too_large = "x".repeat((1 << 20) + 1);
        post_csv(&app, target, Some(PIPELINE_KEY), &too_large).await.problem(413, "payload-too-large");

        assert_eq!(state(&app).await, before, "a refused import changed something");

        // A dry run reports what the import would do, and changes nothing either.
        let dry = post_csv(&app, &format!("{target}&dry_run=true"), Some(PIPELINE_KEY), &csv).await;
        assert_eq!(dry.status, 200, "{}", dry.text());
        let report = dry.json();
        assert_eq!(report["dry_run"], true);
        assert_eq!(report["rows"], rows);
        assert_eq!(report["version"], 1);
        assert_eq!(report["dataset_id"], "pipeline_flows");
        assert_eq!(report["checksum"], sha256_hex(&csv));
        assert_eq!(state(&app).await, before, "a dry run changed something");

        // The log lists what reached the importer, newest first, and only for a key.
        app.get("/v1/admin/imports").await.problem(401, "unauthorized");
        let bearer = format!("Bearer {FEEDS_KEY}");
        let log = app.get_with("/v1/admin/imports", &[("authorization", &bearer)]).await;
        assert_eq!(log.status, 200, "{}", log.text());
        assert_eq!(log.header("cache-control"), Some("no-store"));
        let log = log.json();
        let entries = log["data"].as_array().unwrap();
        assert_eq!(entries.len(), 2, "{log}");
        let (dry, rejected) = (&entries[0], &entries[1]);
        assert_eq!(
            (dry["result"].as_str(), dry["dry_run"].as_bool(), dry["made_by"].as_str()),
            (Some("checked"), Some(true), Some("pipeline"))
        );
        assert_eq!((dry["rows"].as_u64(), dry["version"].as_i64()), (Some(rows as u64), Some(1)));
        assert_eq!(dry["checksum"], sha256_hex(&csv));
        assert_eq!(dry["bytes"], csv.len());
        assert_eq!((rejected["result"].as_str(), rejected["kind"].as_str()), (Some("rejected"), Some("csv")));
        assert!(rejected["detail"].as_str().unwrap().contains("line 3"), "{rejected}");
        assert_eq!(rejected["dataset_id"], "pipeline_flows");
        assert!(rejected["id"].as_i64() < dry["id"].as_i64());
        assert!(log["links"]["next"].is_null());
        let page = app.get_with("/v1/admin/imports?limit=1", &[("authorization", &bearer)]).await.json();
        let next = page["links"]["next"].as_str().unwrap().to_owned();
        let older = app.get_with(&next, &[("authorization", &bearer)]).await.json();
        assert_eq!(older["data"][0]["id"], rejected["id"]);
        app.get_with("/v1/admin/imports?limit=0", &[("authorization", &bearer)]).await.problem(400, "invalid-parameter");

        let metrics = app.get("/metrics").await.text();
        for (result, count) in [("rejected", 1), ("checked", 1)] {
            let sample = format!(r#"trilateral_imports_total{{kind="csv",result="{result}"}} {count}"#);
            assert!(metrics.contains(&sample), "{sample} in {metrics}");
        }
    }
}

backend_test! {
    async fn an_import_over_http_is_served_at_once_and_a_second_bumps_the_version(app: TestApp) {
        let app = app_with_keys(app.backend).await;
        let csv = census_flows(&app).await;
        let rows = csv.lines().count() - 1;
        let target = "/v1/admin/imports/csv?dataset=pipeline_flows";

        let first = post_csv(&app, target, Some(PIPELINE_KEY), &csv).await;
        assert_eq!(first.status, 200, "{}", first.text());
        let report = first.json();
        assert_eq!((report["version"].as_i64(), report["dry_run"].as_bool()), (Some(1), Some(false)));
        assert_eq!(report["key"], "pipeline");

        let imported = app.dataset("pipeline_flows").await;
        assert_eq!(imported["version"], 1);
        assert_eq!(imported["row_count"], rows);
        assert_eq!(imported["origin"], "import");
        let served = app.get("/v1/trade/flows?source=pipeline_flows&format=csv").await.text();
        assert_eq!(served.lines().count() - 1, rows, "{served}");
        let values = |text: &str| -> Vec<String> {
            text.lines().skip(1).map(|line| line.split(',').nth(8).unwrap().to_owned()).collect()
        };
        assert_eq!(values(&served), values(&csv), "the imported values are served as sent");

        let second = post_csv(&app, target, Some(PIPELINE_KEY), &csv).await;
        assert_eq!(second.json()["version"], 2);
        assert_eq!(app.dataset("pipeline_flows").await["version"], 2);
        let metrics = app.get("/metrics").await.text();
        assert!(metrics.contains(r#"trilateral_imports_total{kind="csv",result="imported"} 2"#), "{metrics}");

        // An import from the command line is logged too, under its own name.
        let output = crate::cli::import_csv(&app, &csv, "cli_flows").await;
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let bearer = format!("Bearer {PIPELINE_KEY}");
        let log = app.get_with("/v1/admin/imports", &[("authorization", &bearer)]).await.json();
        let results: Vec<(&str, &str, i64)> = log["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (e["made_by"].as_str().unwrap(), e["dataset_id"].as_str().unwrap(), e["version"].as_i64().unwrap())
            })
            .collect();
        assert_eq!(
            results,
            [("command line", "cli_flows", 1), ("pipeline", "pipeline_flows", 2), ("pipeline", "pipeline_flows", 1)]
        );
    }
}

backend_test! {
    async fn a_value_of_minus_zero_is_stored_served_and_checksummed_as_zero(app: TestApp) {
        let app = app_with_keys(app.backend).await;
        let csv = census_flows(&app).await;
        let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
        let mut first: Vec<&str> = lines[1].split(',').collect();
        assert_eq!(first.len(), 12, "no field of the first flow holds a comma: {}", lines[1]);
        first[8] = "-0";
        lines[1] = first.join(",");
        let imported = post_csv(&app, "/v1/admin/imports/csv?dataset=zeros", Some(PIPELINE_KEY), &(lines.join("\n") + "\n")).await;
        assert_eq!(imported.status, 200, "{}", imported.text());

        // SQLite keeps no sign for a zero, so Postgres must not either: the same row on both.
        let served = app.get("/v1/trade/flows?source=zeros&limit=1").await.json();
        let value = served["data"][0]["value_usd"].as_f64().expect("a value");
        assert!(value == 0.0 && value.is_sign_positive(), "{served}");
        // The checksum the import recorded as it wrote is that of the rows as stored.
        let download = app.get("/v1/datasets/zeros/download").await.text();
        assert!(download.lines().nth(1).expect("a flow").contains(",0.0,"), "{download}");
        assert_eq!(app.dataset("zeros").await["sha256"], sha256_hex(&download));
    }
}

backend_test! {
    async fn a_corrected_source_changes_every_answer_that_names_it(app: TestApp) {
        let app = app_with_keys(app.backend).await;
        // A wage series and trade flows: neither answer's own datasets include the sources.
        let paths = [
            "/v1/wages/us/series/us.minimum_wage.federal?from=2000",
            "/v1/trade/flows?reporter=us&partner=mx&from=2016&to=2016&source=census",
        ];
        let mut before = Vec::new();
        for path in paths {
            let answer = app.get(path).await;
            assert_eq!(answer.status, 200, "{path}: {}", answer.text());
            let source = answer.json()["meta"]["sources"][0].clone();
            before.push((answer.header("etag").expect("an etag").to_owned(), source));
        }

        // The bundled catalogue of sources, with the titles of those two answers' sources
        // corrected.
        let named: Vec<&str> = before.iter().map(|(_, source)| source["id"].as_str().expect("an id")).collect();
        let bundled = std::fs::read_to_string(format!("{}/data/sources.csv", env!("CARGO_MANIFEST_DIR"))).expect("sources.csv");
        let mut reader = csv::Reader::from_reader(bundled.as_bytes());
        let headers = reader.headers().expect("a header").clone();
        let column = |name: &str| headers.iter().position(|h| h == name).expect("a column");
        let (id, title) = (column("id"), column("title"));
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&headers).expect("written");
        for record in reader.records() {
            let mut fields: Vec<String> = record.expect("a row").iter().map(str::to_owned).collect();
            if named.contains(&fields[id].as_str()) {
                fields[title] = format!("{} (corrected)", fields[title]);
            }
            writer.write_record(&fields).expect("written");
        }
        let corrected = String::from_utf8(writer.into_inner().expect("written")).expect("UTF-8");
        let imported = post_csv(&app, "/v1/admin/imports/sources", Some(FEEDS_KEY), &corrected).await;
        assert_eq!(imported.status, 200, "{}", imported.text());

        // A client holding an answer with the old title gets the new one, not a 304, and no
        // answer kept from before is served.
        for (path, (etag, source)) in paths.iter().zip(&before) {
            let after = app.get_with(path, &[("if-none-match", etag)]).await;
            assert_eq!(after.status, 200, "{path}: {}", after.text());
            assert_ne!(after.header("etag"), Some(etag.as_str()), "{path}");
            let title = format!("{} (corrected)", source["title"].as_str().expect("a title"));
            assert_eq!(after.json()["meta"]["sources"][0]["title"], title.as_str(), "{path}");
        }
    }
}
