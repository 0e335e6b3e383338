//! The `trilateral` binary as a user runs it: `import` into the test's database, `healthcheck`
//! against the test's server.

use std::process::Output;
use std::time::{Duration, Instant};

use crate::backend_test;
use crate::helpers::{Backend, TestApp};

/// Runs the binary with `args`, off the runtime that serves the app under test, with none of the
/// caller's `TRILATERAL_*` settings.
pub async fn trilateral(args: Vec<String>) -> Output {
    actix_web::rt::task::spawn_blocking(move || {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_trilateral"));
        for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("TRILATERAL_")) {
            command.env_remove(name);
        }
        command.args(&args).output().expect("the binary runs")
    })
    .await
    .expect("runner thread")
}

/// `trilateral import csv <file> --dataset <dataset>` on the test's database.
pub async fn import_csv(app: &TestApp, csv: &str, dataset: &str) -> Output {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("flows.csv");
    std::fs::write(&file, csv).expect("CSV written");
    let args = [
        "import",
        "csv",
        &file.display().to_string(),
        "--dataset",
        dataset,
        "--database-url",
        &app.db.url,
    ];
    trilateral(args.iter().map(|a| a.to_string()).collect()).await
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The lines of a flows export without their `id` and `dataset_id`, which an import assigns.
fn flows_without_ids(csv: &str) -> Vec<String> {
    csv.lines()
        .map(|line| {
            let mut record = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(line.as_bytes());
            let fields: Vec<String> = record
                .records()
                .next()
                .expect("a record")
                .expect("CSV")
                .iter()
                .map(str::to_owned)
                .collect();
            // id is the first column, dataset_id the eleventh.
            fields
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != 0 && *i != 10)
                .map(|(_, f)| f.clone())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect()
}

backend_test! {
    async fn an_export_imports_into_a_new_dataset_and_reads_back_from_it(app: TestApp) {
        // Census and Comtrade flows of one year: rows of two datasets in one file.
        let query = "reporter=us&partner=mx&from=2016&to=2016";
        let exported = app.get(&format!("/v1/trade/flows?{query}&format=csv")).await.text();
        let header = exported.lines().next().expect("header");
        assert_eq!(header, "id,reporter,partner,flow,period,frequency,classification,product_code,value_usd,source_id,dataset_id,note");
        assert!(exported.contains(",census,") && exported.contains(",comtrade,"), "{exported:.2000}");
        let census_only = app.get(&format!("/v1/trade/flows?{query}&source=census&format=csv")).await.text();

        let output = import_csv(&app, &exported, "us_mx_2016").await;
        assert!(output.status.success(), "{}", stderr(&output));
        let output = import_csv(&app, &census_only, "us_mx_2016_census").await;
        assert!(output.status.success(), "{}", stderr(&output));

        let copy = app.get("/v1/trade/flows?source=us_mx_2016&format=csv").await.text();
        assert_eq!(flows_without_ids(&copy), flows_without_ids(&exported));
        assert!(copy.lines().skip(1).all(|line| line.contains(",us_mx_2016,")), "{copy:.1000}");
        let json = app.get("/v1/trade/flows?source=us_mx_2016&limit=10000").await.json();
        assert_eq!(json["data"].as_array().map(Vec::len), Some(exported.lines().count() - 1));
        // The originals are still whole.
        assert_eq!(app.get(&format!("/v1/trade/flows?{query}&source=census&format=csv")).await.text(), census_only);

        // The copies say what their figures are: those of the datasets they were exported from.
        let mixed = app.dataset("us_mx_2016").await;
        assert_eq!((mixed["origin"].as_str(), mixed["reporting"].as_str()), (Some("import"), Some("unknown")));
        let basis = mixed["basis"].as_str().expect("basis");
        assert!(basis.contains("rows copied from dataset 'census': ") && basis.contains("rows copied from dataset 'comtrade': "), "{basis}");
        let census = app.dataset("us_mx_2016_census").await;
        assert_eq!(census["reporting"], "reporter");
        assert_eq!(census["basis"].as_str(), Some(format!("rows copied from dataset 'census': {}", app.dataset("census").await["basis"].as_str().expect("basis")).as_str()));
    }
}

/// The ids of the datasets `/v1/datasets` lists at `address`.
async fn dataset_ids(app: &TestApp, address: &str) -> Vec<String> {
    let datasets = app.get_from(address, "/v1/datasets").await.json();
    let datasets = datasets["data"].as_array().expect("data").iter();
    datasets
        .map(|d| d["id"].as_str().expect("id").to_owned())
        .collect()
}

backend_test! {
    async fn an_import_is_served_by_every_replica_within_the_staleness_bound(app: TestApp) {
        // The README's bound: a few milliseconds on SQLite, a second on Postgres.
        let bound = match app.backend {
            Backend::Sqlite => trilateral::db::versions::SQLITE_CHECK_EVERY,
            Backend::Postgres => Duration::from_secs(1),
        };
        let replica = app.spawn_replica();
        let csv = app.get("/v1/trade/flows?reporter=us&partner=mx&from=2016&to=2016&source=census&format=csv").await.text();
        // Each replica keeps its catalogue answer, and knows the versions it was made from: the
        // third request is answered before routing, from what the memo keeps for the request.
        for address in [app.address.as_str(), &replica] {
            let first = dataset_ids(&app, address).await;
            for _ in 0..2 {
                assert_eq!(dataset_ids(&app, address).await, first);
            }
        }

        let output = import_csv(&app, &csv, "replicated").await;
        assert!(output.status.success(), "{}", stderr(&output));
        let imported = Instant::now();
        for address in [app.address.as_str(), &replica] {
            while !dataset_ids(&app, address).await.contains(&"replicated".to_owned()) {
                assert!(imported.elapsed() <= bound, "{address} answers from before the import after {:?}", imported.elapsed());
                actix_web::rt::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

backend_test! {
    async fn import_errors_name_the_line_and_the_column(app: TestApp) {
        let header = "reporter,partner,flow,period,classification,product_code,value_usd,source_id";
        let columns = "the columns are reporter, partner, flow, period, classification, product_code, value_usd, source_id, and optionally id, frequency, dataset_id, note";
        let cases = [
            (
                "reporter,partner,flow,period,classification,product_code,source_id\nUSA,MEX,export,2016,TOTAL,TOTAL,un_comtrade_api\n".to_owned(),
                format!("line 1: missing column `value_usd`; {columns}"),
            ),
            (
                format!("{header},foo\nUSA,MEX,export,2016,TOTAL,TOTAL,1,un_comtrade_api,x\n"),
                format!("line 1: unexpected column `foo`; {columns}"),
            ),
            (
                format!("{header},dataset_id\nUSA,MEX,export,2016,TOTAL,TOTAL,1,un_comtrade_api,Census 2016\n"),
                "line 2: dataset_id: 'Census 2016' is not a dataset id".to_owned(),
            ),
            (
                format!("{header}\nUSA,MEX,export,2016,TOTAL,TOTAL,1,un_comtrade_api\nUSA,MEX,import,2016,TOTAL,TOTAL,2,un_comtrade_api\nusa,mex,export,2016,TOTAL,TOTAL,3,un_comtrade_api\n"),
                "line 4: the same flow is already on line 2".to_owned(),
            ),
        ];
        for (csv, expected) in cases {
            let output = import_csv(&app, &csv, "refused").await;
            let message = stderr(&output);
            assert!(!output.status.success(), "{csv}");
            assert!(message.contains("import rejected, nothing changed: ") && message.contains(&expected), "{expected}\n{message}");
            assert!(!message.contains("deserialize"), "{message}");
        }
        let datasets = app.get("/v1/datasets").await.json();
        assert!(datasets["data"].as_array().expect("data").iter().all(|d| d["id"] != "refused"));
    }
}

backend_test! {
    async fn healthcheck_passes_on_a_running_server_and_names_the_address_it_tried_otherwise(app: TestApp) {
        let bind = app.address.trim_start_matches("http://").to_owned();
        let healthy = trilateral(vec!["healthcheck".into(), "--bind".into(), bind]).await;
        assert!(healthy.status.success(), "{}", stderr(&healthy));

        // A port that was just free: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
        let down = trilateral(vec!["healthcheck".into(), "--bind".into(), format!("0.0.0.0:{port}")]).await;
        assert_eq!(down.status.code(), Some(1));
        let message = stderr(&down);
        assert!(message.starts_with(&format!("no answer from http://127.0.0.1:{port}/healthz: ")), "{message}");
        assert!(message.contains("refused"), "{message}");
    }
}

/// An import into a SQLite file leaves no write-ahead log behind it: the log is checkpointed and
/// truncated, while the server keeps its connections open (without that, the log stays at its
/// largest, many times the size of what was imported).
#[actix_web::test]
async fn an_import_leaves_the_sqlite_write_ahead_log_empty() {
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite)
        .await
        .expect("a SQLite app");
    let exported = app.get("/v1/trade/flows?format=csv").await.text();
    assert!(exported.lines().count() > 10_000, "a large import");

    let output = import_csv(&app, &exported, "all_flows").await;
    assert!(output.status.success(), "{}", stderr(&output));

    let file = app.db.url.trim_start_matches("sqlite://");
    let wal = std::fs::metadata(format!("{file}-wal"))
        .map(|m| m.len())
        .unwrap_or(0);
    assert_eq!(wal, 0, "the write-ahead log after the import");
    let copied = app
        .get("/v1/trade/flows?source=all_flows&limit=1")
        .await
        .json();
    assert_eq!(copied["data"].as_array().map(Vec::len), Some(1));
}
