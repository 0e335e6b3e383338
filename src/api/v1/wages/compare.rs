//! `GET /v1/wages/compare`: one measure for several countries, aligned by period, in one currency
//! and per one unit of time, with each country's ratio to a base country.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::compute::{self, Computed, CurrencyParam, Request};
use super::{DATASETS, check_series_id, unknown_measure};
use crate::api::AppState;
use crate::api::caching::{Scope, load_fresh};
use crate::api::envelope::{Envelope, Links};
use crate::api::format::{self, CsvRecord, Format};
use crate::api::lookup::{date_range, sources_of};
use crate::api::lookup::{find_country, parse_country, parse_country_list};
use crate::api::query::ApiQuery;
use crate::api::responses;
use crate::api::v1::countries::CountryRef;
use crate::db::DbConnection;
use crate::db::countries::CountryRow;
use crate::db::series::{self as db_series, SeriesFilter, SeriesRow};
use crate::domain::country::CountryLookup;
use crate::domain::period::Frequency;
use crate::domain::series::TimeUnit;
use crate::error::{ApiError, ProblemType};

const MAX_COUNTRIES: usize = 10;

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

/// A country's value in a period as one CSV line.
#[derive(Debug, Serialize)]
pub struct ComparedCsvRow {
    period: String,
    country: String,
    series_id: Option<String>,
    value: Option<f64>,
    ratio_to_base: Option<f64>,
    partial: bool,
}

/// The CSV and NDJSON forms of a comparison are long: one line per period and country.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComparedRow {
    pub period: String,
    #[serde(flatten)]
    pub value: CountryValue,
}

impl CsvRecord for ComparedRow {
    type Row = ComparedCsvRow;

