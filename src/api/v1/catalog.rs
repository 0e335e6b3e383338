//! `/v1/catalog`: the datasets as a DCAT-US 1.1 catalogue (`data.json`), for harvesters such as
//! data.gov's and CKAN's. It is built from the catalogue `/v1/datasets` serves, with the
//! publishers and links of each dataset's sources, and absolute URLs under the public base URL
//! the service is configured with.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use std::sync::Arc;

use actix_web::{HttpResponse, get};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::caching::{Loader, Scope};
use crate::api::envelope::rfc3339;
use crate::api::format;
use crate::api::lookup::sources_of;
use crate::api::responses;
use crate::api::v1::datasets::browse_path;
use crate::db::datasets::{self as db_datasets, DatasetRow};
use crate::db::sources::SourceRow;
use crate::db::vintages as db_vintages;
use crate::domain::source::DatasetFamily;
use crate::error::ApiError;

/// Who answers questions about the datasets (DCAT-US `contactPoint`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub email: String,
}

/// What the catalogue needs beyond the data: where the service is reached from outside, and whom
/// to contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogSettings {
    /// The public base URL, without a trailing slash: `https://data.example.org`.
    pub base_url: String,
    pub contact: Option<Contact>,
}

impl CatalogSettings {
    /// The settings as configured; an empty `public_url` is filled in by `or_listening_on`.
    pub fn new(public_url: &str, contact_name: &str, contact_email: &str) -> Result<Self, String> {
        let web_url = (public_url.starts_with("https://") || public_url.starts_with("http://"))
            && !public_url.contains(char::is_whitespace);
        if !public_url.is_empty() && !web_url {
            return Err(format!(
                "TRILATERAL_PUBLIC_URL: '{public_url}' is not an http:// or https:// URL"
            ));
        }
        let contact = match (contact_name, contact_email) {
            (_, "") => None,
            (name, email) => {
                let (local, domain) = email.split_once('@').unwrap_or_default();
                if local.is_empty() || !domain.contains('.') || email.contains(char::is_whitespace)
                {
                    return Err(format!(
                        "TRILATERAL_CONTACT_EMAIL: '{email}' is not an email address"
                    ));
                }
                let name = if name.is_empty() { email } else { name };
                Some(Contact {
                    name: name.to_owned(),
                    email: email.to_owned(),
                })
            }
        };
        Ok(Self {
            base_url: public_url.trim_end_matches('/').to_owned(),
            contact,
        })
    }

    /// Without a public URL, the catalogue's URLs are those of the address the server listens on
    /// (`bind`, on `port`; `localhost` for every interface): right where the service is used on
    /// its own machine, not behind a proxy.
    pub fn or_listening_on(self, bind: &str, port: u16) -> Self {
        if !self.base_url.is_empty() {
            return self;
        }
        let host = bind.rsplit_once(':').map_or(bind, |(host, _)| host);
        let host = match host {
            "0.0.0.0" | "[::]" | "" => "localhost",
            host => host,
        };
        Self {
            base_url: format!("http://{host}:{port}"),
            ..self
        }
    }
}

/// A DCAT-US 1.1 catalogue (`https://project-open-data.cio.gov/v1.1/schema`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Catalog {
    #[serde(rename = "@context")]
    #[schema(example = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld")]
    pub context: &'static str,
    /// The catalogue's own URL.
    #[serde(rename = "@id")]
    #[schema(example = "https://data.example.org/v1/catalog")]
    pub id: String,
    #[serde(rename = "@type")]
    #[schema(example = "dcat:Catalog")]
    pub type_: &'static str,
    #[serde(rename = "conformsTo")]
    #[schema(example = "https://project-open-data.cio.gov/v1.1/schema")]
    pub conforms_to: &'static str,
    #[serde(rename = "describedBy")]
    #[schema(example = "https://project-open-data.cio.gov/v1.1/schema/catalog.json")]
    pub described_by: &'static str,
    pub dataset: Vec<CatalogDataset>,
}

