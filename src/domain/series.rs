//! Time-series rules: how the observations of a series sit in time, and how they become figures for
//! calendar periods.
//!
//! Every stored observation covers an inclusive range of days: a minimum wage from its effective
//! date to the day before the next one, a daily rate its day, a monthly figure its month, an annual
//! one its year. A figure for a period is then:
//! - for values in force from a date (`event` series): the mean of the values in force on each day
//!   of the period, weighted by days; a period only partly covered uses the covered days and says so;
//! - for daily, monthly and annual series: the plain mean of the observations that fall in the
//!   period (the way central banks average daily rates into monthly and annual means);
//! - a finer period than the series has (a month of an annual series) is refused, never invented.

use chrono::NaiveDate;

use super::period::{DateRange, Frequency, Period};

named_enum! {
    /// What a series measures: wages, exchange rates or prices.
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum SeriesTopic {
        Wages,
        Fx,
        Prices,
    }
}

named_enum! {
    /// What a series' values are measured in: money as paid at the time (`nominal`), constant US
    /// dollars at purchasing power parity (`constant_ppp`), constant dollars (`constant_dollars`),
    /// an index, an exchange rate or a percentage.
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum PriceBasis {
        Nominal,
        ConstantPpp,
        ConstantDollars,
        Index,
        Rate,
        Percent,
    }
}

named_enum! {
    /// How a series' observations sit in time.
    #[derive(PartialOrd, Ord)]
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum NativeFrequency {
        /// A value holds from its effective date until the next value (minimum wages).
        Event,
        /// One value per business day (exchange rates).
        Daily,
        Monthly,
        Annual,
    }
}

impl NativeFrequency {
    /// The finest calendar frequency this series can be answered at.
    pub fn finest(self) -> Frequency {
        match self {
            NativeFrequency::Event | NativeFrequency::Daily => Frequency::Daily,
            NativeFrequency::Monthly => Frequency::Monthly,
            NativeFrequency::Annual => Frequency::Annual,
        }
    }

    /// How a figure for a period is made from this series, for `meta.transformations`.
    pub fn aggregation_rule(self, target: Frequency) -> String {
        match self {
            NativeFrequency::Event if target == Frequency::Daily => {
                "daily value = the value in force on the day".to_owned()
            }
            NativeFrequency::Event => format!(
                "{} value = mean of the values in force on each day of the period, weighted by days",
                target.name()
            ),
            NativeFrequency::Daily => format!(
                "{} value = mean of the daily observations in the period",
                target.name()
            ),
            NativeFrequency::Monthly if target == Frequency::Monthly => {
                "monthly values as published".to_owned()
            }
            NativeFrequency::Monthly => format!(
                "{} value = mean of the monthly observations in the period",
                target.name()
            ),
            NativeFrequency::Annual => "annual values as published".to_owned(),
        }
    }
}

/// One stored observation with the days it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub value: Option<f64>,
}

/// A stored observation: the days it covers, its value and what its publisher says of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// The period as stored: an effective date, a day, a month or a year.
    pub period: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub value: Option<f64>,
    pub source_id: String,
    pub note: Option<String>,
    /// What a user of this value must know; repeated in the warnings of answers that use it.
    pub caveat: Option<String>,
}

impl Observation {
    pub fn span(&self) -> Span {
        Span {
            start: self.start,
            end: self.end,
            value: self.value,
        }
    }

    /// An observation from `start` to `end` with nothing said of it, for tests.
    #[cfg(test)]
    pub(crate) fn plain(
        period: &str,
        start: NaiveDate,
        end: NaiveDate,
        value: Option<f64>,
    ) -> Self {
        Self {
            period: period.to_owned(),
            start,
            end,
            value,
            source_id: "src".to_owned(),
            note: None,
            caveat: None,
        }
    }

    /// Whether the observation covers any day of `period`.
    pub fn overlaps(&self, period: Period) -> bool {
        self.start <= period.last_day() && self.end >= period.first_day()
    }
}

