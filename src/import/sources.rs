//! The sources catalogue, `data/sources.csv`, written from the PROVENANCE.md of each data family.

use std::collections::HashSet;

use serde::Deserialize;

use super::bundled::{self, SOURCES_CSV};
use super::csv_rows::{Columns, read_checked_rows, row_error};
use super::{BundledDataset, BundledLoader, CatalogueEntry, ImportError, LoadSummary};
use crate::db::DbConnection;
use crate::db::sources::{self as db_sources, SourceRow};
use crate::domain::ids::SourceId;
use crate::domain::source::{DatasetFamily, Reporting, SourceFamily};

struct Sources;

#[derive(Debug, Deserialize)]
struct SourceRecord {
    id: String,
    family: String,
    publisher: String,
    title: String,
    url: String,
    licence: String,
    coverage: String,
    transformations: String,
    notes: String,
    basis: String,
}

/// Every column is required, `url` and `notes` may be empty.
impl Columns for SourceRecord {}

fn non_empty(value: String) -> Option<String> {
    (!value.trim().is_empty()).then_some(value)
}

/// Parses and checks a catalogue: ids well-formed and unique, known families, required fields.
pub fn parse(path: &str, bytes: &[u8]) -> Result<Vec<SourceRow>, ImportError> {
    let mut seen = HashSet::new();
    read_checked_rows::<SourceRecord>(path, bytes)?
        .into_iter()
        .map(|(line, record)| {
            SourceId::parse(&record.id).map_err(|e| row_error(path, line, e.to_string()))?;
            if !seen.insert(record.id.clone()) {
                return Err(row_error(
                    path,
                    line,
                    format!("duplicate source id '{}'", record.id),
                ));
            }
            let Some(family) = SourceFamily::parse(&record.family) else {
                return Err(row_error(
                    path,
                    line,
                    format!("unknown family '{}'", record.family),
                ));
            };
            for (field, value) in [
                ("publisher", &record.publisher),
                ("title", &record.title),
                ("licence", &record.licence),
                ("coverage", &record.coverage),
                ("transformations", &record.transformations),
                ("basis", &record.basis),
            ] {
                if value.trim().is_empty() {
                    return Err(row_error(path, line, format!("{field} is empty")));
                }
            }
            Ok(SourceRow {
                id: record.id,
                family,
                publisher: record.publisher,
                title: record.title,
                url: non_empty(record.url),
                licence: record.licence,
                coverage: record.coverage,
                transformations: record.transformations,
                notes: non_empty(record.notes),
                basis: record.basis,
            })
        })
        .collect()
}

/// Its entry in the catalogue, with what loads it.
pub static SOURCES: BundledDataset = BundledDataset {
    entry: CatalogueEntry {
        id: "sources",
        family: DatasetFamily::Reference,
        title: "Sources",
        description: "Publisher, title, URL, licence, coverage and transformations of every source behind the data",
        basis: "the catalogue of sources, one row per publication read (data/sources.csv, written from each data family's PROVENANCE.md)",
        reporting: Reporting::NotApplicable,
    },
    loader: &Sources,
};

impl BundledLoader for Sources {
    fn checksum(&self) -> String {
        bundled::checksum(&[SOURCES_CSV], b"")
    }

    /// Sources are updated in place rather than deleted, because data rows refer to them.
    fn load(&self, _: &str, conn: &mut DbConnection) -> Result<LoadSummary, ImportError> {
        let rows = parse(SOURCES_CSV.path, SOURCES_CSV.bytes)?;
        for row in &rows {
            db_sources::save(conn, row)?;
        }
        Ok(LoadSummary {
            rows: rows.len() as i64,
            coverage: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_catalogue_parses() {
        let rows = parse(SOURCES_CSV.path, SOURCES_CSV.bytes).expect("data/sources.csv is valid");
        assert!(
            rows.iter()
                .any(|r| r.id == "tota_v0.5.0" && r.licence == "CC BY-NC 4.0")
        );
    }

    #[test]
    fn a_source_without_its_basis_is_rejected() {
        let csv = "id,family,publisher,title,url,licence,coverage,transformations,notes,basis\n\
                   a,trade,P,T,,MIT,C,X,,\n";
        let err = parse("test.csv", csv.as_bytes()).unwrap_err().to_string();
        assert_eq!(err, "test.csv, line 2: basis is empty");
    }

    #[test]
    fn a_file_with_other_columns_is_refused_on_line_1_naming_them() {
        let columns = "the columns are id, family, publisher, title, url, licence, coverage, transformations, notes, basis";
        let cases = [
            (
                "id,family,publisher,title,url,licence,coverage,transformations,notes",
                "missing column `basis`",
            ),
            (
                "id,family,publisher,title,url,license,coverage,transformations,notes,basis",
                "missing column `licence`; unexpected column `license`",
            ),
        ];
        for (header, problem) in cases {
            let csv = format!("{header}\na,trade,P,T,,MIT,C,X,,B\n");
            let error = parse("test.csv", csv.as_bytes()).unwrap_err().to_string();
            assert_eq!(error, format!("test.csv, line 1: {problem}; {columns}"));
        }
    }

    #[test]
    fn a_duplicate_id_is_rejected_with_its_line() {
        let csv = "id,family,publisher,title,url,licence,coverage,transformations,notes,basis\n\
                   a,trade,P,T,,MIT,C,X,,B\n\
                   a,trade,P,T,,MIT,C,X,,B\n";
        let err = parse("test.csv", csv.as_bytes()).unwrap_err().to_string();
        assert_eq!(err, "test.csv, line 3: duplicate source id 'a'");
    }
}
