//! `trilateral import <kind> <file|->`: loads a file a user brings, in one transaction. A bad row
//! rejects the whole file with its position and changes nothing; a good import replaces the
//! target dataset's rows and bumps its version.

use std::collections::BTreeSet;
use std::io::Read;

use chrono::Utc;
use sha2::{Digest, Sha256};

use super::ImportError;
use super::trade::{Batch, census, comtrade, tidy_csv};
use super::treaties;
use crate::db::DbConnection;
use crate::db::datasets::{self, DatasetRow};
use crate::db::import_log::{self, ImportLogEntry};
use crate::db::sources as db_sources;
use crate::db::vintages::VintageRow;
use crate::domain::hex;
use crate::domain::ids::DatasetId;
use crate::domain::source::{DatasetFamily, DatasetOrigin, Reporting};

/// The formats `import` reads. The command line names them in kebab case (`census-intltrade`)
/// and explains them with their doc comments.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumMessage, strum::VariantArray,
)]
#[strum(serialize_all = "kebab-case")]
pub enum ImportKind {
    /// JSON of the U.S. Census Bureau international trade API (array of arrays)
    CensusIntltrade,
    /// JSON of the UN Comtrade data API v1
    Comtrade,
    /// The project's tidy CSV of trade flows (what /v1/trade/flows?format=csv exports)
    Csv,
    /// Sources in the columns of data/sources.csv, added to /v1/sources (existing ids are updated)
    Sources,
    /// A treaty text in the XML of the ToTA corpus (Texts of Trade Agreements)
    TotaXml,
    /// A known treaty's articles as tidy CSV or a JSON array (treaty, lang, chapter, chapter_title, article, title, text)
    Articles,
}

impl ImportKind {
    /// The name on the command line (`trilateral import <name> <file>`).
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// The kind of this name.
    pub fn from_name(name: &str) -> Option<Self> {
        <Self as strum::VariantArray>::VARIANTS
            .iter()
            .copied()
            .find(|kind| kind.name() == name)
    }

    /// Every kind's name.
    pub fn names() -> Vec<&'static str> {
        <Self as strum::VariantArray>::VARIANTS
            .iter()
            .map(|kind| kind.name())
            .collect()
    }

    /// What the format is, for `--help`.
    pub fn describe(self) -> &'static str {
        strum::EnumMessage::get_documentation(&self).unwrap_or_default()
    }

    /// What the imported figures are, for the catalogue.
    fn trade_basis(self) -> &'static str {
        match self {
            ImportKind::CensusIntltrade => {
                "U.S. Census Bureau international trade API: as reported by the United States; exports as the API's export value (total exports f.a.s. unless the query asked for domestic exports), imports as the API's import value (general imports unless the query asked for imports for consumption); current USD; vintage of the download"
            }
            ImportKind::Comtrade => {
                "UN Comtrade data API: each row as its reporter declared it to the UN (imports c.i.f. or as the reporter values them, exports f.o.b.); current USD; vintage of the download"
            }
            ImportKind::Csv => {
                "tidy CSV as supplied by the importer: each row's reporter stated in the file; definitions and vintage as the supplier's source says"
            }
            ImportKind::Sources | ImportKind::TotaXml | ImportKind::Articles => "",
        }
    }

    /// The dataset an import goes to unless `--dataset` says otherwise.
    pub fn default_dataset(self) -> &'static str {
        match self {
            ImportKind::CensusIntltrade => "census_intltrade",
            ImportKind::Comtrade => "comtrade_api",
            ImportKind::Csv => "trade_csv",
            ImportKind::Sources => "sources",
            ImportKind::TotaXml => "tota_xml",
            ImportKind::Articles => "articles",
        }
    }

    /// The source flows are attributed to unless `--source` says otherwise (CSV rows name theirs).
    fn default_source(self) -> &'static str {
        match self {
            ImportKind::CensusIntltrade => "census_intltrade_api",
            _ => "un_comtrade_api",
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub dataset_id: String,
    pub version: i64,
    pub rows: usize,
    /// Rows of totals or groupings that are not flows between two countries.
    pub skipped_aggregates: usize,
    /// The vintage the import made (would have made, in a dry run), with what it changed.
    pub vintage: VintageRow,
    /// The SHA-256 of the bytes read, in hex.
    pub checksum: String,
}

