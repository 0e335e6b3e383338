//! A dataset's canonical table: the rows of the table its versions count changes in (flows,
//! observations, provisions, countries or sources) as the tables show them, in a fixed order.
//! Its CSV has the same bytes on both backends: `/v1/datasets/{id}/download` serves it, each
//! version records its SHA-256 (`vintages::complete`), and `/v1/datasets/{id}/changes` compares
//! its rows between versions.

use std::hash::Hash;
use std::io::Write;

use diesel::prelude::*;
use serde::Serialize;

use super::DbConnection;
use super::countries::CountryRow;
use super::schema::{countries, observations, provisions, series, sources};
use super::series::ObservationRow;
use super::sources::SourceRow;
use super::trade::{self, TradeFlowRow};
use super::treaties::ProvisionRow;
use crate::domain::source::DatasetFamily;

/// A row of a canonical table.
pub trait CanonicalRow: Sized {
    /// What makes it the same row in two versions: the table's key.
    type Key: Hash + Ord;
    /// The CSV's columns, in the order the row serialises them.
    const COLUMNS: &'static [&'static str];

    fn key(&self) -> Self::Key;
    /// Whether `other`, the row of the same key in another version, carries the same values. An
    /// id the service gives a row (a flow's, a provision's) is not a value: a flow written again
    /// unchanged may have a new one.
    fn same_values(&self, other: &Self) -> bool;
    /// The row as one CSV record, in the order of `COLUMNS`.
    fn record(&self) -> impl Serialize + '_;
}

/// Whether two rows of type `$row` carry the same values, their id aside. The pattern names every
/// field, so a column added to the row fails to compile until it is compared here too.
macro_rules! same_but_id {
    ($row:ident, $a:expr, $b:expr, $($field:ident),+) => {{
        let $row { id: _, $($field),+ } = $a;
        true $(&& *$field == $b.$field)+
    }};
}

impl CanonicalRow for TradeFlowRow {
    type Key = (String, String, &'static str, String, String, String, String);
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "reporter",
        "partner",
        "flow",
        "period",
        "frequency",
        "classification",
        "product_code",
        "value_usd",
        "source_id",
        "dataset_id",
        "note",
    ];

    fn key(&self) -> Self::Key {
        (
            self.reporter.clone(),
            self.partner.clone(),
            self.flow.as_str(),
            self.period.clone(),
            self.classification.clone(),
            self.product_code.clone(),
            self.source_id.clone(),
        )
    }

    fn same_values(&self, other: &Self) -> bool {
        same_but_id!(
            TradeFlowRow,
            self,
            other,
            dataset_id,
            reporter,
            partner,
            flow,
            period,
            period_start,
            frequency,
            classification,
            product_code,
            value_usd,
            source_id,
            note
        )
    }

    fn record(&self) -> impl Serialize + '_ {
        (
            self.id,
            &self.reporter,
            &self.partner,
            self.flow.as_str(),
            &self.period,
            self.frequency.as_str(),
            &self.classification,
            &self.product_code,
            self.value_usd,
            &self.source_id,
            &self.dataset_id,
            self.note.as_deref(),
        )
    }
}

impl CanonicalRow for ObservationRow {
    type Key = (String, String);
    const COLUMNS: &'static [&'static str] = &[
        "series_id",
        "period",
        "period_start",
        "period_end",
        "value",
        "source_id",
        "note",
        "caveat",
    ];

    fn key(&self) -> Self::Key {
        (self.series_id.clone(), self.period.clone())
    }

    fn same_values(&self, other: &Self) -> bool {
        self == other
    }

    fn record(&self) -> impl Serialize + '_ {
        self
    }
}

impl CanonicalRow for ProvisionRow {
    type Key = (String, &'static str, String);
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "treaty_id",
        "dataset_id",
        "lang",
        "article",
        "chapter",
        "position",
        "heading",
        "text",
        "topics",
        "tota_id",
        "source_id",
    ];

    fn key(&self) -> Self::Key {
        (
            self.treaty_id.clone(),
            self.lang.as_str(),
            self.article.clone(),
        )
    }

    fn same_values(&self, other: &Self) -> bool {
        same_but_id!(
            ProvisionRow,
            self,
            other,
            treaty_id,
            dataset_id,
            lang,
            article,
            chapter,
            position,
            heading,
            text,
            topics,
            tota_id,
            source_id
        )
    }

    fn record(&self) -> impl Serialize + '_ {
        self
    }
}

