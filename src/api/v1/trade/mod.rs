//! `/v1/trade`: flows, balances, mirror statistics and partner rankings, from every trade dataset
//! (the bundled Comtrade, AGTPA and Census files and whatever was imported), each value with the
//! source it comes from.

pub mod balance;
pub mod flows;
pub mod mirror;
pub mod partners;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use std::collections::BTreeSet;

use crate::api::envelope::Meta;
use crate::api::lookup::{find_country, parse_country_list, sources_of};
use crate::api::reading::Reading;
use crate::db::countries::CountryRow;
use crate::db::datasets::DatasetRow;
use crate::db::sources::SourceRow;
use crate::db::trade::{self as db_trade, FlowFilter, PairCoverage, TradeFlowRow};
use crate::domain::country::{CountryLookup, shorten_for_display};
use crate::domain::period::{DateRange, Frequency, MONTHLY_OR_COARSER, Period};
use crate::domain::source::{DatasetFamily, Reporting};
pub use crate::domain::trade::FlowDirection;
use crate::domain::trade::balance::Side;
use crate::domain::trade::{Covered, Figure, Notes, Party, ReportedFlow, unknown_reporter_warning};
use crate::error::ApiError;

/// The dataset family every trade answer reads; imports add datasets to it.
pub const FAMILY: DatasetFamily = DatasetFamily::Trade;

/// The most codes a list parameter takes.
pub const MAX_LIST: usize = 50;

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
    pub flow: FlowDirection,
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
            frequency: row.frequency.as_str().to_owned(),
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
    conn: &mut Reading<'_>,
    param: &str,
    lookups: &[CountryLookup],
) -> Result<Vec<String>, ApiError> {
    lookups
        .iter()
        .map(|lookup| Ok(find_country(conn, param, lookup)?.code))
        .collect()
}

/// `meta` for an answer taken from one dataset: names only the `chosen` one among the trade
/// datasets read (all of them when none was chosen, as when nothing matched).
pub fn chosen_dataset_meta(
    datasets: &[DatasetRow],
    chosen: Option<&str>,
    sources: &[SourceRow],
) -> Meta {
    rows_meta(datasets, chosen, sources)
}

/// `meta` for an answer whose rows come from the datasets `holding`: names those among the trade
/// datasets read, so that `meta.dataset` is the dataset of the rows whenever they share one (all
/// of the datasets read when no row was returned).
pub fn rows_meta<'a>(
    datasets: &[DatasetRow],
    holding: impl IntoIterator<Item = &'a str>,
    sources: &[SourceRow],
) -> Meta {
    let holding: BTreeSet<&str> = holding.into_iter().collect();
    let used: Vec<DatasetRow> = datasets
        .iter()
        .filter(|d| holding.contains(d.id.as_str()))
        .cloned()
        .collect();
    usd_meta(if used.is_empty() { datasets } else { &used }, sources)
}

/// `meta` for values in US dollars read from `datasets`.
fn usd_meta(datasets: &[DatasetRow], sources: &[SourceRow]) -> Meta {
    let mut meta = Meta::new(datasets, sources);
    meta.unit = Some("USD".to_owned());
    meta
}

/// The one value of a parameter that takes a single token (see `token_list`); a list is refused
/// rather than cut to its first value.
pub fn single_token(param: &str, raw: Option<&str>) -> Result<Option<String>, ApiError> {
    let mut tokens = token_list(param, raw)?;
    if tokens.len() > 1 {
        return Err(ApiError::invalid_parameter(
            param,
            format!("{param} takes one value, not a list."),
        ));
    }
    Ok(tokens.pop())
}

/// The product code asked for: `TOTAL` (all goods) unless told.
pub fn product_code(raw: Option<&str>) -> Result<String, ApiError> {
    Ok(single_token("product", raw)?.unwrap_or_else(|| "TOTAL".to_owned()))
}

/// Parses an optional comma-separated list of plain tokens (product codes, source or dataset
/// ids): ASCII letters, digits, `_`, `.` and `-`.
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
        .service(flows::query_trade_flows)
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

impl Reported {
    fn new(value_usd: f64, reported_by: &str, source_id: &str, dataset_id: &str) -> Self {
        Self {
            value_usd,
            reported_by: Some(reported_by.to_owned()),
            source_id: source_id.to_owned(),
            dataset_id: dataset_id.to_owned(),
        }
    }
}

impl From<&ReportedFlow<'_>> for Reported {
    fn from(flow: &ReportedFlow<'_>) -> Self {
        Self::new(
            flow.figure.value_usd,
            flow.reporter,
            flow.figure.source_id,
            flow.dataset_id,
        )
    }
}

