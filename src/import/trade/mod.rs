//! Trade flows: the bundled files under `data/trade/` (see its PROVENANCE.md) and the importers
//! for the official formats. Every reader produces `Flow`s; `Batch` checks them against the
//! country codes and sources, numbers them after the flows already stored, and replaces the
//! target dataset inside the caller's transaction, a chunk at a time.

mod bundled_files;
pub mod census;
pub mod comtrade;
pub mod tidy_csv;

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::mpsc::{self, Receiver, SyncSender};

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

pub use bundled_files::{AGTPA, CENSUS, COMTRADE_4YEARLY};

use super::ImportError;
use super::csv_rows::row_error;
use crate::db::DbConnection;
use crate::db::canonical::RunningChecksum;
use crate::db::schema::{countries, sources};
use crate::db::trade::{self as db_trade, TradeFlowRow};
use crate::domain::period::Period;
use crate::domain::series::NativeFrequency;
use crate::domain::trade::FlowDirection;

/// A flow as a reader understands it, before numbering.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    /// Where it came from, for error messages: the line or record number.
    pub line: u64,
    pub reporter: String,
    pub partner: String,
    pub flow: FlowDirection,
    pub period: Period,
    pub classification: String,
    pub product_code: String,
    pub value_usd: f64,
    pub source_id: String,
    pub note: Option<String>,
}

/// What a trade API response held. Both APIs mix totals and groupings in with the countries;
/// those rows are counted rather than stored, so that an import can say how many it left out.
#[derive(Debug, Default)]
pub struct Parsed {
    pub flows: Vec<Flow>,
    /// Rows of totals or country groupings (Comtrade's partner World, Census's `-`, `00nn` and
    /// `nXXX` codes), not flows between two countries.
    pub skipped_aggregates: usize,
}

/// Flows stored per savepoint: bounds the memory of an import whatever the size of its file.
const STORE_CHUNK_ROWS: usize = 10_000;

/// Chunks checked and waiting to be written: enough for the checking thread to stay ahead of the
/// writer, few enough to keep the memory of an import bounded.
const CHUNKS_AHEAD: usize = 2;

/// What a batch stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stored {
    pub rows: usize,
    /// First and last period, as stored (`2016`, `2016-07`).
    pub coverage: Option<(String, String)>,
    /// The SHA-256 of the canonical CSV of the flows stored, in the order they were numbered
    /// and written (`vintages::complete` takes it for the dataset's unless rows were put back).
    pub checksum: Option<String>,
}

impl Stored {
    fn count(&mut self, period: &str) {
        self.rows += 1;
        self.coverage = Some(match self.coverage.take() {
            None => (period.to_owned(), period.to_owned()),
            Some((first, last)) => (
                if period < first.as_str() {
                    period.to_owned()
                } else {
                    first
                },
                if period > last.as_str() {
                    period.to_owned()
                } else {
                    last
                },
            ),
        });
    }
}

/// Checks and stores a set of flows as the whole content of a dataset.
pub struct Batch<'a> {
    pub file: &'a str,
    pub dataset_id: &'a str,
    /// Whether `Flow::line` counts JSON records rather than lines.
    pub records: bool,
}

/// What a flow is checked against: the stored country codes in every form, and the sources.
struct Known {
    code_of: HashMap<String, String>,
    sources: HashSet<String>,
}

