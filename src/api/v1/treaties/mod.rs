//! `/v1/treaties` and `/v1/provisions`: treaty records, chapters, provisions with full text and
//! article-level ids, ranked search, cross-treaty comparison by topic, and DTA coverage flags.

pub mod chapters;
pub mod coverage;
pub mod provisions;
pub mod records;
pub mod search;
pub mod topics;

use serde::Deserialize;
use utoipa::IntoParams;

use crate::db::DbConnection;
use crate::db::treaties::{self as db_treaties, Treaty};
use crate::domain::country::shorten_for_display;
use crate::domain::ids::TreatyId;
use crate::domain::source::DatasetFamily;
pub use crate::domain::treaty::Lang;
use crate::domain::treaty::language::{self, TextError};
use crate::domain::treaty::{Taxonomy, TreatyView};
use crate::error::{ApiError, ProblemType};

/// The dataset family treaty answers read.
pub const FAMILY: DatasetFamily = DatasetFamily::Treaties;

/// Checks a `topic` parameter against the taxonomy.
pub fn check_topic(taxonomy: &Taxonomy, topic: Option<&str>) -> Result<(), ApiError> {
    match topic {
        Some(topic) if !taxonomy.contains(topic) => Err(ApiError::invalid_parameter(
            "topic",
            format!(
                "'{}' is not a topic of the taxonomy.",
                shorten_for_display(topic)
            ),
        )
        .with_allowed(taxonomy.topics.iter().map(|t| t.slug.clone()))
        .with_help("/v1/topics")),
        _ => Ok(()),
    }
}

/// The query of the operations that read a treaty text: the language to read it in.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangQuery {
    /// Language of the text (default English where loaded).
    #[param(example = "en")]
    pub lang: Option<Lang>,
}

/// The treaty a path names.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TreatyPath {
    /// Treaty id
    #[param(example = "tpp")]
    id: String,
}

impl TreatyPath {
    pub fn treaty_id(&self) -> Result<TreatyId, ApiError> {
        parse_treaty_id("id", &self.id)
    }
}

/// The treaty id in `param`, or the 400 that points to the list.
pub fn parse_treaty_id(param: &str, raw: &str) -> Result<TreatyId, ApiError> {
    TreatyId::parse(raw)
        .map_err(|e| ApiError::invalid_parameter(param, e.to_string()).with_help("/v1/treaties"))
}

/// The treaty with this id, or the 404 that points to the list.
pub fn find_treaty(conn: &mut DbConnection, param: &str, id: &str) -> Result<Treaty, ApiError> {
    db_treaties::find(conn, id)?.ok_or_else(|| unknown_treaty(param, id))
}

/// The 404 for a treaty id no record has, pointing to the list.
pub fn unknown_treaty(param: &str, id: &str) -> ApiError {
    ApiError::new(
        ProblemType::UnknownTreaty,
        format!("No treaty has the id '{id}'."),
    )
    .with_param(param)
    .with_help("/v1/treaties")
}

/// The treaty `id` names (the path's `id`), with the language to read its text in.
pub fn find_text(
    conn: &mut DbConnection,
    id: &str,
    asked: Option<Lang>,
) -> Result<(Treaty, Lang), ApiError> {
    let treaty = find_treaty(conn, "id", id)?;
    let lang = text_language(&treaty, asked)?;
    Ok((treaty, lang))
}

/// The language to read a treaty in (`domain::treaty::language`); a treaty without text, or
/// without the language asked for, is a 404 that points to the official text.
fn text_language(treaty: &Treaty, asked: Option<Lang>) -> Result<Lang, ApiError> {
    language::text_language(&view(treaty), &treaty.languages, asked).map_err(|error| {
        let detail = error.to_string();
        let mut problem = ApiError::new(ProblemType::TextNotAvailable, detail).with_param("lang");
        if let Some(url) = &treaty.record.official_text_url {
            problem = problem.with_help(url.clone());
        }
        match error {
            TextError::NotLoaded { .. } => problem,
            TextError::NotInLanguage { loaded, .. } => {
                problem.with_allowed(loaded.iter().map(|lang| lang.as_str()))
            }
        }
    })
}

/// What the treaty rules read of a treaty.
pub fn view(treaty: &Treaty) -> TreatyView<'_> {
    let row = &treaty.record;
    TreatyView {
        id: &row.id,
        name: &row.name,
        other_names: row.other_names.as_deref(),
        side_agreement_of: row.side_agreement_of.as_deref(),
        subject_topics: row.subject_topics.as_deref(),
        text_available: treaty.text_available(),
        official_text_url: row.official_text_url.as_deref(),
    }
}

/// Registers the treaty operations.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(records::list_treaties)
        .service(records::get_treaty)
        .service(chapters::list_treaty_chapters)
        .service(coverage::get_treaty_coverage)
        .service(topics::list_topics)
        .service(provisions::list_treaty_provisions)
        .service(provisions::get_treaty_provision)
        .service(search::search_provisions)
        .service(search::compare_provisions);
}
