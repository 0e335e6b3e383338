//! Vintages and what they changed (`db::vintages`): `/v1/changes`, the feed of vintages across
//! datasets; `/v1/datasets/{id}/versions`, one dataset's; `/v1/datasets/{id}/changes`, the rows
//! that versions of a dataset added, removed and changed; `/v1/datasets/{id}/download`, a dataset
//! whole as its canonical CSV (`db::canonical`), whose SHA-256 each version records.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::caching::{CacheKey, Fresh, Loader, Scope, Validators};
use crate::api::envelope::{Envelope, Meta, rfc3339};
use crate::api::format::{self, CsvRecord, Format};
use crate::api::query::ReadRequest;
use crate::api::responses;
use crate::api::spool::{self, SpoolWriter, Stop};
use crate::api::table::Column;
use crate::api::v1::canonical::{AnyRowChange, Changes};
use crate::db::canonical::{self as db_canonical, Encoding};
use crate::db::datasets::{self as db_datasets, DatasetRow};
use crate::db::vintages::{self as db_vintages, VintageRow};
use crate::db::{self, DbConnection, DbError};
use crate::domain::ids::DatasetId;
use crate::error::{ApiError, ProblemType};

/// The most vintages one page of the feed lists.
pub const MAX_CHANGES_LIMIT: i64 = 1000;
const DEFAULT_CHANGES_LIMIT: i64 = 100;

/// Rows of a dataset that a version added, removed and changed, against the version before it
/// (counted in its main table: flows, observations, provisions, sources or countries).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowChanges {
    #[schema(example = 12)]
    pub added: i64,
    #[schema(example = 0)]
    pub removed: i64,
    #[schema(example = 3)]
    pub changed: i64,
}

impl From<&VintageRow> for RowChanges {
    fn from(row: &VintageRow) -> Self {
        Self {
            added: row.rows_added,
            removed: row.rows_removed,
            changed: row.rows_changed,
        }
    }
}

/// A vintage: one write of one dataset, numbered across all datasets in the order they were
/// made.
#[derive(Debug, Serialize, ToSchema)]
pub struct VintageResponse {
    /// Its number: what `as_of` takes, and the cursor of the changes feed.
    #[schema(example = 12)]
    pub vintage: i64,
    #[schema(example = "census")]
    pub dataset_id: String,
    /// The dataset's version it made.
    #[schema(example = 3)]
    pub version: i64,
    /// UTC, RFC 3339, to the second.
    #[schema(format = DateTime, example = "2026-12-01T09:30:00Z")]
    pub made_at: String,
    /// The dataset's rows in this version.
    #[schema(example = 2132)]
    pub row_count: i64,
    pub changes: RowChanges,
    /// The SHA-256 (hex) of the dataset's canonical CSV at this version, which
    /// `/v1/datasets/{id}/download` serves with it as its ETag; none for a version made before
    /// the service recorded them.
    #[schema(example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    pub sha256: Option<String>,
    /// Whether it can still be read as of: false once pruned.
    pub kept: bool,
    pub links: VintageLinks,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VintageLinks {
    /// The catalogue as this vintage left it.
    #[schema(example = "/v1/datasets?as_of=12")]
    pub as_of: String,
    /// The rows this version added, removed and changed.
    #[schema(example = "/v1/datasets/census/changes?from=2&to=3")]
    pub rows: String,
    /// The dataset whole as this version left it.
    #[schema(example = "/v1/datasets/census/download?as_of=12")]
    pub download: String,
}

impl VintageResponse {
    fn new(row: VintageRow) -> Self {
        let rows = format!(
            "/v1/datasets/{}/changes?from={}&to={}",
            row.dataset_id,
            row.version - 1,
            row.version
        );
        let download = format!("/v1/datasets/{}/download?as_of={}", row.dataset_id, row.id);
        Self {
            links: VintageLinks {
                as_of: format!("/v1/datasets?as_of={}", row.id),
                rows,
                download,
            },
            changes: RowChanges::from(&row),
            vintage: row.id,
            made_at: rfc3339(row.made_at),
            dataset_id: row.dataset_id,
            version: row.version,
            row_count: row.row_count,
            sha256: row.checksum,
            kept: row.kept,
        }
    }
}

/// A vintage as one CSV line.
#[derive(Debug, Serialize)]
pub struct VintageCsvRow<'a> {
    vintage: i64,
    dataset_id: &'a str,
    version: i64,
    made_at: &'a str,
    row_count: i64,
    rows_added: i64,
    rows_removed: i64,
    rows_changed: i64,
    sha256: Option<&'a str>,
    kept: bool,
}

