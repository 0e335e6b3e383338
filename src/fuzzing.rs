//! The properties the fuzz targets in `fuzz/` check, one function per parser of untrusted input.
//! Each takes the fuzzer's raw bytes and panics when a property fails. They live in the library
//! so that `cargo test` replays the committed corpus (`fuzz/corpus/<target>/`) through exactly
//! the checks the fuzzer ran, without building the fuzz targets.

use crate::api::v1::trade::flows::{decode_cursor, encode_cursor};
use crate::domain::country::CountryLookup;
use crate::domain::period::Period;
use crate::domain::search::{self, Term};

/// Input reaches the parsers as a query-string value, which the framework has already decoded
/// to UTF-8; other bytes are rejected before any parser runs.
fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// A period that parses prints as a period that parses back to itself.
pub fn period(data: &[u8]) {
    let Some(raw) = text(data) else { return };
    if let Ok(period) = Period::parse(raw) {
        let shown = period.to_string();
        assert_eq!(
            Period::parse(&shown).ok(),
            Some(period),
            "{raw:?} -> {shown:?}"
        );
    }
}

/// A country code that parses prints in its canonical form, which parses back to itself; a
/// rejected one is echoed shortened and without control characters.
pub fn country_code(data: &[u8]) {
    let Some(raw) = text(data) else { return };
    match CountryLookup::parse(raw) {
        Ok(code) => {
            let shown = code.to_string();
            assert_eq!(CountryLookup::parse(&shown).ok(), Some(code), "{raw:?}");
        }
        Err(error) => assert_echo_is_safe(&error.shown),
    }
}

/// A search parses into a bounded number of terms, each of lower-case words, or into an error
/// with a message.
pub fn search_query(data: &[u8]) {
    let Some(raw) = text(data) else { return };
    match search::parse(raw) {
        Ok(terms) => {
            assert!(
                !terms.is_empty() && terms.len() <= search::MAX_TERMS,
                "{raw:?}"
            );
            for term in &terms {
                let words = match term {
                    Term::Word(word) | Term::Prefix(word) => std::slice::from_ref(word),
                    Term::Phrase(words) => words.as_slice(),
                };
                assert!(
                    words
                        .iter()
                        .all(|w| !w.is_empty() && *w == w.to_lowercase()),
                    "{raw:?}: {term:?} is of non-empty lower-case words"
                );
            }
        }
        Err(error) => assert!(!error.0.is_empty(), "{raw:?}: an error says why"),
    }
}

/// A cursor that decodes names a row id the service could have issued it for, and that id's
/// cursor is the input itself: no two cursors mean the same page.
pub fn cursor(data: &[u8]) {
    let Some(raw) = text(data) else { return };
    if let Ok(id) = decode_cursor(raw) {
        assert!(id >= 0, "{raw:?} decodes to a negative id {id}");
        assert_eq!(encode_cursor(id), raw, "{raw:?}");
    }
}

/// The checks of one target: panics on input that breaks a property.
pub type Check = fn(&[u8]);

/// Every target by the name of its file in `fuzz/fuzz_targets` and its corpus folder.
pub const TARGETS: &[(&str, Check)] = &[
    ("period", period),
    ("country_code", country_code),
    ("search_query", search_query),
    ("cursor", cursor),
];

fn assert_echo_is_safe(shown: &str) {
    // 32 characters of input, each escaped to at most 10 (`\u{10ffff}`), and an ellipsis.
    assert!(
        shown.chars().count() <= 32 * 10 + 1,
        "echo too long: {shown:?}"
    );
    assert!(
        !shown.chars().any(char::is_control),
        "control character echoed: {shown:?}"
    );
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Every input of the committed corpus, with crashes the fuzzer found among them, still
    /// passes its target's checks.
    #[test]
    fn the_fuzz_corpus_passes_its_checks() {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
        for &(target, check) in super::TARGETS {
            let inputs: Vec<_> = std::fs::read_dir(corpus.join(target))
                .unwrap_or_else(|e| panic!("the corpus of {target}: {e}"))
                .map(|entry| entry.expect("corpus entry").path())
                .collect();
            assert!(inputs.len() >= 5, "{target} has a corpus to replay");
            for input in inputs {
                let data = std::fs::read(&input).expect("corpus input");
                check(&data);
            }
        }
    }
}
