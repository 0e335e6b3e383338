//! Vintages: every write of a dataset is one, numbered across all datasets, and the rows it
//! replaced are kept, so that any earlier state can be read again (`as_of`) and a feed can ask
//! what changed (`/v1/changes`).
//!
//! A table's current rows stay where they are, each with the vintage that added it
//! (`added_in`). Triggers (migration 000015) move a row a write deletes or updates to the table's
//! `_history` twin, where `removed_in` says which vintage removed it. While the write is under way
//! its own rows are pending: `added_in` and `removed_in` are 0. [`complete`], which
//! `datasets::save` runs at the end of every dataset write, then:
//!
//! 1. puts back the rows the write deleted and wrote again unchanged (an import replaces its
//!    whole dataset, and most rows of a new release are the old ones), so that only what changed
//!    is new;
//! 2. counts the rows added, removed and changed in the dataset's main table;
//! 3. gives the pending rows the new vintage and records it in `vintages`.
//!
//! The data as they stood at vintage N are the current rows added at or before N and the kept
//! rows added at or before N and removed after it: a filter, not a copy. A read sees them through
//! [`as_of`], which puts views of that filter in the tables' place for one read transaction.

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::schema::vintages;
use super::{Backend, DbConnection};
use crate::domain::source::DatasetFamily;

/// A table whose rows are kept by vintage: the columns that identify a row across writes, and
/// the others.
#[derive(Debug)]
pub struct Versioned {
    pub table: &'static str,
    /// What identifies a row from one write to the next (the table's unique key).
    pub key: &'static [&'static str],
    /// Every other column but `added_in`.
    pub values: &'static [&'static str],
    /// A number the writer gives each row, which is not part of what the row says.
    pub surrogate: Option<Surrogate>,
    /// The condition that a row belongs to a dataset, whose id (quoted) replaces `{d}`.
    pub owner: &'static str,
}

/// Rows that belong to the dataset of their series, treaty or provision, current or kept.
const OF_SERIES: &str = "series_id IN (SELECT id FROM series WHERE dataset_id = {d} \
     UNION SELECT id FROM series_history WHERE dataset_id = {d})";
const OF_TREATIES: &str = "treaty_id IN (SELECT id FROM treaties WHERE dataset_id = {d} \
     UNION SELECT id FROM treaties_history WHERE dataset_id = {d})";
const OF_PROVISIONS: &str = "provision_id IN (SELECT id FROM provisions WHERE dataset_id = {d} \
     UNION SELECT id FROM provisions_history WHERE dataset_id = {d})";

#[derive(Debug)]
pub enum Surrogate {
    /// An unchanged row gets its old number back (flow ids are the keyset cursors of pages).
    Restored(&'static str),
    /// An unchanged row keeps its new number, and the kept rows of `dependents` (table and
    /// column) that named the old one name the new one instead, so that they are put back with
    /// it (provision ids, which provision topics refer to under a foreign key).
    Kept {
        column: &'static str,
        dependents: &'static [(&'static str, &'static str)],
    },
}

impl Versioned {
    /// The condition that a row of this table belongs to dataset `dataset_id`.
    fn owned_by(&self, dataset_id: &str) -> String {
        let quoted = format!("'{}'", dataset_id.replace('\'', "''"));
        self.owner.replace("{d}", &quoted)
    }

    /// Every column of the table, `added_in` last.
    pub fn columns(&self) -> Vec<&'static str> {
        let surrogate = self.surrogate.as_ref().map(|s| match s {
            Surrogate::Restored(column) | Surrogate::Kept { column, .. } => *column,
        });
        surrogate
            .into_iter()
            .chain(self.key.iter().copied())
            .chain(self.values.iter().copied())
            .chain(["added_in"])
            .collect()
    }
}