/// Whether an import is kept or only checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commit {
    /// Written and committed: the dataset's new version is served.
    Keep,
    /// Read, checked and written in a transaction that is then rolled back: the report says what
    /// an import would do, and nothing changes.
    DryRun,
}

/// How an import ended, as the log and the metrics name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum ImportResult {
    /// Committed: its version is served.
    Imported,
    /// A dry run that went through: nothing changed.
    Checked,
    /// The file was refused (a bad line, record or value): nothing changed.
    Rejected,
    /// The database failed: nothing changed.
    Failed,
}

impl ImportResult {
    pub fn of(outcome: &Result<ImportReport, ImportError>, commit: Commit) -> Self {
        match (outcome, commit) {
            (Ok(_), Commit::Keep) => ImportResult::Imported,
            (Ok(_), Commit::DryRun) => ImportResult::Checked,
            (Err(ImportError::Database(_)), _) => ImportResult::Failed,
            (Err(_), _) => ImportResult::Rejected,
        }
    }

    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// Why the import's transaction ended without a commit.
enum Unwritten {
    Failed(ImportError),
    Checked(Box<ImportReport>),
}

impl From<ImportError> for Unwritten {
    fn from(error: ImportError) -> Self {
        Unwritten::Failed(error)
    }
}

impl From<diesel::result::Error> for Unwritten {
    fn from(error: diesel::result::Error) -> Self {
        Unwritten::Failed(error.into())
    }
}

/// The dataset id an import names, or the refusal that says what ids look like.
pub fn parse_dataset_id(id: &str) -> Result<DatasetId, ImportError> {
    DatasetId::parse(id).map_err(|e| ImportError::File {
        file: "--dataset".to_owned(),
        reason: e.to_string(),
    })
}

/// Imports what `input` (read from `file`) holds as `kind` into `dataset` (or the kind's default),
/// in one transaction. A tidy CSV is read and written a chunk at a time, so a file of any size
/// imports in bounded memory; the JSON and XML formats are read whole.
pub fn import(
    conn: &mut DbConnection,
    kind: ImportKind,
    file: &str,
    input: impl Read + Send,
    dataset: Option<&str>,
    source: Option<&str>,
) -> Result<ImportReport, ImportError> {
    let run = ImportRun {
        dataset,
        source,
        ..ImportRun::default()
    };
    import_as(conn, kind, file, input, run)
}

/// How an import runs besides its file: where its rows go, whether it is kept, and who makes it.
#[derive(Debug, Clone, Copy)]
pub struct ImportRun<'a> {
    /// The dataset to replace (default: the kind's).
    pub dataset: Option<&'a str>,
    /// The source flows from an API are attributed to (default: the kind's).
    pub source: Option<&'a str>,
    pub commit: Commit,
    /// Who makes it, for the import log (a key's name, `command line`); `None` logs nothing.
    pub made_by: Option<&'a str>,
}

impl Default for ImportRun<'_> {
    fn default() -> Self {
        Self {
            dataset: None,
            source: None,
            commit: Commit::Keep,
            made_by: None,
        }
    }
}

