//! Mirror statistics: the same flow as both sides report it (a reporter's imports from a partner
//! next to the partner's exports to it), with the gap between them.

use std::collections::BTreeSet;

use super::{Covered, FlowDirection, Notes, Party, ReportedFlow, no_figures_warning};
use crate::domain::period::Period;

/// One period of a mirror comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MirrorRow<'a> {
    pub period: Period,
    /// The flow as the reporter reports it.
    pub reported: Option<ReportedFlow<'a>>,
    /// The same flow as the partner reports it (the opposite direction in its statistics).
    pub mirror: Option<ReportedFlow<'a>>,
    /// `reported` minus `mirror`, where both are known.
    pub gap_usd: Option<f64>,
    /// The gap as a percentage of `mirror`, where that is not zero.
    pub gap_pct: Option<f64>,
}

/// Each period of `flows` with what `reporter` reports of its `flow` with `partner`, what the
/// partner reports of the opposite flow, and the gap.
pub fn mirror<'a>(
    flows: &[ReportedFlow<'a>],
    unknown_reporting: &BTreeSet<&str>,
    reporter: &str,
    partner: &str,
    flow: FlowDirection,
) -> Vec<MirrorRow<'a>> {
    let periods: BTreeSet<Period> = flows.iter().map(|f| f.figure.period).collect();
    periods
        .into_iter()
        .map(|period| {
            let side = |from: &str, to: &str, direction: FlowDirection| {
                pick(flows, unknown_reporting, (from, to), direction, period)
            };
            let reported = side(reporter, partner, flow);
            let mirror = side(partner, reporter, flow.opposite());
            let gap_usd = reported
                .zip(mirror)
                .map(|(a, b)| a.figure.value_usd - b.figure.value_usd);
            let gap_pct = gap_usd
                .zip(mirror)
                .filter(|(_, b)| b.figure.value_usd != 0.0)
                .map(|(gap, b)| gap / b.figure.value_usd * 100.0);
            MirrorRow {
                period,
                reported,
                mirror,
                gap_usd,
                gap_pct,
            }
        })
        .collect()
}

/// The side of a flow a country reported in a period. Where several datasets have it, one that
/// says who reported its figures (the country's own statistics) comes before one that does not;
/// then the first by id.
fn pick<'a>(
    flows: &[ReportedFlow<'a>],
    unknown_reporting: &BTreeSet<&str>,
    (reporter, partner): (&str, &str),
    flow: FlowDirection,
    period: Period,
) -> Option<ReportedFlow<'a>> {
    flows
        .iter()
        .filter(|f| {
            f.reporter == reporter
                && f.partner == partner
                && f.flow == flow
                && f.figure.period == period
        })
        .min_by_key(|f| (unknown_reporting.contains(f.dataset_id), f.dataset_id))
        .copied()
}

/// The notes of a mirror comparison: what is compared with what, the periods a side is missing
/// in, and, without figures, which datasets cover the pair (`coverage`).
pub fn mirror_notes(
    rows: &[MirrorRow<'_>],
    reporter: Party<'_>,
    partner: Party<'_>,
    flow: FlowDirection,
    coverage: &[Covered<'_>],
) -> Notes {
    let mut notes = Notes::default();
    notes.transformations.push(format!(
        "reported: {} {} {}; mirror: {} {} {}; gap = reported - mirror; gap_pct = gap / mirror × 100",
        reporter.code,
        flow.as_str(),
        partner.code,
        partner.code,
        flow.opposite().as_str(),
        reporter.code
    ));
    let missing = |side: fn(&MirrorRow<'_>) -> bool| {
        let periods: Vec<String> = rows
            .iter()
            .filter(|row| side(row))
            .map(|row| row.period.to_string())
            .collect();
        periods.join(", ")
    };
    for (side, who, missing) in [
        ("reported", reporter, missing(|row| row.reported.is_none())),
        ("mirror", partner, missing(|row| row.mirror.is_none())),
    ] {
        if !missing.is_empty() {
            notes.warnings.push(format!(
                "no dataset has {}'s own figure ({side}) for {missing}",
                who.name
            ));
        }
    }
    if rows.is_empty() {
        notes
            .warnings
            .push(no_figures_warning(reporter.name, partner.name, coverage));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::trade::FlowDirection::{Export, Import};
    use crate::domain::trade::tests::{MEX, USA, flow};

    #[test]
    fn the_gap_is_reported_minus_mirror_and_a_share_of_the_mirror() {
        let flows = [
            flow("d", ("USA", "MEX"), Import, Period::Year(2016), 110.0),
            flow("d", ("MEX", "USA"), Export, Period::Year(2016), 100.0),
            flow("d", ("USA", "MEX"), Import, Period::Year(2017), 5.0),
            flow("d", ("MEX", "USA"), Export, Period::Year(2017), 0.0),
        ];
        let rows = mirror(&flows, &BTreeSet::new(), "USA", "MEX", Import);
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].gap_usd, rows[0].gap_pct), (Some(10.0), Some(10.0)));
        assert_eq!((rows[1].gap_usd, rows[1].gap_pct), (Some(5.0), None));
    }

    #[test]
    fn a_side_prefers_known_reporting_then_the_first_dataset() {
        let flows = [
            flow("agtpa", ("USA", "MEX"), Import, Period::Year(2016), 1.0),
            flow("comtrade", ("USA", "MEX"), Import, Period::Year(2016), 2.0),
            flow("census", ("USA", "MEX"), Import, Period::Year(2016), 3.0),
        ];
        let picked = |unknown: BTreeSet<&str>| {
            let rows = mirror(&flows, &unknown, "USA", "MEX", Import);
            rows[0].reported.map(|f| f.dataset_id)
        };
        assert_eq!(picked(BTreeSet::new()), Some("agtpa"));
        assert_eq!(picked(BTreeSet::from(["agtpa"])), Some("census"));
    }

    #[test]
    fn notes_name_the_periods_each_side_is_missing() {
        let flows = [
            flow("d", ("USA", "MEX"), Import, Period::Year(2015), 1.0),
            flow("d", ("USA", "MEX"), Import, Period::Year(2016), 1.0),
            flow("d", ("MEX", "USA"), Export, Period::Year(2017), 1.0),
        ];
        let rows = mirror(&flows, &BTreeSet::new(), "USA", "MEX", Import);
        let notes = mirror_notes(&rows, USA, MEX, Import, &[]);
        assert_eq!(
            notes.transformations,
            [
                "reported: USA import MEX; mirror: MEX export USA; gap = reported - mirror; gap_pct = gap / mirror × 100"
            ]
        );
        assert_eq!(
            notes.warnings,
            [
                "no dataset has United States's own figure (reported) for 2017",
                "no dataset has Mexico's own figure (mirror) for 2015, 2016",
            ]
        );
        let empty = mirror_notes(&[], USA, MEX, Import, &[]);
        assert_eq!(
            empty.warnings,
            ["no dataset has trade between United States and Mexico"]
        );
    }
}
