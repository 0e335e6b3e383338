//! Calendar periods as the API writes them (`2016`, `2016-Q3`, `2016-07`, `2016-07-14`), the
//! frequencies that group days into periods, and date ranges built from `from`/`to`.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Earliest and latest years accepted in a period, far outside any data we hold.
pub const MIN_YEAR: i32 = 1800;
pub const MAX_YEAR: i32 = 2200;

/// How observations are grouped in time.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
pub enum Frequency {
    /// Calendar years.
    #[serde(rename = "A", alias = "a")]
    Annual,
    /// Calendar quarters.
    #[serde(rename = "Q", alias = "q")]
    Quarterly,
    /// Calendar months.
    #[serde(rename = "M", alias = "m")]
    Monthly,
    /// Days: the value in force on each day (for series of dated changes).
    #[serde(rename = "D", alias = "d")]
    Daily,
}

impl Frequency {
    pub fn code(self) -> &'static str {
        match self {
            Frequency::Annual => "A",
            Frequency::Quarterly => "Q",
            Frequency::Monthly => "M",
            Frequency::Daily => "D",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Frequency::Annual => "annual",
            Frequency::Quarterly => "quarterly",
            Frequency::Monthly => "monthly",
            Frequency::Daily => "daily",
        }
    }
}

/// The frequencies of figures that are monthly at the finest, coarsest first.
pub const MONTHLY_OR_COARSER: [Frequency; 3] =
    [Frequency::Annual, Frequency::Quarterly, Frequency::Monthly];

/// A calendar period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    Year(i32),
    Quarter(i32, u32),
    Month(i32, u32),
    Day(NaiveDate),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' is not a period: write a year (2016), a quarter (2016-Q3), a month (2016-07) or a day (2016-07-14)"
)]
pub struct InvalidPeriod(pub String);

impl Period {
    pub fn parse(raw: &str) -> Result<Self, InvalidPeriod> {
        let invalid = || InvalidPeriod(super::country::shorten_for_display(raw));
        if raw.len() > 10 || !raw.is_ascii() {
            return Err(invalid());
        }
        let year = |s: &str| {
            (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<i32>().ok())
                .flatten()
                .filter(|y| (MIN_YEAR..=MAX_YEAR).contains(y))
        };
        let two_digits = |s: &str| {
            (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u32>().ok())
                .flatten()
        };
        let parts: Vec<&str> = raw.split('-').collect();
        let period = match parts.as_slice() {
            [y] => year(y).map(Period::Year),
            [y, q] if q.len() == 2 && (q.starts_with('Q') || q.starts_with('q')) => {
                match (year(y), q[1..].parse::<u32>().ok()) {
                    (Some(y), Some(q)) if (1..=4).contains(&q) => Some(Period::Quarter(y, q)),
                    _ => None,
                }
            }
            [y, m] => match (year(y), two_digits(m)) {
                (Some(y), Some(m)) if (1..=12).contains(&m) => Some(Period::Month(y, m)),
                _ => None,
            },
            [y, m, d] => match (year(y), two_digits(m), two_digits(d)) {
                (Some(y), Some(m), Some(d)) => NaiveDate::from_ymd_opt(y, m, d).map(Period::Day),
                _ => None,
            },
            _ => None,
        };
        period.ok_or_else(invalid)
    }

    /// The frequency whose periods are of this kind.
    pub fn frequency(self) -> Frequency {
        match self {
            Period::Year(_) => Frequency::Annual,
            Period::Quarter(..) => Frequency::Quarterly,
            Period::Month(..) => Frequency::Monthly,
            Period::Day(_) => Frequency::Daily,
        }
    }

    /// The period of `frequency` that contains `date`.
    pub fn containing(date: NaiveDate, frequency: Frequency) -> Self {
        match frequency {
            Frequency::Annual => Period::Year(date.year()),
            Frequency::Quarterly => Period::Quarter(date.year(), date.month0() / 3 + 1),
            Frequency::Monthly => Period::Month(date.year(), date.month()),
            Frequency::Daily => Period::Day(date),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN);
        match self {
            Period::Year(y) => ymd(y, 1, 1),
            Period::Quarter(y, q) => ymd(y, (q - 1) * 3 + 1, 1),
            Period::Month(y, m) => ymd(y, m, 1),
            Period::Day(d) => d,
        }
    }

