//! A country's trading partners in one dataset, ranked by the value of one flow, with shares.

use std::collections::BTreeMap;

use super::{FlowDirection, Notes, Party, ReportedFlow};
use crate::domain::period::Period;

/// Each partner's flow with `country` from `flows` (one dataset, one period, the country's flow
/// and its partners' opposite one): the country's own report where the dataset has it, else the
/// partner's mirror report. Domestic trade is not trade with a partner and is left out.
pub fn partner_flows<'a>(
    flows: &[ReportedFlow<'a>],
    country: &str,
) -> BTreeMap<&'a str, ReportedFlow<'a>> {
    let mut chosen: BTreeMap<&'a str, ReportedFlow<'a>> = BTreeMap::new();
    for flow in flows {
        let own = flow.reporter == country;
        let partner = if own { flow.partner } else { flow.reporter };
        if partner == country {
            continue;
        }
        let replace = chosen
            .get(partner)
            .is_none_or(|existing| own && existing.reporter != country);
        if replace {
            chosen.insert(partner, *flow);
        }
    }
    chosen
}

/// A partner's place in a ranking.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranked<'a> {
    /// From 1, the largest first.
    pub rank: usize,
    pub partner: &'a str,
    pub flow: ReportedFlow<'a>,
    /// The partner's share of the total over all partners, 0 to 1.
    pub share: f64,
}

/// The partners of a country, ranked.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking<'a> {
    /// How many partners there are, listed or not.
    pub partners: usize,
    /// The country's trade with all of them, USD.
    pub total_usd: f64,
    /// The `top` largest, by value and then by code.
    pub top: Vec<Ranked<'a>>,
}

/// The `top` partners of `country` in `flows` (see `partner_flows`), with their shares of the
/// total over all partners.
pub fn rank<'a>(flows: &[ReportedFlow<'a>], country: &str, top: usize) -> Ranking<'a> {
    let partners = partner_flows(flows, country);
    let total_usd: f64 = partners.values().map(|f| f.figure.value_usd).sum();
    let mut ordered: Vec<(&'a str, ReportedFlow<'a>)> = partners.into_iter().collect();
    let count = ordered.len();
    ordered.sort_by(|a, b| {
        b.1.figure
            .value_usd
            .total_cmp(&a.1.figure.value_usd)
            .then(a.0.cmp(b.0))
    });
    let top = ordered
        .into_iter()
        .take(top)
        .enumerate()
        .map(|(index, (partner, flow))| Ranked {
            rank: index + 1,
            partner,
            flow,
            share: if total_usd > 0.0 {
                flow.figure.value_usd / total_usd
            } else {
                0.0
            },
        })
        .collect();
    Ranking {
        partners: count,
        total_usd,
        top,
    }
}