/// Figures for every period of `target` frequency from stored observations (see [`aggregate`]).
pub fn resample(
    native: NativeFrequency,
    observations: &[Observation],
    target: Frequency,
    range: DateRange,
) -> Result<Vec<PeriodValue>, TooFine> {
    let spans: Vec<Span> = observations.iter().map(Observation::span).collect();
    aggregate(native, &spans, target, range)
}

/// A figure for one calendar period.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodValue {
    pub period: Period,
    pub value: Option<f64>,
    /// Whether the observations cover only part of the period.
    pub partial: bool,
    /// Indexes (into the input) of the observations the figure uses.
    pub used: Vec<usize>,
}

/// The series cannot be answered at a finer frequency than it has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this series is {native}; it cannot be split into {target} periods")]
pub struct TooFine {
    pub native: &'static str,
    pub target: &'static str,
}

/// Figures for every period of `target` frequency that overlaps both `range` and the observations.
/// `spans` must be sorted by start date.
pub fn aggregate(
    native: NativeFrequency,
    spans: &[Span],
    target: Frequency,
    range: DateRange,
) -> Result<Vec<PeriodValue>, TooFine> {
    if target > native.finest() {
        return Err(TooFine {
            native: native.as_str(),
            target: target.name(),
        });
    }
    let (Some(first), Some(last)) = (spans.first(), spans.iter().map(|s| s.end).max()) else {
        return Ok(Vec::new());
    };
    let coverage = DateRange {
        start: first.start,
        end: last,
    };
    let Some(window) = coverage.intersect(range) else {
        return Ok(Vec::new());
    };
    Ok(Period::covering(window, target)
        .into_iter()
        .map(|period| match native {
            NativeFrequency::Event => day_weighted(period, spans),
            _ => plain_mean(period, spans, native, coverage),
        })
        .collect())
}

fn overlap_days(period: Period, span: &Span) -> i64 {
    let start = span.start.max(period.first_day());
    let end = span.end.min(period.last_day());
    ((end - start).num_days() + 1).max(0)
}

fn day_weighted(period: Period, spans: &[Span]) -> PeriodValue {
    let mut weighted = 0.0;
    let mut covered = 0;
    let mut used = Vec::new();
    for (index, span) in spans.iter().enumerate() {
        let days = overlap_days(period, span);
        if days == 0 {
            continue;
        }
        if let Some(value) = span.value {
            weighted += value * days as f64;
            covered += days;
            used.push(index);
        }
    }
    PeriodValue {
        period,
        value: (covered > 0).then(|| weighted / covered as f64),
        partial: covered > 0 && covered < period.days(),
        used,
    }
}

fn plain_mean(
    period: Period,
    spans: &[Span],
    native: NativeFrequency,
    coverage: DateRange,
) -> PeriodValue {
    let used: Vec<usize> = spans
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            s.start >= period.first_day() && s.end <= period.last_day() && s.value.is_some()
        })
        .map(|(i, _)| i)
        .collect();
    let values: Vec<f64> = used.iter().filter_map(|i| spans[*i].value).collect();
    let expected = match (native, period) {
        (NativeFrequency::Monthly, Period::Year(_)) => 12,
        (NativeFrequency::Monthly, Period::Quarter(..)) => 3,
        _ => 1,
    };
    let inside_coverage = coverage.start <= period.first_day() && period.last_day() <= coverage.end;
    PeriodValue {
        period,
        value: (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64),
        partial: !values.is_empty() && (values.len() < expected || !inside_coverage),
        used,
    }
}

named_enum! {
    /// Units of time a wage can be expressed per.
    #[serde(rename_all = "lowercase")]
    #[strum(serialize_all = "lowercase")]
    pub enum TimeUnit {
        Hour,
        Day,
        Week,
        Month,
        Year,
    }
}

/// The working-time assumptions that turn a wage per one unit of time into another, expressed
/// as the length of each unit in (paid) weeks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkingTime {
    pub hours_per_week: f64,
    pub paid_days_per_week: f64,
    pub days_per_month: Option<f64>,
    pub statement: &'static str,
}

