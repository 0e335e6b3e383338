//! Sources: who published each number, under which licence, and how it was transformed.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::reused_sql::{ReusedSql, one_of};
use super::schema::sources;
use super::{Backend, DbConnection};
use crate::domain::source::SourceFamily;

/// A source as stored: also a row of the `sources` dataset's canonical table (`db::canonical`).
#[derive(
    Debug,
    Clone,
    PartialEq,
    Queryable,
    QueryableByName,
    Selectable,
    Insertable,
    AsChangeset,
    Serialize,
    ToSchema,
)]
#[diesel(table_name = sources)]
#[diesel(treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct SourceRow {
    pub id: String,
    pub family: SourceFamily,
    pub publisher: String,
    pub title: String,
    pub url: Option<String>,
    pub licence: String,
    pub coverage: String,
    pub transformations: String,
    pub notes: Option<String>,
    pub basis: String,
}

pub fn list(conn: &mut DbConnection, family: Option<&str>) -> QueryResult<Vec<SourceRow>> {
    let mut query = sources::table
        .select(SourceRow::as_select())
        .order(sources::id)
        .into_boxed();
    if let Some(family) = family {
        query = query.filter(sources::family.eq(family.to_owned()));
    }
    query.load(conn)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<SourceRow>> {
    super::on_backend!(conn, |c| sources::table
        .find(id)
        .select(SourceRow::as_select())
        .first(c)
        .optional())
}

/// The sources with these ids, each once, in the byte order of their ids (for `meta.sources`):
/// what reads of an earlier state ask (answers of the current state find them kept in the
/// process, `api::reading`). On Postgres one statement whatever the number of ids, prepared once
/// per connection: a round trip per id would cost more. SQLite runs in the process, where one
/// cached lookup per id (an answer names one or a few) costs a fifth of writing the list as JSON
/// for one statement, parsing it back and reading its rows by column name.
pub fn by_ids(conn: &mut DbConnection, ids: &[&str]) -> QueryResult<Vec<SourceRow>> {
    match conn.backend() {
        Backend::Sqlite => {
            let mut ids = ids.to_vec();
            ids.sort_unstable();
            ids.dedup();
            let mut rows = Vec::with_capacity(ids.len());
            for id in ids {
                rows.extend(find(conn, id)?);
            }
            Ok(rows)
        }
        Backend::Postgres => {
            let ids = ids.iter().map(|id| (*id).to_owned()).collect();
            let (condition, bind) = one_of(conn.backend(), "id", ids);
            ReusedSql {
                sql: format!(
                    "SELECT id, family, publisher, title, url, licence, coverage, \
                     transformations, notes, basis FROM sources WHERE {condition}"
                ),
                binds: vec![bind],
            }
            .load_rows(conn)
            .map(|mut rows: Vec<SourceRow>| {
                // In the byte order of the ids, as on SQLite, whatever the database's collation.
                rows.sort_unstable_by(|a, b| a.id.cmp(&b.id));
                rows
            })
        }
    }
}

/// Inserts or replaces one source.
pub fn save(conn: &mut DbConnection, row: &SourceRow) -> QueryResult<()> {
    super::upsert!(conn, sources::table, &row.id, row)
}