impl From<&Side<'_>> for Reported {
    fn from(side: &Side<'_>) -> Self {
        Self::new(
            side.value.value_usd,
            side.reported_by,
            side.value.source_id,
            side.dataset_id,
        )
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
        .with_allowed(MONTHLY_OR_COARSER.map(Frequency::code)));
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
    warnings.extend(
        withheld
            .iter()
            .map(|dataset| unknown_reporter_warning(dataset)),
    );
}

/// The two countries of a pair, found in the store; `param` names the first one's parameter.
/// A pair is two different countries.
fn find_pair(
    conn: &mut Reading<'_>,
    (param, first): (&str, &CountryLookup),
    partner: &CountryLookup,
) -> Result<(CountryRow, CountryRow), ApiError> {
    let first = find_country(conn, param, first)?;
    let partner = find_country(conn, "partner", partner)?;
    if first.code == partner.code {
        return Err(ApiError::invalid_parameter(
            "partner",
            format!("The partner must differ from the {param} ({}).", first.name),
        ));
    }
    Ok((first, partner))
}

/// The flows of `product` between two countries whose periods start in `range`, from `sources`
/// (any when empty).
pub fn pair_filter(product: String, range: DateRange, sources: Vec<String>) -> FlowFilter {
    let (start_from, start_to) = range.stored_bounds();
    FlowFilter {
        products: vec![product],
        start_from: Some(start_from),
        start_to: Some(start_to),
        sources,
        ..FlowFilter::default()
    }
}

/// What a balance or a mirror comparison reads of a pair of countries.
pub struct PairFlows {
    pub first: CountryRow,
    pub partner: CountryRow,
    /// Every flow between the two, whichever reported it.
    pub rows: Vec<TradeFlowRow>,
    pub sources: Vec<SourceRow>,
    /// The datasets that cover the pair, read only when no flow matched the filter.
    coverage: Vec<PairCoverage>,
}

impl PairFlows {
    pub fn load(
        conn: &mut Reading<'_>,
        first: (&str, &CountryLookup),
        partner: &CountryLookup,
        base: &FlowFilter,
    ) -> Result<Self, ApiError> {
        let (first, partner) = find_pair(conn, first, partner)?;
        let mut rows = Vec::new();
        for (reporter, towards) in [(&first, &partner), (&partner, &first)] {
            let filter = FlowFilter {
                reporters: vec![reporter.code.clone()],
                partners: vec![towards.code.clone()],
                ..base.clone()
            };
            rows.extend(db_trade::all(conn, &filter)?);
        }
        // With no figure in range, the answer names the datasets that do cover the pair.
        let coverage = if rows.is_empty() {
            db_trade::pair_coverage(conn, &first.code, &partner.code, &base.products)?
        } else {
            Vec::new()
        };
        let sources = sources_of(conn, rows.iter().map(|r| r.source_id.as_str()))?;
        Ok(Self {
            first,
            partner,
            rows,
            sources,
            coverage,
        })
    }

    /// The rows as the rules read them.
    pub fn flows(&self) -> Result<Vec<ReportedFlow<'_>>, ApiError> {
        reported_flows(&self.rows)
    }

    pub fn parties(&self) -> (Party<'_>, Party<'_>) {
        (party(&self.first), party(&self.partner))
    }

    pub fn coverage(&self) -> Vec<Covered<'_>> {
        self.coverage
            .iter()
            .map(|c| Covered {
                dataset_id: &c.dataset_id,
                first_period: &c.first_period,
                last_period: &c.last_period,
            })
            .collect()
    }
}

/// A stored country as the rules name it.
pub fn party(country: &CountryRow) -> Party<'_> {
    Party {
        code: &country.code,
        name: &country.name,
    }
}

/// Adds what the rules say of an answer to its `meta`.
pub fn add_notes(meta: &mut Meta, notes: Notes) {
    meta.transformations.extend(notes.transformations);
    meta.warnings.extend(notes.warnings);
}

/// Stored rows as the rules read them; see `reported_flow`.
pub fn reported_flows(rows: &[TradeFlowRow]) -> Result<Vec<ReportedFlow<'_>>, ApiError> {
    rows.iter().map(reported_flow).collect()
}

/// A stored row as the rules read it. A row whose period does not parse (no importer stores
/// one) is an error naming it, never skipped.
fn reported_flow(row: &TradeFlowRow) -> Result<ReportedFlow<'_>, ApiError> {
    Ok(ReportedFlow {
        reporter: &row.reporter,
        partner: &row.partner,
        flow: row.flow,
        figure: Figure {
            period: stored_period(row)?,
            value_usd: row.value_usd,
            source_id: &row.source_id,
        },
        dataset_id: &row.dataset_id,
    })
}
