//! `GET /v1/wages/compare`: one measure for several countries, aligned by period, in one currency
//! and per one unit of time, with each country's ratio to a base country.

use actix_web::{HttpResponse, get};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{DATASETS, check_measure, load, parse_measure, parse_series_id};

use crate::api::caching::{Reply, Scope};
use crate::api::chart::{Chart, Line};
use crate::api::envelope::{Envelope, Meta};
use crate::api::format::{CsvRecord, Format};
use crate::api::lookup::{date_range, sources_of};
use crate::api::lookup::{find_country, parse_country, parse_country_list};
use crate::api::query::ReadRequest;
use crate::api::reading::Reading;
use crate::api::responses;
use crate::api::table::{Column, Unit};
use crate::api::v1::countries::CountryRef;
use crate::db::DbConnection;
use crate::db::countries::CountryRow;
use crate::db::series::{self as db_series, SeriesFilter, SeriesRow};
use crate::domain::comparison::{self, Aligned, CompareError, Override};
use crate::domain::conversion::Request;
use crate::domain::country::CountryLookup;
use crate::domain::currency::{Currency, CurrencyChoice};
use crate::domain::figures::Computed;
use crate::domain::ids::SeriesId;
use crate::domain::period::Frequency;
use crate::domain::series::{SeriesTopic, TimeUnit};
use crate::error::{ApiError, ProblemType};

pub const MAX_COUNTRIES: usize = 10;

/// One period of a comparison.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComparedPeriod {
    #[schema(example = "2016")]
    pub period: String,
    /// Every requested country, in the order given; a country without a value has `value: null`.
    pub values: Vec<CountryValue>,
}

/// A country's value in a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountryValue {
    pub country: CountryRef,
    /// The series the value comes from; null when the country has none for this measure.
    #[schema(example = "mx.average_wage.oecd")]
    pub series_id: Option<String>,
    /// The value in `meta.unit`, or null.
    #[schema(example = 15311.3)]
    pub value: Option<f64>,
    /// `value` divided by the base country's value of the same period; null when either is missing.
    #[schema(example = 0.254)]
    pub ratio_to_base: Option<f64>,
    /// True when the series covers only part of the period.
    pub partial: bool,
    /// Why the value is null, when it is.
    pub missing: Option<String>,
}

impl CountryValue {
    fn new(leg: &Leg, aligned: Aligned) -> Self {
        Self {
            country: CountryRef::from(&leg.country),
            series_id: leg.series.as_ref().map(|s| s.id.clone()),
            value: aligned.value,
            ratio_to_base: aligned.ratio_to_base,
            partial: aligned.partial,
            missing: aligned.missing,
        }
    }
}

/// A country's value in a period as one CSV line.
#[derive(Debug, Serialize)]
pub struct ComparedCsvRow<'a> {
    period: &'a str,
    country: &'a str,
    series_id: Option<&'a str>,
    value: Option<f64>,
    unit: Option<&'a str>,
    ratio_to_base: Option<f64>,
    partial: bool,
}

/// The CSV and NDJSON forms of a comparison are long: one line per period and country.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComparedRow {
    pub period: String,
    #[serde(flatten)]
    pub value: CountryValue,
    /// The unit of `value` (the answer's `meta.unit`).
    pub unit: Option<String>,
}

