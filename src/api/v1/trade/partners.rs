//! `GET /v1/trade/partners`: a country's trading partners in a year, ranked, with their shares.

use std::collections::{BTreeMap, HashMap};

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    FAMILY, FlowDirection, Reported, chosen_dataset_meta, token_list, withhold_unknown_reporters,
};
use crate::api::AppState;
use crate::api::caching::{CacheKey, Scope, load_fresh};
use crate::api::envelope::Envelope;
use crate::api::format::{self, CsvRecord, Format};
use crate::api::lookup::sources_of;
use crate::api::lookup::{find_country, parse_country};
use crate::api::query::ApiQuery;
use crate::api::responses;
use crate::api::v1::countries::CountryRef;
use crate::db::countries as db_countries;
use crate::db::trade::{self as db_trade, FlowFilter, TradeFlowRow};
use crate::domain::period::Period;
use crate::error::ApiError;

const DEFAULT_TOP: u32 = 10;
const MAX_TOP: u32 = 300;

/// A partner's place among a country's partners.
#[derive(Debug, Serialize, ToSchema)]
pub struct RankedPartner {
    #[schema(example = 1)]
    pub rank: usize,
    pub partner: CountryRef,
    pub trade: Reported,
    /// The partner's share of the country's trade with all partners in the dataset, 0 to 1.
    #[schema(example = 0.46)]
    pub share: f64,
    /// The country's trade with all partners in the dataset, USD.
    #[schema(example = 387064000000.0)]
    pub total_usd: f64,
}

/// A ranked partner as one CSV line.
#[derive(Debug, Serialize)]
pub struct RankedPartnerCsvRow {
    rank: usize,
    partner: String,
    partner_name: String,
    value_usd: f64,
    share: f64,
    total_usd: f64,
    reported_by: Option<String>,
    source_id: String,
}

impl CsvRecord for RankedPartner {
    type Row = RankedPartnerCsvRow;

