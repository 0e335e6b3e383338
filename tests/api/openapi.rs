//! The committed `openapi/openapi.json` is the contract: it must equal what the code generates.

const COMMITTED: &str = "openapi/openapi.json";

#[test]
fn committed_openapi_matches_the_generated_document() {
    let generated = trilateral::openapi::spec()
        .to_pretty_json()
        .expect("spec renders")
        + "\n";
    let path = format!("{}/{COMMITTED}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(format!("{}/openapi", env!("CARGO_MANIFEST_DIR")))
            .expect("openapi dir");
        std::fs::write(&path, &generated).expect("write openapi.json");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{COMMITTED} differs from the generated document; run `UPDATE_OPENAPI=1 cargo test` and review the diff"
    );
}

/// Every operation is documented well enough to use from Swagger UI alone, and runs there as it
/// stands.
#[test]
fn every_operation_has_a_summary_description_examples_and_error_responses() {
    let spec = serde_json::to_value(trilateral::openapi::spec()).expect("spec as JSON");
    let paths = spec["paths"].as_object().expect("paths");
    assert!(paths.len() >= 6);
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("path item") {
            let name = format!("{method} {path}");
            for field in ["summary", "description", "operationId"] {
                let text = operation[field].as_str().unwrap_or_default();
                assert!(!text.trim().is_empty(), "{name} has no {field}");
            }
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                // Swagger UI fills examples into its form: a required parameter needs one for
                // the operation to run as it stands; an optional filter must not narrow it.
                let has_example = parameter.get("example").is_some()
                    || parameter["schema"].get("example").is_some();
                assert_eq!(
                    has_example,
                    parameter["required"] == true,
                    "{name}: parameter {} has an example exactly when it is required",
                    parameter["name"]
                );
                assert!(
                    parameter["description"].is_string(),
                    "{name}: parameter {} undescribed",
                    parameter["name"]
                );
            }
            let responses = operation["responses"].as_object().expect("responses");
            // The liveness probe answers 200 whenever the process can answer at all.
            let has_error = responses
                .keys()
                .any(|code| code.starts_with('4') || code.starts_with('5'));
            assert!(
                has_error || path == "/healthz",
                "{name} documents no error response"
            );
            assert!(responses.contains_key("200"), "{name} documents no 200");
        }
    }
    let description = spec["info"]["description"].as_str().expect("description");
    for slug in [
        "unknown-country",
        "invalid-parameter",
        "database-unavailable",
    ] {
        assert!(
            description.contains(&format!("/problems/{slug}")),
            "{slug} not listed"
        );
    }
}

/// Collects every `$ref` in a JSON document.
fn references(value: &serde_json::Value, found: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                match (key.as_str(), item) {
                    ("$ref", serde_json::Value::String(target)) => found.push(target.clone()),
                    _ => references(item, found),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| references(i, found)),
        _ => {}
    }
}

/// A dangling `$ref` breaks Swagger UI and client generators.
#[test]
fn every_reference_resolves() {
    let spec = serde_json::to_value(trilateral::openapi::spec()).expect("spec as JSON");
    let mut found = Vec::new();
    references(&spec, &mut found);
    assert!(!found.is_empty());
    for target in found {
        let pointer = target.strip_prefix('#').expect("local reference");
        assert!(spec.pointer(pointer).is_some(), "{target} does not resolve");
    }
}