impl CsvRecord for ComparedRow {
    const COLUMNS: &'static [Column] = &[
        Column::text("period"),
        Column::code("country"),
        Column::text("series_id"),
        Column::measured("value", Unit::OfAnswer),
        Column::code("unit"),
        Column::number("ratio_to_base"),
        Column::boolean("partial"),
    ];

    type Row<'a> = ComparedCsvRow<'a>;

    fn csv_row(&self) -> ComparedCsvRow<'_> {
        ComparedCsvRow {
            period: &self.period,
            country: &self.value.country.code,
            series_id: self.value.series_id.as_deref(),
            value: self.value.value,
            unit: self.unit.as_deref(),
            ratio_to_base: self.value.ratio_to_base,
            partial: self.value.partial,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    /// Countries to compare, comma-separated ISO codes in any case (at most 10).
    #[param(example = "mx,us,ca")]
    pub countries: String,
    /// The measure to compare: `minimum_wage`, `average_wage` or `real_minimum_wage`.
    #[param(example = "average_wage")]
    pub measure: String,
    /// Series to use instead of the countries' headline series, comma-separated ids.
    #[param(example = "mx.minimum_wage.border")]
    pub series: Option<String>,
    /// Currency of the values (default USD); a comparison needs one currency, so `local` is refused.
    /// Series in constant-price USD PPP (the headline `average_wage` and `real_minimum_wage`
    /// series, from the OECD) do not convert at market exchange rates: compare them in USD.
    #[param(example = "USD")]
    pub currency: Option<CurrencyChoice>,
    /// Unit of time wages are expressed per (default: the base country's series' own).
    #[param(example = "hour")]
    pub per: Option<TimeUnit>,
    /// Country the ratios are relative to, one of `countries` (default: the first of them).
    #[param(example = "us")]
    pub base: Option<String>,
    /// Calendar periods to align on (default `A`), never finer than a compared series is
    /// published. Days (`D`) only where no value is converted: exchange rates are means per
    /// month, quarter or year.
    #[param(example = "A")]
    pub frequency: Option<Frequency>,
    /// First period (year, quarter or month).
    #[param(example = "2000")]
    pub from: Option<String>,
    /// Last period.
    #[param(example = "2017")]
    pub to: Option<String>,
}

/// A country and the series it is compared with, if it has one.
type Chosen = (CountryRow, Option<SeriesRow>);

/// A country's part of the comparison.
struct Leg {
    country: CountryRow,
    series: Option<SeriesRow>,
    computed: Computed,
}

impl Leg {
    fn view(&self) -> comparison::Leg<'_> {
        comparison::Leg {
            country: &self.country.name,
            series_id: self.series.as_ref().map(|s| s.id.as_str()),
            computed: &self.computed,
        }
    }
}

impl From<CompareError> for ApiError {
    fn from(error: CompareError) -> Self {
        let detail = error.to_string();
        match error {
            CompareError::MixedCurrencies => {
                ApiError::invalid_parameter("currency", detail).with_allowed(Currency::codes())
            }
            CompareError::BaseNotCompared(_) => ApiError::invalid_parameter("base", detail),
            CompareError::NotOfMeasure { .. } | CompareError::SecondForCountry(_) => {
                ApiError::invalid_parameter("series", detail)
            }
        }
    }
}

/// Compare wages across countries
///
/// One measure for several countries, aligned by calendar period, converted to one currency
/// (default USD, with each period's own exchange rate) and one unit of time, with each country's
/// ratio to the base country. Every requested country appears in every period: where it has no
/// value, `value` is null and `missing` says why. By default each country's headline series of
/// the measure is used (see `/v1/wages/{country}`); `series=` picks others. A sub-national series
/// standing in for a country (Ontario for Canada's minimum wage) is named in `meta.warnings`.
#[utoipa::path(
    tag = "wages",
    params(CompareQuery),
    responses(
        (status = 200, description = "Aligned periods, oldest first (CSV and NDJSON: one line per period and country)", body = Envelope<Vec<ComparedPeriod>>),
        responses::LookupFailures,
    )
)]
#[get("/v1/wages/compare")]
pub async fn compare_wages(
    ReadRequest(query, loader): ReadRequest<CompareQuery>,
) -> Result<HttpResponse, ApiError> {
    let loader = loader.charted();
    let lookups = parse_country_list("countries", &query.countries, MAX_COUNTRIES)?;
    let base = match &query.base {
        Some(raw) => parse_country("base", raw)?,
        None => lookups[0].clone(),
    };
    let series_ids = parse_series_ids(query.series.as_deref())?;
    let currency = comparison::currency(query.currency)?;
    let range = date_range(query.from.as_deref(), query.to.as_deref())?;
    let (measure, per) = (parse_measure(&query.measure)?, query.per);
    let frequency = Some(query.frequency.unwrap_or(Frequency::Annual));
    let today = loader.today();
    loader
        .load_fresh(Scope::Ids(DATASETS), move |conn| {
            let countries = lookups
                .iter()
                .map(|lookup| find_country(conn, "countries", lookup))
                .collect::<Result<Vec<_>, _>>()?;
            let base = base_country(conn, &countries, &base)?;
            check_measure(conn, SeriesTopic::Wages, None, &measure)?;
            let overrides = override_series(conn, &series_ids, &countries, &measure)?;
            let (chosen, warnings) = choose_series(conn, countries, &measure, &overrides)?;
            let per = per.or_else(|| base_per(&chosen, &base));
            let request = Request {
                range,
                frequency,
                currency,
                per,
            };
            let legs = compute_legs(conn, chosen, &request, today)?;
            let used = legs.iter().flat_map(|l| &l.computed.source_ids);
            let sources = sources_of(conn, used.map(String::as_str))?;
            Ok((base, legs, warnings, sources))
        })
        .await?
        .respond(|reply, (base, legs, warnings, sources)| {
            let meta = reply.meta(&sources);
            render(&reply, meta, &legs, &base, warnings)
        })
}

