//! Hand-written SQL that each connection prepares once and then reuses, unlike diesel's
//! `sql_query`, which marks itself unsafe to cache and so is parsed and planned anew on every
//! execution (on Postgres an unnamed statement per call: the search answered 1,700 statements a
//! second that way against 4,600 prepared). Diesel keys the statement cache by the SQL text, so
//! the text must come in a bounded number of shapes: every value, list and limit is a bind, never
//! part of the text.

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, BigInt, Text, Untyped};
use diesel::sqlite::Sqlite;
use diesel::{QueryResult, RunQueryDsl};

use super::{Backend, DbConnection};
use diesel::QueryableByName;

/// A value bound to a placeholder of a `ReusedSql`.
#[derive(Debug, Clone)]
pub enum Bind {
    Text(String),
    BigInt(i64),
    /// A Postgres `text[]`. SQLite has no arrays: a list goes there as a JSON array in a `Text`,
    /// read with `json_each`.
    TextArray(Vec<String>),
}

/// The condition that `column` is one of `values`, with its bind: one placeholder for the whole
/// list (`= ANY` of an array on Postgres, `json_each` of a JSON array on SQLite), so that the
/// number of values does not change the SQL text. Diesel's `eq_any` writes a placeholder per
/// value on SQLite, and so a statement to parse for every count.
pub fn one_of(backend: Backend, column: &str, values: Vec<String>) -> (String, Bind) {
    match backend {
        Backend::Postgres => (format!("{column} = ANY(?)"), Bind::TextArray(values)),
        Backend::Sqlite => (
            format!("{column} IN (SELECT value FROM json_each(?))"),
            Bind::Text(serde_json::Value::from(values).to_string()),
        ),
    }
}

/// SQL text with a `?` where each bind goes, in order, loaded into any `QueryableByName` row
/// type. Diesel writes each placeholder as its backend spells it (`?` on SQLite, `$1`, `$2`… on
/// Postgres), so one text serves both; a value used twice is bound twice.
#[derive(Debug, Clone)]
pub struct ReusedSql {
    pub sql: String,
    pub binds: Vec<Bind>,
}

impl ReusedSql {
    /// Loads the rows on whichever backend `conn` is: the statement compiles only against a
    /// concrete connection, so this is the one place that matches on it.
    pub fn load_rows<T>(self, conn: &mut DbConnection) -> QueryResult<Vec<T>>
    where
        T: QueryableByName<Pg> + QueryableByName<Sqlite> + 'static,
    {
        match conn {
            DbConnection::Postgres(c) => self.load(c),
            DbConnection::Sqlite(c) => self.load(c),
        }
    }

    /// Writes the text with the placeholders diesel makes, and binds each value through `bind`.
    fn walk<'b, DB: diesel::backend::Backend>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
        bind: impl Fn(&mut AstPass<'_, 'b, DB>, &'b Bind) -> QueryResult<()>,
    ) -> QueryResult<()> {
        let mut pieces = self.sql.split('?');
        out.push_sql(pieces.next().unwrap_or_default());
        let mut binds = self.binds.iter();
        for piece in pieces {
            let value = binds.next().ok_or_else(|| {
                diesel::result::Error::QueryBuilderError("a placeholder has no bind".into())
            })?;
            bind(out, value)?;
            out.push_sql(piece);
        }
        if binds.next().is_some() {
            return Err(diesel::result::Error::QueryBuilderError(
                "a bind has no placeholder".into(),
            ));
        }
        Ok(())
    }
}

impl QueryId for ReusedSql {
    type QueryId = ();
    /// No type of its own to key the cache by, so diesel keys it by the SQL text.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for ReusedSql {
    type SqlType = Untyped;
}

impl<Conn> RunQueryDsl<Conn> for ReusedSql {}

impl QueryFragment<Pg> for ReusedSql {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.walk(&mut out, |out, bind| match bind {
            Bind::Text(value) => out.push_bind_param::<Text, _>(value),
            Bind::BigInt(value) => out.push_bind_param::<BigInt, _>(value),
            Bind::TextArray(values) => out.push_bind_param::<Array<Text>, _>(values),
        })
    }
}

impl QueryFragment<Sqlite> for ReusedSql {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.walk(&mut out, |out, bind| match bind {
            Bind::Text(value) => out.push_bind_param::<Text, _>(value),
            Bind::BigInt(value) => out.push_bind_param::<BigInt, _>(value),
            Bind::TextArray(_) => Err(diesel::result::Error::QueryBuilderError(
                "SQLite has no arrays: bind a list as a JSON array in a Text".into(),
            )),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::sqlite::SqliteConnection;
    use diesel::{Connection, QueryableByName};

    #[derive(QueryableByName, Debug, PartialEq)]
    struct Row {
        #[diesel(sql_type = Text)]
        word: String,
        #[diesel(sql_type = BigInt)]
        number: i64,
    }

    fn run(sql: &str, binds: Vec<Bind>) -> QueryResult<Vec<Row>> {
        let mut conn = SqliteConnection::establish(":memory:").expect("in-memory database");
        ReusedSql {
            sql: sql.to_owned(),
            binds,
        }
        .load(&mut conn)
    }

    #[test]
    fn binds_fill_the_placeholders_in_order() {
        let rows = run(
            "SELECT ? AS word, ? + 1 AS number",
            vec![Bind::Text("labour".to_owned()), Bind::BigInt(41)],
        )
        .expect("query");
        assert_eq!(
            rows,
            [Row {
                word: "labour".to_owned(),
                number: 42
            }]
        );
    }

    #[test]
    fn placeholders_and_binds_must_pair_up() {
        let too_few = run("SELECT ? AS word, ? AS number", vec![Bind::BigInt(1)]);
        assert!(matches!(
            too_few,
            Err(diesel::result::Error::QueryBuilderError(_))
        ));
        let too_many = run(
            "SELECT 'a' AS word, ? AS number",
            vec![Bind::BigInt(1), Bind::BigInt(2)],
        );
        assert!(matches!(
            too_many,
            Err(diesel::result::Error::QueryBuilderError(_))
        ));
    }
}
