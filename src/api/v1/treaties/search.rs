//! `GET /v1/provisions/search` (ranked full-text search with highlighted snippets) and
//! `GET /v1/provisions/compare` (one topic side by side across treaties).

use actix_web::{HttpResponse, get};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::provisions::ProvisionResponse;
use super::{FAMILY, Lang, check_topic, parse_treaty_id, unknown_treaty, view};
use crate::api::caching::Scope;
use crate::api::envelope::Envelope;
use crate::api::format::CsvRecord;
use crate::api::lookup::sources_of;
use crate::api::query::ReadRequest;
use crate::api::reading::Reading;
use crate::api::responses;
use crate::api::table::Column;
use crate::db::sources::SourceRow;
use crate::db::treaties::{self as db_treaties, ProvisionRow, SearchFilter, SearchHit, Treaty};
use crate::db::vintages as db_vintages;
use crate::domain::ids::TreatyId;
use crate::domain::search::{self, Term};
use crate::domain::snippet::snippet;
use crate::domain::treaty::comparison::{no_provision_reason, reason_warning};
use crate::domain::treaty::language::reading_language;
use crate::domain::treaty::{TreatyView, stored_topics};
use crate::error::{ApiError, ProblemType};

const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;

/// A search result.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResult {
    /// Position in the ranking, 1 first.
    #[schema(example = 1)]
    pub rank: usize,
    #[schema(example = "tpp:19.6")]
    pub id: String,
    #[schema(example = "tpp")]
    pub treaty_id: String,
    pub lang: Lang,
    #[schema(example = "19.6")]
    pub article: String,
    #[schema(example = "19")]
    pub chapter: String,
    #[schema(example = "Forced Or Compulsory Labour")]
    pub heading: Option<String>,
    /// About 32 words of the text around the most matches, which are wrapped in `<mark>` …
    /// `</mark>`; HTML-escaped, so it can be shown as HTML.
    #[schema(
        example = "… to discourage the importation of goods produced by <mark>forced</mark> or compulsory <mark>labour</mark> …"
    )]
    pub snippet: String,
    /// Relevance, higher first; comparable within one answer only.
    pub score: f64,
    #[schema(example = json!(["labour"]))]
    pub topics: Vec<String>,
    #[schema(example = "/v1/treaties/tpp/provisions/19.6?lang=en")]
    pub link: String,
}

impl SearchResult {
    fn new(rank: usize, hit: SearchHit, terms: &[Term]) -> Self {
        Self {
            snippet: snippet(hit.heading.as_deref(), &hit.text, terms, hit.lang.as_str()),
            rank,
            id: format!("{}:{}", hit.treaty_id, hit.article),
            link: format!(
                "/v1/treaties/{}/provisions/{}?lang={}",
                hit.treaty_id, hit.article, hit.lang
            ),
            topics: stored_topics(&hit.topics),
            treaty_id: hit.treaty_id,
            lang: hit.lang,
            article: hit.article,
            chapter: hit.chapter,
            heading: hit.heading,
            score: hit.score,
        }
    }
}

/// A search result as one CSV line.
#[derive(Debug, Serialize)]
pub struct SearchCsvRow<'a> {
    rank: usize,
    id: &'a str,
    lang: &'a str,
    heading: Option<&'a str>,
    snippet: &'a str,
    score: f64,
}

