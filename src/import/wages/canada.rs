//! Canadian general minimum wages by province and territory: every change from ESDC's Minimum
//! Wage Database, 1965 to mid-2021, and Ontario's later changes, transcribed with a source page
//! per row. Canada has no national minimum wage; Ontario stands for it in comparisons.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;

use super::{
    Event, LoadedSeries, SeriesSpec, events_to_observations, finish, minimum_wage_spec, parse_day,
    parse_number,
};
use crate::domain::series::TimeUnit;
use crate::import::ImportError;
use crate::import::bundled::{BundledFile, bundled_file};
use crate::import::csv_rows::{read_rows, row_error};

pub const ESDC_CSV: BundledFile = bundled_file!(
    "wages/canada_provinces/ca_provincial_general_minimum_wage_changes_1965_2021.csv"
);
pub const ONTARIO_CSV: BundledFile = bundled_file!("wages/ca_provincial_minimum_wage.csv");

const ESDC_SOURCE: &str = "esdc_minimum_wage_database_2021";
const ONTARIO_SOURCE: &str = "ontario_minimum_wage_transcribed";

/// The provinces and territories: ISO 3166-2 suffix, series variant and name.
const JURISDICTIONS: [(&str, &str, &str); 13] = [
    ("AB", "alberta", "Alberta"),
    ("BC", "british_columbia", "British Columbia"),
    ("MB", "manitoba", "Manitoba"),
    ("NB", "new_brunswick", "New Brunswick"),
    (
        "NL",
        "newfoundland_and_labrador",
        "Newfoundland and Labrador",
    ),
    ("NS", "nova_scotia", "Nova Scotia"),
    ("NT", "northwest_territories", "Northwest Territories"),
    ("NU", "nunavut", "Nunavut"),
    ("ON", "ontario", "Ontario"),
    ("PE", "prince_edward_island", "Prince Edward Island"),
    ("QC", "quebec", "Quebec"),
    ("SK", "saskatchewan", "Saskatchewan"),
    ("YT", "yukon", "Yukon"),
];

#[derive(Debug, Deserialize)]
struct EsdcRecord {
    province_code: String,
    effective_date: String,
    minimum_wage_cad_per_hour: String,
    esdc_note: String,
}

#[derive(Debug, Deserialize)]
struct OntarioRecord {
    province_code: String,
    effective_date: String,
    date_precision: String,
    general_minimum_wage_cad_per_hour: String,
    source_url: String,
    notes: String,
}

/// Why an ESDC row is not the general adult hourly rate, if it is not: a weekly rate, or a rate
/// for women or men only.
fn not_general(note: &str) -> Option<&'static str> {
    let lower = note.to_lowercase();
    if lower.contains("week") {
        Some("a weekly rate, not an hourly one")
    } else if lower.starts_with("women") || lower.starts_with("men") {
        Some("a rate for women or men only")
    } else {
        None
    }
}

/// One ESDC row: its line, rate and note.
type EsdcRate = (u64, Option<f64>, String);

