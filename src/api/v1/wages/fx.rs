//! `GET /v1/fx`: exchange rates between the US dollar, the Mexican peso and the Canadian dollar,
//! daily to annual, from Banxico (FIX) or the Federal Reserve (via FRED).

use std::collections::{BTreeSet, HashMap};

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::compute::{RateUsed, spans};
use crate::api::AppState;
use crate::api::caching::{Scope, load_fresh};
use crate::api::envelope::Envelope;
use crate::api::format::{self, CsvRecord, Format};
use crate::api::lookup::{date_range, sources_of};
use crate::api::query::ApiQuery;
use crate::api::responses;
use crate::db::DbConnection;
use crate::db::series as db_series;
use crate::domain::coverage;
use crate::domain::currency::{Currency, Leg};
use crate::domain::period::{DateRange, Frequency, Period};
use crate::domain::series::{NativeFrequency, aggregate};
use crate::error::ApiError;

/// Who publishes the rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RateSource {
    /// Banco de México's FIX rate (pesos only).
    Banxico,
    /// The Federal Reserve's H.10/G.5 rates via FRED.
    Fred,
}

/// A rate for one period.
#[derive(Debug, Serialize, ToSchema)]
pub struct Rate {
    #[schema(example = "2019-01")]
    pub period: String,
    #[schema(format = Date, example = "2019-01-01")]
    pub start: String,
    #[schema(format = Date, example = "2019-01-31")]
    pub end: String,
    /// Units of `quote` per unit of `base`; null where a leg has no rate for the period.
    #[schema(example = 19.1641)]
    pub rate: Option<f64>,
    #[schema(example = "USD")]
    pub base: String,
    #[schema(example = "MXN")]
    pub quote: String,
    /// The published rates (units of a currency per USD) the rate is made of.
    pub legs: Vec<RateUsed>,
    /// The period is covered only in part: it has not ended (a mean of the rates so far), or a
    /// quarter lacks a month.
    pub partial: bool,
}

/// A rate as one CSV line.
#[derive(Debug, Serialize)]
pub struct RateCsvRow {
    period: String,
    start: String,
    end: String,
    rate: Option<f64>,
    base: String,
    quote: String,
    partial: bool,
    series: String,
}

impl CsvRecord for Rate {
    type Row = RateCsvRow;