    fn csv_row(&self) -> ComparedCsvRow {
        ComparedCsvRow {
            period: self.period.clone(),
            country: self.value.country.code.clone(),
            series_id: self.value.series_id.clone(),
            value: self.value.value,
            ratio_to_base: self.value.ratio_to_base,
            partial: self.value.partial,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
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
    #[param(example = "USD")]
    pub currency: Option<CurrencyParam>,
    /// Unit of time wages are expressed per (default: the base country's series' own).
    #[param(example = "hour")]
    pub per: Option<TimeUnit>,
    /// Country the ratios are relative to (default: the first of `countries`).
    #[param(example = "us")]
    pub base: Option<String>,
    /// Calendar periods to align on (default `A`).
    #[param(example = "A")]
    pub frequency: Option<Frequency>,
    /// First period (year, quarter or month).
    #[param(example = "2000")]
    pub from: Option<String>,
    /// Last period.
    #[param(example = "2017")]
    pub to: Option<String>,
    /// Representation; overrides the `Accept` header. CSV and NDJSON give one line per period and country.
    #[param(example = "json")]
    pub format: Option<Format>,
}

/// A country's part of the comparison.
struct Leg {
    country: CountryRow,
    series: Option<SeriesRow>,
    computed: Computed,
}

/// The series a country is compared with: the one named in `series=`, else its headline series.
fn choose_series(
    conn: &mut DbConnection,
    country: &CountryRow,
    measure: &str,
    overrides: &[SeriesRow],
) -> Result<(Option<SeriesRow>, Option<String>), ApiError> {
    if let Some(chosen) = overrides
        .iter()
        .find(|s| s.country.as_deref() == Some(country.code.as_str()))
    {
        return Ok((Some(chosen.clone()), None));
    }
    let candidates = db_series::list(
        conn,
        &SeriesFilter {
            topic: Some("wages"),
            country: Some(country.code.clone()),
            measure: Some(measure.to_owned()),
            ..SeriesFilter::default()
        },
    )?;
    if let Some(headline) = candidates.iter().find(|s| s.headline) {
        return Ok((Some(headline.clone()), None));
    }
    let why = if candidates.is_empty() {
        let loaded_elsewhere = match measure {
            "average_hourly_earnings" => {
                ": no Mexican or Canadian manufacturing wage series is loaded yet, only the U.S. one (the comparison behind \"a quarter of U.S. wages\" needs them); measure=average_wage compares OECD average wages of all employees"
            }
            _ => "",
        };
        format!("{} has no {measure} series{loaded_elsewhere}", country.name)
    } else {
        format!(
            "{} has no headline {measure} series; choose one with series= ({})",
            country.name,
            candidates
                .iter()
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Ok((None, Some(why)))
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
        (status = 200, description = "Aligned periods, oldest first (CSV and NDJSON: one line per period and country)",
            content(
                (Envelope<Vec<ComparedPeriod>> = "application/json"),
                (String = "text/csv"),
                (String = "application/x-ndjson"),
            )),
        responses::LookupFailures,
    )
)]
#[get("/v1/wages/compare")]
pub async fn compare_wages(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiQuery(query): ApiQuery<CompareQuery>,
) -> Result<HttpResponse, ApiError> {
    let lookups = parse_country_list("countries", &query.countries, MAX_COUNTRIES)?;
    let base = match &query.base {
        Some(raw) => parse_country("base", raw)?,
        None => lookups[0].clone(),
    };
    let series_ids: Vec<String> = match &query.series {
        Some(raw) => raw.split(',').map(|s| s.trim().to_owned()).collect(),
        None => Vec::new(),
    };
    for id in &series_ids {
        check_series_id("series", id)?;
    }
    if query.currency == Some(CurrencyParam::Local) {
        return Err(ApiError::invalid_parameter(
            "currency",
            "A comparison needs one currency; currency=local would mix them.",
        )
        .with_allowed(["USD", "MXN", "CAD"]));
    }
    let range = date_range(query.from.as_deref(), query.to.as_deref())?;
    let format = format::negotiate(&req, query.format)?;
    let measure = query.measure;
    let (currency, per, frequency) = (
        query.currency.unwrap_or(CurrencyParam::Usd),
        query.per,
        query.frequency.unwrap_or(Frequency::Annual),
    );
    load_fresh(&state, &req, format, Scope::Ids(DATASETS), move |conn| {
        let countries = lookups
            .iter()
            .map(|lookup| find_country(conn, "countries", lookup))
            .collect::<Result<Vec<_>, _>>()?;
        let base = base_country(conn, &countries, &base)?;
        if !db_series::measures(conn, "wages", None)?.contains(&measure) {
            return Err(unknown_measure(conn, "wages", None, &measure));
        }
        let overrides = override_series(conn, &series_ids, &countries, &measure)?;
        let mut warnings = Vec::new();
        let mut chosen = Vec::new();
        for country in countries {
            let (series, why) = choose_series(conn, &country, &measure, &overrides)?;
            warnings.extend(why);
            if let Some(region) = series.as_ref().and_then(|s| s.region.as_deref()) {
                warnings.push(format!(
                    "{}: {} covers {region} only and stands in for the whole country",
                    country.name,
                    series.as_ref().map_or("", |s| s.name.as_str())
                ));
            }
            chosen.push((country, series));
        }
        let per = per.or_else(|| {
            chosen
                .iter()
                .find(|(c, _)| c.code == base.code)
                .and_then(|(_, s)| s.as_ref()?.per.as_deref().and_then(TimeUnit::parse))
        });
        let request = Request {
            range,
            frequency: Some(frequency),
            currency,
            per,
        };
        let mut legs = Vec::new();
        for (country, series) in chosen {
            let computed = match &series {
                Some(series) => compute::compute(conn, series, &request)?,
                None => Computed::default(),
            };
            legs.push(Leg {
                country,
                series,
                computed,
            });
        }
        let sources = sources_of(
            conn,
            legs.iter()
                .flat_map(|l| l.computed.source_ids.iter().map(String::as_str)),
        )?;
        Ok((base, legs, warnings, sources))
    })
    .await?
    .respond(|reply, (base, legs, mut warnings, sources)| {
        let mut meta = reply.meta(&sources);
        let units: Vec<&str> = legs
            .iter()
            .filter(|l| l.series.is_some())
            .map(|l| l.computed.unit.as_str())
            .collect();
        meta.unit = units.first().map(|u| (*u).to_owned());
        if units.iter().any(|u| Some(*u) != units.first().copied()) {
            warnings.push(format!(
                "the series are in different units ({}); ratios between different units are null",
                units.join(", ")
            ));
        }
        for leg in &legs {
            let id = leg.series.as_ref().map_or("", |s| s.id.as_str());
            meta.transformations.extend(
                leg.computed
                    .transformations
                    .iter()
                    .map(|t| format!("{id}: {t}")),
            );
            warnings.extend(leg.computed.warnings.iter().cloned());
        }
        meta.warnings = warnings;
        let periods = align(&legs, &base);
        let links = Links::to_self(req.uri().to_string());
        if format == Format::Json {
            let envelope = Envelope {
                meta: meta.with_count(periods.len()),
                data: periods,
                links,
            };
            return format::json(&reply.validators, &envelope);
        }
        let rows: Vec<ComparedRow> = periods
            .into_iter()
            .flat_map(|p| {
                let period = p.period;
                p.values.into_iter().map(move |value| ComparedRow {
                    period: period.clone(),
                    value,
                })
            })
            .collect();
        let envelope = Envelope {
            meta: meta.with_count(rows.len()),
            data: rows,
            links,
        };
        format::collection(format, &reply.validators, &envelope, "wage_comparison")
    })
}

/// The base country, which must be one of the compared countries.
fn base_country(
    conn: &mut DbConnection,
    countries: &[CountryRow],
    base: &CountryLookup,
) -> Result<CountryRow, ApiError> {
    let row = find_country(conn, "base", base)?;
    if countries.iter().any(|c| c.code == row.code) {
        Ok(row)
    } else {
        Err(ApiError::invalid_parameter(
            "base",
            format!(
                "The base ({}) must be one of the compared countries.",
                row.name
            ),
        )
        .with_allowed(countries.iter().map(|c| c.code.clone())))
    }
}

/// The series named in `series=`: each must exist, measure `measure` and belong to a compared
/// country, one per country.
fn override_series(
    conn: &mut DbConnection,
    ids: &[String],
    countries: &[CountryRow],
    measure: &str,
) -> Result<Vec<SeriesRow>, ApiError> {
    let mut chosen: Vec<SeriesRow> = Vec::new();
    for id in ids {
        let series = db_series::find(conn, id)?
            .filter(|s| s.topic == "wages")
            .ok_or_else(|| {
                ApiError::new(
                    ProblemType::UnknownSeries,
                    format!("No wage series has the id '{id}'."),
                )
                .with_param("series")
                .with_help("/v1/wages/{country}")
            })?;
        let belongs = countries
            .iter()
            .any(|c| series.country.as_deref() == Some(c.code.as_str()));
        if !belongs || series.measure != measure {
            return Err(ApiError::invalid_parameter(
                "series",
                format!(
                    "Series '{id}' is not a {measure} series of one of the compared countries."
                ),
            ));
        }
        if chosen.iter().any(|s| s.country == series.country) {
            return Err(ApiError::invalid_parameter(
                "series",
                format!(
                    "Give at most one series per country; '{id}' is the second for its country."
                ),
            ));
        }
        chosen.push(series);
    }
    Ok(chosen)
}

/// Every period any country has, with every country's value and its ratio to the base.
fn align(legs: &[Leg], base: &CountryRow) -> Vec<ComparedPeriod> {
    let mut by_period: BTreeMap<&str, Vec<Option<&compute::Figure>>> = BTreeMap::new();
    for (index, leg) in legs.iter().enumerate() {
        for figure in &leg.computed.figures {
            by_period
                .entry(figure.period.as_str())
                .or_insert_with(|| vec![None; legs.len()])[index] = Some(figure);
        }
    }
    let base_index = legs
        .iter()
        .position(|l| l.country.code == base.code)
        .unwrap_or(0);
    // A ratio of values in different units (constant prices of different releases, say) is no
    // ratio: it stays null.
    let base_unit = legs
        .get(base_index)
        .map_or("", |l| l.computed.unit.as_str());
    by_period
        .into_iter()
        .map(|(period, figures)| {
            let base_value = figures[base_index].and_then(|f| f.value);
            let values = legs
                .iter()
                .zip(&figures)
                .map(|(leg, figure)| {
                    let value = figure.and_then(|f| f.value);
                    let missing = match (&leg.series, value) {
                        (None, _) => Some(format!(
                            "{} has no series for this measure",
                            leg.country.name
                        )),
                        (Some(_), None) => {
                            Some(format!("{} has no value for {period}", leg.country.name))
                        }
                        _ => None,
                    };
                    CountryValue {
                        country: CountryRef::from(&leg.country),
                        series_id: leg.series.as_ref().map(|s| s.id.clone()),
                        value,
                        ratio_to_base: value
                            .zip(base_value)
                            .filter(|(_, b)| *b != 0.0 && leg.computed.unit == base_unit)
                            .map(|(v, b)| v / b),
                        partial: figure.is_some_and(|f| f.partial),
                        missing,
                    }
                })
                .collect();
            ComparedPeriod {
                period: period.to_owned(),
                values,
            }
        })
        .collect()
}
