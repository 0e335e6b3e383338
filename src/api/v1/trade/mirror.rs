//! `GET /v1/trade/mirror`: what each side reports for the same flow — a reporter's imports from a
//! partner next to the partner's exports to the reporter, or the other way round — with the gap.

use std::collections::BTreeSet;

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    FAMILY, FlowDirection, Reported, flows_between, no_figures_message, token_list,
    unknown_reporting, withhold_unknown_reporters,
};
use crate::api::AppState;
use crate::api::caching::{CacheKey, Scope, load_fresh};
use crate::api::envelope::{Envelope, Meta};
use crate::api::format::{self, CsvRecord, Format};
use crate::api::lookup::{date_range, sources_of};
use crate::api::lookup::{find_country, parse_country};
use crate::api::query::ApiQuery;
use crate::api::responses;
use crate::db::trade::{FlowFilter, TradeFlowRow};
use crate::error::ApiError;

/// One period of a mirror comparison.
#[derive(Debug, Serialize, ToSchema)]
pub struct MirrorPeriod {
    #[schema(example = "2016")]
    pub period: String,
    /// The flow as the reporter reports it.
    pub reported: Option<Reported>,
    /// The same flow as the partner reports it (the opposite direction in its statistics).
    pub mirror: Option<Reported>,
    /// `reported` minus `mirror`, USD; null unless both are known.
    pub gap_usd: Option<f64>,
    /// The gap as a percentage of `mirror`.
    #[schema(example = 12.4)]
    pub gap_pct: Option<f64>,
}

/// A period of a mirror comparison as one CSV line.
#[derive(Debug, Serialize)]
pub struct MirrorCsvRow {
    period: String,
    reported_usd: Option<f64>,
    reported_source_id: Option<String>,
    mirror_usd: Option<f64>,
    mirror_source_id: Option<String>,
    gap_usd: Option<f64>,
    gap_pct: Option<f64>,
}

impl CsvRecord for MirrorPeriod {
    type Row = MirrorCsvRow;

