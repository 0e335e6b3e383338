//! A treaty's provisions: full text by chapter or topic, and single articles by stable id.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{FAMILY, Lang, LangQuery, TreatyPath, check_topic, find_text, parse_treaty_id};
use crate::api::caching::Scope;
use crate::api::envelope::Envelope;
use crate::api::format::CsvRecord;
use crate::api::lookup::sources_of;
use crate::api::query::ReadRequest;
use crate::api::responses;
use crate::api::table::Column;
use crate::db::treaties::{self as db_treaties, ProvisionRow};
use crate::domain::country::shorten_for_display;
use crate::domain::treaty::article::{OtherTreaty, article_of, is_number_token};
use crate::domain::treaty::stored_topics;
use crate::error::{ApiError, ProblemType};

/// An article of a treaty, with its full text.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProvisionResponse {
    /// Stable id: `{treaty}:{article}`.
    #[schema(example = "tpp:19.3")]
    pub id: String,
    #[schema(example = "tpp")]
    pub treaty_id: String,
    pub lang: Lang,
    /// The article number as the treaty writes it (`19.3`, `1901`), or `preamble`/`conclusion`.
    #[schema(example = "19.3")]
    pub article: String,
    /// The chapter number, or `preamble`/`conclusion`.
    #[schema(example = "19")]
    pub chapter: String,
    #[schema(example = "Labour Rights")]
    pub heading: Option<String>,
    /// The article's text as the source has it (footnotes and page breaks of the PDF included).
    pub text: String,
    #[schema(example = json!(["labour"]))]
    pub topics: Vec<String>,
    #[schema(example = "tota_v0.5.0")]
    pub source_id: String,
    pub links: ProvisionLinks,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProvisionLinks {
    #[serde(rename = "self")]
    #[schema(example = "/v1/treaties/tpp/provisions/19.3?lang=en")]
    pub self_: String,
    #[schema(example = "/v1/treaties/tpp")]
    pub treaty: String,
}

impl From<ProvisionRow> for ProvisionResponse {
    fn from(row: ProvisionRow) -> Self {
        Self {
            id: format!("{}:{}", row.treaty_id, row.article),
            links: ProvisionLinks {
                self_: format!(
                    "/v1/treaties/{}/provisions/{}?lang={}",
                    row.treaty_id, row.article, row.lang
                ),
                treaty: format!("/v1/treaties/{}", row.treaty_id),
            },
            topics: stored_topics(&row.topics),
            treaty_id: row.treaty_id,
            lang: row.lang,
            article: row.article,
            chapter: row.chapter,
            heading: row.heading,
            text: row.text,
            source_id: row.source_id,
        }
    }
}

/// A provision as one CSV line.
#[derive(Debug, Serialize)]
pub struct ProvisionCsvRow<'a> {
    id: &'a str,
    lang: &'a str,
    chapter: &'a str,
    article: &'a str,
    heading: Option<&'a str>,
    topics: String,
    text: &'a str,
}