/// Clients generated from the spec name their models after the domain (`SeriesSummary`), not after
/// the envelope that carries them: every envelope's `data` points at the item's own schema.
#[test]
fn envelopes_reference_their_item_schemas() {
    let spec = serde_json::to_value(trilateral::openapi::spec()).expect("spec as JSON");
    let schemas = spec["components"]["schemas"].as_object().expect("schemas");
    let envelopes: Vec<&String> = schemas
        .keys()
        .filter(|n| n.starts_with("Envelope_"))
        .collect();
    assert!(envelopes.len() >= 10, "{envelopes:?}");
    for name in envelopes {
        let data = &schemas[name]["properties"]["data"];
        let reference = data["$ref"]
            .as_str()
            .or_else(|| data["items"]["$ref"].as_str())
            .unwrap_or_else(|| panic!("{name}: data is not a reference: {data}"));
        let item = reference.trim_start_matches("#/components/schemas/");
        assert!(
            schemas.contains_key(item),
            "{name} refers to a missing {item}"
        );
    }
    let text = spec.to_string();
    assert_eq!(
        text.matches("\"ndjson\"").count(),
        3,
        "one Format enum and one ChartedFormat, referenced, and the downloads' csv or ndjson"
    );
}

crate::backend_test! {
    /// A value the document offers for `frequency` is one the operation takes, and one it
    /// refuses is not offered.
    async fn the_frequencies_offered_are_the_ones_taken(app: crate::helpers::TestApp) {
        let spec = serde_json::to_value(trilateral::openapi::spec()).expect("spec as JSON");
        for (path, query) in [
            ("/v1/trade/flows", "reporter=usa&partner=mex&from=2020&to=2020"),
            ("/v1/trade/balance", "country=us&partner=mx&from=2020&to=2020"),
            ("/v1/wages/mx/series/mx.minimum_wage.general", "from=2020&to=2020"),
        ] {
            let spec_path = path.replace("mx/series/mx.minimum_wage.general", "{country}/series/{series}");
            let parameters = spec["paths"][&spec_path]["get"]["parameters"]
                .as_array()
                .unwrap_or_else(|| panic!("{spec_path} has parameters"));
            let frequency = parameters
                .iter()
                .find(|p| p["name"] == "frequency")
                .unwrap_or_else(|| panic!("{spec_path} takes a frequency"));
            let schema = match frequency["schema"].get("$ref").and_then(|r| r.as_str()) {
                Some(reference) => &spec["components"]["schemas"][reference.rsplit('/').next().unwrap_or_default()],
                None => &frequency["schema"],
            };
            let offered: Vec<&str> = schema["enum"]
                .as_array()
                .expect("an enum")
                .iter()
                .filter_map(|v| v.as_str())
                .collect();
            for code in ["A", "Q", "M", "D"] {
                let status = app.get(&format!("{path}?{query}&frequency={code}")).await.status.as_u16();
                let expected = if offered.contains(&code) { 200 } else { 400 };
                assert_eq!(status, expected, "{path} frequency={code}: offered {offered:?}, answered {status}");
            }
        }
    }
}

crate::backend_test! {
    /// Each representation the document lists for an operation is one it answers in, and an
    /// operation that lists JSON alone refuses CSV: run with the document's own examples.
    async fn the_representations_offered_are_the_ones_served(app: crate::helpers::TestApp) {
        let spec = serde_json::to_value(trilateral::openapi::spec()).expect("spec as JSON");
        for (target, query, operation) in crate::helpers::example_requests(&spec) {
            let offered = operation["responses"]["200"]["content"]
                .as_object()
                .expect("a 200 answer with content");
            let representations = [
                ("csv", "text/csv"),
                ("ndjson", "application/x-ndjson"),
                ("parquet", "application/vnd.apache.parquet"),
                ("svg", "image/svg+xml"),
                ("datapackage", "application/vnd.datapackage+json"),
            ];
            for (format, media_type) in representations {
                let mut asked = query.clone();
                asked.push(format!("format={format}"));
                let url = format!("{target}?{}", asked.join("&"));
                let answer = app.get(&url).await;
                if offered.contains_key(media_type) {
                    assert_eq!(answer.status.as_u16(), 200, "{url}: {}", answer.text());
                    let served = answer.header("content-type").unwrap_or_default();
                    assert!(served.starts_with(media_type), "{url}: served {served}");
                    if format == "svg" {
                        assert!(answer.text().starts_with("<svg"), "{url}: not an SVG");
                    }
                } else {
                    answer.problem(400, "invalid-parameter");
                }
            }
        }
    }
}
