use std::collections::BTreeSet;

use serde_json::Value;
use trilateral::db::{self, DbConnection};
use trilateral::import::ImportError;
use trilateral::import::command::{ImportKind, ImportReport, import};

use crate::backend_test;
use crate::helpers::{Backend, TestApp, spawn_app, spawn_app_with};

fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

fn connection(app: &TestApp) -> db::DbPool {
    db::connect(&app.db.url, app.db.config().pool_options()).expect("connect")
}

fn import_fixture(
    conn: &mut DbConnection,
    kind: ImportKind,
    fixture: &str,
) -> Result<ImportReport, ImportError> {
    let path = format!("{}/tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).expect("fixture");
    import(conn, kind, fixture, bytes.as_slice(), None, None)
}

backend_test! {
    async fn the_census_balance_with_mexico_has_every_year_from_1985_to_2025(app: TestApp) {
        let body = app.get("/v1/trade/balance?country=us&partner=mx&source=census&to=2025").await.json();

        let periods = body["data"].as_array().expect("periods");
        let years: Vec<&str> = periods.iter().map(|p| p["period"].as_str().expect("period")).collect();
        let expected: Vec<String> = (1985..=2025).map(|y| y.to_string()).collect();
        assert_eq!(years, expected);
        assert!(periods.iter().all(|p| p["partial"] == false && p["balance_usd"].is_number()));
        let year_1993 = periods.iter().find(|p| p["period"] == "1993").expect("1993");
        assert_eq!(number(&year_1993["exports"]["value_usd"]), 41_580_800_000.0);
        assert_eq!(number(&year_1993["imports"]["value_usd"]), 39_917_500_000.0);
        assert_eq!(year_1993["exports"]["reported_by"], "USA");
        assert_eq!(body["meta"]["dataset"]["id"], "census");
        assert_eq!(body["meta"]["warnings"], serde_json::json!([]));
    }
}

backend_test! {
    async fn months_and_quarters_add_up_to_the_census_year(app: TestApp) {
        let months = app.get("/v1/trade/balance?country=us&partner=ca&frequency=M&from=2025-01").await.json();
        let rows = months["data"].as_array().expect("months");
        let names: Vec<&str> = rows.iter().map(|p| p["period"].as_str().expect("period")).collect();
        let expected: Vec<String> = (1..=12).map(|m| format!("2025-{m:02}")).collect();
        assert_eq!(names, expected, "every month of 2025");
        let warnings = months["meta"]["warnings"].to_string();
        assert!(warnings.contains("2026-01") && warnings.contains("ends in 2025-12"), "{warnings}");

        let year = app.get("/v1/trade/balance?country=us&partner=ca&from=2025&to=2025").await.json();
        let quarters = app.get("/v1/trade/balance?country=us&partner=ca&frequency=Q&from=2025&to=2025").await.json();
        let sum = |rows: &Value| -> f64 { rows["data"].as_array().expect("data").iter().map(|p| number(&p["exports"]["value_usd"])).sum() };
        let annual = number(&year["data"][0]["exports"]["value_usd"]);
        assert_eq!(quarters["data"].as_array().expect("quarters").len(), 4);
        assert!((sum(&quarters) - annual).abs() < 1e6, "quarters {} vs year {annual}", sum(&quarters));
        assert!((sum(&months) - annual).abs() < 1e6, "months {} vs year {annual}", sum(&months));
    }
}

backend_test! {
    async fn a_range_outside_the_data_names_the_datasets_that_cover_the_pair(app: TestApp) {
        let body = app.get("/v1/trade/balance?country=us&partner=mx&from=2030").await.json();
        assert_eq!(body["data"], serde_json::json!([]));
        let warnings = body["meta"]["warnings"].to_string();
        assert!(warnings.contains("'census' (1985-01 to 2025-12)"), "{warnings}");
        assert!(warnings.contains("'comtrade' (1964 to 2016)"), "{warnings}");

        let early = app.get("/v1/trade/balance?country=us&partner=mx&from=1980&to=1986").await.json();
        assert!(early["meta"]["warnings"].to_string().contains("no figures for 1980-1984: dataset 'census' begins in 1985"));
    }
}

backend_test! {
    async fn the_united_states_balance_defaults_to_census_and_says_so(app: TestApp) {
        let default = app.get("/v1/trade/balance?country=USA&partner=840&from=2016&to=2016").await;
        default.problem(400, "invalid-parameter");

        let body = app.get("/v1/trade/balance?country=840&partner=484&from=2016&to=2016").await.json();
        assert_eq!(body["meta"]["dataset"]["id"], "census");
        assert!(body["data"][0]["exports"]["value_usd"].is_number());

        let comtrade = app.get("/v1/trade/balance?country=us&partner=mx&from=2016&to=2016&source=comtrade").await.json();
        assert_eq!(comtrade["meta"]["dataset"]["id"], "comtrade");
        let exports = &comtrade["data"][0]["exports"];
        assert_eq!(exports["reported_by"], Value::Null, "Comtrade's rows do not say which side reported them");
        let warnings = comtrade["meta"]["warnings"].to_string();
        assert!(warnings.contains("not a reporting discrepancy"), "{warnings}");
    }
}

/// Every flow of a filter, by following `links.next`.
async fn page_through(app: &TestApp, first: &str) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut next = Some(first.to_owned());
    while let Some(path) = next {
        let response = app.get(&path).await;
        assert_eq!(response.status, 200, "{path}");
        let body = response.json();
        let link = response.header("link").map(str::to_owned);
        next = body["links"]["next"].as_str().map(str::to_owned);
        assert_eq!(link, next.as_ref().map(|n| format!("<{n}>; rel=\"next\"")));
        rows.extend(body["data"].as_array().expect("data").iter().cloned());
    }
    rows
}

