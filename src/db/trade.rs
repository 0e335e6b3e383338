//! Trade flows: filtered pages in id order (keyset, no OFFSET), streams of whole results, and the
//! writes of imports.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::trade_flows;
use crate::domain::period::Period;
use crate::domain::series::NativeFrequency;
use crate::domain::trade::FlowDirection;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = trade_flows)]
#[diesel(treat_none_as_default_value = false)]
pub struct TradeFlowRow {
    pub id: i64,
    pub dataset_id: String,
    pub reporter: String,
    pub partner: String,
    pub flow: FlowDirection,
    pub period: String,
    #[diesel(deserialize_as = super::stored_date::StoredDate)]
    pub period_start: NaiveDate,
    pub frequency: NativeFrequency,
    pub classification: String,
    pub product_code: String,
    pub value_usd: f64,
    pub source_id: String,
    pub note: Option<String>,
}

/// Which flows to read. Empty lists mean "any".
#[derive(Debug, Clone, Default)]
pub struct FlowFilter {
    pub reporters: Vec<String>,
    pub partners: Vec<String>,
    pub flow: Option<FlowDirection>,
    /// First and last day a flow's period may start on.
    pub start_from: Option<NaiveDate>,
    pub start_to: Option<NaiveDate>,
    pub frequency: Option<NativeFrequency>,
    pub products: Vec<String>,
    /// Dataset ids or source ids.
    pub sources: Vec<String>,
    /// Only the flows of this dataset.
    pub dataset: Option<String>,
    /// Only flows after this id (the keyset cursor).
    pub after_id: Option<i64>,
}

/// The matching flows as a boxed query for whichever backend the caller runs it on (a macro, so
/// that the same filter code serves the multi-backend connection and SQLite's own streaming).
macro_rules! matching {
    ($filter:expr) => {{
        let filter: &FlowFilter = $filter;
        let mut query = trade_flows::table.into_boxed();
        if !filter.reporters.is_empty() {
            query = query.filter(trade_flows::reporter.eq_any(filter.reporters.clone()));
        }
        if !filter.partners.is_empty() {
            query = query.filter(trade_flows::partner.eq_any(filter.partners.clone()));
        }
        if let Some(flow) = filter.flow {
            query = query.filter(trade_flows::flow.eq(flow));
        }
        if let Some(start) = filter.start_from {
            query = query.filter(trade_flows::period_start.ge(start));
        }
        if let Some(end) = filter.start_to {
            query = query.filter(trade_flows::period_start.le(end));
        }
        if let Some(frequency) = filter.frequency {
            query = query.filter(trade_flows::frequency.eq(frequency));
        }
        if !filter.products.is_empty() {
            query = query.filter(trade_flows::product_code.eq_any(filter.products.clone()));
        }
        if !filter.sources.is_empty() {
            query = query.filter(
                trade_flows::dataset_id
                    .eq_any(filter.sources.clone())
                    .or(trade_flows::source_id.eq_any(filter.sources.clone())),
            );
        }
        if let Some(dataset) = &filter.dataset {
            query = query.filter(trade_flows::dataset_id.eq(dataset.clone()));
        }
        if let Some(after) = filter.after_id {
            query = query.filter(trade_flows::id.gt(after));
        }
        query
    }};
}

/// The matching flows in id order.
macro_rules! filtered {
    ($filter:expr) => {{
        matching!($filter)
            .select(TradeFlowRow::as_select())
            .order(trade_flows::id)
    }};
}

/// The periods a dataset holds for flows between two countries (either reporting).
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct PairCoverage {
    pub dataset_id: String,
    pub first_period: String,
    pub last_period: String,
}

