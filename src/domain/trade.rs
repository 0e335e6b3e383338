//! Trade figures by calendar period: a source's annual and monthly figures turned into the
//! years, quarters or months a user asks for.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::period::{Frequency, Period};

/// A direction of trade, from the reporter's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FlowDirection {
    Export,
    Import,
}

impl FlowDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            FlowDirection::Export => "export",
            FlowDirection::Import => "import",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [FlowDirection::Export, FlowDirection::Import]
            .into_iter()
            .find(|f| f.as_str() == value)
    }

    pub fn opposite(self) -> Self {
        match self {
            FlowDirection::Export => FlowDirection::Import,
            FlowDirection::Import => FlowDirection::Export,
        }
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
mod tests {
    use super::*;

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

    fn reported<'a>(
        reporter: &'a str,
        partner: &'a str,
        flow: FlowDirection,
        period: Period,
        value: f64,
    ) -> ReportedFlow<'a> {
        ReportedFlow {
            reporter,
            partner,
            flow,
            figure: Figure {
                period,
                value_usd: value,
                source_id: "s",
            },
            dataset_id: "d",
        }
    }

    #[test]
    fn a_balance_prefers_own_figures_and_falls_back_on_the_partners_mirror() {
        let flows = [
            reported(
                "USA",
                "MEX",
                FlowDirection::Export,
                Period::Year(2016),
                230.0,
            ),
            reported(
                "MEX",
                "USA",
                FlowDirection::Export,
                Period::Year(2016),
                294.0,
            ),
            reported("MEX", "USA", FlowDirection::Import, Period::Year(2016), 1.0),
            reported(
                "MEX",
                "USA",
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
