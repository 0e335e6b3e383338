//! The `wages` dataset: minimum and average wages, exchange rates and prices, from the files
//! under `data/wages/` (see its PROVENANCE.md). Each file has a reader in a submodule that turns
//! its rows into series and observations; this module holds what they share.

mod canada;
mod exchange_rates;
mod mexico;
mod oecd;
mod prices;
mod united_states;

use chrono::{Datelike, NaiveDate};

use super::bundled::{self, BundledFile};
use super::csv_rows::row_error;
use super::{BundledDataset, BundledLoader, CatalogueEntry, ImportError, LoadSummary};
use crate::db::DbConnection;
use crate::db::series::{self as db_series, ObservationRow, SeriesRow};
use crate::domain::period::{Frequency, Period, iso_date};
use crate::domain::series::{NativeFrequency, PriceBasis, SeriesTopic, TimeUnit};
use crate::domain::source::{DatasetFamily, Reporting};

pub const DATASET_ID: &str = "wages";

struct Wages;

/// The files this dataset reads, compiled into the binary.
fn files() -> [BundledFile; 21] {
    [
        mexico::NOMINAL_CSV,
        mexico::BANXICO_MONTHLY_CSV,
        mexico::DOF_CORRECTIONS_CSV,
        mexico::MANIFEST_JSON,
        united_states::FEDERAL_CHANGES_CSV,
        united_states::FEDERAL_ANNUAL_CSV,
        united_states::STATE_CHANGES_CSV,
        united_states::STATE_ANNUAL_CSV,
        united_states::STATE_CORRECTIONS_CSV,
        united_states::EARNINGS_CSV,
        canada::ESDC_CSV,
        canada::ONTARIO_CSV,
        oecd::REAL_MINIMUM_WAGE_CSV,
        oecd::AVERAGE_WAGES_CSV,
        oecd::COUNTRY_NAMES_CSV,
        oecd::AVERAGE_WAGES_2025_CSV,
        exchange_rates::FRED_CSV,
        exchange_rates::BANXICO_FIX_CSV,
        prices::CPI_CSV,
        prices::INFLATION_CSV,
        prices::CPI_CAN_MEX_CSV,
    ]
}

/// What a series is, before its observations are known.
#[derive(Debug, Clone)]
pub struct SeriesSpec {
    pub id: String,
    pub topic: SeriesTopic,
    pub country: Option<String>,
    pub region: Option<String>,
    pub measure: &'static str,
    pub name: String,
    pub description: String,
    pub unit: String,
    pub currency: Option<&'static str>,
    pub base_currency: Option<&'static str>,
    pub per: Option<TimeUnit>,
    pub price_basis: PriceBasis,
    pub frequency: NativeFrequency,
    pub time_basis: &'static str,
    pub headline: bool,
    pub source_id: String,
}

/// A series with its observations, ready to store.
#[derive(Debug, Clone)]
pub struct LoadedSeries {
    pub row: SeriesRow,
    pub observations: Vec<ObservationRow>,
}

/// An observation as the readers build it, before it is attached to a series: the domain's
/// observation, which the readers' constructors below make from a period or an effective date.
pub use crate::domain::series::Observation as Obs;

impl Obs {
    /// An observation for a calendar period (a year, month or day).
    pub fn for_period(period: Period, value: Option<f64>, source_id: &str) -> Self {
        Obs {
            period: period.to_string(),
            start: period.first_day(),
            end: period.last_day(),
            value,
            source_id: source_id.to_owned(),
            note: None,
            caveat: None,
        }
    }

    pub fn with_note(mut self, note: Option<String>) -> Self {
        self.note = note.filter(|n| !n.trim().is_empty());
        self
    }
}

/// A value in force from a date.
#[derive(Debug, Clone)]
pub struct Event {
    pub line: u64,
    pub start: NaiveDate,
    /// The last day, where the source states it.
    pub end: Option<NaiveDate>,
    pub value: Option<f64>,
    pub source_id: String,
    pub note: Option<String>,
    pub caveat: Option<String>,
}

