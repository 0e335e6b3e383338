//! Ontario's general minimum wage, one row per change, hand-transcribed with a source page per row.
//! Canada has no national minimum wage; Ontario is the only province in the data.

use serde::Deserialize;

use super::{
    Event, LoadedSeries, Obs, SeriesSpec, events_to_observations, finish, parse_day, parse_number,
};
use crate::domain::period::{Period, iso_date};
use crate::domain::series::{NativeFrequency, TimeUnit};
use crate::import::ImportError;
use crate::import::bundled::{BundledFile, bundled_file};
use crate::import::csv_rows::{read_rows, row_error};

pub const PROVINCES_CSV: BundledFile = bundled_file!("wages/ca_provincial_minimum_wage.csv");

/// The source id of the transcribed Ontario rows (`data/sources.csv`).
const SOURCE_ID: &str = "ontario_minimum_wage_transcribed";

/// The steps between 2006 and 2009 are missing from the source (data/wages/PROVENANCE.md, "Gaps"):
/// the 2005 value is not served past 2005, and these years are an explicit gap, not a value.
const MISSING_STEPS: (i32, i32) = (2006, 2009);

#[derive(Debug, Deserialize)]
struct ProvinceRecord {
    province_code: String,
    effective_date: String,
    date_precision: String,
    general_minimum_wage_cad_per_hour: String,
    source_url: String,
    notes: String,
}

pub fn series() -> Result<Vec<LoadedSeries>, ImportError> {
    let file = PROVINCES_CSV.path;
    let mut events = Vec::new();
    for (line, record) in read_rows::<ProvinceRecord>(file, PROVINCES_CSV.bytes)? {
        if record.province_code != "ON" {
            return Err(row_error(
                file,
                line,
                format!("unexpected province '{}'", record.province_code),
            ));
        }
        let start = parse_day(file, line, "effective_date", &record.effective_date)?;
        let precision = match record.date_precision.as_str() {
            "day" => None,
            "year" => Some(format!(
                "effective date known only to the year: {} is a placeholder for a day in {}",
                record.effective_date,
                &record.effective_date[..4]
            )),
            other => {
                return Err(row_error(
                    file,
                    line,
                    format!("unknown date_precision '{other}'"),
                ));
            }
        };
        let note = [
            Some(format!("source: {}", record.source_url)),
            Some(record.notes).filter(|n| !n.is_empty()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("; ");
        let gap_follows = Period::Year(MISSING_STEPS.0 - 1).first_day() <= start
            && start < Period::Year(MISSING_STEPS.0).first_day();
        events.push(Event {
            line,
            start,
            end: gap_follows.then(|| Period::Year(MISSING_STEPS.0 - 1).last_day()),
            value: parse_number(
                file,
                line,
                "general_minimum_wage_cad_per_hour",
                &record.general_minimum_wage_cad_per_hour,
            )?,
            source_id: SOURCE_ID.to_owned(),
            note: Some(note),
            caveat: precision,
        });
    }
    let gap_start = Period::Year(MISSING_STEPS.0).first_day();
    let gap_end = Period::Year(MISSING_STEPS.1).last_day();
    events.push(Event {
        line: 0,
        start: gap_start,
        end: Some(gap_end),
        value: None,
        source_id: SOURCE_ID.to_owned(),
        note: None,
        caveat: Some(format!(
            "the source lacks Ontario's minimum wage changes from {} to {}",
            MISSING_STEPS.0, MISSING_STEPS.1
        )),
    });
    let observations: Vec<Obs> = events_to_observations(file, events)?;
    debug_assert!(observations.iter().any(|o| o.period == iso_date(gap_start)));
    Ok(vec![finish(
        SeriesSpec {
            id: "ca.minimum_wage.ontario".to_owned(),
            topic: "wages",
            country: Some("CAN".to_owned()),
            region: Some("CA-ON".to_owned()),
            measure: "minimum_wage",
            name: "Ontario general minimum wage".to_owned(),
            description: "Ontario's general (adult) minimum wage per hour under the Employment Standards Act, 2000, one value per change, 2004-2025. Canada has no national minimum wage and Ontario is the only province in the data, so it stands for Canada in comparisons. The 2006-2009 changes are missing (null), and the 2004, 2005 and 2010 effective dates are known only to the year.".to_owned(),
            unit: "CAD per hour".to_owned(),
            currency: Some("CAD"),
            base_currency: None,
            per: Some(TimeUnit::Hour),
            price_basis: "nominal",
            frequency: NativeFrequency::Event,
            time_basis: "in force from the effective date until the next value",
            headline: true,
            source_id: SOURCE_ID.to_owned(),
        },
        observations,
    )])
}
