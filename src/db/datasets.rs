//! The dataset catalogue: one row per dataset with the version that every change bumps.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::datasets;
use super::vintages::{self, VintageRow};
use crate::domain::source::{DatasetFamily, DatasetOrigin, Reporting};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = datasets)]
pub struct DatasetRow {
    pub id: String,
    pub family: DatasetFamily,
    pub title: String,
    pub description: String,
    pub version: i64,
    pub last_updated: NaiveDateTime,
    pub row_count: i64,
    pub coverage_first: Option<String>,
    pub coverage_last: Option<String>,
    pub checksum: String,
    pub origin: DatasetOrigin,
    /// What the figures are and who reports them (see `domain::source::Reporting`).
    pub basis: String,
    pub reporting: Reporting,
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<DatasetRow>> {
    datasets::table
        .find(id)
        .select(DatasetRow::as_select())
        .first(conn)
        .optional()
}

pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<DatasetRow>> {
    datasets::table
        .order(datasets::id)
        .select(DatasetRow::as_select())
        .load(conn)
}

/// The id and version of every dataset, in id order (the catalogue `list` reads, without the
/// text and dates).
pub fn versions(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    super::on_backend!(conn, |c| datasets::table
        .order(datasets::id)
        .select((datasets::id, datasets::version))
        .load(c))
}

/// Every (dataset, source) pair the rows name: the sources of each dataset. The `sources`
/// dataset, the list of them all, names none.
pub fn source_ids(conn: &mut DbConnection) -> QueryResult<Vec<(String, String)>> {
    #[derive(QueryableByName)]
    struct Pair {
        #[diesel(sql_type = diesel::sql_types::Text)]
        dataset_id: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        source_id: String,
    }
    let pairs: Vec<Pair> = diesel::sql_query(
        "SELECT DISTINCT dataset_id, source_id FROM trade_flows \
         UNION SELECT dataset_id, source_id FROM series \
         UNION SELECT dataset_id, source_id FROM treaties \
         UNION SELECT dataset_id, source_id FROM provisions \
         UNION SELECT 'countries', source_id FROM countries",
    )
    .load(conn)?;
    Ok(pairs
        .into_iter()
        .map(|p| (p.dataset_id, p.source_id))
        .collect())
}

/// Inserts the row, or replaces the one with the same id, as the end of a write of the dataset:
/// the write becomes a new vintage (`vintages::complete`, which is given `written_checksum`),
/// which it returns.
pub fn save(
    conn: &mut DbConnection,
    row: &DatasetRow,
    written_checksum: Option<String>,
) -> QueryResult<VintageRow> {
    super::upsert!(conn, datasets::table, &row.id, row)?;
    vintages::complete(
        conn,
        row.family,
        &row.id,
        row.version,
        row.last_updated,
        row.row_count,
        written_checksum,
    )
}

/// A dataset row for tests: `id` at `version`, the other fields empty.
#[cfg(test)]
pub fn example(id: &str, version: i64) -> DatasetRow {
    DatasetRow {
        id: id.to_owned(),
        family: DatasetFamily::Wages,
        title: id.to_owned(),
        description: String::new(),
        version,
        last_updated: NaiveDateTime::default(),
        row_count: 0,
        coverage_first: None,
        coverage_last: None,
        checksum: String::new(),
        origin: DatasetOrigin::Bundled,
        basis: String::new(),
        reporting: Reporting::NotApplicable,
    }
}
