//! What the wage rules (`domain::figures`, `domain::conversion`, `domain::fx`) compute with,
//! read from the store, and the problems their refusals become.

use chrono::NaiveDate;

use crate::db::DbConnection;
use crate::db::series::{self as db_series, SeriesRow};
use crate::domain::conversion::{self, ConversionError, RateTable, Request, SeriesFacts};
use crate::domain::figures::{self, Computed};
use crate::domain::fx::FxError;
use crate::domain::period::DateRange;
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

/// The figures for `series` that `request` asks for: checked before anything is read, then
/// computed from the series' observations and the rates a conversion takes.
pub fn compute(
    conn: &mut DbConnection,
    series: &SeriesRow,
    request: &Request,
    today: NaiveDate,
) -> Result<Computed, ApiError> {
    let facts = facts(series);
    let conversion = conversion::check(&facts, request)?;
    let stored = observations(conn, &facts.id, request.range)?;
    let tables = match &conversion {
        Some(conversion) => conversion
            .legs
            .iter()
            .map(|leg| {
                let rates = observations(conn, &leg.series.id, request.range)?;
                RateTable::new(leg, &rates, conversion.frequency, request.range)
                    .map_err(|e| ApiError::internal(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
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
