//! Prices: the U.S. CPI-U (monthly index and its published monthly change), Canada's CPI and
//! Mexico's INPC (monthly indices), and annual consumer price inflation for the three countries
//! (World Bank WDI).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{
    LoadedSeries, Obs, SeriesSpec, country_id_prefix, finish, last_source, listed_country,
    parse_alpha3, parse_number, parse_period,
};
use crate::domain::period::Frequency;
use crate::domain::series::{NativeFrequency, PriceBasis, SeriesTopic};
use crate::import::ImportError;
use crate::import::bundled::{BundledFile, bundled_file};
use crate::import::csv_rows::{read_rows, row_error};

pub const CPI_CSV: BundledFile = bundled_file!("wages/us_cpi_u_monthly.csv");
pub const INFLATION_CSV: BundledFile = bundled_file!("wages/inflation_annual_worldbank.csv");
pub const CPI_CAN_MEX_CSV: BundledFile =
    bundled_file!("prices/cpi_monthly/cpi_monthly_can_mex.csv");

#[derive(Debug, Deserialize)]
struct CpiRecord {
    period: String,
    cpi_u_index_1982_84_100: String,
    inflation_pct_vs_prev_month_as_published: String,
    source_id: String,
}

#[derive(Debug, Deserialize)]
struct NationalCpiRecord {
    country_iso3: String,
    date: String,
    index_value: String,
    base: String,
}

/// A national consumer price index of the monthly file: which rows, what they are, and who
/// publishes them (the source id in data/sources.csv).
struct NationalCpi {
    country: &'static str,
    id: &'static str,
    base: &'static str,
    name: &'static str,
    description: &'static str,
    source_id: &'static str,
}

const NATIONAL_CPIS: [NationalCpi; 2] = [
    NationalCpi {
        country: "CAN",
        id: "ca.cpi.all_items",
        base: "2002=100",
        name: "Consumer Price Index, all-items, Canada",
        description: "Statistics Canada table 18-10-0004-01, vector v41690973: all-items CPI for Canada, not seasonally adjusted, monthly from 1914 (as distributed by the Bank of Canada).",
        source_id: "statcan_cpi_v41690973_via_boc",
    },
    NationalCpi {
        country: "MEX",
        id: "mx.cpi.inpc",
        base: "2Q Jul 2018=100",
        name: "Índice Nacional de Precios al Consumidor (INPC), general index",
        description: "INEGI's national consumer price index, general index, monthly from 2000, base second half of July 2018 = 100 (earlier months as INEGI re-expressed them in that base).",
        source_id: "inegi_inpc_monthly",
    },
];

/// Canada's CPI and Mexico's INPC, monthly, so that real wages can be computed for all three
/// countries.
fn national_cpis() -> Result<Vec<LoadedSeries>, ImportError> {
    let file = CPI_CAN_MEX_CSV.path;
    let mut by_country: BTreeMap<String, Vec<Obs>> = BTreeMap::new();
    for (line, record) in read_rows::<NationalCpiRecord>(file, CPI_CAN_MEX_CSV.bytes)? {
        let cpi = listed_country(file, line, &record.country_iso3, &NATIONAL_CPIS, |c| {
            c.country
        })?;
        if record.base != cpi.base {
            return Err(row_error(
                file,
                line,
                format!("base '{}' is not {}", record.base, cpi.base),
            ));
        }
        let period = parse_period(file, line, "date", &record.date, Frequency::Monthly)?;
        by_country
            .entry(record.country_iso3)
            .or_default()
            .push(Obs::for_period(
                period,
                parse_number(file, line, "index_value", &record.index_value)?,
                cpi.source_id,
            ));
    }
    Ok(NATIONAL_CPIS
        .iter()
        .map(|cpi| {
            finish(
                SeriesSpec {
                    measure: "cpi",
                    name: cpi.name.to_owned(),
                    description: cpi.description.to_owned(),
                    unit: format!("index, {}", cpi.base.replace('=', " = ")),
                    ..price_series(cpi.id.to_owned(), cpi.country, cpi.source_id.to_owned())
                },
                by_country.remove(cpi.country).unwrap_or_default(),
            )
        })
        .collect())
}