backend_test! {
    async fn paging_returns_each_row_once_in_id_order(app: TestApp) {
        let rows = page_through(&app, "/v1/trade/flows?reporter=us,ca&limit=700").await;

        let ids: Vec<i64> = rows.iter().map(|r| r["id"].as_i64().expect("id")).collect();
        assert!(ids.len() > 700 * 3, "{} rows", ids.len());
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids strictly increase");
        let stream = app.get("/v1/trade/flows?reporter=us,ca&format=ndjson").await.text();
        let streamed: Vec<i64> = stream
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("JSON line")["id"].as_i64().expect("id"))
            .collect();
        assert_eq!(streamed, ids, "the stream and the pages hold the same rows in the same order");
    }
}

/// The same pages on both backends, compared in one test.
#[actix_web::test]
async fn paging_order_is_the_same_on_both_backends() {
    let sqlite = spawn_app(Backend::Sqlite).await.expect("SQLite app");
    let Some(postgres) = spawn_app(Backend::Postgres).await else {
        return;
    };
    let path = "/v1/trade/flows?partner=mx&from=1990&limit=1000";
    let key = |rows: Vec<Value>| -> Vec<(i64, String, String, String, f64)> {
        rows.iter()
            .map(|r| {
                (
                    r["id"].as_i64().expect("id"),
                    r["reporter"].as_str().expect("reporter").to_owned(),
                    r["flow"].as_str().expect("flow").to_owned(),
                    r["period"].as_str().expect("period").to_owned(),
                    number(&r["value_usd"]),
                )
            })
            .collect()
    };
    let on_sqlite = key(page_through(&sqlite, path).await);
    let on_postgres = key(page_through(&postgres, path).await);
    assert!(on_sqlite.len() > 1000);
    assert_eq!(on_sqlite, on_postgres);
}

