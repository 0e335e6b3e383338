//! `GET /v1/trade/flows`: stored flows, filtered, in pages with keyset cursors; CSV and NDJSON
//! stream the whole result in chunks, so memory stays flat however many rows there are.

mod export;

use std::collections::BTreeSet;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{
    FAMILY, FlowDirection, TradeFlow, country_list, resolve_countries, rows_meta, stored_period,
    token_list, trade_frequency, unknown_reporting,
};
use crate::api::caching::{Fresh, Loader, Reply, Scope};
use crate::api::envelope::{Envelope, render_with_data};
use crate::api::format::{self, CsvRecord, Format};
use crate::api::lookup::{date_range, sources_of};
use crate::api::query::{ReadRequest, parse_query};
use crate::api::reading::Reading;
use crate::api::responses;
use crate::api::table::{Column, Unit};
use crate::api::{AppState, body, spool};
use crate::db::DbConnection;
use crate::db::trade::{self as db_trade, FlowFilter};
use crate::domain::country::{CountryLookup, shorten_for_display};
use crate::domain::period::Frequency;
use crate::domain::trade::{quarter_totals, stored_frequency, unknown_reporting_row_warnings};
use crate::error::{ApiError, ProblemType};

const DEFAULT_LIMIT: u32 = 1000;
pub const MAX_LIMIT: u32 = 10_000;

/// A flow is flat already: its CSV line is the item itself.
impl CsvRecord for TradeFlow {
    const COLUMNS: &'static [Column] = &[
        Column::integer("id"),
        Column::code("reporter"),
        Column::code("partner"),
        Column::code("flow"),
        Column::text("period"),
        Column::code("frequency"),
        Column::code("classification"),
        Column::code("product_code"),
        Column::measured("value_usd", Unit::Usd),
        Column::code("source_id"),
        Column::code("dataset_id"),
        Column::text("note"),
    ];

    type Row<'a> = &'a Self;

    fn csv_row(&self) -> &Self {
        self
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FlowsQuery {
    /// Reporting countries, comma-separated codes in any scheme and case.
    #[param(example = "us")]
    pub reporter: Option<String>,
    /// Partner countries, comma-separated.
    #[param(example = "mx,ca")]
    pub partner: Option<String>,
    /// Direction from the reporter's side.
    #[param(example = "import")]
    pub flow: Option<FlowDirection>,
    /// Flows whose period starts in or after this year, quarter or month.
    #[param(example = "2010")]
    pub from: Option<String>,
    /// Flows whose period starts in or before this year, quarter or month.
    #[param(example = "2016")]
    pub to: Option<String>,
    /// Annual (`A`), quarterly (`Q`: the sum of each quarter's monthly flows, `partial` in the
    /// note when months are missing) or monthly (`M`) flows only.
    #[param(example = "A")]
    pub frequency: Option<Frequency>,
    /// Product codes, comma-separated: `TOTAL` (all goods), `MANUFACTURING`, HS codes.
    #[param(example = "TOTAL")]
    pub product: Option<String>,
    /// Datasets (`comtrade`, `agtpa`, `census`, imported ones) or source ids, comma-separated.
    #[param(example = "census")]
    pub source: Option<String>,
    /// Rows per JSON page, 1 to 10,000 (default 1,000); with CSV or NDJSON, a cap on the rows streamed.
    #[param(example = 100)]
    pub limit: Option<u32>,
    /// Continue after the last row of a previous page: the `cursor` in its `links.next`.
    #[param(example = "i3e8")]
    pub cursor: Option<String>,
}

/// The page after the one whose last row has id `last_id`: the same query with a new cursor.
fn next_page(reply: &Reply, last_id: i64) -> String {
    reply.with_param("cursor", &encode_cursor(last_id))
}

/// The cursor of the page after the row with id `id`: `i` and the id in lower-case hex.
pub fn encode_cursor(id: i64) -> String {
    format!("i{id:x}")
}

/// The row id a cursor continues after. Only what `encode_cursor` writes is accepted: lower-case
/// hex digits without sign or leading zeros, so that a tampered cursor is refused instead of
/// naming a page no link ever did.
pub fn decode_cursor(raw: &str) -> Result<i64, ApiError> {
    raw.strip_prefix('i')
        .filter(|hex| {
            !hex.is_empty()
                && hex.len() <= 16
                && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
                && (*hex == "0" || !hex.starts_with('0'))
        })
        .and_then(|hex| i64::from_str_radix(hex, 16).ok())
        .ok_or_else(|| {
            ApiError::invalid_parameter(
                "cursor",
                "The cursor is not one this service issued; take it from links.next.",
            )
        })
}

/// List trade flows
///
/// Stored flows with who reported them, the partner, the direction, the period, the product scope,
/// the value in US dollars, the source and the dataset. Filter by `reporter`, `partner` (any code
/// scheme, comma-separated), `flow`, `from`/`to`, `frequency`, `product` and `source`. Rows come in
/// a fixed order (`id`); JSON pages hold up to `limit` rows and end with `links.next` and an RFC
/// 8288 `Link` header while more remain. `format=csv|ndjson` (or `Accept`) streams every matching
/// row in one response, in bounded memory. Sources are never mixed silently: every row names its own.
#[utoipa::path(
    tag = "trade",
    params(FlowsQuery),
    responses(
        (status = 200, description = "Flows in id order; `Link: <…>; rel=\"next\"` while more remain",
            headers(("Link" = String, description = "RFC 8288 link to the next page")),
            body = Envelope<Vec<TradeFlow>>),
        responses::LookupFailures,
    )
)]
#[get("/v1/trade/flows")]
pub async fn list_trade_flows(
    ReadRequest(query, loader): ReadRequest<FlowsQuery>,
) -> Result<HttpResponse, ApiError> {
    answer(query, loader).await
}

