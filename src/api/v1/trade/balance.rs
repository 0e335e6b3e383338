//! `GET /v1/trade/balance`: a country's exports to and imports from a partner, and the balance,
//! per period, all from one dataset.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    FAMILY, FlowDirection, Reported, chosen_dataset_meta, flows_between, missing_years, side,
    token_list, year_runs,
};
use crate::api::AppState;
use crate::api::caching::{CacheKey, Scope, load_fresh};
use crate::api::envelope::{Envelope, Links};
use crate::api::format::{self, CsvRecord, Format};
use crate::api::query::ApiQuery;
use crate::api::responses;
use crate::api::v1::countries::{find_country, parse_country};
use crate::api::v1::wages::{date_range, sources_of};
use crate::db::trade::{FlowFilter, TradeFlowRow};
use crate::error::ApiError;

/// One period of a balance.
#[derive(Debug, Serialize, ToSchema)]
pub struct BalancePeriod {
    #[schema(example = "1993")]
    pub period: String,
    /// The country's exports to the partner; null where the dataset has none for the period.
    pub exports: Option<Reported>,
    /// The country's imports from the partner.
    pub imports: Option<Reported>,
    /// Exports minus imports in USD; null unless both are known.
    #[schema(example = 1663300000.0)]
    pub balance_usd: Option<f64>,
}

/// A period of a balance as one CSV line.
#[derive(Debug, Serialize)]
pub struct BalanceCsvRow {
    period: String,
    exports_usd: Option<f64>,
    exports_reported_by: Option<String>,
    imports_usd: Option<f64>,
    imports_reported_by: Option<String>,
    balance_usd: Option<f64>,
    source_ids: String,
}

impl CsvRecord for BalancePeriod {
    type Row = BalanceCsvRow;

