//! A parser for the XML of the Texts of Trade Agreements (ToTA) corpus:
//!
//! ```text
//! <treaty>
//!   <meta> name, type, wto_rta_id, treaty_identifier, status, date_signed, date_into_force,
//!          date_inactive, parties_original/partyisocode*, parties/partyisocode*, language,
//!          source[@lang,@type]* … </meta>
//!   <body>
//!     <chapter number? name chapter_identifier>
//!       <article number? name? article_identifier>text</article>+
//!     </chapter>+
//!   </body>
//! </treaty>
//! ```
//!
//! The structure is checked as well as the syntax: an article outside a chapter, an element
//! inside an article, a missing identifier, or a document that ends early is refused with its line.

use chrono::NaiveDate;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::domain::footnotes;
use crate::import::ImportError;
use crate::import::csv_rows::row_error;

/// A parsed ToTA document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TotaDocument {
    pub meta: TotaMeta,
    pub chapters: Vec<TotaChapter>,
}

/// The `<meta>` fields the service uses.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TotaMeta {
    pub name: String,
    pub kind: Option<String>,
    pub wto_rta_id: Option<String>,
    pub treaty_identifier: String,
    pub status: Option<String>,
    pub date_signed: Option<NaiveDate>,
    pub date_into_force: Option<NaiveDate>,
    pub date_inactive: Option<NaiveDate>,
    pub parties_original: Vec<String>,
    pub language: String,
    /// Where ToTA found the text: `(lang, type, url)`.
    pub sources: Vec<(String, String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TotaChapter {
    pub identifier: String,
    /// As written: `CHAPTER 19`, `CAPÍTULO 19`, `CHAPTER NINETEEN`; absent for a preamble.
    pub number: Option<String>,
    pub name: String,
    pub articles: Vec<TotaArticle>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TotaArticle {
    pub identifier: String,
    /// As written: `ARTICLE 19.3`, `ARTÍCULO 19.3`, `ARTICLE 1901`; absent for a preamble.
    pub number: Option<String>,
    pub name: Option<String>,
    pub text: String,
    pub line: u64,
}

/// Where the parser is in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Start,
    Treaty,
    Meta,
    MetaField,
    Parties,
    Body,
    Chapter,
    Article,
    End,
}

fn attribute(
    file: &str,
    line: u64,
    element: &BytesStart<'_>,
    name: &str,
) -> Result<Option<String>, ImportError> {
    for attribute in element.attributes() {
        let attribute =
            attribute.map_err(|e| row_error(file, line, format!("malformed attribute: {e}")))?;
        if attribute.key.as_ref() == name.as_bytes() {
            let value = attribute
                .unescape_value()
                .map_err(|e| row_error(file, line, format!("malformed attribute value: {e}")))?;
            return Ok(Some(value.trim().to_owned()).filter(|v| !v.is_empty()));
        }
    }
    Ok(None)
}

fn required(
    file: &str,
    line: u64,
    element: &BytesStart<'_>,
    name: &str,
) -> Result<String, ImportError> {
    attribute(file, line, element, name)?.ok_or_else(|| {
        row_error(
            file,
            line,
            format!(
                "<{}> has no {name}",
                String::from_utf8_lossy(element.name().as_ref())
            ),
        )
    })
}

/// 1-based line numbers of byte offsets that only move forward, counted incrementally.
struct Lines<'a> {
    xml: &'a [u8],
    offset: usize,
    line: u64,
}

impl Lines<'_> {
    fn at(&mut self, offset: u64) -> u64 {
        let offset = (offset as usize).min(self.xml.len());
        if offset >= self.offset {
            self.line += self.xml[self.offset..offset]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            self.offset = offset;
        }
        self.line
    }
}

