//! The flat representations as a data team reads them: CSV, NDJSON and Parquet with the same
//! columns, each value of its column's declared type, described by a data package that every
//! flat answer links to.

use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;

use crate::backend_test;
use crate::helpers::{TestApp, example_requests};

/// The Table Schema type of a Parquet column's Arrow type.
fn table_schema_type(data_type: &arrow_schema::DataType) -> &'static str {
    use arrow_schema::DataType;
    match data_type {
        DataType::Float64 => "number",
        DataType::Int64 => "integer",
        DataType::Boolean => "boolean",
        DataType::Date32 => "date",
        _ => "string",
    }
}

/// Whether a CSV field holds a value of the Table Schema type `kind` (empty means missing).
fn is_of_type(field: &str, kind: &str) -> bool {
    field.is_empty()
        || match kind {
            "number" => field.parse::<f64>().is_ok(),
            "integer" => field.parse::<i64>().is_ok(),
            "boolean" => field == "true" || field == "false",
            "date" => chrono::NaiveDate::parse_from_str(field, "%Y-%m-%d").is_ok(),
            _ => true,
        }
}

/// Whether an NDJSON value is of the Table Schema type `kind` (null means missing).
fn is_json_of_type(value: &Value, kind: &str) -> bool {
    value.is_null()
        || match kind {
            "number" => value.is_number(),
            "integer" => value.is_i64() || value.is_u64(),
            "boolean" => value.is_boolean(),
            _ => value.is_string(),
        }
}

backend_test! {
    /// For every operation with rows, run with the document's own examples: the data package
    /// names the CSV header's columns in order, every CSV field and NDJSON value is of its
    /// column's type, and both flat answers link the package as `describedby`.
    async fn every_flat_export_is_described_by_its_data_package(app: TestApp) {
        let spec = serde_json::to_value(trilateral::openapi::spec()).expect("spec as JSON");
        let mut described = 0;
        for (path, query, operation) in example_requests(&spec) {
            let media_types = operation["responses"]["200"]["content"].as_object().expect("content");
            if !media_types.contains_key("application/vnd.datapackage+json") {
                continue;
            }
            let target = |format: &str| {
                let mut asked = query.clone();
                asked.push(format!("format={format}"));
                format!("{path}?{}", asked.join("&"))
            };
            let package = app.get(&target("datapackage")).await;
            assert_eq!(package.status, 200, "{path}: {}", package.text());
            assert_eq!(package.header("content-type"), Some("application/vnd.datapackage+json"));
            let package = package.json();
            let schema = &package["resources"][0]["schema"];
            let fields: Vec<(&str, &str)> = schema["fields"]
                .as_array()
                .expect("fields")
                .iter()
                .map(|f| (f["name"].as_str().expect("name"), f["type"].as_str().expect("type")))
                .collect();
            assert_eq!(package["resources"][1]["schema"], *schema, "{path}: one schema for both");
            let answer = app.get(&target("json")).await.json();
            let mut licences: Vec<&str> = answer["meta"]["sources"]
                .as_array()
                .expect("sources")
                .iter()
                .filter_map(|s| s["licence"].as_str())
                .collect();
            licences.sort_unstable();
            licences.dedup();
            let packaged: Vec<&str> = package["licenses"]
                .as_array()
                .expect("licenses")
                .iter()
                .filter_map(|l| l["title"].as_str())
                .collect();
            // A JSON page of flows names the sources of its rows; the package describes the
            // whole export, so it names at least those.
            assert!(
                licences.iter().all(|l| packaged.contains(l)) && (packaged.is_empty() == licences.is_empty()),
                "{path}: the licences of the answer's sources {licences:?}, packaged {packaged:?}"
            );

            let csv = app.get(&target("csv")).await;
            assert_eq!(csv.status, 200, "{path}");
            let describedby = format!("<{}>; rel=\"describedby\"", target("datapackage"));
            assert!(csv.headers.get_all("link").any(|l| l.to_str().ok() == Some(describedby.as_str())), "{path}: {:?}", csv.headers);
            let mut reader = csv::Reader::from_reader(csv.body.as_slice());
            let header: Vec<String> = reader.headers().expect("a header").iter().map(str::to_owned).collect();
            assert_eq!(header, fields.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>(), "{path}");
            for record in reader.records() {
                let record = record.unwrap_or_else(|e| panic!("{path}: {e}"));
                for (field, (name, kind)) in record.iter().zip(&fields) {
                    assert!(is_of_type(field, kind), "{path}: {name} = {field:?} is no {kind}");
                }
            }

            let ndjson = app.get(&target("ndjson")).await;
            assert!(ndjson.headers.get_all("link").any(|l| l.to_str().ok() == Some(describedby.as_str())), "{path}");
            for line in ndjson.text().lines() {
                let row: serde_json::Map<String, Value> = serde_json::from_str(line).expect("a JSON object");
                let keys: Vec<&str> = row.keys().map(String::as_str).collect();
                let mut names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
                names.sort_unstable();
                assert_eq!(keys, names, "{path}");
                for (name, kind) in &fields {
                    assert!(is_json_of_type(&row[*name], kind), "{path}: {name} = {} is no {kind}", row[*name]);
                }
            }
            let parquet = app.get(&target("parquet")).await;
            assert_eq!(parquet.status, 200, "{path}: {}", String::from_utf8_lossy(&parquet.body));
            assert_eq!(parquet.header("content-type"), Some("application/vnd.apache.parquet"));
            let reader = ParquetRecordBatchReaderBuilder::try_new(actix_web::web::Bytes::from(parquet.body.clone()))
                .unwrap_or_else(|e| panic!("{path}: not Parquet: {e}"));
            let columns: Vec<(String, String)> = reader
                .schema()
                .fields()
                .iter()
                .map(|f| (f.name().clone(), table_schema_type(f.data_type()).to_owned()))
                .collect();
            let declared: Vec<(String, String)> = fields.iter().map(|(n, k)| (n.to_string(), k.to_string())).collect();
            assert_eq!(columns, declared, "{path}: Parquet columns typed as the package says");
            let rows: usize = reader.build().expect("a reader").map(|b| b.expect("a batch").num_rows()).sum();
            assert_eq!(rows, ndjson.text().lines().count(), "{path}: as many rows as NDJSON");
            described += 1;
        }
        assert!(described >= 15, "{described} exports described");
    }
}