/// The ids in `series=`, each checked for shape.
fn parse_series_ids(raw: Option<&str>) -> Result<Vec<SeriesId>, ApiError> {
    raw.map_or_else(Vec::new, |raw| raw.split(',').collect())
        .into_iter()
        .map(|id| parse_series_id("series", id.trim()))
        .collect()
}

/// The series each country is compared with: the one named in `series=`, else its headline
/// series; with the warnings for countries without one and for series standing in for them.
fn choose_series(
    conn: &mut DbConnection,
    countries: Vec<CountryRow>,
    measure: &str,
    overrides: &[SeriesRow],
) -> Result<(Vec<Chosen>, Vec<String>), ApiError> {
    let mut warnings = Vec::new();
    let mut chosen = Vec::new();
    for country in countries {
        let series = match overrides
            .iter()
            .find(|s| s.country.as_deref() == Some(country.code.as_str()))
        {
            Some(series) => Some(series.clone()),
            None => headline(conn, &country, measure, &mut warnings)?,
        };
        if let Some(series) = &series
            && let Some(region) = &series.region
        {
            warnings.push(comparison::stand_in_warning(
                &country.name,
                &series.name,
                region,
            ));
        }
        chosen.push((country, series));
    }
    Ok((chosen, warnings))
}

/// The country's headline series of `measure`; without one, the reason goes to `warnings`.
fn headline(
    conn: &mut DbConnection,
    country: &CountryRow,
    measure: &str,
    warnings: &mut Vec<String>,
) -> Result<Option<SeriesRow>, ApiError> {
    let filter = SeriesFilter {
        topic: Some(SeriesTopic::Wages),
        country: Some(country.code.clone()),
        measure: Some(measure.to_owned()),
        ..SeriesFilter::default()
    };
    let candidates = db_series::list(conn, &filter)?;
    let headline = candidates.iter().find(|s| s.headline).cloned();
    if headline.is_none() {
        let ids: Vec<&str> = candidates.iter().map(|s| s.id.as_str()).collect();
        warnings.push(comparison::no_series_reason(&country.name, measure, &ids));
    }
    Ok(headline)
}

/// The unit of time of the base country's series, which values are expressed per by default.
fn base_per(chosen: &[Chosen], base: &CountryRow) -> Option<TimeUnit> {
    chosen
        .iter()
        .find(|(c, _)| c.code == base.code)
        .and_then(|(_, s)| s.as_ref()?.per)
}

fn compute_legs(
    conn: &mut DbConnection,
    chosen: Vec<Chosen>,
    request: &Request,
    today: NaiveDate,
) -> Result<Vec<Leg>, ApiError> {
    let mut rate_tables = load::RateTables::default();
    chosen
        .into_iter()
        .map(|(country, series)| {
            let computed = match &series {
                Some(series) => load::compute_with(conn, series, request, today, &mut rate_tables)?,
                None => Computed::default(),
            };
            Ok(Leg {
                country,
                series,
                computed,
            })
        })
        .collect()
}

