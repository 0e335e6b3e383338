//! The `treaties` dataset: treaty records (`data/treaties/treaty_records.csv` for the agreements
//! the API is about, `agreements_index_tota.csv` for the other agreements of Canada, Mexico and the
//! United States), the ToTA texts parsed into chapters and provisions with topic tags, and the World
//! Bank Deep Trade Agreements coverage flags. `trilateral import tota-xml` adds further texts.

pub mod articles;
pub mod tota;

use serde::Deserialize;

use super::bundled::{self, BundledFile, bundled_file};
use super::csv_rows::{read_rows, row_error};
use super::{BundledDataset, BundledLoader, CatalogueEntry, ImportError, LoadSummary};
use chrono::{NaiveDate, Utc};

use super::command::ImportKind;
use crate::db::DbConnection;
use crate::db::datasets::{self, DatasetRow};
use crate::db::treaties::{
    self as db_treaties, ChapterRow, CoverageRow, ProvisionRow, Treaty, TreatyRow,
};
use crate::domain::source::{DatasetFamily, DatasetOrigin, Reporting};
use crate::domain::treaty::{
    Lang, Taxonomy, Topic, TreatyReference, article_number, chapter_number, clean_heading, slug,
    store_topics, stored_topics,
};
use tota::TotaDocument;

pub const DATASET_ID: &str = "treaties";
/// The source of the ToTA texts and index (CC BY-NC 4.0).
pub const TOTA_SOURCE_ID: &str = "tota_v0.5.0";
/// The source of the DTA provision flags.
const DTA_SOURCE_ID: &str = "penppml_trade_v0.2.4";
/// The source of the curated treaty records.
const RECORDS_SOURCE_ID: &str = "trilateral_treaty_records";

const RECORDS_CSV: BundledFile = bundled_file!("treaties/treaty_records.csv");
const INDEX_CSV: BundledFile = bundled_file!("treaties/agreements_index_tota.csv");
const DTA_CSV: BundledFile = bundled_file!("treaties/wb_dta_provision_dummies_north_america.csv");
const TAXONOMY_CSV: BundledFile = bundled_file!("treaties/taxonomy.csv");
const DTA_MEANINGS_CSV: BundledFile = bundled_file!("treaties/dta_provisions.csv");
const TAXONOMY_MD: &str = include_str!("../../../data/treaties/TAXONOMY.md");
const TEXTS: [BundledFile; 4] = [
    bundled_file!("treaties/tota_xml/nafta_1994_pta112.xml"),
    bundled_file!("treaties/tota_xml/cusfta_1989_pta186.xml"),
    bundled_file!("treaties/tota_xml/tpp_2016_en_pta449.xml"),
    bundled_file!("treaties/tota_xml/tpp_2016_es_pta450.xml"),
];

struct Treaties;

#[derive(Debug, Deserialize)]
struct TopicRecord {
    slug: String,
    label: String,
    definition: String,
    chapter_patterns_en: String,
    chapter_patterns_es: String,
    heading_patterns_en: String,
    heading_patterns_es: String,
}

/// The taxonomy of `data/treaties/taxonomy.csv`, versioned by the `Version:` line of TAXONOMY.md.
pub fn taxonomy() -> Result<Taxonomy, ImportError> {
    let version = TAXONOMY_MD
        .lines()
        .find_map(|line| line.strip_prefix("Version:"))
        .map(|v| v.trim().to_owned())
        .ok_or_else(|| ImportError::File {
            file: "data/treaties/TAXONOMY.md".to_owned(),
            reason: "no 'Version:' line".to_owned(),
        })?;
    let patterns = |cell: &str| -> Vec<String> {
        cell.split('|')
            .filter(|p| !p.trim().is_empty())
            .map(|p| {
                let normal = crate::domain::treaty::normalise(p);
                // Keep the edge spaces the cell had: they mark word boundaries.
                let lead = if p.starts_with(' ') { " " } else { "" };
                let trail = if p.ends_with(' ') { " " } else { "" };
                format!("{lead}{}{trail}", normal.trim())
            })
            .collect()
    };
    let topics = read_rows::<TopicRecord>(TAXONOMY_CSV.path, TAXONOMY_CSV.bytes)?
        .into_iter()
        .map(|(_, r)| Topic {
            chapter_patterns: [
                patterns(&r.chapter_patterns_en),
                patterns(&r.chapter_patterns_es),
            ],
            heading_patterns: [
                patterns(&r.heading_patterns_en),
                patterns(&r.heading_patterns_es),
            ],
            slug: r.slug,
            label: r.label,
            definition: r.definition,
        })
        .collect();
    Ok(Taxonomy { version, topics })
}

