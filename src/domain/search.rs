//! The search syntax, the same on every backend: words, "quoted phrases" and prefix* terms, all of
//! which must match. Anything else is a syntax error, reported before any query runs: in
//! particular the operators other engines know (`OR`, `AND`, `NOT`, `NEAR`, `-word`), which would
//! otherwise be searched as plain words and answer something the client did not ask for.

/// One term of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A word (letters and digits).
    Word(String),
    /// Words that must occur in this order, next to each other.
    Phrase(Vec<String>),
    /// A word's beginning (`labo*`).
    Prefix(String),
}

pub const MAX_QUERY_CHARS: usize = 200;
pub const MAX_TERMS: usize = 12;

/// What a search may contain, for the messages of syntax errors.
pub const SYNTAX: &str = "use words, \"quoted phrases\" and prefix* terms, all of which must match";

/// Words that are operators in FTS5, tsquery's web syntax and most search boxes. Written in
/// capitals outside quotes they are refused rather than searched as words; in lower case, or
/// inside a phrase, they are words like any other.
pub const OPERATORS: [&str; 4] = ["OR", "AND", "NOT", "NEAR"];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SyntaxError(pub String);

/// The characters a search word is made of, as ranges: ASCII letters and digits and the Latin
/// letters of English, Spanish and French texts (Latin-1 without `×` and `÷`, Latin Extended-A
/// and -B). The document's pattern for `q` is built from the same ranges, since it must read the
/// same in every regular expression dialect, and Unicode classes do not.
pub const WORD_CHARACTERS: [(char, char); 6] = [
    ('0', '9'),
    ('A', 'Z'),
    ('a', 'z'),
    ('À', 'Ö'),
    ('Ø', 'ö'),
    ('ø', 'ɏ'),
];

fn is_word_character(c: char) -> bool {
    WORD_CHARACTERS
        .iter()
        .any(|&(first, last)| (first..=last).contains(&c))
}

/// Splits a word on the characters that join words (`non-derogation`, `worker's`) the way the
/// search engines do; `WORD_CHARACTERS` only otherwise.
fn words_of(token: &str) -> Result<Vec<String>, SyntaxError> {
    let mut words = Vec::new();
    for part in token.split(['-', '\'', '’']) {
        if part.is_empty() {
            continue;
        }
        if let Some(bad) = part.chars().find(|&c| !is_word_character(c)) {
            return Err(SyntaxError(format!(
                "'{}' is not allowed in a search: {SYNTAX}",
                bad.escape_default()
            )));
        }
        words.push(part.to_lowercase());
    }
    Ok(words)
}