/// The tables kept by vintage, in the order they are completed: a table whose surrogate others
/// refer to comes before them.
pub const VERSIONED: [Versioned; 13] = [
    Versioned {
        table: "datasets",
        key: &["id"],
        values: &[
            "family",
            "title",
            "description",
            "version",
            "last_updated",
            "row_count",
            "coverage_first",
            "coverage_last",
            "checksum",
            "origin",
            "basis",
            "reporting",
        ],
        surrogate: None,
        owner: "id = {d}",
    },
    Versioned {
        table: "sources",
        key: &["id"],
        values: &[
            "family",
            "publisher",
            "title",
            "url",
            "licence",
            "coverage",
            "transformations",
            "notes",
            "basis",
        ],
        surrogate: None,
        owner: "{d} = 'sources'",
    },
    Versioned {
        table: "currencies",
        key: &["code"],
        values: &["numeric", "name", "minor_units"],
        surrogate: None,
        owner: "{d} = 'countries'",
    },
    Versioned {
        table: "countries",
        key: &["code"],
        values: &[
            "iso2",
            "iso3",
            "numeric",
            "name",
            "kind",
            "currency_code",
            "currency_codes",
            "former_iso2",
            "former_numeric",
            "valid_from",
            "valid_to",
            "related_codes",
            "note",
            "source_id",
        ],
        surrogate: None,
        owner: "{d} = 'countries'",
    },
    Versioned {
        table: "series",
        key: &["id"],
        values: &[
            "dataset_id",
            "topic",
            "country",
            "region",
            "measure",
            "name",
            "description",
            "unit",
            "currency",
            "base_currency",
            "per",
            "price_basis",
            "frequency",
            "time_basis",
            "headline",
            "source_id",
            "first_period",
            "last_period",
            "latest_period",
            "latest_start",
            "latest_value",
            "observation_count",
        ],
        surrogate: None,
        owner: "dataset_id = {d}",
    },
    Versioned {
        table: "observations",
        key: &["series_id", "period"],
        values: &[
            "period_start",
            "period_end",
            "value",
            "source_id",
            "note",
            "caveat",
        ],
        surrogate: None,
        owner: OF_SERIES,
    },
    Versioned {
        table: "trade_flows",
        key: &[
            "reporter",
            "partner",
            "flow",
            "period",
            "classification",
            "product_code",
            "source_id",
            "dataset_id",
        ],
        values: &["period_start", "frequency", "value_usd", "note"],
        surrogate: Some(Surrogate::Restored("id")),
        owner: "dataset_id = {d}",
    },
    Versioned {
        table: "treaties",
        key: &["id"],
        values: &[
            "dataset_id",
            "name",
            "other_names",
            "kind",
            "status",
            "date_signed",
            "date_in_force",
            "date_terminated",
            "supersedes",
            "superseded_by",
            "side_agreement_of",
            "subject_topics",
            "official_text_url",
            "tota_ids",
            "wto_rta_id",
            "wb_dta_id",
            "note",
            "source_id",
            "date_suspended",
        ],
        surrogate: None,
        owner: "dataset_id = {d}",
    },
    Versioned {
        table: "treaty_chapters",
        key: &["treaty_id", "lang", "number"],
        values: &["dataset_id", "position", "title", "topics", "article_count"],
        surrogate: None,
        owner: "dataset_id = {d}",
    },
    Versioned {
        table: "provisions",
        key: &["treaty_id", "lang", "article"],
        values: &[
            "dataset_id",
            "chapter",
            "position",
            "heading",
            "text",
            "topics",
            "tota_id",
            "source_id",
        ],
        surrogate: Some(Surrogate::Kept {
            column: "id",
            dependents: &[("provision_topics", "provision_id")],
        }),
        owner: "dataset_id = {d}",
    },
    Versioned {
        table: "treaty_coverage",
        key: &["treaty_id", "exporter", "importer", "year", "provision"],
        values: &["value", "source_id"],
        surrogate: None,
        owner: OF_TREATIES,
    },
    Versioned {
        table: "provision_topics",
        key: &["provision_id", "topic"],
        values: &[],
        surrogate: None,
        owner: OF_PROVISIONS,
    },
    Versioned {
        table: "treaty_parties",
        key: &["treaty_id", "party"],
        values: &["position"],
        surrogate: None,
        owner: OF_TREATIES,
    },
];

/// A vintage as `vintages` records it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = vintages)]
pub struct VintageRow {
    pub id: i64,
    pub dataset_id: String,
    pub version: i64,
    pub made_at: NaiveDateTime,
    pub row_count: i64,
    pub rows_added: i64,
    pub rows_removed: i64,
    pub rows_changed: i64,
    /// The SHA-256 (hex) of the dataset's canonical CSV at this version (`canonical::write`);
    /// none for a version made before the service recorded them.
    pub checksum: Option<String>,
    /// False once pruned: the rows only it saw are gone, and it cannot be read as of.
    pub kept: bool,
}

