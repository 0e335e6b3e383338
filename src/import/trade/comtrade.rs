//! `trilateral import comtrade`: the JSON of UN Comtrade's data API v1 (`data/v1/get` and the public
//! preview): `{"elapsedTime", "count", "data": [...], "error"}` with one object per flow.
//!
//! Reporter and partner come from `reporterISO`/`partnerISO` when present, else from the M49
//! `reporterCode`/`partnerCode` (842 is the United States, not ISO's 840). `flowCode` X is an export
//! and M an import; other flows (re-exports, re-imports, processing) are refused. `period` is a
//! year or `YYYYMM`; the value is `primaryValue` in US dollars (CIF for imports where reported,
//! otherwise FOB). Rows whose partner is World (code 0) are totals and are skipped and counted.

use std::io::Read;

use serde::Deserialize;

use super::{Flow, Parsed};
use crate::domain::period::Period;
use crate::domain::trade::FlowDirection;
use crate::import::ImportError;

/// M49 codes that differ from the ISO 3166-1 numeric code of the same country.
const M49_DIFFERENCES: [(i64, &str); 1] = [(842, "USA")];

#[derive(Debug, Deserialize)]
struct Response {
    data: Vec<Record>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    reporter_code: i64,
    #[serde(rename = "reporterISO", default)]
    reporter_iso: Option<String>,
    partner_code: i64,
    #[serde(rename = "partnerISO", default)]
    partner_iso: Option<String>,
    flow_code: String,
    period: serde_json::Value,
    classification_code: String,
    cmd_code: String,
    primary_value: Option<f64>,
}

/// A country as the importer can look it up: an alpha-3 code, or a numeric code for the batch to
/// resolve.
fn country(iso: Option<&str>, code: i64) -> String {
    if let Some(iso) =
        iso.filter(|iso| iso.len() == 3 && iso.bytes().all(|b| b.is_ascii_uppercase()))
    {
        return iso.to_owned();
    }
    match M49_DIFFERENCES.iter().find(|(m49, _)| *m49 == code) {
        Some((_, iso3)) => (*iso3).to_owned(),
        None => format!("{code:03}"),
    }
}

pub fn read(file: &str, input: impl Read, source_id: &str) -> Result<Parsed, ImportError> {
    let response: Response = serde_json::from_reader(input).map_err(|e| ImportError::File {
        file: file.to_owned(),
        reason: format!("not a UN Comtrade API response: {e}"),
    })?;
    if let Some(error) = response.error.filter(|e| !e.is_empty()) {
        return Err(ImportError::File {
            file: file.to_owned(),
            reason: format!("the response reports an error: {error}"),
        });
    }
    let mut parsed = Parsed::default();
    for (offset, record) in response.data.into_iter().enumerate() {
        let fail = |reason: String| ImportError::Record {
            file: file.to_owned(),
            index: offset + 1,
            reason,
        };
        if record.partner_code == 0 {
            parsed.skipped_aggregates += 1;
            continue;
        }
        let flow = match record.flow_code.as_str() {
            "X" => FlowDirection::Export,
            "M" => FlowDirection::Import,
            other => {
                return Err(fail(format!(
                    "flowCode {other} is not supported: only X (exports) and M (imports)"
                )));
            }
        };
        let period_text = match &record.period {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            other => {
                return Err(fail(format!(
                    "period {other} is neither a year nor a month"
                )));
            }
        };
        let period = match period_text.len() {
            4 => Period::parse(&period_text).ok(),
            6 => Period::parse(&format!("{}-{}", &period_text[..4], &period_text[4..])).ok(),
            _ => None,
        }
        .ok_or_else(|| fail(format!("period '{period_text}' is neither YYYY nor YYYYMM")))?;
        let value_usd = record
            .primary_value
            .ok_or_else(|| fail("primaryValue is null".to_owned()))?;
        parsed.flows.push(Flow {
            line: (offset + 1) as u64,
            reporter: country(record.reporter_iso.as_deref(), record.reporter_code),
            partner: country(record.partner_iso.as_deref(), record.partner_code),
            flow,
            period,
            classification: record.classification_code,
            product_code: record.cmd_code,
            value_usd,
            source_id: source_id.to_owned(),
            note: None,
        });
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!("../../../tests/fixtures/comtrade/usa_jpn_total_2023.json");

    #[test]
    fn reads_the_public_preview_response() {
        let parsed = read("f.json", FIXTURE.as_bytes(), "un_comtrade_api").unwrap();
        assert_eq!(parsed.flows.len(), 2);
        let imports = &parsed.flows[0];
        assert_eq!(
            (
                imports.reporter.as_str(),
                imports.partner.as_str(),
                imports.flow
            ),
            ("USA", "JPN", FlowDirection::Import)
        );
        assert_eq!(imports.value_usd, 151_580_564_290.0);
        assert_eq!(imports.period, Period::Year(2023));
        assert_eq!(parsed.flows[1].flow, FlowDirection::Export);
    }

    #[test]
    fn numeric_codes_are_mapped_or_left_for_the_batch() {
        assert_eq!(country(None, 842), "USA");
        assert_eq!(country(None, 484), "484");
        assert_eq!(country(Some("W00"), 0), "000");
        assert_eq!(country(Some("MEX"), 484), "MEX");
    }
}
