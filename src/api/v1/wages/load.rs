//! What the wage rules (`domain::figures`, `domain::conversion`, `domain::fx`) compute with,
//! read from the store, and the problems their refusals become.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::db::DbConnection;
use crate::db::series::{self as db_series, SeriesRow};
use crate::domain::conversion::{self, ConversionError, RateTable, Request, SeriesFacts};
use crate::domain::figures::{self, Computed};
use crate::domain::fx::FxError;
use crate::domain::period::{DateRange, Frequency};
use crate::domain::series::Observation;
use crate::error::ApiError;

/// The stored observations of a series in `range`.
pub fn observations(
    conn: &mut DbConnection,
    series_id: &str,
    range: DateRange,
) -> Result<Vec<Observation>, ApiError> {
    let (start, end) = range.stored_bounds();
    Ok(db_series::observations(conn, series_id, start, end)?
        .into_iter()
        .map(|row| Observation {
            start: row.period_start,
            end: row.period_end,
            period: row.period,
            value: row.value,
            source_id: row.source_id,
            note: row.note,
            caveat: row.caveat,
        })
        .collect())
}

/// What the rules need to know of a stored series.
fn facts(series: &SeriesRow) -> SeriesFacts {
    SeriesFacts {
        id: series.id.clone(),
        country: series.country.clone(),
        unit: series.unit.clone(),
        currency: series.currency.clone(),
        per: series.per,
        price_basis: series.price_basis,
        native: series.frequency,
    }
}

/// The rate tables one request has built, by leg (rate series, direction) and frequency: the
/// countries of a comparison convert through the same ones (all through the target currency's),
/// which are read once. Every table of a request covers the request's range.
#[derive(Default)]
pub struct RateTables(HashMap<(String, bool, Frequency), RateTable>);

/// The figures for `series` that `request` asks for: checked before anything is read, then
/// computed from the series' observations and the rates a conversion takes.
pub fn compute(
    conn: &mut DbConnection,
    series: &SeriesRow,
    request: &Request,
    today: NaiveDate,
) -> Result<Computed, ApiError> {
    compute_with(conn, series, request, today, &mut RateTables::default())
}

/// `compute`, taking the rate tables from `built` where an earlier series of the same request
/// built them.
pub fn compute_with(
    conn: &mut DbConnection,
    series: &SeriesRow,
    request: &Request,
    today: NaiveDate,
    built: &mut RateTables,
) -> Result<Computed, ApiError> {
    let facts = facts(series);
    let conversion = conversion::check(&facts, request)?;
    let stored = observations(conn, &facts.id, request.range)?;
    let mut tables = Vec::new();
    if let Some(conversion) = &conversion {
        for leg in &conversion.legs {
            let key = (leg.series.id.clone(), leg.divide, conversion.frequency);
            let table = match built.0.get(&key) {
                Some(table) => table.clone(),
                None => {
                    let rates = observations(conn, &leg.series.id, request.range)?;
                    let table = RateTable::new(leg, &rates, conversion.frequency, request.range)
                        .map_err(|e| ApiError::internal(e.to_string()))?;
                    built.0.entry(key).or_insert(table).clone()
                }
            };
            tables.push(table);
        }
    }
    let rates = conversion.as_ref().map(|c| (c, tables.as_slice()));
    Ok(figures::compute(&facts, &stored, request, rates, today)?)
}

impl From<ConversionError> for ApiError {
    fn from(error: ConversionError) -> Self {
        let detail = error.to_string();
        let invalid = |param| ApiError::invalid_parameter(param, detail);
        match error {
            ConversionError::TooFine { native, .. } => {
                invalid("frequency").with_allowed(conversion::allowed_frequencies(native))
            }
            ConversionError::NotPerTime { .. } => invalid("per"),
            ConversionError::NoCurrency { .. } => invalid("currency").with_allowed(["local"]),
            ConversionError::ConstantPrices { currency, .. } => {
                invalid("currency").with_allowed(["local".to_owned(), currency.unwrap_or_default()])
            }
            ConversionError::DailyRates { .. } | ConversionError::NeedsPeriods { .. } => {
                invalid("frequency").with_allowed(["M", "Q", "A"])
            }
            ConversionError::NoRates(_) => invalid("currency"),
            ConversionError::Resample(_) => invalid("frequency"),
        }
    }
}

impl From<FxError> for ApiError {
    fn from(error: FxError) -> Self {
        let detail = error.to_string();
        match error {
            FxError::SameCurrency => ApiError::invalid_parameter("quote", detail),
            FxError::BanxicoPesoOnly(_) => {
                ApiError::invalid_parameter("source", detail).with_allowed(["fred"])
            }
            FxError::DailyFixOnly => {
                ApiError::invalid_parameter("frequency", detail).with_allowed(["M", "Q", "A"])
            }
        }
    }
}