/// The table whose rows a dataset's changes are counted in.
fn main_table(family: DatasetFamily, dataset_id: &str) -> &'static str {
    match family {
        DatasetFamily::Reference if dataset_id == "sources" => "sources",
        DatasetFamily::Reference => "countries",
        DatasetFamily::Wages => "observations",
        DatasetFamily::Trade => "trade_flows",
        DatasetFamily::Treaties => "provisions",
    }
}

fn versioned(table: &str) -> QueryResult<&'static Versioned> {
    VERSIONED.iter().find(|v| v.table == table).ok_or_else(|| {
        diesel::result::Error::QueryBuilderError(format!("{table} is not kept by vintage").into())
    })
}

/// Ends the write of dataset `dataset_id` (now at `version`, with `row_count` rows) as a new
/// vintage: see the module's documentation. Runs inside the write's transaction, under the write
/// lock (`db::write_transaction`), so no other write numbers a vintage meanwhile.
///
/// `written_checksum` is the checksum of the canonical CSV of the rows the write wrote, in the
/// order they were written, where the writer took it (`canonical::RunningChecksum`). It is the
/// version's checksum when none of them was put back, so that every row of the dataset is one
/// the write wrote, under the number it was written with; otherwise the rows are read again.
pub fn complete(
    conn: &mut DbConnection,
    family: DatasetFamily,
    dataset_id: &str,
    version: i64,
    made_at: NaiveDateTime,
    row_count: i64,
    written_checksum: Option<String>,
) -> QueryResult<VintageRow> {
    let backend = conn.backend();
    let count = |conn: &mut DbConnection, query: &str| {
        diesel::select(sql::<BigInt>(&format!("({query})"))).get_result::<i64>(conn)
    };
    // On Postgres the write's rows carry its vintage from the start (`begin_postgres`); on
    // SQLite, whose defaults are constants, they are pending (0) until numbered below.
    let written = match backend {
        Backend::Postgres => count(conn, "SELECT trilateral_vintage_written()")?,
        Backend::Sqlite => 0,
    };
    let id = match written {
        0 => count(conn, "SELECT COALESCE(MAX(id), 0) + 1 FROM vintages")?,
        written => written,
    };
    let pending = written;
    for versioned in &VERSIONED {
        conn.batch_execute(&put_back_unchanged(versioned, pending))?;
    }
    let main = versioned(main_table(family, dataset_id))?;
    let scope = format!(" AND {}", main.owned_by(dataset_id));
    let t = main.table;
    let added = count(
        conn,
        &format!("SELECT COUNT(*) FROM {t} WHERE added_in = {pending}{scope}"),
    )?;
    let removed = count(
        conn,
        &format!("SELECT COUNT(*) FROM {t}_history WHERE removed_in = {pending}{scope}"),
    )?;
    let same_key = main
        .key
        .iter()
        .map(|k| format!("h.{k} = {t}.{k}"))
        .collect::<Vec<_>>()
        .join(" AND ");
    let changed = count(
        conn,
        &format!(
            "SELECT COUNT(*) FROM {t} WHERE added_in = {pending}{scope} AND EXISTS \
             (SELECT 1 FROM {t}_history h WHERE h.removed_in = {pending} AND {same_key})"
        ),
    )?;
    if pending == 0 {
        for versioned in &VERSIONED {
            let t = versioned.table;
            conn.batch_execute(&format!(
                "UPDATE {t} SET added_in = {id} WHERE added_in = 0; \
                 UPDATE {t}_history SET removed_in = {id} WHERE removed_in = 0;"
            ))?;
        }
    }
    let checksum = match written_checksum {
        Some(checksum) if added == row_count => checksum,
        _ => super::canonical::checksum(conn, family, dataset_id)?,
    };
    let row = VintageRow {
        id,
        checksum: Some(checksum),
        dataset_id: dataset_id.to_owned(),
        version,
        made_at,
        row_count,
        rows_added: added - changed,
        rows_removed: removed - changed,
        rows_changed: changed,
        kept: true,
    };
    diesel::insert_into(vintages::table)
        .values(&row)
        .execute(conn)?;
    if backend == Backend::Postgres {
        // A second dataset written in the same transaction is a vintage of its own.
        conn.batch_execute(&format!(
            "SELECT set_config('trilateral.vintage', '{}', true)",
            id + 1
        ))?;
    }
    Ok(row)
}

/// Sets, for the write transaction Postgres has just begun under the write lock, the vintage its
/// rows carry (`trilateral_vintage_written()`, their default): the one after the latest.
pub fn begin_postgres(conn: &mut diesel::PgConnection) -> QueryResult<()> {
    conn.batch_execute(
        "SELECT set_config('trilateral.vintage', (COALESCE(MAX(id), 0) + 1)::TEXT, true) \
         FROM vintages",
    )
}

