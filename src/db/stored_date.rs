//! How `Date` columns are read. On SQLite a date is ISO text, which diesel reads through chrono's
//! format parser: 1,400 instructions a date, paid for every flow of an export and every
//! observation of an answer. Here it is read by `period::parse_iso_date`, which accepts the same
//! values and reads the `YYYY-MM-DD` this service writes without the format parser.
//! Rows keep `NaiveDate` fields and read them through this type
//! (`#[diesel(deserialize_as = StoredDate)]`).

use chrono::NaiveDate;
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::Pg;
use diesel::sql_types::Date;
use diesel::sqlite::Sqlite;

use super::multi_connection_impl::MultiBackend;
use crate::domain::period::parse_iso_date;

/// A date as read from a `Date` column.
#[derive(Debug, Clone, Copy, FromSqlRow)]
pub struct StoredDate(NaiveDate);

impl From<StoredDate> for NaiveDate {
    fn from(date: StoredDate) -> Self {
        date.0
    }
}

impl FromSql<Date, Sqlite> for StoredDate {
    fn from_sql(mut value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        let text = value.read_text();
        parse_iso_date(text)
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
