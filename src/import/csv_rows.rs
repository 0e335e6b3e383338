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
    rows(file, input)?.collect()
}

/// The rows of a CSV file with a header line, one at a time and each with its line number, so
/// that a file of any size is read in a small buffer. The header is read before this returns.
pub fn rows<'a, T: DeserializeOwned>(
    file: &'a str,
    input: impl Read + 'a,
) -> Result<impl Iterator<Item = Result<(u64, T), ImportError>> + 'a, ImportError> {
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
    Ok(reader.into_records().map(move |record| {
        let record = record
            .map_err(|e| row_error(file, e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let row = record
            .deserialize(Some(&headers))
            .map_err(|e| row_error(file, line, e.to_string()))?;
        Ok((line, row))
    }))
}

/// A row-level error for `file` at `line`.
pub fn row_error(file: &str, line: u64, reason: impl Into<String>) -> ImportError {
    ImportError::Row {
        file: file.to_owned(),
        line,
        reason: reason.into(),
    }
}