/// What a ranking asked of `country` for `flow` in `year` from `dataset` says about itself: how
/// shares are made, how many of the `listed` values (their reporters, none where withheld) are
/// the partners' mirror figures, and that there are none to list.
pub fn ranking_notes<'r>(
    ranking: &Ranking<'_>,
    listed: impl IntoIterator<Item = Option<&'r str>>,
    country: Party<'_>,
    flow: FlowDirection,
    year: Period,
    dataset: Option<&str>,
) -> Notes {
    let mut notes = Notes::default();
    notes.transformations.push(format!(
        "{} partners of {} in {year} from dataset '{}'; share = value / total over all of them ({} USD)",
        ranking.partners,
        country.code,
        dataset.unwrap_or_default(),
        ranking.total_usd
    ));
    let mut count = 0;
    let mut mirrored = 0;
    for reporter in listed {
        count += 1;
        mirrored += usize::from(reporter.is_some_and(|reporter| reporter != country.code));
    }
    if mirrored > 0 {
        notes.warnings.push(format!(
            "{mirrored} of the listed values are mirror figures reported by the partner, not by {}",
            country.name
        ));
    }
    if count == 0 {
        notes.warnings.push(format!(
            "no dataset has annual {} trade of {} for {year}",
            flow.as_str(),
            country.name
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::trade::FlowDirection::{Export, Import};
    use crate::domain::trade::tests::{MEX, flow};

    const YEAR: Period = Period::Year(2016);

    #[test]
    fn own_reports_win_over_mirror_ones_and_domestic_trade_is_left_out() {
        let flows = [
            flow("d", ("USA", "MEX"), Export, YEAR, 9.0),
            flow("d", ("MEX", "USA"), Import, YEAR, 8.0),
            flow("d", ("CAN", "MEX"), Export, YEAR, 3.0),
            flow("d", ("MEX", "MEX"), Import, YEAR, 100.0),
        ];
        let partners = partner_flows(&flows, "MEX");
        assert_eq!(partners.keys().copied().collect::<Vec<_>>(), ["CAN", "USA"]);
        assert_eq!(partners["USA"].reporter, "MEX");
        assert_eq!(partners["CAN"].reporter, "CAN");
    }

    #[test]
    fn ranks_go_by_value_then_code_and_shares_are_of_all_partners() {
        let flows = [
            flow("d", ("MEX", "CAN"), Import, YEAR, 1.0),
            flow("d", ("MEX", "USA"), Import, YEAR, 2.0),
            flow("d", ("MEX", "CHN"), Import, YEAR, 1.0),
        ];
        let ranking = rank(&flows, "MEX", 2);
        assert_eq!((ranking.partners, ranking.total_usd), (3, 4.0));
        let listed: Vec<(usize, &str, f64)> = ranking
            .top
            .iter()
            .map(|r| (r.rank, r.partner, r.share))
            .collect();
        assert_eq!(listed, [(1, "USA", 0.5), (2, "CAN", 0.25)]);
    }

    #[test]
    fn without_trade_shares_are_zero() {
        let flows = [flow("d", ("MEX", "CAN"), Import, YEAR, 0.0)];
        assert_eq!(rank(&flows, "MEX", 10).top[0].share, 0.0);
    }

    #[test]
    fn notes_count_the_mirror_figures_listed_and_say_when_nothing_is() {
        let ranking = rank(&[flow("d", ("MEX", "USA"), Import, YEAR, 2.5)], "MEX", 10);
        let notes = ranking_notes(
            &ranking,
            [Some("MEX"), Some("USA"), None],
            MEX,
            Import,
            YEAR,
            Some("d"),
        );
        assert_eq!(
            notes.transformations,
            [
                "1 partners of MEX in 2016 from dataset 'd'; share = value / total over all of them (2.5 USD)"
            ]
        );
        assert_eq!(
            notes.warnings,
            ["1 of the listed values are mirror figures reported by the partner, not by Mexico"]
        );
        let empty = ranking_notes(&ranking, [], MEX, Import, YEAR, None);
        assert_eq!(
            empty.warnings,
            ["no dataset has annual import trade of Mexico for 2016"]
        );
    }

    proptest! {
        #[test]
        fn shares_of_all_partners_sum_to_one_and_ranks_follow_values(
            values in proptest::collection::vec(0.0f64..1e12, 1..30),
        ) {
            let codes: Vec<String> = (0..values.len()).map(|i| format!("P{i:02}")).collect();
            let flows: Vec<ReportedFlow> = codes
                .iter()
                .zip(&values)
                .map(|(code, value)| flow("d", ("MEX", code), Import, YEAR, *value))
                .collect();
            let ranking = rank(&flows, "MEX", values.len());
            prop_assert_eq!(ranking.top.len(), values.len());
            let total: f64 = ranking.top.iter().map(|r| r.share).sum();
            if ranking.total_usd > 0.0 {
                prop_assert!((total - 1.0).abs() < 1e-9);
            }
            for (place, pair) in ranking.top.windows(2).enumerate() {
                prop_assert_eq!(pair[0].rank, place + 1);
                prop_assert!(pair[0].flow.figure.value_usd >= pair[1].flow.figure.value_usd);
            }
        }
    }
}