impl CsvRecord for VintageResponse {
    const COLUMNS: &'static [Column] = &[
        Column::integer("vintage"),
        Column::code("dataset_id"),
        Column::integer("version"),
        Column::text("made_at"),
        Column::integer("row_count"),
        Column::integer("rows_added"),
        Column::integer("rows_removed"),
        Column::integer("rows_changed"),
        Column::code("sha256"),
        Column::boolean("kept"),
    ];

    type Row<'a> = VintageCsvRow<'a>;

    fn csv_row(&self) -> VintageCsvRow<'_> {
        VintageCsvRow {
            vintage: self.vintage,
            dataset_id: &self.dataset_id,
            version: self.version,
            made_at: &self.made_at,
            row_count: self.row_count,
            rows_added: self.changes.added,
            rows_removed: self.changes.removed,
            rows_changed: self.changes.changed,
            sha256: self.sha256.as_deref(),
            kept: self.kept,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// List the vintages after this one: the last `vintage` a feed has seen (its cursor), which
    /// `links.next` carries. Without it, from the first.
    #[param(minimum = 0, example = 12)]
    pub since: Option<i64>,
    /// How many vintages to list, oldest first (default 100).
    #[param(minimum = 1, maximum = 1000, example = 100)]
    pub limit: Option<i64>,
}

/// The changes feed
///
/// Every vintage after `since`, oldest first: each write of a dataset (an import, or a bundled
/// dataset loaded anew), with the dataset's version it made and the rows it added, removed and
/// changed. A feed keeps the last `vintage` it saw and asks again with it as `since`
/// (`links.next` is that request, also when nothing is new): it sees each write exactly once, in
/// order. `as_of` with a vintage reads any answer as that vintage left the data; the rows a
/// dataset's version changed are at `links.rows`.
#[utoipa::path(
    tag = "sources",
    params(ChangesQuery),
    responses(
        (status = 200, description = "The vintages after `since`", body = Envelope<Vec<VintageResponse>>),
        responses::ReadFailures,
    )
)]
#[get("/v1/changes")]
pub async fn list_changes(
    ReadRequest(query, loader): ReadRequest<ChangesQuery>,
) -> Result<HttpResponse, ApiError> {
    let since = query.since.unwrap_or(0);
    if since < 0 {
        return Err(ApiError::invalid_parameter(
            "since",
            "'since' is a vintage number, 0 or more.",
        ));
    }
    let limit = query.limit.unwrap_or(DEFAULT_CHANGES_LIMIT);
    if !(1..=MAX_CHANGES_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_parameter(
            "limit",
            format!("'limit' is between 1 and {MAX_CHANGES_LIMIT}."),
        ));
    }
    loader
        .load_fresh(Scope::History, move |conn| {
            Ok(db_vintages::after(conn, since, limit)?)
        })
        .await?
        .respond(|reply, rows| {
            let data: Vec<VintageResponse> = rows.into_iter().map(VintageResponse::new).collect();
            // The feed goes on from the last vintage listed, or from where it was when none is.
            let cursor = data.last().map_or(since, |v| v.vintage);
            let next = reply.with_param("since", &cursor.to_string());
            reply.page(Meta::new(&[], &[]), data, "changes", Some(next))
        })
}

/// The dataset a path names.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DatasetPath {
    /// Dataset id
    #[param(example = "census")]
    id: String,
}

/// The dataset of `path`, as the data stood (the read may be as of a vintage).
fn dataset(conn: &mut DbConnection, id: &str) -> Result<DatasetRow, ApiError> {
    db_datasets::find(conn, id)?.ok_or_else(|| {
        ApiError::new(
            ProblemType::UnknownDataset,
            format!("No dataset has the id '{id}'."),
        )
        .with_param("id")
        .with_help("/v1/datasets")
    })
}

fn parse_dataset_id(path: &DatasetPath) -> Result<String, ApiError> {
    DatasetId::parse(&path.id)
        .map(|id| id.to_string())
        .map_err(|e| ApiError::invalid_parameter("id", e.to_string()).with_help("/v1/datasets"))
}

