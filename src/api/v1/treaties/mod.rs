//! `/v1/treaties` and `/v1/provisions`: treaty records, chapters, provisions with full text and
//! article-level ids, ranked search, cross-treaty comparison by topic, and DTA coverage flags.

pub mod provisions;
pub mod records;
pub mod search;

use crate::db::DbConnection;
use crate::db::treaties::{self as db_treaties, Treaty, TreatyRow};
use crate::domain::country::shorten_for_display;
use crate::domain::is_lowercase_id;
pub use crate::domain::treaty::Lang;
use crate::domain::treaty::Taxonomy;
use crate::error::{ApiError, ProblemType};

/// The dataset family treaty answers read.
pub const FAMILY: &str = "treaties";

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

/// Treaty ids are lower-case letters, digits and `_`.
pub fn check_treaty_id(param: &str, id: &str) -> Result<(), ApiError> {
    if is_lowercase_id(id, 40, b"") {
        Ok(())
    } else {
        Err(ApiError::invalid_parameter(
            param,
            format!(
                "'{}' is not a treaty id: ids look like nafta, tpp or tota_101 (lower-case letters, digits and '_').",
                shorten_for_display(id)
            ),
        )
        .with_help("/v1/treaties"))
    }
}

/// The treaty with this id, or the 404 that points to the list.
pub fn find_treaty(conn: &mut DbConnection, param: &str, id: &str) -> Result<Treaty, ApiError> {
    db_treaties::find(conn, id)?.ok_or_else(|| {
        ApiError::new(
            ProblemType::UnknownTreaty,
            format!("No treaty has the id '{id}'."),
        )
        .with_param(param)
        .with_help("/v1/treaties")
    })
}

/// The language to read a treaty in: the one asked for if loaded, else English, else the first
/// loaded; a treaty without text, or without the language asked for, is a 404 that points to
/// the official text.
pub fn text_language(
    treaty: &TreatyRow,
    loaded: &[String],
    asked: Option<Lang>,
) -> Result<String, ApiError> {
    let not_available = |detail: String| {
        let error = ApiError::new(ProblemType::TextNotAvailable, detail).with_param("lang");
        match &treaty.official_text_url {
            Some(url) => error.with_help(url.clone()),
            None => error,
        }
    };
    if loaded.is_empty() {
        return Err(not_available(format!(
            "The text of {} ({}) is not loaded; the record is at /v1/treaties/{}.",
            treaty.name, treaty.id, treaty.id
        )));
    }
    match asked {
        Some(lang) if loaded.iter().any(|l| l == lang.as_str()) => Ok(lang.as_str().to_owned()),
        Some(lang) => Err(not_available(format!(
            "The text of {} is not loaded in '{}'.",
            treaty.name,
            lang.as_str()
        ))
        .with_allowed(loaded.iter().cloned())),
        None => Ok(loaded
            .iter()
            .find(|l| *l == "en")
            .unwrap_or(&loaded[0])
            .clone()),
    }
}

/// Splits a `;`-separated list.
pub fn list(value: Option<&str>) -> Vec<String> {
    value
        .map(|v| {
            v.split(';')
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Registers the treaty operations.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(records::list_treaties)
        .service(records::get_treaty)
        .service(records::list_treaty_chapters)
        .service(records::get_treaty_coverage)
        .service(records::list_topics)
        .service(provisions::list_treaty_provisions)
        .service(provisions::get_treaty_provision)
        .service(search::search_provisions)
        .service(search::compare_provisions);
}