    fn csv_row(&self) -> RankedPartnerCsvRow {
        RankedPartnerCsvRow {
            rank: self.rank,
            partner: self.partner.code.clone(),
            partner_name: self.partner.name.clone(),
            value_usd: self.trade.value_usd,
            share: self.share,
            total_usd: self.total_usd,
            reported_by: self.trade.reported_by.clone(),
            source_id: self.trade.source_id.clone(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PartnersQuery {
    /// The country, any code scheme.
    #[param(example = "mx")]
    pub country: String,
    /// The year.
    #[param(example = 2016)]
    pub year: i32,
    /// Rank by the country's exports to or imports from each partner.
    #[param(example = "import")]
    pub flow: FlowDirection,
    /// How many partners to list, 1 to 300 (default 10).
    #[param(example = 10)]
    pub top: Option<u32>,
    /// The dataset to rank in (default: the one with the most partners for the country and year).
    #[param(example = "comtrade")]
    pub source: Option<String>,
    /// Product code (default `TOTAL`; `MANUFACTURING` for the AGTPA data).
    #[param(example = "TOTAL")]
    pub product: Option<String>,
    /// Representation; overrides the `Accept` header.
    #[param(example = "json")]
    pub format: Option<Format>,
}

/// Each partner's flow with `country` in direction `flow` from one dataset: the country's own
/// report where the dataset has it, else the partner's mirror report.
fn by_partner<'a>(rows: &'a [TradeFlowRow], country: &str) -> BTreeMap<String, &'a TradeFlowRow> {
    let mut chosen: BTreeMap<String, &TradeFlowRow> = BTreeMap::new();
    for row in rows {
        let (partner, own) = if row.reporter == country {
            (row.partner.clone(), true)
        } else {
            (row.reporter.clone(), false)
        };
        if partner == country {
            continue; // domestic trade is not trade with a partner
        }
        let replace = match chosen.get(&partner) {
            None => true,
            Some(existing) => own && existing.reporter != country,
        };
        if replace {
            chosen.insert(partner, row);
        }
    }
    chosen
}

/// Rank trading partners
///
/// A country's partners in one year, ranked by its exports to them or imports from them, with each
/// partner's share of the total over all partners in the dataset. Everything comes from one
/// dataset (by default the one with the most partners for the country and year; `meta` names it);
/// where it lacks the country's own report for a partner, the partner's mirror figure is used and
/// `reported_by` says so. Domestic trade is left out.
#[utoipa::path(
    tag = "trade",
    params(PartnersQuery),
    responses(
        (status = 200, description = "Partners, largest first",
            content(
                (Envelope<Vec<RankedPartner>> = "application/json"),
                (String = "text/csv"),
                (String = "application/x-ndjson"),
            )),
        responses::LookupFailures,
    )
)]
#[get("/v1/trade/partners")]
pub async fn list_trade_partners(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiQuery(query): ApiQuery<PartnersQuery>,
) -> Result<HttpResponse, ApiError> {
    let country = parse_country("country", &query.country)?;
    let year = Period::parse(&query.year.to_string())
        .ok()
        .filter(|p| matches!(p, Period::Year(_)))
        .ok_or_else(|| {
            ApiError::invalid_parameter(
                "year",
                format!("{} is not a year from 1800 to 2200.", query.year),
            )
        })?;
    let top = query.top.unwrap_or(DEFAULT_TOP);
    if !(1..=MAX_TOP).contains(&top) {
        return Err(ApiError::invalid_parameter(
            "top",
            format!("top must be from 1 to {MAX_TOP}."),
        ));
    }
    let source = token_list("source", query.source.as_deref())?
        .into_iter()
        .next();
    let product = token_list("product", query.product.as_deref())?
        .into_iter()
        .next()
        .unwrap_or_else(|| "TOTAL".to_owned());
    let flow = query.flow;
    let format = format::negotiate(&req, query.format)?;
    let key = CacheKey::from_request(&req, format);
    load_fresh(&state, key, Scope::Family(FAMILY), move |conn| {
        let country = find_country(conn, "country", &country)?;
        let day = year.first_day().format("%Y-%m-%d").to_string();
        let base = FlowFilter {
            products: vec![product],
            start_from: Some(day.clone()),
            start_to: Some(day),
            frequency: Some("annual"),
            sources: source.iter().cloned().collect(),
            ..FlowFilter::default()
        };
        let mut rows = db_trade::all(
            conn,
            &FlowFilter {
                reporters: vec![country.code.clone()],
                flow: Some(flow.as_str()),
                ..base.clone()
            },
        )?;
        rows.extend(db_trade::all(
            conn,
            &FlowFilter {
                partners: vec![country.code.clone()],
                flow: Some(flow.opposite().as_str()),
                ..base
            },
        )?);
        let mut partners_per_dataset: HashMap<String, usize> = HashMap::new();
        for (dataset, _) in rows.iter().map(|r| (r.dataset_id.clone(), ())) {
            *partners_per_dataset.entry(dataset).or_default() += 1;
        }
        let chosen = source.clone().or_else(|| {
            partners_per_dataset
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
                .map(|(d, _)| d)
        });
        rows.retain(|r| {
            chosen
                .as_deref()
                .is_some_and(|c| r.dataset_id == c || r.source_id == c)
        });
        let codes: Vec<String> = by_partner(&rows, &country.code).into_keys().collect();
        let names =
            db_countries::by_codes(conn, &codes.iter().map(String::as_str).collect::<Vec<_>>())?;
        let sources = sources_of(conn, rows.iter().map(|r| r.source_id.as_str()))?;
        Ok((country, chosen, rows, names, sources))
    })
    .await?
    .respond(|validators, datasets, (country, chosen, rows, names, sources)| {
        let partners = by_partner(&rows, &country.code);
        let total_usd: f64 = partners.values().map(|r| r.value_usd).sum();
        let mut ranked: Vec<(&String, &TradeFlowRow)> = partners.iter().map(|(p, r)| (p, *r)).collect();
        ranked.sort_by(|a, b| b.1.value_usd.total_cmp(&a.1.value_usd).then(a.0.cmp(b.0)));
        let mut data: Vec<RankedPartner> = ranked
            .into_iter()
            .take(top as usize)
            .enumerate()
            .filter_map(|(index, (code, row))| {
                let partner = names.iter().find(|c| &c.code == code)?;
                Some(RankedPartner {
                    rank: index + 1,
                    partner: CountryRef::from(partner),
                    trade: Reported::from(row),
                    share: if total_usd > 0.0 {
                        row.value_usd / total_usd
                    } else {
                        0.0
                    },
                    total_usd,
                })
            })
            .collect();
        let mut meta = chosen_dataset_meta(&datasets, chosen.as_deref(), &sources, data.len());
        meta.transformations.push(format!(
            "{} partners of {} in {} from dataset '{}'; share = value / total over all of them ({total_usd} USD)",
            partners.len(),
            country.code,
            year,
            chosen.as_deref().unwrap_or_default()
        ));
        withhold_unknown_reporters(
            data.iter_mut().map(|p| &mut p.trade),
            &datasets,
            &mut meta.warnings,
        );
        let mirrored = data
            .iter()
            .filter(|p| {
                p.trade
                    .reported_by
                    .as_deref()
                    .is_some_and(|reporter| reporter != country.code)
            })
            .count();
        if mirrored > 0 {
            meta.warnings.push(format!(
                "{mirrored} of the listed values are mirror figures reported by the partner, not by {}",
                country.name
            ));
        }
        if data.is_empty() {
            meta.warnings.push(format!(
                "no dataset has annual {} trade of {} for {year}",
                flow.as_str(),
                country.name
            ));
        }
        format::answer(&req, format, &validators, meta, data, "trade_partners")
    })
}
