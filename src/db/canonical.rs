//! A dataset's canonical table: the rows of the table its versions count changes in (flows,
//! observations, provisions, countries or sources) as the tables show them, in a fixed order.
//! Its CSV has the same bytes on both backends: `/v1/datasets/{id}/download` serves it, each
//! version records its SHA-256 (`vintages::complete`), and `/v1/datasets/{id}/changes` compares
//! its rows between versions.

use std::hash::Hash;
use std::io::Write;

use diesel::prelude::*;
use diesel::result::Error::QueryBuilderError;
use serde::Serialize;
use sha2::{Digest, Sha256};

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
    /// The row as one record: its fields named and in the order of `COLUMNS`.
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

/// A flow as its canonical record has it: the columns of the flows export.
#[derive(Serialize)]
struct FlowRecord<'a> {
    id: i64,
    reporter: &'a str,
    partner: &'a str,
    flow: &'static str,
    period: &'a str,
    frequency: &'static str,
    classification: &'a str,
    product_code: &'a str,
    value_usd: f64,
    source_id: &'a str,
    dataset_id: &'a str,
    note: Option<&'a str>,
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
        FlowRecord {
            id: self.id,
            reporter: &self.reporter,
            partner: &self.partner,
            flow: self.flow.as_str(),
            period: &self.period,
            frequency: self.frequency.as_str(),
            classification: &self.classification,
            product_code: &self.product_code,
            value_usd: self.value_usd,
            source_id: &self.source_id,
            dataset_id: &self.dataset_id,
            note: self.note.as_deref(),
        }
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

/// The SHA-256 (hex) of dataset `dataset_id`'s canonical CSV, as the tables show it: a pass over
/// its rows that keeps none of them.
pub fn checksum(
    conn: &mut DbConnection,
    family: DatasetFamily,
    dataset_id: &str,
) -> QueryResult<String> {
    let mut digest = Sha256::new();
    write(conn, family, dataset_id, Encoding::Csv, &mut digest)?;
    Ok(crate::domain::hex(&digest.finalize()))
}

/// The checksum of a canonical CSV taken a row at a time, by a writer that has the rows in their
/// canonical order as it writes them: a trade import numbers its flows in the order it writes
/// them, so that it need not read them back afterwards (`vintages::complete`).
pub struct RunningChecksum<R> {
    /// Where the rows go; the first error, should writing to the digest ever fail.
    sink: Result<Sink<Sha256>, WriteError>,
    rows: std::marker::PhantomData<fn(&R)>,
}

impl<R: CanonicalRow> RunningChecksum<R> {
    pub fn new() -> Self {
        Self {
            sink: Sink::new(Encoding::Csv, Sha256::new(), R::COLUMNS),
            rows: std::marker::PhantomData,
        }
    }

    pub fn add(&mut self, row: &R) {
        if let Ok(sink) = &mut self.sink
            && let Err(error) = sink.row(row.record())
        {
            self.sink = Err(error);
        }
    }

    /// The SHA-256 (hex) of the header and the rows added, as `checksum` takes it; none if a
    /// row could not be written (then the rows are read again for it).
    pub fn finish(self) -> Option<String> {
        let digest = self.sink.and_then(Sink::into_inner).ok()?;
        Some(crate::domain::hex(&digest.finalize()))
    }
}

impl<R: CanonicalRow> Default for RunningChecksum<R> {
    fn default() -> Self {
        Self::new()
    }
}

/// How a canonical table is written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// A header of the family's columns, then a line per row: the form each version's SHA-256
    /// is taken of.
    Csv,
    /// An object per line, keyed by the same columns, values typed.
    Ndjson,
}

/// Where rows are written, in either encoding.
enum Sink<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Ndjson(W),
}

type WriteError = Box<dyn std::error::Error + Send + Sync>;

impl<W: Write> Sink<W> {
    fn new(encoding: Encoding, out: W, columns: &[&str]) -> Result<Self, WriteError> {
        Ok(match encoding {
            Encoding::Csv => {
                let mut writer = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(out);
                writer.write_record(columns)?;
                Sink::Csv(Box::new(writer))
            }
            Encoding::Ndjson => Sink::Ndjson(out),
        })
    }

    fn row(&mut self, record: impl Serialize) -> Result<(), WriteError> {
        match self {
            Sink::Csv(writer) => writer.serialize(record)?,
            Sink::Ndjson(out) => {
                serde_json::to_writer(&mut *out, &record)?;
                out.write_all(b"\n")?;
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<(), WriteError> {
        self.into_inner().map(drop)
    }

    /// Flushes what is buffered and hands back where it went.
    fn into_inner(self) -> Result<W, WriteError> {
        match self {
            Sink::Csv(writer) => writer.into_inner().map_err(|e| e.into_error().into()),
            Sink::Ndjson(mut out) => {
                out.flush()?;
                Ok(out)
            }
        }
    }
}

/// Writes the canonical table of dataset `dataset_id` of `family`, as the tables show it, to
/// `out`: its rows in the order of `rows`, numbers as Rust writes them (so the same bytes on both
/// backends). A trade dataset's flows are streamed, not held.
pub fn write(
    conn: &mut DbConnection,
    family: DatasetFamily,
    dataset_id: &str,
    encoding: Encoding,
    out: impl Write,
) -> QueryResult<()> {
    fn write_all<R: CanonicalRow, W: Write>(
        encoding: Encoding,
        out: W,
        rows: &[R],
    ) -> Result<(), WriteError> {
        let mut sink = Sink::new(encoding, out, R::COLUMNS)?;
        for row in rows {
            sink.row(row.record())?;
        }
        sink.finish()
    }
    let written = match family {
        DatasetFamily::Trade => {
            let mut sink =
                Sink::new(encoding, out, TradeFlowRow::COLUMNS).map_err(QueryBuilderError)?;
            let mut written = Ok(());
            trade::for_each(conn, &dataset_flows(dataset_id), None, |row| {
                written = sink.row(row.record());
                written.is_ok()
            })?;
            written.and_then(|()| sink.finish())
        }
        _ => match rows(conn, family, dataset_id)? {
            Rows::Flows(rows) => write_all(encoding, out, &rows),
            Rows::Observations(rows) => write_all(encoding, out, &rows),
            Rows::Provisions(rows) => write_all(encoding, out, &rows),
            Rows::Countries(rows) => write_all(encoding, out, &rows),
            Rows::Sources(rows) => write_all(encoding, out, &rows),
        },
    };
    written.map_err(QueryBuilderError)
}