/// A dataset as DCAT-US describes it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CatalogDataset {
    #[serde(rename = "@type")]
    #[schema(example = "dcat:Dataset")]
    pub type_: &'static str,
    #[schema(example = "U.S. goods trade with Mexico and Canada (Census Bureau)")]
    pub title: String,
    /// The dataset's description, then what its figures are.
    pub description: String,
    #[schema(example = json!(["trade", "exports", "imports"]))]
    pub keyword: Vec<&'static str>,
    /// When the dataset last changed (its current version), UTC.
    #[schema(format = DateTime, example = "2026-11-28T09:00:00Z")]
    pub modified: String,
    pub publisher: Publisher,
    /// Present when the service is configured with a contact (`TRILATERAL_CONTACT_EMAIL`), which
    /// DCAT-US requires of a harvested catalogue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_point: Option<ContactPoint>,
    /// The dataset's URL in the service: stable across versions.
    #[schema(example = "https://data.example.org/v1/datasets/census")]
    pub identifier: String,
    #[schema(example = "public")]
    pub access_level: &'static str,
    /// The licence's URL, where all of the dataset's sources are under one licence with a
    /// canonical URL; otherwise each source's licence is in `/v1/sources`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "https://creativecommons.org/licenses/by/4.0/")]
    pub license: Option<String>,
    /// The first and last period of the data, as an ISO 8601 interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "1985/2025")]
    pub temporal: Option<String>,
    #[schema(example = "irregular")]
    pub accrual_periodicity: &'static str,
    /// Where the figures were taken from: the sources' own pages.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    pub distribution: Vec<Distribution>,
}

/// The organisations that publish the figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct Publisher {
    #[serde(rename = "@type")]
    #[schema(example = "org:Organization")]
    pub type_: &'static str,
    #[schema(example = "U.S. Census Bureau")]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactPoint {
    #[serde(rename = "@type")]
    #[schema(example = "vcard:Contact")]
    pub type_: &'static str,
    #[serde(rename = "fn")]
    #[schema(example = "Trilateral data desk")]
    pub name: String,
    #[schema(example = "mailto:data@example.org")]
    pub has_email: String,
}

/// A way to get the dataset: a file to download, or the API to query it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Distribution {
    #[serde(rename = "@type")]
    #[schema(example = "dcat:Distribution")]
    pub type_: &'static str,
    #[schema(example = "Canonical CSV")]
    pub title: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "https://data.example.org/v1/datasets/census/download")]
    #[serde(rename = "downloadURL")]
    pub download_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "https://data.example.org/v1/trade/flows?source=census")]
    #[serde(rename = "accessURL")]
    pub access_url: Option<String>,
    #[schema(example = "text/csv")]
    pub media_type: &'static str,
    #[schema(example = "CSV")]
    pub format: &'static str,
    /// For the API: its OpenAPI document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub described_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub described_by_type: Option<&'static str>,
}

impl Distribution {
    /// A file to download whole, in `format` (`media_type`).
    fn file(
        title: &str,
        description: String,
        url: String,
        (format, media_type): (&'static str, &'static str),
    ) -> Self {
        Self {
            type_: "dcat:Distribution",
            title: title.to_owned(),
            description,
            download_url: Some(url),
            access_url: None,
            media_type,
            format,
            described_by: None,
            described_by_type: None,
        }
    }
}

/// Words a harvester indexes the dataset under.
fn keywords(family: DatasetFamily) -> Vec<&'static str> {
    let mut words = match family {
        DatasetFamily::Trade => vec!["trade", "exports", "imports", "merchandise trade"],
        DatasetFamily::Wages => vec![
            "wages",
            "minimum wage",
            "average wage",
            "exchange rates",
            "consumer prices",
        ],
        DatasetFamily::Treaties => vec!["trade agreements", "treaties", "labor provisions"],
        DatasetFamily::Reference => vec!["reference data", "country codes", "data sources"],
    };
    words.extend(["North America", "United States", "Mexico", "Canada"]);
    words
}