/// Where the filters of `GET /v1/trade/flows` are posted as a JSON body.
pub const QUERY_PATH: &str = "/v1/trade/flows/query";

/// The largest JSON body of a posted query: far beyond the longest filters the query takes.
const MAX_QUERY_BODY: u64 = 64 * 1024;

/// Query trade flows with a JSON body
///
/// The filters of `GET /v1/trade/flows` as one JSON object, for programs that build them:
/// `{"reporter": "us", "partner": "mx,ca", "from": "2010", "product": "TOTAL", "limit": 100}`.
/// Each member is the query parameter of the same name, with the same syntax and limits (`format`
/// among them, or the `Accept` header); a value is a string or, for `limit`, a number. The answer
/// is the one the equivalent GET gives, with the same ETag and pages: `links.self` and
/// `links.next` are that GET, and the next page can also be posted with its `cursor`. A posted
/// query is always answered whole (never a 304).
#[utoipa::path(
    tag = "trade",
    request_body(
        description = "The filters: each member as the query parameter of the same name",
        content = Object,
        content_type = "application/json",
    ),
    responses(
        (status = 200, description = "Flows in id order; `Link: <…>; rel=\"next\"` while more remain",
            headers(("Link" = String, description = "RFC 8288 link to the next page")),
            body = Envelope<Vec<TradeFlow>>),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 406, response = responses::NotAcceptable),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 503, response = responses::Unavailable),
    )
)]
#[post("/v1/trade/flows/query")]
pub async fn query_trade_flows(
    req: HttpRequest,
    mut payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if !req.query_string().is_empty() {
        return Err(ApiError::new(
            ProblemType::UnknownParameter,
            "A posted query takes its parameters in the JSON body, none in the URL.",
        ));
    }
    body::check_media_type(&req, &["application/json"], "A posted query")?;
    let mut bytes = Vec::new();
    let too_large = || format!("A posted query is at most {} KiB.", MAX_QUERY_BODY >> 10);
    body::read_limited(&req, &mut payload, MAX_QUERY_BODY, too_large, |chunk| {
        bytes.extend_from_slice(chunk);
        Ok(())
    })
    .await?;
    let query_string = query_string_of(&bytes)?;
    let (query, options) = parse_query::<FlowsQuery>(&query_string)?;
    let loader =
        Loader::new(req, state, options).answering_as(format!("/v1/trade/flows?{query_string}"));
    answer(query, loader).await
}

/// The members of a posted query whose values are numbers; every other one is a string.
const NUMBER_MEMBERS: [&str; 1] = ["limit"];