backend_test! {
    /// A wage CSV says what its numbers are: the unit in a column and in the data package.
    async fn a_wage_export_names_its_unit(app: TestApp) {
        let target = "/v1/wages/mx/series/mx.minimum_wage.general?from=2019&to=2019";
        let csv = app.get(&format!("{target}&format=csv")).await.text();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let unit = reader.headers().expect("header").iter().position(|h| h == "unit").expect("a unit column");
        let record = reader.records().next().expect("a row").expect("a record");
        assert_eq!(&record[unit], "MXN per day");

        let converted = app.get(&format!("{target}&frequency=M&currency=USD&per=hour&format=datapackage")).await.json();
        let fields = converted["resources"][0]["schema"]["fields"].as_array().expect("fields");
        let value = fields.iter().find(|f| f["name"] == "value").expect("a value field");
        assert_eq!(value["unit"], "USD per hour");
        assert_eq!(value["type"], "number");
        assert!(value["description"].is_string(), "{value}");
        assert_eq!(converted["resources"][0]["schema"]["missingValues"], serde_json::json!([""]));
    }
}

backend_test! {
    async fn an_answer_without_rows_still_names_its_columns(app: TestApp) {
        let csv = app.get("/v1/trade/balance?country=us&partner=mx&from=1900&to=1900&format=csv").await;
        assert_eq!(csv.status, 200, "{}", csv.text());
        assert!(csv.text().starts_with("period,exports_usd,"), "{}", csv.text());
        let topics = app.get("/v1/topics?format=csv").await.text();
        assert!(topics.starts_with("slug,label,definition\n"), "{topics}");
    }
}