/// The SQL that puts back the rows of `versioned` that the write under way deleted (or updated)
/// and wrote again as they were: the pending row takes the kept row's vintage (and, for a
/// restored surrogate, its number), and the kept copy goes.
fn put_back_unchanged(versioned: &Versioned, pending: i64) -> String {
    let t = versioned.table;
    // The same row: the same key (never null) and the same values, nulls equal. (The SQL is the
    // same on both backends: SQLite reads `IS NOT DISTINCT FROM` and `UPDATE … FROM` too.)
    let same = |new: &str, old: &str| {
        versioned
            .key
            .iter()
            .map(|k| format!("{old}.{k} = {new}.{k}"))
            .chain(
                versioned
                    .values
                    .iter()
                    .map(|c| format!("{old}.{c} IS NOT DISTINCT FROM {new}.{c}")),
            )
            .collect::<Vec<_>>()
            .join(" AND ")
    };
    let mut statements = Vec::new();
    if let Some(Surrogate::Kept { column, dependents }) = &versioned.surrogate {
        for (dependent, reference) in *dependents {
            // Kept dependents of a row that is put back name its new number.
            statements.push(format!(
                "UPDATE {dependent}_history SET {reference} = n.{column} \
                 FROM {t} n JOIN {t}_history o ON n.added_in = {pending} \
                 AND o.removed_in = {pending} AND {} \
                 WHERE {dependent}_history.removed_in = {pending} \
                 AND o.{column} = {dependent}_history.{reference}",
                same("n", "o")
            ));
        }
    }
    let restored = match &versioned.surrogate {
        Some(Surrogate::Restored(column)) => Some(*column),
        _ => None,
    };
    let sets = ["added_in"]
        .into_iter()
        .chain(restored)
        .map(|c| format!("{c} = o.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    statements.push(format!(
        "UPDATE {t} SET {sets} FROM {t}_history o \
         WHERE {t}.added_in = {pending} AND o.removed_in = {pending} AND {}",
        same(t, "o")
    ));
    let kept = format!("{t}_history");
    let same_number = restored.map_or_else(String::new, |c| format!(" AND n.{c} = {kept}.{c}"));
    statements.push(format!(
        "DELETE FROM {kept} WHERE removed_in = {pending} AND EXISTS \
         (SELECT 1 FROM {t} n WHERE n.added_in = {kept}.added_in AND {}{same_number})",
        same("n", &kept),
    ));
    statements.join(";\n") + ";"
}

/// Runs `f` with the tables as they stood at vintage `vintage`, inside the read transaction
/// the caller opened (`db::read_snapshot`), which must end by rolling back: on SQLite the views
/// are temporary ones that shadow the tables, and go with the rollback; on Postgres the views of
/// the `trilateral_as_of` schema come first on the search path, for this transaction only.
pub fn as_of(conn: &mut DbConnection, vintage: i64) -> QueryResult<()> {
    match conn.backend() {
        Backend::Postgres => conn.batch_execute(&format!(
            "SELECT set_config('trilateral.as_of', '{vintage}', true), \
                    set_config('search_path', \
                               'trilateral_as_of, ' || current_setting('search_path'), true)"
        )),
        Backend::Sqlite => {
            let views = VERSIONED
                .iter()
                .map(|v| {
                    let (t, columns) = (v.table, v.columns().join(", "));
                    format!(
                        "DROP VIEW IF EXISTS temp.{t}; CREATE TEMP VIEW {t} AS \
                         SELECT {columns} FROM main.{t} WHERE added_in <= {vintage} \
                         UNION ALL SELECT {columns} FROM main.{t}_history \
                         WHERE added_in <= {vintage} AND removed_in > {vintage};"
                    )
                })
                .collect::<String>();
            conn.batch_execute(&views)
        }
    }
}

/// `f`'s result with the tables as they stood at `vintage`, inside a read's transaction (which
/// may itself be as of another vintage): in a savepoint that is always rolled back, so the read
/// goes on as before.
fn at<T>(
    conn: &mut DbConnection,
    vintage: i64,
    f: impl FnOnce(&mut DbConnection) -> QueryResult<T>,
) -> QueryResult<T> {
    use diesel::connection::TransactionManager;
    DbConnection::begin_transaction(conn)?;
    let result = as_of(conn, vintage).and_then(|()| f(conn));
    DbConnection::rollback_transaction(conn)?;
    result
}

