//! `GET /v1/trade/balance`: a country's exports to and imports from a partner, and the balance,
//! per period, all from one dataset.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    FAMILY, FlowDirection, Reported, chosen_dataset_meta, flows_between, no_figures_message,
    stored_period, token_list, trade_frequency, unknown_reporting, withhold_unknown_reporters,
};
use crate::api::AppState;
use crate::api::caching::{CacheKey, Scope, load_fresh};
use crate::api::envelope::Envelope;
use crate::api::format::{self, CsvRecord, Format};
use crate::api::lookup::{date_range, sources_of};
use crate::api::lookup::{find_country, parse_country};
use crate::api::query::ApiQuery;
use crate::api::responses;
use crate::db::sources::SourceRow;
use crate::db::trade::{FlowFilter, TradeFlowRow};
use crate::domain::coverage;
use crate::domain::period::{Frequency, Period};
use crate::domain::trade::{BalanceRow, Figure, ReportedFlow, Side, balance};
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
    /// The period is covered only in part (months missing, or not yet published): its values
    /// are sums of the months there are.
    pub partial: bool,
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
    partial: bool,
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
            exports_reported_by: self.exports.as_ref().and_then(|r| r.reported_by.clone()),
            imports_usd: self.imports.as_ref().map(|r| r.value_usd),
            imports_reported_by: self.imports.as_ref().and_then(|r| r.reported_by.clone()),
            balance_usd: self.balance_usd,
            partial: self.partial,
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
    /// Periods of the answer: `A` years (default), `Q` quarters, `M` months. Quarters and months
    /// need monthly figures (the `census` dataset has them from 1985-01).
    #[param(example = "A")]
    pub frequency: Option<Frequency>,
    /// First period (year, quarter or month).
    #[param(example = "1990")]
    pub from: Option<String>,
    /// Last period.
    #[param(example = "2019")]
    pub to: Option<String>,
    /// The dataset to use: `census`, `comtrade`, `agtpa` or an imported one (default: a dataset
    /// that holds the country's own reports and says so, such as `census` for the United States,
    /// else the dataset with the most periods for the pair).
    #[param(example = "census")]
    pub source: Option<String>,
    /// Product code (default `TOTAL`, all goods; `MANUFACTURING` for the AGTPA data).
    #[param(example = "TOTAL")]
    pub product: Option<String>,
    /// Representation; overrides the `Accept` header.
    #[param(example = "json")]
    pub format: Option<Format>,
}