/// List a dataset's versions
///
/// Every version of the dataset, newest first, each the vintage that made it: when, its rows,
/// and the rows it added, removed and changed against the version before. Read any answer as a
/// version left it with `as_of` and its `vintage`.
#[utoipa::path(
    tag = "sources",
    params(DatasetPath),
    responses(
        (status = 200, description = "The dataset's versions, newest first", body = Envelope<Vec<VintageResponse>>),
        responses::LookupFailures,
    )
)]
#[get("/v1/datasets/{id}/versions")]
pub async fn list_versions(
    loader: Loader,
    path: web::Path<DatasetPath>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_dataset_id(&path)?;
    loader
        .load_fresh(Scope::History, move |conn| {
            dataset(conn, &id)?;
            Ok(db_vintages::of_dataset(conn, &id)?)
        })
        .await?
        .respond(|reply, rows| {
            let data: Vec<VintageResponse> = rows.into_iter().map(VintageResponse::new).collect();
            reply.collection(Meta::new(&[], &[]), data, "versions")
        })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RowChangesQuery {
    /// The version to compare from (default: the one before `to`; 0 is before the first, so
    /// that every row of `to` is added).
    #[param(minimum = 0, example = 2)]
    pub from: Option<i64>,
    /// The version to compare to (default: the current one, or the one `as_of` shows). Before
    /// `from`, the changes are those that lead back.
    #[param(minimum = 1, example = 3)]
    pub to: Option<i64>,
}

/// List the rows versions changed
///
/// The rows of a dataset that differ between versions `from` and `to`, each with its `op`:
/// `added` (in `to` only), `removed` (in `from` only, as it was) or `changed` (in both, as it is
/// in `to`). Rows that are the same in both are left out. The rows are those of the dataset's
/// download (`/v1/datasets/{id}/download`): flows, a wage dataset's observations, a treaty
/// dataset's provisions, countries or sources, in the order of their key. In CSV, NDJSON and
/// Parquet, `op` is the first column and the others are the download's. A version that does not
/// exist or is no longer kept is a 404.
#[utoipa::path(
    tag = "sources",
    params(DatasetPath, RowChangesQuery),
    responses(
        (status = 200, description = "The rows that differ, in key order", body = Envelope<Vec<AnyRowChange>>),
        responses::LookupFailures,
    )
)]
#[get("/v1/datasets/{id}/changes")]
pub async fn list_row_changes(
    ReadRequest(query, loader): ReadRequest<RowChangesQuery>,
    path: web::Path<DatasetPath>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_dataset_id(&path)?;
    for (param, value, least) in [("from", query.from, 0), ("to", query.to, 1)] {
        if value.is_some_and(|v| v < least) {
            return Err(ApiError::invalid_parameter(
                param,
                format!("'{param}' is a version of the dataset, {least} or more."),
            ));
        }
    }
    loader
        .load_fresh(Scope::History, move |conn| {
            let current = dataset(conn, &id)?;
            let to = query.to.unwrap_or(current.version);
            let from = query.from.unwrap_or(to - 1);
            let versions = db_vintages::of_dataset(conn, &id)?;
            // The vintage that made a version; version 0, before the first, shows no rows.
            let vintage_of = |version: i64, param: &str| -> Result<i64, ApiError> {
                if version == 0 {
                    return Ok(0);
                }
                let refused = |why: &str| {
                    Err(ApiError::new(
                        ProblemType::UnknownVintage,
                        format!("Version {version} of '{id}' {why}."),
                    )
                    .with_param(param)
                    .with_help(format!("/v1/datasets/{id}/versions")))
                };
                match versions.iter().find(|v| v.version == version) {
                    Some(v) if v.kept => Ok(v.id),
                    Some(_) => refused("is no longer kept"),
                    None => refused(&format!(
                        "does not exist: the latest is {}",
                        current.version
                    )),
                }
            };
            let (earlier, later) = (vintage_of(from, "from")?, vintage_of(to, "to")?);
            let mut only_at = |shown: i64, other: i64| {
                db_vintages::rows_only_at(conn, current.family, &id, shown, other)
            };
            let (before, after) = (only_at(earlier, later)?, only_at(later, earlier)?);
            Changes::between(before, after).ok_or_else(|| {
                ApiError::internal(format!("two versions of '{id}' hold rows of two kinds"))
            })
        })
        .await?
        .respond(|reply, changes| changes.respond(&reply))
}