#[derive(Debug, Deserialize)]
struct RecordRow {
    id: String,
    name: String,
    other_names: String,
    parties: String,
    date_signed: Option<NaiveDate>,
    date_in_force: Option<NaiveDate>,
    date_terminated: Option<NaiveDate>,
    date_suspended: Option<NaiveDate>,
    supersedes: String,
    superseded_by: String,
    side_agreement_of: String,
    subject_topics: String,
    tota_ids: String,
    wb_dta_id: String,
    official_text_url: String,
    note: String,
}

#[derive(Debug, Deserialize)]
struct IndexRow {
    tota_id: String,
    name: String,
    #[serde(rename = "type")]
    kind: String,
    status_at_tota_release: String,
    date_signed: Option<NaiveDate>,
    date_into_force: Option<NaiveDate>,
    date_inactive: Option<NaiveDate>,
    original_parties_iso3: String,
    wto_rta_id: String,
}

fn optional(value: String) -> Option<String> {
    Some(value.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The curated records, then one record per other ToTA agreement (`tota_<id>`).
fn treaty_records() -> Result<Vec<Treaty>, ImportError> {
    let mut records: Vec<Treaty> = read_rows::<RecordRow>(RECORDS_CSV.path, RECORDS_CSV.bytes)?
        .into_iter()
        .map(|(_, r)| Treaty {
            parties: stored_topics(&r.parties),
            languages: Vec::new(),
            record: TreatyRow {
                id: r.id,
                dataset_id: DATASET_ID.to_owned(),
                name: r.name,
                other_names: optional(r.other_names),
                kind: None,
                status: None,
                date_signed: r.date_signed,
                date_in_force: r.date_in_force,
                date_terminated: r.date_terminated,
                date_suspended: r.date_suspended,
                supersedes: optional(r.supersedes),
                superseded_by: optional(r.superseded_by),
                side_agreement_of: optional(r.side_agreement_of),
                subject_topics: optional(r.subject_topics),
                official_text_url: optional(r.official_text_url),
                tota_ids: optional(r.tota_ids),
                wto_rta_id: None,
                wb_dta_id: optional(r.wb_dta_id),
                note: optional(r.note),
                source_id: RECORDS_SOURCE_ID.to_owned(),
            },
        })
        .collect();
    for (_, row) in read_rows::<IndexRow>(INDEX_CSV.path, INDEX_CSV.bytes)? {
        let curated = records.iter_mut().map(|t| &mut t.record).find(|r| {
            r.tota_ids
                .as_deref()
                .is_some_and(|ids| ids.split(';').any(|id| id == row.tota_id))
        });
        match curated {
            Some(record) => {
                record.kind = optional(row.kind);
                record.status = optional(row.status_at_tota_release);
                record.wto_rta_id = optional(row.wto_rta_id);
            }
            None => records.push(Treaty {
                parties: stored_topics(&row.original_parties_iso3),
                languages: Vec::new(),
                record: TreatyRow {
                    id: format!("tota_{}", row.tota_id),
                    dataset_id: DATASET_ID.to_owned(),
                    name: row.name,
                    other_names: None,
                    kind: optional(row.kind),
                    status: optional(row.status_at_tota_release),
                    date_signed: row.date_signed,
                    date_in_force: row.date_into_force,
                    date_terminated: row.date_inactive,
                    date_suspended: None,
                    supersedes: None,
                    superseded_by: None,
                    side_agreement_of: None,
                    subject_topics: None,
                    official_text_url: None,
                    tota_ids: Some(row.tota_id),
                    wto_rta_id: optional(row.wto_rta_id),
                    wb_dta_id: None,
                    note: Some(
                        "metadata from the ToTA index; the text is in the ToTA corpus, not loaded here"
                            .to_owned(),
                    ),
                    source_id: TOTA_SOURCE_ID.to_owned(),
                },
            }),
        }
    }
    Ok(records)
}

/// Chapters and provisions of one parsed text, with ids, clean headings and topics.
pub struct Text {
    pub treaty_id: String,
    pub lang: Lang,
    pub chapters: Vec<ChapterRow>,
    pub provisions: Vec<ProvisionRow>,
}

/// The language a document's text is in.
fn document_lang(file: &str, document: &TotaDocument) -> Result<Lang, ImportError> {
    Lang::parse(&document.meta.language).ok_or_else(|| ImportError::File {
        file: file.to_owned(),
        reason: Lang::unknown(&document.meta.language),
    })
}

/// Turns a ToTA document into rows of `treaty_id` (ids numbered from `first_id`).
pub fn text_rows(
    file: &str,
    document: &TotaDocument,
    treaty_id: &str,
    dataset_id: &str,
    taxonomy: &Taxonomy,
    first_id: i64,
    source_id: &str,
) -> Result<Text, ImportError> {
    let lang = document_lang(file, document)?;
    let mut chapters = Vec::new();
    let mut provisions: Vec<ProvisionRow> = Vec::new();
    for (position, chapter) in document.chapters.iter().enumerate() {
        let first_line = chapter.articles.first().map_or(0, |a| a.line);
        let number = match &chapter.number {
            Some(written) => chapter_number(written).ok_or_else(|| {
                row_error(
                    file,
                    first_line,
                    format!("chapter number '{written}' is not understood"),
                )
            })?,
            None => slug(&chapter.name),
        };
        let title = clean_heading(&chapter.name);
        let chapter_topics = taxonomy.chapter_topics(&title, lang.as_str());
        for article in &chapter.articles {
            let key = match &article.number {
                Some(written) => article_number(written).ok_or_else(|| {
                    row_error(
                        file,
                        article.line,
                        format!("article number '{written}' is not understood"),
                    )
                })?,
                None => slug(&chapter.name),
            };
            if provisions.iter().any(|p| p.article == key) {
                return Err(row_error(
                    file,
                    article.line,
                    format!("article {key} appears twice"),
                ));
            }
            let heading = article.name.as_deref().map(clean_heading);
            let topics =
                taxonomy.article_topics(&chapter_topics, heading.as_deref(), lang.as_str());
            provisions.push(ProvisionRow {
                id: first_id + provisions.len() as i64,
                treaty_id: treaty_id.to_owned(),
                dataset_id: dataset_id.to_owned(),
                lang,
                article: key,
                chapter: number.clone(),
                position: provisions.len() as i32,
                heading,
                text: article.text.clone(),
                topics: store_topics(&topics),
                tota_id: Some(article.identifier.clone()).filter(|id| !id.is_empty()),
                source_id: source_id.to_owned(),
            });
        }
        chapters.push(ChapterRow {
            treaty_id: treaty_id.to_owned(),
            dataset_id: dataset_id.to_owned(),
            lang,
            number,
            position: position as i32,
            title,
            topics: store_topics(&chapter_topics),
            article_count: chapter.articles.len() as i32,
        });
    }
    Ok(Text {
        treaty_id: treaty_id.to_owned(),
        lang,
        chapters,
        provisions,
    })
}

/// The treaty a ToTA document is the text of: the record listing its ToTA id, else `tota_<id>`.
pub fn treaty_id_for(records: &[Treaty], document: &TotaDocument) -> String {
    let tota_id = &document.meta.treaty_identifier;
    records
        .iter()
        .map(|t| &t.record)
        .find(|r| {
            r.tota_ids
                .as_deref()
                .is_some_and(|ids| ids.split(';').any(|id| id == tota_id))
        })
        .map_or_else(|| format!("tota_{tota_id}"), |r| r.id.clone())
}

#[derive(Debug, Deserialize)]
struct MeaningRecord {
    code: String,
    meaning: String,
}

/// What each DTA provision flag means (`lm_prov_10` → "reference to internationally recognized
/// labor standards"), from the package documentation quoted in data/treaties/PROVENANCE.md.
fn dta_provision_meanings() -> Result<Vec<(String, String)>, ImportError> {
    read_rows::<MeaningRecord>(DTA_MEANINGS_CSV.path, DTA_MEANINGS_CSV.bytes)
        .map(|rows| rows.into_iter().map(|(_, r)| (r.code, r.meaning)).collect())
}

/// The taxonomy and the DTA meanings, for the service to hold while it runs.
pub fn reference_data() -> Result<TreatyReference, ImportError> {
    Ok(TreatyReference {
        taxonomy: taxonomy()?,
        dta_meanings: dta_provision_meanings()?.into_iter().collect(),
    })
}

/// The columns of the DTA file that are not provision flags.
const DTA_KEY_COLUMNS: [&str; 6] = [
    "exporter",
    "importer",
    "year",
    "wb_dta_agreement_id",
    "agreement",
    "source_id",
];

/// The DTA flags of the agreements that have a record, one row per pair, year and provision.
fn coverage_rows(records: &[Treaty]) -> Result<Vec<CoverageRow>, ImportError> {
    let file = DTA_CSV.path;
    let mut reader = csv::Reader::from_reader(DTA_CSV.bytes);
    let headers = reader
        .headers()
        .map_err(|e| ImportError::File {
            file: file.to_owned(),
            reason: e.to_string(),
        })?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| ImportError::File {
                file: file.to_owned(),
                reason: format!("no {name} column"),
            })
    };
    let (exporter, importer, year, agreement) = (
        column("exporter")?,
        column("importer")?,
        column("year")?,
        column("wb_dta_agreement_id")?,
    );
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ImportError::File {
            file: file.to_owned(),
            reason: e.to_string(),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let Some(treaty) = records
            .iter()
            .map(|t| &t.record)
            .find(|r| r.wb_dta_id.as_deref() == Some(&record[agreement]))
        else {
            continue;
        };
        let year: i32 = record[year].parse().map_err(|_| {
            row_error(
                file,
                line,
                format!("year '{}' is not a year", &record[year]),
            )
        })?;
        for (index, provision) in headers.iter().enumerate() {
            if DTA_KEY_COLUMNS.contains(&provision) {
                continue;
            }
            let value: i32 = match &record[index] {
                "0" => 0,
                "1" => 1,
                other => {
                    return Err(row_error(
                        file,
                        line,
                        format!("{provision} is '{other}', not 0 or 1"),
                    ));
                }
            };
            rows.push(CoverageRow {
                treaty_id: treaty.id.clone(),
                exporter: record[exporter].to_owned(),
                importer: record[importer].to_owned(),
                year,
                provision: provision.to_owned(),
                value,
                source_id: DTA_SOURCE_ID.to_owned(),
            });
        }
    }
    Ok(rows)
}

