//! `trilateral import census-intltrade`: the JSON of the U.S. Census Bureau international trade
//! time-series API (`api.census.gov/data/timeseries/intltrade/{exports,imports}/...`).
//!
//! The body is an array of arrays of strings; the first row names the variables. The United States
//! is the reporter. Exports are `ALL_VAL_MO` (total exports), imports `GEN_VAL_MO` (general
//! imports), in US dollars, for the month in `time` (`2016-12`) or `YEAR` and `MONTH`. The partner
//! is `CTY_CODE`, a Schedule C code mapped through `data/trade/census_country_codes.csv`; rows for
//! totals and groupings (`-`, `00nn`, `nXXX`) are skipped and counted. The product is
//! `I_COMMODITY`/`E_COMMODITY` at `COMM_LVL`, or all goods when the query had none.

use std::collections::HashMap;
use std::io::Read;

use serde::Deserialize;

use super::{Flow, Parsed, parse_scaled};
use crate::domain::period::Period;
use crate::domain::trade::FlowDirection;
use crate::import::ImportError;
use crate::import::bundled::{BundledFile, bundled_file};
use crate::import::csv_rows::read_rows;

pub const CODES_CSV: BundledFile = bundled_file!("trade/census_country_codes.csv");

#[derive(Debug, Deserialize)]
struct CodeRecord {
    census_code: String,
    iso3: String,
}

/// Schedule C code → ISO alpha-3.
pub fn country_codes() -> Result<HashMap<String, String>, ImportError> {
    Ok(read_rows::<CodeRecord>(CODES_CSV.path, CODES_CSV.bytes)?
        .into_iter()
        .map(|(_, r)| (r.census_code, r.iso3))
        .collect())
}

/// Whether a `CTY_CODE` stands for a country (four digits, not a `00nn` grouping).
fn is_country_code(code: &str) -> bool {
    code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()) && !code.starts_with("00")
}

pub fn read(file: &str, mut input: impl Read, source_id: &str) -> Result<Parsed, ImportError> {
    let whole_file = |reason: String| ImportError::File {
        file: file.to_owned(),
        reason,
    };
    let mut text = String::new();
    input
        .read_to_string(&mut text)
        .map_err(|e| whole_file(format!("cannot read: {e}")))?;
    let rows: Vec<Vec<Option<String>>> = serde_json::from_str(&text).map_err(|e| {
        whole_file(format!(
            "not a Census API response (an array of arrays of strings): {e}"
        ))
    })?;
    let Some((header, records)) = rows.split_first() else {
        return Err(whole_file("empty response".to_owned()));
    };
    let column = |name: &str| header.iter().position(|h| h.as_deref() == Some(name));
    let country = column("CTY_CODE").ok_or_else(|| whole_file("no CTY_CODE column".to_owned()))?;
    let (value, flow) = match (column("ALL_VAL_MO"), column("GEN_VAL_MO")) {
        (Some(index), None) => (index, FlowDirection::Export),
        (None, Some(index)) => (index, FlowDirection::Import),
        _ => {
            return Err(whole_file(
                "expected exactly one of ALL_VAL_MO (exports) and GEN_VAL_MO (imports)".to_owned(),
            ));
        }
    };
    let time = column("time");
    let (year, month) = (column("YEAR"), column("MONTH"));
    let commodity = column("I_COMMODITY").or_else(|| column("E_COMMODITY"));
    let level = column("COMM_LVL");
    let codes = country_codes()?;

    let mut parsed = Parsed::default();
    for (offset, record) in records.iter().enumerate() {
        let index = offset + 1;
        let fail = |reason: String| ImportError::Record {
            file: file.to_owned(),
            index,
            reason,
        };
        let cell = |i: usize| record.get(i).and_then(|c| c.as_deref()).unwrap_or_default();
        let code = cell(country);
        if !is_country_code(code) {
            parsed.skipped_aggregates += 1;
            continue;
        }
        let partner = codes.get(code).ok_or_else(|| {
            fail(format!(
                "Census country code {code} ({}) is not in {}",
                column("CTY_NAME").map_or("", cell),
                CODES_CSV.path
            ))
        })?;
        let period_text = match (time, year, month) {
            (Some(t), _, _) => cell(t).to_owned(),
            (None, Some(y), Some(m)) => format!("{}-{:0>2}", cell(y), cell(m)),
            _ => return Err(whole_file("no time, or YEAR and MONTH, column".to_owned())),
        };
        let period = match Period::parse(&period_text) {
            Ok(month @ Period::Month(..)) => month,
            _ => {
                return Err(fail(format!(
                    "time '{period_text}' is not a month (YYYY-MM)"
                )));
            }
        };
        let amount = cell(value);
        let value_usd = parse_scaled(amount, 0)
            .ok_or_else(|| fail(format!("value '{amount}' is not a number of dollars")))?;
        let (classification, product_code) = match commodity {
            Some(c) => (level.map_or("HS", cell).to_owned(), cell(c).to_owned()),
            None => ("TOTAL".to_owned(), "TOTAL".to_owned()),
        };
        parsed.flows.push(Flow {
            line: index as u64,
            reporter: "USA".to_owned(),
            partner: partner.clone(),
            flow,
            period,
            classification,
            product_code,
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

    const FIXTURE: &str = include_str!("../../../tests/fixtures/census/imports_hs10_2026-06.json");

    #[test]
    fn reads_countries_and_skips_totals_and_groupings() {
        let parsed = read("f.json", FIXTURE.as_bytes(), "census_intltrade_api").unwrap();
        assert_eq!(parsed.flows.len(), 5);
        assert_eq!(parsed.skipped_aggregates, 5);
        let mexico = parsed.flows.iter().find(|f| f.partner == "MEX").unwrap();
        assert_eq!(mexico.value_usd, 405_792.0);
        assert_eq!(mexico.flow, FlowDirection::Import);
        assert_eq!(mexico.period, Period::Month(2026, 6));
        assert_eq!(mexico.product_code, "8483408000");
        assert_eq!(mexico.classification, "HS10");
    }

    #[test]
    fn an_unmapped_country_code_is_an_error_not_a_guess() {
        let json = r#"[["CTY_CODE","CTY_NAME","GEN_VAL_MO","time"],
["2010","MEXICO","5","2016-01"],
["5490","THAILAND","7","2016-01"]]"#;
        let err = read("f.json", json.as_bytes(), "s")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("f.json, record 2: Census country code 5490 (THAILAND)"),
            "{err}"
        );
    }
}