/// Turns events into observations: each holds until its stated end, or else until the day before
/// the next event; the last one, when the source gives no end, is served through the end of its
/// year and no further (the source does not say what came after). A caveat about an event's start
/// also concerns the end of the event before it, so it is copied there.
pub fn events_to_observations(file: &str, mut events: Vec<Event>) -> Result<Vec<Obs>, ImportError> {
    events.sort_by_key(|e| e.start);
    let mut observations: Vec<Obs> = Vec::with_capacity(events.len());
    for (index, event) in events.iter().enumerate() {
        let next_start = events.get(index + 1).map(|n| n.start);
        if next_start == Some(event.start) {
            return Err(row_error(
                file,
                event.line,
                format!("two values start on {}", event.start),
            ));
        }
        let end = match (event.end, next_start) {
            (Some(end), _) => end,
            (None, Some(next)) => next.pred_opt().unwrap_or(next),
            (None, None) => Period::Year(event.start.year()).last_day(),
        };
        if end < event.start || next_start.is_some_and(|n| end >= n) {
            return Err(row_error(
                file,
                event.line,
                format!("validity ends on {end}, outside its own span"),
            ));
        }
        observations.push(Obs {
            period: iso_date(event.start),
            start: event.start,
            end,
            value: event.value,
            source_id: event.source_id.clone(),
            note: event.note.clone().filter(|n| !n.trim().is_empty()),
            caveat: event.caveat.clone(),
        });
    }
    for index in 1..observations.len() {
        let adjacent = observations[index - 1].end.succ_opt() == Some(observations[index].start);
        if let (Some(caveat), true) = (observations[index].caveat.clone(), adjacent) {
            let previous = &mut observations[index - 1];
            let inherited =
                format!("the end of this value depends on the start of the next: {caveat}");
            previous.caveat = Some(match &previous.caveat {
                Some(own) => format!("{own}; {inherited}"),
                None => inherited,
            });
        }
    }
    Ok(observations)
}

/// Attaches observations to a spec and works out coverage and the latest value.
pub fn finish(spec: SeriesSpec, mut observations: Vec<Obs>) -> LoadedSeries {
    observations.sort_by_key(|o| o.start);
    let first = observations
        .first()
        .map(|o| o.period.clone())
        .unwrap_or_default();
    let last = observations
        .last()
        .map(|o| o.period.clone())
        .unwrap_or_default();
    let latest = observations.iter().rev().find(|o| o.value.is_some());
    let row = SeriesRow {
        id: spec.id.clone(),
        dataset_id: DATASET_ID.to_owned(),
        topic: spec.topic,
        country: spec.country,
        region: spec.region,
        measure: spec.measure.to_owned(),
        name: spec.name,
        description: spec.description,
        unit: spec.unit,
        currency: spec.currency.map(str::to_owned),
        base_currency: spec.base_currency.map(str::to_owned),
        per: spec.per,
        price_basis: spec.price_basis,
        frequency: spec.frequency,
        time_basis: spec.time_basis.to_owned(),
        headline: spec.headline,
        source_id: spec.source_id,
        first_period: first,
        last_period: last,
        latest_period: latest.map(|o| o.period.clone()),
        latest_start: latest.map(|o| iso_date(o.start)),
        latest_value: latest.and_then(|o| o.value),
        observation_count: observations.len() as i64,
    };
    let observations = observations
        .into_iter()
        .map(|o| ObservationRow {
            series_id: spec.id.clone(),
            period: o.period,
            period_start: o.start,
            period_end: o.end,
            value: o.value,
            source_id: o.source_id,
            note: o.note,
            caveat: o.caveat,
        })
        .collect();
    LoadedSeries { row, observations }
}

/// The source a series is credited to when its rows name their own: that of the last row, the
/// newest vintage or revision its latest values come from.
pub fn last_source(observations: &[Obs]) -> String {
    observations
        .last()
        .map(|o| o.source_id.clone())
        .unwrap_or_default()
}

/// The start of a country's series ids (`us.cpi_u`, `mx.minimum_wage.general`): its ISO alpha-2
/// code in lower case, so that ids built from an alpha-3 column read like those written by hand.
pub fn country_id_prefix(file: &str, alpha3: &str) -> Result<String, ImportError> {
    rust_iso3166::from_alpha3(alpha3)
        .map(|country| country.alpha2.to_lowercase())
        .ok_or_else(|| ImportError::File {
            file: file.to_owned(),
            reason: format!("'{alpha3}' is not an ISO alpha-3 code, so it has no alpha-2 for ids"),
        })
}