/// Which datasets hold flows between `a` and `b` of the given products, and their first and last
/// periods, for the message of an answer that found none in the requested range. One query:
/// each dataset's first and last period by frequency, of which the earliest start and the latest
/// end are kept.
#[tracing::instrument(level = "debug", skip(conn, products))]
pub fn pair_coverage(
    conn: &mut DbConnection,
    a: &str,
    b: &str,
    products: &[String],
) -> QueryResult<Vec<PairCoverage>> {
    use diesel::dsl::{max, min};
    let spans: Vec<(String, NativeFrequency, Option<String>, Option<String>)> = trade_flows::table
        .filter(
            trade_flows::reporter
                .eq(a)
                .and(trade_flows::partner.eq(b))
                .or(trade_flows::reporter.eq(b).and(trade_flows::partner.eq(a))),
        )
        .filter(trade_flows::product_code.eq_any(products))
        .group_by((trade_flows::dataset_id, trade_flows::frequency))
        .select((
            trade_flows::dataset_id,
            trade_flows::frequency,
            min(trade_flows::period),
            max(trade_flows::period),
        ))
        .order((trade_flows::dataset_id, trade_flows::frequency))
        .load(conn)?;
    let mut coverage: Vec<PairCoverage> = Vec::new();
    for (dataset_id, _, first, last) in spans {
        let (Some(first), Some(last)) = (first, last) else {
            continue;
        };
        // Where a dataset has years and months, the finer period names a shared first or last day.
        let (first_key, last_key) = (
            (bounds(&first)?.0, std::cmp::Reverse(first.len())),
            (bounds(&last)?.1, last.len()),
        );
        match coverage.last_mut().filter(|c| c.dataset_id == dataset_id) {
            Some(known) => {
                let known_first = (
                    bounds(&known.first_period)?.0,
                    std::cmp::Reverse(known.first_period.len()),
                );
                let known_last = (bounds(&known.last_period)?.1, known.last_period.len());
                if first_key < known_first {
                    known.first_period = first;
                }
                if last_key > known_last {
                    known.last_period = last;
                }
            }
            None => coverage.push(PairCoverage {
                dataset_id,
                first_period: first,
                last_period: last,
            }),
        }
    }
    Ok(coverage)
}

/// The first and last day of a stored period.
fn bounds(period: &str) -> QueryResult<(chrono::NaiveDate, chrono::NaiveDate)> {
    let parsed = Period::parse(period)
        .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?;
    Ok((parsed.first_day(), parsed.last_day()))
}

/// The datasets and sources of the matching flows: each `(dataset_id, source_id)` pair once.
#[tracing::instrument(level = "debug", skip_all)]
pub fn holders(conn: &mut DbConnection, filter: &FlowFilter) -> QueryResult<Vec<(String, String)>> {
    matching!(filter)
        .select((trade_flows::dataset_id, trade_flows::source_id))
        .distinct()
        .order((trade_flows::dataset_id, trade_flows::source_id))
        .load(conn)
}

/// Every matching flow, in id order.
#[tracing::instrument(level = "debug", skip_all)]
pub fn all(conn: &mut DbConnection, filter: &FlowFilter) -> QueryResult<Vec<TradeFlowRow>> {
    filtered!(filter).load(conn)
}

/// Hands every matching flow, in id order and at most `limit` of them, to `each` until it returns
/// `false`. One statement steps through the result row by row (libpq's single-row mode on
/// Postgres), so only a few rows are in memory whatever the size of the result, and every row
/// comes from the same snapshot.
#[tracing::instrument(level = "debug", skip_all, fields(limit = ?limit))]
pub fn for_each(
    conn: &mut DbConnection,
    filter: &FlowFilter,
    limit: Option<i64>,
    mut each: impl FnMut(TradeFlowRow) -> bool,
) -> QueryResult<()> {
    macro_rules! step_through {
        ($conn:expr, $mode:ty) => {{
            let mut query = filtered!(filter);
            if let Some(limit) = limit {
                query = query.limit(limit);
            }
            for row in query.load_iter::<TradeFlowRow, $mode>($conn)? {
                if !each(row?) {
                    break;
                }
            }
            Ok(())
        }};
    }
    match conn {
        DbConnection::Sqlite(conn) => {
            step_through!(conn, diesel::connection::DefaultLoadingMode)
        }
        DbConnection::Postgres(conn) => {
            step_through!(conn, diesel::pg::PgRowByRowLoadingMode)
        }
    }
}

/// The largest id in use, so that an import can number its rows after it.
pub fn max_id(conn: &mut DbConnection) -> QueryResult<i64> {
    trade_flows::table
        .select(diesel::dsl::max(trade_flows::id))
        .first::<Option<i64>>(conn)
        .map(|max| max.unwrap_or(0))
}

/// Deletes every flow of a dataset.
pub fn delete_dataset(conn: &mut DbConnection, dataset_id: &str) -> QueryResult<usize> {
    diesel::delete(trade_flows::table.filter(trade_flows::dataset_id.eq(dataset_id))).execute(conn)
}

