//! Reading CSV files into typed rows, with the line number of every row for error messages.
//!
//! Files users bring (`trilateral import csv|articles|sources`) have their header checked against
//! the row type before any row is read: a missing, unknown or repeated column is refused on line 1
//! by its name, with the columns the file should have, instead of at the first row in serde's
//! words (`missing field`).

use std::collections::HashSet;
use std::io::Read;

use serde::de::{self, DeserializeOwned, Visitor};

use super::ImportError;

/// A row type of a file that users bring.
pub trait Columns: DeserializeOwned {
    /// The columns a file may leave out (fields with a default). Every other field of the type is
    /// a column the file must have.
    const OPTIONAL: &'static [&'static str] = &[];
}

/// Reads every row of a CSV file with a header line. A row that does not parse rejects the whole
/// file with its line number.
pub fn read_rows<T: DeserializeOwned>(
    file: &str,
    input: impl Read,
) -> Result<Vec<(u64, T)>, ImportError> {
    rows(file, input)?.collect()
}

/// Like `read_rows`, for a file users bring: its header is checked first (see `checked_rows`).
pub fn read_checked_rows<T: Columns>(
    file: &str,
    input: impl Read,
) -> Result<Vec<(u64, T)>, ImportError> {
    checked_rows(file, input)?.collect()
}

/// The rows of a CSV file with a header line, one at a time and each with its line number, so
/// that a file of any size is read in a small buffer. The header is read before this returns.
pub fn rows<'a, T: DeserializeOwned>(
    file: &'a str,
    input: impl Read + 'a,
) -> Result<impl Iterator<Item = Result<(u64, T), ImportError>> + 'a, ImportError> {
    rows_after_header(file, csv::ReaderBuilder::new().from_reader(input), |_| {
        Ok(())
    })
}

/// Like `rows`, for a file users bring: the header (its names trimmed) must name every column of
/// `T` but its optional ones, and nothing else, once each.
pub fn checked_rows<'a, T: Columns>(
    file: &'a str,
    input: impl Read + 'a,
) -> Result<impl Iterator<Item = Result<(u64, T), ImportError>> + 'a, ImportError> {
    let reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::Headers)
        .from_reader(input);
    rows_after_header(file, reader, check_header::<T>)
}

fn rows_after_header<'a, T: DeserializeOwned, R: Read + 'a>(
    file: &'a str,
    mut reader: csv::Reader<R>,
    check: impl FnOnce(&csv::StringRecord) -> Result<(), String>,
) -> Result<impl Iterator<Item = Result<(u64, T), ImportError>> + 'a, ImportError> {
    let headers = reader
        .headers()
        .map_err(|e| ImportError::File {
            file: file.to_owned(),
            reason: format!("cannot read the header line: {e}"),
        })?
        .clone();
    check(&headers).map_err(|reason| row_error(file, 1, reason))?;
    Ok(reader.into_records().map(move |record| {
        let record = record
            .map_err(|e| row_error(file, e.position().map_or(0, |p| p.line()), record_error(&e)))?;
        let line = record.position().map_or(0, |p| p.line());
        let row = record
            .deserialize(Some(&headers))
            .map_err(|e| row_error(file, line, field_error(&headers, &e)))?;
        Ok((line, row))
    }))
}

/// A line that is no record of the file, without the reader's byte offsets.
fn record_error(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} fields where the header has {expected_len} columns"),
        csv::ErrorKind::Utf8 { err, .. } => format!("field {} is not UTF-8", err.field() + 1),
        _ => error.to_string(),
    }
}

/// A value that does not parse, named by its column rather than by the field's index.
fn field_error(headers: &csv::StringRecord, error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Deserialize { err, .. } => {
            match err.field().and_then(|i| headers.get(i as usize)) {
                Some(column) => format!("column `{column}`: {}", err.kind()),
                None => err.kind().to_string(),
            }
        }
        _ => error.to_string(),
    }
}

