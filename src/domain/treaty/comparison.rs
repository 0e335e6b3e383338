//! A topic compared across treaties: why a treaty has no provision on it.

use super::{TreatyView, side_agreements};

/// Why `treaty` has no provision on `topic` (`label`: the topic as a sentence names it): the topic
/// sits in one of its side agreements among `all`, or its text is not loaded, or nothing in it is
/// tagged so.
pub fn no_provision_reason(
    treaty: &TreatyView,
    topic: &str,
    label: &str,
    all: &[TreatyView],
) -> String {
    let official = |t: &TreatyView| {
        t.official_text_url
            .map(|u| format!("; official text: {u}"))
            .unwrap_or_default()
    };
    let side = side_agreements(treaty.id, all).find(|s| s.is_about(topic));
    match (side, treaty.text_available) {
        (Some(side), _) => format!(
            "{}'s {label} commitments sit in its side agreement, the {} ({}), whose text is {}{}",
            treaty.short_name(),
            side.name,
            side.id,
            if side.text_available {
                "loaded"
            } else {
                "not loaded"
            },
            official(side)
        ),
        (None, false) => format!(
            "the text of the {} is not loaded{}{}",
            treaty.name,
            if treaty.is_about(topic) {
                format!(", though the agreement is about {label}")
            } else {
                String::new()
            },
            official(treaty)
        ),
        (None, true) => format!("no article of the {} is tagged {label}", treaty.name),
    }
}

/// The warning of a compared treaty without provisions: its id and the reason.
pub fn reason_warning(treaty_id: &str, reason: &str) -> String {
    format!("{treaty_id}: {reason}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::treaty::record::tests::nafta_naalc_tpp;

    #[test]
    fn a_topic_in_a_side_agreement_is_explained_there() {
        let all = nafta_naalc_tpp();
        assert_eq!(
            no_provision_reason(&all[0], "labour", "labour", &all),
            "NAFTA's labour commitments sit in its side agreement, the North American Agreement on Labor Cooperation (naalc), whose text is not loaded; official text: http://www.sice.oas.org/Trade/NAFTA/Labor-c1.asp"
        );
        assert_eq!(
            no_provision_reason(&all[0], "environment", "environment", &all),
            "no article of the North American Free Trade Agreement is tagged environment"
        );
    }

    #[test]
    fn a_treaty_without_text_says_so_and_what_it_is_about() {
        let all = nafta_naalc_tpp();
        assert_eq!(
            no_provision_reason(&all[1], "labour", "labour", &all),
            "the text of the North American Agreement on Labor Cooperation is not loaded, though the agreement is about labour; official text: http://www.sice.oas.org/Trade/NAFTA/Labor-c1.asp"
        );
        let unlinked = TreatyView {
            official_text_url: None,
            ..all[1]
        };
        assert_eq!(
            no_provision_reason(&unlinked, "environment", "environment", &all),
            "the text of the North American Agreement on Labor Cooperation is not loaded"
        );
        assert_eq!(reason_warning("tpp", "why"), "tpp: why");
    }
}
