//! Vintages: every import is one, `as_of` reads the data as any kept vintage left them, and the
//! changes feed lists each import once with the rows it added, removed and changed.

use serde_json::Value;

use crate::backend_test;
use crate::cli::trilateral;
use crate::helpers::TestApp;
use crate::imports::{PIPELINE_KEY, app_with_keys, census_flows, post_csv, sha256_hex};

const IMPORT: &str = "/v1/admin/imports/csv?dataset=feed";

/// Answers that read the imported dataset, and the catalogue.
const READS: [&str; 5] = [
    "/v1/trade/flows?reporter=us&partner=mx&from=2016&to=2016&format=csv",
    "/v1/trade/flows?reporter=us&partner=mx&from=2016&to=2016",
    "/v1/trade/balance?country=us&partner=mx&from=2016&to=2016",
    "/v1/datasets",
    "/v1/datasets?format=csv",
];

fn with_as_of(path: &str, vintage: i64) -> String {
    let separator = if path.contains('?') { '&' } else { '?' };
    format!("{path}{separator}as_of={vintage}")
}

/// A JSON answer without what names the request (`links`) and the vintage it was read as of.
fn content(mut answer: Value) -> Value {
    if let Some(object) = answer.as_object_mut() {
        object.remove("links");
        if let Some(meta) = object.get_mut("meta").and_then(Value::as_object_mut) {
            meta.remove("as_of");
        }
    }
    answer
}

/// The vintages the feed lists after `since`.
async fn feed(app: &TestApp, since: i64) -> Vec<Value> {
    let page = app.get(&format!("/v1/changes?since={since}")).await.json();
    page["data"].as_array().expect("data").clone()
}

async fn latest_vintage(app: &TestApp) -> i64 {
    let listed = feed(app, 0).await;
    listed
        .last()
        .and_then(|v| v["vintage"].as_i64())
        .expect("a vintage")
}

/// The census rows with the first one's value changed and the last `dropped` left out.
fn revised(csv: &str, dropped: usize) -> String {
    let lines: Vec<&str> = csv.lines().collect();
    let mut kept: Vec<String> = lines[..lines.len() - dropped]
        .iter()
        .map(|l| l.to_string())
        .collect();
    let mut first: Vec<&str> = kept[1].split(',').collect();
    first[8] = "12345.0";
    kept[1] = first.join(",");
    kept.join("\n") + "\n"
}

