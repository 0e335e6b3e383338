//! Trade figures by calendar period: a source's annual and monthly figures turned into the
//! years, quarters or months a user asks for; and the rules of the trade answers built on them:
//! which dataset an answer reads (`dataset_choice`), balances (`balance`), mirror statistics
//! (`mirror`) and partner rankings (`ranking`), each with the warnings its data calls for.

pub mod balance;
pub mod dataset_choice;
pub mod mirror;
pub mod ranking;

use std::collections::{BTreeMap, BTreeSet};

use super::period::{Frequency, Period};
use super::series::NativeFrequency;

named_enum! {
    /// A direction of trade, from the reporter's side.
    #[derive(PartialOrd, Ord, Hash, strum::Display)]
    #[serde(rename_all = "lowercase")]
    #[strum(serialize_all = "lowercase")]
    pub enum FlowDirection {
        Export,
        Import,
    }
}

impl FlowDirection {
    pub fn opposite(self) -> Self {
        match self {
            FlowDirection::Export => FlowDirection::Import,
            FlowDirection::Import => FlowDirection::Export,
        }
    }
}

/// A country as an answer names it: its code in the figures, its name in the warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Party<'a> {
    pub code: &'a str,
    pub name: &'a str,
}

/// A dataset that holds flows between two countries, and its first and last period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Covered<'a> {
    pub dataset_id: &'a str,
    pub first_period: &'a str,
    pub last_period: &'a str,
}

/// What an answer says about its values, for its `meta`: how they were made from the stored
/// figures, and what to beware of.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Notes {
    pub transformations: Vec<String>,
    pub warnings: Vec<String>,
}

/// The warning for an answer without figures: which datasets do cover the pair, and when.
pub fn no_figures_warning(country: &str, partner: &str, coverage: &[Covered<'_>]) -> String {
    if coverage.is_empty() {
        return format!("no dataset has trade between {country} and {partner}");
    }
    let listed: Vec<String> = coverage
        .iter()
        .map(|c| {
            format!(
                "'{}' ({} to {})",
                c.dataset_id, c.first_period, c.last_period
            )
        })
        .collect();
    format!(
        "no figures for trade between {country} and {partner} in the requested periods or dataset; the datasets that cover the pair are {}",
        listed.join(", ")
    )
}

/// The warning for values of a dataset that does not say which side reported its figures: it
/// cannot tell an own figure from a mirror one, so its `reported_by` is withheld, and a gap
/// between it and another source is no reporting discrepancy.
pub fn unknown_reporter_warning(dataset: &str) -> String {
    format!(
        "dataset '{dataset}' does not say which country's statistics each figure comes from (its reporting is unknown or mixed: see /v1/datasets), so reported_by is null; a difference from another source is not a reporting discrepancy"
    )
}

/// One warning per dataset among `listed` (the datasets of stored rows an answer lists) whose
/// reporting is unknown: their `reporter` is the role a row is stored under, not necessarily
/// the country whose statistics give the value.
pub fn unknown_reporting_row_warnings(
    unknown_reporting: &BTreeSet<&str>,
    listed: &BTreeSet<String>,
) -> Vec<String> {
    unknown_reporting
        .iter()
        .filter(|d| listed.contains(**d))
        .map(|dataset| format!(
            "rows of dataset '{dataset}': its reporting is unknown or mixed (see /v1/datasets), so `reporter` is the role the row is stored under, not necessarily the country whose statistics give the value"
        ))
        .collect()
}

/// The stored rows a frequency reads: quarters are made of months.
pub fn stored_frequency(frequency: Frequency) -> NativeFrequency {
    match frequency {
        Frequency::Annual => NativeFrequency::Annual,
        Frequency::Quarterly | Frequency::Monthly | Frequency::Daily => NativeFrequency::Monthly,
    }
}

/// A stored flow as the balance needs it: who reported it, with whom, which way, when, how much.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReportedFlow<'a> {
    pub reporter: &'a str,
    pub partner: &'a str,
    pub flow: FlowDirection,
    pub figure: Figure<'a>,
    pub dataset_id: &'a str,
}

/// One stored figure of a flow (one direction between two countries).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure<'a> {
    pub period: Period,
    pub value_usd: f64,
    pub source_id: &'a str,
}

/// A flow's value for one period of the requested frequency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeriodValue<'a> {
    pub value_usd: f64,
    pub source_id: &'a str,
    /// Months summed; `None` where the value is the source's own figure for the whole period.
    pub months: Option<u32>,
    /// Fewer months than the period has: the value covers only part of it.
    pub partial: bool,
}

/// Months in a period of the frequency (a day is part of one month).
fn months_in(frequency: Frequency) -> u32 {
    match frequency {
        Frequency::Annual => 12,
        Frequency::Quarterly => 3,
        Frequency::Monthly | Frequency::Daily => 1,
    }
}

