//! `as_of`: which state of the data a read asks for.

use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use serde::{Deserialize, Deserializer, de};

/// The state of the data a read asks for: as a vintage left it (vintages are numbered across
/// all datasets, in the order they were written: see `/v1/changes`), or as the data stood at a
/// time (in UTC; a day alone is its end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    Vintage(i64),
    Time(NaiveDateTime),
}

/// What `as_of` takes, for the messages that refuse a value.
pub const AS_OF_FORMS: &str = "a vintage number (1, 2, …, as `/v1/changes` lists them), a day \
     (2026-12-01, meaning its end) or a time in UTC (2026-12-01T09:30:00Z)";

impl FromStr for AsOf {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let refused = || format!("'{s}' is not {AS_OF_FORMS}");
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            return match s.parse::<i64>() {
                Ok(n) if n >= 1 && !s.starts_with('0') => Ok(AsOf::Vintage(n)),
                _ => Err(refused()),
            };
        }
        if let Ok(day) = NaiveDate::parse_from_str(s, "%Y-%m-%d")
            && s.len() == 10
        {
            let end =
                day.and_time(NaiveTime::MIN) + TimeDelta::days(1) - TimeDelta::microseconds(1);
            return Ok(AsOf::Time(end));
        }
        match s.strip_suffix('Z') {
            Some(time) if s.len() == 20 => NaiveDateTime::parse_from_str(time, "%Y-%m-%dT%H:%M:%S")
                .map(AsOf::Time)
                .map_err(|_| refused()),
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
        let day: AsOf = "2026-12-01".parse().unwrap();
        assert_eq!(
            day,
            AsOf::Time(
                NaiveDate::from_ymd_opt(2026, 12, 1)
                    .unwrap()
                    .and_hms_micro_opt(23, 59, 59, 999_999)
                    .unwrap()
            )
        );
        assert_eq!(
            "2026-12-01T09:30:00Z".parse(),
            Ok(AsOf::Time(
                NaiveDate::from_ymd_opt(2026, 12, 1)
                    .unwrap()
                    .and_hms_opt(9, 30, 0)
                    .unwrap()
            ))
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