/// Parses a query into terms that must all match.
pub fn parse(query: &str) -> Result<Vec<Term>, SyntaxError> {
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(SyntaxError(format!(
            "a search has at most {MAX_QUERY_CHARS} characters"
        )));
    }
    let mut terms = Vec::new();
    let mut rest = query.trim();
    while !rest.is_empty() {
        if let Some(after_quote) = rest.strip_prefix('"') {
            let Some(end) = after_quote.find('"') else {
                return Err(SyntaxError("a quoted phrase is not closed".to_owned()));
            };
            let mut words = Vec::new();
            for token in after_quote[..end].split_whitespace() {
                words.extend(words_of(token)?);
            }
            match words.len() {
                0 => return Err(SyntaxError("a quoted phrase is empty".to_owned())),
                1 => terms.push(Term::Word(words.remove(0))),
                _ => terms.push(Term::Phrase(words)),
            }
            rest = after_quote[end + 1..].trim_start();
            continue;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let token = &rest[..end];
        rest = rest[end..].trim_start();
        if token.contains('"') {
            return Err(SyntaxError("a quote must start a phrase".to_owned()));
        }
        if OPERATORS.contains(&token) {
            return Err(SyntaxError(format!(
                "'{token}' is an operator this search does not support: {SYNTAX} (write it in \
                 lower case or inside quotes to search for the word)"
            )));
        }
        if token.starts_with('-') {
            return Err(SyntaxError(format!(
                "'-' cannot exclude a word here: {SYNTAX}"
            )));
        }
        let (token, prefix) = match token.strip_suffix('*') {
            Some(stem) => (stem, true),
            None => (token, false),
        };
        let mut words = words_of(token)?;
        match (words.len(), prefix) {
            (0, true) => {
                return Err(SyntaxError(
                    "'*' must end a word of at least two letters".to_owned(),
                ));
            }
            (0, false) => {
                return Err(SyntaxError(format!(
                    "'{}' has no letter or digit: {SYNTAX}",
                    token.escape_default()
                )));
            }
            (1, true) if words[0].chars().count() >= 2 => terms.push(Term::Prefix(words.remove(0))),
            (_, true) => {
                return Err(SyntaxError(
                    "'*' must end a single word of at least two letters".to_owned(),
                ));
            }
            (1, false) => terms.push(Term::Word(words.remove(0))),
            (_, false) => terms.push(Term::Phrase(words)),
        }
    }
    if terms.is_empty() {
        return Err(SyntaxError("the search is empty".to_owned()));
    }
    if terms.len() > MAX_TERMS {
        return Err(SyntaxError(format!(
            "a search has at most {MAX_TERMS} terms"
        )));
    }
    Ok(terms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_phrases_and_prefixes() {
        assert_eq!(
            parse(r#"forced "Compulsory Labour" labo* non-derogation"#).unwrap(),
            vec![
                Term::Word("forced".into()),
                Term::Phrase(vec!["compulsory".into(), "labour".into()]),
                Term::Prefix("labo".into()),
                Term::Phrase(vec!["non".into(), "derogation".into()]),
            ]
        );
        assert_eq!(parse("trabajo forzoso").unwrap().len(), 2);
        assert_eq!(
            parse(r#""labour""#).unwrap(),
            vec![Term::Word("labour".into())]
        );
    }

    #[test]
    fn malformed_queries_are_syntax_errors() {
        for bad in [
            "",
            "   ",
            r#""open phrase"#,
            r#""""#,
            "labour OR (forced)",
            "a:b",
            "*",
            "l*",
            "lab*our",
            "x\0y",
            r#"mid"quote"#,
            &"w ".repeat(13),
            &"x".repeat(201),
        ] {
            assert!(parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn operators_of_other_engines_are_refused_not_searched_as_words() {
        for (query, named) in [
            ("labour OR forced", "'OR' is an operator"),
            ("labour AND forced", "'AND' is an operator"),
            ("NOT forced", "'NOT' is an operator"),
            ("labour NEAR forced", "'NEAR' is an operator"),
            ("labour -forced", "'-' cannot exclude"),
            ("-forced", "'-' cannot exclude"),
        ] {
            let error = parse(query).unwrap_err().0;
            assert!(error.starts_with(named), "{query:?}: {error}");
            assert!(error.contains(SYNTAX), "{query:?}: {error}");
        }
        // In lower case or inside a phrase they are words.
        assert_eq!(parse("forced or compulsory").unwrap().len(), 3);
        assert_eq!(
            parse(r#""forced OR compulsory""#).unwrap(),
            vec![Term::Phrase(vec![
                "forced".into(),
                "or".into(),
                "compulsory".into()
            ])]
        );
        assert_eq!(
            parse("non-derogation").unwrap(),
            vec![Term::Phrase(vec!["non".into(), "derogation".into()])]
        );
    }

    #[test]
    fn a_lone_apostrophe_is_reported_as_having_no_word() {
        for query in ["'", "labour '", "’", "'’"] {
            let error = parse(query).unwrap_err().0;
            assert!(
                error.contains("has no letter or digit"),
                "{query:?}: {error}"
            );
            assert!(!error.contains("'*' must end"), "{query:?}: {error}");
        }
    }
}