/// Parses a number column; an empty cell is `None`.
pub fn parse_number(
    file: &str,
    line: u64,
    column: &str,
    raw: &str,
) -> Result<Option<f64>, ImportError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(Some)
        .ok_or_else(|| row_error(file, line, format!("{column} '{raw}' is not a number")))
}

/// Parses a column that must hold an ISO 3166-1 alpha-3 code, as the standard spells it.
pub fn parse_alpha3(
    file: &str,
    line: u64,
    column: &str,
    raw: &str,
) -> Result<&'static str, ImportError> {
    rust_iso3166::from_alpha3(raw)
        .map(|country| country.alpha3)
        .ok_or_else(|| {
            row_error(
                file,
                line,
                format!("{column} '{raw}' is not an ISO alpha-3 code"),
            )
        })
}

/// The entry of a file's list of countries that a row names. Such files are loaded for a few
/// countries only; a row for another means the file is not the one its reader was written for.
pub fn listed_country<T>(
    file: &str,
    line: u64,
    raw: &str,
    listed: impl IntoIterator<Item = T>,
    country: impl Fn(&T) -> &str,
) -> Result<T, ImportError> {
    listed
        .into_iter()
        .find(|entry| country(entry) == raw)
        .ok_or_else(|| row_error(file, line, format!("unexpected country '{raw}'")))
}

/// Parses a period column of the file's frequency. Each wage file states one frequency per column
/// (or per row), so a period of another kind is a malformed row, never a coarser or finer value.
pub fn parse_period(
    file: &str,
    line: u64,
    column: &str,
    raw: &str,
    frequency: Frequency,
) -> Result<Period, ImportError> {
    let period =
        Period::parse(raw.trim()).map_err(|e| row_error(file, line, format!("{column}: {e}")))?;
    if period.frequency() == frequency {
        Ok(period)
    } else {
        Err(row_error(
            file,
            line,
            format!("{column} '{raw}' does not fit {} data", frequency.name()),
        ))
    }
}

/// Parses a `YYYY-MM-DD` column: the effective dates of changes are days, not periods.
pub fn parse_day(file: &str, line: u64, column: &str, raw: &str) -> Result<NaiveDate, ImportError> {
    parse_period(file, line, column, raw, Frequency::Daily).map(Period::first_day)
}

/// A nominal minimum wage as dated changes, each in force until the next. The U.S., Canadian and
/// Mexican series of changes share all of this, and must keep sharing it to be compared; callers
/// name the series and fill in the rest.
pub fn minimum_wage_spec(
    id: String,
    country: &str,
    currency: &'static str,
    per: TimeUnit,
    source_id: String,
) -> SeriesSpec {
    SeriesSpec {
        id,
        topic: SeriesTopic::Wages,
        country: Some(country.to_owned()),
        region: None,
        measure: "minimum_wage",
        name: String::new(),
        description: String::new(),
        unit: format!("{currency} per {}", per.as_str()),
        currency: Some(currency),
        base_currency: None,
        per: Some(per),
        price_basis: PriceBasis::Nominal,
        frequency: NativeFrequency::Event,
        time_basis: "in force from the effective date until the next value",
        headline: false,
        source_id,
    }
}

fn all_series() -> Result<Vec<LoadedSeries>, ImportError> {
    let mut all = Vec::new();
    all.extend(mexico::series()?);
    all.extend(united_states::series()?);
    all.extend(canada::series()?);
    all.extend(oecd::series()?);
    all.extend(exchange_rates::series()?);
    all.extend(prices::series()?);
    Ok(all)
}

