//! OECD average annual wages and real minimum wages, for Canada, Mexico, the United States and the
//! other countries in the files, in constant US dollars at purchasing power parity.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{
    LoadedSeries, Obs, SeriesSpec, country_id_prefix, finish, last_source, listed_country,
    parse_alpha3, parse_number, parse_period,
};
use crate::domain::period::Frequency;
use crate::domain::series::{NativeFrequency, PriceBasis, SeriesTopic, TimeUnit};
use crate::import::ImportError;
use crate::import::bundled::{BundledFile, bundled_file};
use crate::import::csv_rows::{read_rows, row_error};

pub const REAL_MINIMUM_WAGE_CSV: BundledFile =
    bundled_file!("wages/oecd_real_minimum_wage_usd_ppp.csv");
pub const AVERAGE_WAGES_CSV: BundledFile = bundled_file!("wages/oecd_average_annual_wages.csv");
pub const COUNTRY_NAMES_CSV: BundledFile = bundled_file!("wages/oecd_country_names.csv");
pub const AVERAGE_WAGES_2025_CSV: BundledFile = bundled_file!(
    "wages/oecd_average_2025_vintage/oecd_average_annual_wages_2025vintage_can_mex_usa.csv"
);

/// The source of the 2025 release (data/sources.csv).
const AVERAGE_2025_SOURCE: &str = "oecd_av_an_wage_2025_release";

/// The countries the 2025 release is loaded for; the older extract serves the others.
const RELEASE_2025_COUNTRIES: [&str; 3] = ["CAN", "MEX", "USA"];

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
struct Average2025Record {
    country_iso3: String,
    year: String,
    value: String,
    price_base: String,
    base_period: String,
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

struct Measure {
    measure: &'static str,
    variant: &'static str,
    name: &'static str,
    description: &'static str,
    /// The unit, naming the price base and the release.
    unit: &'static str,
}

const REAL_MINIMUM: Measure = Measure {
    measure: "real_minimum_wage",
    variant: "oecd",
    name: "Real minimum wage (OECD)",
    description: "OECD real minimum wages (RMW): the statutory minimum wage per year of full-time work, in constant prices and US dollars at purchasing power parity, from the OECD extract of 2019-01-31 (2000-2017). Comparable across countries; not convertible to other currencies at market rates.",
    unit: "constant USD PPP per year (OECD RMW, extract of 2019-01-31)",
};

const AVERAGE: Measure = Measure {
    measure: "average_wage",
    variant: "oecd",
    name: "Average annual wage (OECD, 2025 release)",
    description: "OECD average annual wages (AV_AN_WAGE) per full-time-equivalent dependent employee, in US dollars at purchasing power parities and constant prices of 2025, from the OECD's 2025/26 release (1990-2025). Comparable across countries of the same release; not convertible to other currencies at market rates, and never to be spliced with earlier releases (Mexico's growth 1990-2017 differs by 16% between releases).",
    unit: "USD PPP per year at constant 2025 prices (OECD AV_AN_WAGE, 2025 release)",
};

const AVERAGE_2019: Measure = Measure {
    measure: "average_wage",
    variant: "oecd_2019",
    name: "Average annual wage (OECD, 2019 extract)",
    description: "OECD average annual wages (AV_AN_WAGE) per full-time-equivalent employee, in constant prices and US dollars at constant purchasing power parities, from the OECD extract of 2019-01-31 (1990-2017). Only for countries without the 2025 release here; levels are not comparable with the 2025 release.",
    unit: "constant USD PPP per year (OECD AV_AN_WAGE, extract of 2019-01-31)",
};

fn to_series(
    file: &str,
    measure: &Measure,
    by_country: BTreeMap<&'static str, Vec<Obs>>,
) -> Result<Vec<LoadedSeries>, ImportError> {
    by_country
        .into_iter()
        .map(|(iso3, observations)| {
            let iso2 = country_id_prefix(file, iso3)?;
            let source_id = last_source(&observations);
            Ok(finish(
                SeriesSpec {
                    id: format!("{iso2}.{}.{}", measure.measure, measure.variant),
                    topic: SeriesTopic::Wages,
                    country: Some(iso3.to_owned()),
                    region: None,
                    measure: measure.measure,
                    name: measure.name.to_owned(),
                    description: measure.description.to_owned(),
                    unit: measure.unit.to_owned(),
                    currency: Some("USD"),
                    base_currency: None,
                    per: Some(TimeUnit::Year),
                    price_basis: PriceBasis::ConstantPpp,
                    frequency: NativeFrequency::Annual,
                    time_basis: "annual value as published by the OECD",
                    headline: true,
                    source_id,
                },
                observations,
            ))
        })
        .collect()
}

/// The 2025 release for Canada, Mexico and the United States.
fn average_2025() -> Result<BTreeMap<&'static str, Vec<Obs>>, ImportError> {
    let file = AVERAGE_WAGES_2025_CSV.path;
    let mut average: BTreeMap<&'static str, Vec<Obs>> = BTreeMap::new();
    for (line, record) in read_rows::<Average2025Record>(file, AVERAGE_WAGES_2025_CSV.bytes)? {
        let iso3 = listed_country(
            file,
            line,
            &record.country_iso3,
            RELEASE_2025_COUNTRIES,
            |c| c,
        )?;
        if record.price_base != "constant prices" || record.base_period != "2025" {
            return Err(row_error(file, line, "expected constant prices of 2025"));
        }
        average.entry(iso3).or_default().push(Obs::for_period(
            parse_period(file, line, "year", &record.year, Frequency::Annual)?,
            parse_number(file, line, "value", &record.value)?,
            AVERAGE_2025_SOURCE,
        ));
    }
    Ok(average)
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
            parse_period(file, line, "year", &record.year, Frequency::Annual)?,
            value,
            &record.source_id,
        ));
    }
    let file = AVERAGE_WAGES_CSV.path;
    let mut average: BTreeMap<&'static str, Vec<Obs>> = BTreeMap::new();
    for (line, record) in read_rows::<AverageRecord>(file, AVERAGE_WAGES_CSV.bytes)? {
        let iso3 = parse_alpha3(file, line, "country_iso3", &record.country_iso3)?;
        if record.measure != "USD" {
            return Err(row_error(
                file,
                line,
                format!("unexpected measure '{}'", record.measure),
            ));
        }
        let value = parse_number(file, line, "value", &record.value)?;
        average.entry(iso3).or_default().push(Obs::for_period(
            parse_period(file, line, "year", &record.year, Frequency::Annual)?,
            value,
            &record.source_id,
        ));
    }
    average.retain(|iso3, _| !RELEASE_2025_COUNTRIES.contains(iso3));
    let mut all = to_series(REAL_MINIMUM_WAGE_CSV.path, &REAL_MINIMUM, real_minimum)?;
    all.extend(to_series(AVERAGE_WAGES_CSV.path, &AVERAGE_2019, average)?);
    all.extend(to_series(
        AVERAGE_WAGES_2025_CSV.path,
        &AVERAGE,
        average_2025()?,
    )?);
    Ok(all)
}