#[derive(Debug, Deserialize)]
struct InflationRecord {
    country: String,
    year: String,
    inflation_consumer_prices_pct: String,
    source_id: String,
}

/// A price series of `country`; callers fill in what it measures.
fn price_series(id: String, country: &str, source_id: String) -> SeriesSpec {
    SeriesSpec {
        id,
        topic: SeriesTopic::Prices,
        country: Some(country.to_owned()),
        region: None,
        measure: "",
        name: String::new(),
        description: String::new(),
        unit: String::new(),
        currency: None,
        base_currency: None,
        per: None,
        price_basis: PriceBasis::Index,
        frequency: NativeFrequency::Monthly,
        time_basis: "as published",
        headline: true,
        source_id,
    }
}

fn cpi() -> Result<Vec<LoadedSeries>, ImportError> {
    let file = CPI_CSV.path;
    let mut index = Vec::new();
    let mut change = Vec::new();
    for (line, record) in read_rows::<CpiRecord>(file, CPI_CSV.bytes)? {
        let period = parse_period(file, line, "period", &record.period, Frequency::Monthly)?;
        index.push(Obs::for_period(
            period,
            parse_number(
                file,
                line,
                "cpi_u_index_1982_84_100",
                &record.cpi_u_index_1982_84_100,
            )?,
            &record.source_id,
        ));
        change.push(Obs::for_period(
            period,
            parse_number(
                file,
                line,
                "inflation_pct_vs_prev_month_as_published",
                &record.inflation_pct_vs_prev_month_as_published,
            )?,
            &record.source_id,
        ));
    }
    let source_id = last_source(&index);
    Ok(vec![
        finish(
            SeriesSpec {
                measure: "cpi",
                name: "Consumer Price Index for All Urban Consumers (CPI-U)".to_owned(),
                description: "BLS CPI-U, U.S. city average, all items, not seasonally adjusted."
                    .to_owned(),
                unit: "index, 1982-84 = 100".to_owned(),
                ..price_series("us.cpi_u".to_owned(), "USA", source_id.clone())
            },
            index,
        ),
        finish(
            SeriesSpec {
                measure: "cpi_change",
                name: "CPI-U, percent change from the previous month".to_owned(),
                description:
                    "The monthly percent change of the CPI-U as published alongside the index."
                        .to_owned(),
                unit: "percent".to_owned(),
                price_basis: PriceBasis::Percent,
                ..price_series("us.cpi_u_change".to_owned(), "USA", source_id)
            },
            change,
        ),
    ])
}

fn inflation() -> Result<Vec<LoadedSeries>, ImportError> {
    let file = INFLATION_CSV.path;
    let mut by_country: BTreeMap<&'static str, Vec<Obs>> = BTreeMap::new();
    for (line, record) in read_rows::<InflationRecord>(file, INFLATION_CSV.bytes)? {
        let country = parse_alpha3(file, line, "country", &record.country)?;
        let period = parse_period(file, line, "year", &record.year, Frequency::Annual)?;
        let value = parse_number(
            file,
            line,
            "inflation_consumer_prices_pct",
            &record.inflation_consumer_prices_pct,
        )?;
        by_country.entry(country).or_default().push(Obs::for_period(
            period,
            value,
            &record.source_id,
        ));
    }
    by_country
        .into_iter()
        .map(|(country, observations)| {
            let iso2 = country_id_prefix(file, country)?;
            let source_id = last_source(&observations);
            Ok(finish(
                SeriesSpec {
                    measure: "inflation",
                    name: "Inflation, consumer prices (annual %)".to_owned(),
                    description: "World Bank WDI FP.CPI.TOTL.ZG: the annual percent change of the consumer price index.".to_owned(),
                    unit: "percent".to_owned(),
                    price_basis: PriceBasis::Percent,
                    frequency: NativeFrequency::Annual,
                    ..price_series(format!("{iso2}.inflation.wdi"), country, source_id)
                },
                observations,
            ))
        })
        .collect()
}

pub fn series() -> Result<Vec<LoadedSeries>, ImportError> {
    let mut all = cpi()?;
    all.extend(national_cpis()?);
    all.extend(inflation()?);
    Ok(all)
}