/// The dataset a balance uses unless told: one that says who reported its figures and holds the
/// country's own reports for the pair (its official statistics, such as Census for the United
/// States); else the dataset with the most periods for the pair (ties to the first id).
pub fn default_dataset(
    rows: &[TradeFlowRow],
    country: &str,
    unknown_reporting: &BTreeSet<&str>,
) -> Option<String> {
    let mut periods: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for row in rows {
        periods
            .entry(row.dataset_id.as_str())
            .or_default()
            .insert(row.period.as_str());
    }
    let own_statistics = |dataset: &str| {
        !unknown_reporting.contains(dataset)
            && rows
                .iter()
                .any(|r| r.dataset_id == dataset && r.reporter == country)
    };
    periods
        .into_iter()
        .max_by(|a, b| {
            own_statistics(a.0)
                .cmp(&own_statistics(b.0))
                .then(a.1.len().cmp(&b.1.len()))
                .then(b.0.cmp(a.0))
        })
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
        responses::LookupFailures,
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
    let frequency = trade_frequency(query.frequency)?.unwrap_or(Frequency::Annual);
    let format = format::negotiate(&req, query.format)?;
    let key = CacheKey::from_request(&req, format);
    let source_filter: Vec<String> = source.iter().cloned().collect();
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
            sources: source_filter,
            ..FlowFilter::default()
        };
        let all = flows_between(conn, &country.code, &partner.code, &filter)?;
        // With no figure in range, the answer names the datasets that do cover the pair.
        let coverage = if all.is_empty() {
            crate::db::trade::pair_coverage(conn, &country.code, &partner.code, &filter.products)?
        } else {
            Vec::new()
        };
        let sources = sources_of(conn, all.iter().map(|r| r.source_id.as_str()))?;
        Ok((country, partner, all, sources, coverage))
    })
    .await?
    .respond(|validators, datasets, (country, partner, all, sources, coverage)| {
        let today = chrono::Utc::now().date_naive();
        // The dataset is chosen here, where the snapshot's trade datasets (and so which of them
        // say who reported their figures) are at hand.
        let chosen = match &source {
            Some(source) => Some(source.clone()),
            None => default_dataset(&all, &country.code, &unknown_reporting(&datasets)),
        };
        let rows: Vec<&TradeFlowRow> = all
            .iter()
            .filter(|r| {
                chosen
                    .as_deref()
                    .is_some_and(|c| r.dataset_id == c || r.source_id == c)
            })
            .collect();
        let sources: Vec<SourceRow> = sources
            .into_iter()
            .filter(|s| rows.iter().any(|r| r.source_id == s.id))
            .collect();
        let flows: Vec<ReportedFlow> = rows
            .iter()
            .map(|row| reported_flow(row))
            .collect::<Result<_, _>>()?;
        let balance_rows = balance(&flows, &country.code, &partner.code, frequency);
        let periods: BTreeSet<Period> = balance_rows.iter().map(|row| row.period).collect();
        let mut data: Vec<BalancePeriod> = balance_rows.iter().map(BalancePeriod::from).collect();

        let mut meta = chosen_dataset_meta(&datasets, chosen.as_deref(), &sources, data.len());
        match &chosen {
            Some(dataset) if !periods.is_empty() => {
                meta.transformations.push(format!(
                    "all values from dataset '{dataset}'; balance = exports - imports; a value reported by {} is the partner's mirror figure; {}",
                    partner.code,
                    frequency_rule(frequency)
                ));
                meta.warnings.extend(coverage::gap_warnings(
                    &periods,
                    range,
                    frequency,
                    today,
                    &format!("dataset '{dataset}'"),
                ));
            }
            _ => meta.warnings.push(no_figures_message(&country.name, &partner.name, &coverage)),
        }
        for (label, missing) in [
            ("exports", periods_where(&data, |p| p.exports.is_none())),
            ("imports", periods_where(&data, |p| p.imports.is_none())),
        ] {
            if !missing.is_empty() {
                meta.warnings.push(format!(
                    "{label} not in the source for {}; balance is null there",
                    missing.join(", ")
                ));
            }
        }
        let partial = periods_where(&data, |p| p.partial);
        if !partial.is_empty() {
            meta.warnings.push(format!(
                "{} covered only in part (months missing or not yet published): partial sums, flagged partial",
                partial.join(", ")
            ));
        }
        let mirrored: BTreeSet<&str> = data
            .iter()
            .flat_map(|p| [&p.exports, &p.imports])
            .flatten()
            .filter_map(|r| r.reported_by.as_deref())
            .filter(|reporter| *reporter != country.code)
            .collect();
        if !mirrored.is_empty() {
            meta.warnings.push(format!(
                "some values are mirror figures reported by {}, not {}'s own statistics",
                mirrored.into_iter().collect::<Vec<_>>().join(", "),
                country.name
            ));
        }
        withhold_unknown_reporters(
            data.iter_mut().flat_map(|p| [p.exports.as_mut(), p.imports.as_mut()]).flatten(),
            &datasets,
            &mut meta.warnings,
        );
        format::answer(&req, format, &validators, meta, data, "trade_balance")
    })
}

/// The periods of `data` that match `test`.
fn periods_where(data: &[BalancePeriod], test: impl Fn(&BalancePeriod) -> bool) -> Vec<&str> {
    data.iter()
        .filter(|p| test(p))
        .map(|p| p.period.as_str())
        .collect()
}

/// How stored figures become the periods of the answer.
fn frequency_rule(frequency: Frequency) -> &'static str {
    match frequency {
        Frequency::Annual => "a year is the source's annual figure, or else the sum of its months",
        Frequency::Quarterly => "a quarter is the sum of its months",
        Frequency::Monthly | Frequency::Daily => "months as published",
    }
}

/// A stored row as the balance rule reads it. A row whose period or direction does not parse (no
/// importer stores one) is an error naming it, never skipped.
fn reported_flow(row: &TradeFlowRow) -> Result<ReportedFlow<'_>, ApiError> {
    let flow = FlowDirection::parse(&row.flow).ok_or_else(|| {
        ApiError::internal(format!("trade flow {} has flow '{}'", row.id, row.flow))
    })?;
    Ok(ReportedFlow {
        reporter: &row.reporter,
        partner: &row.partner,
        flow,
        figure: Figure {
            period: stored_period(row)?,
            value_usd: row.value_usd,
            source_id: &row.source_id,
        },
        dataset_id: &row.dataset_id,
    })
}

impl From<&BalanceRow<'_>> for BalancePeriod {
    fn from(row: &BalanceRow<'_>) -> Self {
        let reported = |side: &Side<'_>| Reported {
            value_usd: side.value.value_usd,
            reported_by: Some(side.reported_by.to_owned()),
            source_id: side.value.source_id.to_owned(),
            dataset_id: side.dataset_id.to_owned(),
        };
        BalancePeriod {
            period: row.period.to_string(),
            exports: row.exports.as_ref().map(reported),
            imports: row.imports.as_ref().map(reported),
            balance_usd: row.balance_usd,
            partial: row.partial,
        }
    }
}
