//! `/v1/trade`: flows, balances, mirror statistics and partner rankings, from every trade dataset
//! (the bundled Comtrade, AGTPA and Census files and whatever was imported), each value with the
//! source it comes from.

pub mod balance;
pub mod flows;
pub mod mirror;
pub mod partners;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::envelope::Meta;
use crate::api::lookup::{find_country, parse_country_list};
use crate::db::DbConnection;
use crate::db::datasets::DatasetRow;
use crate::db::sources::SourceRow;
use crate::db::trade::{PairCoverage, TradeFlowRow};
use std::collections::BTreeSet;

use crate::domain::country::{CountryLookup, shorten_for_display};
use crate::domain::period::{Frequency, Period};
use crate::domain::source::Reporting;
pub use crate::domain::trade::FlowDirection;
use crate::error::ApiError;

/// The dataset family every trade answer reads; imports add datasets to it.
pub const FAMILY: &str = "trade";

/// The most codes a list parameter takes.
const MAX_LIST: usize = 50;

/// A stored flow.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TradeFlow {
    /// Position in the store; listings are ordered by it and cursors point at it.
    #[schema(example = 13872)]
    pub id: i64,
    /// The country whose statistics report the flow (ISO alpha-3, or a source's own code).
    #[schema(example = "USA")]
    pub reporter: String,
    #[schema(example = "MEX")]
    pub partner: String,
    /// `export` (reporter to partner) or `import` (partner to reporter).
    #[schema(example = "import")]
    pub flow: String,
    /// A year (`2016`) or a month (`2016-07`).
    #[schema(example = "2016")]
    pub period: String,
    /// `annual` or `monthly`.
    #[schema(example = "annual")]
    pub frequency: String,
    /// Product classification: `TOTAL` (all goods), `ISIC_MANUF` (manufacturing), an HS vintage.
    #[schema(example = "TOTAL")]
    pub classification: String,
    /// Product code in that classification (`TOTAL`, `MANUFACTURING`, an HS code).
    #[schema(example = "TOTAL")]
    pub product_code: String,
    /// Current US dollars.
    #[schema(example = 294151000000.0)]
    pub value_usd: f64,
    #[schema(example = "census_bea_ft900_initial_as_reported_rounded_0.1bn")]
    pub source_id: String,
    /// The dataset the flow belongs to (`comtrade`, `agtpa`, `census` or an imported one).
    #[schema(example = "census")]
    pub dataset_id: String,
    pub note: Option<String>,
}

impl From<TradeFlowRow> for TradeFlow {
    fn from(row: TradeFlowRow) -> Self {
        Self {
            id: row.id,
            reporter: row.reporter,
            partner: row.partner,
            flow: row.flow,
            period: row.period,
            frequency: row.frequency,
            classification: row.classification,
            product_code: row.product_code,
            value_usd: row.value_usd,
            source_id: row.source_id,
            dataset_id: row.dataset_id,
            note: row.note,
        }
    }
}

/// Parses an optional comma-separated list of country codes, before any query.
pub fn country_list(param: &str, raw: Option<&str>) -> Result<Vec<CountryLookup>, ApiError> {
    match raw {
        Some(raw) => parse_country_list(param, raw, MAX_LIST),
        None => Ok(Vec::new()),
    }
}

/// The stored codes of validated country lookups.
pub fn resolve_countries(
    conn: &mut DbConnection,
    param: &str,
    lookups: &[CountryLookup],
) -> Result<Vec<String>, ApiError> {
    lookups
        .iter()
        .map(|lookup| Ok(find_country(conn, param, lookup)?.code))
        .collect()
}

/// Parses an optional comma-separated list of plain tokens (product codes, source or dataset
/// ids): ASCII letters, digits, `_`, `.` and `-`.
/// `meta` for an answer taken from one dataset: names only the `chosen` one among the trade
/// datasets read (all of them when none was chosen, as when nothing matched).
pub fn chosen_dataset_meta(
    datasets: &[DatasetRow],
    chosen: Option<&str>,
    sources: &[SourceRow],
    count: usize,
) -> Meta {
    let used: Vec<DatasetRow> = datasets
        .iter()
        .filter(|d| chosen == Some(d.id.as_str()))
        .cloned()
        .collect();
    let mut meta =
        Meta::new(if used.is_empty() { datasets } else { &used }, sources).with_count(count);
    meta.unit = Some("USD".to_owned());
    meta
}

pub fn token_list(param: &str, raw: Option<&str>) -> Result<Vec<String>, ApiError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    let tokens: Vec<String> = raw.split(',').map(|t| t.trim().to_owned()).collect();
    if tokens.len() > MAX_LIST {
        return Err(ApiError::invalid_parameter(
            param,
            format!("At most {MAX_LIST} values can be given."),
        ));
    }
    for token in &tokens {
        let valid = !token.is_empty()
            && token.len() <= 100
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        if !valid {
            return Err(ApiError::invalid_parameter(
                param,
                format!(
                    "'{}' is not a valid value: use letters, digits, '_', '.' and '-', comma-separated.",
                    shorten_for_display(token)
                ),
            ));
        }
    }
    Ok(tokens)
}

