//! A country's balance with a partner: exports and imports per period, each from the country's own
//! report where there is one, else from the partner's mirror report; and what the answer warns of.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::{
    Covered, Figure, FlowDirection, Notes, Party, PeriodValue, ReportedFlow, by_period,
    no_figures_warning,
};
use crate::domain::coverage::gap_warnings;
use crate::domain::period::{DateRange, Frequency, Period};

/// One side of a balance in one period, with the country whose figure it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Side<'a> {
    pub value: PeriodValue<'a>,
    pub reported_by: &'a str,
    pub dataset_id: &'a str,
}

/// A country's exports to and imports from a partner in one period, and the balance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BalanceRow<'a> {
    pub period: Period,
    pub exports: Option<Side<'a>>,
    pub imports: Option<Side<'a>>,
    /// Exports minus imports, where both are known.
    pub balance_usd: Option<f64>,
    /// Either side covers only part of the period.
    pub partial: bool,
}

/// The country's trade with the partner in one direction, by period of `frequency`: its own
/// figures where it has them for a period, else the partner's report of the opposite flow (a
/// mirror figure).
fn side_by_period<'a>(
    flows: &[ReportedFlow<'a>],
    country: &'a str,
    partner: &'a str,
    flow: FlowDirection,
    frequency: Frequency,
) -> BTreeMap<Period, Side<'a>> {
    let reported = |reporter: &str, towards: &str, direction: FlowDirection| {
        let picked: Vec<&ReportedFlow<'a>> = flows
            .iter()
            .filter(|f| f.reporter == reporter && f.partner == towards && f.flow == direction)
            .collect();
        let figures: Vec<Figure<'a>> = picked.iter().map(|f| f.figure).collect();
        let dataset = picked.first().map_or("", |f| f.dataset_id);
        (by_period(&figures, frequency), dataset)
    };
    let (own, own_dataset) = reported(country, partner, flow);
    let (mirror, mirror_dataset) = reported(partner, country, flow.opposite());
    let mut sides: BTreeMap<Period, Side<'a>> = mirror
        .into_iter()
        .map(|(period, value)| {
            let side = Side {
                value,
                reported_by: partner,
                dataset_id: mirror_dataset,
            };
            (period, side)
        })
        .collect();
    sides.extend(own.into_iter().map(|(period, value)| {
        let side = Side {
            value,
            reported_by: country,
            dataset_id: own_dataset,
        };
        (period, side)
    }));
    sides
}

/// The balance of `country` with `partner` per period of `frequency`, from the flows of one
/// dataset: exports and imports each from the country's own report where there is one, else
/// from the partner's mirror report; balance = exports - imports.
pub fn balance<'a>(
    flows: &[ReportedFlow<'a>],
    country: &'a str,
    partner: &'a str,
    frequency: Frequency,
) -> Vec<BalanceRow<'a>> {
    let exports = side_by_period(flows, country, partner, FlowDirection::Export, frequency);
    let imports = side_by_period(flows, country, partner, FlowDirection::Import, frequency);
    let periods: BTreeSet<Period> = exports.keys().chain(imports.keys()).copied().collect();
    periods
        .into_iter()
        .map(|period| {
            let exports = exports.get(&period).copied();
            let imports = imports.get(&period).copied();
            BalanceRow {
                period,
                balance_usd: exports
                    .zip(imports)
                    .map(|(e, i)| e.value.value_usd - i.value.value_usd),
                partial: [exports, imports]
                    .into_iter()
                    .flatten()
                    .any(|side| side.value.partial),
                exports,
                imports,
            }
        })
        .collect()
}

/// The periods a balance was asked for.
#[derive(Debug, Clone, Copy)]
pub struct BalanceAsked {
    pub frequency: Frequency,
    pub range: DateRange,
}

