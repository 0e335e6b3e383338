//! Which of its loaded languages a treaty text is read in.

use super::{Lang, TreatyView};

/// Why a treaty cannot be read in a language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("The text of {name} ({id}) is not loaded; the record is at /v1/treaties/{id}.")]
    NotLoaded { name: String, id: String },
    #[error("The text of {name} is not loaded in '{lang}'.")]
    NotInLanguage {
        name: String,
        lang: Lang,
        /// The languages it is loaded in.
        loaded: Vec<String>,
    },
}

/// The language to read a treaty in, leniently: the one asked for if loaded, else English, else
/// the first loaded; none when no text is loaded. A comparison reads this way, keeping a treaty
/// it cannot read with the reason instead of failing.
pub fn reading_language(loaded: &[String], asked: Option<Lang>) -> Option<&str> {
    let loaded_as = |lang: &str| loaded.iter().find(|l| *l == lang);
    asked
        .and_then(|lang| loaded_as(lang.as_str()))
        .or_else(|| loaded_as(Lang::En.as_str()))
        .or(loaded.first())
        .map(String::as_str)
}

/// The language to read a treaty in, strictly: as `reading_language`, but a treaty without text,
/// or without the language asked for, is refused, as a request for its text cannot be answered.
pub fn text_language(
    treaty: &TreatyView,
    loaded: &[String],
    asked: Option<Lang>,
) -> Result<String, TextError> {
    match (asked, reading_language(loaded, asked)) {
        (_, None) => Err(TextError::NotLoaded {
            name: treaty.name.to_owned(),
            id: treaty.id.to_owned(),
        }),
        (Some(lang), Some(read)) if read != lang.as_str() => Err(TextError::NotInLanguage {
            name: treaty.name.to_owned(),
            lang,
            loaded: loaded.to_vec(),
        }),
        (_, Some(read)) => Ok(read.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn langs(list: &[&str]) -> Vec<String> {
        list.iter().map(|l| (*l).to_owned()).collect()
    }

    #[test]
    fn reading_prefers_the_asked_then_english_then_the_first() {
        let both = langs(&["es", "en"]);
        assert_eq!(reading_language(&both, Some(Lang::Es)), Some("es"));
        assert_eq!(reading_language(&both, None), Some("en"));
        let spanish = langs(&["es"]);
        assert_eq!(reading_language(&spanish, Some(Lang::En)), Some("es"));
        assert_eq!(reading_language(&spanish, None), Some("es"));
        assert_eq!(reading_language(&[], Some(Lang::En)), None);
    }

    #[test]
    fn a_text_is_refused_when_not_loaded_or_not_in_the_language_asked() {
        let tpp = TreatyView {
            id: "tpp",
            name: "Trans-Pacific Partnership Agreement",
            ..TreatyView::default()
        };
        let english = langs(&["en"]);
        assert_eq!(text_language(&tpp, &english, None), Ok("en".to_owned()));
        assert_eq!(
            text_language(&tpp, &english, Some(Lang::En)),
            Ok("en".to_owned())
        );
        let not_spanish = text_language(&tpp, &english, Some(Lang::Es)).expect_err("no Spanish");
        assert_eq!(
            not_spanish.to_string(),
            "The text of Trans-Pacific Partnership Agreement is not loaded in 'es'."
        );
        assert!(
            matches!(not_spanish, TextError::NotInLanguage { loaded, .. } if loaded == english)
        );
        let none = text_language(&tpp, &[], None).expect_err("no text");
        assert_eq!(
            none.to_string(),
            "The text of Trans-Pacific Partnership Agreement (tpp) is not loaded; the record is at /v1/treaties/tpp."
        );
    }
}
