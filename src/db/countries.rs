//! Countries and currencies: the code crosswalk every other dataset refers to.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::DbConnection;
use super::schema::{countries, currencies};
use crate::domain::country::{CountryKind, CountryLookup};

/// A country as stored: also a row of the `countries` dataset's canonical table
/// (`db::canonical`).
#[derive(
    Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, Serialize, ToSchema,
)]
#[diesel(table_name = countries)]
#[diesel(treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct CountryRow {
    pub code: String,
    pub iso2: Option<String>,
    pub iso3: Option<String>,
    pub numeric: Option<String>,
    pub name: String,
    pub kind: CountryKind,
    pub currency_code: Option<String>,
    /// All currencies in use, comma-separated, `currency_code` among them.
    pub currency_codes: Option<String>,
    pub former_iso2: Option<String>,
    pub former_numeric: Option<String>,
    pub valid_from: Option<i32>,
    pub valid_to: Option<i32>,
    /// Successors of a former country, or the ISO counterparts of a source-specific code;
    /// semicolon-separated.
    pub related_codes: Option<String>,
    pub note: Option<String>,
    pub source_id: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = currencies)]
#[diesel(treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct CurrencyRow {
    pub code: String,
    pub numeric: String,
    pub name: String,
    pub minor_units: Option<i32>,
}

pub fn list(conn: &mut DbConnection, kind: Option<CountryKind>) -> QueryResult<Vec<CountryRow>> {
    let mut query = countries::table
        .select(CountryRow::as_select())
        .order(countries::code)
        .into_boxed();
    if let Some(kind) = kind {
        query = query.filter(countries::kind.eq(kind.as_str()));
    }
    query.load(conn)
}

/// The country a validated code names. Alpha-2 and numeric codes only match current ISO 3166-1
/// entries; three-character codes match ISO alpha-3, former and source-specific codes.
pub fn find(conn: &mut DbConnection, lookup: &CountryLookup) -> QueryResult<Option<CountryRow>> {
    macro_rules! by {
        ($column:expr, $code:expr) => {
            super::on_backend!(conn, |c| countries::table
                .select(CountryRow::as_select())
                .filter($column.eq($code))
                .first(c))
        };
    }
    match lookup {
        CountryLookup::Alpha2(code) => by!(countries::iso2, code),
        CountryLookup::Code(code) => by!(countries::code, code),
        CountryLookup::Numeric(code) => by!(countries::numeric, code),
    }
    .optional()
}

/// The countries with these codes, in code order.
pub fn by_codes(conn: &mut DbConnection, codes: &[&str]) -> QueryResult<Vec<CountryRow>> {
    countries::table
        .filter(countries::code.eq_any(codes))
        .order(countries::code)
        .select(CountryRow::as_select())
        .load(conn)
}

/// The currencies with these codes, in code order.
pub fn currencies(conn: &mut DbConnection, codes: &[&str]) -> QueryResult<Vec<CurrencyRow>> {
    currencies::table
        .filter(currencies::code.eq_any(codes))
        .select(CurrencyRow::as_select())
        .order(currencies::code)
        .load(conn)
}

/// Replaces all currencies and countries with these rows.
pub fn replace_all(
    conn: &mut DbConnection,
    currency_rows: &[CurrencyRow],
    country_rows: &[CountryRow],
) -> QueryResult<()> {
    diesel::delete(countries::table).execute(conn)?;
    diesel::delete(currencies::table).execute(conn)?;
    super::insert_rows!(conn, currencies::table, currency_rows)?;
    super::insert_rows!(conn, countries::table, country_rows)?;
    Ok(())
}