/// The canonical URL of a licence the sources name exactly; other texts (several licences, terms
/// of use) have none.
fn licence_url(licence: &str) -> Option<&'static str> {
    Some(match licence {
        "CC BY 4.0" => "https://creativecommons.org/licenses/by/4.0/",
        "CC BY-NC 4.0" => "https://creativecommons.org/licenses/by-nc/4.0/",
        "ODC-PDDL-1.0" => "https://opendatacommons.org/licenses/pddl/1-0/",
        "BSD-2-Clause" => "https://spdx.org/licenses/BSD-2-Clause.html",
        _ => return None,
    })
}

/// `first/last` when both are ISO 8601 dates (a year, a month or a day).
fn temporal(row: &DatasetRow) -> Option<String> {
    let iso = |period: &str| {
        let shape: String = period
            .chars()
            .map(|c| if c.is_ascii_digit() { 'd' } else { c })
            .collect();
        matches!(shape.as_str(), "dddd" | "dddd-dd" | "dddd-dd-dd")
    };
    match (row.coverage_first.as_deref(), row.coverage_last.as_deref()) {
        (Some(first), Some(last)) if iso(first) && iso(last) => Some(format!("{first}/{last}")),
        _ => None,
    }
}

fn describe(
    row: DatasetRow,
    sources: &[&SourceRow],
    sha256: Option<&str>,
    settings: &CatalogSettings,
) -> CatalogDataset {
    let base = &settings.base_url;
    let publishers: BTreeSet<&str> = sources.iter().map(|s| s.publisher.as_str()).collect();
    let publisher = if publishers.is_empty() {
        "Trilateral".to_owned()
    } else {
        publishers.into_iter().collect::<Vec<_>>().join("; ")
    };
    let licences: BTreeSet<Option<&str>> =
        sources.iter().map(|s| licence_url(&s.licence)).collect();
    let license = match licences.into_iter().collect::<Vec<_>>().as_slice() {
        [Some(url)] => Some((*url).to_owned()),
        _ => None,
    };
    let download = format!("{base}/v1/datasets/{}/download", row.id);
    let checksum = sha256.map_or_else(String::new, |sha| format!(" Its SHA-256 is {sha}."));
    let distribution = vec![
        Distribution::file(
            "Canonical CSV",
            format!(
                "Every row of the current version, the form whose checksum each version \
                 records; add as_of= for an earlier version.{checksum}"
            ),
            download.clone(),
            ("CSV", "text/csv"),
        ),
        Distribution::file(
            "NDJSON",
            "The same rows, one JSON object per line, values typed.".to_owned(),
            format!("{download}?format=ndjson"),
            ("NDJSON", "application/x-ndjson"),
        ),
        Distribution {
            type_: "dcat:Distribution",
            title: "Trilateral API".to_owned(),
            description: format!(
                "Filtered queries, in JSON, CSV, NDJSON or Parquet; versions and row changes at \
                 /v1/datasets/{}/versions and /changes.",
                row.id
            ),
            download_url: None,
            access_url: Some(format!("{base}{}", browse_path(&row))),
            media_type: "application/json",
            format: "API",
            described_by: Some(format!("{base}/openapi.json")),
            described_by_type: Some("application/vnd.oai.openapi+json"),
        },
    ];
    CatalogDataset {
        type_: "dcat:Dataset",
        keyword: keywords(row.family),
        modified: rfc3339(row.last_updated),
        publisher: Publisher {
            type_: "org:Organization",
            name: publisher,
        },
        contact_point: settings.contact.as_ref().map(|c| ContactPoint {
            type_: "vcard:Contact",
            name: c.name.clone(),
            has_email: format!("mailto:{}", c.email),
        }),
        identifier: format!("{base}/v1/datasets/{}", row.id),
        access_level: "public",
        license,
        temporal: temporal(&row),
        accrual_periodicity: "irregular",
        references: sources
            .iter()
            .filter_map(|s| s.url.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        distribution,
        description: format!("{} {}", row.description, row.basis),
        title: row.title,
    }
}

/// The DCAT-US catalogue
///
/// Every dataset as a DCAT-US 1.1 `data.json` catalogue, for harvesters: title, description,
/// keywords, last change, publishers (those of the dataset's sources), the contact the service
/// is configured with, licence where all its sources share one, temporal coverage, the sources'
/// pages, and its distributions: the canonical CSV and NDJSON downloads and the API. URLs are
/// absolute, under the service's public URL (`TRILATERAL_PUBLIC_URL`).
#[utoipa::path(
    tag = "sources",
    responses(
        (status = 200, description = "The catalogue", body = Catalog),
        responses::ReadFailures,
    )
)]
#[get("/v1/catalog")]
pub async fn get_catalog(loader: Loader) -> Result<HttpResponse, ApiError> {
    let settings = Arc::clone(&loader.state().catalog);
    loader
        .json_only()?
        .load_fresh(Scope::All, |conn| {
            let checksums = db_vintages::checksums(conn)?;
            let pairs = db_datasets::source_ids(conn)?;
            let sources = sources_of(conn, pairs.iter().map(|(_, source)| source.as_str()))?;
            Ok((checksums, pairs, sources))
        })
        .await?
        .respond(|reply, (checksums, pairs, sources)| {
            let checksums: HashMap<(String, i64), String> = checksums.into_iter().collect();
            let sources: HashMap<&str, &SourceRow> =
                sources.iter().map(|s| (s.id.as_str(), s)).collect();
            let mut of_dataset: BTreeMap<&str, Vec<&SourceRow>> = BTreeMap::new();
            for (dataset, source) in &pairs {
                if let Some(source) = sources.get(source.as_str()) {
                    of_dataset.entry(dataset).or_default().push(source);
                }
            }
            // Every dataset: the catalogue the read holds already (`Scope::All`).
            let dataset = reply
                .datasets
                .iter()
                .cloned()
                .map(|row| {
                    let sha256 = checksums.get(&(row.id.clone(), row.version)).cloned();
                    let sources = of_dataset.get(row.id.as_str()).cloned().unwrap_or_default();
                    describe(row, &sources, sha256.as_deref(), &settings)
                })
                .collect();
            let catalog = Catalog {
                context: "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
                id: format!("{}/v1/catalog", settings.base_url),
                type_: "dcat:Catalog",
                conforms_to: "https://project-open-data.cio.gov/v1.1/schema",
                described_by: "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
                dataset,
            };
            let body =
                serde_json::to_vec(&catalog).map_err(|e| ApiError::internal(e.to_string()))?;
            Ok(format::json_bytes(&reply.validators, body))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_take_web_urls_and_email_addresses_only() {
        let settings =
            CatalogSettings::new("https://data.example.org/", "", "a@example.org").expect("valid");
        assert_eq!(settings.base_url, "https://data.example.org");
        assert_eq!(
            settings.contact,
            Some(Contact {
                name: "a@example.org".to_owned(),
                email: "a@example.org".to_owned()
            })
        );
        for (url, email) in [
            ("data.example.org", ""),
            ("ftp://data.example.org", ""),
            ("https://data example.org", ""),
            ("", "nobody"),
            ("", "a@localhost"),
            ("", "@example.org"),
        ] {
            assert!(
                CatalogSettings::new(url, "", email).is_err(),
                "{url} {email}"
            );
        }
    }

    #[test]
    fn without_a_public_url_the_address_listened_on_is_used() {
        let unset = || CatalogSettings::new("", "", "").expect("valid");
        let cases = [
            ("0.0.0.0:8080", 8080, "http://localhost:8080"),
            ("[::]:80", 80, "http://localhost:80"),
            ("127.0.0.1:0", 41234, "http://127.0.0.1:41234"),
        ];
        for (bind, port, base) in cases {
            assert_eq!(unset().or_listening_on(bind, port).base_url, base);
        }
        let set = CatalogSettings::new("https://x.example", "", "").expect("valid");
        assert_eq!(
            set.or_listening_on("0.0.0.0:1", 1).base_url,
            "https://x.example"
        );
    }
}
