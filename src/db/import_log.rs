//! The log of imports, kept or refused: who made each, when, what it held and how it ended
//! (`GET /v1/admin/imports`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::import_log;

/// An import as the log keeps it.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = import_log)]
pub struct ImportLogEntry {
    pub received_at: NaiveDateTime,
    /// The name of the key that made it, or `command line`.
    pub made_by: String,
    pub kind: String,
    pub dataset_id: Option<String>,
    pub dry_run: bool,
    /// `imported`, `checked` (a dry run), `rejected` (a bad file) or `failed` (the database).
    pub result: String,
    pub rows: Option<i64>,
    pub version: Option<i64>,
    pub bytes: i64,
    pub checksum: Option<String>,
    /// Why it was refused.
    pub detail: Option<String>,
}

/// A logged import with the id the database gave it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = import_log)]
pub struct ImportLogRow {
    pub id: i64,
    #[diesel(embed)]
    pub entry: ImportLogEntry,
}

pub fn record(conn: &mut DbConnection, row: &ImportLogEntry) -> QueryResult<()> {
    diesel::insert_into(import_log::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// The `limit` latest imports, newest first, before the one with id `before` when given.
pub fn latest(
    conn: &mut DbConnection,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<ImportLogRow>> {
    let mut query = import_log::table
        .select(ImportLogRow::as_select())
        .order(import_log::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(import_log::id.lt(before));
    }
    query.load(conn)
}
