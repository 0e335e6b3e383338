//! Treaty texts: stable article and chapter ids from the numbers as written, the topic rules of
//! the taxonomy (data/treaties/TAXONOMY.md), the cleaning of headings, and a treaty's status from
//! its dates; and the rules of the treaty answers: the record's (`record`), the language a text is
//! read in (`language`), how a request names an article (`article`), why a compared treaty has
//! no provision on a topic (`comparison`) and the DTA flags by pair and year (`coverage`).

pub mod article;
pub mod comparison;
pub mod coverage;
pub mod language;
pub mod record;

pub use record::{TreatyView, side_agreements};

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

/// The number in `ARTICLE 19.3`, `ARTÍCULO 19.3` or `ARTICLE 1901`: the last word, if it is made of
/// digits, letters, `.` and `-`.
pub fn article_number(written: &str) -> Option<String> {
    let last = written.split_whitespace().last()?;
    let valid = last.chars().any(|c| c.is_ascii_digit())
        && last
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    valid.then(|| last.to_owned())
}

const UNITS: [&str; 20] = [
    "ZERO",
    "ONE",
    "TWO",
    "THREE",
    "FOUR",
    "FIVE",
    "SIX",
    "SEVEN",
    "EIGHT",
    "NINE",
    "TEN",
    "ELEVEN",
    "TWELVE",
    "THIRTEEN",
    "FOURTEEN",
    "FIFTEEN",
    "SIXTEEN",
    "SEVENTEEN",
    "EIGHTEEN",
    "NINETEEN",
];
const TENS: [&str; 10] = [
    "", "", "TWENTY", "THIRTY", "FORTY", "FIFTY", "SIXTY", "SEVENTY", "EIGHTY", "NINETY",
];

/// English number words up to 99 (`NINETEEN`, `TWENTY ONE`, `twenty-two`).
fn number_from_words(words: &str) -> Option<u32> {
    let upper = words.to_uppercase().replace('-', " ");
    let parts: Vec<&str> = upper.split_whitespace().collect();
    let unit = |word: &str| UNITS.iter().position(|u| *u == word).map(|n| n as u32);
    let ten = |word: &str| {
        TENS.iter()
            .position(|t| !t.is_empty() && *t == word)
            .map(|n| n as u32 * 10)
    };
    match parts.as_slice() {
        [one] => unit(one).or_else(|| ten(one)),
        [tens, units] => Some(ten(tens)? + unit(units).filter(|u| (1..10).contains(u))?),
        _ => None,
    }
}

/// The number in `CHAPTER 19`, `CAPÍTULO 19` or `CHAPTER NINETEEN`, as digits.
pub fn chapter_number(written: &str) -> Option<String> {
    let rest = written.split_once(char::is_whitespace)?.1.trim();
    if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()) {
        return Some(rest.trim_start_matches('0').to_owned()).filter(|n| !n.is_empty());
    }
    number_from_words(rest).map(|n| n.to_string())
}

/// An id for an unnumbered chapter or article from its name (`Preamble` → `preamble`).
pub fn slug(name: &str) -> String {
    let mut slug = String::new();
    for c in fold(name).chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('_') && !slug.is_empty() {
            slug.push('_');
        }
    }
    slug.trim_end_matches('_').to_owned()
}

/// A heading without the footnote number the PDF extraction glued to its end
/// (`National Treatment14` → `National Treatment`).
pub fn clean_heading(name: &str) -> String {
    name.trim_end_matches(|c: char| c.is_ascii_digit())
        .trim_end()
        .to_owned()
}

/// Lower case with the accents of Latin letters removed.
fn fold(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            other => other,
        })
        .collect()
}

/// The normal form titles and patterns are compared in: folded, every character other than
/// `a-z`, `0-9` and `-` a space, runs of spaces collapsed. Edge spaces are kept, so that a pattern
/// can mark a word boundary.
pub fn normalise(text: &str) -> String {
    let mut normal = String::with_capacity(text.len());
    for c in fold(text).chars() {
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' {
            c
        } else {
            ' '
        };
        if !(c == ' ' && normal.ends_with(' ')) {
            normal.push(c);
        }
    }
    normal
}

