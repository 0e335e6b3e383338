//! Representations: JSON (the envelope); CSV, NDJSON and Parquet (the rows of `data` only); the
//! data package that describes the rows and the chart that draws them (asked for with `format=`
//! only). Chosen by `format=` or the `Accept` header; with the HTTP caching headers every answer
//! carries.

use actix_web::http::header::{self, HttpDate};
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::caching::Validators;
use super::columnar::ParquetEncoder;
use super::envelope::Envelope;
use super::table::Column;
use crate::error::{ApiError, ProblemType};

/// A representation of a resource.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `application/json`: the `{data, meta, links}` envelope.
    #[default]
    Json,
    /// `text/csv`: a header line and one line per item of `data`.
    Csv,
    /// `application/x-ndjson`: one JSON object per item of `data`, with the CSV columns as keys.
    Ndjson,
    /// `application/vnd.apache.parquet`: the rows as a Parquet file with typed columns.
    Parquet,
    /// `image/svg+xml`: the answer drawn as a chart, where the operation draws one (`format=`
    /// only).
    Svg,
    /// `application/vnd.datapackage+json`: the Frictionless Data Package that describes the CSV
    /// and NDJSON forms of the answer (their columns, types, units, sources and licences). Asked
    /// for with `format=` only, and linked from every flat answer.
    Datapackage,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Json,
        Format::Csv,
        Format::Ndjson,
        Format::Parquet,
        Format::Svg,
        Format::Datapackage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Ndjson => "ndjson",
            Format::Parquet => "parquet",
            Format::Svg => "svg",
            Format::Datapackage => "datapackage",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Ndjson => "application/x-ndjson",
            Format::Parquet => "application/vnd.apache.parquet",
            Format::Svg => "image/svg+xml",
            Format::Datapackage => DATA_PACKAGE_MEDIA_TYPE,
        }
    }

    /// The media type the format is known by.
    pub fn media_type(self) -> &'static str {
        self.content_type().split(';').next().unwrap_or_default()
    }

    /// Media types (from an `Accept` header) this format satisfies; none for the data package,
    /// which describes an answer rather than representing it, nor for charts, which few
    /// operations draw.
    fn media_types(self) -> &'static [&'static str] {
        match self {
            Format::Json => &["application/json"],
            Format::Csv => &["text/csv"],
            Format::Ndjson => &["application/x-ndjson", "application/ndjson"],
            Format::Parquet => &["application/vnd.apache.parquet"],
            Format::Svg | Format::Datapackage => &[],
        }
    }

    /// How specifically a media range names this format: 3 exact, 2 `type/*`, 1 `*/*`, 0 not at all.
    fn specificity(self, range: &str) -> u8 {
        if self.media_types().is_empty() {
            return 0;
        }
        if range == "*/*" {
            return 1;
        }
        let types = self.media_types();
        if types.contains(&range) {
            return 3;
        }
        match range.strip_suffix("/*") {
            Some(main) if types.iter().any(|t| t.split('/').next() == Some(main)) => 2,
            _ => 0,
        }
    }
}

/// Picks the representation of an answer to `req`; see `negotiate_accept`.
pub fn negotiate(req: &HttpRequest, explicit: Option<Format>) -> Result<Format, ApiError> {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    negotiate_accept(accept, explicit)
}

