//! How a request names an article or a chapter of a treaty.

use crate::domain::country::shorten_for_display;

/// An article path that names another treaty's article (`nafta:1901` under `tpp`): the treaty of
/// the path has no such article, which is found at `/v1/treaties/{treaty}/provisions/{article}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{}' is an article of '{}', not of '{path_treaty}'.",
    shorten_for_display(&format!("{treaty}:{article}")),
    shorten_for_display(.treaty)
)]
pub struct OtherTreaty {
    /// The treaty the stable id names.
    pub treaty: String,
    /// The article number in the stable id.
    pub article: String,
    /// The treaty of the path.
    pub path_treaty: String,
}

/// The article number in `named`, which is the number (`19.3`) or the stable id (`tpp:19.3`) of
/// an article of `treaty`.
pub fn article_of<'n>(treaty: &str, named: &'n str) -> Result<&'n str, OtherTreaty> {
    match named.split_once(':') {
        Some((of, article)) if of == treaty => Ok(article),
        Some((of, article)) => Err(OtherTreaty {
            treaty: of.to_owned(),
            article: article.to_owned(),
            path_treaty: treaty.to_owned(),
        }),
        None => Ok(named),
    }
}

/// Whether `value` has the shape of a chapter or article number as treaties write them (`19.3`,
/// `1901`, `preamble`): ASCII letters, digits, `.`, `-` and `_`, at most 40 bytes.
pub fn is_number_token(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 40
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_article_is_named_by_number_or_by_stable_id() {
        assert_eq!(article_of("tpp", "19.3"), Ok("19.3"));
        assert_eq!(article_of("tpp", "tpp:19.3"), Ok("19.3"));
        let other = article_of("tpp", "nafta:1901").expect_err("another treaty");
        assert_eq!(
            (other.treaty.as_str(), other.article.as_str()),
            ("nafta", "1901")
        );
        assert_eq!(
            other.to_string(),
            "'nafta:1901' is an article of 'nafta', not of 'tpp'."
        );
    }

    #[test]
    fn numbers_are_short_ascii_tokens() {
        for good in ["19.3", "1901", "preamble", "annex_19-a"] {
            assert!(is_number_token(good), "{good}");
        }
        for bad in ["", "19 3", "19/3", "tpp:19.3", "ü"] {
            assert!(!is_number_token(bad), "{bad}");
        }
        assert!(!is_number_token(&"1".repeat(41)));
    }
}