impl CanonicalRow for CountryRow {
    type Key = String;
    const COLUMNS: &'static [&'static str] = &[
        "code",
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
    ];

    fn key(&self) -> Self::Key {
        self.code.clone()
    }

    fn same_values(&self, other: &Self) -> bool {
        self == other
    }

    fn record(&self) -> impl Serialize + '_ {
        self
    }
}

impl CanonicalRow for SourceRow {
    type Key = String;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "family",
        "publisher",
        "title",
        "url",
        "licence",
        "coverage",
        "transformations",
        "notes",
        "basis",
    ];

    fn key(&self) -> Self::Key {
        self.id.clone()
    }

    fn same_values(&self, other: &Self) -> bool {
        self == other
    }

    fn record(&self) -> impl Serialize + '_ {
        self
    }
}

/// A dataset's canonical rows, by the family of its table.
#[derive(Debug)]
pub enum Rows {
    Flows(Vec<TradeFlowRow>),
    Observations(Vec<ObservationRow>),
    Provisions(Vec<ProvisionRow>),
    Countries(Vec<CountryRow>),
    Sources(Vec<SourceRow>),
}

/// The canonical rows of dataset `dataset_id` of `family`, as the tables show them. Flows and
/// provisions are in id order, the others in key order; strings are sorted here, byte by byte,
/// since the two backends' collations may not agree.
pub fn rows(conn: &mut DbConnection, family: DatasetFamily, dataset_id: &str) -> QueryResult<Rows> {
    fn by_key<R: CanonicalRow>(mut rows: Vec<R>) -> Vec<R> {
        rows.sort_by_key(R::key);
        rows
    }
    Ok(match family {
        DatasetFamily::Trade => {
            let mut flows = Vec::new();
            trade::for_each(conn, &dataset_flows(dataset_id), None, |row| {
                flows.push(row);
                true
            })?;
            Rows::Flows(flows)
        }
        DatasetFamily::Wages => Rows::Observations(by_key(
            observations::table
                .inner_join(series::table)
                .filter(series::dataset_id.eq(dataset_id))
                .select(ObservationRow::as_select())
                .load(conn)?,
        )),
        DatasetFamily::Treaties => Rows::Provisions(
            provisions::table
                .filter(provisions::dataset_id.eq(dataset_id))
                .order(provisions::id)
                .select(ProvisionRow::as_select())
                .load(conn)?,
        ),
        DatasetFamily::Reference if dataset_id == "sources" => Rows::Sources(by_key(
            sources::table.select(SourceRow::as_select()).load(conn)?,
        )),
        DatasetFamily::Reference => Rows::Countries(by_key(
            countries::table
                .select(CountryRow::as_select())
                .load(conn)?,
        )),
    })
}

fn dataset_flows(dataset_id: &str) -> trade::FlowFilter {
    trade::FlowFilter {
        dataset: Some(dataset_id.to_owned()),
        ..trade::FlowFilter::default()
    }
}

/// Writes the canonical CSV of dataset `dataset_id` of `family`, as the tables show it: a header
/// of the family's columns, then its rows, numbers as Rust writes them (so the same on both
/// backends). A trade dataset's flows are streamed, not held.
pub fn write_csv(
    conn: &mut DbConnection,
    family: DatasetFamily,
    dataset_id: &str,
    out: impl Write,
) -> QueryResult<()> {
    fn write_all<R: CanonicalRow>(
        writer: &mut csv::Writer<impl Write>,
        rows: &[R],
    ) -> csv::Result<()> {
        writer.write_record(R::COLUMNS)?;
        rows.iter()
            .try_for_each(|row| writer.serialize(row.record()))
    }
    let failed = |e: csv::Error| diesel::result::Error::QueryBuilderError(e.into());
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(out);
    let written = match family {
        DatasetFamily::Trade => {
            writer.write_record(TradeFlowRow::COLUMNS).map_err(failed)?;
            let mut written = Ok(());
            trade::for_each(conn, &dataset_flows(dataset_id), None, |row| {
                written = writer.serialize(row.record());
                written.is_ok()
            })?;
            written
        }
        _ => match rows(conn, family, dataset_id)? {
            Rows::Flows(rows) => write_all(&mut writer, &rows),
            Rows::Observations(rows) => write_all(&mut writer, &rows),
            Rows::Provisions(rows) => write_all(&mut writer, &rows),
            Rows::Countries(rows) => write_all(&mut writer, &rows),
            Rows::Sources(rows) => write_all(&mut writer, &rows),
        },
    };
    written.map_err(failed)?;
    writer
        .flush()
        .map_err(|e| diesel::result::Error::QueryBuilderError(e.into()))
}
