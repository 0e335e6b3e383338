//! U.S. minimum wages as dated changes: the federal rate under the Fair Labor Standards Act since
//! 1938 and the general rate of each state and the District of Columbia (data/wages/us_dated/).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::{
    Event, LoadedSeries, Obs, SeriesSpec, events_to_observations, finish, minimum_wage_spec,
    parse_day, parse_number, parse_period,
};
use crate::domain::period::Frequency;
use crate::domain::series::{NativeFrequency, PriceBasis, SeriesTopic, TimeUnit};
use crate::import::ImportError;
use crate::import::bundled::{BundledFile, bundled_file};
use crate::import::csv_rows::{read_rows, row_error};

pub const FEDERAL_CHANGES_CSV: BundledFile =
    bundled_file!("wages/us_dated/us_federal_minimum_wage_changes.csv");
pub const FEDERAL_ANNUAL_CSV: BundledFile =
    bundled_file!("wages/us_dated/us_federal_minimum_wage_annual_1938_2025.csv");
pub const STATE_CHANGES_CSV: BundledFile =
    bundled_file!("wages/us_dated/us_state_minimum_wage_changes_1943_2028.csv");
pub const STATE_ANNUAL_CSV: BundledFile =
    bundled_file!("wages/us_dated/us_state_minimum_wage_annual_1974_2025.csv");
pub const EARNINGS_CSV: BundledFile =
    bundled_file!("wages/us_manufacturing/us_mfg_ahe_monthly_fredmd_1959_2025.csv");
pub const STATE_CORRECTIONS_CSV: BundledFile =
    bundled_file!("wages/us_dated/corrections_transcribed.csv");

const FEDERAL_SOURCE: &str = "us_federal_minimum_wage_dated";
const STATE_SOURCE: &str = "us_state_minimum_wage_dated";
const EARNINGS_SOURCE: &str = "bls_ces_ahe_via_fred_md_2025_05";
const CORRECTIONS_SOURCE: &str = "us_state_minimum_wage_corrections_transcribed";

#[derive(Debug, Deserialize)]
struct FederalChange {
    effective_date: String,
    usd_per_hour: String,
}

#[derive(Debug, Deserialize)]
struct FederalYear {
    year: String,
    rate_on_dec31: String,
}

#[derive(Debug, Deserialize)]
struct StateChange {
    state: String,
    effective_date: String,
    mw_usd_per_hour: String,
    date_quality: String,
    source: String,
}

#[derive(Debug, Deserialize)]
struct EarningsRecord {
    date: String,
    series_id: String,
    value: String,
    seasonal_adjustment: String,
}

/// A state rate transcribed from an official page where the compilation is wrong.
#[derive(Debug, Deserialize)]
struct StateCorrection {
    state: String,
    effective_date: String,
    usd_per_hour: String,
    corrects: String,
    source_url: String,
}

#[derive(Debug, Deserialize)]
struct StateYear {
    state: String,
    year: String,
    state_rate_dec31: String,
}

/// The year's last day, as the end of a rate the annual table shows still in force then.
fn last_confirmed_day(file: &str, line: u64, year: &str) -> Result<NaiveDate, ImportError> {
    Ok(parse_period(file, line, "year", year, Frequency::Annual)?.last_day())
}

/// A series' latest rate is served through the last year the annual table shows it in force on
/// December 31, rather than only to the end of the year it began.
fn extend_last(events: &mut [Event], confirmed: &[(NaiveDate, Option<f64>)]) {
    let Some(last) = events.iter_mut().max_by_key(|e| e.start) else {
        return;
    };
    if let Some((through, _)) = confirmed
        .iter()
        .filter(|(day, value)| *day >= last.start && *value == last.value)
        .max_by_key(|(day, _)| *day)
        && last.end.is_none()
    {
        last.end = Some(*through);
    }
}

fn federal() -> Result<LoadedSeries, ImportError> {
    let file = FEDERAL_CHANGES_CSV.path;
    let mut events = Vec::new();
    for (line, record) in read_rows::<FederalChange>(file, FEDERAL_CHANGES_CSV.bytes)? {
        events.push(Event {
            line,
            start: parse_day(file, line, "effective_date", &record.effective_date)?,
            end: None,
            value: parse_number(file, line, "usd_per_hour", &record.usd_per_hour)?,
            source_id: FEDERAL_SOURCE.to_owned(),
            note: None,
            caveat: None,
        });
    }
    let annual = FEDERAL_ANNUAL_CSV.path;
    let mut confirmed = Vec::new();
    for (line, record) in read_rows::<FederalYear>(annual, FEDERAL_ANNUAL_CSV.bytes)? {
        confirmed.push((
            last_confirmed_day(annual, line, &record.year)?,
            parse_number(annual, line, "rate_on_dec31", &record.rate_on_dec31)?,
        ));
    }
    extend_last(&mut events, &confirmed);
    Ok(finish(
        SeriesSpec {
            name: "Federal minimum wage".to_owned(),
            description: "The federal minimum wage under the Fair Labor Standards Act, one value per change since 1938-10-24 (7.25 since 2009-07-24, served through 2025, the last year the source confirms). The headline rate for workers covered by the 1938 Act and the 1961 amendments, not the lower rates for workers newly covered in 1961-1978.".to_owned(),
            headline: true,
            ..minimum_wage_spec(
                "us.minimum_wage.federal".to_owned(),
                "USA",
                "USD",
                TimeUnit::Hour,
                FEDERAL_SOURCE.to_owned(),
            )
        },
        events_to_observations(file, events)?,
    ))
}

