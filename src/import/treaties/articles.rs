//! `trilateral import articles`: the text of a treaty the service knows (USMCA, NAALC, CPTPP, or
//! any other record) as a tidy table of articles, so that a user who holds the text can load it
//! and have it searched and compared under the same ids as the bundled texts. One file holds one
//! treaty in one language, as CSV (columns below) or as a JSON array of objects with the same
//! keys; `chapter_title` and `title` may be empty.
//!
//! `treaty,lang,chapter,chapter_title,article,title,text`
//! `usmca,en,23,Labor,23.3,Labor Rights,"1. Each Party shall adopt and maintain …"`

use serde::Deserialize;

use super::tota::{TotaArticle, TotaChapter, TotaDocument, TotaMeta};
use super::{StoredText, store_text};
use crate::db::DbConnection;
use crate::db::treaties as db_treaties;
use crate::domain::treaty::Lang;
use crate::import::ImportError;
use crate::import::command::{ImportKind, ImportReport, parse_dataset_id};
use crate::import::csv_rows::{Columns, read_checked_rows, row_error};

/// The source of imported articles (data/sources.csv).
const SOURCE_ID: &str = "trilateral_articles_import";

#[derive(Debug, Deserialize)]
struct ArticleRecord {
    treaty: String,
    lang: String,
    chapter: String,
    #[serde(default)]
    chapter_title: String,
    article: String,
    #[serde(default)]
    title: String,
    text: String,
}

impl Columns for ArticleRecord {
    const OPTIONAL: &'static [&'static str] = &["chapter_title", "title"];
}

/// Whether a chapter or article number is one the ids can carry: letters, digits, `.` and `-`.
fn is_number(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 20
        && value.chars().any(|c| c.is_ascii_alphanumeric())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

/// The records with the line (CSV) or position (JSON, from 1) each came from.
fn records(file: &str, bytes: &[u8]) -> Result<Vec<(u64, ArticleRecord)>, ImportError> {
    let json = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'[');
    if !json {
        return read_checked_rows::<ArticleRecord>(file, bytes);
    }
    let list: Vec<ArticleRecord> =
        serde_json::from_slice(bytes).map_err(|e| ImportError::File {
            file: file.to_owned(),
            reason: format!("not a JSON array of articles: {e}"),
        })?;
    Ok(list
        .into_iter()
        .enumerate()
        .map(|(index, record)| (index as u64 + 1, record))
        .collect())
}

/// The records as a document of chapters in the order they first appear, after checking that
/// the file holds one known treaty in one language, with unique, well-formed article numbers.
fn document(
    file: &str,
    records: Vec<(u64, ArticleRecord)>,
    treaty_name: impl Fn(&str) -> Option<String>,
) -> Result<(String, TotaDocument), ImportError> {
    let Some((_, first)) = records.first() else {
        return Err(ImportError::File {
            file: file.to_owned(),
            reason: "no articles".to_owned(),
        });
    };
    let (treaty, lang) = (first.treaty.clone(), first.lang.clone());
    let name = treaty_name(&treaty).ok_or_else(|| {
        row_error(
            file,
            records[0].0,
            format!("'{treaty}' is not a treaty in /v1/treaties"),
        )
    })?;
    if Lang::parse(&lang).is_none() {
        return Err(row_error(file, records[0].0, Lang::unknown(&lang)));
    }
    let mut chapters: Vec<TotaChapter> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (line, record) in records {
        let fail = |reason: String| row_error(file, line, reason);
        if record.treaty != treaty || record.lang != lang {
            return Err(fail(format!(
                "one file holds one treaty in one language ({treaty}, {lang}), not {} in {}",
                record.treaty, record.lang
            )));
        }
        for (field, value) in [("chapter", &record.chapter), ("article", &record.article)] {
            if !is_number(value) {
                return Err(fail(format!(
                    "{field} '{value}' is not a number made of letters, digits, '.' and '-'"
                )));
            }
        }
        if seen.contains(&record.article) {
            return Err(fail(format!("article {} appears twice", record.article)));
        }
        if record.text.trim().is_empty() {
            return Err(fail(format!("article {} has no text", record.article)));
        }
        seen.push(record.article.clone());
        let article = TotaArticle {
            identifier: String::new(),
            number: Some(format!("ARTICLE {}", record.article)),
            name: Some(record.title).filter(|t| !t.trim().is_empty()),
            text: record.text,
            line,
        };
        let written = format!("CHAPTER {}", record.chapter);
        match chapters
            .iter_mut()
            .find(|c| c.number.as_deref() == Some(written.as_str()))
        {
            Some(chapter) => chapter.articles.push(article),
            None => chapters.push(TotaChapter {
                identifier: String::new(),
                name: if record.chapter_title.trim().is_empty() {
                    format!("Chapter {}", record.chapter)
                } else {
                    record.chapter_title
                },
                number: Some(written),
                articles: vec![article],
            }),
        }
    }
    let document = TotaDocument {
        meta: TotaMeta {
            name,
            treaty_identifier: treaty.clone(),
            language: lang,
            ..TotaMeta::default()
        },
        chapters,
    };
    Ok((treaty, document))
}