backend_test! {
    async fn csv_streams_every_matching_row_with_a_header(app: TestApp) {
        let json = app.get("/v1/trade/flows?reporter=mx&flow=import&limit=10000").await.json();
        let count = json["data"].as_array().expect("data").len();
        assert!(json["links"]["next"].is_null());

        let csv = app.get_with("/v1/trade/flows?reporter=mx&flow=import", &[("Accept", "text/csv")]).await;
        assert_eq!(csv.status, 200);
        assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
        assert!(csv.header("etag").is_some());
        let text = csv.text();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("id,reporter,partner,flow,period,frequency,classification,product_code,value_usd,source_id,dataset_id,note")
        );
        assert_eq!(lines.count(), count);

        let capped = app.get("/v1/trade/flows?reporter=mx&flow=import&format=ndjson&limit=7").await.text();
        assert_eq!(capped.lines().count(), 7);
        let empty = app.get("/v1/trade/flows?reporter=mx&from=2030&format=csv").await.text();
        assert_eq!(empty.lines().count(), 1, "an empty result still has its header");
    }
}

backend_test! {
    async fn the_three_importers_load_their_fixtures(app: TestApp) {
        let pool = connection(&app);
        let mut conn = pool.manager().connect_to_serve().expect("connection");

        let census = import_fixture(&mut conn, ImportKind::CensusIntltrade, "census/imports_hs10_2026-06.json").expect("census");
        assert_eq!((census.rows, census.skipped_aggregates, census.version), (5, 5, 1));
        let comtrade = import_fixture(&mut conn, ImportKind::Comtrade, "comtrade/usa_jpn_total_2023.json").expect("comtrade");
        assert_eq!(comtrade.rows, 2);
        // The same two flows as the Comtrade import: a flow is unique within its dataset only.
        let csv = import_fixture(&mut conn, ImportKind::Csv, "trade/flows.csv").expect("csv");
        assert_eq!((csv.dataset_id.as_str(), csv.rows), ("trade_csv", 2));

        let mexico = app.get("/v1/trade/flows?source=census_intltrade&partner=mx").await.json();
        let flow = &mexico["data"][0];
        assert_eq!((flow["reporter"].as_str(), flow["flow"].as_str(), flow["period"].as_str()), (Some("USA"), Some("import"), Some("2026-06")));
        assert_eq!(number(&flow["value_usd"]), 405_792.0);
        assert_eq!(flow["product_code"], "8483408000");
        assert_eq!(mexico["meta"]["sources"][0]["id"], "census_intltrade_api");

        let japan = app.get("/v1/trade/flows?source=comtrade_api&flow=import").await.json();
        assert_eq!(number(&japan["data"][0]["value_usd"]), 151_580_564_290.0);
        assert_eq!(japan["data"][0]["partner"], "JPN");

        let datasets = app.get("/v1/datasets").await.json();
        let imported = datasets["data"].as_array().expect("data").iter().find(|d| d["id"] == "census_intltrade").expect("dataset");
        assert_eq!(imported["origin"], "import");
        assert_eq!(imported["row_count"], 5);
        assert_eq!(imported["coverage"]["first"], "2026-06");
    }
}

backend_test! {
    async fn a_fixture_with_one_bad_row_changes_nothing(app: TestApp) {
        let pool = connection(&app);
        let mut conn = pool.manager().connect_to_serve().expect("connection");
        import_fixture(&mut conn, ImportKind::CensusIntltrade, "census/imports_hs10_2026-06.json").expect("good file");
        let before = app.get("/v1/trade/flows?format=csv").await.text();
        let datasets_before = app.get("/v1/datasets?format=csv").await.text();

        let cases = [
            (ImportKind::CensusIntltrade, "census/imports_hs10_2026-06_bad_value.json", "record 2: value '12x4'"),
            (ImportKind::Comtrade, "comtrade/usa_jpn_total_2023_bad_flow.json", "record 2: flowCode RX"),
            (ImportKind::Csv, "trade/flows_bad_value.csv", "line 3: value_usd 'seventy-six billion'"),
        ];
        for (kind, fixture, expected) in cases {
            let error = import_fixture(&mut conn, kind, fixture).expect_err("rejected").to_string();
            assert!(error.contains(expected), "{fixture}: {error}");
        }

        assert_eq!(app.get("/v1/trade/flows?format=csv").await.text(), before);
        assert_eq!(app.get("/v1/datasets?format=csv").await.text(), datasets_before);
    }
}