impl CsvRecord for ProvisionResponse {
    const COLUMNS: &'static [Column] = &[
        Column::text("id"),
        Column::code("lang"),
        Column::text("chapter"),
        Column::text("article"),
        Column::text("heading"),
        Column::text("topics"),
        Column::text("text"),
    ];

    type Row<'a> = ProvisionCsvRow<'a>;

    fn csv_row(&self) -> ProvisionCsvRow<'_> {
        ProvisionCsvRow {
            id: &self.id,
            lang: self.lang.as_str(),
            chapter: &self.chapter,
            article: &self.article,
            heading: self.heading.as_deref(),
            topics: self.topics.join(";"),
            text: &self.text,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProvisionsQuery {
    /// Only this chapter (its number, or `preamble`).
    #[param(example = "19")]
    pub chapter: Option<String>,
    /// Only articles tagged with this topic (see /v1/topics).
    #[param(example = "labour")]
    pub topic: Option<String>,
    /// Language of the text (default English where loaded).
    #[param(example = "en")]
    pub lang: Option<Lang>,
}

fn check_token(param: &str, value: &str) -> Result<(), ApiError> {
    if is_number_token(value) {
        Ok(())
    } else {
        Err(ApiError::invalid_parameter(
            param,
            format!(
                "'{}' is not a valid {param}: use the number as the treaty writes it (19.3, 1901) or preamble.",
                shorten_for_display(value)
            ),
        ))
    }
}

/// List a treaty's provisions
///
/// The articles of a loaded treaty text with their full text, in document order; filter by
/// `chapter` and `topic`, choose the language with `lang`. Every article has a stable id
/// `{treaty}:{article}` (`tpp:19.3`, `nafta:1901`). The ToTA texts are CC BY-NC 4.0, as
/// `meta.sources` says. A treaty whose text is not loaded is a 404 whose `help` is the official text.
#[utoipa::path(
    tag = "treaties",
    params(TreatyPath, ProvisionsQuery),
    responses(
        (status = 200, description = "Provisions in document order", body = Envelope<Vec<ProvisionResponse>>),
        responses::LookupFailures,
    )
)]
#[get("/v1/treaties/{id}/provisions")]
pub async fn list_treaty_provisions(
    ReadRequest(query, loader): ReadRequest<ProvisionsQuery>,
    path: web::Path<TreatyPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.treaty_id()?;
    if let Some(chapter) = &query.chapter {
        check_token("chapter", chapter)?;
    }
    check_topic(
        &loader.state().treaty_reference.taxonomy,
        query.topic.as_deref(),
    )?;
    let (chapter, topic, asked) = (query.chapter, query.topic, query.lang);
    loader
        .load_fresh(Scope::Family(FAMILY), move |conn| {
            let (_, lang) = find_text(conn, &id, asked)?;
            let rows =
                db_treaties::provisions(conn, &id, lang, chapter.as_deref(), topic.as_deref())?;
            let sources = sources_of(conn, rows.iter().map(|r| r.source_id.as_str()))?;
            Ok((rows, sources))
        })
        .await?
        .respond(|reply, (rows, sources)| {
            let data: Vec<ProvisionResponse> =
                rows.into_iter().map(ProvisionResponse::from).collect();
            reply.collection(reply.meta(&sources), data, "provisions")
        })
}

/// The article a path names.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ProvisionPath {
    /// Treaty id
    #[param(example = "tpp")]
    id: String,
    /// Article number as the treaty writes it, or the stable id
    #[param(example = "19.3")]
    article: String,
}

/// The 404 of an article the treaty text does not have, pointing to its chapters.
fn unknown_article(treaty_name: &str, id: &str, article: &str, lang: Lang) -> ApiError {
    ApiError::new(
        ProblemType::UnknownArticle,
        format!("{treaty_name} has no article {article} in '{lang}'."),
    )
    .with_param("article")
    .with_help(format!("/v1/treaties/{id}/chapters?lang={lang}"))
}

/// The answer to a stable id of another treaty's article under this treaty's path: a 404, as
/// this treaty has no such article, linking to the article's own address; or the 400 of a
/// treaty id or article number of the wrong shape.
fn article_of_another_treaty(other: OtherTreaty) -> ApiError {
    let shape = parse_treaty_id("article", &other.treaty)
        .and_then(|_| check_token("article", &other.article));
    if let Err(refused) = shape {
        return refused;
    }
    ApiError::new(ProblemType::UnknownArticle, other.to_string())
        .with_param("article")
        .with_help(format!(
            "/v1/treaties/{}/provisions/{}",
            other.treaty, other.article
        ))
}

/// Get a provision
///
/// One article by its number (`19.3`) or stable id (`tpp:19.3`), in English or, where loaded,
/// Spanish (`lang=es`).
#[utoipa::path(
    tag = "treaties",
    params(ProvisionPath, LangQuery),
    responses(
        (status = 200, description = "The provision", body = Envelope<ProvisionResponse>),
        responses::LookupFailures,
    )
)]
#[get("/v1/treaties/{id}/provisions/{article}")]
pub async fn get_treaty_provision(
    ReadRequest(query, loader): ReadRequest<LangQuery>,
    path: web::Path<ProvisionPath>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_treaty_id("id", &path.id)?;
    let article = article_of(&id, &path.article)
        .map_err(article_of_another_treaty)?
        .to_owned();
    check_token("article", &article)?;
    let asked = query.lang;
    loader
        .load_fresh(Scope::Family(FAMILY), move |conn| {
            let (treaty, lang) = find_text(conn, &id, asked)?;
            let row = db_treaties::provision(conn, &id, lang, &article)?
                .ok_or_else(|| unknown_article(&treaty.record.name, &id, &article, lang))?;
            let sources = sources_of(conn, [row.source_id.as_str()])?;
            Ok((row, sources))
        })
        .await?
        .respond(|reply, (row, sources)| {
            let data = ProvisionResponse::from(row);
            let file_stem = data.id.replace(':', "_");
            reply.item(reply.meta(&sources), data, &file_stem)
        })
}
