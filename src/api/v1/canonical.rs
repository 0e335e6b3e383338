//! A dataset's canonical rows (`db::canonical`) in the API's formats: the stored rows as flat
//! records, and the rows that differ between two versions, each with its `op`.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::api::caching::Reply;
use crate::api::format::CsvRecord;
use crate::api::table::Column;
use crate::api::v1::sources::SourceResponse;
use crate::api::v1::trade::TradeFlow;
use crate::db::canonical::{CanonicalRow, Rows};
use crate::db::countries::CountryRow;
use crate::db::series::ObservationRow;
use crate::db::sources::SourceRow;
use crate::db::treaties::ProvisionRow;
use crate::error::ApiError;
use actix_web::HttpResponse;

/// What a version did to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowOp {
    /// In the later version only.
    Added,
    /// In the earlier version only: the row as it was.
    Removed,
    /// In both, with other values: the row as it is in the later version.
    Changed,
}

impl RowOp {
    fn as_str(self) -> &'static str {
        match self {
            RowOp::Added => "added",
            RowOp::Removed => "removed",
            RowOp::Changed => "changed",
        }
    }
}

/// A row that a version added, removed or changed: `op`, then the row's fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowChange<R> {
    pub op: RowOp,
    #[serde(flatten)]
    pub row: R,
}

/// A record whose changes are listed: its columns with `op` first.
pub trait Changeable: CsvRecord + Serialize {
    const WITH_OP: &'static [Column];
}

/// `op`, then `columns`; `N` is one more than their number (checked when compiled).
const fn with_op<const N: usize>(columns: &[Column]) -> [Column; N] {
    assert!(columns.len() + 1 == N, "N is the number of columns and op");
    let mut all = [Column::code("op"); N];
    let mut i = 0;
    while i < columns.len() {
        all[i + 1] = columns[i];
        i += 1;
    }
    all
}

impl<R: Changeable> CsvRecord for RowChange<R> {
    const COLUMNS: &'static [Column] = R::WITH_OP;

    // A CSV line cannot flatten a record into another (the csv crate writes no maps), but a
    // tuple of the two is written as one line.
    type Row<'a>
        = (&'static str, R::Row<'a>)
    where
        R: 'a;

    fn csv_row(&self) -> Self::Row<'_> {
        (self.op.as_str(), self.row.csv_row())
    }

    fn object_row(&self) -> impl Serialize + '_ {
        self
    }
}

/// Stored rows are flat already: their CSV line is the row itself.
macro_rules! stored_record {
    ($row:ty, $n:literal, [$($column:expr),+ $(,)?]) => {
        stored_record!($row, $n, &[$($column),+]);
    };
    ($row:ty, $n:literal, $columns:expr) => {
        impl CsvRecord for $row {
            const COLUMNS: &'static [Column] = $columns;
            type Row<'a> = &'a Self;

            fn csv_row(&self) -> &Self {
                self
            }
        }

        impl Changeable for $row {
            const WITH_OP: &'static [Column] = &with_op::<$n>(<$row as CsvRecord>::COLUMNS);
        }
    };
}

impl Changeable for TradeFlow {
    const WITH_OP: &'static [Column] = &with_op::<13>(<TradeFlow as CsvRecord>::COLUMNS);
}

stored_record!(
    ObservationRow,
    9,
    [
        Column::code("series_id"),
        Column::text("period"),
        Column::date("period_start"),
        Column::date("period_end"),
        Column::number("value"),
        Column::code("source_id"),
        Column::text("note"),
        Column::text("caveat"),
    ]
);

stored_record!(
    ProvisionRow,
    13,
    [
        Column::integer("id"),
        Column::code("treaty_id"),
        Column::code("dataset_id"),
        Column::code("lang"),
        Column::text("article"),
        Column::text("chapter"),
        Column::integer("position"),
        Column::text("heading"),
        Column::text("text"),
        Column::text("topics"),
        Column::code("tota_id"),
        Column::code("source_id"),
    ]
);

stored_record!(
    CountryRow,
    16,
    [
        Column::code("code"),
        Column::code("iso2"),
        Column::code("iso3"),
        Column::code("numeric"),
        Column::text("name"),
        Column::code("kind"),
        Column::code("currency_code"),
        Column::text("currency_codes"),
        Column::code("former_iso2"),
        Column::code("former_numeric"),
        Column::integer("valid_from"),
        Column::integer("valid_to"),
        Column::text("related_codes"),
        Column::text("note"),
        Column::code("source_id"),
    ]
);

// A source's line in `/v1/sources?format=csv` is its stored row already.
stored_record!(SourceRow, 11, <SourceResponse as CsvRecord>::COLUMNS);

