use std::collections::BTreeSet;

use crate::backend_test;
use crate::helpers::TestApp;

/// Every country code in the bundled data files.
fn codes_in_bundled_data() -> BTreeSet<String> {
    let manifest = env!("CARGO_MANIFEST_DIR");
    let mut codes = BTreeSet::new();
    for (file, columns) in [
        (
            "data/trade/bilateral_goods_exports_comtrade_4yearly.csv",
            &["exporter", "importer"][..],
        ),
        (
            "data/trade/manufacturing_trade_agtpa_1986_2006.csv",
            &["exporter", "importer"][..],
        ),
        (
            "data/trade/census_basis/us_census_goods_trade_can_mex_annual_1985_2025.csv",
            &["partner_iso3"][..],
        ),
        (
            "data/wages/oecd_average_annual_wages.csv",
            &["country_iso3"][..],
        ),
    ] {
        let mut reader = csv::Reader::from_path(format!("{manifest}/{file}")).expect(file);
        let headers = reader.headers().expect("header").clone();
        let indexes: Vec<usize> = columns
            .iter()
            .map(|c| headers.iter().position(|h| h == *c).expect("column"))
            .collect();
        for record in reader.records() {
            let record = record.expect("row");
            codes.extend(indexes.iter().map(|i| record[*i].to_owned()));
        }
    }
    codes
}

backend_test! {
    async fn list_has_north_america_and_every_partner_in_the_data(app: TestApp) {
        let response = app.get("/v1/countries").await;

        assert_eq!(response.status, 200);
        let body = response.json();
        let listed: BTreeSet<String> = body["data"]
            .as_array()
            .expect("data array")
            .iter()
            .map(|c| c["code"].as_str().expect("code").to_owned())
            .collect();
        let missing: Vec<_> = codes_in_bundled_data().difference(&listed).cloned().collect();
        assert!(missing.is_empty(), "codes in the data but not listed: {missing:?}");
        for code in ["CAN", "MEX", "USA"] {
            assert!(listed.contains(code));
        }
        assert_eq!(body["meta"]["count"], listed.len());
        assert_eq!(body["meta"]["dataset"]["id"], "countries");
    }
}

backend_test! {
    async fn any_code_form_in_any_case_finds_mexico(app: TestApp) {
        for code in ["MEX", "mex", "mx", "MX", "484", "mEx"] {
            let response = app.get(&format!("/v1/countries/{code}")).await;

            assert_eq!(response.status, 200, "code {code}");
            let country = &response.json()["data"];
            assert_eq!(country["name"], "Mexico");
            assert_eq!(country["iso2"], "MX");
            assert_eq!(country["iso3"], "MEX");
            assert_eq!(country["numeric"], "484");
            assert_eq!(country["currency"]["code"], "MXN");
        }
    }
}

backend_test! {
    async fn canada_and_the_united_states_have_their_currencies(app: TestApp) {
        for (code, currency) in [("ca", "CAD"), ("840", "USD")] {
            let country = app.get(&format!("/v1/countries/{code}")).await.json();
            assert_eq!(country["data"]["currency"]["code"], currency);
        }
    }
}

backend_test! {
    async fn former_and_source_specific_codes_say_what_they_are(app: TestApp) {
        let yugoslavia = app.get("/v1/countries/yug").await.json();
        assert_eq!(yugoslavia["data"]["kind"], "iso3166_3_former");
        assert_eq!(yugoslavia["data"]["iso2"], serde_json::Value::Null);
        assert_eq!(yugoslavia["data"]["former"]["alpha2"], "YU");

        let czechoslovakia = app.get("/v1/countries/CSK").await.json();
        assert_eq!(czechoslovakia["data"]["former"]["successors"], serde_json::json!(["CZE", "SVK"]));

        let belgium_luxembourg = app.get("/v1/countries/blx").await.json();
        assert_eq!(belgium_luxembourg["data"]["kind"], "source_specific");
        assert_eq!(belgium_luxembourg["data"]["name"], "Belgium-Luxembourg");
        assert_eq!(belgium_luxembourg["data"]["iso_counterparts"], serde_json::json!(["BEL", "LUX"]));
        assert_eq!(
            belgium_luxembourg["meta"]["sources"][0]["id"],
            "trilateral_source_specific_codes"
        );

        let kn1 = app.get("/v1/countries/KN1").await;
        assert_eq!(kn1.status, 200);
    }
}

