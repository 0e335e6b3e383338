//! Which requested periods an answer has no figure for, and why: before the first period a
//! source holds (leading), between its periods (interior), or after its latest one (trailing,
//! often because the period is not yet published or still under way). Every answer names them in
//! `meta.warnings` instead of leaving the user to notice a shorter list.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::period::{DateRange, Frequency, Period, iso_date};

/// The periods of a request that have no figure, grouped by where they fall, and the first and
/// last period the source has.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Gaps {
    leading: Vec<Period>,
    interior: Vec<Period>,
    trailing: Vec<Period>,
    first: Period,
    last: Period,
}

/// The periods of `frequency` in `requested` (an open end stops at `today`) that are not in
/// `have`. None when `have` is empty: that is a different message.
fn gaps(
    have: &BTreeSet<Period>,
    requested: DateRange,
    frequency: Frequency,
    today: NaiveDate,
) -> Option<Gaps> {
    let (first, last) = (*have.first()?, *have.last()?);
    let mut found = Gaps {
        leading: Vec::new(),
        interior: Vec::new(),
        trailing: Vec::new(),
        first,
        last,
    };
    let start = if requested.start == NaiveDate::MIN {
        first.first_day()
    } else {
        requested.start
    };
    let end = requested.end.min(today.max(last.last_day()));
    if start > end {
        return Some(found);
    }
    for period in Period::covering(DateRange { start, end }, frequency) {
        if have.contains(&period) {
            continue;
        }
        if period < first {
            found.leading.push(period);
        } else if period > last {
            found.trailing.push(period);
        } else {
            found.interior.push(period);
        }
    }
    Some(found)
}

/// One warning per kind of gap in a request: the periods before the first one `what` (a dataset
/// or a series) has, between its periods, and after its last one, named as runs with the reason.
/// A source whose last period ended more than a year before `today` has ended; a recent one may
/// be extended by later releases.
pub fn gap_warnings(
    have: &BTreeSet<Period>,
    requested: DateRange,
    frequency: Frequency,
    today: NaiveDate,
    what: &str,
) -> Vec<String> {
    let Some(gaps) = gaps(have, requested, frequency, today) else {
        return Vec::new();
    };
    let (first, last) = (gaps.first, gaps.last);
    let mut warnings = Vec::new();
    if !gaps.leading.is_empty() {
        warnings.push(format!(
            "no figures for {}: {what} begins in {first}",
            runs(&gaps.leading)
        ));
    }
    if !gaps.interior.is_empty() {
        warnings.push(format!(
            "no figures for {}: {what} lacks these periods; they are left out, not zero",
            runs(&gaps.interior)
        ));
    }
    if !gaps.trailing.is_empty() {
        let recent = last.last_day() + chrono::Days::new(400) >= today;
        warnings.push(format!(
            "no figures for {}: {what} ends in {last}{}",
            runs(&gaps.trailing),
            if recent {
                " (later periods are not yet published or not loaded)"
            } else {
                ""
            }
        ));
    }
    warnings
}

/// Collapses consecutive periods into runs for a readable list: `1998-2005, 2007, 2018` or
/// `2026-01 to 2026-06`.
pub fn runs(periods: &[Period]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut index = 0;
    while index < periods.len() {
        let start = periods[index];
        let mut end = start;
        while index + 1 < periods.len() && periods[index + 1] == end.next() {
            index += 1;
            end = periods[index];
        }
        out.push(match (start == end, start) {
            (true, _) => start.to_string(),
            (false, Period::Year(_)) => format!("{start}-{end}"),
            (false, _) => format!("{start} to {end}"),
        });
        index += 1;
    }
    out.join(", ")
}

/// Whether a source's coverage from `first` to `last` (periods as stored: years, months or days)
/// meets `range`. The first four to ten characters of a period compare as dates do.
pub fn meets(first: &str, last: &str, range: DateRange) -> bool {
    let (start, end) = range.stored_bounds();
    let (start, end) = (iso_date(start), iso_date(end));
    first <= &end[..first.len().min(end.len())] && last >= &start[..last.len().min(start.len())]
}

