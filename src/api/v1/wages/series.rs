//! `GET /v1/wages/{country}/series/{series}`: the observations of one wage series, by period, in
//! any currency and per any unit of time.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{DATASETS, RateUsed, SeriesSummary, figures_meta, load, parse_series_id};
use crate::api::caching::Scope;
use crate::api::chart::{Chart, Line};
use crate::api::envelope::Envelope;
use crate::api::format::{CsvRecord, Format};
use crate::api::lookup::{date_range, sources_of};
use crate::api::lookup::{find_country, parse_country};
use crate::api::query::ReadRequest;
use crate::api::responses;
use crate::api::table::{Column, Unit};
use crate::db::DbConnection;
use crate::db::countries::CountryRow;
use crate::db::series::{self as db_series, SeriesRow};
use crate::domain::conversion::Request;
use crate::domain::currency::CurrencyChoice;
use crate::domain::figures::Figure;
use crate::domain::period::{Frequency, iso_date};
use crate::domain::series::{SeriesTopic, TimeUnit};
use crate::error::{ApiError, ProblemType};

/// One figure of a series.
#[derive(Debug, Serialize, ToSchema)]
pub struct Observation {
    /// The period: an effective date for values in force from a date, else a year, quarter or month.
    #[schema(example = "2019-01")]
    pub period: String,
    /// First day the value applies to.
    #[schema(format = Date, example = "2019-01-01")]
    pub start: String,
    /// Last day the value applies to.
    #[schema(format = Date, example = "2019-01-31")]
    pub end: String,
    /// The value in `meta.unit`; null where the source has none or no exchange rate exists.
    #[schema(example = 5.357)]
    pub value: Option<f64>,
    /// True when the observations cover only part of the period.
    pub partial: bool,
    /// The exchange rates used, when a currency conversion was asked for.
    pub fx: Vec<RateUsed>,
    /// Provenance of the stored observations behind the value.
    pub note: Option<String>,
    /// The unit of `value`: `meta.unit` in JSON, a column of its own in the flat forms.
    #[serde(skip)]
    pub unit: String,
}

impl Observation {
    fn new(figure: Figure, unit: &str) -> Self {
        Self {
            unit: unit.to_owned(),
            period: figure.period,
            start: iso_date(figure.start),
            end: iso_date(figure.end),
            value: figure.value,
            partial: figure.partial,
            fx: figure.fx.into_iter().map(RateUsed::from).collect(),
            note: figure.note,
        }
    }
}

/// An observation as one CSV line.
#[derive(Debug, Serialize)]
pub struct ObservationCsvRow<'a> {
    period: &'a str,
    start: &'a str,
    end: &'a str,
    value: Option<f64>,
    unit: &'a str,
    partial: bool,
    fx_rates: String,
    note: Option<&'a str>,
}

impl CsvRecord for Observation {
    const COLUMNS: &'static [Column] = &[
        Column::text("period"),
        Column::date("start"),
        Column::date("end"),
        Column::measured("value", Unit::OfAnswer),
        Column::code("unit"),
        Column::boolean("partial"),
        Column::text("fx_rates"),
        Column::text("note"),
    ];

    type Row<'a> = ObservationCsvRow<'a>;

    fn csv_row(&self) -> ObservationCsvRow<'_> {
        ObservationCsvRow {
            period: &self.period,
            start: &self.start,
            end: &self.end,
            value: self.value,
            unit: &self.unit,
            partial: self.partial,
            fx_rates: self
                .fx
                .iter()
                .map(|r| format!("{} {} per USD ({})", r.rate, r.currency, r.series_id))
                .collect::<Vec<_>>()
                .join("; "),
            note: self.note.as_deref(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// First period: a year (`2019`), quarter (`2019-Q1`), month (`2019-01`) or day.
    #[param(example = "2019-01")]
    pub from: Option<String>,
    /// Last period, in the same forms.
    #[param(example = "2019-12")]
    pub to: Option<String>,
    /// Give one value per calendar year (`A`), quarter (`Q`) or month (`M`). Without it the series
    /// comes as stored: one row per effective date, month or year. A series is never made finer
    /// than it is published (its `frequency` in the list of the country's series).
    #[param(example = "M")]
    pub frequency: Option<Frequency>,
    /// Express values in this currency, converted with the exchange rate of each period. A series
    /// of values in force from a date (a minimum wage) has no periods of its own to take rates
    /// for: converting it needs `frequency` `M`, `Q` or `A` (rates are means per period).
    #[param(example = "USD")]
    pub currency: Option<CurrencyChoice>,
    /// Express wages per this unit of time, with the working-time assumptions stated in `meta.transformations`.
    #[param(example = "hour")]
    pub per: Option<TimeUnit>,
}

impl SeriesQuery {
    fn request(&self) -> Result<Request, ApiError> {
        Ok(Request {
            range: date_range(self.from.as_deref(), self.to.as_deref())?,
            frequency: self.frequency,
            currency: self.currency.unwrap_or_default(),
            per: self.per,
        })
    }
}

/// The series and what its observations became.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesObservations {
    pub series: SeriesSummary,
    pub observations: Vec<Observation>,
}

