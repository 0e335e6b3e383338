//! OECD average annual wages and real minimum wages, for Canada, Mexico, the United States and the
//! other countries in the files, in constant US dollars at purchasing power parity.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{LoadedSeries, Obs, SeriesSpec, finish, parse_number, parse_period};
use crate::domain::period::Period;
use crate::domain::series::{NativeFrequency, TimeUnit};
use crate::import::ImportError;
use crate::import::bundled::{BundledFile, bundled_file};
use crate::import::csv_rows::{read_rows, row_error};

pub const REAL_MINIMUM_WAGE_CSV: BundledFile =
    bundled_file!("wages/oecd_real_minimum_wage_usd_ppp.csv");
pub const AVERAGE_WAGES_CSV: BundledFile = bundled_file!("wages/oecd_average_annual_wages.csv");
pub const COUNTRY_NAMES_CSV: BundledFile = bundled_file!("wages/oecd_country_names.csv");

#[derive(Debug, Deserialize)]
struct RealMinimumRecord {
    country: String,
    year: String,
    value: String,
    source_id: String,
}

#[derive(Debug, Deserialize)]
struct AverageRecord {
    country_iso3: String,
    year: String,
    value: String,
    measure: String,
    source_id: String,
}

#[derive(Debug, Deserialize)]
struct NameRecord {
    oecd_name: String,
    iso3: String,
    iso_name: String,
}

/// OECD country names that differ from ISO 3166-1 short names, mapped to alpha-3 codes.
fn name_aliases() -> Result<BTreeMap<String, &'static str>, ImportError> {
    let file = COUNTRY_NAMES_CSV.path;
    read_rows::<NameRecord>(file, COUNTRY_NAMES_CSV.bytes)?
        .into_iter()
        .map(|(line, record)| {
            let iso = rust_iso3166::from_alpha3(&record.iso3)
                .filter(|c| c.name == record.iso_name)
                .ok_or_else(|| {
                    row_error(
                        file,
                        line,
                        format!(
                            "{} is not the ISO code of '{}'",
                            record.iso3, record.iso_name
                        ),
                    )
                })?;
            Ok((record.oecd_name, iso.alpha3))
        })
        .collect()
}

fn iso3_for_name(name: &str, aliases: &BTreeMap<String, &'static str>) -> Option<&'static str> {
    rust_iso3166::ALL
        .iter()
        .find(|c| c.name == name)
        .map(|c| c.alpha3)
        .or_else(|| aliases.get(name).copied())
}

fn year(file: &str, line: u64, raw: &str) -> Result<Period, ImportError> {
    match parse_period(file, line, "year", raw)? {
        year @ Period::Year(_) => Ok(year),
        _ => Err(row_error(file, line, format!("year '{raw}' is not a year"))),
    }
}

struct Measure {
    measure: &'static str,
    variant: &'static str,
    name: &'static str,
    description: &'static str,
}

const REAL_MINIMUM: Measure = Measure {
    measure: "real_minimum_wage",
    variant: "oecd",
    name: "Real minimum wage (OECD)",
    description: "OECD real minimum wages (RMW): the statutory minimum wage per year of full-time work, in constant prices and US dollars at purchasing power parity. Comparable across countries; not convertible to other currencies at market rates.",
};

const AVERAGE: Measure = Measure {
    measure: "average_wage",
    variant: "oecd",
    name: "Average annual wage (OECD)",
    description: "OECD average annual wages (AV_AN_WAGE) per full-time-equivalent employee, in constant prices and US dollars at constant purchasing power parities. Comparable across countries; not convertible to other currencies at market rates.",
};

fn to_series(measure: &Measure, by_country: BTreeMap<&'static str, Vec<Obs>>) -> Vec<LoadedSeries> {
    by_country
        .into_iter()
        .map(|(iso3, observations)| {
            let iso2 = rust_iso3166::from_alpha3(iso3)
                .map_or("xx", |c| c.alpha2)
                .to_lowercase();
            let source_id = observations
                .last()
                .map(|o| o.source_id.clone())
                .unwrap_or_default();
            finish(
                SeriesSpec {
                    id: format!("{iso2}.{}.{}", measure.measure, measure.variant),
                    topic: "wages",
                    country: Some(iso3.to_owned()),
                    region: None,
                    measure: measure.measure,
                    name: measure.name.to_owned(),
                    description: measure.description.to_owned(),
                    unit: "constant USD PPP per year".to_owned(),
                    currency: Some("USD"),
                    base_currency: None,
                    per: Some(TimeUnit::Year),
                    price_basis: "constant_ppp",
                    frequency: NativeFrequency::Annual,
                    time_basis: "annual value as published by the OECD",
                    headline: true,
                    source_id,
                },
                observations,
            )
        })
        .collect()
}

pub fn series() -> Result<Vec<LoadedSeries>, ImportError> {
    let aliases = name_aliases()?;
    let file = REAL_MINIMUM_WAGE_CSV.path;
    let mut real_minimum: BTreeMap<&'static str, Vec<Obs>> = BTreeMap::new();
    for (line, record) in read_rows::<RealMinimumRecord>(file, REAL_MINIMUM_WAGE_CSV.bytes)? {
        let iso3 = iso3_for_name(&record.country, &aliases).ok_or_else(|| {
            row_error(
                file,
                line,
                format!(
                    "country '{}' is neither an ISO name nor in {}",
                    record.country, COUNTRY_NAMES_CSV.path
                ),
            )
        })?;
        let value = parse_number(file, line, "value", &record.value)?;
        real_minimum.entry(iso3).or_default().push(Obs::for_period(
            year(file, line, &record.year)?,
            value,
            &record.source_id,
        ));
    }
    let file = AVERAGE_WAGES_CSV.path;
    let mut average: BTreeMap<&'static str, Vec<Obs>> = BTreeMap::new();
    for (line, record) in read_rows::<AverageRecord>(file, AVERAGE_WAGES_CSV.bytes)? {
        let iso3 = rust_iso3166::from_alpha3(&record.country_iso3)
            .map(|c| c.alpha3)
            .ok_or_else(|| {
                row_error(
                    file,
                    line,
                    format!("'{}' is not an ISO alpha-3 code", record.country_iso3),
                )
            })?;
        if record.measure != "USD" {
            return Err(row_error(
                file,
                line,
                format!("unexpected measure '{}'", record.measure),
            ));
        }
        let value = parse_number(file, line, "value", &record.value)?;
        average.entry(iso3).or_default().push(Obs::for_period(
            year(file, line, &record.year)?,
            value,
            &record.source_id,
        ));
    }
    let mut all = to_series(&REAL_MINIMUM, real_minimum);
    all.extend(to_series(&AVERAGE, average));
    Ok(all)
}
