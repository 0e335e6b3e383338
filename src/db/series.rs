//! Time series (wages, exchange rates, prices) and their observations.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::DbConnection;
use super::schema::{observations, series};
use crate::domain::series::{NativeFrequency, PriceBasis, SeriesTopic, TimeUnit};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = series)]
#[diesel(treat_none_as_default_value = false)]
pub struct SeriesRow {
    pub id: String,
    pub dataset_id: String,
    pub topic: SeriesTopic,
    pub country: Option<String>,
    pub region: Option<String>,
    pub measure: String,
    pub name: String,
    pub description: String,
    pub unit: String,
    pub currency: Option<String>,
    pub base_currency: Option<String>,
    pub per: Option<TimeUnit>,
    pub price_basis: PriceBasis,
    pub frequency: NativeFrequency,
    pub time_basis: String,
    pub headline: bool,
    pub source_id: String,
    pub first_period: String,
    pub last_period: String,
    pub latest_period: Option<String>,
    pub latest_start: Option<String>,
    pub latest_value: Option<f64>,
    pub observation_count: i64,
}

/// An observation as stored: also a row of its wage dataset's canonical table (`db::canonical`).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize, ToSchema)]
#[diesel(table_name = observations)]
#[diesel(treat_none_as_default_value = false)]
pub struct ObservationRow {
    pub series_id: String,
    pub period: String,
    #[diesel(deserialize_as = super::stored_date::StoredDate)]
    pub period_start: NaiveDate,
    #[diesel(deserialize_as = super::stored_date::StoredDate)]
    pub period_end: NaiveDate,
    pub value: Option<f64>,
    pub source_id: String,
    pub note: Option<String>,
    pub caveat: Option<String>,
}

/// Which series to list.
#[derive(Debug, Clone, Default)]
pub struct SeriesFilter {
    pub topic: Option<SeriesTopic>,
    pub country: Option<String>,
    pub measure: Option<String>,
    pub region: Option<String>,
    pub currency: Option<String>,
    pub base_currency: Option<String>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub fn list(conn: &mut DbConnection, filter: &SeriesFilter) -> QueryResult<Vec<SeriesRow>> {
    let mut query = series::table
        .select(SeriesRow::as_select())
        .order(series::id)
        .into_boxed();
    if let Some(topic) = filter.topic {
        query = query.filter(series::topic.eq(topic));
    }
    if let Some(country) = &filter.country {
        query = query.filter(series::country.eq(country.clone()));
    }
    if let Some(measure) = &filter.measure {
        query = query.filter(series::measure.eq(measure.clone()));
    }
    if let Some(region) = &filter.region {
        query = query.filter(series::region.eq(region.clone()));
    }
    if let Some(currency) = &filter.currency {
        query = query.filter(series::currency.eq(currency.clone()));
    }
    if let Some(base) = &filter.base_currency {
        query = query.filter(series::base_currency.eq(base.clone()));
    }
    query.load(conn)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<SeriesRow>> {
    super::on_backend!(conn, |c| series::table
        .find(id)
        .select(SeriesRow::as_select())
        .first(c))
    .optional()
}

/// The distinct measures of a topic (and country), for error messages that list what exists.
pub fn measures(
    conn: &mut DbConnection,
    topic: SeriesTopic,
    country: Option<&str>,
) -> QueryResult<Vec<String>> {
    let mut query = series::table
        .filter(series::topic.eq(topic))
        .select(series::measure)
        .distinct()
        .order(series::measure)
        .into_boxed();
    if let Some(country) = country {
        query = query.filter(series::country.eq(country.to_owned()));
    }
    query.load(conn)
}

/// The observations of a series that overlap the inclusive day range, in time order.
#[tracing::instrument(level = "debug", skip(conn))]
pub fn observations(
    conn: &mut DbConnection,
    series_id: &str,
    start: NaiveDate,
    end: NaiveDate,
) -> QueryResult<Vec<ObservationRow>> {
    super::on_backend!(conn, |c| observations::table
        .filter(observations::series_id.eq(series_id))
        .filter(observations::period_start.le(end))
        .filter(observations::period_end.ge(start))
        .order(observations::period_start)
        .select(ObservationRow::as_select())
        .load(c))
}

/// Replaces every series of a dataset and their observations.
pub fn replace_dataset(
    conn: &mut DbConnection,
    dataset_id: &str,
    series_rows: &[SeriesRow],
    observation_rows: &[ObservationRow],
) -> QueryResult<()> {
    let ids = series::table
        .filter(series::dataset_id.eq(dataset_id))
        .select(series::id);
    diesel::delete(observations::table.filter(observations::series_id.eq_any(ids)))
        .execute(conn)?;
    diesel::delete(series::table.filter(series::dataset_id.eq(dataset_id))).execute(conn)?;
    super::insert_rows!(conn, series::table, series_rows)?;
    super::insert_rows!(conn, observations::table, observation_rows)?;
    Ok(())
}
