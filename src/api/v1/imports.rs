//! `POST /v1/admin/imports/{kind}`: the imports of the command line (`trilateral import`) over
//! HTTP, for pipelines that push their feeds. The same formats, checks and single transaction: a
//! bad line rejects the whole body with its position and changes nothing. Authorised by a key of
//! `TRILATERAL_IMPORT_KEYS` (`api::import_keys`); the body is kept in an unnamed temporary file
//! while it arrives, up to `TRILATERAL_IMPORT_MAX_MB`, then read by the importer on a connection
//! of its own.

use std::io::{Seek, Write};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::envelope::rfc3339;
use crate::api::query::parse_query;
use crate::api::v1::vintages::RowChanges;
use crate::api::{AppState, body};
use crate::db::import_log::{self, ImportLogRow};
use crate::db::{self, DbError};
use crate::domain::ids::{DatasetId, SourceId};
use crate::error::{ApiError, ProblemType};
use crate::import::ImportError;
use crate::import::command::{self, Commit, ImportKind, ImportReport, ImportResult, ImportRun};

/// What an import's errors call the body ("body, line 3: …").
const BODY: &str = "body";

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ImportPath {
    /// What the body holds: `census-intltrade` (JSON of the Census international trade API),
    /// `comtrade` (JSON of the UN Comtrade API), `csv` (the tidy CSV of trade flows that
    /// `/v1/trade/flows?format=csv` exports), `sources` (CSV in the columns of `/v1/sources`),
    /// `tota-xml` (a treaty text in the ToTA corpus's XML), `articles` (a treaty's articles as CSV
    /// or a JSON array).
    #[param(example = "csv")]
    pub kind: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The dataset a trade or treaty import replaces (default: `census_intltrade`, `comtrade_api`,
    /// `trade_csv`, `tota_xml` or `articles` by kind); bundled datasets cannot be replaced.
    pub dataset: Option<String>,
    /// The source trade flows from an API are attributed to, an id of `/v1/sources` (default:
    /// `census_intltrade_api` or `un_comtrade_api`; CSV rows name their own).
    pub source: Option<String>,
    /// `true`: read, check and write the body in a transaction that is then rolled back. The
    /// answer says what the import would do; nothing changes.
    pub dry_run: Option<bool>,
}

/// What an import did, or would do in a dry run.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResponse {
    /// The dataset the body went to.
    #[schema(example = "trade_csv")]
    pub dataset_id: String,
    /// Its version after the import (what it would be, in a dry run).
    #[schema(example = 2)]
    pub version: i64,
    /// Rows read and written.
    #[schema(example = 1200)]
    pub rows: usize,
    /// The vintage the import made (would have made, in a dry run): `as_of` reads it, and the
    /// changes feed lists it.
    #[schema(example = 12)]
    pub vintage: i64,
    /// Rows of the dataset that are new, gone and changed since its version before.
    pub changes: RowChanges,
    /// Rows of totals or groupings that are not flows between two countries, left out.
    #[schema(example = 0)]
    pub skipped_aggregates: usize,
    /// The SHA-256 of the body, in hex.
    #[schema(example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    pub checksum: String,
    /// Whether this was a dry run (nothing changed).
    pub dry_run: bool,
    /// The name of the key that imported.
    #[schema(example = "pipeline")]
    pub key: String,
}