/// The rows that differ between two versions of one dataset, in key order, from `before` and
/// `after`: the canonical rows of each that the other does not have (`vintages::rows_only_at`).
/// A row is the same one in both when its key is; one with the same values in both (written
/// again, or changed and changed back in between) is not a change.
fn differing<R: CanonicalRow>(before: Vec<R>, after: Vec<R>) -> Vec<(RowOp, R)> {
    let mut earlier: HashMap<R::Key, R> = before.into_iter().map(|row| (row.key(), row)).collect();
    let mut changes = Vec::new();
    for row in after {
        let op = match earlier.remove(&row.key()) {
            None => RowOp::Added,
            Some(old) if old.same_values(&row) => continue,
            Some(_) => RowOp::Changed,
        };
        changes.push((op, row));
    }
    changes.extend(earlier.into_values().map(|row| (RowOp::Removed, row)));
    changes.sort_by_key(|(_, row)| row.key());
    changes
}

fn as_changes<R: CanonicalRow, T: From<R>>(before: Vec<R>, after: Vec<R>) -> Vec<RowChange<T>> {
    differing(before, after)
        .into_iter()
        .map(|(op, row)| RowChange {
            op,
            row: T::from(row),
        })
        .collect()
}

/// The rows that differ between two versions of a dataset, as its family's records.
pub enum Changes {
    Flows(Vec<RowChange<TradeFlow>>),
    Observations(Vec<RowChange<ObservationRow>>),
    Provisions(Vec<RowChange<ProvisionRow>>),
    Countries(Vec<RowChange<CountryRow>>),
    Sources(Vec<RowChange<SourceRow>>),
}

/// A row change of any family, as the OpenAPI document describes the answer.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum AnyRowChange {
    Flow(RowChange<TradeFlow>),
    Observation(RowChange<ObservationRow>),
    Provision(RowChange<ProvisionRow>),
    Country(RowChange<CountryRow>),
    Source(RowChange<SourceRow>),
}

impl Changes {
    /// The rows that differ between `before` and `after`, the rows of two versions of one
    /// dataset (so of one family; `None` when they are not) that the other does not have.
    pub fn between(before: Rows, after: Rows) -> Option<Self> {
        Some(match (before, after) {
            (Rows::Flows(a), Rows::Flows(b)) => Changes::Flows(as_changes(a, b)),
            (Rows::Observations(a), Rows::Observations(b)) => {
                Changes::Observations(as_changes(a, b))
            }
            (Rows::Provisions(a), Rows::Provisions(b)) => Changes::Provisions(as_changes(a, b)),
            (Rows::Countries(a), Rows::Countries(b)) => Changes::Countries(as_changes(a, b)),
            (Rows::Sources(a), Rows::Sources(b)) => Changes::Sources(as_changes(a, b)),
            _ => return None,
        })
    }

    pub fn respond(self, reply: &Reply) -> Result<HttpResponse, ApiError> {
        let meta = reply.meta(&[]);
        match self {
            Changes::Flows(rows) => reply.collection(meta, rows, "changes"),
            Changes::Observations(rows) => reply.collection(meta, rows, "changes"),
            Changes::Provisions(rows) => reply.collection(meta, rows, "changes"),
            Changes::Countries(rows) => reply.collection(meta, rows, "changes"),
            Changes::Sources(rows) => reply.collection(meta, rows, "changes"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(columns: &[Column]) -> Vec<&'static str> {
        columns.iter().map(|c| c.name).collect()
    }

    /// The flat records name the canonical CSV's columns in its order, so that a row change's
    /// CSV is the download's line with `op` before it.
    #[test]
    fn flat_records_have_the_canonical_columns() {
        use crate::db::trade::TradeFlowRow;
        let pairs: [(&[Column], &[&str]); 5] = [
            (TradeFlow::COLUMNS, TradeFlowRow::COLUMNS),
            (
                <ObservationRow as CsvRecord>::COLUMNS,
                <ObservationRow as CanonicalRow>::COLUMNS,
            ),
            (
                <ProvisionRow as CsvRecord>::COLUMNS,
                <ProvisionRow as CanonicalRow>::COLUMNS,
            ),
            (
                <CountryRow as CsvRecord>::COLUMNS,
                <CountryRow as CanonicalRow>::COLUMNS,
            ),
            (
                <SourceRow as CsvRecord>::COLUMNS,
                <SourceRow as CanonicalRow>::COLUMNS,
            ),
        ];
        for (flat, canonical) in pairs {
            assert_eq!(names(flat), canonical);
        }
        assert_eq!(
            names(<RowChange<ProvisionRow> as CsvRecord>::COLUMNS)[..2],
            ["op", "id"]
        );
    }
}