/// Its entry in the catalogue, with what loads it.
pub static TREATIES: BundledDataset = BundledDataset {
    entry: CatalogueEntry {
        id: DATASET_ID,
        family: DatasetFamily::Treaties,
        title: "Treaties and their provisions",
        description: "Records of NAFTA, NAALC, the Canada-US FTA, TPP, CPTPP, USMCA and the other agreements of Canada, Mexico and the United States; full texts of NAFTA, the Canada-US FTA and TPP (English and Spanish) from ToTA with topic tags; World Bank DTA provision flags",
        basis: "treaty texts as published (ToTA v0.5.0 transcriptions of NAFTA, CUSFTA and TPP in English and Spanish); treaty dates and parties from depositary and government pages (data/treaties/treaty_facts_sources.csv); USMCA, NAALC and CPTPP texts not loaded",
        reporting: Reporting::NotApplicable,
    },
    loader: &Treaties,
};

impl BundledLoader for Treaties {
    fn checksum(&self) -> String {
        let mut files = vec![
            RECORDS_CSV,
            INDEX_CSV,
            DTA_CSV,
            TAXONOMY_CSV,
            DTA_MEANINGS_CSV,
        ];
        files.extend(TEXTS);
        bundled::checksum(&files, TAXONOMY_MD.as_bytes())
    }

