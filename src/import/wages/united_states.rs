//! U.S. minimum wages: the federal rate and the state rates, as in force on January 1 of each
//! year (Department of Labor table, 1968-2020).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{LoadedSeries, Obs, SeriesSpec, finish, parse_number, parse_period};
use crate::domain::period::Period;
use crate::domain::series::{NativeFrequency, TimeUnit};
use crate::import::ImportError;
use crate::import::bundled::{BundledFile, bundled_file};
use crate::import::csv_rows::{read_rows, row_error};

pub const FEDERAL_CSV: BundledFile = bundled_file!("wages/us_federal_minimum_wage_annual.csv");
pub const STATES_CSV: BundledFile = bundled_file!("wages/us_state_minimum_wage_annual.csv");

const JANUARY_1: &str = "rate in force on January 1 of the year";

#[derive(Debug, Deserialize)]
struct FederalRecord {
    year: String,
    value: String,
    currency: String,
    unit: String,
    value_2020_usd: String,
    source_id: String,
}

#[derive(Debug, Deserialize)]
struct StateRecord {
    year: String,
    state: String,
    state_minimum_wage_usd_per_hour: String,
    effective_minimum_wage_usd_per_hour: String,
    dol_raw_text: String,
    dol_footnote: String,
    source_id: String,
}

fn year(file: &str, line: u64, raw: &str) -> Result<Period, ImportError> {
    match parse_period(file, line, "year", raw)? {
        year @ Period::Year(_) => Ok(year),
        _ => Err(row_error(file, line, format!("year '{raw}' is not a year"))),
    }
}

fn federal() -> Result<Vec<LoadedSeries>, ImportError> {
    let file = FEDERAL_CSV.path;
    let mut nominal = Vec::new();
    let mut constant = Vec::new();
    let mut source_id = String::new();
    for (line, record) in read_rows::<FederalRecord>(file, FEDERAL_CSV.bytes)? {
        if record.currency != "USD" || record.unit != "per_hour" {
            return Err(row_error(file, line, "expected USD per_hour"));
        }
        let period = year(file, line, &record.year)?;
        nominal.push(Obs::for_period(
            period,
            parse_number(file, line, "value", &record.value)?,
            &record.source_id,
        ));
        constant.push(Obs::for_period(
            period,
            parse_number(file, line, "value_2020_usd", &record.value_2020_usd)?,
            &record.source_id,
        ));
        source_id = record.source_id;
    }
    let spec =
        |id: &str, measure, name: &str, unit: &str, price_basis, description: &str| SeriesSpec {
            id: id.to_owned(),
            topic: "wages",
            country: Some("USA".to_owned()),
            region: None,
            measure,
            name: name.to_owned(),
            description: description.to_owned(),
            unit: unit.to_owned(),
            currency: Some("USD"),
            base_currency: None,
            per: Some(TimeUnit::Hour),
            price_basis,
            frequency: NativeFrequency::Annual,
            time_basis: JANUARY_1,
            headline: id == "us.minimum_wage.federal",
            source_id: source_id.clone(),
        };
    Ok(vec![
        finish(
            spec(
                "us.minimum_wage.federal",
                "minimum_wage",
                "Federal minimum wage",
                "USD per hour",
                "nominal",
                "The federal minimum wage under the Fair Labor Standards Act, as in force on January 1 of each year: a change during a year (such as the rise to 7.25 on 2009-07-24) shows from the next year.",
            ),
            nominal,
        ),
        finish(
            spec(
                "us.minimum_wage_2020_dollars.federal",
                "minimum_wage_2020_dollars",
                "Federal minimum wage in 2020 dollars",
                "2020 USD per hour",
                "constant_dollars",
                "The January 1 federal minimum wage deflated to 2020 dollars with the CPI-U annual average, as computed in the source.",
            ),
            constant,
        ),
    ])
}

/// The ISO 3166-2 code of a U.S. state or territory named in the DOL table. Names are compared as
/// sets of words, so "U.S. Virgin Islands" finds ISO's "Virgin Islands, U.S.".
fn subdivision_code(name: &str) -> Option<&'static str> {
    let words = |s: &str| {
        let mut words: Vec<String> = s
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        words.sort();
        words
    };
    let wanted = words(name);
    rust_iso3166::US
        .subdivisions()?
        .iter()
        .find(|s| words(s.name) == wanted)
        .map(|s| s.code)
}