backend_test! {
    async fn a_csv_larger_than_a_write_chunk_imports_whole_or_not_at_all(app: TestApp) {
        let pool = connection(&app);
        let mut conn = pool.manager().connect_to_serve().expect("connection");
        // 25,000 distinct flows: more than two of the importer's write chunks.
        let mut csv = String::from("reporter,partner,flow,period,classification,product_code,value_usd,source_id\n");
        for i in 0..25_000 {
            csv.push_str(&format!("usa,mx,import,{}-{:02},HS,{:04},{i},un_comtrade_api\n", 2000 + i % 20, 1 + i / 20 % 12, i / 240));
        }
        let first_row = csv.lines().nth(1).expect("row").to_owned();
        let datasets_before = app.get("/v1/datasets?format=csv").await.text();
        // More flows than the table holds: on SQLite the import sets the table's indexes aside
        // before its last chunk and builds them again once its vintage is complete
        // (`db::trade::IndexUpkeep`); the repeated flow that follows must still be found, and
        // the indexes must be back after.
        let (flows_before, indexes_before) = (count(&mut conn, "trade_flows"), trade_flow_indexes(&mut conn));
        assert!(flows_before < 25_000, "the table holds {flows_before} flows already");

        let with_duplicate = format!("{csv}{first_row}\n");
        let error = import(&mut conn, ImportKind::Csv, "bulk.csv", with_duplicate.as_bytes(), Some("bulk"), None)
            .expect_err("duplicate")
            .to_string();
        assert_eq!(error, "bulk.csv, line 25002: the same flow is already on line 2");
        // A bad row after chunks already written (the rows are checked on a thread of their own,
        // ahead of the writes) rejects the file all the same.
        let with_bad_row = format!("{csv}usa,mx,import,2030-01,HS,0001,lots,un_comtrade_api\n");
        let error = import(&mut conn, ImportKind::Csv, "bulk.csv", with_bad_row.as_bytes(), Some("bulk"), None)
            .expect_err("bad row")
            .to_string();
        assert_eq!(error, "bulk.csv, line 25002: value_usd 'lots' is not a number");
        assert_eq!(app.get("/v1/datasets?format=csv").await.text(), datasets_before);
        assert_eq!(app.get("/v1/trade/flows?source=bulk").await.json()["data"].as_array().map(Vec::len), Some(0));

        let report = import(&mut conn, ImportKind::Csv, "bulk.csv", csv.as_bytes(), Some("bulk"), None).expect("import");
        assert_eq!((report.rows, report.version), (25_000, 1));
        let datasets = app.get("/v1/datasets").await.json();
        let bulk = datasets["data"].as_array().expect("data").iter().find(|d| d["id"] == "bulk").expect("dataset");
        assert_eq!((bulk["row_count"].as_i64(), bulk["coverage"]["first"].as_str(), bulk["coverage"]["last"].as_str()), (Some(25_000), Some("2000-01"), Some("2019-12")));
        let exported = app.get("/v1/trade/flows?source=bulk&format=csv").await.text();
        assert_eq!(exported.lines().count(), 25_001);
        assert!(exported.lines().nth(1).expect("first flow").contains(",USA,MEX,import,2000-01,monthly,HS,0000,0.0,"), "{exported:.200}");
        assert_eq!(count(&mut conn, "trade_flows"), flows_before + 25_000);
        assert_eq!(trade_flow_indexes(&mut conn), indexes_before);

        // Imported again, the dataset's flows outnumber the others from the start: the indexes
        // are set aside before its flows are deleted, and every flow, found unchanged, is put
        // back under its id before they are built again.
        let again = import(&mut conn, ImportKind::Csv, "bulk.csv", csv.as_bytes(), Some("bulk"), None).expect("import again");
        let vintage = &again.vintage;
        assert_eq!((again.version, vintage.rows_added, vintage.rows_removed, vintage.rows_changed), (2, 0, 0, 0));
        assert_eq!(app.get("/v1/trade/flows?source=bulk&format=csv").await.text(), exported);
        assert_eq!(count(&mut conn, "trade_flows"), flows_before + 25_000);
        assert_eq!(trade_flow_indexes(&mut conn), indexes_before);
    }
}