impl CsvRecord for SearchResult {
    const COLUMNS: &'static [Column] = &[
        Column::integer("rank"),
        Column::text("id"),
        Column::code("lang"),
        Column::text("heading"),
        Column::text("snippet"),
        Column::number("score"),
    ];

    type Row<'a> = SearchCsvRow<'a>;

    fn csv_row(&self) -> SearchCsvRow<'_> {
        SearchCsvRow {
            rank: self.rank,
            id: &self.id,
            lang: self.lang.as_str(),
            heading: self.heading.as_deref(),
            snippet: &self.snippet,
            score: self.score,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words, "quoted phrases" and prefix* terms, all of which must match (at most 12 terms, 200
    /// characters). The operators `OR`, `AND`, `NOT`, `NEAR` (in capitals, outside quotes) and
    /// `-word` are not supported and are refused.
    #[param(example = "forced labour")]
    pub q: String,
    /// Only these treaties, comma-separated ids.
    #[param(example = "tpp,nafta")]
    pub treaties: Option<String>,
    /// Only articles tagged with this topic (see /v1/topics).
    #[param(example = "labour")]
    pub topic: Option<String>,
    /// Only texts in this language.
    #[param(example = "en")]
    pub lang: Option<Lang>,
    /// How many results, 1 to 100 (default 20).
    #[param(example = 5)]
    pub limit: Option<u32>,
    /// How many of the best results to pass over: the page after `offset` results (default 0).
    /// `links.next` gives the next page while `meta.total` says more remain.
    #[param(minimum = 0, maximum = 10000)]
    pub offset: Option<u32>,
}

/// The furthest a search pages: ranked results beyond the first ten thousand are not worth reading.
pub const MAX_OFFSET: u32 = 10_000;

/// The most treaties one comparison shows side by side.
pub const MAX_COMPARED: usize = 10;

fn treaty_list(raw: Option<&str>) -> Result<Vec<TreatyId>, ApiError> {
    raw.map_or_else(Vec::new, |raw| raw.split(',').collect())
        .into_iter()
        .map(|id| parse_treaty_id("treaties", id.trim()))
        .collect()
}

/// Search provisions
///
/// Ranked full-text search over the headings and texts of every loaded treaty (FTS5 with bm25 on
/// SQLite, a tsvector with ts_rank_cd on Postgres; English and Spanish texts stemmed in their
/// language). One syntax on both: words, "quoted phrases" and prefix* terms, all required. Each
/// result has a snippet with the matches in `<mark>`. Equal scores come in document order. `meta.total`
/// counts every match; `links.next` pages through them with `offset`. A malformed query is a 400
/// naming `q`.
#[utoipa::path(
    tag = "treaties",
    params(SearchQuery),
    responses(
        (status = 200, description = "Results, best first", body = Envelope<Vec<SearchResult>>),
        responses::ReadFailures,
    )
)]
#[get("/v1/provisions/search")]
pub async fn search_provisions(
    ReadRequest(query, loader): ReadRequest<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let terms = search::parse(&query.q).map_err(|e| {
        ApiError::invalid_parameter("q", format!("The search cannot be read: {e}."))
    })?;
    check_topic(
        &loader.state().treaty_reference.taxonomy,
        query.topic.as_deref(),
    )?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_parameter(
            "limit",
            format!("limit must be from 1 to {MAX_LIMIT}."),
        ));
    }
    let offset = query.offset.unwrap_or(0);
    if offset > MAX_OFFSET {
        return Err(ApiError::invalid_parameter(
            "offset",
            format!("offset must be from 0 to {MAX_OFFSET}."),
        ));
    }
    let filter = SearchFilter {
        treaties: treaty_list(query.treaties.as_deref())?,
        lang: query.lang,
        topic: query.topic,
        limit: i64::from(limit),
        offset: i64::from(offset),
    };
    let query_terms = terms.clone();
    loader
        .load_fresh(Scope::Family(FAMILY), move |conn| {
            // The search index holds the current texts: only an earlier state can be older.
            if conn.is_of_earlier_state()
                && let Some(latest) = db_vintages::search_index_is_newer(conn)?
            {
                return Err(ApiError::new(
                    ProblemType::UnknownVintage,
                    format!(
                        "Searches are answered as of vintage {latest} or later, the latest \
                         change of the treaty texts: the search index of this database (SQLite) \
                         holds the texts as they are now. Read the provisions of that vintage \
                         by treaty instead (/v1/treaties/{{id}}/provisions with as_of)."
                    ),
                )
                .with_param("as_of")
                .with_help("/v1/changes"));
            }
            let page = db_treaties::search(conn, &query_terms, &filter)?;
            let sources = sources_of(conn, page.hits.iter().map(|h| h.source_id.as_str()))?;
            Ok((page, sources))
        })
        .await?
        .respond(|reply, (page, sources)| {
            let first_rank = offset as usize + 1;
            let total = u64::try_from(page.total).unwrap_or_default();
            let after = u64::from(offset) + page.hits.len() as u64;
            let next = (after < total && after <= u64::from(MAX_OFFSET))
                .then(|| reply.with_param("offset", &after.to_string()));
            let data: Vec<SearchResult> = page
                .hits
                .into_iter()
                .enumerate()
                .map(|(index, hit)| SearchResult::new(first_rank + index, hit, &terms))
                .collect();
            let mut meta = reply.meta(&sources);
            meta.total = Some(total);
            reply.page(meta, data, "search", next)
        })
}

/// One treaty's part of a comparison.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComparedTreaty {
    #[schema(example = "tpp")]
    pub treaty_id: String,
    #[schema(example = "Trans-Pacific Partnership Agreement")]
    pub name: String,
    pub text_available: bool,
    /// The treaty's articles tagged with the topic, in document order.
    pub provisions: Vec<ProvisionResponse>,
    /// Why there is no provision, when there is none.
    #[schema(
        example = "NAFTA's labour commitments sit in its side agreement, the North American Agreement on Labor Cooperation (naalc), whose text is not loaded; official text: http://www.sice.oas.org/Trade/NAFTA/Labor-c1.asp"
    )]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    /// The topic to compare (see /v1/topics).
    #[param(example = "labour")]
    pub topic: String,
    /// Treaties, comma-separated ids, in the order to show them (at most 10).
    #[param(example = "nafta,naalc,tpp,usmca")]
    pub treaties: String,
    /// Language of the texts (default English where loaded).
    #[param(example = "en")]
    pub lang: Option<Lang>,
}