/// `import`, as `run` says. A dry run goes through every step of an import, writes included (a
/// conflict with the database's rows is found as it would be), in a transaction that is rolled
/// back. An import that is kept is written to the import log in its own transaction, so the log
/// says `imported` exactly when the rows are there; a dry run or a refusal is logged after the
/// rollback (a log entry that cannot be written then is a warning, not a failure).
pub fn import_as(
    conn: &mut DbConnection,
    kind: ImportKind,
    file: &str,
    input: impl Read + Send,
    run: ImportRun,
) -> Result<ImportReport, ImportError> {
    let received_at = Utc::now().naive_utc();
    let log_entry = |outcome: &Result<ImportReport, ImportError>, bytes: u64| {
        let report = outcome.as_ref().ok();
        ImportLogEntry {
            received_at,
            made_by: run.made_by.unwrap_or_default().to_owned(),
            kind: kind.name().to_owned(),
            dataset_id: report
                .map(|r| r.dataset_id.clone())
                .or_else(|| run.dataset.map(str::to_owned)),
            dry_run: run.commit == Commit::DryRun,
            result: ImportResult::of(outcome, run.commit).name().to_owned(),
            rows: report.map(|r| i64::try_from(r.rows).unwrap_or(i64::MAX)),
            version: report.map(|r| r.version),
            bytes: i64::try_from(bytes).unwrap_or(i64::MAX),
            checksum: report.map(|r| r.checksum.clone()),
            detail: outcome.as_ref().err().map(ToString::to_string),
        }
    };
    let mut input = DigestingReader::new(input);
    let written = crate::db::write_transaction(conn, |conn| {
        let mut report = match kind {
            ImportKind::Sources => import_sources(conn, file, &read_whole(file, &mut input)?),
            ImportKind::TotaXml => {
                treaties::import_text(conn, file, &read_whole(file, &mut input)?, run.dataset)
            }
            ImportKind::Articles => treaties::articles::import_articles(
                conn,
                file,
                &read_whole(file, &mut input)?,
                run.dataset,
            ),
            _ => import_trade(conn, kind, file, &mut input, run.dataset, run.source),
        }?;
        report.checksum = input.hex_digest();
        match run.commit {
            Commit::Keep => {
                if run.made_by.is_some() {
                    import_log::record(conn, &log_entry(&Ok(report.clone()), input.bytes))?;
                }
                Ok(report)
            }
            Commit::DryRun => Err(Unwritten::Checked(Box::new(report))),
        }
    });
    let outcome = match written {
        Ok(report) => {
            crate::db::settle_after_load(conn)?;
            return Ok(report);
        }
        Err(Unwritten::Checked(report)) => Ok(*report),
        Err(Unwritten::Failed(error)) => Err(error),
    };
    if run.made_by.is_some()
        && let Err(error) = import_log::record(conn, &log_entry(&outcome, input.bytes))
    {
        tracing::warn!(%error, "the import could not be written to the import log");
    }
    outcome
}

fn read_whole(file: &str, input: &mut impl Read) -> Result<Vec<u8>, ImportError> {
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|e| ImportError::File {
            file: file.to_owned(),
            reason: format!("cannot read: {e}"),
        })?;
    Ok(bytes)
}

/// Passes bytes through while computing their SHA-256 (the checksum of an imported dataset) and
/// counting them.
struct DigestingReader<R> {
    inner: R,
    digest: Sha256,
    bytes: u64,
}

impl<R: Read> DigestingReader<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            digest: Sha256::new(),
            bytes: 0,
        }
    }

    /// The hex digest of everything read so far.
    fn hex_digest(&self) -> String {
        hex(&self.digest.clone().finalize())
    }
}

impl<R: Read> Read for DigestingReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.digest.update(&buffer[..read]);
        self.bytes += read as u64;
        Ok(read)
    }
}

fn import_trade<R: Read + Send>(
    conn: &mut DbConnection,
    kind: ImportKind,
    file: &str,
    input: &mut DigestingReader<R>,
    dataset: Option<&str>,
    source: Option<&str>,
) -> Result<ImportReport, ImportError> {
    let dataset_id = dataset.unwrap_or(kind.default_dataset());
    let dataset_id = &*parse_dataset_id(dataset_id)?;
    let source_id = source.unwrap_or(kind.default_source());
    let existing = datasets::find(conn, dataset_id)?;
    if let Some(bundled) = existing
        .as_ref()
        .filter(|d| d.origin == DatasetOrigin::Bundled || d.family != DatasetFamily::Trade)
    {
        return Err(ImportError::File {
            file: file.to_owned(),
            reason: format!(
                "dataset '{}' is a {} {} dataset and cannot be replaced by an import; choose another --dataset",
                bundled.id,
                bundled.origin.as_str(),
                bundled.family.as_str()
            ),
        });
    }
    let api_response = match kind {
        ImportKind::CensusIntltrade => Some(census::read(file, &mut *input, source_id)?),
        ImportKind::Comtrade => Some(comtrade::read(file, &mut *input, source_id)?),
        _ => None,
    };
    let batch = Batch {
        file,
        dataset_id,
        records: api_response.is_some(),
    };
    let ((stored, indexes), skipped_aggregates, origins) = match api_response {
        Some(parsed) => (
            batch.store(conn, parsed.flows.into_iter().map(Ok))?,
            parsed.skipped_aggregates,
            BTreeSet::new(),
        ),
        None => {
            let mut flows = tidy_csv::read(file, &mut *input)?;
            let stored = batch.store(conn, &mut flows)?;
            (stored, 0, flows.origins().clone())
        }
    };
    let (basis, reporting) = if origins.is_empty() {
        (kind.trade_basis().to_owned(), Reporting::Reporter)
    } else {
        copied_basis(conn, kind, dataset_id, existing.as_ref(), &origins)?
    };
    let version = existing.map_or(1, |d| d.version + 1);
    let (coverage_first, coverage_last) = stored.coverage.unzip();
    let vintage = datasets::save(
        conn,
        &DatasetRow {
            id: dataset_id.to_owned(),
            family: DatasetFamily::Trade,
            title: format!("Imported trade flows ({dataset_id})"),
            description: format!(
                "Imported with `trilateral import {}` from {file}",
                kind.name()
            ),
            version,
            last_updated: Utc::now().naive_utc(),
            row_count: stored.rows as i64,
            coverage_first,
            coverage_last,
            checksum: input.hex_digest(),
            origin: DatasetOrigin::Import,
            basis,
            reporting,
        },
        stored.checksum,
    )?;
    indexes.finish(conn)?;
    Ok(ImportReport {
        dataset_id: dataset_id.to_owned(),
        version,
        rows: stored.rows,
        skipped_aggregates,
        vintage,
        // Filled in by `import_as`, which reads the input.
        checksum: String::new(),
    })
}