/// How many rows `table` holds.
fn count(conn: &mut DbConnection, table: &str) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
        .get_result::<Count>(conn)
        .expect("count")
        .n
}

/// The indexes of `trade_flows` and what each holds, as the database describes them.
fn trade_flow_indexes(conn: &mut DbConnection) -> Vec<String> {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Index {
        #[diesel(sql_type = diesel::sql_types::Text)]
        definition: String,
    }
    let query = match conn {
        DbConnection::Sqlite(_) => {
            "SELECT sql AS definition FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'trade_flows' AND sql IS NOT NULL ORDER BY name"
        }
        DbConnection::Postgres(_) => {
            "SELECT indexdef AS definition FROM pg_indexes WHERE tablename = 'trade_flows' AND indexname <> 'trade_flows_pkey' ORDER BY indexname"
        }
    };
    let indexes: Vec<String> = diesel::sql_query(query)
        .load::<Index>(conn)
        .expect("indexes")
        .into_iter()
        .map(|i| i.definition)
        .collect();
    assert_eq!(indexes.len(), 5, "{indexes:?}");
    indexes
}

backend_test! {
    async fn a_csv_export_reimports_without_loss_and_bumps_the_version(app: TestApp) {
        let pool = connection(&app);
        let mut conn = pool.manager().connect_to_serve().expect("connection");
        let first = import_fixture(&mut conn, ImportKind::Csv, "trade/flows.csv").expect("import");
        assert_eq!(first.version, 1);
        let entry = |datasets: Value| datasets["data"].as_array().expect("data").iter().find(|d| d["id"] == "trade_csv").cloned().expect("dataset");
        let imported = entry(app.get("/v1/datasets").await.json());
        let etag = app.get("/v1/trade/flows?source=trade_csv").await.header("etag").map(str::to_owned);
        let exported = app.get("/v1/trade/flows?source=trade_csv&format=csv").await.text();
        assert!(exported.contains("\"\"primaryValue\"\""), "quotes survive: {exported}");

        let again = import(&mut conn, ImportKind::Csv, "export.csv", exported.as_bytes(), None, None).expect("re-import");
        assert_eq!(again.version, 2);
        let reexported = app.get("/v1/trade/flows?source=trade_csv&format=csv").await.text();
        let without_ids = |text: &str| -> Vec<String> {
            text.lines().map(|l| l.split_once(',').map_or(l, |(_, rest)| rest).to_owned()).collect()
        };
        assert_eq!(without_ids(&reexported), without_ids(&exported));
        assert_ne!(app.get("/v1/trade/flows?source=trade_csv").await.header("etag").map(str::to_owned), etag);
        // Its lines name the dataset they go back to: what the catalogue says of it stays.
        let reimported = entry(app.get("/v1/datasets?format=json").await.json());
        assert_eq!((&reimported["basis"], &reimported["reporting"]), (&imported["basis"], &imported["reporting"]));
    }
}

backend_test! {
    async fn partners_are_ranked_with_shares_of_the_total(app: TestApp) {
        let body = app.get("/v1/trade/partners?country=mx&year=2016&flow=import&top=300").await.json();

        let partners = body["data"].as_array().expect("data");
        assert!(partners.len() > 100);
        assert_eq!(partners[0]["partner"]["iso3"], "USA");
        let total: f64 = partners.iter().map(|p| number(&p["trade"]["value_usd"])).sum();
        for partner in partners {
            let share = number(&partner["share"]);
            assert!((share - number(&partner["trade"]["value_usd"]) / total).abs() < 1e-12);
            assert!((number(&partner["total_usd"]) - total).abs() < 1.0);
        }
        let values: Vec<f64> = partners.iter().map(|p| number(&p["trade"]["value_usd"])).collect();
        assert!(values.windows(2).all(|w| w[0] >= w[1]));
        let top = app.get("/v1/trade/partners?country=mx&year=2016&flow=import").await.json();
        assert_eq!(top["data"].as_array().expect("data").len(), 10);
    }
}