/// The query string a posted JSON object stands for: each member as the parameter of its name.
/// Each value has the type the document gives the member: a whole number for `limit`, a string
/// for the others.
fn query_string_of(body: &[u8]) -> Result<String, ApiError> {
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(body).map_err(|e| {
            ApiError::new(
                ProblemType::MalformedRequest,
                format!("The body is not a JSON object: {e}."),
            )
            .with_param("body")
        })?;
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in &object {
        let is_number = NUMBER_MEMBERS.contains(&name.as_str());
        let value = match value {
            serde_json::Value::String(text) if !is_number => text.clone(),
            serde_json::Value::Number(number) if is_number => whole_number(number)
                .ok_or_else(|| {
                    ApiError::invalid_parameter(
                        shorten_for_display(name),
                        format!("'{}' is a whole number, from 0.", shorten_for_display(name)),
                    )
                })?
                .to_string(),
            _ => {
                let kind = if is_number {
                    "a whole number"
                } else {
                    "a string"
                };
                return Err(ApiError::invalid_parameter(
                    shorten_for_display(name),
                    format!("'{}' is {kind}.", shorten_for_display(name)),
                ));
            }
        };
        query.append_pair(name, &value);
    }
    Ok(query.finish())
}

/// A JSON number as a whole number: `463` or `463.0` (JSON Schema's integers include numbers
/// with a zero fraction), not `-1` or `2.5`.
fn whole_number(number: &serde_json::Number) -> Option<u64> {
    number.as_u64().or_else(|| {
        number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && (0.0..=9.0e15).contains(f))
            .map(|f| f as u64)
    })
}

/// The answer to a request for flows, got (`list_trade_flows`) or posted (`query_trade_flows`).
async fn answer(query: FlowsQuery, loader: Loader) -> Result<HttpResponse, ApiError> {
    let asked = FlowsAsked::parse(&loader, &query)?;
    if query.frequency == Some(Frequency::Quarterly) {
        let cap = query.limit.unwrap_or(match asked.format {
            Format::Json => DEFAULT_LIMIT,
            _ => u32::MAX,
        });
        return quarterly_page(&loader, asked, cap).await;
    }
    match asked.format {
        Format::Json | Format::Svg => {}
        Format::Datapackage => return data_package(&loader, asked).await,
        Format::Csv | Format::Ndjson | Format::Parquet => {
            return export(&loader, asked, query.limit).await;
        }
    }
    json_page(&loader, asked, query.limit.unwrap_or(DEFAULT_LIMIT)).await
}

/// Every matching flow as CSV or NDJSON, streamed (see `stream`), up to `cap` rows. The export
/// slot is waited for only once the answer is known to be a stream, not a 304 or a kept answer.
async fn export(
    loader: &Loader,
    asked: FlowsAsked,
    cap: Option<u32>,
) -> Result<HttpResponse, ApiError> {
    let format = asked.format;
    let fresh = loader
        .load_fresh(Scope::Family(FAMILY), move |conn| asked.resolve(conn))
        .await?;
    let (reply, filter) = match fresh {
        Fresh::Answered(response) => return Ok(response),
        Fresh::Loaded { reply, value } => (reply, value),
    };
    let slot = spool::export_slot(loader.state()).await?;
    let mut response = export::stream(loader.state(), slot, format, &reply, filter, cap);
    reply.link_data_package(&mut response);
    Ok(response)
}

/// The data package of the export of the matching flows: its columns, and the sources of every
/// matching row with their licences.
async fn data_package(loader: &Loader, asked: FlowsAsked) -> Result<HttpResponse, ApiError> {
    loader
        .load_fresh(Scope::Family(FAMILY), move |conn| {
            let filter = asked.resolve(conn)?;
            let holders = db_trade::holders(conn, &filter)?;
            let sources = sources_of(conn, holders.iter().map(|(_, source)| source.as_str()))?;
            Ok((holders, sources))
        })
        .await?
        .respond(|reply, (holders, sources)| {
            let holding = holders.iter().map(|(dataset, _)| dataset.as_str());
            let meta = rows_meta(&reply.datasets, holding, &sources);
            reply.collection(meta, Vec::<TradeFlow>::new(), "trade_flows")
        })
}