/// Registers the trade operations.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(flows::list_trade_flows)
        .service(balance::get_trade_balance)
        .service(mirror::get_trade_mirror)
        .service(partners::list_trade_partners);
}

/// One side of a flow between two countries, as a source has it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Reported {
    #[schema(example = 41580800000.0)]
    pub value_usd: f64,
    /// The country whose statistics give the value: the side itself, or its partner (a mirror
    /// figure); null where the dataset does not say which side reported it (`reporting: unknown`
    /// in `/v1/datasets`).
    #[schema(example = "USA")]
    pub reported_by: Option<String>,
    #[schema(example = "census_country_xlsx_2024_06")]
    pub source_id: String,
    #[schema(example = "census")]
    pub dataset_id: String,
}

impl From<&TradeFlowRow> for Reported {
    fn from(row: &TradeFlowRow) -> Self {
        Self {
            value_usd: row.value_usd,
            reported_by: Some(row.reporter.clone()),
            source_id: row.source_id.clone(),
            dataset_id: row.dataset_id.clone(),
        }
    }
}

/// The frequency a trade answer is asked in: trade figures are monthly at the finest, so days
/// are refused.
pub fn trade_frequency(asked: Option<Frequency>) -> Result<Option<Frequency>, ApiError> {
    if asked == Some(Frequency::Daily) {
        return Err(ApiError::invalid_parameter(
            "frequency",
            "Trade figures are monthly at the finest: use A, Q or M.",
        )
        .with_allowed(["A", "Q", "M"]));
    }
    Ok(asked)
}

/// A stored flow's period. One that does not parse (no importer stores one) is an error naming
/// the row, never skipped.
pub fn stored_period(row: &TradeFlowRow) -> Result<Period, ApiError> {
    Period::parse(&row.period).map_err(|_| {
        ApiError::internal(format!("trade flow {} has period '{}'", row.id, row.period))
    })
}

/// The datasets among `datasets` that do not say which side reported their figures.
pub fn unknown_reporting(datasets: &[DatasetRow]) -> BTreeSet<&str> {
    datasets
        .iter()
        .filter(|d| d.reporting == Reporting::Unknown)
        .map(|d| d.id.as_str())
        .collect()
}

/// Clears `reported_by` on the values whose dataset does not say who reported them, and says so
/// once in `warnings`: such a dataset cannot tell an own figure from a mirror one, and a gap
/// between it and another source is no reporting discrepancy.
pub fn withhold_unknown_reporters<'a>(
    values: impl Iterator<Item = &'a mut Reported>,
    datasets: &[DatasetRow],
    warnings: &mut Vec<String>,
) {
    let unknown = unknown_reporting(datasets);
    let mut withheld: BTreeSet<String> = BTreeSet::new();
    for value in values {
        if unknown.contains(value.dataset_id.as_str()) {
            value.reported_by = None;
            withheld.insert(value.dataset_id.clone());
        }
    }
    for dataset in withheld {
        warnings.push(format!(
            "dataset '{dataset}' does not say which country's statistics each figure comes from (its reporting is unknown or mixed: see /v1/datasets), so reported_by is null; a difference from another source is not a reporting discrepancy"
        ));
    }
}

/// Every flow between `a` and `b`, whichever reported it, of the given products and period range.
pub fn flows_between(
    conn: &mut DbConnection,
    a: &str,
    b: &str,
    base: &crate::db::trade::FlowFilter,
) -> Result<Vec<TradeFlowRow>, ApiError> {
    let mut rows = Vec::new();
    for (reporter, partner) in [(a, b), (b, a)] {
        let filter = crate::db::trade::FlowFilter {
            reporters: vec![reporter.to_owned()],
            partners: vec![partner.to_owned()],
            ..base.clone()
        };
        rows.extend(crate::db::trade::all(conn, &filter)?);
    }
    Ok(rows)
}

/// The warning for an answer without figures: which datasets do cover the pair, and when.
pub fn no_figures_message(country: &str, partner: &str, coverage: &[PairCoverage]) -> String {
    if coverage.is_empty() {
        return format!("no dataset has trade between {country} and {partner}");
    }
    let listed: Vec<String> = coverage
        .iter()
        .map(|c| {
            format!(
                "'{}' ({} to {})",
                c.dataset_id, c.first_period, c.last_period
            )
        })
        .collect();
    format!(
        "no figures for trade between {country} and {partner} in the requested periods or dataset; the datasets that cover the pair are {}",
        listed.join(", ")
    )
}
