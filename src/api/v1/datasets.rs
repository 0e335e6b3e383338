//! `/v1/datasets`: the catalogue of datasets with their versions, updates, sizes and coverage.

use std::collections::HashMap;

use actix_web::{HttpResponse, get};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::caching::{Loader, Scope};
use crate::api::envelope::{Envelope, Meta, rfc3339};
use crate::api::format::CsvRecord;
use crate::api::responses;
use crate::api::table::Column;
use crate::db::datasets::{self as db_datasets, DatasetRow};
use crate::db::vintages as db_vintages;
use crate::domain::source::{DatasetFamily, DatasetOrigin, Reporting};
use crate::error::ApiError;

/// A dataset: a unit of data loaded and replaced together, with a version that changes with it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DatasetResponse {
    #[schema(example = "census")]
    pub id: String,
    pub family: DatasetFamily,
    pub title: String,
    pub description: String,
    /// Increases by one with every change; part of every ETag.
    #[schema(example = 1)]
    pub version: i64,
    /// UTC, RFC 3339.
    #[schema(format = DateTime, example = "2026-11-28T09:00:00Z")]
    pub last_updated: String,
    #[schema(example = 61)]
    pub row_count: i64,
    /// First and last period of the data, where it has periods.
    pub coverage: Option<DatasetCoverage>,
    pub origin: DatasetOrigin,
    /// What the figures are: who reports them, exports f.a.s. or domestic, general imports or for
    /// consumption, price base year, vintage or download date.
    #[schema(example = "as reported by the United States: total exports f.a.s., general imports")]
    pub basis: String,
    /// For trade datasets, whether each flow's `reporter` is the country whose statistics give
    /// the value (`reporter`) or that is unknown or mixed (`unknown`).
    pub reporting: Reporting,
    /// The SHA-256 (hex) of this version's canonical CSV, the body and `ETag` of `links.download`;
    /// none for a version made before the service recorded them.
    #[schema(example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    pub sha256: Option<String>,
    pub links: DatasetLinks,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DatasetCoverage {
    #[schema(example = "1985")]
    pub first: String,
    #[schema(example = "2019")]
    pub last: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DatasetLinks {
    /// The whole dataset as its canonical CSV.
    #[schema(example = "/v1/datasets/census/download")]
    pub download: String,
    /// Where to browse it.
    #[schema(example = "/v1/trade/flows?source=census")]
    pub browse: String,
}

/// Where a dataset is queried in the API.
pub fn browse_path(row: &DatasetRow) -> String {
    match (row.family, row.id.as_str()) {
        (DatasetFamily::Trade, id) => format!("/v1/trade/flows?source={id}"),
        (DatasetFamily::Wages, _) => "/v1/wages/mx".to_owned(),
        (DatasetFamily::Treaties, _) => "/v1/treaties".to_owned(),
        (_, "countries") => "/v1/countries".to_owned(),
        _ => "/v1/sources".to_owned(),
    }
}

/// Where a dataset can be browsed, and downloaded whole.
fn links(row: &DatasetRow) -> DatasetLinks {
    DatasetLinks {
        download: format!("/v1/datasets/{}/download", row.id),
        browse: browse_path(row),
    }
}

impl DatasetResponse {
    fn new(row: DatasetRow, sha256: Option<String>) -> Self {
        Self {
            sha256,
            links: links(&row),
            coverage: row
                .coverage_first
                .clone()
                .zip(row.coverage_last.clone())
                .map(|(first, last)| DatasetCoverage { first, last }),
            last_updated: rfc3339(row.last_updated),
            id: row.id,
            family: row.family,
            title: row.title,
            description: row.description,
            version: row.version,
            row_count: row.row_count,
            origin: row.origin,
            reporting: row.reporting,
            basis: row.basis,
        }
    }
}

/// A dataset as one CSV line.
#[derive(Debug, Serialize)]
pub struct DatasetCsvRow<'a> {
    id: &'a str,
    family: &'a str,
    title: &'a str,
    version: i64,
    last_updated: &'a str,
    row_count: i64,
    coverage_first: Option<&'a str>,
    coverage_last: Option<&'a str>,
    origin: &'a str,
    reporting: &'static str,
    basis: &'a str,
    sha256: Option<&'a str>,
}

impl CsvRecord for DatasetResponse {
    const COLUMNS: &'static [Column] = &[
        Column::text("id"),
        Column::code("family"),
        Column::text("title"),
        Column::integer("version"),
        Column::text("last_updated"),
        Column::integer("row_count"),
        Column::text("coverage_first"),
        Column::text("coverage_last"),
        Column::code("origin"),
        Column::code("reporting"),
        Column::text("basis"),
        Column::code("sha256"),
    ];

    type Row<'a> = DatasetCsvRow<'a>;

    fn csv_row(&self) -> DatasetCsvRow<'_> {
        DatasetCsvRow {
            id: &self.id,
            family: self.family.as_str(),
            title: &self.title,
            version: self.version,
            last_updated: &self.last_updated,
            row_count: self.row_count,
            coverage_first: self.coverage.as_ref().map(|c| c.first.as_str()),
            coverage_last: self.coverage.as_ref().map(|c| c.last.as_str()),
            origin: self.origin.as_str(),
            reporting: self.reporting.as_str(),
            basis: &self.basis,
            sha256: self.sha256.as_deref(),
        }
    }
}

/// List datasets
///
/// Every dataset the service holds, bundled or imported: its version (which every change bumps and
/// every ETag includes), last update, row count, period coverage and where to download it whole.
#[utoipa::path(
    tag = "sources",
    responses(
        (status = 200, description = "The datasets, ordered by id", body = Envelope<Vec<DatasetResponse>>),
        responses::ReadFailures,
    )
)]
#[get("/v1/datasets")]
pub async fn list_datasets(loader: Loader) -> Result<HttpResponse, ApiError> {
    loader
        .load_fresh(Scope::All, |conn| {
            Ok((db_datasets::list(conn)?, db_vintages::checksums(conn)?))
        })
        .await?
        .respond(|reply, (rows, checksums)| {
            let mut checksums: HashMap<(String, i64), String> = checksums.into_iter().collect();
            let data: Vec<DatasetResponse> = rows
                .into_iter()
                .map(|row| {
                    let sha256 = checksums.remove(&(row.id.clone(), row.version));
                    DatasetResponse::new(row, sha256)
                })
                .collect();
            // The catalogue is about every dataset, not from one: its meta names none.
            reply.collection(Meta::new(&[], &[]), data, "datasets")
        })
}