/// Why `header` is not a header of `T`'s files, naming the columns it should have.
fn check_header<T: Columns>(header: &csv::StringRecord) -> Result<(), String> {
    let fields = field_names::<T>();
    let mut seen = HashSet::new();
    let (mut unexpected, mut repeated) = (Vec::new(), Vec::new());
    for name in header {
        if !fields.contains(&name) {
            unexpected.push(name);
        } else if !seen.insert(name) {
            repeated.push(name);
        }
    }
    let missing: Vec<&str> = fields
        .iter()
        .copied()
        .filter(|field| !T::OPTIONAL.contains(field) && !seen.contains(field))
        .collect();
    let problems: Vec<String> = [
        ("missing column", missing),
        ("unexpected column", unexpected),
        ("repeated column", repeated),
    ]
    .into_iter()
    .filter(|(_, names)| !names.is_empty())
    .map(|(what, names)| {
        let plural = if names.len() > 1 { "s" } else { "" };
        format!("{what}{plural} {}", quoted(&names))
    })
    .collect();
    if problems.is_empty() {
        return Ok(());
    }
    let (optional, required): (Vec<&str>, Vec<&str>) =
        fields.iter().partition(|field| T::OPTIONAL.contains(field));
    let mut expected = format!("the columns are {}", required.join(", "));
    if !optional.is_empty() {
        expected.push_str(&format!(", and optionally {}", optional.join(", ")));
    }
    Err(format!("{}; {expected}", problems.join("; ")))
}

/// `a`, `b` and `` (an empty name) as they appear in a header.
fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The names of a row type's fields, as its `Deserialize` derive declares them (renames
/// included): the type is asked to deserialize itself from a deserializer that only records the
/// field list a struct hands over, so the columns are stated once, in the type.
fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(FieldNames(&mut fields));
    fields
}

struct FieldNames<'f>(&'f mut &'static [&'static str]);

impl<'de> de::Deserializer<'de> for FieldNames<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("only a struct names its fields"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = fields;
        Err(de::Error::custom("the fields are all that was asked for"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// A row-level error for `file` at `line`.
pub fn row_error(file: &str, line: u64, reason: impl Into<String>) -> ImportError {
    ImportError::Row {
        file: file.to_owned(),
        line,
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    struct Flow {
        reporter: String,
        #[serde(rename = "value_usd")]
        value: f64,
        #[serde(default)]
        note: Option<String>,
    }

    impl Columns for Flow {
        const OPTIONAL: &'static [&'static str] = &["note"];
    }

    #[test]
    fn the_columns_are_the_fields_as_serde_names_them() {
        assert_eq!(field_names::<Flow>(), ["reporter", "value_usd", "note"]);
    }

    #[test]
    fn a_header_that_is_not_the_types_is_refused_on_line_1_by_column() {
        let columns = "the columns are reporter, value_usd, and optionally note";
        let cases = [
            ("reporter,value_usd,note", None),
            (" reporter , value_usd ", None),
            ("\u{feff}value_usd,reporter", None),
            (
                "reporter,note",
                Some(format!(
                    "f.csv, line 1: missing column `value_usd`; {columns}"
                )),
            ),
            (
                "note",
                Some(format!(
                    "f.csv, line 1: missing columns `reporter`, `value_usd`; {columns}"
                )),
            ),
            (
                "reporter,value_usd,foo",
                Some(format!("f.csv, line 1: unexpected column `foo`; {columns}")),
            ),
            (
                "reporter,value,",
                Some(format!(
                    "f.csv, line 1: missing column `value_usd`; unexpected columns `value`, ``; {columns}"
                )),
            ),
            (
                "reporter,value_usd,reporter",
                Some(format!(
                    "f.csv, line 1: repeated column `reporter`; {columns}"
                )),
            ),
            (
                "",
                Some(format!(
                    "f.csv, line 1: missing columns `reporter`, `value_usd`; {columns}"
                )),
            ),
        ];
        for (header, expected) in cases {
            let csv = format!("{header}\n");
            let result = read_checked_rows::<Flow>("f.csv", csv.as_bytes());
            assert_eq!(result.err().map(|e| e.to_string()), expected, "{header:?}");
        }
    }

    #[test]
    fn a_file_with_the_columns_in_any_order_reads() {
        let csv = "note,value_usd,reporter\nn,1.5,USA\n";
        let rows = read_checked_rows::<Flow>("f.csv", csv.as_bytes()).unwrap();
        let (line, flow) = &rows[0];
        assert_eq!(*line, 2);
        assert_eq!((flow.reporter.as_str(), flow.value), ("USA", 1.5));
        assert_eq!(flow.note.as_deref(), Some("n"));
    }

    #[test]
    fn a_value_that_does_not_parse_is_named_by_its_column_and_line() {
        let csv = "reporter,value_usd\nUSA,1\nMEX,lots\n";
        let error = read_checked_rows::<Flow>("f.csv", csv.as_bytes()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "f.csv, line 3: column `value_usd`: invalid float literal"
        );
    }
}