/// The notes of the balance of `country` with `partner` taken from `dataset` (none when no dataset
/// was chosen): how its values were made and the requested periods the dataset lacks (as of
/// `today`); or, without figures, which datasets cover the pair (`coverage`); then the periods
/// missing exports or imports, the partial ones, and who reported the mirror figures.
pub fn balance_notes(
    rows: &[BalanceRow<'_>],
    dataset: Option<&str>,
    (country, partner): (Party<'_>, Party<'_>),
    BalanceAsked { frequency, range }: BalanceAsked,
    today: NaiveDate,
    coverage: &[Covered<'_>],
) -> Notes {
    let mut notes = Notes::default();
    match dataset {
        Some(dataset) if !rows.is_empty() => {
            notes.transformations.push(format!(
                "all values from dataset '{dataset}'; balance = exports - imports; a value reported by {} is the partner's mirror figure; {}",
                partner.code,
                frequency_rule(frequency)
            ));
            let periods: BTreeSet<Period> = rows.iter().map(|row| row.period).collect();
            let what = format!("dataset '{dataset}'");
            notes
                .warnings
                .extend(gap_warnings(&periods, range, frequency, today, &what));
        }
        _ => notes
            .warnings
            .push(no_figures_warning(country.name, partner.name, coverage)),
    }
    for (label, missing) in [
        ("exports", periods_where(rows, |row| row.exports.is_none())),
        ("imports", periods_where(rows, |row| row.imports.is_none())),
    ] {
        if !missing.is_empty() {
            notes.warnings.push(format!(
                "{label} not in the source for {missing}; balance is null there"
            ));
        }
    }
    let partial = periods_where(rows, |row| row.partial);
    if !partial.is_empty() {
        notes.warnings.push(format!(
            "{partial} covered only in part (months missing or not yet published): partial sums, flagged partial"
        ));
    }
    let mirrored: BTreeSet<&str> = rows
        .iter()
        .flat_map(|row| [row.exports, row.imports])
        .flatten()
        .map(|side| side.reported_by)
        .filter(|reporter| *reporter != country.code)
        .collect();
    if !mirrored.is_empty() {
        notes.warnings.push(format!(
            "some values are mirror figures reported by {}, not {}'s own statistics",
            mirrored.into_iter().collect::<Vec<_>>().join(", "),
            country.name
        ));
    }
    notes
}

/// The periods of `rows` that pass `test`, listed for a warning.
fn periods_where(rows: &[BalanceRow<'_>], test: impl Fn(&BalanceRow<'_>) -> bool) -> String {
    let periods: Vec<String> = rows
        .iter()
        .filter(|row| test(row))
        .map(|row| row.period.to_string())
        .collect();
    periods.join(", ")
}

/// How stored figures become the periods of a balance (see `by_period`).
fn frequency_rule(frequency: Frequency) -> &'static str {
    match frequency {
        Frequency::Annual => "a year is the source's annual figure, or else the sum of its months",
        Frequency::Quarterly => "a quarter is the sum of its months",
        Frequency::Monthly | Frequency::Daily => "months as published",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::trade::tests::{MEX, USA, flow};

    #[test]
    fn a_balance_prefers_own_figures_and_falls_back_on_the_partners_mirror() {
        let flows = [
            flow(
                "d",
                ("USA", "MEX"),
                FlowDirection::Export,
                Period::Year(2016),
                230.0,
            ),
            flow(
                "d",
                ("MEX", "USA"),
                FlowDirection::Export,
                Period::Year(2016),
                294.0,
            ),
            flow(
                "d",
                ("MEX", "USA"),
                FlowDirection::Import,
                Period::Year(2016),
                1.0,
            ),
            flow(
                "d",
                ("MEX", "USA"),
                FlowDirection::Export,
                Period::Year(2017),
                300.0,
            ),
        ];
        let rows = balance(&flows, "USA", "MEX", Frequency::Annual);
        assert_eq!(rows.len(), 2);
        let exports = rows[0].exports.expect("exports");
        assert_eq!(
            (exports.value.value_usd, exports.reported_by),
            (230.0, "USA")
        );
        let imports = rows[0].imports.expect("imports");
        assert_eq!(
            (imports.value.value_usd, imports.reported_by),
            (294.0, "MEX")
        );
        assert_eq!(rows[0].balance_usd, Some(-64.0));
        assert_eq!((rows[1].exports, rows[1].balance_usd), (None, None));
    }

    /// The notes of `rows` from dataset `d`, asked for `from` to `to`, late in 2026.
    fn notes_of(rows: &[BalanceRow<'_>], frequency: Frequency, from: &str, to: &str) -> Notes {
        let range = DateRange::from_params(Some(from), Some(to)).expect("range");
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).expect("day");
        let asked = BalanceAsked { frequency, range };
        balance_notes(rows, Some("d"), (USA, MEX), asked, today, &[])
    }

    #[test]
    fn notes_list_the_periods_missing_a_side_and_the_mirror_reporters() {
        let flows = [
            flow(
                "d",
                ("USA", "MEX"),
                FlowDirection::Export,
                Period::Year(2015),
                10.0,
            ),
            flow(
                "d",
                ("MEX", "USA"),
                FlowDirection::Export,
                Period::Year(2015),
                4.0,
            ),
            flow(
                "d",
                ("USA", "MEX"),
                FlowDirection::Import,
                Period::Year(2016),
                5.0,
            ),
            flow(
                "d",
                ("USA", "MEX"),
                FlowDirection::Import,
                Period::Year(2017),
                5.0,
            ),
        ];
        let rows = balance(&flows, "USA", "MEX", Frequency::Annual);
        let notes = notes_of(&rows, Frequency::Annual, "2014", "2017");
        assert_eq!(notes.transformations.len(), 1);
        assert!(notes.transformations[0].starts_with("all values from dataset 'd'; "));
        assert_eq!(
            notes.warnings,
            [
                "no figures for 2014: dataset 'd' begins in 2015",
                "exports not in the source for 2016, 2017; balance is null there",
                "some values are mirror figures reported by MEX, not United States's own statistics",
            ]
        );
    }

    #[test]
    fn notes_flag_partial_periods() {
        let flows = [
            flow(
                "d",
                ("USA", "MEX"),
                FlowDirection::Export,
                Period::Month(2016, 1),
                1.0,
            ),
            flow(
                "d",
                ("USA", "MEX"),
                FlowDirection::Import,
                Period::Month(2016, 1),
                1.0,
            ),
        ];
        let rows = balance(&flows, "USA", "MEX", Frequency::Quarterly);
        let notes = notes_of(&rows, Frequency::Quarterly, "2016-01", "2016-03");
        assert_eq!(
            notes.warnings,
            [
                "2016-Q1 covered only in part (months missing or not yet published): partial sums, flagged partial"
            ]
        );
    }

    #[test]
    fn without_figures_the_notes_say_so_and_describe_nothing() {
        let notes = notes_of(&[], Frequency::Annual, "2014", "2017");
        assert!(notes.transformations.is_empty());
        assert_eq!(
            notes.warnings,
            ["no dataset has trade between United States and Mexico"]
        );
    }
}