/// The value of each period of `target`: the source's own figure for that period where it has
/// one (an annual total may differ from the sum of its months by rounding), otherwise the sum of
/// its monthly figures, flagged `partial` when months are missing. Annual figures are never split
/// into quarters or months.
pub fn by_period<'a>(
    figures: &[Figure<'a>],
    target: Frequency,
) -> BTreeMap<Period, PeriodValue<'a>> {
    let mut values: BTreeMap<Period, PeriodValue<'a>> = BTreeMap::new();
    for figure in figures {
        if let Period::Year(_) = figure.period
            && target == Frequency::Annual
        {
            values.insert(
                figure.period,
                PeriodValue {
                    value_usd: figure.value_usd,
                    source_id: figure.source_id,
                    months: None,
                    partial: false,
                },
            );
        }
    }
    for figure in figures {
        let Period::Month(..) = figure.period else {
            continue;
        };
        let period = Period::containing(figure.period.first_day(), target);
        let entry = values.entry(period).or_insert(PeriodValue {
            value_usd: 0.0,
            source_id: figure.source_id,
            months: Some(0),
            partial: false,
        });
        if let Some(months) = entry.months.as_mut() {
            entry.value_usd += figure.value_usd;
            *months += 1;
        }
    }
    for value in values.values_mut() {
        if let Some(months) = value.months {
            value.partial = months < months_in(target);
        }
    }
    values
}

/// One flow's monthly figures of a quarter, summed.
#[derive(Debug, Clone, PartialEq)]
pub struct QuarterTotal<K> {
    /// What the figures have in common besides their month (who, with whom, which product…).
    pub key: K,
    pub quarter: Period,
    pub value_usd: f64,
    pub months: u32,
    /// The position of the quarter's first stored month, which orders the quarters.
    pub first_position: i64,
}

impl<K> QuarterTotal<K> {
    /// Fewer than three months: the sum covers only part of the quarter.
    pub fn partial(&self) -> bool {
        self.months < months_in(Frequency::Quarterly)
    }

    /// How the quarter's value was made, for the note of the flow it becomes.
    pub fn note(&self) -> String {
        if self.partial() {
            format!("sum of {} of the quarter's 3 months (partial)", self.months)
        } else {
            "sum of the quarter's 3 monthly figures".to_owned()
        }
    }
}

