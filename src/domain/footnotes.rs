//! Footnotes that a text's extraction put in the wrong article. The ToTA texts keep each
//! footnote as a line `N text` wherever the page break fell, so a footnote can land at the end of
//! a later article than the one whose text carries its marker (TPP footnote 5 belongs to
//! Article 19.3.2, "…occupational safety and health.5", but sits at the end of Article 19.5).
//! A search for its words would then rank the wrong article first.

/// A footnote line: its number and the whole line.
fn footnote_number(line: &str) -> Option<u32> {
    let trimmed = line.trim_start();
    let digits: String = trimmed.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() || digits.len() > 3 {
        return None;
    }
    let rest = &trimmed[digits.len()..];
    // "5 For greater certainty…" is a footnote; "5. Each Party…" is a numbered paragraph.
    let text_follows =
        rest.starts_with(' ') && rest.trim().chars().next().is_some_and(char::is_alphabetic);
    text_follows.then(|| digits.parse().ok()).flatten()
}

/// Whether `body` carries the marker of footnote `number`: the number written right after a word
/// ("Declaration3", "health.5"), not inside a figure or an article number ("19.5").
fn has_marker(body: &str, number: u32) -> bool {
    let wanted = number.to_string();
    let chars: Vec<char> = body.chars().collect();
    let mut index = 0;
    while index < chars.len() {
        if !chars[index].is_ascii_digit() {
            index += 1;
            continue;
        }
        let start = index;
        while index < chars.len() && chars[index].is_ascii_digit() {
            index += 1;
        }
        let run: String = chars[start..index].iter().collect();
        if run != wanted {
            continue;
        }
        let before = start.checked_sub(1).map(|i| chars[i]);
        let before_that = start.checked_sub(2).map(|i| chars[i]);
        let after_word = |c: Option<char>| {
            c.is_some_and(|c| c.is_alphabetic() || matches!(c, ')' | '”' | '’' | '"'))
        };
        let marker = after_word(before)
            || (matches!(before, Some('.' | ',' | ';' | ':')) && after_word(before_that));
        if marker {
            return true;
        }
    }
    false
}

/// The body of an article without its footnote lines.
fn body(text: &str) -> String {
    text.lines()
        .filter(|line| footnote_number(line).is_none())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Moves each footnote line whose article does not carry its marker to the nearest earlier
/// article of the same sequence (a chapter) that does. Footnotes whose marker is nowhere earlier
/// stay where they are. Returns the number of footnotes moved.
pub fn reattach(texts: &mut [String]) -> usize {
    let mut moved = 0;
    for index in 1..texts.len() {
        let own_body = body(&texts[index]);
        let mut kept = Vec::new();
        let mut carried: Vec<(usize, String)> = Vec::new();
        for line in texts[index].lines() {
            let home = footnote_number(line)
                .filter(|n| !has_marker(&own_body, *n))
                .and_then(|n| (0..index).rev().find(|j| has_marker(&body(&texts[*j]), n)));
            match home {
                Some(home) => carried.push((home, line.to_owned())),
                None => kept.push(line),
            }
        }
        if carried.is_empty() {
            continue;
        }
        texts[index] = kept.join("\n").trim_end().to_owned();
        for (home, line) in carried {
            let text = &mut texts[home];
            text.push('\n');
            text.push_str(&line);
            moved += 1;
        }
    }
    moved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_footnote_moves_to_the_article_that_carries_its_marker() {
        let mut texts = vec![
            "1. rights as stated in the ILO Declaration3:\n3 The obligations refer only to the ILO Declaration.\n2. conditions of work and health.5".to_owned(),
            "1. No Party shall fail to enforce Article 19.5 and 19.3.\n5 For greater certainty, this obligation relates to acceptable conditions of work.".to_owned(),
        ];
        assert_eq!(reattach(&mut texts), 1);
        assert!(texts[0].ends_with(
            "5 For greater certainty, this obligation relates to acceptable conditions of work."
        ));
        assert!(!texts[1].contains("For greater certainty"));
        assert!(
            texts[0].contains("3 The obligations"),
            "a footnote at home stays"
        );
    }

    #[test]
    fn numbered_paragraphs_and_article_numbers_are_not_markers() {
        assert_eq!(footnote_number("5. Each Party shall"), None);
        assert_eq!(footnote_number("5 For greater certainty"), Some(5));
        assert!(!has_marker("as set out in Article 19.5", 5));
        assert!(has_marker("occupational safety and health.5", 5));
        assert!(has_marker("the ILO Declaration3, 4:", 3));
    }
}
