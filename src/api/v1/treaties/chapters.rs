//! `/v1/treaties/{id}/chapters`: the chapters of a loaded treaty text.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::{FAMILY, Lang, LangQuery, TreatyPath, find_text};
use crate::api::caching::Scope;
use crate::api::envelope::Envelope;
use crate::api::format::CsvRecord;
use crate::api::lookup::sources_of;
use crate::api::query::ReadRequest;
use crate::api::responses;
use crate::api::table::Column;
use crate::db::treaties::{self as db_treaties, ChapterRow};
use crate::domain::treaty::stored_topics;
use crate::error::ApiError;

/// A chapter of a treaty text.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChapterResponse {
    /// The chapter number as digits, or `preamble`/`conclusion` for unnumbered ones.
    #[schema(example = "19")]
    pub number: String,
    #[schema(example = "Labour")]
    pub title: String,
    #[schema(example = json!(["labour"]))]
    pub topics: Vec<String>,
    pub article_count: i32,
    pub lang: Lang,
    #[schema(example = "/v1/treaties/tpp/provisions?chapter=19&lang=en")]
    pub provisions: String,
}

impl From<ChapterRow> for ChapterResponse {
    fn from(row: ChapterRow) -> Self {
        Self {
            provisions: format!(
                "/v1/treaties/{}/provisions?chapter={}&lang={}",
                row.treaty_id, row.number, row.lang
            ),
            topics: stored_topics(&row.topics),
            number: row.number,
            title: row.title,
            article_count: row.article_count,
            lang: row.lang,
        }
    }
}

/// A chapter as one CSV line.
#[derive(Debug, Serialize)]
pub struct ChapterCsvRow<'a> {
    number: &'a str,
    title: &'a str,
    topics: String,
    article_count: i32,
    lang: &'a str,
}

impl CsvRecord for ChapterResponse {
    const COLUMNS: &'static [Column] = &[
        Column::text("number"),
        Column::text("title"),
        Column::text("topics"),
        Column::integer("article_count"),
        Column::code("lang"),
    ];

    type Row<'a> = ChapterCsvRow<'a>;

    fn csv_row(&self) -> ChapterCsvRow<'_> {
        ChapterCsvRow {
            number: &self.number,
            title: &self.title,
            topics: self.topics.join(";"),
            article_count: self.article_count,
            lang: self.lang.as_str(),
        }
    }
}

/// List a treaty's chapters
///
/// The chapters of a loaded text in order, with number, title, topics and number of articles. A
/// treaty whose text is not loaded is a 404 whose `help` links to the official text.
#[utoipa::path(
    tag = "treaties",
    params(TreatyPath, LangQuery),
    responses(
        (status = 200, description = "Chapters in document order", body = Envelope<Vec<ChapterResponse>>),
        responses::LookupFailures,
    )
)]
#[get("/v1/treaties/{id}/chapters")]
pub async fn list_treaty_chapters(
    ReadRequest(query, loader): ReadRequest<LangQuery>,
    path: web::Path<TreatyPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.treaty_id()?;
    let asked = query.lang;
    loader
        .load_fresh(Scope::Family(FAMILY), move |conn| {
            let (_, lang) = find_text(conn, &id, asked)?;
            let chapters = db_treaties::chapters(conn, &id, lang)?;
            let source_ids = db_treaties::text_sources(conn, &id, lang)?;
            let sources = sources_of(conn, source_ids.iter().map(String::as_str))?;
            Ok((chapters, sources))
        })
        .await?
        .respond(|reply, (chapters, sources)| {
            let data: Vec<ChapterResponse> =
                chapters.into_iter().map(ChapterResponse::from).collect();
            reply.collection(reply.meta(&sources), data, "chapters")
        })
}