    pub fn last_day(self) -> NaiveDate {
        match self {
            Period::Day(d) => d,
            other => other
                .next()
                .first_day()
                .pred_opt()
                .unwrap_or(NaiveDate::MAX),
        }
    }

    /// Days in the period.
    pub fn days(self) -> i64 {
        (self.last_day() - self.first_day()).num_days() + 1
    }

    /// The following period of the same kind.
    pub fn next(self) -> Self {
        match self {
            Period::Year(y) => Period::Year(y + 1),
            Period::Quarter(y, 4) => Period::Quarter(y + 1, 1),
            Period::Quarter(y, q) => Period::Quarter(y, q + 1),
            Period::Month(y, 12) => Period::Month(y + 1, 1),
            Period::Month(y, m) => Period::Month(y, m + 1),
            Period::Day(d) => Period::Day(d.succ_opt().unwrap_or(d)),
        }
    }

    /// The periods of `frequency` that overlap `range`, in order.
    pub fn covering(range: DateRange, frequency: Frequency) -> Vec<Period> {
        let mut periods = Vec::new();
        let mut period = Period::containing(range.start, frequency);
        while period.first_day() <= range.end {
            periods.push(period);
            period = period.next();
        }
        periods
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y:04}"),
            Period::Quarter(y, q) => write!(f, "{y:04}-Q{q}"),
            Period::Month(y, m) => write!(f, "{y:04}-{m:02}"),
            Period::Day(d) => write!(f, "{}", iso_date(*d)),
        }
    }
}

/// An inclusive range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// Why `from`/`to` do not make a range; the first field names the parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeError {
    Invalid(&'static str, InvalidPeriod),
    Reversed { from: String, to: String },
}

impl DateRange {
    /// From the first day of `from` to the last day of `to`; an absent bound is open.
    pub fn from_params(from: Option<&str>, to: Option<&str>) -> Result<Self, RangeError> {
        let start = from
            .map(|f| Period::parse(f).map_err(|e| RangeError::Invalid("from", e)))
            .transpose()?;
        let end = to
            .map(|t| Period::parse(t).map_err(|e| RangeError::Invalid("to", e)))
            .transpose()?;
        let range = DateRange {
            start: start.map_or(NaiveDate::MIN, Period::first_day),
            end: end.map_or(NaiveDate::MAX, Period::last_day),
        };
        if range.start > range.end {
            return Err(RangeError::Reversed {
                from: from.unwrap_or_default().to_owned(),
                to: to.unwrap_or_default().to_owned(),
            });
        }
        Ok(range)
    }

    pub fn everything() -> Self {
        DateRange {
            start: NaiveDate::MIN,
            end: NaiveDate::MAX,
        }
    }

    /// The overlap of two ranges, if any.
    pub fn intersect(self, other: DateRange) -> Option<DateRange> {
        let range = DateRange {
            start: self.start.max(other.start),
            end: self.end.min(other.end),
        };
        (range.start <= range.end).then_some(range)
    }

    /// The bounds for comparing with stored dates: open bounds become the first and last day of
    /// the four-digit years, which every backend stores and compares (SQLite as ISO text, where a
    /// fifth digit would sort wrongly).
    pub fn stored_bounds(self) -> (NaiveDate, NaiveDate) {
        let floor = NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN);
        let ceiling = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX);
        (
            self.start.clamp(floor, ceiling),
            self.end.clamp(floor, ceiling),
        )
    }
}

/// A date as `YYYY-MM-DD`. chrono's `Display` writes this form directly; a format string
/// (`%Y-%m-%d`) is interpreted anew on every call, two thousand instructions a date, and every
/// observation of an answer shows two.
pub fn iso_date(date: NaiveDate) -> String {
    date.to_string()
}