    fn csv_row(&self) -> MirrorCsvRow {
        MirrorCsvRow {
            period: self.period.clone(),
            reported_usd: self.reported.as_ref().map(|r| r.value_usd),
            reported_source_id: self.reported.as_ref().map(|r| r.source_id.clone()),
            mirror_usd: self.mirror.as_ref().map(|r| r.value_usd),
            mirror_source_id: self.mirror.as_ref().map(|r| r.source_id.clone()),
            gap_usd: self.gap_usd,
            gap_pct: self.gap_pct,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MirrorQuery {
    /// The reporting country, any code scheme.
    #[param(example = "us")]
    pub reporter: String,
    /// The partner.
    #[param(example = "mx")]
    pub partner: String,
    /// The flow from the reporter's side; the partner's side is the opposite flow.
    #[param(example = "import")]
    pub flow: FlowDirection,
    /// First period (year, quarter or month).
    #[param(example = "2000")]
    pub from: Option<String>,
    /// Last period.
    #[param(example = "2016")]
    pub to: Option<String>,
    /// Datasets or source ids to take figures from, comma-separated (default: all).
    #[param(example = "census,comtrade")]
    pub source: Option<String>,
    /// Product code (default `TOTAL`).
    #[param(example = "TOTAL")]
    pub product: Option<String>,
    /// Representation; overrides the `Accept` header.
    #[param(example = "json")]
    pub format: Option<Format>,
}

/// The side of a flow a country reported in a period. Where several datasets have it, one that
/// says who reported its figures (the country's own statistics) comes before one that does not;
/// then the first by id.
fn pick<'a>(
    rows: &'a [TradeFlowRow],
    unknown_reporting: &BTreeSet<&str>,
    reporter: &str,
    partner: &str,
    flow: FlowDirection,
    period: &str,
) -> Option<&'a TradeFlowRow> {
    rows.iter()
        .filter(|r| {
            r.reporter == reporter
                && r.partner == partner
                && r.flow == flow.as_str()
                && r.period == period
        })
        .min_by_key(|r| {
            (
                unknown_reporting.contains(r.dataset_id.as_str()),
                r.dataset_id.as_str(),
            )
        })
}

/// Compare mirror statistics
///
/// The same annual flow as both sides report it: `flow=import` puts the reporter's imports from the
/// partner next to the partner's exports to the reporter (`flow=export` the other way round), per
/// period, with the gap in USD and as a percentage of the partner's figure. Each side names its
/// source; where several datasets have a side, the reporter's official statistics are preferred
/// (Census for the United States), then the bundled Comtrade data. A side no dataset has is null,
/// and the periods are listed in `meta.warnings`.
#[utoipa::path(
    tag = "trade",
    params(MirrorQuery),
    responses(
        (status = 200, description = "Periods in order",
            content(
                (Envelope<Vec<MirrorPeriod>> = "application/json"),
                (String = "text/csv"),
                (String = "application/x-ndjson"),
            )),
        responses::LookupFailures,
    )
)]
#[get("/v1/trade/mirror")]
pub async fn get_trade_mirror(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiQuery(query): ApiQuery<MirrorQuery>,
) -> Result<HttpResponse, ApiError> {
    let reporter = parse_country("reporter", &query.reporter)?;
    let partner = parse_country("partner", &query.partner)?;
    let range = date_range(query.from.as_deref(), query.to.as_deref())?;
    let sources = token_list("source", query.source.as_deref())?;
    let product = token_list("product", query.product.as_deref())?
        .into_iter()
        .next()
        .unwrap_or_else(|| "TOTAL".to_owned());
    let flow = query.flow;
    let format = format::negotiate(&req, query.format)?;
    let key = CacheKey::from_request(&req, format);
    load_fresh(&state, key, Scope::Family(FAMILY), move |conn| {
        let reporter = find_country(conn, "reporter", &reporter)?;
        let partner = find_country(conn, "partner", &partner)?;
        if reporter.code == partner.code {
            return Err(ApiError::invalid_parameter(
                "partner",
                format!(
                    "The partner must differ from the reporter ({}).",
                    reporter.name
                ),
            ));
        }
        let (start_from, start_to) = range.text_bounds();
        let filter = FlowFilter {
            products: vec![product],
            start_from: Some(start_from),
            start_to: Some(start_to),
            sources,
            // Mirror statistics are compared by year: most datasets hold no months.
            frequency: Some("annual"),
            ..FlowFilter::default()
        };
        let rows = flows_between(conn, &reporter.code, &partner.code, &filter)?;
        let coverage = if rows.is_empty() {
            crate::db::trade::pair_coverage(conn, &reporter.code, &partner.code, &filter.products)?
        } else {
            Vec::new()
        };
        let source_rows = sources_of(conn, rows.iter().map(|r| r.source_id.as_str()))?;
        Ok((reporter, partner, rows, source_rows, coverage))
    })
    .await?
    .respond(|validators, datasets, (reporter, partner, rows, source_rows, coverage)| {
        let periods: BTreeSet<&str> = rows.iter().map(|r| r.period.as_str()).collect();
        let unknown = unknown_reporting(&datasets);
        let mut data: Vec<MirrorPeriod> = periods
            .into_iter()
            .map(|period| {
                let reported =
                    pick(&rows, &unknown, &reporter.code, &partner.code, flow, period).map(Reported::from);
                let mirror = pick(
                    &rows,
                    &unknown,
                    &partner.code,
                    &reporter.code,
                    flow.opposite(),
                    period,
                )
                .map(Reported::from);
                let gap_usd = reported
                    .as_ref()
                    .zip(mirror.as_ref())
                    .map(|(a, b)| a.value_usd - b.value_usd);
                let gap_pct = gap_usd
                    .zip(mirror.as_ref())
                    .filter(|(_, b)| b.value_usd != 0.0)
                    .map(|(gap, b)| gap / b.value_usd * 100.0);
                MirrorPeriod {
                    period: period.to_owned(),
                    reported,
                    mirror,
                    gap_usd,
                    gap_pct,
                }
            })
            .collect();
        let mut meta = Meta::new(&datasets, &source_rows).with_count(data.len());
        meta.unit = Some("USD".to_owned());
        meta.transformations.push(format!(
            "reported: {} {} {}; mirror: {} {} {}; gap = reported - mirror; gap_pct = gap / mirror × 100",
            reporter.code,
            flow.as_str(),
            partner.code,
            partner.code,
            flow.opposite().as_str(),
            reporter.code
        ));
        for (side, who, missing) in [
            (
                "reported",
                &reporter,
                data.iter()
                    .filter(|p| p.reported.is_none())
                    .map(|p| p.period.as_str())
                    .collect::<Vec<_>>(),
            ),
            (
                "mirror",
                &partner,
                data.iter()
                    .filter(|p| p.mirror.is_none())
                    .map(|p| p.period.as_str())
                    .collect::<Vec<_>>(),
            ),
        ] {
            if !missing.is_empty() {
                meta.warnings.push(format!(
                    "no dataset has {}'s own figure ({side}) for {}",
                    who.name,
                    missing.join(", ")
                ));
            }
        }
        if data.is_empty() {
            meta.warnings.push(no_figures_message(&reporter.name, &partner.name, &coverage));
        }
        withhold_unknown_reporters(
            data.iter_mut()
                .flat_map(|p| [p.reported.as_mut(), p.mirror.as_mut()])
                .flatten(),
            &datasets,
            &mut meta.warnings,
        );
        format::answer(&req, format, &validators, meta, data, "trade_mirror")
    })
}