/// Import a file
///
/// Loads the body into the database as `trilateral import <kind>` does, in one transaction: a
/// trade or treaty import replaces its dataset's rows and bumps its version; sources are added or
/// updated. A bad line or record rejects the whole body with a 422 naming it, and nothing
/// changes. Needs `Authorization: Bearer <key>` with a key the service is configured with
/// (`TRILATERAL_IMPORT_KEYS`), a `Content-Type` the kind is read from (`text/csv` for `csv` and
/// `sources`; `application/json` for `census-intltrade` and `comtrade`; `application/xml` or
/// `text/xml` for `tota-xml`; either CSV or JSON for `articles`) and a body within
/// `TRILATERAL_IMPORT_MAX_MB`.
#[utoipa::path(
    tag = "imports",
    params(ImportPath, ImportQuery),
    request_body(
        description = "The file, in the format `kind` names",
        content(
            (String = "text/csv"),
            (String = "application/json"),
            (String = "application/xml"),
            (String = "text/xml"),
        )
    ),
    security(("import_key" = [])),
    responses(
        (status = 200, description = "Imported (or checked, in a dry run)", body = ImportResponse),
        (status = 400, response = crate::api::responses::BadRequest),
        (status = 401, response = crate::api::responses::Unauthorized),
        (status = 403, response = crate::api::responses::Forbidden),
        (status = 413, response = crate::api::responses::PayloadTooLarge),
        (status = 415, response = crate::api::responses::UnsupportedMediaType),
        (status = 422, response = crate::api::responses::ImportRejected),
        (status = 503, response = crate::api::responses::Unavailable),
    )
)]
#[post("/v1/admin/imports/{kind}")]
pub async fn import(
    req: HttpRequest,
    path: web::Path<ImportPath>,
    mut payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let kind = ImportKind::from_name(&path.kind).ok_or_else(|| {
        ApiError::invalid_parameter("kind", format!("'{}' is no import kind.", path.kind))
            .with_allowed(ImportKind::names())
    })?;
    let (key, query) = authorised::<ImportQuery>(&req, &state, Some(kind))?;
    // A malformed id is the query's fault (400), not the body's (422).
    let invalid = |param: &'static str| {
        move |invalid: crate::domain::ids::InvalidId| {
            ApiError::invalid_parameter(param, invalid.to_string())
        }
    };
    if let Some(dataset) = &query.dataset {
        DatasetId::parse(dataset).map_err(invalid("dataset"))?;
    }
    if let Some(source) = &query.source {
        SourceId::parse(source).map_err(invalid("source"))?;
    }
    body::check_media_type(
        &req,
        media_types(kind),
        &format!("A {} import", kind.name()),
    )?;
    let limit = state.import_max_bytes;
    let mut file = tempfile::tempfile()
        .map_err(|e| ApiError::internal(format!("a temporary file for an import: {e}")))?;
    let too_large = || {
        format!(
            "The body is larger than the {} MiB an import may have (TRILATERAL_IMPORT_MAX_MB).",
            limit >> 20
        )
    };
    let received = body::read_limited(&req, &mut payload, limit, too_large, |chunk| {
        file.write_all(chunk)
            .map_err(|e| ApiError::internal(format!("writing an import's body: {e}")))
    })
    .await?;
    file.rewind()
        .map_err(|e| ApiError::internal(format!("reading an import's body: {e}")))?;
    let commit = if query.dry_run == Some(true) {
        Commit::DryRun
    } else {
        Commit::Keep
    };
    let made_by = key.clone();
    let outcome = db::run_write(&state.pool, move |conn| {
        let run = ImportRun {
            dataset: query.dataset.as_deref(),
            source: query.source.as_deref(),
            commit,
            made_by: Some(&made_by),
        };
        let outcome = command::import_as(conn, kind, BODY, std::io::BufReader::new(file), run);
        Ok::<_, DbError>((ImportResult::of(&outcome, commit), outcome))
    })
    .await;
    let (result, outcome) = match outcome {
        Ok((result, imported)) => (result, imported.map_err(rejection)),
        Err(unavailable) => (ImportResult::Failed, Err(ApiError::from(unavailable))),
    };
    state.metrics.record_import(kind, result);
    let result = result.name();
    match &outcome {
        Ok(report) => tracing::info!(
            key = %key, kind = kind.name(), dataset = %report.dataset_id, version = report.version,
            rows = report.rows, checksum = %report.checksum, bytes = received, result,
            "import over HTTP"
        ),
        Err(error) => tracing::warn!(
            key = %key, kind = kind.name(), bytes = received, result, detail = %error.detail,
            "import over HTTP refused"
        ),
    }
    let report: ImportReport = outcome?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ImportResponse {
            dataset_id: report.dataset_id,
            version: report.version,
            rows: report.rows,
            vintage: report.vintage.id,
            changes: RowChanges::from(&report.vintage),
            skipped_aggregates: report.skipped_aggregates,
            checksum: report.checksum,
            dry_run: commit == Commit::DryRun,
            key,
        }))
}

/// The most imports one page of the log lists.
pub const MAX_LOG_LIMIT: i64 = 1000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportLogQuery {
    /// How many imports to list, newest first (default 100).
    pub limit: Option<i64>,
    /// List the imports older than this `id` (the last `id` of the page before; `links.next` has
    /// it).
    pub before: Option<i64>,
}

/// An import, kept or refused, as the log keeps it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoggedImport {
    /// Increases with every import.
    #[schema(example = 12)]
    pub id: i64,
    /// When the import began, UTC, RFC 3339.
    #[schema(format = DateTime, example = "2026-11-30T23:10:04Z")]
    pub received_at: String,
    /// The name of the key that made it, or `command line`.
    #[schema(example = "pipeline")]
    pub made_by: String,
    #[schema(example = "csv")]
    pub kind: String,
    /// The dataset it went to (or was to go to).
    #[schema(example = "pipeline_flows")]
    pub dataset_id: Option<String>,
    pub dry_run: bool,
    /// `imported`, `checked` (a dry run), `rejected` (a bad line, record or value) or `failed`
    /// (the database); only `imported` changed anything.
    #[schema(example = "imported")]
    pub result: String,
    #[schema(example = 1200)]
    pub rows: Option<i64>,
    /// The dataset's version it made (or would have made, in a dry run).
    #[schema(example = 2)]
    pub version: Option<i64>,
    /// Bytes read of the file.
    #[schema(example = 104_857)]
    pub bytes: i64,
    /// SHA-256 of the file, in hex, when it was read whole.
    pub checksum: Option<String>,
    /// Why it was refused.
    #[schema(example = "body, line 3: value_usd 'abc' is not a number")]
    pub detail: Option<String>,
}