    fn csv_row(&self) -> BalanceCsvRow {
        let mut sources: Vec<&str> = [&self.exports, &self.imports]
            .into_iter()
            .flatten()
            .map(|r| r.source_id.as_str())
            .collect();
        sources.dedup();
        BalanceCsvRow {
            period: self.period.clone(),
            exports_usd: self.exports.as_ref().map(|r| r.value_usd),
            exports_reported_by: self.exports.as_ref().map(|r| r.reported_by.clone()),
            imports_usd: self.imports.as_ref().map(|r| r.value_usd),
            imports_reported_by: self.imports.as_ref().map(|r| r.reported_by.clone()),
            balance_usd: self.balance_usd,
            source_ids: sources.join(";"),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BalanceQuery {
    /// The country whose balance it is, any code scheme.
    #[param(example = "us")]
    pub country: String,
    /// The partner.
    #[param(example = "mx")]
    pub partner: String,
    /// First period (year, quarter or month).
    #[param(example = "1990")]
    pub from: Option<String>,
    /// Last period.
    #[param(example = "2019")]
    pub to: Option<String>,
    /// The dataset to use: `census`, `comtrade`, `agtpa` or an imported one (default: the
    /// country's official statistics where loaded, such as `census` for the United States, else
    /// the dataset with the most periods for the pair).
    #[param(example = "census")]
    pub source: Option<String>,
    /// Product code (default `TOTAL`, all goods; `MANUFACTURING` for the AGTPA data).
    #[param(example = "TOTAL")]
    pub product: Option<String>,
    /// Representation; overrides the `Accept` header.
    #[param(inline, example = "json")]
    pub format: Option<Format>,
}

/// Official statistics of a reporting country among the bundled datasets.
fn official_dataset(country: &str) -> Option<&'static str> {
    (country == "USA").then_some("census")
}

/// The dataset a balance or mirror uses unless told: the country's official statistics when they
/// cover the pair, else the dataset with the most periods for it (ties to the first id).
pub fn default_dataset(rows: &[TradeFlowRow], country: &str) -> Option<String> {
    if let Some(official) =
        official_dataset(country).filter(|d| rows.iter().any(|r| r.dataset_id == *d))
    {
        return Some(official.to_owned());
    }
    let mut periods: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for row in rows {
        periods
            .entry(row.dataset_id.as_str())
            .or_default()
            .insert(row.period.as_str());
    }
    periods
        .into_iter()
        .max_by(|a, b| a.1.len().cmp(&b.1.len()).then(b.0.cmp(a.0)))
        .map(|(dataset, _)| dataset.to_owned())
}

/// Get a trade balance
///
/// A country's exports to and imports from one partner, and the balance (exports minus imports),
/// per period, in US dollars, all from one dataset: by default the country's official statistics
/// where loaded (Census for the United States), otherwise the dataset with the most periods for
/// the pair; `meta` names the one used. Where the dataset has the partner's report but not the
/// country's own, the value is the partner's mirror figure and `reported_by` says so. Periods the
/// dataset lacks are listed in `meta.warnings`, never filled with zero.
#[utoipa::path(
    tag = "trade",
    params(BalanceQuery),
    responses(
        (status = 200, description = "Periods in order",
            content(
                (Envelope<Vec<BalancePeriod>> = "application/json"),
                (String = "text/csv"),
                (String = "application/x-ndjson"),
            )),
        (status = 304, response = responses::NotModified),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 406, response = responses::NotAcceptable),
        (status = 503, response = responses::Unavailable),
    )
)]
#[get("/v1/trade/balance")]
pub async fn get_trade_balance(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiQuery(query): ApiQuery<BalanceQuery>,
) -> Result<HttpResponse, ApiError> {
    let country = parse_country("country", &query.country)?;
    let partner = parse_country("partner", &query.partner)?;
    let range = date_range(query.from.as_deref(), query.to.as_deref())?;
    let source = token_list("source", query.source.as_deref())?
        .into_iter()
        .next();
    let product = token_list("product", query.product.as_deref())?
        .into_iter()
        .next()
        .unwrap_or_else(|| "TOTAL".to_owned());
    let format = format::negotiate(&req, query.format)?;
    let key = CacheKey::from_request(&req, format);
    load_fresh(&state, key, Scope::Family(FAMILY), move |conn| {
        let country = find_country(conn, "country", &country)?;
        let partner = find_country(conn, "partner", &partner)?;
        if country.code == partner.code {
            return Err(ApiError::invalid_parameter(
                "partner",
                format!(
                    "The partner must differ from the country ({}).",
                    country.name
                ),
            ));
        }
        let (start_from, start_to) = range.text_bounds();
        let filter = FlowFilter {
            products: vec![product],
            start_from: Some(start_from),
            start_to: Some(start_to),
            sources: source.iter().cloned().collect(),
            ..FlowFilter::default()
        };
        let all = flows_between(conn, &country.code, &partner.code, &filter)?;
        let chosen = match &source {
            Some(source) => Some(source.clone()),
            None => default_dataset(&all, &country.code),
        };
        let rows: Vec<TradeFlowRow> = all
            .into_iter()
            .filter(|r| {
                chosen
                    .as_deref()
                    .is_some_and(|c| r.dataset_id == c || r.source_id == c)
            })
            .collect();
        let sources = sources_of(conn, rows.iter().map(|r| r.source_id.as_str()))?;
        Ok((country, partner, chosen, rows, sources))
    })
    .await?
    .respond(|validators, datasets, (country, partner, chosen, rows, sources)| {
        let periods: BTreeSet<String> = rows.iter().map(|r| r.period.clone()).collect();
        let data: Vec<BalancePeriod> = periods
            .iter()
            .map(|period| {
                let exports = side(
                    &rows,
                    &country.code,
                    &partner.code,
                    FlowDirection::Export,
                    period,
                )
                .map(Reported::from);
                let imports = side(
                    &rows,
                    &country.code,
                    &partner.code,
                    FlowDirection::Import,
                    period,
                )
                .map(Reported::from);
                let balance_usd = exports
                    .as_ref()
                    .zip(imports.as_ref())
                    .map(|(e, i)| e.value_usd - i.value_usd);
                BalancePeriod {
                    period: period.clone(),
                    exports,
                    imports,
                    balance_usd,
                }
            })
            .collect();

        let mut meta = chosen_dataset_meta(&datasets, chosen.as_deref(), &sources, data.len());
        match &chosen {
            Some(dataset) => meta.transformations.push(format!(
                "all values from dataset '{dataset}'; balance = exports - imports; a value reported by {} is the partner's mirror figure",
                partner.code
            )),
            None => meta.warnings.push(format!(
                "no dataset has trade between {} and {}",
                country.name, partner.name
            )),
        }
        let lacking = missing_years(&periods);
        if !lacking.is_empty() {
            meta.warnings.push(format!(
                "{} has no figures for {}; those years are left out, not zero",
                chosen.as_deref().unwrap_or_default(),
                year_runs(&lacking)
            ));
        }
        for (label, missing) in [
            (
                "exports",
                data.iter()
                    .filter(|p| p.exports.is_none())
                    .map(|p| p.period.as_str())
                    .collect::<Vec<_>>(),
            ),
            (
                "imports",
                data.iter()
                    .filter(|p| p.imports.is_none())
                    .map(|p| p.period.as_str())
                    .collect::<Vec<_>>(),
            ),
        ] {
            if !missing.is_empty() {
                meta.warnings.push(format!(
                    "{label} not in the source for {}; balance is null there",
                    missing.join(", ")
                ));
            }
        }
        let mirrored: BTreeSet<&str> = data
            .iter()
            .flat_map(|p| [&p.exports, &p.imports])
            .flatten()
            .filter(|r| r.reported_by != country.code)
            .map(|r| r.reported_by.as_str())
            .collect();
        if !mirrored.is_empty() {
            meta.warnings.push(format!(
                "some values are mirror figures reported by {}, not {}'s own statistics",
                mirrored.into_iter().collect::<Vec<_>>().join(", "),
                country.name
            ));
        }
        let printed_balances: BTreeSet<String> = rows
            .iter()
            .filter_map(|r| {
                Some((
                    r.period.as_str(),
                    r.note.as_deref()?.split_once("; the source prints")?.1,
                ))
            })
            .map(|(period, rest)| format!("{period}: the source prints{rest}"))
            .collect();
        meta.warnings.extend(printed_balances);
        let envelope = Envelope {
            meta,
            links: Links::to_self(req.uri().to_string()),
            data,
        };
        format::collection(format, &validators, &envelope, "trade_balance")
    })
}