backend_test! {
    async fn mirror_statistics_put_both_sides_of_a_flow_side_by_side(app: TestApp) {
        let body = app.get("/v1/trade/mirror?reporter=us&partner=mx&flow=export&from=2016&to=2016").await.json();

        let period = &body["data"][0];
        assert_eq!(period["period"], "2016");
        assert_eq!(period["reported"]["reported_by"], "USA");
        assert_eq!(period["reported"]["dataset_id"], "census");
        assert_eq!(period["mirror"]["reported_by"], Value::Null, "the mirror side comes from comtrade");
        assert!(body["meta"]["warnings"].to_string().contains("not a reporting discrepancy"));
        let (a, b) = (number(&period["reported"]["value_usd"]), number(&period["mirror"]["value_usd"]));
        assert_eq!(number(&period["gap_usd"]), a - b);
        assert!((number(&period["gap_pct"]) - (a - b) / b * 100.0).abs() < 1e-9);
    }
}

backend_test! {
    async fn trade_errors_name_the_parameter(app: TestApp) {
        let cases = [
            ("/v1/trade/flows?limit=0", "limit"),
            ("/v1/trade/flows?limit=10001", "limit"),
            ("/v1/trade/flows?cursor=abc", "cursor"),
            ("/v1/trade/flows?flow=sideways", "flow"),
            ("/v1/trade/flows?reporter=us,m%00x", "reporter"),
            ("/v1/trade/flows?product=a%20b", "product"),
            ("/v1/trade/flows?from=2016-13", "from"),
            ("/v1/trade/balance?country=us", "partner"),
            ("/v1/trade/partners?country=mx&year=1700&flow=import", "year"),
            ("/v1/trade/partners?country=mx&year=2016&flow=import&top=0", "top"),
            ("/v1/trade/mirror?reporter=us&partner=mx", "flow"),
        ];
        for (path, param) in cases {
            let problem = app.get(path).await.problem(400, "invalid-parameter");
            assert_eq!(problem["param"], param, "{path}");
        }
        app.get("/v1/trade/balance?country=us&partner=xx").await.problem(404, "unknown-country");
        let codes: BTreeSet<&str> = ["us", "USA", "840"].into_iter().collect();
        for code in codes {
            let response = app.get(&format!("/v1/trade/flows?reporter={code}&limit=1")).await;
            assert_eq!(response.json()["data"][0]["reporter"], "USA", "{code}");
        }
    }
}

/// The version of `dataset` an answer says it read.
fn version_read(answer: &Value, dataset: &str) -> Option<i64> {
    let meta = &answer["meta"];
    std::iter::once(&meta["dataset"])
        .chain(meta["datasets"].as_array().into_iter().flatten())
        .find(|d| d["id"] == dataset)
        .and_then(|d| d["version"].as_i64())
}

backend_test! {
    async fn a_repeated_answer_is_identical_until_an_import_changes_its_dataset(app: TestApp) {
        let pool = connection(&app);
        let mut conn = pool.manager().connect_to_serve().expect("connection");
        import_fixture(&mut conn, ImportKind::Csv, "trade/flows.csv").expect("import");
        let path = "/v1/trade/flows?source=trade_csv&limit=1";
        let first = app.get(path).await;
        let second = app.get(path).await;
        assert_eq!(first.status, 200);
        assert_eq!(second.body, first.body);
        for name in ["etag", "last-modified", "cache-control", "content-type", "link", "vary"] {
            assert!(first.header(name).is_some(), "{name}");
            assert_eq!(second.header(name), first.header(name), "{name}");
        }
        assert_ne!(second.header("x-request-id"), first.header("x-request-id"));
        assert_eq!(version_read(&second.json(), "trade_csv"), Some(1));

        let exported = app.get("/v1/trade/flows?source=trade_csv&format=csv").await.text();
        import(&mut conn, ImportKind::Csv, "export.csv", exported.as_bytes(), None, None).expect("re-import");
        let after = app.get(path).await;
        assert_ne!(after.header("etag"), first.header("etag"));
        assert_eq!(version_read(&after.json(), "trade_csv"), Some(2));
    }
}