backend_test! {
    async fn as_of_answers_byte_for_byte_as_each_of_three_imports_left_the_data(app: TestApp) {
        let app = app_with_keys(app.backend).await;
        let census = census_flows(&app).await;
        let rows = census.lines().count() - 1;
        assert!(rows > 6, "{census}");
        let before = latest_vintage(&app).await;

        let mut taken = Vec::new();
        for body in [census.clone(), revised(&census, 5), census.clone()] {
            let imported = post_csv(&app, IMPORT, Some(PIPELINE_KEY), &body).await;
            assert_eq!(imported.status.as_u16(), 200, "{}", imported.text());
            let vintage = imported.json()["vintage"].as_i64().expect("vintage");
            let mut answers = Vec::new();
            for read in READS {
                answers.push(app.get(read).await);
            }
            taken.push((vintage, answers));
        }
        let vintages: Vec<i64> = taken.iter().map(|(v, _)| *v).collect();
        assert_eq!(vintages, [before + 1, before + 2, before + 3]);
        // Each import changed the answers (the third writes again, under new ids, the rows the
        // second left out).
        assert_ne!(taken[0].1[0].text(), taken[1].1[0].text());
        assert_ne!(taken[1].1[0].text(), taken[2].1[0].text());
        assert_ne!(taken[0].1[0].text(), taken[2].1[0].text());

        for (vintage, answers) in &taken {
            for (read, answer) in READS.iter().zip(answers) {
                let as_of = app.get(&with_as_of(read, *vintage)).await;
                assert_eq!(as_of.status.as_u16(), 200, "{read} as of {vintage}: {}", as_of.text());
                if read.ends_with("format=csv") {
                    assert_eq!(as_of.text(), answer.text(), "{read} as of {vintage}");
                } else {
                    let json = as_of.json();
                    assert_eq!(json["meta"]["as_of"], *vintage, "{read}");
                    assert_eq!(content(json), content(answer.json()), "{read} as of {vintage}");
                }
                // Reads as of a vintage leave the pooled connections reading current rows.
                let current = app.get(READS[0]).await;
                assert_eq!(current.text(), taken[2].1[0].text(), "after {read} as of {vintage}");
            }
        }
        // A time reads the latest vintage made by then; a vintage not made yet is unknown.
        let now = app.get(&format!("{}&as_of=2200-01-01", READS[0])).await;
        assert_eq!(now.text(), taken[2].1[0].text());
        let unknown = app.get(&with_as_of(READS[0], before + 4)).await.problem(404, "unknown-vintage");
        assert_eq!(unknown["param"], "as_of");
        let early = app.get(&format!("{}&as_of=1900-01-01", READS[1])).await.problem(404, "unknown-vintage");
        assert_eq!(early["param"], "as_of");
        app.get(&format!("{}&as_of=latest", READS[1])).await.problem(400, "invalid-parameter");

        // Pruning keeps the last two versions of every dataset: the first of this one is gone.
        let args = ["prune", "--keep", "2", "--database-url", &app.db.url];
        let pruned = trilateral(args.iter().map(|a| a.to_string()).collect()).await;
        assert!(pruned.status.success(), "{}", String::from_utf8_lossy(&pruned.stderr));
        let (first, second) = (taken[0].0, taken[1].0);
        let gone = app.get(&with_as_of(READS[0], first)).await.problem(404, "unknown-vintage");
        assert!(gone["detail"].as_str().unwrap().contains("'feed' was at version 1"), "{gone}");
        app.get("/v1/datasets/feed/changes?from=1&to=2").await.problem(404, "unknown-vintage");
        // What the kept versions show is untouched, and reads of other datasets at that
        // vintage still answer.
        let kept = app.get(&with_as_of(READS[0], second)).await;
        assert_eq!(kept.text(), taken[1].1[0].text());
        let countries = app.get(&with_as_of("/v1/countries?format=csv", first)).await;
        assert_eq!(countries.text(), app.get("/v1/countries?format=csv").await.text());
        let versions = app.get("/v1/datasets/feed/versions").await.json();
        let kept: Vec<(i64, bool)> = versions["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| (v["version"].as_i64().unwrap(), v["kept"].as_bool().unwrap()))
            .collect();
        assert_eq!(kept, [(3, true), (2, true), (1, false)]);
    }
}

backend_test! {
    async fn a_feed_with_a_stored_cursor_sees_each_import_once_with_its_rows(app: TestApp) {
        let app = app_with_keys(app.backend).await;
        let census = census_flows(&app).await;
        let rows = (census.lines().count() - 1) as i64;
        let cursor = latest_vintage(&app).await;
        // Nothing new: the feed is empty and goes on from the same cursor.
        let page = app.get(&format!("/v1/changes?since={cursor}")).await.json();
        assert_eq!(page["data"], serde_json::json!([]));
        assert_eq!(page["links"]["next"], format!("/v1/changes?since={cursor}"));

        post_csv(&app, IMPORT, Some(PIPELINE_KEY), &census).await;
        let first = feed(&app, cursor).await;
        assert_eq!(first.len(), 1, "{first:?}");
        assert_eq!(first[0]["dataset_id"], "feed");
        assert_eq!(first[0]["version"], 1);
        assert_eq!(first[0]["changes"], serde_json::json!({"added": rows, "removed": 0, "changed": 0}));
        let cursor = first[0]["vintage"].as_i64().expect("vintage");

        // A refused import and a dry run make no vintage.
        let bad = census.replacen("USA,MEX", "USA,,", 1);
        post_csv(&app, IMPORT, Some(PIPELINE_KEY), &bad).await.problem(422, "import-rejected");
        let dry = post_csv(&app, &format!("{IMPORT}&dry_run=true"), Some(PIPELINE_KEY), &revised(&census, 5)).await.json();
        assert_eq!(dry["changes"], serde_json::json!({"added": 0, "removed": 5, "changed": 1}), "{dry}");
        assert_eq!(feed(&app, cursor).await, Vec::<Value>::new());

        post_csv(&app, IMPORT, Some(PIPELINE_KEY), &revised(&census, 5)).await;
        let second = feed(&app, cursor).await;
        assert_eq!(second.len(), 1, "{second:?}");
        assert_eq!(second[0]["version"], 2);
        assert_eq!(second[0]["row_count"], rows - 5);
        assert_eq!(second[0]["changes"], serde_json::json!({"added": 0, "removed": 5, "changed": 1}));
        assert_eq!(feed(&app, second[0]["vintage"].as_i64().unwrap()).await, Vec::<Value>::new());

        // The rows themselves: the five left out as they were, and the changed one as it is.
        let link = second[0]["links"]["rows"].as_str().expect("rows link");
        assert_eq!(link, "/v1/datasets/feed/changes?from=1&to=2");
        let changes = app.get(&format!("{link}&format=csv")).await.text();
        let mut lines = changes.lines();
        assert!(lines.next().unwrap().starts_with("op,id,reporter,partner,flow,period"));
        let ops: Vec<(&str, Vec<&str>)> = lines.map(|l| (l.split(',').next().unwrap(), l.split(',').skip(2).collect())).collect();
        let census_rows: Vec<Vec<&str>> = census.lines().skip(1).map(|l| l.split(',').skip(1).collect()).collect();
        let removed: Vec<&Vec<&str>> = ops.iter().filter(|(op, _)| *op == "removed").map(|(_, row)| row).collect();
        let expected_removed: Vec<Vec<&str>> = census_rows[census_rows.len() - 5..]
            .iter()
            .map(|row| row.iter().map(|field| if *field == "census" { "feed" } else { field }).collect())
            .collect();
        assert_eq!(removed.len(), 5, "{changes}");
        for row in &expected_removed {
            assert!(removed.contains(&row), "{row:?} not removed in {changes}");
        }
        let changed: Vec<&Vec<&str>> = ops.iter().filter(|(op, _)| *op == "changed").map(|(_, row)| row).collect();
        assert_eq!(changed.len(), 1, "{changes}");
        assert_eq!(changed[0][7], "12345.0");
        assert_eq!(ops.len(), 6, "{changes}");
        // Back from version 2 to 1: the five come back as added, the changed one as it was.
        let back = app.get("/v1/datasets/feed/changes?from=2&to=1&format=csv").await.text();
        let back_ops: Vec<(&str, Vec<&str>)> = back.lines().skip(1).map(|l| (l.split(',').next().unwrap(), l.split(',').skip(2).collect())).collect();
        assert_eq!(back_ops.iter().filter(|(op, _)| *op == "added").count(), 5, "{back}");
        let reverted: Vec<&Vec<&str>> = back_ops.iter().filter(|(op, _)| *op == "changed").map(|(_, row)| row).collect();
        assert_eq!(reverted.len(), 1, "{back}");
        assert_ne!(reverted[0][7], "12345.0", "{back}");
        assert_eq!(back_ops.len(), 6, "{back}");
        // The dataset's versions list both, newest first.
        let versions = app.get("/v1/datasets/feed/versions").await.json();
        let listed: Vec<i64> = versions["data"].as_array().unwrap().iter().map(|v| v["version"].as_i64().unwrap()).collect();
        assert_eq!(listed, [2, 1]);
        app.get("/v1/datasets/nowhere/versions").await.problem(404, "unknown-dataset");

        // The dataset whole: its canonical CSV is the flows export of the dataset, and its
        // SHA-256, the ETag, is the one the version lists; an earlier version's too.
        let download = app.get("/v1/datasets/feed/download").await;
        assert_eq!(download.status.as_u16(), 200, "{}", download.text());
        let export = app.get("/v1/trade/flows?source=feed&format=csv&limit=10000").await.text();
        assert_eq!(download.text(), export);
        let sha256 = sha256_hex(&download.text());
        assert_eq!(download.header("etag"), Some(format!("\"{sha256}\"").as_str()));
        assert_eq!(second[0]["sha256"], sha256);
        let etag = download.header("etag").unwrap().to_owned();
        let again = app.get_with("/v1/datasets/feed/download", &[("if-none-match", &etag)]).await;
        assert_eq!(again.status.as_u16(), 304);
        let earlier = app.get(&format!("/v1/datasets/feed/download?as_of={cursor}")).await.text();
        assert_eq!(sha256_hex(&earlier), first[0]["sha256"].as_str().unwrap());
        assert_eq!(earlier.lines().count() as i64, rows + 1);
        let ndjson = app.get("/v1/datasets/feed/download?format=ndjson").await.text();
        assert_eq!(ndjson.lines().count() as i64, rows - 5);
        app.get("/v1/datasets/feed/download?format=json").await.problem(400, "invalid-parameter");
        app.get("/v1/datasets/nosuch/download").await.problem(404, "unknown-dataset");
        app.get("/v1/datasets/feed/changes?to=3").await.problem(404, "unknown-vintage");
    }
}

/// The records of a CSV, every field as text.
fn records(csv: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect())
        .collect()
}