/// Parses `YYYY-MM-DD` as chrono's `%Y-%m-%d` does. The form this service writes is read digit
/// by digit: chrono interprets the format string anew on every call (1,400 instructions a date),
/// and every date column SQLite hands back (`db::stored_date`) is read here.
pub fn parse_iso_date(raw: &str) -> Option<NaiveDate> {
    let bytes = raw.as_bytes();
    if bytes.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-' {
        let number = |digits: &[u8]| {
            digits.iter().try_fold(0u32, |n, &digit| {
                digit
                    .is_ascii_digit()
                    .then(|| n * 10 + u32::from(digit - b'0'))
            })
        };
        let parts = (
            number(&bytes[..4]),
            number(&bytes[5..7]),
            number(&bytes[8..]),
        );
        if let (Some(year), Some(month), Some(day)) = parts
            && let Some(date) = NaiveDate::from_ymd_opt(year as i32, month, day)
        {
            return Some(date);
        }
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        parse_iso_date(s).unwrap()
    }

    #[test]
    fn dates_are_written_and_read_as_chrono_formats_and_parses_them() {
        let mut date = NaiveDate::from_ymd_opt(1899, 12, 25).expect("a date");
        while date < NaiveDate::from_ymd_opt(2102, 1, 1).expect("a date") {
            let text = date.format("%Y-%m-%d").to_string();
            assert_eq!(iso_date(date), text);
            assert_eq!(parse_iso_date(&text), Some(date), "{text}");
            date = date.succ_opt().expect("a next day");
        }
        assert_eq!(Period::Day(day("2016-02-29")).to_string(), "2016-02-29");
        for text in [
            "2016-02-30",
            "2015-02-29",
            "2016-13-01",
            "2016-1-01",
            "2016-7-4",
            "2016/01/01",
            "",
            "x",
        ] {
            assert_eq!(
                parse_iso_date(text),
                NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn parses_each_period_form() {
        assert_eq!(Period::parse("2016"), Ok(Period::Year(2016)));
        assert_eq!(Period::parse("2016-Q3"), Ok(Period::Quarter(2016, 3)));
        assert_eq!(Period::parse("2016-q3"), Ok(Period::Quarter(2016, 3)));
        assert_eq!(Period::parse("2016-07"), Ok(Period::Month(2016, 7)));
        assert_eq!(
            Period::parse("2016-02-29"),
            Ok(Period::Day(day("2016-02-29")))
        );
        for bad in [
            "",
            "16",
            "2016-13",
            "2016-Q5",
            "2016-7",
            "2015-02-29",
            "2016/07",
            "20161",
            "a\0",
            "9999",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn periods_know_their_days() {
        assert_eq!(Period::Quarter(2016, 1).last_day(), day("2016-03-31"));
        assert_eq!(Period::Month(2016, 2).days(), 29);
        assert_eq!(Period::Year(2019).days(), 365);
        assert_eq!(Period::Month(2019, 12).next(), Period::Month(2020, 1));
        assert_eq!(Period::Quarter(2019, 2).to_string(), "2019-Q2");
    }

    #[test]
    fn covering_lists_every_overlapping_period() {
        let range = DateRange {
            start: day("2019-11-15"),
            end: day("2020-02-01"),
        };
        let months: Vec<String> = Period::covering(range, Frequency::Monthly)
            .into_iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(months, ["2019-11", "2019-12", "2020-01", "2020-02"]);
    }

    #[test]
    fn a_range_runs_from_the_first_to_the_last_day() {
        let range = DateRange::from_params(Some("2019-Q2"), Some("2019")).unwrap();
        assert_eq!(range.start, day("2019-04-01"));
        assert_eq!(range.end, day("2019-12-31"));
        assert!(matches!(
            DateRange::from_params(Some("2020"), Some("2019")),
            Err(RangeError::Reversed { .. })
        ));
        assert!(matches!(
            DateRange::from_params(Some("x"), None),
            Err(RangeError::Invalid("from", _))
        ));
    }
}