    fn load(&self, _: &str, conn: &mut DbConnection) -> Result<LoadSummary, ImportError> {
        let taxonomy = taxonomy()?;
        let records = treaty_records()?;
        let mut chapters = Vec::new();
        let mut provisions: Vec<ProvisionRow> = Vec::new();
        let first_id = db_treaties::max_provision_id(conn)? + 1;
        for file in &TEXTS {
            let text = bundled_text(
                file,
                &records,
                &taxonomy,
                first_id + provisions.len() as i64,
            )?;
            chapters.extend(text.chapters);
            provisions.extend(text.provisions);
        }
        let coverage = coverage_rows(&records)?;
        db_treaties::replace_dataset(
            conn,
            DATASET_ID,
            &records,
            &chapters,
            &provisions,
            &coverage,
        )?;
        Ok(LoadSummary {
            rows: provisions.len() as i64,
            coverage: None,
        })
    }
}

/// One bundled ToTA text as rows of the bundled dataset, under the treaty `records` know it as.
/// The tests read the texts through it too, so that they check what the load stores.
fn bundled_text(
    file: &BundledFile,
    records: &[Treaty],
    taxonomy: &Taxonomy,
    first_id: i64,
) -> Result<Text, ImportError> {
    let document = parse_document(file.path, file.bytes)?;
    let treaty_id = treaty_id_for(records, &document);
    text_rows(
        file.path,
        &document,
        &treaty_id,
        DATASET_ID,
        taxonomy,
        first_id,
        TOTA_SOURCE_ID,
    )
}

