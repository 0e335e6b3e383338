//! The rules of a treaty record: which treaties a list keeps, its side agreements, and the
//! warning a record whose text is not loaded carries.

use super::stored_topics;
use crate::domain::country::shorten_for_display;

/// What the rules read of a treaty record. Lists are as stored, `;`-separated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TreatyView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub other_names: Option<&'a str>,
    pub side_agreement_of: Option<&'a str>,
    pub subject_topics: Option<&'a str>,
    pub text_available: bool,
    pub official_text_url: Option<&'a str>,
}

impl TreatyView<'_> {
    /// The name a sentence calls it by: its first other name (`NAFTA`), else its name.
    pub fn short_name(&self) -> String {
        stored_list(self.other_names)
            .into_iter()
            .next()
            .unwrap_or_else(|| self.name.to_owned())
    }

    /// Whether the agreement is on `topic` as its subject (NAALC: labour).
    pub fn is_about(&self, topic: &str) -> bool {
        stored_list(self.subject_topics).iter().any(|t| t == topic)
    }
}

/// A `;`-separated list as stored, back to a list; none is empty.
pub fn stored_list(stored: Option<&str>) -> Vec<String> {
    stored.map(stored_topics).unwrap_or_default()
}

/// The side agreements of the treaty `id` among `all`, in their order.
pub fn side_agreements<'v, 'a>(
    id: &'v str,
    all: &'v [TreatyView<'a>],
) -> impl Iterator<Item = &'v TreatyView<'a>> {
    all.iter().filter(move |t| t.side_agreement_of == Some(id))
}

/// The warning of a record whose text is not loaded, pointing to the official text where known.
pub fn text_warning(treaty: &TreatyView) -> Option<String> {
    (!treaty.text_available).then(|| {
        format!(
            "the text of {} is not loaded{}",
            treaty.name,
            treaty
                .official_text_url
                .map(|u| format!("; the official text is at {u}"))
                .unwrap_or_default()
        )
    })
}

/// A `party` that is not an ISO alpha-3 code (as upper-cased).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{}' is not an ISO alpha-3 code.", shorten_for_display(.0))]
pub struct NotAlpha3(pub String);

/// Which treaties a list keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TreatyFilter {
    /// Only those this country (ISO alpha-3, upper case) is an original party to.
    pub party: Option<String>,
    /// Only those whose text is loaded, or is not.
    pub text_available: Option<bool>,
}

impl TreatyFilter {
    /// The filter of a `party` in any case and a `text_available` flag.
    pub fn new(party: Option<&str>, text_available: Option<bool>) -> Result<Self, NotAlpha3> {
        let party = party.map(str::to_ascii_uppercase);
        if let Some(party) = party
            .as_deref()
            .filter(|p| p.len() != 3 || !p.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(NotAlpha3(party.to_owned()));
        }
        Ok(Self {
            party,
            text_available,
        })
    }

    /// Whether a treaty with these original `parties` and text availability is kept.
    pub fn admits(&self, parties: &[String], text_available: bool) -> bool {
        self.party
            .as_deref()
            .is_none_or(|p| parties.iter().any(|x| x == p))
            && self.text_available.is_none_or(|t| t == text_available)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// NAFTA, its labour side agreement NAALC (text not loaded) and TPP, as the bundled records
    /// have them.
    pub fn nafta_naalc_tpp() -> [TreatyView<'static>; 3] {
        let nafta = TreatyView {
            id: "nafta",
            name: "North American Free Trade Agreement",
            other_names: Some("NAFTA;TLCAN"),
            text_available: true,
            ..TreatyView::default()
        };
        let naalc = TreatyView {
            id: "naalc",
            name: "North American Agreement on Labor Cooperation",
            side_agreement_of: Some("nafta"),
            subject_topics: Some(";labour;"),
            official_text_url: Some("http://www.sice.oas.org/Trade/NAFTA/Labor-c1.asp"),
            ..TreatyView::default()
        };
        let tpp = TreatyView {
            id: "tpp",
            name: "Trans-Pacific Partnership Agreement",
            text_available: true,
            ..TreatyView::default()
        };
        [nafta, naalc, tpp]
    }

    #[test]
    fn short_names_and_subjects_come_from_the_stored_lists() {
        let [nafta, naalc, tpp] = nafta_naalc_tpp();
        assert_eq!(nafta.short_name(), "NAFTA");
        assert_eq!(tpp.short_name(), "Trans-Pacific Partnership Agreement");
        assert!(naalc.is_about("labour"));
        assert!(!naalc.is_about("environment"));
        assert!(!nafta.is_about("labour"));
        assert_eq!(stored_list(Some("a;;b")), ["a", "b"]);
        assert!(stored_list(None).is_empty());
    }

    #[test]
    fn side_agreements_are_those_that_name_the_treaty() {
        let all = nafta_naalc_tpp();
        let ids: Vec<&str> = side_agreements("nafta", &all).map(|t| t.id).collect();
        assert_eq!(ids, ["naalc"]);
        assert_eq!(side_agreements("tpp", &all).count(), 0);
    }

    #[test]
    fn a_record_without_text_warns_and_points_to_the_official_text() {
        let [nafta, naalc, _] = nafta_naalc_tpp();
        assert_eq!(text_warning(&nafta), None);
        assert_eq!(
            text_warning(&naalc).as_deref(),
            Some(
                "the text of North American Agreement on Labor Cooperation is not loaded; the official text is at http://www.sice.oas.org/Trade/NAFTA/Labor-c1.asp"
            )
        );
        let no_url = TreatyView {
            official_text_url: None,
            ..naalc
        };
        assert_eq!(
            text_warning(&no_url).as_deref(),
            Some("the text of North American Agreement on Labor Cooperation is not loaded")
        );
    }

    #[test]
    fn the_party_filter_takes_alpha3_in_any_case() {
        let filter = TreatyFilter::new(Some("mex"), Some(true)).expect("alpha-3");
        assert_eq!(filter.party.as_deref(), Some("MEX"));
        let parties = ["CAN".to_owned(), "MEX".to_owned()];
        assert!(filter.admits(&parties, true));
        assert!(!filter.admits(&parties, false));
        assert!(!filter.admits(&parties[..1], true));
        assert!(TreatyFilter::default().admits(&[], false));
        let error = TreatyFilter::new(Some("mexx"), None).expect_err("four letters");
        assert_eq!(error.to_string(), "'MEXX' is not an ISO alpha-3 code.");
        assert!(TreatyFilter::new(Some("m1x"), None).is_err());
    }
}
