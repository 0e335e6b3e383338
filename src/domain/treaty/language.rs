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
        loaded: Vec<Lang>,
    },
}

/// The language to read a treaty in, leniently: the one asked for if loaded, else English, else
/// the first loaded; none when no text is loaded. A comparison reads this way, keeping a treaty
/// it cannot read with the reason instead of failing.
pub fn reading_language(loaded: &[Lang], asked: Option<Lang>) -> Option<Lang> {
    let is_loaded = |lang: &Lang| loaded.contains(lang);
    asked
        .filter(is_loaded)
        .or(Some(Lang::En).filter(is_loaded))
        .or(loaded.first().copied())
}

/// The language to read a treaty in, strictly: as `reading_language`, but a treaty without text,
/// or without the language asked for, is refused, as a request for its text cannot be answered.
pub fn text_language(
    treaty: &TreatyView,
    loaded: &[Lang],
    asked: Option<Lang>,
) -> Result<Lang, TextError> {
    match (asked, reading_language(loaded, asked)) {
        (_, None) => Err(TextError::NotLoaded {
            name: treaty.name.to_owned(),
            id: treaty.id.to_owned(),
        }),
        (Some(lang), Some(read)) if read != lang => Err(TextError::NotInLanguage {
            name: treaty.name.to_owned(),
            lang,
            loaded: loaded.to_vec(),
        }),
        (_, Some(read)) => Ok(read),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_prefers_the_asked_then_english_then_the_first() {
        let both = [Lang::Es, Lang::En];
        assert_eq!(reading_language(&both, Some(Lang::Es)), Some(Lang::Es));
        assert_eq!(reading_language(&both, None), Some(Lang::En));
        let spanish = [Lang::Es];
        assert_eq!(reading_language(&spanish, Some(Lang::En)), Some(Lang::Es));
        assert_eq!(reading_language(&spanish, None), Some(Lang::Es));
        assert_eq!(reading_language(&[], Some(Lang::En)), None);
    }

    #[test]
    fn a_text_is_refused_when_not_loaded_or_not_in_the_language_asked() {
        let tpp = TreatyView {
            id: "tpp",
            name: "Trans-Pacific Partnership Agreement",
            ..TreatyView::default()
        };
        let english = vec![Lang::En];
        assert_eq!(text_language(&tpp, &english, None), Ok(Lang::En));
        assert_eq!(text_language(&tpp, &english, Some(Lang::En)), Ok(Lang::En));
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