backend_test! {
    async fn kind_filter_lists_only_that_kind(app: TestApp) {
        let body = app.get("/v1/countries?kind=source_specific").await.json();
        let data = body["data"].as_array().expect("data");
        assert!(!data.is_empty());
        assert!(data.iter().all(|c| c["kind"] == "source_specific"));
    }
}

backend_test! {
    async fn unknown_code_is_a_404_that_points_to_the_list(app: TestApp) {
        let response = app.get("/v1/countries/XX").await;

        let problem = response.problem(404, "unknown-country");
        assert_eq!(problem["param"], "code");
        assert_eq!(problem["help"], "/v1/countries");
        assert_eq!(problem["instance"], "/v1/countries/XX");
        assert!(problem["detail"].as_str().expect("detail").contains("XX"));
    }
}

backend_test! {
    async fn malformed_codes_are_the_same_400_on_every_backend(app: TestApp) {
        // Long, but within the 8 KiB a request target may have (beyond it the answer is a 414).
        let long = "A".repeat(4 * 1024);
        let cases = [
            "a%00b".to_owned(),
            "m%0Ax".to_owned(),
            "%1B%5B31m".to_owned(),
            long,
            "M-X".to_owned(),
            "%C3%A9".to_owned(),
            "%FF".to_owned(),
            "1AB".to_owned(),
        ];
        for code in cases {
            let response = app.get(&format!("/v1/countries/{code}")).await;
            let problem = response.problem(400, "invalid-parameter");
            assert_eq!(problem["param"], "code", "{code}");
            assert!(problem["detail"].as_str().expect("detail").contains("alpha-2"));
        }
    }
}

backend_test! {
    async fn csv_and_ndjson_carry_the_same_rows(app: TestApp) {
        let json = app.get("/v1/countries?kind=iso3166_1").await.json();
        let count = json["data"].as_array().expect("data").len();

        let csv = app.get("/v1/countries?kind=iso3166_1&format=csv").await;
        assert_eq!(csv.status, 200);
        assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
        let text = csv.text();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("code,iso2,iso3,numeric,name,kind,currency,currencies,related_codes,note,source_id")
        );
        assert_eq!(lines.count(), count);
        assert!(text.contains("\nMEX,MX,MEX,484,Mexico,iso3166_1,MXN,MXN,,,iso3166_via_rust_iso3166\n"));

        let ndjson = app
            .get_with("/v1/countries?kind=iso3166_1", &[("Accept", "application/x-ndjson")])
            .await;
        assert_eq!(ndjson.header("content-type"), Some("application/x-ndjson"));
        let rows: Vec<serde_json::Value> = ndjson
            .text()
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON line"))
            .collect();
        assert_eq!(rows.len(), count);
        // The same columns as the CSV, typed: the first CSV line and the first object agree.
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header = reader.headers().expect("header").clone();
        let first = reader.records().next().expect("a row").expect("a record");
        let row = rows[0].as_object().expect("an object");
        assert_eq!(row.len(), header.len());
        for (name, field) in header.iter().zip(first.iter()) {
            let value = match &row[name] {
                serde_json::Value::String(text) => text.clone(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            assert_eq!(value, field, "{name}");
        }
    }
}

backend_test! {
    async fn an_unsupported_accept_header_is_406(app: TestApp) {
        let response = app.get_with("/v1/countries", &[("Accept", "application/xml")]).await;
        let problem = response.problem(406, "not-acceptable");
        assert!(problem["allowed"].as_array().expect("allowed").contains(&"text/csv".into()));
    }
}

backend_test! {
    async fn a_current_etag_gets_304_and_another_format_another_etag(app: TestApp) {
        let first = app.get("/v1/countries/mx").await;
        let etag = first.header("etag").expect("etag").to_owned();
        assert!(first.header("last-modified").is_some());
        assert_eq!(first.header("cache-control"), Some("public, max-age=300"));

        let again = app.get_with("/v1/countries/mx", &[("If-None-Match", &etag)]).await;
        assert_eq!(again.status, 304);
        assert!(again.body.is_empty());

        let csv = app.get("/v1/countries/mx?format=csv").await;
        assert_ne!(csv.header("etag"), Some(etag.as_str()));
    }
}
