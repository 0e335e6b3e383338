//! How `Date` columns are read. On SQLite a date is ISO text, which diesel reads through chrono's
//! format parser: 1,400 instructions a date, paid for every flow of an export and every
//! observation of an answer. The text this service writes is always `YYYY-MM-DD`, read here
//! directly; anything else still goes to chrono, so the same values are accepted as before.
//! Rows keep `NaiveDate` fields and read them through this type
//! (`#[diesel(deserialize_as = StoredDate)]`).

use chrono::NaiveDate;
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::Pg;
use diesel::sql_types::Date;
use diesel::sqlite::Sqlite;

use super::multi_connection_impl::MultiBackend;

/// A date as read from a `Date` column.
#[derive(Debug, Clone, Copy, FromSqlRow)]
pub struct StoredDate(NaiveDate);

impl From<StoredDate> for NaiveDate {
    fn from(date: StoredDate) -> Self {
        date.0
    }
}

/// `YYYY-MM-DD` read digit by digit, or as chrono's `%Y-%m-%d` reads it.
fn parse(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
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
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

impl FromSql<Date, Sqlite> for StoredDate {
    fn from_sql(mut value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        let text = value.read_text();
        parse(text)
            .map(StoredDate)
            .ok_or_else(|| format!("'{text}' is not a date").into())
    }
}

impl FromSql<Date, Pg> for StoredDate {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        <NaiveDate as FromSql<Date, Pg>>::from_sql(value).map(StoredDate)
    }
}

impl FromSql<Date, MultiBackend> for StoredDate {
    fn from_sql(value: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Date>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_as_chrono_reads_them() {
        let mut date = NaiveDate::from_ymd_opt(1899, 12, 25).expect("a date");
        while date < NaiveDate::from_ymd_opt(2102, 1, 1).expect("a date") {
            let text = date.format("%Y-%m-%d").to_string();
            assert_eq!(parse(&text), Some(date), "{text}");
            date = date.succ_opt().expect("a next day");
        }
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
                parse(text),
                NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(),
                "{text:?}"
            );
        }
    }
}
