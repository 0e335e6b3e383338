//! `GET /v1/fx`: exchange rates between the US dollar, the Mexican peso and the Canadian dollar,
//! daily to annual, from Banxico (FIX) or the Federal Reserve (via FRED).

use actix_web::{HttpResponse, get};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{RateUsed, load};
use crate::api::caching::Scope;
use crate::api::envelope::Envelope;
use crate::api::format::CsvRecord;
use crate::api::lookup::{date_range, sources_of};
use crate::api::query::ReadRequest;
use crate::api::responses;
use crate::api::table::Column;
use crate::domain::currency::Currency;
use crate::domain::fx::{self, CrossRate, Pair, RateSource, usd_rates};
use crate::domain::period::{Frequency, iso_date};
use crate::error::ApiError;

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

impl Rate {
    fn new(pair: &Pair, rate: CrossRate) -> Self {
        Self {
            period: rate.period,
            start: iso_date(rate.start),
            end: iso_date(rate.end),
            rate: rate.rate,
            base: pair.base.code().to_owned(),
            quote: pair.quote.code().to_owned(),
            legs: rate.legs.into_iter().map(RateUsed::from).collect(),
            partial: rate.partial,
        }
    }
}

/// A rate as one CSV line.
#[derive(Debug, Serialize)]
pub struct RateCsvRow<'a> {
    period: &'a str,
    start: &'a str,
    end: &'a str,
    rate: Option<f64>,
    base: &'a str,
    quote: &'a str,
    partial: bool,
    series: String,
}

impl CsvRecord for Rate {
    const COLUMNS: &'static [Column] = &[
        Column::text("period"),
        Column::date("start"),
        Column::date("end"),
        Column::number("rate"),
        Column::code("base"),
        Column::code("quote"),
        Column::boolean("partial"),
        Column::text("series"),
    ];

    type Row<'a> = RateCsvRow<'a>;

    fn csv_row(&self) -> RateCsvRow<'_> {
        RateCsvRow {
            period: &self.period,
            start: &self.start,
            end: &self.end,
            rate: self.rate,
            base: &self.base,
            quote: &self.quote,
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
        (status = 200, description = "Rates by period, oldest first", body = Envelope<Vec<Rate>>),
        responses::ReadFailures,
    )
)]
#[get("/v1/fx")]
pub async fn list_exchange_rates(
    ReadRequest(query, loader): ReadRequest<FxQuery>,
) -> Result<HttpResponse, ApiError> {
    let pair = Pair::new(query.base, query.quote, query.source)?;
    let frequency = query.frequency.unwrap_or(Frequency::Monthly);
    let range = date_range(query.from.as_deref(), query.to.as_deref())?;
    let legs = pair.legs(frequency)?;
    let today = loader.today();
    loader
        .load_fresh(Scope::Ids(&["wages"]), move |conn| {
            let legs = legs
                .iter()
                .map(|leg| {
                    let stored = load::observations(conn, &leg.series.id, range)?;
                    let rates = usd_rates(&leg.series, &stored, frequency, range, today)
                        .map_err(|e| ApiError::internal(e.to_string()))?;
                    Ok((leg.divide, rates))
                })
                .collect::<Result<Vec<_>, ApiError>>()?;
            let used = legs.iter().flat_map(|(_, rates)| rates.iter());
            let sources = sources_of(
                conn,
                used.filter_map(|r| Some(r.rate.as_ref()?.source_id.as_str())),
            )?;
            Ok((legs, sources))
        })
        .await?
        .respond(|reply, (legs, sources)| {
            let answer = fx::cross_rates(&pair, &legs, frequency, range, today);
            let data: Vec<Rate> = answer
                .rates
                .into_iter()
                .map(|r| Rate::new(&pair, r))
                .collect();
            let mut meta = reply.meta(&sources);
            meta.unit = Some(pair.unit());
            meta.transformations = answer.transformations;
            meta.warnings = answer.warnings;
            reply.collection(meta, data, "fx")
        })
}