/// A JSON page of at most `limit` matching flows, rendered as they are read (see `RenderedPage`).
async fn json_page(
    loader: &Loader,
    asked: FlowsAsked,
    limit: u32,
) -> Result<HttpResponse, ApiError> {
    loader
        .load_fresh(Scope::Family(FAMILY), move |conn| {
            let filter = asked.resolve(conn)?;
            let page = RenderedPage::read(conn, &filter, limit)?;
            let sources = sources_of(conn, page.source_ids.iter().map(String::as_str))?;
            Ok((page, sources))
        })
        .await?
        .respond(|reply, (page, sources)| {
            let holding = page.dataset_ids.iter().map(String::as_str);
            let mut meta =
                reply.stamped(rows_meta(&reply.datasets, holding, &sources).with_count(page.count));
            meta.warnings = unknown_reporting_row_warnings(
                &unknown_reporting(&reply.datasets),
                &page.dataset_ids,
            );
            let links = reply.links_to(page.more_after.map(|id| next_page(&reply, id)));
            let body = render_with_data(&page.data, &meta, &links)
                .map_err(|e| ApiError::internal(e.to_string()))?;
            let mut response = format::json_bytes(&reply.validators, body);
            if let Some(next) = &links.next {
                format::add_link(&mut response, next, "next");
            }
            Ok(response)
        })
}

/// A request for flows, parsed: the filter, with the countries still to be found in the store.
struct FlowsAsked {
    format: Format,
    reporters: Vec<CountryLookup>,
    partners: Vec<CountryLookup>,
    filter: FlowFilter,
}

impl FlowsAsked {
    /// Checks the parameters, in the order their errors are reported, before any query.
    fn parse(loader: &Loader, query: &FlowsQuery) -> Result<Self, ApiError> {
        let reporters = country_list("reporter", query.reporter.as_deref())?;
        let partners = country_list("partner", query.partner.as_deref())?;
        let range = date_range(query.from.as_deref(), query.to.as_deref())?;
        let (start_from, start_to) = range.stored_bounds();
        let filter = FlowFilter {
            flow: query.flow,
            start_from: Some(start_from),
            start_to: Some(start_to),
            frequency: trade_frequency(query.frequency)?.map(stored_frequency),
            products: token_list("product", query.product.as_deref())?,
            sources: token_list("source", query.source.as_deref())?,
            after_id: query.cursor.as_deref().map(decode_cursor).transpose()?,
            ..FlowFilter::default()
        };
        // The representation is weighed after the other parameters (as `Loader::format` asks),
        // then `limit`, which a JSON page bounds.
        let format = loader.format()?;
        if let Some(limit) = query
            .limit
            .filter(|l| *l == 0 || (format == Format::Json && *l > MAX_LIMIT))
        {
            return Err(ApiError::invalid_parameter(
                "limit",
                format!("limit {limit} is out of range: a JSON page holds 1 to {MAX_LIMIT} rows."),
            ));
        }
        Ok(Self {
            format,
            reporters,
            partners,
            filter,
        })
    }

    /// The filter, with the stored codes of the countries asked for.
    fn resolve(&self, conn: &mut Reading<'_>) -> Result<FlowFilter, ApiError> {
        Ok(FlowFilter {
            reporters: resolve_countries(conn, "reporter", &self.reporters)?,
            partners: resolve_countries(conn, "partner", &self.partners)?,
            ..self.filter.clone()
        })
    }
}