/// The periods `pick` names among `items`, comma-separated; none when it names none.
pub fn list_periods<'a, T>(
    items: &'a [T],
    pick: impl Fn(&'a T) -> Option<&'a str>,
) -> Option<String> {
    let periods: Vec<&str> = items.iter().filter_map(pick).collect();
    (!periods.is_empty()).then(|| periods.join(", "))
}

/// Whether a period has not ended by `today`: a mean over it covers only part of it and is
/// flagged `partial`. A day is never under way: its figure is the day's own.
pub fn under_way(period: Period, today: NaiveDate) -> bool {
    !matches!(period, Period::Day(_)) && period.last_day() >= today
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::period::parse_iso_date;

    fn years(list: &[i32]) -> BTreeSet<Period> {
        list.iter().map(|y| Period::Year(*y)).collect()
    }

    fn day(s: &str) -> NaiveDate {
        parse_iso_date(s).unwrap()
    }

    #[test]
    fn gaps_fall_before_between_and_after_the_figures() {
        let have = years(&[2000, 2001, 2003]);
        let requested = DateRange::from_params(Some("1998"), Some("2005")).unwrap();
        let gaps = gaps(&have, requested, Frequency::Annual, day("2026-11-29")).unwrap();
        assert_eq!(gaps.leading, vec![Period::Year(1998), Period::Year(1999)]);
        assert_eq!(gaps.interior, vec![Period::Year(2002)]);
        assert_eq!(gaps.trailing, vec![Period::Year(2004), Period::Year(2005)]);
    }

    #[test]
    fn an_open_end_runs_to_today_and_an_open_start_to_the_first_figure() {
        let have = years(&[2020, 2021]);
        let gaps = gaps(
            &have,
            DateRange::everything(),
            Frequency::Annual,
            day("2023-03-01"),
        )
        .unwrap();
        assert!(gaps.leading.is_empty());
        assert_eq!(gaps.trailing, vec![Period::Year(2022), Period::Year(2023)]);
    }

    #[test]
    fn warnings_name_each_kind_of_gap_with_its_reason() {
        let have = years(&[2000, 2001, 2003]);
        let requested = DateRange::from_params(Some("1999"), Some("2004")).unwrap();
        let warnings = gap_warnings(
            &have,
            requested,
            Frequency::Annual,
            day("2026-11-29"),
            "series x",
        );
        assert_eq!(
            warnings,
            [
                "no figures for 1999: series x begins in 2000",
                "no figures for 2002: series x lacks these periods; they are left out, not zero",
                "no figures for 2004: series x ends in 2003",
            ]
        );
        assert!(
            gap_warnings(
                &BTreeSet::new(),
                requested,
                Frequency::Annual,
                day("2026-11-29"),
                "x"
            )
            .is_empty()
        );
    }

    #[test]
    fn coverage_of_years_months_or_days_meets_a_range_of_days() {
        let range = DateRange::from_params(Some("2019-06"), Some("2020")).unwrap();
        assert!(meets("2015", "2019", range));
        assert!(meets("2020-12", "2025-01", range));
        assert!(meets("2019-06-30", "2019-06-30", range));
        assert!(!meets("2015-10-01", "2019-05-31", range));
        assert!(!meets("2021", "2025", range));
    }

    #[test]
    fn runs_collapse_consecutive_periods() {
        let list = [1998, 1999, 2000, 2002].map(Period::Year);
        assert_eq!(runs(&list), "1998-2000, 2002");
        let months = [Period::Month(2026, 1), Period::Month(2026, 2)];
        assert_eq!(runs(&months), "2026-01 to 2026-02");
    }

    #[test]
    fn a_period_that_has_not_ended_is_under_way() {
        assert!(under_way(Period::Year(2026), day("2026-11-29")));
        assert!(!under_way(Period::Year(2025), day("2026-11-29")));
        assert!(!under_way(
            Period::Day(day("2026-11-29")),
            day("2026-11-29")
        ));
    }
}