/// Parses the bytes of a ToTA XML file, bundled or imported: both are refused the same way when
/// they are not UTF-8.
fn parse_document(file: &str, bytes: &[u8]) -> Result<TotaDocument, ImportError> {
    let xml = std::str::from_utf8(bytes).map_err(|e| ImportError::File {
        file: file.to_owned(),
        reason: format!("not UTF-8: {e}"),
    })?;
    tota::parse(file, xml)
}

/// `trilateral import tota-xml`: adds the text of an agreement of the ToTA corpus. A treaty the
/// service has no record of gets one from the document's metadata; a text already loaded (in this
/// language, by another dataset) is refused. The import replaces its dataset (default
/// `tota_<ToTA id>_<lang>`) and bumps the version.
pub fn import_text(
    conn: &mut DbConnection,
    file: &str,
    bytes: &[u8],
    dataset: Option<&str>,
) -> Result<super::command::ImportReport, ImportError> {
    let document = parse_document(file, bytes)?;
    let meta = &document.meta;
    let dataset_id = dataset.map_or_else(
        || format!("tota_{}_{}", meta.treaty_identifier, meta.language),
        str::to_owned,
    );
    super::command::parse_dataset_id(&dataset_id)?;
    let records = db_treaties::list(conn)?;
    let treaty_id = treaty_id_for(&records, &document);
    let new_record = records
        .iter()
        .all(|t| t.record.id != treaty_id)
        .then(|| Treaty {
            parties: meta.parties_original.clone(),
            languages: Vec::new(),
            record: TreatyRow {
                id: treaty_id.clone(),
                dataset_id: dataset_id.clone(),
                name: meta.name.clone(),
                other_names: None,
                kind: meta.kind.clone(),
                status: meta.status.clone(),
                date_signed: meta.date_signed,
                date_in_force: meta.date_into_force,
                date_terminated: meta.date_inactive,
                supersedes: None,
                superseded_by: None,
                side_agreement_of: None,
                subject_topics: None,
                official_text_url: meta.sources.first().map(|(_, _, url)| url.clone()),
                tota_ids: Some(meta.treaty_identifier.clone()),
                wto_rta_id: meta.wto_rta_id.clone(),
                wb_dta_id: None,
                note: Some(format!(
                    "record from the metadata of an imported ToTA text ({file})"
                )),
                source_id: TOTA_SOURCE_ID.to_owned(),
                date_suspended: None,
            },
        });
    store_text(
        conn,
        StoredText {
            file,
            bytes,
            document: &document,
            treaty_id: &treaty_id,
            dataset_id: &dataset_id,
            new_record,
            source_id: TOTA_SOURCE_ID,
            kind: ImportKind::TotaXml,
        },
    )
}

/// A parsed text on its way into the store.
pub(crate) struct StoredText<'a> {
    pub file: &'a str,
    pub bytes: &'a [u8],
    pub document: &'a TotaDocument,
    pub treaty_id: &'a str,
    pub dataset_id: &'a str,
    /// The treaty's record, where the service had none.
    pub new_record: Option<Treaty>,
    pub source_id: &'a str,
    /// How it was imported, for the catalogue.
    pub kind: ImportKind,
}