/// How the indexes of `trade_flows` keep up with an import's rows. Each row written or deleted
/// goes into or out of the table and its five indexes, a seek into each; building the five anew,
/// by sorting, costs SQLite about two thirds of writing into them (BENCHMARKS.md). So on SQLite,
/// once the flows an import replaces and writes outnumber those of the other datasets, the
/// indexes are set aside, inside the import's transaction (readers keep theirs until it
/// commits), and built again by [`IndexUpkeep::finish`] once the dataset's vintage is complete:
/// the rows put back under their old ids then move in the table alone. The build sorts at most
/// twice the rows the import replaced and wrote; an import smaller than what is beside it keeps
/// the indexes throughout, and so does Postgres, whose `COPY` keeps up with them already. With
/// the unique key set aside, a flow repeated within the file is still found by the importer's
/// own hashes, and a repeat that slipped by would fail the build, and with it the import.
#[derive(Debug)]
#[must_use = "the indexes set aside are built again by `finish`"]
pub struct IndexUpkeep {
    /// How many flows the other datasets hold; none on Postgres.
    beside: Option<i64>,
    /// How many flows of the dataset the import replaces.
    replaced: i64,
    /// The statements that make the indexes set aside.
    set_aside: Vec<String>,
}

impl IndexUpkeep {
    /// Starts the upkeep of an import into dataset `dataset_id`, before its flows are deleted,
    /// setting the indexes aside at once if those flows outnumber the others.
    pub fn start(conn: &mut DbConnection, dataset_id: &str) -> QueryResult<Self> {
        let (beside, replaced) = match conn {
            DbConnection::Sqlite(c) => {
                let all: i64 = trade_flows::table.count().get_result(c)?;
                let replaced: i64 = trade_flows::table
                    .filter(trade_flows::dataset_id.eq(dataset_id))
                    .count()
                    .get_result(c)?;
                (Some(all - replaced), replaced)
            }
            DbConnection::Postgres(_) => (None, 0),
        };
        let mut upkeep = Self {
            beside,
            replaced,
            set_aside: Vec::new(),
        };
        upkeep.written(conn, 0)?;
        Ok(upkeep)
    }

    /// Sets the indexes aside once the flows replaced and `written` outnumber the others.
    pub fn written(&mut self, conn: &mut DbConnection, written: usize) -> QueryResult<()> {
        let outnumbered = self
            .beside
            .is_some_and(|beside| self.replaced + written as i64 > beside);
        if !self.set_aside.is_empty() || !outnumbered {
            return Ok(());
        }
        #[derive(QueryableByName)]
        struct Index {
            #[diesel(sql_type = diesel::sql_types::Text)]
            name: String,
            #[diesel(sql_type = diesel::sql_types::Text)]
            sql: String,
        }
        // An index SQLite made for a constraint has no SQL of its own, and stays.
        let indexes: Vec<Index> = diesel::sql_query(
            "SELECT name, sql FROM sqlite_schema \
             WHERE type = 'index' AND tbl_name = 'trade_flows' AND sql IS NOT NULL",
        )
        .load(conn)?;
        for index in indexes {
            diesel::sql_query(format!("DROP INDEX \"{}\"", index.name)).execute(conn)?;
            self.set_aside.push(index.sql);
        }
        Ok(())
    }

    /// Builds again the indexes set aside: once the dataset's vintage is complete, before the
    /// import's transaction commits.
    pub fn finish(self, conn: &mut DbConnection) -> QueryResult<()> {
        for sql in self.set_aside {
            diesel::sql_query(sql).execute(conn)?;
        }
        Ok(())
    }
}

/// Stores `rows`.
pub fn insert(conn: &mut DbConnection, rows: &[TradeFlowRow]) -> QueryResult<usize> {
    super::insert_rows!(conn, trade_flows::table, rows)
}

/// Whether dataset `row.dataset_id` already holds a flow with the key of `row` (reporter, partner,
/// flow, period, classification, product and source): a flow is unique within its dataset, and
/// other datasets may hold the same one (`trade_flows_key_idx`).
pub fn is_stored(conn: &mut DbConnection, row: &TradeFlowRow) -> QueryResult<bool> {
    trade_flows::table
        .filter(trade_flows::reporter.eq(&row.reporter))
        .filter(trade_flows::partner.eq(&row.partner))
        .filter(trade_flows::flow.eq(&row.flow))
        .filter(trade_flows::period.eq(&row.period))
        .filter(trade_flows::classification.eq(&row.classification))
        .filter(trade_flows::product_code.eq(&row.product_code))
        .filter(trade_flows::source_id.eq(&row.source_id))
        .filter(trade_flows::dataset_id.eq(&row.dataset_id))
        .select(trade_flows::id)
        .first::<i64>(conn)
        .optional()
        .map(|id| id.is_some())
}