impl Batch<'_> {
    /// Validates every flow (known country codes in any form, known sources, a year or month as
    /// period, a finite non-negative value, no key twice) and replaces the dataset's flows with
    /// them, writing as it reads so that only a few chunks of flows are in memory at a time. Any
    /// bad row rejects the whole batch with its line; the caller's transaction keeps the database
    /// as it was. The flows are read and checked on a thread of their own while the chunks
    /// before them are written, so that an import takes the database's time, not the sum of the
    /// database's and the reading. The caller completes the dataset's vintage and then builds
    /// again the indexes the write may have set aside (`IndexUpkeep::finish`).
    pub fn store<F>(
        &self,
        conn: &mut DbConnection,
        flows: F,
    ) -> Result<(Stored, db_trade::IndexUpkeep), ImportError>
    where
        F: IntoIterator<Item = Result<Flow, ImportError>>,
        F::IntoIter: Send,
    {
        let known = Known {
            code_of: country_codes(conn)?,
            sources: sources::table
                .select(sources::id)
                .load(conn)?
                .into_iter()
                .collect(),
        };
        let first_id = db_trade::max_id(conn)? + 1;
        let mut indexes = db_trade::IndexUpkeep::start(conn, self.dataset_id)?;
        db_trade::delete_dataset(conn, self.dataset_id)?;
        let (sender, receiver) = mpsc::sync_channel(CHUNKS_AHEAD);
        let flows = flows.into_iter();
        std::thread::scope(|scope| {
            let checker = scope.spawn(|| self.check_all(&known, first_id, flows, sender));
            let written = self.write_all(conn, receiver, &mut indexes);
            // The checker ends at the last flow, at its first bad one, or when a failed write has
            // dropped the receiver.
            let stored = checker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            written.map(|()| (stored, indexes))
        })
    }

    /// Reads and checks every flow, handing them on to `write_all` a chunk at a time, with a bad
    /// flow as the last message. Returns what was handed on.
    fn check_all(
        &self,
        known: &Known,
        first_id: i64,
        flows: impl Iterator<Item = Result<Flow, ImportError>>,
        sender: SyncSender<Checked>,
    ) -> Stored {
        // The first line of every key, by a hash of the key: 16 bytes a flow instead of the key's
        // strings. Equal hashes are confirmed by the writer against the rows stored so far.
        let mut first_line_of: HashMap<u64, u64> = HashMap::new();
        let mut pending = Pending::default();
        let mut stored = Stored::default();
        let mut checksum = RunningChecksum::new();
        for (id, flow) in (first_id..).zip(flows) {
            let checked = flow.and_then(|flow| {
                let line = flow.line;
                Ok((self.check(known, flow, id)?, line))
            });
            let (row, line) = match checked {
                Ok(checked) => checked,
                Err(error) => {
                    let _ = sender.send(Checked::Failed(error));
                    return stored;
                }
            };
            stored.count(&row.period);
            checksum.add(&row);
            let handed_on = match first_line_of.entry(key_hash(&row)) {
                Entry::Occupied(first) => {
                    let repeated = Checked::Repeated {
                        row,
                        line,
                        first_line: *first.get(),
                    };
                    sender
                        .send(Checked::Rows(std::mem::take(&mut pending)))
                        .is_ok()
                        && sender.send(repeated).is_ok()
                }
                Entry::Vacant(first) => {
                    first.insert(line);
                    pending.rows.push(row);
                    pending.lines.push(line);
                    pending.rows.len() < STORE_CHUNK_ROWS
                        || sender
                            .send(Checked::Rows(std::mem::take(&mut pending)))
                            .is_ok()
                }
            };
            if !handed_on {
                return stored;
            }
        }
        let _ = sender.send(Checked::Rows(pending));
        stored.checksum = checksum.finish();
        stored
    }

    /// Writes what `check_all` hands on, in its order, until it ends or a message is an error.
    fn write_all(
        &self,
        conn: &mut DbConnection,
        checked: Receiver<Checked>,
        indexes: &mut db_trade::IndexUpkeep,
    ) -> Result<(), ImportError> {
        let mut written = 0;
        for message in checked {
            match message {
                Checked::Rows(mut pending) => {
                    written += pending.rows.len();
                    self.flush(conn, &mut pending)?;
                }
                Checked::Repeated {
                    row,
                    line,
                    first_line,
                } => {
                    if db_trade::is_stored(conn, &row)? {
                        return Err(self.error_at(
                            line,
                            format!("the same flow is already on line {first_line}"),
                        ));
                    }
                    written += 1;
                    self.flush(
                        conn,
                        &mut Pending {
                            rows: vec![row],
                            lines: vec![line],
                        },
                    )?;
                }
                Checked::Failed(error) => return Err(error),
            }
            indexes.written(conn, written)?;
        }
        Ok(())
    }

    /// One flow as a stored row with id `id`, or why it cannot be stored.
    fn check(&self, known: &Known, flow: Flow, id: i64) -> Result<TradeFlowRow, ImportError> {
        let fail = |reason: String| self.error_at(flow.line, reason);
        let resolve = |role: &str, code: &str| {
            known.code_of.get(code).cloned().ok_or_else(|| {
                fail(format!(
                    "{role} '{code}' is not a country code known to /v1/countries"
                ))
            })
        };
        let reporter = resolve("reporter", &flow.reporter)?;
        let partner = resolve("partner", &flow.partner)?;
        if !known.sources.contains(&flow.source_id) {
            return Err(fail(format!(
                "source '{}' is not in /v1/sources; import the source first",
                flow.source_id
            )));
        }
        let frequency = match flow.period {
            Period::Year(_) => NativeFrequency::Annual,
            Period::Month(..) => NativeFrequency::Monthly,
            other => {
                return Err(fail(format!(
                    "period '{other}' is neither a year nor a month"
                )));
            }
        };
        // A negative zero is stored as zero: SQLite keeps no sign for it, and the two backends
        // must show, and checksum, the same row.
        let value_usd = flow.value_usd + 0.0;
        if !value_usd.is_finite() || value_usd < 0.0 {
            return Err(fail(format!(
                "value {} is not a non-negative amount",
                flow.value_usd
            )));
        }
        for (field, value) in [
            ("classification", &flow.classification),
            ("product_code", &flow.product_code),
        ] {
            if value.is_empty() || value.len() > 40 || value.chars().any(char::is_control) {
                return Err(fail(format!(
                    "{field} '{value}' is empty, too long or has control characters"
                )));
            }
        }
        Ok(TradeFlowRow {
            id,
            dataset_id: self.dataset_id.to_owned(),
            reporter,
            partner,
            flow: flow.flow,
            period: flow.period.to_string(),
            period_start: flow.period.first_day(),
            frequency,
            classification: flow.classification,
            product_code: flow.product_code,
            value_usd,
            source_id: flow.source_id,
            note: flow.note,
        })
    }

    /// Writes the pending rows. Each chunk is a savepoint, so that after a unique violation the
    /// transaction can still be asked which flow the dataset already holds.
    fn flush(&self, conn: &mut DbConnection, pending: &mut Pending) -> Result<(), ImportError> {
        if pending.rows.is_empty() {
            return Ok(());
        }
        match conn.transaction(|conn| db_trade::insert(conn, &pending.rows)) {
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                Err(self.conflict(conn, pending)?)
            }
            other => {
                other?;
                pending.rows.clear();
                pending.lines.clear();
                Ok(())
            }
        }
    }

    fn error_at(&self, position: u64, reason: String) -> ImportError {
        if self.records {
            ImportError::Record {
                file: self.file.to_owned(),
                index: position as usize,
                reason,
            }
        } else {
            row_error(self.file, position, reason)
        }
    }

    /// Names the line of the first pending flow that the dataset already holds. (The hashes in
    /// `store` refuse a repeated flow before it is written; this names the line should the
    /// unique index still refuse one.)
    fn conflict(
        &self,
        conn: &mut DbConnection,
        pending: &Pending,
    ) -> Result<ImportError, ImportError> {
        for (row, &line) in pending.rows.iter().zip(&pending.lines) {
            if db_trade::is_stored(conn, row)? {
                return Ok(self.error_at(
                    line,
                    format!(
                        "the flow {} {} {} {} {} from {} is already in dataset '{}'",
                        row.reporter,
                        row.flow,
                        row.partner,
                        row.period,
                        row.product_code,
                        row.source_id,
                        row.dataset_id
                    ),
                ));
            }
        }
        Ok(ImportError::File {
            file: self.file.to_owned(),
            reason: "a flow appears twice among the lines written last".to_owned(),
        })
    }
}