/// Answers read while imports land: each import of dataset `landing` gives every flow the value
/// of the version it makes, so an answer whose rows came from another version than the one it
/// names (a read that met an import and was not read again) shows it. The memo is off, so that
/// every request reads.
async fn answers_read_while_imports_land_name_the_version_of_their_rows(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |config| config.answer_memo_mb = 0).await else {
        return;
    };
    const IMPORTS: i64 = 30;
    let import_version = |conn: &mut DbConnection, version: i64| {
        let csv = format!(
            "reporter,partner,flow,period,classification,product_code,value_usd,source_id\n\
             USA,MEX,import,2023,H6,TOTAL,{version},un_comtrade_api\n\
             USA,MEX,export,2023,H6,TOTAL,{version},un_comtrade_api\n"
        );
        let report = import(
            conn,
            ImportKind::Csv,
            "landing.csv",
            csv.as_bytes(),
            Some("landing"),
            None,
        )
        .expect("import");
        assert_eq!(report.version, version);
    };
    let pool = connection(&app);
    let mut conn = pool.manager().connect_to_serve().expect("connection");
    import_version(&mut conn, 1);
    let importer = std::thread::spawn(move || {
        for version in 2..=IMPORTS {
            import_version(&mut conn, version);
        }
    });
    let path = "/v1/trade/flows?source=landing";
    let mut versions_seen = BTreeSet::new();
    while !importer.is_finished() {
        let answer = app.get(path).await;
        assert_eq!(answer.status, 200, "{}", answer.text());
        let body = answer.json();
        let version = version_read(&body, "landing").expect("the version read");
        let values: Vec<f64> = body["data"]
            .as_array()
            .expect("data")
            .iter()
            .map(|row| number(&row["value_usd"]))
            .collect();
        assert_eq!(values, [version as f64; 2], "rows of the version named");
        versions_seen.insert(version);
    }
    importer.join().expect("every import landed");
    assert!(
        versions_seen.len() > 2,
        "reads met the imports: {versions_seen:?}"
    );
}

#[actix_web::test]
async fn answers_read_while_imports_land_name_the_version_of_their_rows_sqlite() {
    answers_read_while_imports_land_name_the_version_of_their_rows(Backend::Sqlite).await;
}

#[actix_web::test]
async fn answers_read_while_imports_land_name_the_version_of_their_rows_postgres() {
    answers_read_while_imports_land_name_the_version_of_their_rows(Backend::Postgres).await;
}

/// An export whose client does not read hands its connection back once the rows are read: with
/// a pool of one connection, another request is still answered while the export waits for its
/// reader, and the reader then gets every row.
async fn a_client_that_does_not_read_its_export_holds_no_connection(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |config| {
        config.db_pool_size = Some(1);
        config.db_timeout_secs = 10;
    })
    .await
    else {
        return;
    };
    // Every stored flow: 5.5 MB of NDJSON, more than the stalled client's socket, the server's send
    // buffer (at most 4 MB with Linux's default `tcp_wmem`) and the chunks kept in memory take, so
    // an export that waited for its reader would still be holding the only connection.
    let path = "/v1/trade/flows?format=ndjson";
    let stalled = app.get_stalled(path).await;
    assert_eq!(stalled.status, 200);
    // Give the export time to take the connection before asking for another one.
    actix_web::rt::time::sleep(std::time::Duration::from_millis(300)).await;

    let meanwhile = app.get("/v1/countries/mx").await;
    assert_eq!(
        meanwhile.status, 200,
        "the export left no connection for other requests"
    );

    let slow = stalled.read_body().await;
    let prompt = app.get(path).await;
    assert!(
        slow == prompt.body,
        "the slowly read export is the same as a prompt one"
    );
    let datasets = app.get("/v1/datasets").await.json();
    let stored: i64 = datasets["data"]
        .as_array()
        .expect("datasets")
        .iter()
        .filter(|d| d["family"] == "trade")
        .map(|d| d["row_count"].as_i64().expect("row count"))
        .sum();
    assert_eq!(prompt.text().lines().count() as i64, stored, "every row");
}