pub fn parse(file: &str, xml: &str) -> Result<TotaDocument, ImportError> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(false);
    let mut document = TotaDocument::default();
    let mut place = Place::Start;
    let mut field = String::new();
    let mut text = String::new();
    let mut pending_source: Option<(String, String)> = None;
    let mut seen_meta = false;
    let mut lines = Lines {
        xml: xml.as_bytes(),
        offset: 0,
        line: 1,
    };
    loop {
        let line = lines.at(reader.buffer_position());
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                let at = lines.at(reader.buffer_position());
                return Err(row_error(file, at, format!("not well-formed XML: {e}")));
            }
        };
        let fail = |reason: String| row_error(file, line, reason);
        match event {
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Start(element) => {
                let name = String::from_utf8_lossy(element.name().as_ref()).into_owned();
                place = match (place, name.as_str()) {
                    (Place::Start, "treaty") => Place::Treaty,
                    (Place::Treaty, "meta") if !seen_meta => Place::Meta,
                    (Place::Treaty, "body") if seen_meta && document.chapters.is_empty() => {
                        Place::Body
                    }
                    (Place::Meta, "parties_original" | "parties") => {
                        field = name.clone();
                        Place::Parties
                    }
                    (Place::Meta, _) => {
                        if name == "source" {
                            pending_source = Some((
                                attribute(file, line, &element, "lang")?.unwrap_or_default(),
                                attribute(file, line, &element, "type")?.unwrap_or_default(),
                            ));
                        }
                        field = name.clone();
                        text.clear();
                        Place::MetaField
                    }
                    (Place::Parties, "partyisocode") => {
                        text.clear();
                        Place::MetaField
                    }
                    (Place::Body, "chapter") => {
                        document.chapters.push(TotaChapter {
                            identifier: required(file, line, &element, "chapter_identifier")?,
                            number: attribute(file, line, &element, "number")?,
                            name: required(file, line, &element, "name")?,
                            articles: Vec::new(),
                        });
                        Place::Chapter
                    }
                    (Place::Chapter, "article") => {
                        let number = attribute(file, line, &element, "number")?;
                        let heading = attribute(file, line, &element, "name")?;
                        if number.is_some() != heading.is_some() {
                            return Err(fail("an article has a number without a name, or a name without a number".to_owned()));
                        }
                        let identifier = required(file, line, &element, "article_identifier")?;
                        if let Some(chapter) = document.chapters.last_mut() {
                            chapter.articles.push(TotaArticle {
                                identifier,
                                number,
                                name: heading,
                                text: String::new(),
                                line,
                            });
                        }
                        text.clear();
                        Place::Article
                    }
                    (place, name) => {
                        return Err(fail(format!(
                            "<{name}> is not allowed here ({})",
                            describe(place)
                        )));
                    }
                };
            }
            Event::Empty(element) => {
                let name = String::from_utf8_lossy(element.name().as_ref()).into_owned();
                match place {
                    Place::Meta | Place::Parties => {}
                    other => {
                        return Err(fail(format!(
                            "<{name}/> is not allowed here ({})",
                            describe(other)
                        )));
                    }
                }
            }
            Event::Text(content) => {
                let content = content
                    .unescape()
                    .map_err(|e| fail(format!("bad character reference: {e}")))?;
                match place {
                    Place::MetaField | Place::Article => text.push_str(&content),
                    _ if content.trim().is_empty() => {}
                    other => {
                        return Err(fail(format!(
                            "text is not allowed here ({})",
                            describe(other)
                        )));
                    }
                }
            }
            Event::CData(content) => match place {
                Place::MetaField | Place::Article => {
                    text.push_str(&String::from_utf8_lossy(&content))
                }
                other => {
                    return Err(fail(format!(
                        "CDATA is not allowed here ({})",
                        describe(other)
                    )));
                }
            },
            Event::End(element) => {
                let name = String::from_utf8_lossy(element.name().as_ref()).into_owned();
                place = match (place, name.as_str()) {
                    (Place::Article, "article") => {
                        if let Some(article) = document
                            .chapters
                            .last_mut()
                            .and_then(|c| c.articles.last_mut())
                        {
                            article.text = text.trim().to_owned();
                        }
                        Place::Chapter
                    }
                    (Place::Chapter, "chapter") => {
                        if document
                            .chapters
                            .last()
                            .is_some_and(|c| c.articles.is_empty())
                        {
                            return Err(fail("a chapter has no article".to_owned()));
                        }
                        Place::Body
                    }
                    (Place::Body, "body") => {
                        if document.chapters.is_empty() {
                            return Err(fail("the body has no chapter".to_owned()));
                        }
                        Place::Treaty
                    }
                    (Place::MetaField, "partyisocode") => {
                        if field == "parties_original" && !text.trim().is_empty() {
                            document.meta.parties_original.push(text.trim().to_owned());
                        }
                        Place::Parties
                    }
                    (Place::Parties, _) => Place::Meta,
                    (Place::MetaField, _) => {
                        store_meta(
                            &mut document.meta,
                            &field,
                            text.trim(),
                            pending_source.take(),
                        )
                        .map_err(fail)?;
                        Place::Meta
                    }
                    (Place::Meta, "meta") => {
                        seen_meta = true;
                        Place::Treaty
                    }
                    (Place::Treaty, "treaty") => Place::End,
                    (place, name) => {
                        return Err(fail(format!("unexpected </{name}> ({})", describe(place))));
                    }
                };
            }
            Event::Eof => break,
        }
    }
    if place != Place::End {
        let last = lines.at(xml.len() as u64);
        return Err(row_error(file, last, "the document ends before </treaty>"));
    }
    if document.meta.treaty_identifier.is_empty() || document.meta.name.is_empty() {
        return Err(row_error(
            file,
            1,
            "<meta> has no treaty_identifier or name",
        ));
    }
    if document.meta.language.is_empty() {
        return Err(row_error(file, 1, "<meta> has no language"));
    }
    for chapter in &mut document.chapters {
        let mut texts: Vec<String> = chapter.articles.iter().map(|a| a.text.clone()).collect();
        if footnotes::reattach(&mut texts) > 0 {
            for (article, text) in chapter.articles.iter_mut().zip(texts) {
                article.text = text;
            }
        }
    }
    Ok(document)
}