impl ComparedTreaty {
    /// A requested treaty with its `provisions` on the topic, and the `reason` when it has none.
    fn new(treaty: Treaty, provisions: Vec<ProvisionRow>, reason: Option<String>) -> Self {
        Self {
            text_available: treaty.text_available(),
            treaty_id: treaty.record.id,
            name: treaty.record.name,
            provisions: provisions
                .into_iter()
                .map(ProvisionResponse::from)
                .collect(),
            reason,
        }
    }
}

/// The treaties to compare, checked, in the order given.
fn compared_ids(raw: &str) -> Result<Vec<TreatyId>, ApiError> {
    let ids = treaty_list(Some(raw))?;
    if ids.len() > MAX_COMPARED {
        return Err(ApiError::invalid_parameter(
            "treaties",
            "At most 10 treaties can be compared.",
        ));
    }
    Ok(ids)
}

/// What a comparison reads: every treaty record (a topic may sit in a side agreement), each
/// requested treaty with its provisions on the topic, and the sources of both.
struct Loaded {
    all: Vec<Treaty>,
    requested: Vec<(Treaty, Vec<ProvisionRow>)>,
    sources: Vec<SourceRow>,
}

fn load_compared(
    conn: &mut Reading<'_>,
    ids: &[TreatyId],
    topic: &str,
    asked: Option<Lang>,
) -> Result<Loaded, ApiError> {
    let all = db_treaties::list(conn)?;
    let mut requested = Vec::new();
    for id in ids {
        // The records are all read already: each requested one is picked from them.
        let treaty = all
            .iter()
            .find(|t| **id == t.record.id)
            .cloned()
            .ok_or_else(|| unknown_treaty("treaties", id))?;
        let provisions = match reading_language(&treaty.languages, asked) {
            Some(lang) => db_treaties::provisions(conn, id, lang, None, Some(topic))?,
            None => Vec::new(),
        };
        requested.push((treaty, provisions));
    }
    let sources = sources_of(
        conn,
        requested.iter().flat_map(|(treaty, provisions)| {
            let texts = provisions.iter().map(|p| p.source_id.as_str());
            texts.chain([treaty.record.source_id.as_str()])
        }),
    )?;
    Ok(Loaded {
        all,
        requested,
        sources,
    })
}

/// Compare a topic across treaties
///
/// For one topic, each requested treaty's articles tagged with it, side by side, with full text.
/// A treaty without such articles stays in the answer with the reason: its text is not loaded (with
/// a link to the official text), or the topic sits in a side agreement (NAFTA's labour commitments
/// are in the NAALC), or none of its articles is tagged so.
#[utoipa::path(
    tag = "treaties",
    params(CompareQuery),
    responses(
        (status = 200, description = "One entry per requested treaty, in the order given", body = Envelope<Vec<ComparedTreaty>>),
        responses::LookupFailures,
    )
)]
#[get("/v1/provisions/compare")]
pub async fn compare_provisions(
    ReadRequest(query, loader): ReadRequest<CompareQuery>,
) -> Result<HttpResponse, ApiError> {
    check_topic(
        &loader.state().treaty_reference.taxonomy,
        Some(&query.topic),
    )?;
    let ids = compared_ids(&query.treaties)?;
    let loader = loader.json_only()?;
    let label = loader
        .state()
        .treaty_reference
        .taxonomy
        .label_in_text(&query.topic);
    let (topic, asked) = (query.topic, query.lang);
    let read_topic = topic.clone();
    loader
        .load_fresh(Scope::Family(FAMILY), move |conn| {
            load_compared(conn, &ids, &read_topic, asked)
        })
        .await?
        .respond(|reply, loaded| {
            let all: Vec<TreatyView> = loaded.all.iter().map(view).collect();
            let compared: Vec<ComparedTreaty> = loaded
                .requested
                .into_iter()
                .map(|(treaty, provisions)| {
                    let reason = provisions
                        .is_empty()
                        .then(|| no_provision_reason(&view(&treaty), &topic, &label, &all));
                    ComparedTreaty::new(treaty, provisions, reason)
                })
                .collect();
            let mut meta = reply.meta(&loaded.sources).with_count(compared.len());
            meta.warnings.extend(compared.iter().filter_map(|c| {
                let reason = c.reason.as_deref()?;
                Some(reason_warning(&c.treaty_id, reason))
            }));
            reply.json(meta, compared)
        })
}