/// A topic and the patterns that assign it, per language (`en` and `es`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub slug: String,
    pub label: String,
    pub definition: String,
    pub chapter_patterns: [Vec<String>; 2],
    pub heading_patterns: [Vec<String>; 2],
}

/// The reference data treaty answers use, read from the bundled files once at start-up: the topic
/// taxonomy and what each World Bank DTA provision flag means.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TreatyReference {
    pub taxonomy: Taxonomy,
    /// `lm_prov_10` → "reference to internationally recognized labor standards".
    pub dta_meanings: std::collections::BTreeMap<String, String>,
}

/// The topic taxonomy with its version.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Taxonomy {
    pub version: String,
    pub topics: Vec<Topic>,
}

impl Taxonomy {
    fn matching(&self, title: &str, lang: &str, heading: bool) -> Vec<&str> {
        let index = usize::from(lang == "es");
        let padded = format!(" {} ", normalise(title.trim()));
        self.topics
            .iter()
            .filter(|topic| {
                let patterns = if heading {
                    &topic.heading_patterns
                } else {
                    &topic.chapter_patterns
                };
                patterns[index]
                    .iter()
                    .any(|p| !p.trim().is_empty() && padded.contains(p.as_str()))
            })
            .map(|topic| topic.slug.as_str())
            .collect()
    }

    /// Topics of a chapter, from its title.
    pub fn chapter_topics(&self, title: &str, lang: &str) -> Vec<&str> {
        self.matching(title, lang, false)
    }

    /// Topics of an article: its chapter's, and those its heading matches.
    pub fn article_topics<'a>(
        &'a self,
        chapter_topics: &[&'a str],
        heading: Option<&str>,
        lang: &str,
    ) -> Vec<&'a str> {
        let mut topics: Vec<&str> = chapter_topics.to_vec();
        if let Some(heading) = heading {
            for topic in self.matching(heading, lang, true) {
                if !topics.contains(&topic) {
                    topics.push(topic);
                }
            }
        }
        topics
    }

    pub fn contains(&self, slug: &str) -> bool {
        self.topics.iter().any(|t| t.slug == slug)
    }

    /// How a sentence names a topic: its label in lower case (`labour`), or the slug of a topic
    /// the taxonomy does not have.
    pub fn label_in_text(&self, slug: &str) -> String {
        self.topics
            .iter()
            .find(|t| t.slug == slug)
            .map_or_else(|| slug.to_owned(), |t| t.label.to_lowercase())
    }
}

/// Topics as stored in the row for display, `;a;b;` (filters read the `provision_topics` table).
pub fn store_topics(topics: &[&str]) -> String {
    format!(";{};", topics.join(";"))
}

/// Topics as stored, back to a list.
pub fn stored_topics(stored: &str) -> Vec<String> {
    stored
        .split(';')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

named_enum! {
    /// A language of the treaty texts.
    #[derive(strum::EnumIter, strum::Display)]
    #[serde(rename_all = "lowercase")]
    #[strum(serialize_all = "lowercase")]
    pub enum Lang {
        En,
        Es,
    }
}

impl Lang {
    /// Why `value` is refused as a language: the languages there are.
    pub fn unknown(value: &str) -> String {
        use strum::IntoEnumIterator;
        let known: Vec<&str> = Lang::iter().map(Lang::as_str).collect();
        format!("language '{value}' is not one of {}", known.join(", "))
    }
}

/// Where a treaty stands on a day, from its dates: the last of its dates reached decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TreatyStatus {
    /// Signed, not (or not yet) in force (TPP).
    SignedNotInForce,
    InForce,
    /// Its operation suspended, not ended (the Canada-U.S. FTA since NAFTA).
    Suspended,
    /// Ended or replaced (NAFTA since USMCA).
    Terminated,
}

/// The dates of a treaty.
#[derive(Debug, Clone, Copy, Default)]
pub struct TreatyDates {
    pub signed: Option<NaiveDate>,
    pub in_force: Option<NaiveDate>,
    pub suspended: Option<NaiveDate>,
    pub terminated: Option<NaiveDate>,
}

