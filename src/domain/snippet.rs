//! Highlighted snippets of search results, made here rather than by the database so that they are
//! the same on SQLite and Postgres and cost only the top results: the words of a text that match a
//! query term (by Snowball stem in the text's language, as the search engines match them, or
//! exactly), in the window of text with the most matches.

use rust_stemmers::{Algorithm, Stemmer};

use super::search::Term;

/// Words a snippet shows.
const WINDOW_WORDS: usize = 32;
const MARK_START: &str = "<mark>";
const MARK_END: &str = "</mark>";
const ELLIPSIS: &str = "…";

/// What a text word is compared with.
enum Matcher {
    /// A query word: the same stem, or the same word.
    Word { word: String, stem: String },
    /// A query prefix: any word that begins with it.
    Prefix(String),
}

/// The first two letters of a word, lowercase and without accents. Stemmers only change the ends
/// of words (and, in Spanish, drop accents), so two words whose heads differ never share a stem:
/// comparing heads first spares stemming nearly every word of a text, which is most of the cost.
type Head = [char; 2];

fn head(word: &str) -> Head {
    let mut head = ['\0'; 2];
    for (slot, c) in head.iter_mut().zip(word.chars()) {
        // ASCII first: most words of the texts are, and Unicode's case tables cost far more.
        if c.is_ascii() {
            *slot = c.to_ascii_lowercase();
            continue;
        }
        *slot = match c.to_lowercase().next().unwrap_or(c) {
            'á' | 'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            lower => lower,
        };
    }
    head
}

struct Matchers {
    stemmer: Stemmer,
    /// One list per query term, so that a window can count how many terms it shows.
    terms: Vec<Vec<Matcher>>,
    /// The heads of every query word and prefix.
    heads: Vec<Head>,
}

impl Matchers {
    fn new(terms: &[Term], lang: &str) -> Self {
        let stemmer = Stemmer::create(match lang {
            "es" => Algorithm::Spanish,
            _ => Algorithm::English,
        });
        let word = |word: &String| Matcher::Word {
            stem: stemmer.stem(word).into_owned(),
            word: word.clone(),
        };
        let terms: Vec<Vec<Matcher>> = terms
            .iter()
            .map(|term| match term {
                Term::Word(w) => vec![word(w)],
                Term::Phrase(words) => words.iter().map(word).collect(),
                Term::Prefix(stem) => vec![Matcher::Prefix(stem.clone())],
            })
            .collect();
        let heads = terms
            .iter()
            .flatten()
            .map(|matcher| match matcher {
                Matcher::Word { word, .. } | Matcher::Prefix(word) => head(word),
            })
            .collect();
        Self {
            stemmer,
            terms,
            heads,
        }
    }

    /// The index of the query term `word` matches, if any.
    fn term_of(&self, word: &str) -> Option<usize> {
        if !self.heads.contains(&head(word)) {
            return None;
        }
        let lower = word.to_lowercase();
        let stem = self.stemmer.stem(&lower);
        self.terms.iter().position(|matchers| {
            matchers.iter().any(|matcher| match matcher {
                Matcher::Word {
                    word,
                    stem: term_stem,
                } => *word == lower || *term_stem == stem,
                Matcher::Prefix(prefix) => lower.starts_with(prefix.as_str()),
            })
        })
    }
}

/// A word of the text: its byte range and the query term it matches.
struct Word {
    start: usize,
    end: usize,
    term: Option<usize>,
}

fn words(text: &str, matchers: &Matchers) -> Vec<Word> {
    // About six bytes a word in these texts: one allocation for most.
    let mut words = Vec::with_capacity(text.len() / 6);
    let mut start = None;
    for (index, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        // ASCII first, as in `head`: the same answer as `is_alphanumeric` for ASCII, cheaper.
        let in_word = if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else {
            c.is_alphanumeric()
        };
        match (start, in_word) {
            (None, true) => start = Some(index),
            (Some(from), false) => {
                words.push(Word {
                    start: from,
                    end: index,
                    term: matchers.term_of(&text[from..index]),
                });
                start = None;
            }
            _ => {}
        }
    }
    words
}

/// The first window of `WINDOW_WORDS` words with the most distinct terms, then the most matches.
fn best_window(words: &[Word], term_count: usize) -> std::ops::Range<usize> {
    let width = WINDOW_WORDS.min(words.len());
    let mut best = (0, 0, 0);
    let mut counts = vec![0usize; term_count];
    let mut distinct = 0;
    let mut matches = 0;
    for (index, word) in words.iter().enumerate() {
        if let Some(term) = word.term {
            if counts[term] == 0 {
                distinct += 1;
            }
            counts[term] += 1;
            matches += 1;
        }
        if index >= width
            && let Some(term) = words[index - width].term
        {
            counts[term] -= 1;
            if counts[term] == 0 {
                distinct -= 1;
            }
            matches -= 1;
        }
        let start = (index + 1).saturating_sub(width);
        if index + 1 >= width && (distinct, matches) > (best.0, best.1) {
            best = (distinct, matches, start);
        }
    }
    best.2..best.2 + width
}

/// `text` with `&`, `<` and `>` escaped, so that a snippet is safe to show as HTML.
fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if c.is_whitespace() => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            c => out.push(c),
        }
    }
}