/// The series a path names.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SeriesPath {
    /// ISO alpha-2, alpha-3 or numeric code, any case
    #[param(example = "mx")]
    country: String,
    /// Series id, as listed by /v1/wages/{country}
    #[param(example = "mx.minimum_wage.general")]
    series: String,
}

/// Get a wage series' observations
///
/// The observations of one series. Without `frequency` they come as stored: a minimum wage as one
/// row per effective date (valid from `start` to `end`), a monthly or annual series per month or
/// year. With `frequency=A|Q|M` each calendar period gets one value: for values in force from a
/// date, the mean of the values in force on each day of the period; for monthly or daily data, the
/// mean of the observations in the period. `currency` converts with the exchange rate of the same
/// period (the monthly mean for months, the annual mean for years) and names it in `fx`; a period
/// without a rate gives `value: null` and a warning. `per` re-expresses a wage per hour, day, week,
/// month or year. `meta.transformations` states every step and assumption.
#[utoipa::path(
    tag = "wages",
    params(SeriesPath, SeriesQuery),
    responses(
        (status = 200, description = "The series and its observations (CSV and NDJSON: the observations alone)", body = Envelope<SeriesObservations>),
        responses::LookupFailures,
    )
)]
#[get("/v1/wages/{country}/series/{series}")]
pub async fn get_wage_series(
    ReadRequest(query, loader): ReadRequest<SeriesQuery>,
    path: web::Path<SeriesPath>,
) -> Result<HttpResponse, ApiError> {
    let loader = loader.charted();
    let SeriesPath {
        country: path_code,
        series,
    } = path.into_inner();
    let lookup = parse_country("country", &path_code)?;
    let series_id = parse_series_id("series", &series)?;
    let request = query.request()?;
    let help_code = path_code.clone();
    let today = loader.today();
    loader
        .load_fresh(Scope::Ids(DATASETS), move |conn| {
            let country = find_country(conn, "country", &lookup)?;
            let series = find_wage_series(conn, &country, &series_id, &help_code)?;
            let computed = load::compute(conn, &series, &request, today)?;
            let sources = sources_of(conn, computed.source_ids.iter().map(String::as_str))?;
            Ok((country, series, computed, sources))
        })
        .await?
        .respond(|reply, (country, series, computed, sources)| {
            let (meta, figures) = figures_meta(reply.meta(&sources), computed);
            let unit = meta.unit.clone().unwrap_or_default();
            let observations: Vec<Observation> = figures
                .into_iter()
                .map(|figure| Observation::new(figure, &unit))
                .collect();
            if reply.format == Format::Svg {
                let line = Line {
                    name: series.name.clone(),
                    values: observations.iter().map(|o| o.value).collect(),
                };
                let periods = observations.into_iter().map(|o| o.period).collect();
                let title = format!("{} ({})", series.name, country.name);
                return reply.chart(&Chart::new(title, &meta, periods, vec![line]));
            }
            if reply.format != Format::Json {
                return reply.collection(meta, observations, &series.id);
            }
            let series = SeriesSummary::new(series, Some(&country), &path_code);
            let count = observations.len();
            let data = SeriesObservations {
                series,
                observations,
            };
            reply.json(meta.with_count(count), data)
        })
}

/// The country's wage series of that id, or the 404 that points to its list.
fn find_wage_series(
    conn: &mut DbConnection,
    country: &CountryRow,
    id: &str,
    path_code: &str,
) -> Result<SeriesRow, ApiError> {
    db_series::find(conn, id)?
        .filter(|s| {
            s.topic == SeriesTopic::Wages && s.country.as_deref() == Some(country.code.as_str())
        })
        .ok_or_else(|| {
            ApiError::new(
                ProblemType::UnknownSeries,
                format!("{} has no wage series '{id}'.", country.name),
            )
            .with_param("series")
            .with_help(format!("/v1/wages/{path_code}"))
        })
}