/// The canonical rows (`canonical::rows`) of dataset `dataset_id` of `family` that vintage `shown`
/// has and vintage `other` does not: against the version before, the rows it added or changed;
/// against the version after, the rows that one removed or changed. Rows both have are not read,
/// so the rows two versions of a large dataset share cost nothing but the filter.
pub fn rows_only_at(
    conn: &mut DbConnection,
    family: DatasetFamily,
    dataset_id: &str,
    shown: i64,
    other: i64,
) -> QueryResult<super::canonical::Rows> {
    let main = versioned(main_table(family, dataset_id))?;
    at(conn, shown, |conn| {
        // Every other table stays as of `shown`, so that joins (an observation's series) and
        // filters see the dataset as it was then.
        match conn.backend() {
            Backend::Postgres => conn.batch_execute(&format!(
                "SELECT set_config('trilateral.not_at', '{other}', true), \
                        set_config('search_path', \
                                   'trilateral_changed, ' || current_setting('search_path'), true)"
            )),
            Backend::Sqlite => {
                let (t, columns) = (main.table, main.columns().join(", "));
                conn.batch_execute(&format!(
                    "DROP VIEW temp.{t}; CREATE TEMP VIEW {t} AS \
                     SELECT {columns} FROM main.{t} \
                     WHERE added_in <= {shown} AND added_in > {other} \
                     UNION ALL SELECT {columns} FROM main.{t}_history \
                     WHERE added_in <= {shown} AND removed_in > {shown} \
                     AND NOT (added_in <= {other} AND removed_in > {other});"
                ))
            }
        }?;
        super::canonical::rows(conn, family, dataset_id)
    })
}

/// The latest vintage, if any.
pub fn latest(conn: &mut DbConnection) -> QueryResult<Option<VintageRow>> {
    vintages::table
        .order(vintages::id.desc())
        .select(VintageRow::as_select())
        .first(conn)
        .optional()
}

/// The vintage numbered `id`.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<VintageRow>> {
    vintages::table
        .find(id)
        .select(VintageRow::as_select())
        .first(conn)
        .optional()
}

/// The latest vintage made before `before`.
pub fn made_before(
    conn: &mut DbConnection,
    before: NaiveDateTime,
) -> QueryResult<Option<VintageRow>> {
    vintages::table
        .filter(vintages::made_at.lt(before))
        .order(vintages::id.desc())
        .select(VintageRow::as_select())
        .first(conn)
        .optional()
}

/// The latest vintage the tables show: the current one, or the one a read is as of (every
/// vintage writes its dataset's row).
pub fn shown() -> diesel::expression::SqlLiteral<BigInt> {
    sql::<BigInt>("(SELECT COALESCE(MAX(added_in), 0) FROM datasets)")
}

/// Up to `limit` vintages after `since` that the tables show, oldest first (the changes feed).
pub fn after(conn: &mut DbConnection, since: i64, limit: i64) -> QueryResult<Vec<VintageRow>> {
    vintages::table
        .filter(vintages::id.gt(since))
        .filter(vintages::id.le(shown()))
        .order(vintages::id)
        .limit(limit)
        .select(VintageRow::as_select())
        .load(conn)
}

/// A dataset's vintages that the tables show, newest first.
pub fn of_dataset(conn: &mut DbConnection, dataset_id: &str) -> QueryResult<Vec<VintageRow>> {
    vintages::table
        .filter(vintages::dataset_id.eq(dataset_id))
        .filter(vintages::id.le(shown()))
        .order(vintages::version.desc())
        .select(VintageRow::as_select())
        .load(conn)
}

/// What pruning removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Vintages no longer kept.
    pub vintages: usize,
    /// Kept rows deleted, all tables together.
    pub rows: usize,
}