fn describe(place: Place) -> &'static str {
    match place {
        Place::Start => "before <treaty>",
        Place::Treaty => "directly in <treaty>, which holds <meta> then <body>",
        Place::Meta | Place::MetaField | Place::Parties => "in <meta>",
        Place::Body => "directly in <body>, which holds only chapters",
        Place::Chapter => "in a chapter, which holds only articles",
        Place::Article => "in an article, which holds only text",
        Place::End => "after </treaty>",
    }
}

/// Keeps a `<meta>` field the service uses; a date that is not `YYYY-MM-DD` is refused.
fn store_meta(
    meta: &mut TotaMeta,
    field: &str,
    value: &str,
    source: Option<(String, String)>,
) -> Result<(), String> {
    let date = || {
        (!value.is_empty())
            .then(|| {
                NaiveDate::parse_from_str(value, "%Y-%m-%d")
                    .map_err(|_| format!("{field} '{value}' is not a date (YYYY-MM-DD)"))
            })
            .transpose()
    };
    let value = value.to_owned();
    let optional = || Some(value.clone()).filter(|v| !v.is_empty());
    match field {
        "name" => meta.name = value,
        "type" => meta.kind = optional(),
        "wto_rta_id" => meta.wto_rta_id = optional(),
        "treaty_identifier" => meta.treaty_identifier = value,
        "status" => meta.status = optional(),
        "date_signed" => meta.date_signed = date()?,
        "date_into_force" => meta.date_into_force = date()?,
        "date_inactive" => meta.date_inactive = date()?,
        "language" => meta.language = value,
        "source" => {
            if let Some((lang, kind)) = source {
                meta.sources.push((lang, kind, value));
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!("../../../tests/fixtures/tota/tpp_en_excerpt.xml");
    const BAD: &str =
        include_str!("../../../tests/fixtures/tota/tpp_en_excerpt_article_outside_chapter.xml");

    #[test]
    fn parses_meta_chapters_and_articles() {
        let document = parse("f.xml", FIXTURE).unwrap();
        assert_eq!(document.meta.name, "Trans-Pacific Partnership");
        assert_eq!(document.meta.treaty_identifier, "449");
        assert_eq!(document.meta.language, "en");
        assert_eq!(
            document.meta.date_signed,
            NaiveDate::from_ymd_opt(2016, 2, 3)
        );
        assert_eq!(document.meta.parties_original.len(), 12);
        assert_eq!(document.chapters.len(), 2);
        let labour = &document.chapters[1];
        assert_eq!(labour.number.as_deref(), Some("CHAPTER 19"));
        assert_eq!(labour.name, "Labour");
        let rights = &labour.articles[2];
        assert_eq!(rights.number.as_deref(), Some("ARTICLE 19.3"));
        assert_eq!(rights.name.as_deref(), Some("Labour Rights"));
        assert!(
            rights
                .text
                .starts_with("1. Each Party shall adopt and maintain")
        );
        assert!(!rights.text.ends_with(char::is_whitespace));
    }

    #[test]
    fn an_article_outside_a_chapter_is_refused_with_its_line() {
        let error = parse("bad.xml", BAD).unwrap_err().to_string();
        assert!(error.starts_with("bad.xml, line 159:"), "{error}");
        assert!(error.contains("<article> is not allowed here"), "{error}");
    }

    #[test]
    fn a_truncated_document_is_refused() {
        let error = parse("cut.xml", &FIXTURE[..5000]).unwrap_err().to_string();
        assert!(
            error.contains("ends before </treaty>") || error.contains("not well-formed"),
            "{error}"
        );
    }
}
