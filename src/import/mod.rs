//! Loading data into the database. The bundled datasets (files under `data/`, compiled into the
//! binary) are loaded on first start, and again when a new binary ships different files; the
//! `import` command will reuse the same readers for files users bring.

pub mod bundled;
pub mod command;
pub mod countries;
pub mod csv_rows;
pub mod sources;
pub mod trade;
pub mod treaties;
pub mod wages;

use chrono::Utc;

use crate::db::datasets::{self, DatasetRow};
use crate::db::{DbConnection, DbError};
use crate::domain::source::{DatasetFamily, DatasetOrigin, Reporting};

/// Why an import failed. Row errors name the file and the line (1 is the header).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}, line {line}: {reason}")]
    Row {
        file: String,
        line: u64,
        reason: String,
    },
    /// For JSON files, where a record is not a line.
    #[error("{file}, record {index}: {reason}")]
    Record {
        file: String,
        index: usize,
        reason: String,
    },
    #[error("{file}: {reason}")]
    File { file: String, reason: String },
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
}

impl From<DbError> for ImportError {
    fn from(error: DbError) -> Self {
        match error {
            DbError::Query(e) => ImportError::Database(e),
            other => ImportError::File {
                file: "database".to_owned(),
                reason: other.to_string(),
            },
        }
    }
}

/// What a load wrote, for the dataset catalogue.
#[derive(Debug, Clone, Default)]
pub struct LoadSummary {
    pub rows: i64,
    /// First and last period covered, where the dataset has periods.
    pub coverage: Option<(String, String)>,
}

/// What the catalogue (`/v1/datasets`) says of a bundled dataset.
#[derive(Debug, Clone, Copy)]
pub struct CatalogueEntry {
    pub id: &'static str,
    pub family: DatasetFamily,
    pub title: &'static str,
    pub description: &'static str,
    /// What the figures are: who reports them, their definitions (exports f.a.s. or domestic,
    /// general imports or for consumption), price base and vintage.
    pub basis: &'static str,
    /// Who reports the flows of a trade dataset; `NotApplicable` for the others.
    pub reporting: Reporting,
}

/// A dataset that ships with the binary. The catalogue entry sits next to the loader, so that each
/// dataset states it once and the start-up load reads it the same way for all.
pub struct BundledDataset {
    pub entry: CatalogueEntry,
    pub loader: &'static dyn BundledLoader,
}

/// What fingerprints and writes the rows of a bundled dataset.
pub trait BundledLoader: Sync {
    /// Fingerprint of what this binary would load; a change triggers a reload.
    fn checksum(&self) -> String;
    /// Writes the rows of dataset `dataset_id`, replacing earlier ones, inside the caller's
    /// transaction.
    fn load(&self, dataset_id: &str, conn: &mut DbConnection) -> Result<LoadSummary, ImportError>;
}

/// The bundled datasets in load order (later ones refer to earlier ones).
pub fn bundled_datasets() -> [&'static BundledDataset; 7] {
    [
        &sources::SOURCES,
        &countries::COUNTRIES,
        &wages::WAGES,
        &trade::COMTRADE_4YEARLY,
        &trade::AGTPA,
        &trade::CENSUS,
        &treaties::TREATIES,
    ]
}

/// What happened to one bundled dataset at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadOutcome {
    UpToDate {
        id: &'static str,
        version: i64,
    },
    Loaded {
        id: &'static str,
        version: i64,
        rows: i64,
        millis: u128,
    },
}

/// Loads every bundled dataset that is missing or differs from what this binary ships. Each
/// dataset is one transaction: it is either fully replaced or left as it was.
pub fn load_bundled(conn: &mut DbConnection) -> Result<Vec<LoadOutcome>, ImportError> {
    let outcomes = bundled_datasets()
        .into_iter()
        .map(|dataset| load_if_changed(conn, dataset))
        .collect::<Result<Vec<_>, _>>()?;
    if outcomes
        .iter()
        .any(|outcome| matches!(outcome, LoadOutcome::Loaded { .. }))
    {
        crate::db::settle_after_load(conn)?;
    }
    Ok(outcomes)
}

fn load_if_changed(
    conn: &mut DbConnection,
    dataset: &'static BundledDataset,
) -> Result<LoadOutcome, ImportError> {
    // The catalogue entry is part of what ships: a new title, description or basis reloads too.
    let entry = &dataset.entry;
    let catalogue_entry = [
        entry.title,
        entry.description,
        entry.basis,
        entry.reporting.as_str(),
    ]
    .join("\n");
    let checksum = bundled::checksum(
        &[],
        format!("{}\n{catalogue_entry}", dataset.loader.checksum()).as_bytes(),
    );
    let existing = datasets::find(conn, entry.id)?;
    if let Some(row) = existing.as_ref().filter(|row| row.checksum == checksum) {
        return Ok(LoadOutcome::UpToDate {
            id: entry.id,
            version: row.version,
        });
    }
    let version = existing.map_or(1, |row| row.version + 1);
    let started = std::time::Instant::now();
    crate::db::write_transaction::<_, ImportError, _>(conn, |conn| {
        let summary = dataset.loader.load(entry.id, conn)?;
        let (coverage_first, coverage_last) = summary.coverage.clone().unzip();
        datasets::save(
            conn,
            &DatasetRow {
                id: entry.id.to_owned(),
                family: entry.family,
                title: entry.title.to_owned(),
                description: entry.description.to_owned(),
                version,
                last_updated: Utc::now().naive_utc(),
                row_count: summary.rows,
                coverage_first,
                coverage_last,
                checksum,
                origin: DatasetOrigin::Bundled,
                basis: entry.basis.to_owned(),
                reporting: entry.reporting,
            },
            None,
        )?;
        Ok(LoadOutcome::Loaded {
            id: entry.id,
            version,
            rows: summary.rows,
            millis: started.elapsed().as_millis(),
        })
    })
}
