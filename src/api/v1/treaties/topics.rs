//! `/v1/topics`: the topic taxonomy that tags chapters and articles.

use actix_web::{HttpResponse, get};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::caching::{Loader, Scope};
use crate::api::envelope::Envelope;
use crate::api::format::CsvRecord;
use crate::api::responses;
use crate::api::table::Column;
use crate::error::ApiError;

/// A topic of the taxonomy.
#[derive(Debug, Serialize, ToSchema)]
pub struct TopicResponse {
    #[schema(example = "labour")]
    pub slug: String,
    #[schema(example = "Labour")]
    pub label: String,
    pub definition: String,
}

/// A topic is flat already: its CSV line is the item itself.
impl CsvRecord for TopicResponse {
    const COLUMNS: &'static [Column] = &[
        Column::text("slug"),
        Column::text("label"),
        Column::text("definition"),
    ];

    type Row<'a> = &'a Self;

    fn csv_row(&self) -> &Self {
        self
    }
}

/// List topics
///
/// The topic taxonomy that tags chapters and articles (documented and versioned in the
/// repository's data/treaties/TAXONOMY.md); `meta.transformations` gives its version.
#[utoipa::path(
    tag = "treaties",
    responses(
        (status = 200, description = "Topics", body = Envelope<Vec<TopicResponse>>),
        responses::ReadFailures,
    )
)]
#[get("/v1/topics")]
pub async fn list_topics(loader: Loader) -> Result<HttpResponse, ApiError> {
    loader
        .load_fresh(Scope::Ids(&["treaties"]), |_| Ok(()))
        .await?
        .respond(|reply, _| {
            let taxonomy = &loader.state().treaty_reference.taxonomy;
            let data: Vec<TopicResponse> = taxonomy
                .topics
                .iter()
                .map(|t| TopicResponse {
                    slug: t.slug.clone(),
                    label: t.label.clone(),
                    definition: t.definition.clone(),
                })
                .collect();
            let mut meta = reply.meta(&[]);
            meta.transformations
                .push(format!("taxonomy version {}", taxonomy.version));
            reply.collection(meta, data, "topics")
        })
}