fn header(csv: &str) -> Vec<String> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_owned)
        .collect()
}

/// A JSON value as the canonical CSV writes it: text as it is, none as an empty field.
fn as_csv_field(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

backend_test! {
    async fn every_dataset_downloads_whole_with_its_checksum_and_its_first_version_adds_every_row(app: TestApp) {
        let datasets = app.get("/v1/datasets").await.json();
        let datasets = datasets["data"].as_array().expect("datasets");
        let families: std::collections::BTreeSet<&str> = datasets.iter().map(|d| d["family"].as_str().expect("family")).collect();
        assert_eq!(families.len(), 4, "every family is checked: {families:?}");
        for dataset in datasets {
            let id = dataset["id"].as_str().expect("id");
            let link = dataset["links"]["download"].as_str().expect("a download link");
            let download = app.get(link).await;
            assert_eq!(download.status.as_u16(), 200, "{id}: {}", download.text());
            let csv = download.text();
            let sha256 = sha256_hex(&csv);
            assert_eq!(download.header("etag"), Some(format!("\"{sha256}\"").as_str()), "{id}");
            assert_eq!(dataset["sha256"], sha256, "{id}: the catalogue's checksum is the download's");
            let rows = records(&csv);
            assert_eq!(rows.len() as i64, dataset["row_count"].as_i64().expect("row_count"), "{id}");

            // NDJSON: the same rows, each an object with typed values under the CSV's columns.
            let columns = header(&csv);
            let ndjson = app.get(&format!("{link}?format=ndjson")).await.text();
            let objects: Vec<Value> = ndjson.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
            assert_eq!(objects.len(), rows.len(), "{id}");
            for (object, row) in objects.iter().zip(&rows) {
                let fields: Vec<String> = columns.iter().map(|c| as_csv_field(&object[c.as_str()])).collect();
                assert_eq!(&fields, row, "{id}: {object}");
            }

            // From before the first version, every row of the current one is added: the rows of
            // a version's changes are the download's, with `op` first.
            let changes = app.get(&format!("/v1/datasets/{id}/changes?from=0&format=csv")).await.text();
            assert_eq!(header(&changes)[0], "op", "{id}");
            assert_eq!(&header(&changes)[1..], columns.as_slice(), "{id}");
            let mut added: Vec<Vec<String>> = records(&changes)
                .into_iter()
                .map(|mut r| {
                    assert_eq!(r.remove(0), "added", "{id}");
                    r
                })
                .collect();
            let mut whole = rows.clone();
            added.sort();
            whole.sort();
            assert_eq!(added, whole, "{id}");
        }
        let mexico = app.get("/v1/countries/mex").await.json();
        let countries = app.get("/v1/datasets/countries/download?format=ndjson").await.text();
        let row: Value = countries.lines().map(|l| serde_json::from_str::<Value>(l).expect("json")).find(|c| c["code"] == "MEX").expect("Mexico");
        assert_eq!((&row["iso2"], &row["name"], &row["numeric"]), (&mexico["data"]["iso2"], &mexico["data"]["name"], &mexico["data"]["numeric"]));
    }
}

backend_test! {
    async fn a_prune_is_seen_at_once_by_answers_read_before_it(app: TestApp) {
        let app = app_with_keys(app.backend).await;
        let census = census_flows(&app).await;
        for body in [census.clone(), revised(&census, 5), census.clone()] {
            let imported = post_csv(&app, IMPORT, Some(PIPELINE_KEY), &body).await;
            assert_eq!(imported.status.as_u16(), 200, "{}", imported.text());
        }
        // Read (and kept in the memo) while every version is kept.
        let versions = "/v1/datasets/feed/versions";
        let listed = app.get(versions).await;
        let etag = listed.header("etag").expect("an etag").to_owned();
        assert!(listed.json()["data"].as_array().expect("data").iter().all(|v| v["kept"] == true));
        let first_changes = "/v1/datasets/feed/changes?from=1&to=2";
        assert_eq!(app.get(first_changes).await.status, 200);

        // Pruning changes no dataset's version, yet neither a client's copy nor a kept answer
        // may show the pruned version as kept.
        let args = ["prune", "--keep", "2", "--database-url", &app.db.url];
        let pruned = trilateral(args.iter().map(|a| a.to_string()).collect()).await;
        assert!(pruned.status.success(), "{}", String::from_utf8_lossy(&pruned.stderr));
        let after = app.get_with(versions, &[("if-none-match", &etag)]).await;
        assert_eq!(after.status, 200, "{}", after.text());
        assert_ne!(after.header("etag"), Some(etag.as_str()));
        let kept: Vec<(i64, bool)> = after.json()["data"]
            .as_array()
            .expect("data")
            .iter()
            .map(|v| (v["version"].as_i64().expect("a version"), v["kept"].as_bool().expect("kept")))
            .collect();
        assert_eq!(kept, [(3, true), (2, true), (1, false)]);
        app.get(first_changes).await.problem(404, "unknown-vintage");
    }
}