impl TreatyDates {
    /// The status on `today`; none when no date is known.
    pub fn status(&self, today: NaiveDate) -> Option<TreatyStatus> {
        let reached = |date: Option<NaiveDate>| date.is_some_and(|d| d <= today);
        if reached(self.terminated) {
            Some(TreatyStatus::Terminated)
        } else if reached(self.suspended) {
            Some(TreatyStatus::Suspended)
        } else if reached(self.in_force) {
            Some(TreatyStatus::InForce)
        } else if self.signed.is_some() {
            Some(TreatyStatus::SignedNotInForce)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn the_status_follows_the_last_date_reached() {
        let nafta = TreatyDates {
            signed: day(1992, 12, 17),
            in_force: day(1994, 1, 1),
            terminated: day(2020, 7, 1),
            ..TreatyDates::default()
        };
        let status = |dates: &TreatyDates, today| dates.status(day(2020, 7, today).unwrap());
        assert_eq!(
            nafta.status(day(2019, 6, 30).unwrap()),
            Some(TreatyStatus::InForce)
        );
        assert_eq!(status(&nafta, 1), Some(TreatyStatus::Terminated));
        let cusfta = TreatyDates {
            in_force: day(1989, 1, 1),
            suspended: day(1994, 1, 1),
            ..TreatyDates::default()
        };
        assert_eq!(status(&cusfta, 1), Some(TreatyStatus::Suspended));
        let tpp = TreatyDates {
            signed: day(2016, 2, 4),
            ..TreatyDates::default()
        };
        assert_eq!(status(&tpp, 1), Some(TreatyStatus::SignedNotInForce));
    }

    #[test]
    fn article_and_chapter_numbers() {
        assert_eq!(article_number("ARTICLE 19.3").as_deref(), Some("19.3"));
        assert_eq!(article_number("ARTÍCULO 19.3").as_deref(), Some("19.3"));
        assert_eq!(article_number("ARTICLE 1901").as_deref(), Some("1901"));
        assert_eq!(article_number("ARTICLE"), None);
        assert_eq!(chapter_number("CHAPTER 19").as_deref(), Some("19"));
        assert_eq!(chapter_number("CAPÍTULO 19").as_deref(), Some("19"));
        assert_eq!(chapter_number("CHAPTER NINETEEN").as_deref(), Some("19"));
        assert_eq!(chapter_number("CHAPTER TWENTY ONE").as_deref(), Some("21"));
        assert_eq!(chapter_number("CHAPTER TWENTY").as_deref(), Some("20"));
        assert_eq!(chapter_number("CHAPTER SOMETHING"), None);
    }

    #[test]
    fn headings_lose_glued_footnote_numbers() {
        assert_eq!(clean_heading("National Treatment14"), "National Treatment");
        assert_eq!(clean_heading("Labour Rights"), "Labour Rights");
        assert_eq!(slug("Preamble"), "preamble");
    }

    #[test]
    fn patterns_match_normalised_titles_at_word_boundaries() {
        let taxonomy = Taxonomy {
            version: "test".into(),
            topics: vec![Topic {
                slug: "labour".into(),
                label: "Labour".into(),
                definition: String::new(),
                chapter_patterns: [
                    vec!["labour".into(), " labor ".into()],
                    vec!["laboral".into()],
                ],
                heading_patterns: [vec!["forced".into()], vec!["forzoso".into()]],
            }],
        };
        assert_eq!(taxonomy.chapter_topics("Labour", "en"), ["labour"]);
        assert_eq!(taxonomy.chapter_topics("Labor", "en"), ["labour"]);
        assert!(taxonomy.chapter_topics("Collaboration", "en").is_empty());
        assert_eq!(taxonomy.chapter_topics("Laboral", "es"), ["labour"]);
        assert_eq!(
            taxonomy.article_topics(&[], Some("Trabajo Forzoso U Obligatorio"), "es"),
            ["labour"]
        );
        assert_eq!(normalise("Protecciòn, Y  Más"), "proteccion y mas");
        assert_eq!(taxonomy.label_in_text("labour"), "labour");
        assert_eq!(taxonomy.label_in_text("environment"), "environment");
    }
}