/// The ISO 3166-2 code of a U.S. state or territory by name. Names are compared as sets of
/// words, so "U.S. Virgin Islands" finds ISO's "Virgin Islands, U.S.".
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

/// The ISO code of a state named in a row, or the row's error.
fn state_code(file: &str, line: u64, name: &str) -> Result<&'static str, ImportError> {
    subdivision_code(name)
        .ok_or_else(|| row_error(file, line, format!("'{name}' is not a U.S. state")))
}

/// The compilation ends each state's history with a `CURRENT` row dated 2022-12-31 that repeats
/// the rate in force: no change. For a state whose history it lacks, that row is all there is and
/// says neither when the rate began nor whether it is a state rate at all (for the states without
/// a minimum wage law, Alabama, Louisiana, Mississippi, South Carolina and Tennessee, it is the
/// federal rate), so such a state gets no series.
fn is_sentinel(record: &StateChange) -> bool {
    record.effective_date == "2022-12-31"
        && record
            .source
            .split('|')
            .all(|part| part.trim() == "CURRENT")
}

fn states() -> Result<Vec<LoadedSeries>, ImportError> {
    let file = STATE_CHANGES_CSV.path;
    let mut by_state: BTreeMap<&'static str, (String, Vec<Event>)> = BTreeMap::new();
    for (line, record) in read_rows::<StateChange>(file, STATE_CHANGES_CSV.bytes)? {
        let code = state_code(file, line, &record.state)?;
        if is_sentinel(&record) {
            continue;
        }
        let (_, events) = by_state
            .entry(code)
            .or_insert_with(|| (record.state.clone(), Vec::new()));
        let caveat = match record.date_quality.as_str() {
            quality if quality.starts_with("exact") => None,
            "inferred_jan1" => Some("effective date inferred as January 1 by the source: the rate was reached during this year, possibly later than January 1".to_owned()),
            other => return Err(row_error(file, line, format!("unknown date_quality '{other}'"))),
        };
        events.push(Event {
            line,
            start: parse_day(file, line, "effective_date", &record.effective_date)?,
            end: None,
            value: parse_number(file, line, "mw_usd_per_hour", &record.mw_usd_per_hour)?,
            source_id: STATE_SOURCE.to_owned(),
            note: Some(format!("source: {}", record.source.trim())),
            caveat,
        });
    }
    apply_corrections(&mut by_state)?;
    let annual = STATE_ANNUAL_CSV.path;
    let mut confirmed: BTreeMap<String, Vec<(NaiveDate, Option<f64>)>> = BTreeMap::new();
    for (line, record) in read_rows::<StateYear>(annual, STATE_ANNUAL_CSV.bytes)? {
        confirmed.entry(record.state).or_default().push((
            last_confirmed_day(annual, line, &record.year)?,
            parse_number(annual, line, "state_rate_dec31", &record.state_rate_dec31)?,
        ));
    }
    let mut all = Vec::new();
    for (code, (state, mut events)) in by_state {
        extend_last(
            &mut events,
            confirmed.get(&state).map_or(&[], Vec::as_slice),
        );
        let variant = code.trim_start_matches("US-").to_lowercase();
        all.push(finish(
            SeriesSpec {
                region: Some(code.to_owned()),
                name: format!("State minimum wage, {state}"),
                description: format!("The general adult minimum wage under {state} law, one value per change (announced changes included); where the state sets tiers, the standard rate, not the small-employer one. Where federal law sets a higher rate, the federal rate applies (see us.minimum_wage.federal)."),
                ..minimum_wage_spec(
                    format!("us.minimum_wage.state_{variant}"),
                    "USA",
                    "USD",
                    TimeUnit::Hour,
                    STATE_SOURCE.to_owned(),
                )
            },
            events_to_observations(file, events)?,
        ));
    }
    Ok(all)
}