/// The ESDC rows of each jurisdiction as events. Where a date has several rows (women and men,
/// urban and rural areas, zones), or its one row is not a general hourly rate, there is no single
/// general rate: the event's value is null and its caveat quotes what ESDC lists.
fn esdc_events() -> Result<BTreeMap<String, Vec<Event>>, ImportError> {
    let file = ESDC_CSV.path;
    let mut by_day: BTreeMap<(String, NaiveDate), Vec<EsdcRate>> = BTreeMap::new();
    for (line, record) in read_rows::<EsdcRecord>(file, ESDC_CSV.bytes)? {
        if !JURISDICTIONS
            .iter()
            .any(|(code, ..)| *code == record.province_code)
        {
            return Err(row_error(
                file,
                line,
                format!("unknown province '{}'", record.province_code),
            ));
        }
        let start = parse_day(file, line, "effective_date", &record.effective_date)?;
        let value = parse_number(
            file,
            line,
            "minimum_wage_cad_per_hour",
            &record.minimum_wage_cad_per_hour,
        )?;
        by_day
            .entry((record.province_code, start))
            .or_default()
            .push((line, value, record.esdc_note));
    }
    let mut events: BTreeMap<String, Vec<Event>> = BTreeMap::new();
    for ((province, start), rows) in by_day {
        let quoted = |rows: &[EsdcRate]| {
            rows.iter()
                .map(|(_, value, note)| {
                    format!(
                        "{} ({})",
                        value.map_or("?".to_owned(), |v| format!("{v:.2}")),
                        note
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        let (line, value, note) = &rows[0];
        let (value, caveat) = match (rows.len(), not_general(note)) {
            (1, None) => (*value, None),
            (1, Some(why)) => (None, Some(format!("ESDC lists {why}: {}", quoted(&rows)))),
            _ => (
                None,
                Some(format!(
                    "ESDC lists several rates from this date, no single general rate: {}",
                    quoted(&rows)
                )),
            ),
        };
        events.entry(province).or_default().push(Event {
            line: *line,
            start,
            end: None,
            value,
            source_id: ESDC_SOURCE.to_owned(),
            note: Some(note.clone()).filter(|n| !n.is_empty() && n != "NA"),
            caveat,
        });
    }
    Ok(events)
}

/// Ontario's changes after the last ESDC date, from the transcribed file.
fn ontario_after(last_esdc: NaiveDate) -> Result<Vec<Event>, ImportError> {
    let file = ONTARIO_CSV.path;
    let mut events = Vec::new();
    for (line, record) in read_rows::<OntarioRecord>(file, ONTARIO_CSV.bytes)? {
        if record.province_code != "ON" {
            return Err(row_error(
                file,
                line,
                format!("unexpected province '{}'", record.province_code),
            ));
        }
        let start = parse_day(file, line, "effective_date", &record.effective_date)?;
        if start <= last_esdc {
            continue;
        }
        if record.date_precision != "day" {
            return Err(row_error(
                file,
                line,
                "a change after the ESDC snapshot needs its exact day",
            ));
        }
        events.push(Event {
            line,
            start,
            end: None,
            value: parse_number(
                file,
                line,
                "general_minimum_wage_cad_per_hour",
                &record.general_minimum_wage_cad_per_hour,
            )?,
            source_id: ONTARIO_SOURCE.to_owned(),
            note: Some(
                [format!("source: {}", record.source_url), record.notes]
                    .into_iter()
                    .filter(|n| !n.is_empty())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            caveat: None,
        });
    }
    Ok(events)
}

pub fn series() -> Result<Vec<LoadedSeries>, ImportError> {
    let mut by_province = esdc_events()?;
    let mut all = Vec::new();
    for (code, variant, name) in JURISDICTIONS {
        let mut events = by_province.remove(code).unwrap_or_default();
        let last_esdc = events
            .iter()
            .map(|e| e.start)
            .max()
            .unwrap_or(NaiveDate::MIN);
        let ontario = code == "ON";
        if ontario {
            events.extend(ontario_after(last_esdc)?);
        }
        let last = events
            .iter()
            .map(|e| e.start)
            .max()
            .unwrap_or(NaiveDate::MIN);
        let description = format!(
            "The general (adult) minimum wage per hour in {name}, one value per change: ESDC's Minimum Wage Database from 1965 (or the jurisdiction's first entry) to mid-2021{}. The latest value is served through the end of its year ({}); a date on which ESDC lists several rates (women and men, urban and rural areas) or a weekly rate has a null value with the rates quoted.{}",
            if ontario {
                ", then Ontario's changes to 2025 transcribed from government and news pages"
            } else {
                ""
            },
            last.format("%Y"),
            if ontario {
                " Canada has no national minimum wage: Ontario, the most populous province, stands for it in comparisons."
            } else {
                ""
            },
        );
        let file = if ontario {
            ONTARIO_CSV.path
        } else {
            ESDC_CSV.path
        };
        let observations = events_to_observations(file, events)?;
        all.push(finish(
            SeriesSpec {
                region: Some(format!("CA-{code}")),
                name: format!("{name} general minimum wage"),
                description,
                headline: ontario,
                ..minimum_wage_spec(
                    format!("ca.minimum_wage.{variant}"),
                    "CAN",
                    "CAD",
                    TimeUnit::Hour,
                    if ontario { ONTARIO_SOURCE } else { ESDC_SOURCE }.to_owned(),
                )
            },
            observations,
        ));
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_province_and_territory_has_a_series() {
        let all = series().expect("bundled files load");
        assert_eq!(all.len(), 13);
        let ontario = all
            .iter()
            .find(|s| s.row.id == "ca.minimum_wage.ontario")
            .expect("Ontario");
        let in_force = |day: &str| {
            let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("a day");
            ontario
                .observations
                .iter()
                .find(|o| o.period_start <= day && day <= o.period_end)
                .and_then(|o| o.value)
        };
        assert_eq!(in_force("2008-06-01"), Some(8.75));
        assert_eq!(in_force("2025-10-01"), Some(17.60));
    }

    #[test]
    fn a_date_with_several_rates_has_no_single_value() {
        let all = series().expect("bundled files load");
        let newfoundland = all
            .iter()
            .find(|s| s.row.id == "ca.minimum_wage.newfoundland_and_labrador")
            .expect("NL");
        let first = &newfoundland.observations[0];
        assert_eq!(first.value, None);
        assert!(first.caveat.as_deref().unwrap_or("").contains("Women"));
    }
}