/// A page of the matching monthly flows summed into quarters, of at most `cap` quarters. The
/// cursor counts quarters (by the id of their first month), not stored rows.
async fn quarterly_page(
    loader: &Loader,
    mut asked: FlowsAsked,
    cap: u32,
) -> Result<HttpResponse, ApiError> {
    let after = asked.filter.after_id.take();
    loader.load_fresh(Scope::Family(FAMILY), move |conn| {
        let filter = asked.resolve(conn)?;
        let mut quarters = quarterly_flows(conn, &filter)?;
        quarters.retain(|q| after.is_none_or(|after| q.id > after));
        let more_after = (quarters.len() > cap as usize).then(|| quarters[cap as usize - 1].id);
        quarters.truncate(cap as usize);
        let sources = sources_of(conn, quarters.iter().map(|q| q.source_id.as_str()))?;
        Ok((quarters, more_after, sources))
    })
    .await?
    .respond(|reply, (quarters, more_after, sources)| {
        let holding = quarters.iter().map(|q| q.dataset_id.as_str());
        let mut meta = rows_meta(&reply.datasets, holding, &sources).with_count(quarters.len());
        meta.transformations.push(
            "a quarter is the sum of the flow's monthly figures; a quarter with months missing is flagged partial in its note".to_owned(),
        );
        let next = more_after.map(|id| next_page(&reply, id));
        reply.page(meta, quarters, "trade_flows", next)
    })
}

/// The matching monthly flows summed into quarters, each quarter ordered and paged by the id of
/// its first month (so cursors work as for stored rows).
fn quarterly_flows(
    conn: &mut DbConnection,
    filter: &FlowFilter,
) -> Result<Vec<TradeFlow>, ApiError> {
    let rows = db_trade::all(conn, filter)?;
    let figures = rows
        .into_iter()
        .map(|row| {
            let month = stored_period(&row)?;
            let key = (
                row.dataset_id,
                row.reporter,
                row.partner,
                row.flow,
                row.classification,
                row.product_code,
                row.source_id,
            );
            Ok((key, month, row.value_usd, row.id))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(quarter_totals(figures)
        .into_iter()
        .map(|total| {
            let note = Some(total.note());
            let (dataset_id, reporter, partner, flow, classification, product_code, source_id) =
                total.key;
            TradeFlow {
                id: total.first_position,
                reporter,
                partner,
                flow,
                period: total.quarter.to_string(),
                frequency: "quarterly".to_owned(),
                classification,
                product_code,
                value_usd: total.value_usd,
                source_id,
                dataset_id,
                note,
            }
        })
        .collect())
}

/// A JSON page of flows, rendered while the rows are read: each row is written and dropped at
/// once, on the thread that read it, instead of a page of rows living until the answer is built.
struct RenderedPage {
    /// The `data` array as JSON.
    data: Vec<u8>,
    count: usize,
    /// The id of the last row of the page, when more rows follow it.
    more_after: Option<i64>,
    source_ids: BTreeSet<String>,
    dataset_ids: BTreeSet<String>,
}

impl RenderedPage {
    fn read(conn: &mut DbConnection, filter: &FlowFilter, limit: u32) -> Result<Self, ApiError> {
        let mut page = RenderedPage {
            data: Vec::with_capacity(limit as usize * 256),
            count: 0,
            more_after: None,
            source_ids: BTreeSet::new(),
            dataset_ids: BTreeSet::new(),
        };
        let mut last_id = None;
        let mut failure = None;
        page.data.push(b'[');
        // One row more than the page holds tells whether another page follows.
        db_trade::for_each(conn, filter, Some(i64::from(limit) + 1), |row| {
            if page.count == limit as usize {
                page.more_after = last_id;
                return false;
            }
            if page.count > 0 {
                page.data.push(b',');
            }
            last_id = Some(row.id);
            if !page.source_ids.contains(&row.source_id) {
                page.source_ids.insert(row.source_id.clone());
            }
            if !page.dataset_ids.contains(&row.dataset_id) {
                page.dataset_ids.insert(row.dataset_id.clone());
            }
            if let Err(e) = serde_json::to_writer(&mut page.data, &TradeFlow::from(row)) {
                failure = Some(e);
                return false;
            }
            page.count += 1;
            true
        })?;
        if let Some(e) = failure {
            return Err(ApiError::internal(e.to_string()));
        }
        page.data.push(b']');
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_forgeries() {
        assert_eq!(decode_cursor(&encode_cursor(1000)).ok(), Some(1000));
        // Signs, leading zeros and upper case were once accepted: ids no link ever named, and
        // several cursors for one page.
        for bad in [
            "",
            "i",
            "1000",
            "izz",
            "i12345678901234567",
            "i-1",
            "i+1",
            "i01",
            "iA",
        ] {
            assert!(decode_cursor(bad).is_err(), "{bad}");
        }
    }
}