/// Its entry in the catalogue, with what loads it.
pub static WAGES: BundledDataset = BundledDataset {
    entry: CatalogueEntry {
        id: DATASET_ID,
        family: DatasetFamily::Wages,
        title: "Wages, exchange rates and prices",
        description: "Minimum wages (Mexico, U.S. federal and states, Ontario), OECD average and real minimum wages, USD/MXN and USD/CAD exchange rates, U.S. CPI and annual inflation",
        basis: "minimum wages as dated changes in force from their effective dates (U.S. federal and state laws, CONASAMI resolutions in the DOF, ESDC and Ontario), nominal local currency; average wages: OECD AV_AN_WAGE in USD PPP at constant 2025 prices (2025/26 release) and BLS CES average hourly earnings (seasonally adjusted, FRED-MD vintage 2025-05); exchange rates: Banxico FIX and Federal Reserve H.10/G.5 averages; prices: BLS CPI-U 1982-84=100, Statistics Canada CPI 2002=100, INEGI INPC 2Q Jul 2018=100, World Bank WDI inflation; each series states its unit, price base and source",
        reporting: Reporting::NotApplicable,
    },
    loader: &Wages,
};

impl BundledLoader for Wages {
    fn checksum(&self) -> String {
        bundled::checksum(&files(), b"")
    }

    fn load(&self, _: &str, conn: &mut DbConnection) -> Result<LoadSummary, ImportError> {
        let loaded = all_series()?;
        let coverage = loaded
            .iter()
            .filter(|s| s.row.topic == SeriesTopic::Wages)
            .flat_map(|s| [s.row.first_period.clone(), s.row.last_period.clone()])
            .map(|p| p.chars().take(4).collect::<String>())
            .fold(None, |acc: Option<(String, String)>, year| match acc {
                None => Some((year.clone(), year)),
                Some((lo, hi)) => Some((lo.min(year.clone()), hi.max(year))),
            });
        let series_rows: Vec<SeriesRow> = loaded.iter().map(|s| s.row.clone()).collect();
        let observation_rows: Vec<ObservationRow> =
            loaded.into_iter().flat_map(|s| s.observations).collect();
        db_series::replace_dataset(conn, DATASET_ID, &series_rows, &observation_rows)?;
        Ok(LoadSummary {
            rows: observation_rows.len() as i64,
            coverage,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_id_starts_with_the_alpha2_of_an_iso_country_and_never_a_placeholder() {
        assert_eq!(country_id_prefix("f.csv", "MEX").unwrap(), "mx");
        let refused = country_id_prefix("f.csv", "XKX").unwrap_err().to_string();
        assert!(
            refused.contains("f.csv") && refused.contains("XKX"),
            "{refused}"
        );
    }

    fn day(s: &str) -> NaiveDate {
        crate::domain::period::parse_iso_date(s).unwrap()
    }

    fn event(start: &str, value: f64, caveat: Option<&str>) -> Event {
        Event {
            line: 2,
            start: day(start),
            end: None,
            value: Some(value),
            source_id: "s".into(),
            note: None,
            caveat: caveat.map(str::to_owned),
        }
    }

    #[test]
    fn events_hold_until_the_next_and_the_last_through_its_year() {
        let obs = events_to_observations(
            "f",
            vec![
                event("2018-12-01", 88.36, Some("check the date")),
                event("2017-01-01", 80.04, None),
            ],
        )
        .unwrap();
        assert_eq!(obs[0].end, day("2018-11-30"));
        assert_eq!(obs[1].end, day("2018-12-31"));
        assert_eq!(obs[1].caveat.as_deref(), Some("check the date"));
        assert_eq!(
            obs[0].caveat.as_deref(),
            Some("the end of this value depends on the start of the next: check the date")
        );
    }

    #[test]
    fn two_values_starting_the_same_day_are_rejected() {
        let err = events_to_observations(
            "f",
            vec![
                event("2019-01-01", 1.0, None),
                event("2019-01-01", 2.0, None),
            ],
        );
        assert!(err.is_err());
    }

    #[test]
    fn every_bundled_file_loads() {
        let series = all_series().expect("bundled wage files are valid");
        let ids: Vec<&str> = series.iter().map(|s| s.row.id.as_str()).collect();
        for id in [
            "mx.minimum_wage.general",
            "mx.minimum_wage.border",
            "us.minimum_wage.federal",
            "ca.minimum_wage.ontario",
            "fx.usd_mxn.fix_monthly",
            "us.cpi_u",
        ] {
            assert!(ids.contains(&id), "{id} missing");
        }
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "duplicate series ids");
    }
}