/// Keeps the last `keep` versions of every dataset and deletes the kept rows that only earlier
/// ones had: a dataset's versions before them are marked as not kept, and a read as of a vintage
/// that would show one of them is refused (`unknown-vintage`). Runs in one write transaction.
pub fn prune(conn: &mut DbConnection, keep: usize) -> QueryResult<Pruned> {
    super::write_transaction(conn, |conn| {
        let mut pruned = Pruned::default();
        let datasets: Vec<String> = vintages::table
            .select(vintages::dataset_id)
            .distinct()
            .order(vintages::dataset_id)
            .load(conn)?;
        for dataset_id in datasets {
            let ids: Vec<i64> = vintages::table
                .filter(vintages::dataset_id.eq(&dataset_id))
                .order(vintages::id.desc())
                .select(vintages::id)
                .load(conn)?;
            // The oldest vintage kept: every row any kept one shows was removed after it.
            let Some(&oldest_kept) = ids.get(keep.saturating_sub(1)) else {
                continue;
            };
            pruned.vintages += diesel::update(
                vintages::table
                    .filter(vintages::dataset_id.eq(&dataset_id))
                    .filter(vintages::id.lt(oldest_kept))
                    .filter(vintages::kept),
            )
            .set(vintages::kept.eq(false))
            .execute(conn)?;
            // Dependents first: their owners' kept rows say which are the dataset's. The
            // catalogue's rows stay: they are what tells a read as of an earlier vintage that it
            // would show a version no longer kept.
            for versioned in VERSIONED.iter().rev().filter(|v| v.table != "datasets") {
                pruned.rows += diesel::sql_query(format!(
                    "DELETE FROM {}_history WHERE removed_in <= {oldest_kept} AND {}",
                    versioned.table,
                    versioned.owned_by(&dataset_id)
                ))
                .execute(conn)?;
            }
        }
        Ok(pruned)
    })
}

/// The versions of datasets that are no longer kept, as (dataset, version).
pub fn not_kept(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    vintages::table
        .filter(vintages::kept.eq(false))
        .select((vintages::dataset_id, vintages::version))
        .load(conn)
}

/// The SHA-256 of every dataset version that has one, by (dataset, version).
pub fn checksums(conn: &mut DbConnection) -> QueryResult<Vec<((String, i64), String)>> {
    let rows: Vec<(String, i64, Option<String>)> = vintages::table
        .filter(vintages::checksum.is_not_null())
        .select((vintages::dataset_id, vintages::version, vintages::checksum))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, version, checksum)| Some(((id, version), checksum?)))
        .collect())
}

/// On SQLite, the latest vintage of a treaty dataset after the one the tables show, if any: the
/// full-text index holds the provisions current now, so a search as of an earlier vintage would
/// miss the provisions removed since and rank by today's texts. (On Postgres a provision's
/// search vector is its own and is kept with it, so a search as of any vintage is exact.)
pub fn search_index_is_newer(conn: &mut DbConnection) -> QueryResult<Option<i64>> {
    if conn.backend() != Backend::Sqlite {
        return Ok(None);
    }
    let latest = diesel::select(sql::<BigInt>(
        "(SELECT COALESCE(MAX(v.id), 0) FROM vintages v \
          JOIN main.datasets d ON d.id = v.dataset_id \
          WHERE d.family = 'treaties')",
    ))
    .get_result::<i64>(conn)?;
    let shown = diesel::select(shown()).get_result::<i64>(conn)?;
    Ok((latest > shown).then_some(latest))
}

#[cfg(test)]
mod tests {
    use diesel::sql_types::Text;

    use super::*;
    use crate::db::ConnectionManager;

    #[derive(QueryableByName)]
    struct ColumnName {
        #[diesel(sql_type = Text)]
        name: String,
    }

    fn columns(conn: &mut DbConnection, table: &str) -> Vec<String> {
        let mut names: Vec<String> =
            diesel::sql_query(format!("SELECT name FROM pragma_table_info('{table}')"))
                .load::<ColumnName>(conn)
                .expect("columns")
                .into_iter()
                .map(|c| c.name)
                .collect();
        names.sort();
        names
    }

    /// The lists of `VERSIONED` name every column of their tables, and the history twins have
    /// the same columns and `removed_in`: a column left out would be neither compared nor kept.
    #[test]
    fn the_versioned_tables_are_listed_with_every_column() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = dir.path().join("vintages.db").display().to_string();
        let mut conn = ConnectionManager::new(&url)
            .connect_to_initialise()
            .expect("file created");
        super::super::run_migrations(&mut conn).expect("migrated");
        for versioned in &VERSIONED {
            let mut listed: Vec<String> =
                versioned.columns().into_iter().map(str::to_owned).collect();
            listed.sort();
            assert_eq!(
                columns(&mut conn, versioned.table),
                listed,
                "{}",
                versioned.table
            );
            listed.push("removed_in".to_owned());
            listed.sort();
            let history = format!("{}_history", versioned.table);
            assert_eq!(columns(&mut conn, &history), listed, "{history}");
        }
    }
}
