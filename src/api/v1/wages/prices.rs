//! `GET /v1/prices`: consumer price indices and inflation, the series used to deflate wages.

use actix_web::{HttpResponse, get};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{check_measure, load, parse_measure};
use crate::api::caching::Scope;
use crate::api::envelope::Envelope;
use crate::api::format::CsvRecord;
use crate::api::lookup::{date_range, sources_of};
use crate::api::lookup::{find_country, parse_country_list};
use crate::api::query::ReadRequest;
use crate::api::reading::Reading;
use crate::api::responses;
use crate::api::table::Column;
use crate::db::series::{self as db_series, SeriesFilter, SeriesRow};
use crate::domain::conversion::Request;
use crate::domain::country::CountryLookup;
use crate::domain::figures::Figure;
use crate::domain::period::{Frequency, iso_date};
use crate::domain::series::SeriesTopic;
use crate::error::ApiError;

/// A price observation, in long form: one line per series and period.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriceObservation {
    #[schema(example = "us.cpi_u")]
    pub series_id: String,
    #[schema(example = "USA")]
    pub country: Option<String>,
    /// `cpi` (index level), `cpi_change` (percent change from the previous month) or `inflation` (annual percent).
    #[schema(example = "cpi")]
    pub measure: String,
    #[schema(example = "2016-07")]
    pub period: String,
    #[schema(format = Date, example = "2016-07-01")]
    pub start: String,
    #[schema(format = Date, example = "2016-07-31")]
    pub end: String,
    #[schema(example = 240.628)]
    pub value: Option<f64>,
    #[schema(example = "index, 1982-84 = 100")]
    pub unit: String,
    /// True when the series covers only part of the period.
    pub partial: bool,
}

impl PriceObservation {
    fn new(series: &SeriesRow, figure: Figure) -> Self {
        Self {
            series_id: series.id.clone(),
            country: series.country.clone(),
            measure: series.measure.clone(),
            period: figure.period,
            start: iso_date(figure.start),
            end: iso_date(figure.end),
            value: figure.value,
            unit: series.unit.clone(),
            partial: figure.partial,
        }
    }
}

/// An observation is flat already: its CSV line is the item itself.
impl CsvRecord for PriceObservation {
    const COLUMNS: &'static [Column] = &[
        Column::text("series_id"),
        Column::code("country"),
        Column::code("measure"),
        Column::text("period"),
        Column::date("start"),
        Column::date("end"),
        Column::number("value"),
        Column::code("unit"),
        Column::boolean("partial"),
    ];

    type Row<'a> = &'a Self;

    fn csv_row(&self) -> &Self {
        self
    }
}

/// The most countries one answer covers.
pub const MAX_COUNTRIES: usize = 20;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PricesQuery {
    /// Countries, comma-separated ISO codes in any case (default: all).
    #[param(example = "us,mx")]
    pub country: Option<String>,
    /// `cpi`, `cpi_change` or `inflation` (default: all).
    #[param(example = "inflation")]
    pub measure: Option<String>,
    /// One value per calendar year (`A`), quarter (`Q`) or month (`M`): means of the observations
    /// in the period. A series is never made finer than it is published: annual inflation takes
    /// `A` only, so `Q` and `M` need `measure=cpi` or `cpi_change`.
    #[param(example = "A")]
    pub frequency: Option<Frequency>,
    /// First period (year, quarter, month or day).
    #[param(example = "2010")]
    pub from: Option<String>,
    /// Last period.
    #[param(example = "2020")]
    pub to: Option<String>,
}

/// List price observations
///
/// Price series in long form (one row per series and period): the U.S. CPI-U index and its
/// published monthly change, and annual consumer price inflation for Canada, Mexico and the United
/// States. With `frequency`, each calendar period gets the mean of the observations in it (an
/// annual mean of the monthly index, for instance), stated in `meta.transformations`.
#[utoipa::path(
    tag = "wages",
    params(PricesQuery),
    responses(
        (status = 200, description = "Observations ordered by series and period", body = Envelope<Vec<PriceObservation>>),
        responses::LookupFailures,
    )
)]
#[get("/v1/prices")]
pub async fn list_prices(
    ReadRequest(query, loader): ReadRequest<PricesQuery>,
) -> Result<HttpResponse, ApiError> {
    let lookups = match &query.country {
        Some(raw) => parse_country_list("country", raw, MAX_COUNTRIES)?,
        None => Vec::new(),
    };
    let range = date_range(query.from.as_deref(), query.to.as_deref())?;
    let request = Request::in_own_units(range, query.frequency);
    let measure = query.measure.as_deref().map(parse_measure).transpose()?;
    let today = loader.today();
    loader
        .load_fresh(Scope::Ids(super::DATASETS), move |conn| {
            let mut rows = Vec::new();
            let (mut transformations, mut warnings, mut source_ids) =
                (Vec::new(), Vec::new(), Vec::new());
            for series in price_series(conn, &lookups, measure.clone())? {
                let computed = load::compute(conn, &series, &request, today)?;
                transformations.extend(computed.transformations_of(&series.id));
                warnings.extend(computed.warnings);
                source_ids.extend(computed.source_ids);
                rows.extend(
                    computed
                        .figures
                        .into_iter()
                        .map(|f| PriceObservation::new(&series, f)),
                );
            }
            let sources = sources_of(conn, source_ids.iter().map(String::as_str))?;
            Ok((rows, transformations, warnings, sources))
        })
        .await?
        .respond(|reply, (rows, transformations, warnings, sources)| {
            let mut meta = reply.meta(&sources);
            meta.transformations = transformations;
            meta.warnings = warnings;
            reply.collection(meta, rows, "prices")
        })
}

/// The price series of the countries asked for (all when none is) and the measure, or the 404 for
/// a measure no price series has.
fn price_series(
    conn: &mut Reading<'_>,
    lookups: &[CountryLookup],
    measure: Option<String>,
) -> Result<Vec<SeriesRow>, ApiError> {
    let mut codes = Vec::new();
    for lookup in lookups {
        codes.push(find_country(conn, "country", lookup)?.code);
    }
    let filter = SeriesFilter {
        topic: Some(SeriesTopic::Prices),
        measure: measure.clone(),
        ..SeriesFilter::default()
    };
    let series: Vec<_> = db_series::list(conn, &filter)?
        .into_iter()
        .filter(|s| codes.is_empty() || s.country.as_ref().is_some_and(|c| codes.contains(c)))
        .collect();
    if let Some(measure) = measure.filter(|_| series.is_empty()) {
        check_measure(conn, SeriesTopic::Prices, None, &measure)?;
    }
    Ok(series)
}
