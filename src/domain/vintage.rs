//! `as_of`: which state of the data a read asks for.

use std::str::FromStr;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use serde::{Deserialize, Deserializer, de};

/// The state of the data a read asks for: as a vintage left it (vintages are numbered across
/// all datasets, in the order they were written: see `/v1/changes`), or as the data stood at a
/// time in UTC: after the vintages made before the end of that second (or day), which is what
/// `Before` holds. (Vintages are listed with their time to the second, so a client that asks
/// for the time a vintage lists gets that vintage.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    Vintage(i64),
    Before(NaiveDateTime),
}

/// What `as_of` takes, for the messages that refuse a value.
pub const AS_OF_FORMS: &str = "a vintage number (1, 2, …, as `/v1/changes` lists them), a day \
     (2026-12-01, meaning its end) or a time in UTC (2026-12-01T09:30:00Z)";

impl FromStr for AsOf {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let refused = || format!("'{s}' is not {AS_OF_FORMS}");
        // Up to 18 digits: every such number fits in 64 bits.
        if (1..=18).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
            return match s.parse::<i64>() {
                Ok(n) if !s.starts_with('0') => Ok(AsOf::Vintage(n)),
                _ => Err(refused()),
            };
        }
        let in_range = |day: NaiveDate| (1800..=2200).contains(&day.year());
        if let Ok(day) = NaiveDate::parse_from_str(s, "%Y-%m-%d")
            && s.len() == 10
            && in_range(day)
        {
            return Ok(AsOf::Before(
                day.and_time(NaiveTime::MIN) + TimeDelta::days(1),
            ));
        }
        match s.strip_suffix('Z') {
            Some(time) if s.len() == 20 => NaiveDateTime::parse_from_str(time, "%Y-%m-%dT%H:%M:%S")
                .ok()
                .filter(|time| in_range(time.date()))
                .map(|time| AsOf::Before(time + TimeDelta::seconds(1)))
                .ok_or_else(refused),
            _ => Err(refused()),
        }
    }
}

impl<'de> Deserialize<'de> for AsOf {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        raw.parse().map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_of_takes_a_vintage_a_day_or_a_utc_time() {
        assert_eq!("7".parse(), Ok(AsOf::Vintage(7)));
        let at = |day, h, m, s| {
            let day = NaiveDate::from_ymd_opt(2026, 12, day).unwrap();
            day.and_hms_opt(h, m, s).unwrap()
        };
        // A day reads what was made before it ended; a time, before the end of its second.
        assert_eq!("2026-12-01".parse(), Ok(AsOf::Before(at(2, 0, 0, 0))));
        assert_eq!(
            "2026-12-01T09:30:00Z".parse(),
            Ok(AsOf::Before(at(1, 9, 30, 1)))
        );
        for refused in [
            "0",
            "07",
            "-1",
            "",
            "99999999999999999999",
            "2026-02-30",
            "2026-12-1",
            "2026-12-01T09:30:00",
            "2026-12-01T09:30:00+01:00",
            "2026-12-01 09:30:00Z",
            "latest",
        ] {
            assert!(refused.parse::<AsOf>().is_err(), "{refused}");
        }
    }
}
