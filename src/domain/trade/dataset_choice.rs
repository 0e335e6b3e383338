//! Which dataset an answer taken from one dataset reads when the user names none. Datasets
//! overlap and differ (a country's own statistics, Comtrade's harmonised figures, research
//! files), so a balance or a ranking never mixes them.

use std::collections::{BTreeMap, BTreeSet};

use super::ReportedFlow;
use crate::domain::period::Period;

/// Whether a flow of `dataset_id` with `source_id` belongs to the `chosen` dataset: users may
/// name a dataset or one of its sources. Nothing belongs to no choice.
pub fn holds(chosen: Option<&str>, dataset_id: &str, source_id: &str) -> bool {
    chosen.is_some_and(|c| dataset_id == c || source_id == c)
}

/// The dataset a balance uses unless told: one that says who reported its figures and holds the
/// country's own reports for the pair (its official statistics, such as Census for the United
/// States); else the dataset with the most periods for the pair (ties to the first id).
pub fn default_dataset<'a>(
    flows: &[ReportedFlow<'a>],
    country: &str,
    unknown_reporting: &BTreeSet<&str>,
) -> Option<&'a str> {
    let mut periods: BTreeMap<&'a str, BTreeSet<Period>> = BTreeMap::new();
    let mut own_statistics: BTreeSet<&str> = BTreeSet::new();
    for flow in flows {
        periods
            .entry(flow.dataset_id)
            .or_default()
            .insert(flow.figure.period);
        if flow.reporter == country && !unknown_reporting.contains(flow.dataset_id) {
            own_statistics.insert(flow.dataset_id);
        }
    }
    best(
        periods
            .into_iter()
            .map(|(dataset, periods)| (dataset, (own_statistics.contains(dataset), periods.len()))),
    )
}

/// The dataset of the most flows (ties to the first id): for a ranking, the one with the most
/// partners for the country and year.
pub fn most_flows<'a>(datasets: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut flows: BTreeMap<&'a str, usize> = BTreeMap::new();
    for dataset in datasets {
        *flows.entry(dataset).or_default() += 1;
    }
    best(flows)
}

/// The dataset of the highest score; among equals, the first by id.
fn best<'a, S: Ord>(scores: impl IntoIterator<Item = (&'a str, S)>) -> Option<&'a str> {
    scores
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(dataset, _)| dataset)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::trade::FlowDirection::{Export, Import};
    use crate::domain::trade::tests::flow;

    #[test]
    fn a_choice_holds_its_dataset_and_its_sources() {
        assert!(holds(Some("census"), "census", "census_ft900"));
        assert!(holds(Some("census_ft900"), "census", "census_ft900"));
        assert!(!holds(Some("comtrade"), "census", "census_ft900"));
        assert!(!holds(None, "census", "census_ft900"));
    }

    #[test]
    fn the_default_prefers_the_countrys_own_statistics_over_more_periods() {
        let flows = [
            flow("census", ("USA", "MEX"), Export, Period::Year(2016), 1.0),
            flow("comtrade", ("MEX", "USA"), Import, Period::Year(2015), 1.0),
            flow("comtrade", ("MEX", "USA"), Import, Period::Year(2016), 1.0),
        ];
        let none = BTreeSet::new();
        assert_eq!(default_dataset(&flows, "USA", &none), Some("census"));
        // From the partner's side, neither dataset holds its own reports but one has more periods.
        assert_eq!(default_dataset(&flows, "MEX", &none), Some("comtrade"));
    }

    #[test]
    fn own_reports_of_a_dataset_of_unknown_reporting_do_not_count_as_own_statistics() {
        let flows = [
            flow("agtpa", ("USA", "MEX"), Export, Period::Year(2016), 1.0),
            flow("comtrade", ("MEX", "USA"), Import, Period::Year(2015), 1.0),
            flow("comtrade", ("MEX", "USA"), Import, Period::Year(2016), 1.0),
        ];
        let unknown = BTreeSet::from(["agtpa"]);
        assert_eq!(default_dataset(&flows, "USA", &unknown), Some("comtrade"));
    }

    #[test]
    fn the_default_breaks_ties_by_most_periods_then_first_id() {
        let flows = [
            flow("b", ("MEX", "USA"), Export, Period::Year(2015), 1.0),
            flow("b", ("MEX", "USA"), Import, Period::Year(2015), 1.0),
            flow("a", ("MEX", "USA"), Export, Period::Year(2015), 1.0),
            flow("c", ("MEX", "USA"), Export, Period::Year(2015), 1.0),
            flow("c", ("MEX", "USA"), Export, Period::Year(2016), 1.0),
        ];
        let none = BTreeSet::new();
        assert_eq!(default_dataset(&flows, "USA", &none), Some("c"));
        assert_eq!(default_dataset(&flows[..4], "USA", &none), Some("a"));
        assert_eq!(default_dataset(&[], "USA", &none), None);
    }

    #[test]
    fn the_dataset_of_most_flows_wins_and_ties_go_to_the_first_id() {
        assert_eq!(most_flows(["b", "a", "b"]), Some("b"));
        assert_eq!(most_flows(["b", "a"]), Some("a"));
        assert_eq!(most_flows([]), None);
    }

    proptest! {
        #[test]
        fn the_dataset_of_most_flows_has_the_most_flows_in_any_order(
            datasets in proptest::collection::vec(prop_oneof!["a", "b", "c", "d"], 1..40),
        ) {
            let ids: Vec<&str> = datasets.iter().map(String::as_str).collect();
            let chosen = most_flows(ids.iter().copied());
            prop_assert_eq!(chosen, most_flows(ids.iter().rev().copied()));
            let count = |d: &str| ids.iter().filter(|id| **id == d).count();
            let chosen = chosen.expect("a dataset");
            for id in &ids {
                prop_assert!(count(chosen) > count(id) || (count(chosen) == count(id) && chosen <= *id));
            }
        }
    }
}