impl From<ImportLogRow> for LoggedImport {
    fn from(row: ImportLogRow) -> Self {
        let entry = row.entry;
        Self {
            id: row.id,
            received_at: rfc3339(entry.received_at),
            made_by: entry.made_by,
            kind: entry.kind,
            dataset_id: entry.dataset_id,
            dry_run: entry.dry_run,
            result: entry.result,
            rows: entry.rows,
            version: entry.version,
            bytes: entry.bytes,
            checksum: entry.checksum,
            detail: entry.detail,
        }
    }
}

/// A page of the import log.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportLog {
    pub data: Vec<LoggedImport>,
    pub links: ImportLogLinks,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportLogLinks {
    /// The page of older imports, while there may be some.
    #[schema(example = "/v1/admin/imports?limit=100&before=12")]
    pub next: Option<String>,
}

/// List imports
///
/// Every import, over HTTP or from the command line, kept or refused, newest first: who made it
/// (the key's name, or `command line`), when, its kind and dataset, rows, the version it made,
/// the file's size and SHA-256, how it ended and why it was refused. Needs the same
/// `Authorization: Bearer <key>` as an import (any configured key).
#[utoipa::path(
    tag = "imports",
    params(ImportLogQuery),
    security(("import_key" = [])),
    responses(
        (status = 200, description = "The latest imports, newest first", body = ImportLog),
        (status = 400, response = crate::api::responses::BadRequest),
        (status = 401, response = crate::api::responses::Unauthorized),
        (status = 503, response = crate::api::responses::Unavailable),
    )
)]
#[get("/v1/admin/imports")]
pub async fn list_imports(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (_, query) = authorised::<ImportLogQuery>(&req, &state, None)?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=MAX_LOG_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_parameter(
            "limit",
            format!("limit must be from 1 to {MAX_LOG_LIMIT}."),
        ));
    }
    if query.before.is_some_and(|before| before < 1) {
        return Err(ApiError::invalid_parameter(
            "before",
            "before is the id of an import, from 1.",
        ));
    }
    let before = query.before;
    let rows = db::run(&state.pool, move |conn| {
        import_log::latest(conn, before, limit).map_err(DbError::from_query)
    })
    .await?;
    let next = (rows.len() as i64 == limit)
        .then(|| {
            rows.last()
                .map(|last| format!("/v1/admin/imports?limit={limit}&before={}", last.id))
        })
        .flatten();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ImportLog {
            data: rows.into_iter().map(LoggedImport::from).collect(),
            links: ImportLogLinks { next },
        }))
}

/// The name of the key the request presents, if it may import `kind` (or any kind, for `None`),
/// and its query. The key is checked first: without one, nothing else is looked at.
fn authorised<Q: DeserializeOwned + IntoParams + 'static>(
    req: &HttpRequest,
    state: &AppState,
    kind: Option<ImportKind>,
) -> Result<(String, Q), ApiError> {
    let authorization = req.headers().get(header::AUTHORIZATION);
    let key = state
        .import_keys
        .authorise(authorization.map(|value| value.as_bytes()), kind)?
        .to_owned();
    let (query, options) = parse_query::<Q>(req.query_string())?;
    if options.format.is_some() {
        return Err(ApiError::invalid_parameter(
            "format",
            "Imports and their log answer JSON only; they do not take 'format'.",
        ));
    }
    if options.as_of.is_some() {
        return Err(ApiError::invalid_parameter(
            "as_of",
            "Imports and their log are not kept by vintage; they do not take 'as_of'.",
        ));
    }
    Ok((key, query))
}

/// The media types each kind is read from.
fn media_types(kind: ImportKind) -> &'static [&'static str] {
    match kind {
        ImportKind::Csv | ImportKind::Sources => &["text/csv"],
        ImportKind::CensusIntltrade | ImportKind::Comtrade => &["application/json"],
        ImportKind::TotaXml => &["application/xml", "text/xml"],
        ImportKind::Articles => &["text/csv", "application/json"],
    }
}

/// A refused import: what is wrong with the body is a 422 naming where; a database failure is
/// what it is for any request.
fn rejection(error: ImportError) -> ApiError {
    match error {
        ImportError::Database(e) => ApiError::from(DbError::from_query(e)),
        other => ApiError::new(ProblemType::ImportRejected, other.to_string()).with_param(BODY),
    }
}
