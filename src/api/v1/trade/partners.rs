//! `GET /v1/trade/partners`: a country's trading partners in a year, ranked, with their shares.

use actix_web::{HttpResponse, get};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    FAMILY, FlowDirection, Reported, add_notes, chosen_dataset_meta, party, product_code,
    reported_flows, single_token, withhold_unknown_reporters,
};
use crate::api::caching::Scope;
use crate::api::envelope::Envelope;
use crate::api::format::CsvRecord;
use crate::api::lookup::sources_of;
use crate::api::lookup::{find_country, parse_country};
use crate::api::query::ReadRequest;
use crate::api::responses;
use crate::api::table::{Column, Unit};
use crate::api::v1::countries::CountryRef;
use crate::db::DbConnection;
use crate::db::countries::CountryRow;
use crate::db::trade::{self as db_trade, FlowFilter, TradeFlowRow};
use crate::domain::period::Period;
use crate::domain::series::NativeFrequency;
use crate::domain::trade::dataset_choice::{holds, most_flows};
use crate::domain::trade::ranking::{Ranking, rank, ranking_notes};
use crate::error::ApiError;

const DEFAULT_TOP: u32 = 10;
pub const MAX_TOP: u32 = 300;

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
pub struct RankedPartnerCsvRow<'a> {
    rank: usize,
    partner: &'a str,
    partner_name: &'a str,
    value_usd: f64,
    share: f64,
    total_usd: f64,
    reported_by: Option<&'a str>,
    source_id: &'a str,
}

impl CsvRecord for RankedPartner {
    const COLUMNS: &'static [Column] = &[
        Column::integer("rank"),
        Column::code("partner"),
        Column::text("partner_name"),
        Column::measured("value_usd", Unit::Usd),
        Column::number("share"),
        Column::measured("total_usd", Unit::Usd),
        Column::text("reported_by"),
        Column::code("source_id"),
    ];

    type Row<'a> = RankedPartnerCsvRow<'a>;

    fn csv_row(&self) -> RankedPartnerCsvRow<'_> {
        RankedPartnerCsvRow {
            rank: self.rank,
            partner: &self.partner.code,
            partner_name: &self.partner.name,
            value_usd: self.trade.value_usd,
            share: self.share,
            total_usd: self.total_usd,
            reported_by: self.trade.reported_by.as_deref(),
            source_id: &self.trade.source_id,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
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
}

/// The year asked for, as a period.
fn parse_year(year: i32) -> Result<Period, ApiError> {
    Period::parse(&year.to_string())
        .ok()
        .filter(|p| matches!(p, Period::Year(_)))
        .ok_or_else(|| {
            ApiError::invalid_parameter("year", format!("{year} is not a year from 1800 to 2200."))
        })
}

/// How many partners to list.
fn parse_top(top: Option<u32>) -> Result<usize, ApiError> {
    match top.unwrap_or(DEFAULT_TOP) {
        top @ 1..=MAX_TOP => Ok(top as usize),
        _ => Err(ApiError::invalid_parameter(
            "top",
            format!("top must be from 1 to {MAX_TOP}."),
        )),
    }
}

/// The flows of `country` in direction `flow` in `year` in one dataset: as it reports them, and
/// as its partners report the opposite flow (mirror figures). The dataset is `source` if given,
/// else the one of the most flows; it is returned with the rows.
fn partner_rows(
    conn: &mut DbConnection,
    country: &str,
    year: Period,
    flow: FlowDirection,
    product: String,
    source: Option<String>,
) -> Result<(Option<String>, Vec<TradeFlowRow>), ApiError> {
    let day = year.first_day();
    let base = FlowFilter {
        products: vec![product],
        start_from: Some(day),
        start_to: Some(day),
        frequency: Some(NativeFrequency::Annual),
        sources: source.iter().cloned().collect(),
        ..FlowFilter::default()
    };
    let mut rows = db_trade::all(
        conn,
        &FlowFilter {
            reporters: vec![country.to_owned()],
            flow: Some(flow),
            ..base.clone()
        },
    )?;
    rows.extend(db_trade::all(
        conn,
        &FlowFilter {
            partners: vec![country.to_owned()],
            flow: Some(flow.opposite()),
            ..base
        },
    )?);
    let chosen = source
        .or_else(|| most_flows(rows.iter().map(|r| r.dataset_id.as_str())).map(str::to_owned));
    rows.retain(|r| holds(chosen.as_deref(), &r.dataset_id, &r.source_id));
    Ok((chosen, rows))
}

/// The ranked partners as listed: those that are stored countries (`names`).
fn ranked_partners(ranking: &Ranking<'_>, names: &[CountryRow]) -> Vec<RankedPartner> {
    ranking
        .top
        .iter()
        .filter_map(|ranked| {
            let partner = names.iter().find(|c| c.code == ranked.partner)?;
            Some(RankedPartner {
                rank: ranked.rank,
                partner: CountryRef::from(partner),
                trade: Reported::from(&ranked.flow),
                share: ranked.share,
                total_usd: ranking.total_usd,
            })
        })
        .collect()
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
        (status = 200, description = "Partners, largest first", body = Envelope<Vec<RankedPartner>>),
        responses::LookupFailures,
    )
)]
#[get("/v1/trade/partners")]
pub async fn list_trade_partners(
    ReadRequest(query, loader): ReadRequest<PartnersQuery>,
) -> Result<HttpResponse, ApiError> {
    let country = parse_country("country", &query.country)?;
    let year = parse_year(query.year)?;
    let top = parse_top(query.top)?;
    let source = single_token("source", query.source.as_deref())?;
    let product = product_code(query.product.as_deref())?;
    let flow = query.flow;
    loader
        .load_fresh(Scope::Family(FAMILY), move |conn| {
            let country = find_country(conn, "country", &country)?;
            let (chosen, rows) = partner_rows(
                conn,
                &country.code,
                year,
                flow,
                product.clone(),
                source.clone(),
            )?;
            // Names are read for the partners the answer lists, not for every partner ranked.
            let flows = reported_flows(&rows)?;
            let listed = rank(&flows, &country.code, top);
            let codes: Vec<&str> = listed.top.iter().map(|r| r.partner).collect();
            let names = conn.countries_by_codes(&codes)?;
            let sources = sources_of(conn, rows.iter().map(|r| r.source_id.as_str()))?;
            Ok((country, chosen, rows, names, sources))
        })
        .await?
        .respond(|reply, (country, chosen, rows, names, sources)| {
            let dataset = chosen.as_deref();
            let ranking = rank(&reported_flows(&rows)?, &country.code, top);
            let mut data = ranked_partners(&ranking, &names);
            let mut meta = chosen_dataset_meta(&reply.datasets, dataset, &sources);
            let trade = data.iter_mut().map(|p| &mut p.trade);
            withhold_unknown_reporters(trade, &reply.datasets, &mut meta.warnings);
            let listed = data.iter().map(|p| p.trade.reported_by.as_deref());
            let notes = ranking_notes(&ranking, listed, party(&country), flow, year, dataset);
            add_notes(&mut meta, notes);
            reply.collection(meta, data, "trade_partners")
        })
}