/// Mexico: the daily minimum wage is paid for every day of the week, which has 48 ordinary
/// working hours over six days (Ley Federal del Trabajo, arts. 61 and 69); a month is 30.4 days
/// (the convention of CONASAMI and IMSS).
pub const MEXICO_WORKING_TIME: WorkingTime = WorkingTime {
    hours_per_week: 48.0,
    paid_days_per_week: 7.0,
    days_per_month: Some(30.4),
    statement: "Mexico: a week is paid as 7 days and has 48 ordinary working hours (Ley Federal del Trabajo arts. 61, 69); a month is 30.4 days and a year 365 days of pay",
};

/// Elsewhere: a full-time week of 40 hours over 5 days, 52 weeks a year (the U.S. FLSA standard
/// workweek, used for Canada and OECD figures too).
pub const FULL_TIME_40_HOURS: WorkingTime = WorkingTime {
    hours_per_week: 40.0,
    paid_days_per_week: 5.0,
    days_per_month: None,
    statement: "a full-time week of 40 hours over 5 days, 52 weeks a year (2,080 hours; a month is a twelfth of a year)",
};

impl WorkingTime {
    /// The working time that applies to a country's wages.
    pub fn for_country(code: &str) -> Self {
        if code == "MEX" {
            MEXICO_WORKING_TIME
        } else {
            FULL_TIME_40_HOURS
        }
    }

    /// Length of one unit in weeks.
    fn weeks(&self, unit: TimeUnit) -> f64 {
        match unit {
            TimeUnit::Hour => 1.0 / self.hours_per_week,
            TimeUnit::Day => 1.0 / self.paid_days_per_week,
            TimeUnit::Week => 1.0,
            TimeUnit::Month => match self.days_per_month {
                Some(days) => days / 7.0,
                None => 52.0 / 12.0,
            },
            TimeUnit::Year => match self.days_per_month {
                Some(_) => 365.0 / 7.0,
                None => 52.0,
            },
        }
    }