fn render(text: &str, words: &[Word], window: std::ops::Range<usize>) -> String {
    let mut out = String::new();
    let shown = &words[window.clone()];
    if window.start > 0 {
        out.push_str(ELLIPSIS);
        out.push(' ');
    } else if let Some(first) = shown.first() {
        push_escaped(&mut out, text[..first.start].trim_start());
    }
    for (index, word) in shown.iter().enumerate() {
        if index > 0 {
            push_escaped(&mut out, &text[shown[index - 1].end..word.start]);
        }
        if word.term.is_some() {
            out.push_str(MARK_START);
            push_escaped(&mut out, &text[word.start..word.end]);
            out.push_str(MARK_END);
        } else {
            push_escaped(&mut out, &text[word.start..word.end]);
        }
    }
    if window.end < words.len() {
        // Keep the punctuation that closes the last word shown ("labour," stays "labour,").
        if let Some(last) = shown.last() {
            let next_start = words[window.end].start;
            let closing: String = text[last.end..next_start]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .collect();
            push_escaped(&mut out, &closing);
        }
        out.push(' ');
        out.push_str(ELLIPSIS);
    } else if let Some(last) = shown.last() {
        push_escaped(&mut out, text[last.end..].trim_end());
    }
    out
}

/// A snippet of a provision for a query: the part of its text with the most matching words, which
/// are wrapped in `<mark>`; the heading when only the heading matches; the text's beginning when
/// nothing can be highlighted (the engine matched a form the stemmer here does not).
pub fn snippet(heading: Option<&str>, text: &str, terms: &[Term], lang: &str) -> String {
    let matchers = Matchers::new(terms, lang);
    let text_words = words(text, &matchers);
    if !text_words.iter().any(|w| w.term.is_some())
        && let Some(heading) = heading
    {
        let heading_words = words(heading, &matchers);
        if heading_words.iter().any(|w| w.term.is_some()) {
            let window = 0..heading_words.len();
            return render(heading, &heading_words, window);
        }
    }
    if text_words.is_empty() {
        return String::new();
    }
    let window = best_window(&text_words, matchers.terms.len());
    render(text, &text_words, window)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::search::parse;

    fn snip(text: &str, query: &str) -> String {
        snippet(None, text, &parse(query).expect("query"), "en")
    }

    #[test]
    fn inflected_forms_are_marked_as_the_engines_match_them() {
        assert_eq!(
            snip("Parties shall discourage forced labour.", "force labours"),
            "Parties shall discourage <mark>forced</mark> <mark>labour</mark>."
        );
        assert_eq!(
            snip("Investors and investments of each Party", "investment"),
            "Investors and <mark>investments</mark> of each Party"
        );
    }

    #[test]
    fn prefixes_and_phrases_mark_every_word_they_match() {
        assert_eq!(
            snip("labour rights and laborious work", "labo*"),
            "<mark>labour</mark> rights and <mark>laborious</mark> work"
        );
        assert_eq!(
            snip("the minimum wages of workers", "\"minimum wage\""),
            "the <mark>minimum</mark> <mark>wages</mark> of workers"
        );
    }

    #[test]
    fn a_long_text_shows_the_window_with_the_most_terms() {
        let filler = "word ".repeat(60);
        let text = format!("{filler}forced here {filler}forced labour there {filler}end");
        let shown = snip(&text, "forced labour");
        assert!(shown.starts_with("… ") && shown.ends_with(" …"), "{shown}");
        assert!(
            shown.contains("<mark>forced</mark> <mark>labour</mark>"),
            "{shown}"
        );
        assert_eq!(shown.matches(MARK_START).count(), 2, "{shown}");
        let words = shown.split_whitespace().filter(|w| *w != ELLIPSIS).count();
        assert_eq!(words, WINDOW_WORDS);
    }

    #[test]
    fn punctuation_around_the_shown_words_is_kept() {
        assert_eq!(
            snip("(a) forced labour;", "forced"),
            "(a) <mark>forced</mark> labour;"
        );
    }

    #[test]
    fn text_is_escaped_and_whitespace_collapsed() {
        assert_eq!(
            snip("wages <b>&</b>\n\n  labour", "labour"),
            "wages &lt;b&gt;&amp;&lt;/b&gt; <mark>labour</mark>"
        );
    }

    #[test]
    fn spanish_texts_are_stemmed_in_spanish() {
        let terms = parse("trabajadores").expect("query");
        assert_eq!(
            snippet(None, "los derechos del trabajador", &terms, "es"),
            "los derechos del <mark>trabajador</mark>"
        );
        let terms = parse("organización").expect("query");
        assert_eq!(
            snippet(None, "Organizaciones de trabajadores", &terms, "es"),
            "<mark>Organizaciones</mark> de trabajadores"
        );
    }

    #[test]
    fn a_match_in_the_heading_alone_shows_the_heading() {
        let terms = parse("forced").expect("query");
        assert_eq!(
            snippet(Some("Forced Labour"), "Each Party shall act.", &terms, "en"),
            "<mark>Forced</mark> Labour"
        );
        assert_eq!(
            snippet(Some("Other"), "Each Party shall act.", &terms, "en"),
            "Each Party shall act."
        );
    }
}