#[actix_web::test]
async fn a_client_that_does_not_read_its_export_holds_no_connection_sqlite() {
    a_client_that_does_not_read_its_export_holds_no_connection(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_client_that_does_not_read_its_export_holds_no_connection_postgres() {
    a_client_that_does_not_read_its_export_holds_no_connection(Backend::Postgres).await;
}

backend_test! {
    async fn every_dataset_and_source_states_its_basis(app: TestApp) {
        let datasets = app.get("/v1/datasets").await.json();
        for dataset in datasets["data"].as_array().expect("datasets") {
            assert!(dataset["basis"].as_str().is_some_and(|b| b.len() > 20), "{dataset}");
        }
        let by_id = |id: &str| datasets["data"].as_array().expect("datasets").iter().find(|d| d["id"] == id).cloned().expect(id);
        assert_eq!(by_id("census")["reporting"], "reporter");
        assert!(by_id("census")["basis"].as_str().expect("basis").contains("general imports"));
        assert_eq!(by_id("comtrade")["reporting"], "unknown");
        assert_eq!(by_id("wages")["reporting"], "not_applicable");

        let sources = app.get("/v1/sources").await.json();
        for source in sources["data"].as_array().expect("sources") {
            assert!(source["basis"].as_str().is_some_and(|b| !b.is_empty()), "{source}");
        }
        let flows = app.get("/v1/trade/flows?source=comtrade&reporter=us&limit=5").await.json();
        assert!(flows["meta"]["warnings"].to_string().contains("reporting is unknown or mixed"));
    }
}

backend_test! {
    async fn quarterly_flows_sum_the_months_and_page_like_stored_rows(app: TestApp) {
        let path = "/v1/trade/flows?reporter=us&partner=mx&source=census&frequency=Q&from=2025&to=2025";
        let quarters = app.get(path).await.json();
        let rows = quarters["data"].as_array().expect("rows");
        assert_eq!(rows.len(), 8, "four quarters of exports and of imports");
        assert!(rows.iter().all(|r| r["frequency"] == "quarterly" && r["period"].as_str().expect("period").contains("-Q")));

        let balance = app.get("/v1/trade/balance?country=us&partner=mx&frequency=Q&from=2025&to=2025").await.json();
        for period in balance["data"].as_array().expect("quarters") {
            let exports = rows
                .iter()
                .find(|r| r["period"] == period["period"] && r["flow"] == "export")
                .expect("export row");
            assert_eq!(exports["value_usd"], period["exports"]["value_usd"]);
        }

        let paged = page_through(&app, &format!("{path}&limit=3")).await;
        assert_eq!(paged, *rows, "pages of 3 hold the same rows in the same order");
    }
}

backend_test! {
    /// `meta.dataset` names the dataset the rows come from, not the first trade dataset loaded.
    async fn trade_answers_name_the_dataset_of_their_rows(app: TestApp) {
        for target in [
            "/v1/trade/flows?source=census&reporter=usa&partner=mex&from=2019&to=2019",
            "/v1/trade/flows?source=census&reporter=usa&partner=mex&from=2019&to=2019&frequency=Q",
        ] {
            let body = app.get(target).await.json();
            assert_eq!(body["meta"]["dataset"]["id"], "census", "{target}: {}", body["meta"]);
        }
        let mirror = app.get("/v1/trade/mirror?reporter=us&partner=mx&flow=import&from=2015&to=2019").await.json();
        let mut in_rows: Vec<&str> = mirror["data"]
            .as_array()
            .expect("data")
            .iter()
            .flat_map(|p| [&p["reported"]["dataset_id"], &p["mirror"]["dataset_id"]])
            .filter_map(|d| d.as_str())
            .collect();
        in_rows.sort_unstable();
        in_rows.dedup();
        let named: Vec<&str> = match mirror["meta"]["datasets"].as_array() {
            Some(several) => several.iter().filter_map(|d| d["id"].as_str()).collect(),
            None => mirror["meta"]["dataset"]["id"].as_str().into_iter().collect(),
        };
        assert_eq!(named, in_rows, "the mirror's meta names the datasets of its rows");
    }
}