/// The DOL table leaves a state without its own minimum wage as "..." (stored as 0 in the source
/// file); that is no rate, not a rate of zero.
fn state_rate(
    record: &StateRecord,
    raw: &str,
    file: &str,
    line: u64,
) -> Result<Option<f64>, ImportError> {
    if record.dol_raw_text.trim() == "..." && raw.trim() == "0.0" {
        return Ok(None);
    }
    parse_number(file, line, "state_minimum_wage_usd_per_hour", raw)
}

fn states() -> Result<Vec<LoadedSeries>, ImportError> {
    let file = STATES_CSV.path;
    let mut state_rates: BTreeMap<&'static str, (String, Vec<Obs>)> = BTreeMap::new();
    let mut effective_rates: BTreeMap<&'static str, Vec<Obs>> = BTreeMap::new();
    let mut source_id = String::new();
    for (line, record) in read_rows::<StateRecord>(file, STATES_CSV.bytes)? {
        let code = subdivision_code(&record.state).ok_or_else(|| {
            row_error(
                file,
                line,
                format!(
                    "'{}' is not a U.S. state or territory in ISO 3166-2",
                    record.state
                ),
            )
        })?;
        let period = year(file, line, &record.year)?;
        let rate = state_rate(&record, &record.state_minimum_wage_usd_per_hour, file, line)?;
        let note = match (rate, record.dol_raw_text.trim(), record.dol_footnote.trim()) {
            (None, _, _) => Some("no state minimum wage law (DOL table: '...')".to_owned()),
            (Some(_), raw, "") if raw.parse::<f64>().is_err() => {
                Some(format!("DOL table: '{raw}'"))
            }
            (Some(_), raw, footnote) if !footnote.is_empty() => {
                Some(format!("DOL table: '{raw}', footnote {footnote}"))
            }
            _ => None,
        };
        state_rates
            .entry(code)
            .or_insert_with(|| (record.state.clone(), Vec::new()))
            .1
            .push(Obs::for_period(period, rate, &record.source_id).with_note(note));
        let effective = parse_number(
            file,
            line,
            "effective_minimum_wage_usd_per_hour",
            &record.effective_minimum_wage_usd_per_hour,
        )?;
        effective_rates
            .entry(code)
            .or_default()
            .push(Obs::for_period(period, effective, &record.source_id));
        source_id = record.source_id;
    }
    let mut all = Vec::new();
    for (code, (state, rates)) in state_rates {
        let variant = code.trim_start_matches("US-").to_lowercase();
        let spec = |measure, name: String, description: String| SeriesSpec {
            id: format!("us.{measure}.state_{variant}"),
            topic: "wages",
            country: Some("USA".to_owned()),
            region: Some(code.to_owned()),
            measure,
            name,
            description,
            unit: "USD per hour".to_owned(),
            currency: Some("USD"),
            base_currency: None,
            per: Some(TimeUnit::Hour),
            price_basis: "nominal",
            frequency: NativeFrequency::Annual,
            time_basis: JANUARY_1,
            headline: false,
            source_id: source_id.clone(),
        };
        all.push(finish(
            spec(
                "minimum_wage",
                format!("State minimum wage, {state}"),
                format!("The minimum wage under {state} law, as in force on January 1; null where the state had no minimum wage law. Where the DOL table gives a range or footnote, the observation's note quotes it."),
            ),
            rates,
        ));
        all.push(finish(
            spec(
                "effective_minimum_wage",
                format!("Effective minimum wage, {state}"),
                format!("The higher of the federal and the {state} minimum wage, as in force on January 1, as computed in the source."),
            ),
            effective_rates.remove(code).unwrap_or_default(),
        ));
    }
    Ok(all)
}

pub fn series() -> Result<Vec<LoadedSeries>, ImportError> {
    let mut all = federal()?;
    all.extend(states()?);
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_names_map_to_iso_codes() {
        assert_eq!(subdivision_code("California"), Some("US-CA"));
        assert_eq!(subdivision_code("District of Columbia"), Some("US-DC"));
        assert_eq!(subdivision_code("U.S. Virgin Islands"), Some("US-VI"));
        assert_eq!(subdivision_code("Atlantis"), None);
    }
}