    /// The factor that turns a wage per `from` into a wage per `to`.
    pub fn factor(&self, from: TimeUnit, to: TimeUnit) -> f64 {
        self.weeks(to) / self.weeks(from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::period::parse_iso_date;

    fn day(s: &str) -> NaiveDate {
        parse_iso_date(s).unwrap()
    }

    fn span(start: &str, end: &str, value: f64) -> Span {
        Span {
            start: day(start),
            end: day(end),
            value: Some(value),
        }
    }

    /// Every period of `target` the spans reach.
    fn aggregate_all(
        native: NativeFrequency,
        spans: &[Span],
        target: Frequency,
    ) -> Result<Vec<PeriodValue>, TooFine> {
        aggregate(native, spans, target, DateRange::everything())
    }

    #[test]
    fn a_value_in_force_all_year_is_that_year() {
        let spans = [span("2019-01-01", "2019-12-31", 102.68)];
        let years = aggregate_all(NativeFrequency::Event, &spans, Frequency::Annual).unwrap();
        assert_eq!(years.len(), 1);
        assert_eq!(years[0].period, Period::Year(2019));
        assert_eq!(years[0].value, Some(102.68));
        assert!(!years[0].partial);
    }

    #[test]
    fn a_change_within_a_month_is_weighted_by_days() {
        let spans = [
            span("2009-01-01", "2009-07-23", 6.55),
            span("2009-07-24", "2009-12-31", 7.25),
        ];
        let july = aggregate(
            NativeFrequency::Event,
            &spans,
            Frequency::Monthly,
            DateRange {
                start: day("2009-07-01"),
                end: day("2009-07-31"),
            },
        )
        .unwrap();
        let expected = (6.55 * 23.0 + 7.25 * 8.0) / 31.0;
        assert!((july[0].value.unwrap() - expected).abs() < 1e-12);
        assert_eq!(july[0].used, vec![0, 1]);
    }

    #[test]
    fn a_partly_covered_period_is_flagged() {
        let spans = [span("2015-10-01", "2015-12-31", 70.10)];
        let years = aggregate_all(NativeFrequency::Event, &spans, Frequency::Annual).unwrap();
        assert!(years[0].partial);
        assert_eq!(years[0].value, Some(70.10));
    }

    #[test]
    fn monthly_means_become_annual_means() {
        let spans: Vec<Span> = (1..=12)
            .map(|m| {
                let p = Period::Month(2020, m);
                Span {
                    start: p.first_day(),
                    end: p.last_day(),
                    value: Some(f64::from(m)),
                }
            })
            .collect();
        let years = aggregate_all(NativeFrequency::Monthly, &spans, Frequency::Annual).unwrap();
        assert_eq!(years[0].value, Some(6.5));
        assert!(!years[0].partial);
        let quarters =
            aggregate_all(NativeFrequency::Monthly, &spans[..5], Frequency::Quarterly).unwrap();
        assert_eq!(quarters.len(), 2);
        assert_eq!(quarters[1].value, Some(4.5));
        assert!(quarters[1].partial);
    }

    #[test]
    fn annual_series_cannot_be_split_into_months() {
        let spans = [span("2019-01-01", "2019-12-31", 1.0)];
        let result = aggregate_all(NativeFrequency::Annual, &spans, Frequency::Monthly);
        assert!(result.is_err());
    }

    #[test]
    fn mexican_daily_wages_convert_with_the_legal_week() {
        let mx = WorkingTime::for_country("MEX");
        assert!(
            (102.68 * mx.factor(TimeUnit::Day, TimeUnit::Hour) - 102.68 * 7.0 / 48.0).abs() < 1e-9
        );
        assert!((mx.factor(TimeUnit::Day, TimeUnit::Month) - 30.4).abs() < 1e-9);
        assert!((mx.factor(TimeUnit::Day, TimeUnit::Year) - 365.0).abs() < 1e-9);
        let us = WorkingTime::for_country("USA");
        assert!((us.factor(TimeUnit::Hour, TimeUnit::Year) - 2080.0).abs() < 1e-9);
        assert!((us.factor(TimeUnit::Year, TimeUnit::Hour) * 2080.0 - 1.0).abs() < 1e-12);
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::*;
        use crate::domain::period::{DateRange, Period};

        /// A calendar period of any kind between 1950 and 2049.
        fn any_period() -> impl Strategy<Value = Period> {
            (1950i32..2050, 1u32..=4, 1u32..=12, 0u32..365).prop_map(
                |(year, quarter, month, day)| match day % 4 {
                    0 => Period::Year(year),
                    1 => Period::Quarter(year, quarter),
                    2 => Period::Month(year, month),
                    _ => Period::Day(
                        Period::Year(year)
                            .first_day()
                            .checked_add_days(chrono::Days::new(u64::from(day)))
                            .unwrap_or(Period::Year(year).first_day()),
                    ),
                },
            )
        }

        proptest! {
            #[test]
            fn a_value_in_force_all_period_resamples_to_itself(
                value in 0.01f64..1e6,
                period in any_period(),
                before in 0u64..400,
                after in 0u64..400,
            ) {
                let span = Span {
                    start: period.first_day() - chrono::Days::new(before),
                    end: period.last_day() + chrono::Days::new(after),
                    value: Some(value),
                };
                let range = DateRange { start: period.first_day(), end: period.last_day() };
                let figures = aggregate(NativeFrequency::Event, &[span], period.frequency(), range)
                    .expect("an event series answers every frequency");
                prop_assert_eq!(figures.len(), 1);
                let figure = &figures[0];
                prop_assert_eq!(figure.period, period);
                prop_assert!(!figure.partial);
                let resampled = figure.value.expect("a value");
                prop_assert!((resampled - value).abs() <= value * 1e-12, "{} became {}", value, resampled);
            }

            #[test]
            fn re_expressing_a_wage_there_and_back_returns_it(
                value in 0.01f64..1e6,
                from in 0usize..5,
                to in 0usize..5,
                mexico in any::<bool>(),
            ) {
                let units = [TimeUnit::Hour, TimeUnit::Day, TimeUnit::Week, TimeUnit::Month, TimeUnit::Year];
                let time = WorkingTime::for_country(if mexico { "MEX" } else { "USA" });
                let there = value * time.factor(units[from], units[to]);
                let back = there * time.factor(units[to], units[from]);
                prop_assert!((back - value).abs() <= value * 1e-12, "{} became {}", value, back);
            }
        }
    }
}
