//! The response envelope `{data, meta, links}` shared by every resource, and the parts of `meta`
//! that say where the numbers come from.

use chrono::{NaiveDateTime, SecondsFormat};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::datasets::DatasetRow;
use crate::db::sources::SourceRow;

/// Every successful JSON answer: the resource or collection, what it is made of, and where to go next.
#[derive(Debug, Serialize, ToSchema)]
pub struct Envelope<T> {
    pub data: T,
    pub meta: Meta,
    pub links: Links,
}

/// The JSON of an envelope whose `data` was rendered already (`data_json`, one JSON value): the
/// same bytes `Envelope` serialises to, for answers that render their rows while reading them.
pub fn render_with_data(
    data_json: &[u8],
    meta: &Meta,
    links: &Links,
) -> serde_json::Result<Vec<u8>> {
    let mut body = Vec::with_capacity(data_json.len() + 1024);
    body.extend_from_slice(b"{\"data\":");
    body.extend_from_slice(data_json);
    body.extend_from_slice(b",\"meta\":");
    serde_json::to_writer(&mut body, meta)?;
    body.extend_from_slice(b",\"links\":");
    serde_json::to_writer(&mut body, links)?;
    body.push(b'}');
    Ok(body)
}

/// What the numbers in `data` are and where they come from.
#[derive(Debug, Serialize, ToSchema)]
pub struct Meta {
    /// The vintage the data were read as of, where `as_of` asked for an earlier state (the
    /// datasets' versions are the ones they had then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<i64>,
    /// The dataset answered from, with the version that changes whenever its data changes.
    pub dataset: Option<DatasetRef>,
    /// Every dataset the answer reads, when there are several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub datasets: Vec<DatasetRef>,
    /// Number of items in `data` (collections only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    /// Number of items on all pages together, where an answer is one page of several (search).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// The unit of the values in `data`, where they share one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "USD per day")]
    pub unit: Option<String>,
    /// What was done to the published numbers to give these values: aggregation to periods,
    /// currency conversion (with the rates' series and sources), working-time assumptions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub transformations: Vec<String>,
    /// The sources of the items in `data`, with their licences.
    pub sources: Vec<SourceRef>,
    /// Caveats about this answer: gaps, approximations, missing values.
    pub warnings: Vec<String>,
}

impl Meta {
    /// Meta for an answer read from `datasets` (the one it is about first).
    pub fn new(datasets: &[DatasetRow], sources: &[SourceRow]) -> Self {
        Self {
            as_of: None,
            dataset: datasets.first().map(DatasetRef::from),
            datasets: if datasets.len() > 1 {
                datasets.iter().map(DatasetRef::from).collect()
            } else {
                Vec::new()
            },
            count: None,
            total: None,
            unit: None,
            transformations: Vec::new(),
            sources: sources.iter().map(SourceRef::from).collect(),
            warnings: Vec::new(),
        }
    }

    pub fn with_count(mut self, count: usize) -> Self {
        self.count = Some(count);
        self
    }
}

/// A dataset and its current version.
#[derive(Debug, Serialize, ToSchema)]
pub struct DatasetRef {
    #[schema(example = "countries")]
    pub id: String,
    /// Increases by one with every change to the dataset.
    #[schema(example = 1)]
    pub version: i64,
    /// When the dataset last changed (UTC, RFC 3339).
    #[schema(format = DateTime, example = "2026-11-28T09:00:00Z")]
    pub last_updated: String,
}

impl From<&DatasetRow> for DatasetRef {
    fn from(row: &DatasetRow) -> Self {
        Self {
            id: row.id.clone(),
            version: row.version,
            last_updated: rfc3339(row.last_updated),
        }
    }
}

/// A source in brief; `GET /v1/sources/{id}` has the full record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SourceRef {
    #[schema(example = "iso3166_via_rust_iso3166")]
    pub id: String,
    pub publisher: String,
    pub title: String,
    pub licence: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl From<&SourceRow> for SourceRef {
    fn from(row: &SourceRow) -> Self {
        Self {
            id: row.id.clone(),
            publisher: row.publisher.clone(),
            title: row.title.clone(),
            licence: row.licence.clone(),
            url: row.url.clone(),
        }
    }
}

/// Links from this answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Links {
    /// This answer.
    #[serde(rename = "self")]
    pub self_: String,
    /// The next page, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

impl Links {
    pub fn to_self(target: impl Into<String>) -> Self {
        Self {
            self_: target.into(),
            next: None,
        }
    }
}

/// A UTC timestamp as RFC 3339 with a `Z`.
pub fn rfc3339(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_around_rendered_data_is_the_serialised_envelope() {
        let meta = || {
            Meta {
                unit: Some("USD".to_owned()),
                warnings: vec!["a \"quoted\" caveat".to_owned()],
                ..Meta::new(&[], &[])
            }
            .with_count(2)
        };
        let links = || Links {
            self_: "/v1/x?a=1".to_owned(),
            next: Some("/v1/x?a=1&cursor=i2".to_owned()),
        };
        let data = vec![serde_json::json!({"id": 1}), serde_json::json!({"id": 2})];
        let rendered = serde_json::to_vec(&data).unwrap();
        let envelope = Envelope {
            data,
            meta: meta(),
            links: links(),
        };
        assert_eq!(
            render_with_data(&rendered, &meta(), &links()).unwrap(),
            serde_json::to_vec(&envelope).unwrap()
        );
    }
}