    fn csv_row(&self) -> RateCsvRow {
        RateCsvRow {
            period: self.period.clone(),
            start: self.start.clone(),
            end: self.end.clone(),
            rate: self.rate,
            base: self.base.clone(),
            quote: self.quote.clone(),
            partial: self.partial,
            series: self
                .legs
                .iter()
                .map(|l| l.series_id.as_str())
                .collect::<Vec<_>>()
                .join(";"),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FxQuery {
    /// Currency being priced (default USD).
    #[param(example = "USD")]
    pub base: Option<Currency>,
    /// Currency the price is in (default MXN).
    #[param(example = "MXN")]
    pub quote: Option<Currency>,
    /// Daily (`D`, Banxico FIX only), monthly (`M`, default), quarterly (`Q`) or annual (`A`) means.
    #[param(example = "M")]
    pub frequency: Option<Frequency>,
    /// Publisher: `banxico` (default for pesos against the dollar) or `fred` (default otherwise; the only one for CAD).
    #[param(example = "banxico")]
    pub source: Option<RateSource>,
    /// First period (year, quarter, month or day).
    #[param(example = "2019-01")]
    pub from: Option<String>,
    /// Last period.
    #[param(example = "2019-12")]
    pub to: Option<String>,
    /// Representation; overrides the `Accept` header.
    #[param(example = "json")]
    pub format: Option<Format>,
}

/// The stored series of a currency per USD at a frequency from a source, and the calendar
/// frequency to aggregate it to (quarters are means of months).
fn usd_series(
    currency: &'static str,
    frequency: Frequency,
    source: RateSource,
) -> Result<(String, NativeFrequency, Option<Frequency>), ApiError> {
    let prefix = match (currency, source) {
        ("MXN", RateSource::Banxico) => "fix",
        (_, RateSource::Fred) => "fred",
        (_, RateSource::Banxico) => {
            return Err(ApiError::invalid_parameter(
                "source",
                format!("Banxico publishes the peso's rate only; {currency} rates come from fred."),
            )
            .with_allowed(["fred"]));
        }
    };
    let (stored, native, target) = match frequency {
        Frequency::Daily if prefix == "fix" => ("daily", NativeFrequency::Daily, None),
        Frequency::Daily => {
            return Err(ApiError::invalid_parameter(
                "frequency",
                "Daily rates are loaded for Banxico's FIX only (base USD, quote MXN, source banxico).",
            )
            .with_allowed(["M", "Q", "A"]));
        }
        Frequency::Monthly => ("monthly", NativeFrequency::Monthly, None),
        Frequency::Quarterly => (
            "monthly",
            NativeFrequency::Monthly,
            Some(Frequency::Quarterly),
        ),
        Frequency::Annual => ("annual", NativeFrequency::Annual, None),
    };
    Ok((
        format!("fx.usd_{}.{prefix}_{stored}", currency.to_lowercase()),
        native,
        target,
    ))
}

/// A currency's rate per USD in one period, or its absence.
#[derive(Debug, Clone)]
struct LegRow {
    period: String,
    start: String,
    end: String,
    rate: Option<RateUsed>,
    partial: bool,
}

/// One leg: a currency's rates per USD by period.
fn leg(
    conn: &mut DbConnection,
    currency: &'static str,
    frequency: Frequency,
    source: RateSource,
    range: DateRange,
) -> Result<Vec<LegRow>, ApiError> {
    let (series_id, native, target) = usd_series(currency, frequency, source)?;
    let (start, end) = range.text_bounds();
    let rows = db_series::observations(conn, &series_id, &start, &end)?;
    let rate = |value: Option<f64>, period: &str, source_id: &str| {
        value.map(|rate| RateUsed {
            rate,
            currency: currency.to_owned(),
            period: period.to_owned(),
            series_id: series_id.clone(),
            source_id: source_id.to_owned(),
        })
    };
    let today = chrono::Utc::now().date_naive();
    let under_way = |period: Period| coverage::under_way(period, today);
    Ok(match target {
        None => rows
            .iter()
            .map(|row| LegRow {
                period: row.period.clone(),
                start: row.period_start.clone(),
                end: row.period_end.clone(),
                rate: rate(row.value, &row.period, &row.source_id),
                partial: Period::parse(&row.period).is_ok_and(under_way),
            })
            .collect(),
        Some(frequency) => aggregate(native, &spans(&rows)?, frequency, range)
            .map_err(|e| ApiError::internal(e.to_string()))?
            .into_iter()
            .map(|figure| {
                let period = figure.period.to_string();
                let source_id = figure
                    .used
                    .first()
                    .map_or("", |i| rows[*i].source_id.as_str());
                LegRow {
                    start: figure.period.first_day().format("%Y-%m-%d").to_string(),
                    end: figure.period.last_day().format("%Y-%m-%d").to_string(),
                    rate: rate(figure.value, &period, source_id),
                    partial: figure.partial || under_way(figure.period),
                    period,
                }
            })
            .collect(),
    })
}

/// List exchange rates
///
/// Rates between the US dollar, the Mexican peso and the Canadian dollar, as units of `quote` per
/// unit of `base`. Pesos per dollar come from Banco de México's FIX rate by default (daily, or
/// monthly and annual means of the daily rates) or from the Federal Reserve via FRED
/// (`source=fred`); Canadian dollars from the Federal Reserve. Quarterly rates are means of the
/// monthly ones; the inverse of a published rate is 1 / rate; MXN against CAD is crossed through
/// the US dollar with both legs from the Federal Reserve unless `source` says otherwise. `legs`
/// names the published rates behind each value. These are the rates `/v1/wages` converts with.
#[utoipa::path(
    tag = "wages",
    params(FxQuery),
    responses(
        (status = 200, description = "Rates by period, oldest first",
            content(
                (Envelope<Vec<Rate>> = "application/json"),
                (String = "text/csv"),
                (String = "application/x-ndjson"),
            )),
        responses::ReadFailures,
    )
)]
#[get("/v1/fx")]
pub async fn list_exchange_rates(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiQuery(query): ApiQuery<FxQuery>,
) -> Result<HttpResponse, ApiError> {
    let base = query.base.unwrap_or(Currency::Usd);
    let quote = query.quote.unwrap_or(Currency::Mxn);
    if base == quote {
        return Err(ApiError::invalid_parameter(
            "quote",
            "base and quote are the same currency.",
        ));
    }
    let frequency = query.frequency.unwrap_or(Frequency::Monthly);
    let range = date_range(query.from.as_deref(), query.to.as_deref())?;
    let is_peso_dollar = matches!(
        (base, quote),
        (Currency::Usd, Currency::Mxn) | (Currency::Mxn, Currency::Usd)
    );
    let source = query.source.unwrap_or(if is_peso_dollar {
        RateSource::Banxico
    } else {
        RateSource::Fred
    });
    let format = format::negotiate(&req, query.format)?;
    load_fresh(&state, &req, format, Scope::Ids(&["wages"]), move |conn| {
        let legs: Vec<(bool, Vec<_>)> = [(base, true), (quote, false)]
            .into_iter()
            .filter(|(c, _)| *c != Currency::Usd)
            .map(|(currency, divide)| {
                let source = if currency == Currency::Cad {
                    RateSource::Fred
                } else {
                    source
                };
                Ok((
                    divide,
                    leg(conn, currency.code(), frequency, source, range)?,
                ))
            })
            .collect::<Result<_, ApiError>>()?;
        let sources = sources_of(
            conn,
            legs.iter().flat_map(|(_, rows)| {
                rows.iter()
                    .filter_map(|r| r.rate.as_ref().map(|u| u.source_id.as_str()))
            }),
        )?;
        Ok((legs, sources))
    })
    .await?
    .respond(|reply, (legs, sources)| {
        let data = combine(&legs, base.code(), quote.code());
        let mut meta = reply.meta(&sources).with_count(data.len());
        meta.unit = Some(format!("{} per {}", quote.code(), base.code()));
        meta.transformations = describe(&legs, base.code(), quote.code(), frequency);
        let missing: Vec<&str> = data
            .iter()
            .filter(|r| r.rate.is_none())
            .map(|r| r.period.as_str())
            .collect();
        if !missing.is_empty() {
            meta.warnings.push(format!(
                "no rate for {}: a leg of the cross rate is missing",
                missing.join(", ")
            ));
        }
        meta.warnings.extend(gap_warnings(&data, frequency, range, base.code(), quote.code()));
        let partial: Vec<&str> = data
            .iter()
            .filter(|r| r.partial)
            .map(|r| r.period.as_str())
            .collect();
        if !partial.is_empty() {
            meta.warnings.push(format!(
                "{}: the period is not over or lacks months, so the rate is the mean of the part published (partial)",
                partial.join(", ")
            ));
        }
        reply.collection(meta, data, "fx")
    })
}

type LegRows = Vec<LegRow>;

/// Quote per base from the legs (each a currency per USD): divide by the base leg, multiply by the
/// quote leg. Periods follow the first leg.
fn combine(legs: &[(bool, LegRows)], base: &str, quote: &str) -> Vec<Rate> {
    let Some((_, first)) = legs.first() else {
        return Vec::new();
    };
    let by_period: Vec<(bool, HashMap<&str, &RateUsed>)> = legs
        .iter()
        .map(|(divide, rows)| {
            let rates = rows
                .iter()
                .filter_map(|row| Some((row.period.as_str(), row.rate.as_ref()?)))
                .collect();
            (*divide, rates)
        })
        .collect();
    first
        .iter()
        .map(
            |LegRow {
                 period,
                 start,
                 end,
                 partial,
                 ..
             }| {
                let mut rate = Some(1.0);
                let mut used = Vec::new();
                for (divide, rates) in &by_period {
                    match rates.get(period.as_str()) {
                        Some(leg) => {
                            let step = Leg {
                                per_usd: leg.rate,
                                divide: *divide,
                            };
                            rate = rate.map(|r| step.apply(r));
                            used.push((*leg).clone());
                        }
                        None => rate = None,
                    }
                }
                Rate {
                    period: period.clone(),
                    start: start.clone(),
                    end: end.clone(),
                    rate,
                    base: base.to_owned(),
                    quote: quote.to_owned(),
                    legs: used,
                    partial: *partial,
                }
            },
        )
        .collect()
}

/// The requested periods without a rate, named with where they fall. Days are left out: weekends
/// and holidays have no rate and are no gap.
fn gap_warnings(
    data: &[Rate],
    frequency: Frequency,
    range: DateRange,
    base: &str,
    quote: &str,
) -> Vec<String> {
    if frequency == Frequency::Daily {
        return Vec::new();
    }
    let have: BTreeSet<Period> = data
        .iter()
        .filter(|r| r.rate.is_some())
        .filter_map(|r| Period::parse(&r.period).ok())
        .collect();
    coverage::gap_warnings(
        &have,
        range,
        frequency,
        chrono::Utc::now().date_naive(),
        &format!("the {quote} per {base} rates"),
    )
}

fn describe(
    legs: &[(bool, LegRows)],
    base: &str,
    quote: &str,
    frequency: Frequency,
) -> Vec<String> {
    let mut steps: Vec<String> = legs
        .iter()
        .filter_map(|(divide, rows)| {
            let series = rows.iter().find_map(|r| r.rate.as_ref())?;
            Some(if *divide {
                format!(
                    "{base} per USD taken from series {}, inverted",
                    series.series_id
                )
            } else {
                format!("{quote} per USD taken from series {}", series.series_id)
            })
        })
        .collect();
    if frequency == Frequency::Quarterly {
        steps.push("quarterly rate = mean of the monthly rates".to_owned());
    }
    if legs.len() == 2 {
        steps.push(format!(
            "{quote} per {base} = ({quote} per USD) / ({base} per USD)"
        ));
    }
    steps
}