/// Loads the articles into `dataset` (default `<treaty>_<lang>_text`), replacing what that
/// dataset held; the treaty's text in this language may not already be another dataset's
/// (`store_text` checks).
pub fn import_articles(
    conn: &mut DbConnection,
    file: &str,
    bytes: &[u8],
    dataset: Option<&str>,
) -> Result<ImportReport, ImportError> {
    let records_of_treaties = db_treaties::list(conn)?;
    let (treaty_id, document) = document(file, records(file, bytes)?, |id| {
        records_of_treaties
            .iter()
            .find(|t| t.record.id == id)
            .map(|t| t.record.name.clone())
    })?;
    let lang = document.meta.language.clone();
    let dataset_id = dataset.map_or_else(|| format!("{treaty_id}_{lang}_text"), str::to_owned);
    parse_dataset_id(&dataset_id)?;
    store_text(
        conn,
        StoredText {
            file,
            bytes,
            document: &document,
            treaty_id: &treaty_id,
            dataset_id: &dataset_id,
            new_record: None,
            source_id: SOURCE_ID,
            kind: ImportKind::Articles,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(id: &str) -> Option<String> {
        (id == "usmca").then(|| "USMCA".to_owned())
    }

    #[test]
    fn articles_group_into_chapters_in_order() {
        let csv = "treaty,lang,chapter,chapter_title,article,title,text\n\
                   usmca,en,23,Labor,23.1,Definitions,For the purposes of this Chapter\n\
                   usmca,en,23,Labor,23.3,Labor Rights,Each Party shall adopt\n\
                   usmca,en,24,Environment,24.1,,Definitions\n";
        let (treaty, document) =
            document("a.csv", records("a.csv", csv.as_bytes()).unwrap(), known).unwrap();
        assert_eq!(treaty, "usmca");
        assert_eq!(document.chapters.len(), 2);
        assert_eq!(document.chapters[0].articles.len(), 2);
        assert_eq!(document.chapters[1].articles[0].name, None);
    }

    #[test]
    fn json_takes_the_same_keys() {
        let json = r#"[{"treaty":"usmca","lang":"es","chapter":"23","article":"23.3","text":"Cada Parte"}]"#;
        let (_, document) =
            document("a.json", records("a.json", json.as_bytes()).unwrap(), known).unwrap();
        assert_eq!(document.meta.language, "es");
    }

    #[test]
    fn a_file_with_other_columns_is_refused_on_line_1_naming_them() {
        let columns = "the columns are treaty, lang, chapter, article, text, and optionally chapter_title, title";
        let cases = [
            ("treaty,lang,chapter,article,title", "missing column `text`"),
            (
                "treaty,lang,chapter,article,text,page",
                "unexpected column `page`",
            ),
            (
                "treaty,language,chapter,article,text",
                "missing column `lang`; unexpected column `language`",
            ),
            (
                "treaty,lang,chapter,article,text,text",
                "repeated column `text`",
            ),
        ];
        for (header, problem) in cases {
            let csv = format!("{header}\nusmca,en,1,1.1,x,y\n");
            let error = records("a.csv", csv.as_bytes()).unwrap_err().to_string();
            assert_eq!(error, format!("a.csv, line 1: {problem}; {columns}"));
        }
    }

    #[test]
    fn bad_rows_are_refused_with_their_line() {
        let cases = [
            ("nafta2,en,1,,1.1,,x\n", "line 2: 'nafta2' is not a treaty"),
            ("usmca,de,1,,1.1,,x\n", "line 2: language 'de'"),
            (
                "usmca,en,1,,1.1,,x\nusmca,en,1,,1.1,,y\n",
                "line 3: article 1.1 appears twice",
            ),
            ("usmca,en,1,,1 1,,x\n", "line 2: article '1 1'"),
            (
                "usmca,en,1,,1.1,,x\nusmca,es,1,,1.2,,y\n",
                "line 3: one file holds one treaty",
            ),
            ("usmca,en,1,,1.1,,  \n", "line 2: article 1.1 has no text"),
        ];
        for (rows, expected) in cases {
            let csv = format!("treaty,lang,chapter,chapter_title,article,title,text\n{rows}");
            let error = records("a.csv", csv.as_bytes())
                .and_then(|r| document("a.csv", r, known))
                .unwrap_err()
                .to_string();
            assert!(error.contains(expected), "{error}");
        }
    }
}