/// The comparison in the negotiated format: periods with every country's value in JSON, one line
/// per period and country in CSV and NDJSON.
fn render(
    reply: &Reply,
    mut meta: Meta,
    legs: &[Leg],
    base: &CountryRow,
    warnings: Vec<String>,
) -> Result<HttpResponse, ApiError> {
    let views: Vec<comparison::Leg> = legs.iter().map(Leg::view).collect();
    let base_index = legs
        .iter()
        .position(|l| l.country.code == base.code)
        .unwrap_or(0);
    let comparison = comparison::compare(&views, base_index, warnings);
    meta.unit = comparison.unit;
    meta.transformations = comparison.transformations;
    meta.warnings = comparison.warnings;
    let periods: Vec<ComparedPeriod> = comparison
        .periods
        .into_iter()
        .map(|(period, values)| ComparedPeriod {
            period,
            values: legs
                .iter()
                .zip(values)
                .map(|(l, v)| CountryValue::new(l, v))
                .collect(),
        })
        .collect();
    if reply.format == Format::Json {
        let count = periods.len();
        return reply.json(meta.with_count(count), periods);
    }
    if reply.format == Format::Svg {
        return reply.chart(&chart(&meta, legs, &periods));
    }
    let rows: Vec<ComparedRow> = periods
        .into_iter()
        .flat_map(|p| {
            let (period, unit) = (p.period, meta.unit.clone());
            p.values.into_iter().map(move |value| ComparedRow {
                period: period.clone(),
                value,
                unit: unit.clone(),
            })
        })
        .collect();
    reply.collection(meta, rows, "wage_comparison")
}

/// The comparison drawn: a line per country.
fn chart(meta: &Meta, legs: &[Leg], periods: &[ComparedPeriod]) -> Chart {
    let lines = legs
        .iter()
        .enumerate()
        .map(|(index, leg)| Line {
            name: leg.country.name.clone(),
            values: periods
                .iter()
                .map(|p| p.values.get(index).and_then(|v| v.value))
                .collect(),
        })
        .collect();
    let measure = legs.iter().find_map(|leg| leg.series.as_ref()).map_or_else(
        || "Wages".to_owned(),
        |series| sentence(&series.measure.replace('_', " ")),
    );
    let title = format!(
        "{measure}: {}",
        legs.iter()
            .map(|l| l.country.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let labels = periods.iter().map(|p| p.period.clone()).collect();
    Chart::new(title, meta, labels, lines)
}

/// `text` with a capital first letter.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The base country, which must be one of the compared countries.
fn base_country(
    conn: &mut Reading<'_>,
    countries: &[CountryRow],
    base: &CountryLookup,
) -> Result<CountryRow, ApiError> {
    let row = find_country(conn, "base", base)?;
    if countries.iter().any(|c| c.code == row.code) {
        Ok(row)
    } else {
        Err(ApiError::from(CompareError::BaseNotCompared(row.name))
            .with_allowed(countries.iter().map(|c| c.code.clone())))
    }
}

/// The series named in `series=`: each must exist, measure `measure` and belong to a compared
/// country, one per country.
fn override_series(
    conn: &mut DbConnection,
    ids: &[SeriesId],
    countries: &[CountryRow],
    measure: &str,
) -> Result<Vec<SeriesRow>, ApiError> {
    let compared: Vec<&str> = countries.iter().map(|c| c.code.as_str()).collect();
    let mut chosen: Vec<SeriesRow> = Vec::new();
    for id in ids {
        let series = db_series::find(conn, id)?
            .filter(|s| s.topic == SeriesTopic::Wages)
            .ok_or_else(|| {
                ApiError::new(
                    ProblemType::UnknownSeries,
                    format!("No wage series has the id '{id}'."),
                )
                .with_param("series")
                .with_help("/v1/wages/{country}")
            })?;
        let earlier: Vec<Override> = chosen.iter().map(as_override).collect();
        comparison::check_override(as_override(&series), measure, &compared, &earlier)?;
        chosen.push(series);
    }
    Ok(chosen)
}

fn as_override(series: &SeriesRow) -> Override<'_> {
    Override {
        id: &series.id,
        country: series.country.as_deref(),
        measure: &series.measure,
    }
}