/// Sums monthly figures `(key, month, value, position)` into quarters per key, ordered by the
/// position of each quarter's first month. Figures that are not months are left out.
pub fn quarter_totals<K: Ord + Clone>(
    figures: impl IntoIterator<Item = (K, Period, f64, i64)>,
) -> Vec<QuarterTotal<K>> {
    let mut totals: BTreeMap<(K, Period), QuarterTotal<K>> = BTreeMap::new();
    for (key, month, value, position) in figures {
        let Period::Month(..) = month else {
            continue;
        };
        let quarter = Period::containing(month.first_day(), Frequency::Quarterly);
        let total = totals
            .entry((key.clone(), quarter))
            .or_insert_with(|| QuarterTotal {
                key,
                quarter,
                value_usd: 0.0,
                months: 0,
                first_position: position,
            });
        total.value_usd += value;
        total.months += 1;
        total.first_position = total.first_position.min(position);
    }
    let mut list: Vec<QuarterTotal<K>> = totals.into_values().collect();
    list.sort_by_key(|t| t.first_position);
    list
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const USA: Party<'static> = Party {
        code: "USA",
        name: "United States",
    };
    pub(crate) const MEX: Party<'static> = Party {
        code: "MEX",
        name: "Mexico",
    };

    /// A flow of dataset `dataset` for the rule tests, with source `s`.
    pub(crate) fn flow<'a>(
        dataset: &'a str,
        (reporter, partner): (&'a str, &'a str),
        flow: FlowDirection,
        period: Period,
        value_usd: f64,
    ) -> ReportedFlow<'a> {
        ReportedFlow {
            reporter,
            partner,
            flow,
            figure: Figure {
                period,
                value_usd,
                source_id: "s",
            },
            dataset_id: dataset,
        }
    }

    #[test]
    fn without_figures_the_warning_names_the_datasets_that_cover_the_pair() {
        assert_eq!(
            no_figures_warning("Mexico", "Canada", &[]),
            "no dataset has trade between Mexico and Canada"
        );
        let coverage = [Covered {
            dataset_id: "agtpa",
            first_period: "1990",
            last_period: "2016",
        }];
        assert!(
            no_figures_warning("Mexico", "Canada", &coverage)
                .ends_with("the datasets that cover the pair are 'agtpa' (1990 to 2016)")
        );
    }

    #[test]
    fn only_listed_datasets_of_unknown_reporting_are_warned_about() {
        let unknown = BTreeSet::from(["agtpa", "imported"]);
        let listed = BTreeSet::from(["agtpa".to_owned(), "census".to_owned()]);
        let warnings = unknown_reporting_row_warnings(&unknown, &listed);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].starts_with("rows of dataset 'agtpa': "));
    }

    #[test]
    fn quarters_read_months_and_years_read_years() {
        assert_eq!(stored_frequency(Frequency::Annual), NativeFrequency::Annual);
        assert_eq!(
            stored_frequency(Frequency::Quarterly),
            NativeFrequency::Monthly
        );
        assert_eq!(
            stored_frequency(Frequency::Monthly),
            NativeFrequency::Monthly
        );
    }

    #[test]
    fn a_quarter_note_says_how_many_months_it_sums() {
        let total = |months| QuarterTotal {
            key: (),
            quarter: Period::Quarter(2025, 1),
            value_usd: 1.0,
            months,
            first_position: 1,
        };
        assert_eq!(total(3).note(), "sum of the quarter's 3 monthly figures");
        assert_eq!(
            total(2).note(),
            "sum of 2 of the quarter's 3 months (partial)"
        );
    }

    fn month(m: u32, value: f64) -> Figure<'static> {
        Figure {
            period: Period::Month(2025, m),
            value_usd: value,
            source_id: "s",
        }
    }

    #[test]
    fn months_sum_to_quarters_and_a_short_quarter_is_partial() {
        let figures: Vec<Figure> = (1..=5).map(|m| month(m, f64::from(m))).collect();
        let quarters = by_period(&figures, Frequency::Quarterly);
        let q1 = quarters[&Period::Quarter(2025, 1)];
        assert_eq!((q1.value_usd, q1.partial), (6.0, false));
        let q2 = quarters[&Period::Quarter(2025, 2)];
        assert_eq!((q2.value_usd, q2.months, q2.partial), (9.0, Some(2), true));
    }

    #[test]
    fn an_annual_figure_wins_over_the_sum_of_months() {
        let mut figures: Vec<Figure> = (1..=12).map(|m| month(m, 1.0)).collect();
        figures.push(Figure {
            period: Period::Year(2025),
            value_usd: 12.1,
            source_id: "s",
        });
        let years = by_period(&figures, Frequency::Annual);
        assert_eq!(years[&Period::Year(2025)].value_usd, 12.1);
        assert_eq!(years[&Period::Year(2025)].months, None);
    }

    #[test]
    fn quarter_totals_sum_each_key_and_flag_short_quarters() {
        let figures = [
            ("a", Period::Month(2025, 1), 1.0, 10),
            ("b", Period::Month(2025, 1), 5.0, 11),
            ("a", Period::Month(2025, 2), 2.0, 12),
            ("a", Period::Month(2025, 3), 3.0, 14),
            ("a", Period::Month(2025, 4), 4.0, 16),
        ];
        let totals = quarter_totals(figures);
        assert_eq!(totals.len(), 3);
        assert_eq!(
            (totals[0].key, totals[0].value_usd, totals[0].partial()),
            ("a", 6.0, false)
        );
        assert_eq!((totals[1].key, totals[1].months), ("b", 1));
        assert_eq!(totals[2].quarter, Period::Quarter(2025, 2));
    }

    #[test]
    fn annual_figures_are_not_split_into_months() {
        let figures = [Figure {
            period: Period::Year(2016),
            value_usd: 1.0,
            source_id: "s",
        }];
        assert!(by_period(&figures, Frequency::Monthly).is_empty());
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::*;

        proptest! {
            #[test]
            fn quarters_and_the_year_add_up_to_the_same_months(
                values in proptest::collection::vec(0.0f64..1e10, 12),
                kept in proptest::collection::vec(any::<bool>(), 12),
            ) {
                let figures: Vec<Figure> = (1..=12u32)
                    .filter(|m| kept[*m as usize - 1])
                    .map(|m| Figure { period: Period::Month(2025, m), value_usd: values[m as usize - 1], source_id: "s" })
                    .collect();
                let total: f64 = figures.iter().map(|f| f.value_usd).sum();
                let quarters: f64 = by_period(&figures, Frequency::Quarterly).values().map(|v| v.value_usd).sum();
                let year = by_period(&figures, Frequency::Annual);
                let tolerance = total * 1e-12 + 1e-6;
                prop_assert!((quarters - total).abs() <= tolerance);
                match year.get(&Period::Year(2025)) {
                    Some(value) => {
                        prop_assert!((value.value_usd - total).abs() <= tolerance);
                        prop_assert_eq!(value.partial, figures.len() < 12);
                    }
                    None => prop_assert!(figures.is_empty()),
                }
            }
        }
    }
}
