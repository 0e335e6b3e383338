//! The official-figures suite: every row of `data/checks/official_figures_*.csv` is a figure read
//! in its publisher's own table or release (cited in the row), the request whose answer must hold
//! it, where in the answer, and the tolerance of the publisher's rounding. Each is checked against
//! the service on both backends; a failure lists every figure that disagrees.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::backend_test;
use crate::helpers::TestApp;

#[derive(Debug, Deserialize)]
struct Check {
    id: String,
    class: String,
    request: String,
    pointer: String,
    expected: String,
    tolerance: String,
    publisher: String,
    url: String,
}

fn checks() -> Vec<Check> {
    let dir = format!("{}/data/checks", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("data/checks")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("official_figures") && n.ends_with(".csv"))
        })
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|path| {
            csv::Reader::from_path(path)
                .expect("readable check file")
                .into_deserialize::<Check>()
                .map(|row| row.unwrap_or_else(|e| panic!("{}: {e}", path.display())))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// One step of a pointer: a key, then optionally `[field=value]` picking the one array element
/// whose field has that value.
fn steps(pointer: &str) -> Vec<(String, Option<(String, String)>)> {
    let mut steps = Vec::new();
    let mut rest = pointer;
    while !rest.is_empty() {
        let end = rest
            .char_indices()
            .scan(false, |in_brackets, (i, c)| {
                match c {
                    '[' => *in_brackets = true,
                    ']' => *in_brackets = false,
                    _ => {}
                }
                Some((i, c, *in_brackets))
            })
            .find(|(_, c, in_brackets)| *c == '.' && !in_brackets)
            .map_or(rest.len(), |(i, ..)| i);
        let step = &rest[..end];
        rest = rest.get(end + 1..).unwrap_or("");
        match step.split_once('[') {
            Some((key, filter)) => {
                let (field, value) = filter
                    .trim_end_matches(']')
                    .split_once('=')
                    .unwrap_or_else(|| panic!("bad filter in pointer {pointer}"));
                steps.push((key.to_owned(), Some((field.to_owned(), value.to_owned()))));
            }
            None => steps.push((step.to_owned(), None)),
        }
    }
    steps
}

/// The value a pointer names, or why there is none.
fn resolve<'a>(body: &'a Value, pointer: &str) -> Result<&'a Value, String> {
    let mut value = body;
    for (key, filter) in steps(pointer) {
        value = value.get(&key).ok_or_else(|| format!("no key '{key}'"))?;
        if let Some((field, wanted)) = filter {
            let items = value
                .as_array()
                .ok_or_else(|| format!("'{key}' is not a list"))?;
            let matching: Vec<&Value> = items
                .iter()
                .filter(|item| match &item[&field] {
                    Value::String(s) => *s == wanted,
                    Value::Number(n) => n.to_string() == wanted,
                    _ => false,
                })
                .collect();
            value = match matching.as_slice() {
                [one] => one,
                [] => return Err(format!("no element of '{key}' has {field}={wanted}")),
                _ => return Err(format!("several elements of '{key}' have {field}={wanted}")),
            };
        }
    }
    Ok(value)
}

/// Whether the answer agrees with the official figure, or how it differs.
fn compare(check: &Check, found: &Value) -> Result<(), String> {
    match check.expected.parse::<f64>() {
        Ok(expected) => {
            let tolerance: f64 = check.tolerance.parse().unwrap_or(0.0);
            let value = found
                .as_f64()
                .ok_or_else(|| format!("expected {expected}, found {found}"))?;
            if (value - expected).abs() <= tolerance + expected.abs() * 1e-12 {
                Ok(())
            } else {
                Err(format!(
                    "expected {expected} ± {tolerance}, found {value} (off by {:+})",
                    value - expected
                ))
            }
        }
        Err(_) => match found.as_str() {
            Some(text) if text == check.expected => Ok(()),
            _ => Err(format!("expected \"{}\", found {found}", check.expected)),
        },
    }
}

#[test]
fn the_suite_covers_every_family_with_enough_cited_figures() {
    let checks = checks();
    assert!(checks.len() >= 150, "{} official figures", checks.len());
    let mut by_class: BTreeMap<&str, usize> = BTreeMap::new();
    for check in &checks {
        *by_class.entry(check.class.as_str()).or_default() += 1;
        assert!(
            !check.publisher.is_empty() && check.url.starts_with("http"),
            "{}: every figure names its publisher and where it was read",
            check.id
        );
    }
    for class in [
        "trade_census",
        "us_federal_minimum_wage",
        "us_state_minimum_wage",
        "mx_minimum_wage",
        "ca_minimum_wage",
        "fx",
        "prices",
        "average_wages",
        "treaties",
    ] {
        assert!(by_class.contains_key(class), "no figures of class {class}");
    }
    let mut ids: Vec<&str> = checks.iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), checks.len(), "check ids are unique");
}

backend_test! {
    async fn served_figures_match_the_publishers_tables(app: TestApp) {
        let checks = checks();
        let mut answers: BTreeMap<&str, Result<Value, String>> = BTreeMap::new();
        for check in &checks {
            if answers.contains_key(check.request.as_str()) {
                continue;
            }
            let response = app.get(&check.request).await;
            let answer = if response.status == 200 {
                Ok(response.json())
            } else {
                Err(format!("HTTP {}: {}", response.status, response.text()))
            };
            answers.insert(check.request.as_str(), answer);
        }
        let failures: Vec<String> = checks
            .iter()
            .filter_map(|check| {
                let outcome = answers[check.request.as_str()]
                    .as_ref()
                    .map_err(Clone::clone)
                    .and_then(|body| resolve(body, &check.pointer))
                    .and_then(|found| compare(check, found));
                outcome.err().map(|why| format!("{} [{}] {} {}: {why}", check.id, check.class, check.request, check.pointer))
            })
            .collect();
        assert!(
            failures.is_empty(),
            "{} of {} official figures disagree:\n{}",
            failures.len(),
            checks.len(),
            failures.join("\n")
        );
    }
}