/// Download a dataset
///
/// A dataset whole, as its current version or the one `as_of` shows: its canonical CSV, the
/// rows of its main table (a trade dataset's flows in id order, a wage dataset's observations, a
/// treaty dataset's provisions in id order, the countries or the sources, the others in key
/// order). `format=ndjson` gives the same rows as NDJSON objects with typed values. The CSV's
/// `ETag` is its SHA-256, which `/v1/datasets/{id}/versions` and `/v1/changes` list for each version
/// (`sha256`), so a download can be checked against the catalogue; `If-None-Match` with it
/// answers 304.
#[utoipa::path(
    tag = "sources",
    params(DatasetPath),
    responses(
        (status = 200, description = "The dataset's rows", content(
            (String = "text/csv"),
            (String = "application/x-ndjson"),
        )),
        responses::LookupFailures,
    )
)]
#[get("/v1/datasets/{id}/download")]
pub async fn download_dataset(
    loader: Loader,
    path: web::Path<DatasetPath>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_dataset_id(&path)?;
    let (format, encoding) = match loader.asked_format() {
        None | Some(Format::Csv) => (Format::Csv, Encoding::Csv),
        Some(Format::Ndjson) => (Format::Ndjson, Encoding::Ndjson),
        Some(_) => {
            return Err(ApiError::invalid_parameter(
                "format",
                "A download is CSV (the canonical form, whose SHA-256 the versions list) or NDJSON.",
            )
            .with_allowed([Format::Csv.as_str(), Format::Ndjson.as_str()]));
        }
    };
    let fresh = loader
        .load_fresh(Scope::History, move |conn| {
            let dataset = dataset(conn, &id)?;
            // The vintage that made the version shown: the rows are streamed as of it, so that
            // they are the rows its checksum was taken of, whatever is written meanwhile.
            let made = db_vintages::of_dataset(conn, &id)?
                .into_iter()
                .find(|v| v.version == dataset.version);
            let sha256 = match made.as_ref().and_then(|v| v.checksum.clone()) {
                Some(sha256) => sha256,
                // A version made before checksums were recorded: taken now, in a pass that
                // keeps nothing.
                None => db_canonical::checksum(conn, dataset.family, &id)?,
            };
            Ok((dataset, made.map(|v| v.id), sha256))
        })
        .await?;
    let (reply, (dataset, made, sha256)) = match fresh {
        Fresh::Answered(response) => return Ok(response),
        Fresh::Loaded { reply, value } => (reply, value),
    };
    // The ETag is the canonical CSV's SHA-256, as the versions list it; NDJSON's is derived from
    // it, the same rows in another form. Neither answer is kept in the memo: they are streamed.
    let etag = match encoding {
        Encoding::Csv => format!("\"{sha256}\""),
        Encoding::Ndjson => format!("\"{sha256}-ndjson\""),
    };
    let validators = Validators {
        etag,
        last_modified: reply.validators.last_modified,
    };
    let key = CacheKey::from_request(loader.request(), None, format);
    if key.is_not_modified(&validators) {
        return Ok(format::not_modified(&validators));
    }
    let state = loader.state();
    let slot = spool::export_slot(state).await?;
    let pool = state.pool.clone();
    let vintage = made.or(reply.vintage);
    let file_stem = dataset.id.clone();
    let body = spool::export(state, slot, move |spool| {
        let mut conn = pool.get().map_err(|e| Stop::Failed(e.to_string()))?;
        let mut out = SpoolWriter::new(spool);
        let written = db::read_snapshot_at(&mut conn, vintage, |conn| {
            db_canonical::write(conn, dataset.family, &dataset.id, encoding, &mut out)
                .map_err(DbError::from_query)
        });
        drop(conn);
        // A push the spool refused stopped the writing: that, not the write's error, says why.
        out.finish()?;
        written.map_err(|e| Stop::Failed(e.to_string()))
    });
    let mut response = HttpResponse::Ok();
    format::headers(&mut response, format, &validators, &file_stem);
    Ok(response.streaming(body))
}