/// What a dataset made of rows exported from `origins` (the `dataset_id` column of a tidy CSV)
/// says of its figures: what those datasets say, since the figures are theirs. A copy of
/// `comtrade` thus keeps `reporting: unknown` instead of claiming that each row's reporter
/// published it, and a file that mixes datasets is `unknown` unless each of them is `reporter`.
/// Lines naming the target itself (an export imported back, or a file that names the dataset it
/// is for) keep what the target said before, or what any tidy CSV says. A dataset this database
/// does not hold (an export of another deployment) cannot vouch for its rows.
fn copied_basis(
    conn: &mut DbConnection,
    kind: ImportKind,
    target: &str,
    existing: Option<&DatasetRow>,
    origins: &BTreeSet<String>,
) -> Result<(String, Reporting), ImportError> {
    let mut bases = Vec::new();
    let mut reporting = Reporting::Reporter;
    for origin in origins {
        let (basis, said) = if origin == target {
            existing.map_or(
                (kind.trade_basis().to_owned(), Reporting::Reporter),
                |row| (row.basis.clone(), row.reporting),
            )
        } else {
            match datasets::find(conn, origin)?.filter(|row| row.family == DatasetFamily::Trade) {
                Some(row) => (
                    format!("rows copied from dataset '{origin}': {}", row.basis),
                    row.reporting,
                ),
                None => (
                    format!(
                        "rows exported from dataset '{origin}', which this service does not hold: what its figures are is not known"
                    ),
                    Reporting::Unknown,
                ),
            }
        };
        if said != Reporting::Reporter {
            reporting = Reporting::Unknown;
        }
        bases.push(basis);
    }
    Ok((bases.join("; "), reporting))
}

pub fn sha2_digest(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

/// Adds or updates sources, then bumps the `sources` dataset's version.
fn import_sources(
    conn: &mut DbConnection,
    file: &str,
    bytes: &[u8],
) -> Result<ImportReport, ImportError> {
    let rows = super::sources::parse(file, bytes)?;
    for row in &rows {
        db_sources::save(conn, row)?;
    }
    let mut dataset = datasets::find(conn, "sources")?.ok_or_else(|| ImportError::File {
        file: file.to_owned(),
        reason: "the sources dataset is not loaded; start the service once first".to_owned(),
    })?;
    dataset.version += 1;
    dataset.last_updated = Utc::now().naive_utc();
    dataset.row_count = db_sources::list(conn, None)?.len() as i64;
    let vintage = datasets::save(conn, &dataset, None)?;
    Ok(ImportReport {
        dataset_id: dataset.id,
        version: dataset.version,
        rows: rows.len(),
        skipped_aggregates: 0,
        vintage,
        // Filled in by `import_as`, which reads the input.
        checksum: String::new(),
    })
}