/// Stores an imported text as its own dataset (replacing the dataset's earlier version) and bumps
/// the dataset version; the treaty shows its text as loaded from the stored provisions. A dataset that ships with the
/// service is never replaced, and a treaty's text in a language belongs to one dataset.
pub(crate) fn store_text(
    conn: &mut DbConnection,
    text: StoredText<'_>,
) -> Result<super::command::ImportReport, ImportError> {
    let StoredText {
        file,
        bytes,
        document,
        treaty_id,
        dataset_id,
        new_record,
        source_id,
        kind,
    } = text;
    let meta = &document.meta;
    if let Some(owner) = db_treaties::text_owner(conn, treaty_id, document_lang(file, document)?)?
        .filter(|owner| owner != dataset_id)
    {
        return Err(ImportError::File {
            file: file.to_owned(),
            reason: format!(
                "the {} text of '{treaty_id}' is already loaded by dataset '{owner}'",
                meta.language
            ),
        });
    }
    let existing = datasets::find(conn, dataset_id)?;
    if existing
        .as_ref()
        .is_some_and(|d| d.origin == DatasetOrigin::Bundled)
    {
        return Err(ImportError::File {
            file: file.to_owned(),
            reason: format!(
                "dataset '{dataset_id}' is bundled and cannot be replaced by an import"
            ),
        });
    }
    let first_id = db_treaties::max_provision_id(conn)? + 1;
    let rows = text_rows(
        file,
        document,
        treaty_id,
        dataset_id,
        &taxonomy()?,
        first_id,
        source_id,
    )?;
    db_treaties::replace_dataset(
        conn,
        dataset_id,
        new_record.as_slice(),
        &rows.chapters,
        &rows.provisions,
        &[],
    )?;
    let version = existing.map_or(1, |d| d.version + 1);
    let vintage = datasets::save(
        conn,
        &DatasetRow {
            id: dataset_id.to_owned(),
            family: DatasetFamily::Treaties,
            title: format!("Imported text of {} ({})", meta.name, meta.language),
            description: format!(
                "Imported with `trilateral import {}` from {file}",
                kind.name()
            ),
            version,
            last_updated: Utc::now().naive_utc(),
            row_count: rows.provisions.len() as i64,
            coverage_first: None,
            coverage_last: None,
            checksum: crate::domain::hex(&super::command::sha2_digest(bytes)),
            origin: DatasetOrigin::Import,
            basis: format!(
                "treaty text of {} ({}) as supplied to `trilateral import {}`",
                meta.name,
                meta.language,
                kind.name()
            ),
            reporting: Reporting::NotApplicable,
        },
        None,
    )?;
    Ok(super::command::ImportReport {
        dataset_id: dataset_id.to_owned(),
        version,
        rows: rows.provisions.len(),
        skipped_aggregates: 0,
        vintage,
        // Filled in by `command::import_as`, which reads the input.
        checksum: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_text_parses_with_unique_article_ids() {
        let taxonomy = taxonomy().unwrap();
        let records = treaty_records().unwrap();
        let mut counts = Vec::new();
        for file in &TEXTS {
            let text = bundled_text(file, &records, &taxonomy, 1).unwrap();
            let id = text.treaty_id.clone();
            assert!(
                text.chapters.iter().all(|c| c.topics != ";;"),
                "{id}: a chapter without topic"
            );
            counts.push((id, text.lang, text.chapters.len(), text.provisions.len()));
        }
        assert_eq!(
            counts,
            [
                ("nafta".to_owned(), Lang::En, 24, 298),
                ("cusfta".to_owned(), Lang::En, 23, 151),
                ("tpp".to_owned(), Lang::En, 31, 508),
                ("tpp".to_owned(), Lang::Es, 31, 507),
            ]
        );
    }

    #[test]
    fn the_labour_chapter_and_its_articles_are_tagged_labour() {
        let taxonomy = taxonomy().unwrap();
        let records = treaty_records().unwrap();
        for file in &TEXTS[2..] {
            let text = bundled_text(file, &records, &taxonomy, 1).unwrap();
            let chapter = text.chapters.iter().find(|c| c.number == "19").unwrap();
            assert!(
                chapter.topics.contains(";labour;"),
                "{}: {}",
                text.lang,
                chapter.topics
            );
            let rights = text
                .provisions
                .iter()
                .find(|p| p.article == "19.3")
                .unwrap();
            assert!(rights.topics.contains(";labour;"));
        }
    }

    #[test]
    fn curated_records_take_their_tota_metadata_and_others_get_their_own() {
        let records = treaty_records().unwrap();
        let records: Vec<&Treaty> = records.iter().collect();
        let find = |id: &str| records.iter().find(|t| t.record.id == id).unwrap();
        let nafta = find("nafta");
        assert_eq!(
            nafta.record.date_in_force,
            NaiveDate::from_ymd_opt(1994, 1, 1)
        );
        assert_eq!(nafta.parties, ["CAN", "MEX", "USA"]);
        assert_eq!(nafta.record.wb_dta_id.as_deref(), Some("27"));
        assert_eq!(
            find("naalc").record.side_agreement_of.as_deref(),
            Some("nafta")
        );
        let ids: Vec<&str> = records.iter().map(|t| t.record.id.as_str()).collect();
        assert!(ids.iter().filter(|id| id.starts_with("tota_")).count() >= 40);
        assert!(
            !ids.contains(&"tota_112"),
            "NAFTA's ToTA row is the nafta record"
        );
    }
}