/// Applies the transcribed corrections: each replaces, in its state and year, the change of the
/// same value (a misdated change, such as a July 1 change the compilation put on January 1) or
/// the change on the same day (a wrong value).
fn apply_corrections(
    by_state: &mut BTreeMap<&'static str, (String, Vec<Event>)>,
) -> Result<(), ImportError> {
    let file = STATE_CORRECTIONS_CSV.path;
    for (line, record) in read_rows::<StateCorrection>(file, STATE_CORRECTIONS_CSV.bytes)? {
        let code = state_code(file, line, &record.state)?;
        let start = parse_day(file, line, "effective_date", &record.effective_date)?;
        let value = parse_number(file, line, "usd_per_hour", &record.usd_per_hour)?;
        let (_, events) = by_state.get_mut(code).ok_or_else(|| {
            row_error(
                file,
                line,
                format!("no changes of {} to correct", record.state),
            )
        })?;
        let before = events.len();
        events.retain(|e| {
            let same_year = e.start.year() == start.year();
            !(same_year && (e.value == value || e.start == start))
        });
        if events.len() == before {
            return Err(row_error(
                file,
                line,
                "corrects no change of the compilation",
            ));
        }
        events.push(Event {
            line,
            start,
            end: None,
            value,
            source_id: CORRECTIONS_SOURCE.to_owned(),
            note: Some(format!(
                "corrects {}; source: {}",
                record.corrects, record.source_url
            )),
            caveat: None,
        });
    }
    Ok(())
}

/// The BLS establishment-survey series of average hourly earnings: (CES id, series variant, what).
const EARNINGS: [(&str, &str, &str); 2] = [
    ("CES3000000008", "manufacturing", "manufacturing"),
    (
        "CES0600000008",
        "goods_producing",
        "goods-producing industries",
    ),
];

/// U.S. average hourly earnings of production and nonsupervisory employees, monthly: the wage
/// the comparisons of Mexican manufacturing pay with "a quarter of U.S. wages" are about.
fn earnings() -> Result<Vec<LoadedSeries>, ImportError> {
    let file = EARNINGS_CSV.path;
    let mut by_series: BTreeMap<String, Vec<Obs>> = BTreeMap::new();
    for (line, record) in read_rows::<EarningsRecord>(file, EARNINGS_CSV.bytes)? {
        if !EARNINGS.iter().any(|(id, ..)| *id == record.series_id)
            || record.seasonal_adjustment != "SA"
        {
            return Err(row_error(
                file,
                line,
                format!(
                    "unexpected series '{}' ({})",
                    record.series_id, record.seasonal_adjustment
                ),
            ));
        }
        let period = parse_period(file, line, "date", &record.date, Frequency::Monthly)?;
        by_series
            .entry(record.series_id)
            .or_default()
            .push(Obs::for_period(
                period,
                parse_number(file, line, "value", &record.value)?,
                EARNINGS_SOURCE,
            ));
    }
    Ok(EARNINGS
        .iter()
        .map(|(ces_id, variant, industry)| {
            finish(
                SeriesSpec {
                    id: format!("us.average_hourly_earnings.{variant}"),
                    topic: SeriesTopic::Wages,
                    country: Some("USA".to_owned()),
                    region: None,
                    measure: "average_hourly_earnings",
                    name: format!("Average hourly earnings of production and nonsupervisory employees, {industry}"),
                    description: format!("BLS Current Employment Statistics series {ces_id}: average hourly earnings of production and nonsupervisory employees in {industry}, seasonally adjusted, monthly from 1959-01 (FRED-MD vintage of 2025-05, last month 2025-04). No Mexican or Canadian manufacturing wage series is loaded yet. Annual values with frequency=A are means of the seasonally adjusted months and can differ by a cent from the BLS annual averages, which BLS computes from unadjusted data."),
                    unit: "USD per hour".to_owned(),
                    currency: Some("USD"),
                    base_currency: None,
                    per: Some(TimeUnit::Hour),
                    price_basis: PriceBasis::Nominal,
                    frequency: NativeFrequency::Monthly,
                    time_basis: "monthly average as published (seasonally adjusted)",
                    headline: *variant == "manufacturing",
                    source_id: EARNINGS_SOURCE.to_owned(),
                },
                by_series.remove(*ces_id).unwrap_or_default(),
            )
        })
        .collect())
}

pub fn series() -> Result<Vec<LoadedSeries>, ImportError> {
    let mut all = vec![federal()?];
    all.extend(states()?);
    all.extend(earnings()?);
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

    #[test]
    fn the_federal_rate_of_2009_runs_through_2025() {
        let federal = federal().expect("bundled files load");
        let last = federal.observations.last().expect("observations");
        assert_eq!(last.period_start.to_string(), "2009-07-24");
        assert_eq!(last.period_end.to_string(), "2025-12-31");
        assert_eq!(last.value, Some(7.25));
    }

    #[test]
    fn a_state_with_only_the_closing_row_has_no_series() {
        let states = states().expect("bundled files load");
        let ids: Vec<&str> = states.iter().map(|s| s.row.id.as_str()).collect();
        assert!(ids.contains(&"us.minimum_wage.state_ca"));
        assert!(
            !ids.contains(&"us.minimum_wage.state_al"),
            "Alabama has no minimum wage law"
        );
        assert_eq!(states.len(), 41);
    }
}