/// Picks the representation: `format=` wins; otherwise the `Accept` header, where the most
/// specific media range that matches a format gives its quality; JSON when nothing is asked.
pub fn negotiate_accept(
    accept: Option<&str>,
    explicit: Option<Format>,
) -> Result<Format, ApiError> {
    if let Some(format) = explicit {
        return Ok(format);
    }
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Ok(Format::Json);
    };
    let ranges: Vec<(String, f32)> = accept.split(',').filter_map(parse_media_range).collect();
    let quality = |format: Format| {
        ranges
            .iter()
            .filter_map(|(range, q)| match format.specificity(range) {
                0 => None,
                s => Some((s, *q)),
            })
            .max_by_key(|(s, _)| *s)
            .map_or(0.0, |(_, q)| q)
    };
    let mut best: Option<(Format, f32)> = None;
    for format in Format::ALL {
        let q = quality(format);
        if q > 0.0 && best.is_none_or(|(_, best_q)| q > best_q) {
            best = Some((format, q));
        }
    }
    best.map(|(format, _)| format).ok_or_else(|| {
        ApiError::new(
            ProblemType::NotAcceptable,
            "None of the media types in the Accept header can be produced.",
        )
        .with_param("Accept")
        .with_allowed(
            Format::ALL
                .iter()
                .flat_map(|f| f.media_types().iter().copied()),
        )
    })
}

fn parse_media_range(part: &str) -> Option<(String, f32)> {
    let mut pieces = part.split(';');
    let range = pieces.next()?.trim().to_ascii_lowercase();
    if range.is_empty() {
        return None;
    }
    let q = pieces
        .filter_map(|p| p.trim().strip_prefix("q="))
        .find_map(|q| q.trim().parse::<f32>().ok())
        .unwrap_or(1.0);
    Some((range, q))
}

/// The media type of a data package descriptor.
pub const DATA_PACKAGE_MEDIA_TYPE: &str = "application/vnd.datapackage+json";

/// The flat line of an item, in CSV, NDJSON and Parquet; nested JSON does not fit in columns.
pub trait CsvRecord {
    /// The columns of the line, in the order `Row` serialises them.
    const COLUMNS: &'static [Column];

    /// The line borrows from the item, so writing a CSV copies no field; only values that must
    /// be computed (joined lists, say) are owned.
    type Row<'a>: Serialize
    where
        Self: 'a;
    fn csv_row(&self) -> Self::Row<'_>;

    /// The line as NDJSON and Parquet take it: an object keyed by the columns. The CSV line,
    /// unless that cannot be an object (a record that flattens another into its line).
    fn object_row(&self) -> impl Serialize + '_ {
        self.csv_row()
    }
}

/// A JSON-only answer (an object that does not flatten into rows).
pub fn json<T: Serialize>(
    validators: &Validators,
    envelope: &Envelope<T>,
) -> Result<HttpResponse, ApiError> {
    let body = serde_json::to_vec(envelope).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(json_bytes(validators, body))
}

/// 200 with a JSON body rendered already.
pub fn json_bytes(validators: &Validators, body: Vec<u8>) -> HttpResponse {
    ok_response(Format::Json, validators, "").body(body)
}

/// The rows of an answer as CSV (a header line, then a line per row) or NDJSON (an object per
/// row, keyed by the same columns).
/// Parquet (see `columnar`) also records each column's unit and description, as `notes` give them.
pub fn flat<T: CsvRecord>(
    format: Format,
    rows: &[T],
    notes: &ColumnNotes<'_>,
) -> Result<Vec<u8>, ApiError> {
    match format {
        Format::Csv => csv(rows),
        Format::Parquet => parquet(rows, notes).map_err(ApiError::internal),
        _ => ndjson(rows),
    }
}

/// What an answer says about its columns beyond their declaration: the unit of each in this
/// answer and the description the API documents for it.
pub struct ColumnNotes<'a> {
    pub unit: &'a dyn Fn(&Column) -> Option<String>,
    pub description: &'a dyn Fn(&Column) -> Option<String>,
}

fn parquet<T: CsvRecord>(rows: &[T], notes: &ColumnNotes<'_>) -> Result<Vec<u8>, String> {
    let mut encoder = ParquetEncoder::new(T::COLUMNS, notes.unit, notes.description)?;
    let mut body = Vec::new();
    for row in rows {
        encoder.push(&row.object_row())?;
        body.extend(encoder.take_written());
    }
    body.extend(encoder.finish()?);
    Ok(body)
}