/// The checked flows not written yet, with the line each came from.
#[derive(Default)]
struct Pending {
    rows: Vec<TradeFlowRow>,
    lines: Vec<u64>,
}

/// What the checking thread hands the writing one, in the order of the file.
enum Checked {
    /// Checked flows, to be written.
    Rows(Pending),
    /// A flow whose key hashes like the one on `first_line`: written unless the flows written
    /// before it hold its key (a 64-bit hash can be equal for different keys).
    Repeated {
        row: TradeFlowRow,
        line: u64,
        first_line: u64,
    },
    /// The first flow that cannot be stored: nothing follows it.
    Failed(ImportError),
}

/// A hash of what makes a flow unique within a dataset (the columns of the unique key
/// `trade_flows_key_idx` but the dataset, which is the batch's).
fn key_hash(row: &TradeFlowRow) -> u64 {
    let mut hasher = DefaultHasher::new();
    (
        &row.reporter,
        &row.partner,
        &row.flow,
        &row.period,
        &row.classification,
        &row.product_code,
        &row.source_id,
    )
        .hash(&mut hasher);
    hasher.finish()
}

/// Every form of every country code (alpha-3 or source code, alpha-2, numeric) mapped to the code
/// flows are stored under.
fn country_codes(conn: &mut DbConnection) -> Result<HashMap<String, String>, ImportError> {
    let rows: Vec<(String, Option<String>, Option<String>)> = countries::table
        .select((countries::code, countries::iso2, countries::numeric))
        .load(conn)?;
    let mut map = HashMap::new();
    for (code, iso2, numeric) in rows {
        for alias in [iso2, numeric].into_iter().flatten() {
            map.insert(alias, code.clone());
        }
        map.insert(code.clone(), code);
    }
    Ok(map)
}

/// Parses a decimal number written with an optional sign, digits and at most one point, scaled by
/// 10^`scale` exactly (so "41580.8" million is 41,580,800,000 dollars, not a float rounding of it).
pub fn parse_scaled(raw: &str, scale: u32) -> Option<f64> {
    let raw = raw.trim();
    let (negative, digits) = match raw.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
        || fraction.len() > scale as usize + 6
    {
        return None;
    }
    if fraction.len() > scale as usize {
        return raw
            .parse::<f64>()
            .ok()
            .map(|v| v * 10f64.powi(scale as i32));
    }
    let padded = format!("{whole}{fraction:0<width$}", width = scale as usize);
    let integer: i64 = padded.parse().ok()?;
    if integer.unsigned_abs() > (1u64 << 53) {
        return None;
    }
    let value = integer as f64;
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_decimals_are_exact() {
        assert_eq!(parse_scaled("41580.8", 6), Some(41_580_800_000.0));
        assert_eq!(parse_scaled("39917.5", 6), Some(39_917_500_000.0));
        assert_eq!(parse_scaled("-5497.0", 6), Some(-5_497_000_000.0));
        assert_eq!(parse_scaled("20874.0", 0), Some(20_874.0));
        assert_eq!(parse_scaled("12", 0), Some(12.0));
        for bad in ["", "-", "1e5", "1.2.3", "abc", " 1 2"] {
            assert_eq!(parse_scaled(bad, 6), None, "{bad:?}");
        }
    }
}
