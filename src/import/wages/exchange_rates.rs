//! Exchange rates: Banxico's FIX (daily, with monthly and annual means) and the Federal Reserve's
//! H.10/G.5 rates via FRED (monthly and annual means), all as units of the quote currency per USD.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{LoadedSeries, Obs, SeriesSpec, finish, last_source, parse_number, parse_period};
use crate::domain::currency::Currency;
use crate::domain::fx::{self, RateSource};
use crate::domain::series::{NativeFrequency, PriceBasis, SeriesTopic};
use crate::import::ImportError;
use crate::import::bundled::{BundledFile, bundled_file};
use crate::import::csv_rows::{read_rows, row_error};

pub const FRED_CSV: BundledFile = bundled_file!("wages/exchange_rates_fred.csv");
pub const BANXICO_FIX_CSV: BundledFile = bundled_file!("wages/usd_mxn_fix_banxico.csv");

#[derive(Debug, Deserialize)]
struct FredRecord {
    period: String,
    frequency: String,
    base_currency: String,
    quote_currency: String,
    rate: String,
    source_id: String,
}

#[derive(Debug, Deserialize)]
struct FixRecord {
    period: String,
    frequency: String,
    mxn_per_usd: String,
    source_id: String,
}

/// FRED's frequency labels.
const FRED_FREQUENCIES: [(&str, NativeFrequency); 2] = [
    ("monthly", NativeFrequency::Monthly),
    ("annual", NativeFrequency::Annual),
];

/// Banxico's frequency labels, worded otherwise than FRED's.
const FIX_FREQUENCIES: [(&str, NativeFrequency); 3] = [
    ("daily", NativeFrequency::Daily),
    ("monthly_avg", NativeFrequency::Monthly),
    ("annual_avg", NativeFrequency::Annual),
];

/// The frequency a row's label names among its file's `labels`; both files are read the same
/// way, only their words differ.
fn frequency_named(
    file: &str,
    line: u64,
    raw: &str,
    labels: &[(&str, NativeFrequency)],
) -> Result<NativeFrequency, ImportError> {
    labels
        .iter()
        .find(|(label, _)| *label == raw)
        .map(|(_, frequency)| *frequency)
        .ok_or_else(|| row_error(file, line, format!("unknown frequency '{raw}'")))
}

struct RateSeries {
    quote: Currency,
    source: RateSource,
    frequency: NativeFrequency,
    name: String,
    description: &'static str,
    time_basis: &'static str,
}

fn rate_series(spec: RateSeries, observations: Vec<Obs>) -> LoadedSeries {
    let source_id = last_source(&observations);
    finish(
        SeriesSpec {
            id: fx::series_id(spec.quote, spec.source, spec.frequency),
            topic: SeriesTopic::Fx,
            country: None,
            region: None,
            measure: "exchange_rate",
            name: spec.name,
            description: spec.description.to_owned(),
            unit: format!("{} per USD", spec.quote.code()),
            currency: Some(spec.quote.code()),
            base_currency: Some("USD"),
            per: None,
            price_basis: PriceBasis::Rate,
            frequency: spec.frequency,
            time_basis: spec.time_basis,
            headline: false,
            source_id,
        },
        observations,
    )
}

const FRED_DESCRIPTION: &str = "Federal Reserve H.10/G.5 foreign exchange rates as published on FRED (via datahub.io), period averages.";
const FIX_DESCRIPTION: &str = "Banco de México FIX rate (pesos per dollar, determined by Banxico each business day); monthly and annual rows are simple means of the daily rates.";

fn fred() -> Result<Vec<LoadedSeries>, ImportError> {
    let file = FRED_CSV.path;
    let mut groups: BTreeMap<(Currency, NativeFrequency), Vec<Obs>> = BTreeMap::new();
    for (line, record) in read_rows::<FredRecord>(file, FRED_CSV.bytes)? {
        let quote = match (
            record.base_currency.as_str(),
            record.quote_currency.as_str(),
        ) {
            ("USD", "MXN") => Currency::Mxn,
            ("USD", "CAD") => Currency::Cad,
            (base, quote) => {
                return Err(row_error(
                    file,
                    line,
                    format!("unexpected pair {base}/{quote}"),
                ));
            }
        };
        let frequency = frequency_named(file, line, &record.frequency, &FRED_FREQUENCIES)?;
        let period = parse_period(file, line, "period", &record.period, frequency.finest())?;
        let rate = parse_number(file, line, "rate", &record.rate)?;
        groups
            .entry((quote, frequency))
            .or_default()
            .push(Obs::for_period(period, rate, &record.source_id));
    }
    Ok(groups
        .into_iter()
        .map(|((quote, frequency), observations)| {
            rate_series(
                RateSeries {
                    quote,
                    source: RateSource::Fred,
                    frequency,
                    name: format!(
                        "{} per USD, {} average (Federal Reserve via FRED)",
                        quote.code(),
                        frequency.as_str()
                    ),
                    description: FRED_DESCRIPTION,
                    time_basis: "period average",
                },
                observations,
            )
        })
        .collect())
}

fn banxico_fix() -> Result<Vec<LoadedSeries>, ImportError> {
    let file = BANXICO_FIX_CSV.path;
    let mut groups: BTreeMap<NativeFrequency, Vec<Obs>> = BTreeMap::new();
    for (line, record) in read_rows::<FixRecord>(file, BANXICO_FIX_CSV.bytes)? {
        let frequency = frequency_named(file, line, &record.frequency, &FIX_FREQUENCIES)?;
        let period = parse_period(file, line, "period", &record.period, frequency.finest())?;
        let rate = parse_number(file, line, "mxn_per_usd", &record.mxn_per_usd)?;
        groups
            .entry(frequency)
            .or_default()
            .push(Obs::for_period(period, rate, &record.source_id));
    }
    Ok(groups
        .into_iter()
        .map(|(frequency, observations)| {
            let (name, time_basis) = match frequency {
                NativeFrequency::Daily => (
                    "MXN per USD, Banxico FIX, daily",
                    "rate of the business day",
                ),
                NativeFrequency::Monthly => (
                    "MXN per USD, Banxico FIX, monthly mean",
                    "mean of the daily FIX rates of the month",
                ),
                _ => (
                    "MXN per USD, Banxico FIX, annual mean",
                    "mean of the daily FIX rates of the year",
                ),
            };
            rate_series(
                RateSeries {
                    quote: Currency::Mxn,
                    source: RateSource::Banxico,
                    frequency,
                    name: name.to_owned(),
                    description: FIX_DESCRIPTION,
                    time_basis,
                },
                observations,
            )
        })
        .collect())
}

pub fn series() -> Result<Vec<LoadedSeries>, ImportError> {
    let mut all = fred()?;
    all.extend(banxico_fix()?);
    Ok(all)
}