fn ndjson<T: CsvRecord>(rows: &[T]) -> Result<Vec<u8>, ApiError> {
    let mut body = Vec::new();
    for row in rows {
        serde_json::to_writer(&mut body, &row.object_row())
            .map_err(|e| ApiError::internal(e.to_string()))?;
        body.push(b'\n');
    }
    Ok(body)
}

/// The header comes from the declared columns, so an answer without rows still names them.
fn csv<T: CsvRecord>(rows: &[T]) -> Result<Vec<u8>, ApiError> {
    let mut writer = ::csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    let fail = |e: ::csv::Error| ApiError::internal(e.to_string());
    writer
        .write_record(T::COLUMNS.iter().map(|c| c.name))
        .map_err(fail)?;
    for row in rows {
        writer.serialize(row.csv_row()).map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| ApiError::internal(e.to_string()))
}

/// 200 with content type, caching headers and, for CSV, a download file name.
pub fn ok_response(
    format: Format,
    validators: &Validators,
    file_stem: &str,
) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    headers(&mut response, format, validators, file_stem);
    response
}

/// The headers of a successful answer in `format`: content type, caching, and for CSV a file name.
pub fn headers(
    response: &mut actix_web::HttpResponseBuilder,
    format: Format,
    validators: &Validators,
    file_stem: &str,
) {
    response.insert_header((header::CONTENT_TYPE, format.content_type()));
    let disposition = match format {
        Format::Csv => Some("inline"),
        Format::Parquet => Some("attachment"),
        _ => None,
    };
    if let Some(disposition) = disposition {
        response.insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "{disposition}; filename=\"{file_stem}.{}\"",
                format.as_str()
            ),
        ));
    }
    caching_headers(response, validators);
}

/// Adds an RFC 8288 `Link` header to `target` with relation `rel` (`next`, `describedby`).
pub fn add_link(response: &mut HttpResponse, target: &str, rel: &str) {
    if let Ok(value) = header::HeaderValue::from_str(&format!("<{target}>; rel=\"{rel}\"")) {
        response.headers_mut().append(header::LINK, value);
    }
}

/// 304 for a client whose copy is current.
pub fn not_modified(validators: &Validators) -> HttpResponse {
    let mut response = HttpResponse::NotModified();
    caching_headers(&mut response, validators);
    response.finish()
}

/// Clients may reuse an answer for five minutes, then revalidate it with its ETag.
pub const CACHE_CONTROL: &str = "public, max-age=300";

fn caching_headers(response: &mut actix_web::HttpResponseBuilder, validators: &Validators) {
    response.insert_header((header::ETAG, validators.etag.clone()));
    response.insert_header((
        header::LAST_MODIFIED,
        HttpDate::from(std::time::SystemTime::from(
            validators.last_modified.and_utc(),
        )),
    ));
    response.insert_header((header::CACHE_CONTROL, CACHE_CONTROL));
    response.insert_header((header::VARY, "Accept"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_follows_format_then_accept() {
        let cases = [
            (None, None, Format::Json),
            (Some("*/*"), None, Format::Json),
            (Some("text/csv"), None, Format::Csv),
            (Some("application/x-ndjson"), None, Format::Ndjson),
            (
                Some("text/html,application/xhtml+xml,*/*;q=0.8"),
                None,
                Format::Json,
            ),
            (
                Some("text/csv;q=0.5, application/json;q=0.9"),
                None,
                Format::Json,
            ),
            (Some("text/*"), None, Format::Csv),
            (Some("text/csv"), Some(Format::Ndjson), Format::Ndjson),
        ];
        for (accept, explicit, expected) in cases {
            assert_eq!(
                negotiate_accept(accept, explicit).ok(),
                Some(expected),
                "{accept:?} {explicit:?}"
            );
        }
    }

    #[test]
    fn unsupported_media_types_are_not_acceptable() {
        for accept in ["application/xml", "text/html", "text/csv;q=0"] {
            let err = negotiate_accept(Some(accept), None).unwrap_err();
            assert_eq!(err.kind, ProblemType::NotAcceptable, "{accept}");
        }
    }
}
