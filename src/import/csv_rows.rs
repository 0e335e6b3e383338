//! Reading CSV files into typed rows, with the line number of every row for error messages.

use std::io::Read;

use serde::de::DeserializeOwned;

use super::ImportError;

/// Reads every row of a CSV file with a header line. A row that does not parse rejects the whole
/// file with its line number.
pub fn read_rows<T: DeserializeOwned>(
    file: &str,
    input: impl Read,
) -> Result<Vec<(u64, T)>, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| ImportError::File {
            file: file.to_owned(),
            reason: format!("cannot read the header line: {e}"),
        })?
        .clone();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ImportError::Row {
            file: file.to_owned(),
            line: e.position().map_or(0, |p| p.line()),
            reason: e.to_string(),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let row = record
            .deserialize(Some(&headers))
            .map_err(|e| ImportError::Row {
                file: file.to_owned(),
                line,
                reason: e.to_string(),
            })?;
        rows.push((line, row));
    }
    Ok(rows)
}

/// A row-level error for `file` at `line`.
pub fn row_error(file: &str, line: u64, reason: impl Into<String>) -> ImportError {
    ImportError::Row {
        file: file.to_owned(),
        line,
        reason: reason.into(),
    }
}
