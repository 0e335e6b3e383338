//! The project's own tidy CSV of trade flows: one flow per line, the columns of a
//! `/v1/trade/flows?format=csv` export, so that an export imports without loss into any dataset.
//! Of the export's own columns, `id` is ignored (ids are assigned anew), `frequency` must agree
//! with the period, and `dataset_id` names the dataset a row was exported from: the rows go to the
//! dataset the import names whatever it says, and the datasets they name are handed on
//! (`TidyCsv::origins`) so that the new dataset's catalogue entry says what its figures are.

use std::collections::BTreeSet;
use std::io::Read;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::Flow;
use crate::domain::ids::DatasetId;
use crate::domain::period::Period;
use crate::domain::series::NativeFrequency;
use crate::domain::trade::FlowDirection;
use crate::import::ImportError;
use crate::import::csv_rows::{Columns, checked_rows, row_error};

/// The datasets one file may copy rows from: more is no export of this service, and the
/// catalogue entry names each of them.
const MAX_ORIGINS: usize = 20;

/// A line, in the column order of an export.
#[derive(Debug, Deserialize)]
struct Record {
    #[serde(rename = "id", default)]
    _id: IgnoredAny,
    reporter: String,
    partner: String,
    flow: String,
    period: String,
    #[serde(default)]
    frequency: Option<String>,
    classification: String,
    product_code: String,
    value_usd: String,
    source_id: String,
    #[serde(default)]
    dataset_id: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

impl Columns for Record {
    const OPTIONAL: &'static [&'static str] = &["id", "frequency", "dataset_id", "note"];
}

type Records<'a> = Box<dyn Iterator<Item = Result<(u64, Record), ImportError>> + Send + 'a>;

/// The flows of a tidy CSV, read one line at a time, and the datasets its lines were exported
/// from.
pub struct TidyCsv<'a> {
    file: &'a str,
    records: Records<'a>,
    origins: BTreeSet<String>,
}

/// Reads the header (refusing a file whose columns are not those above) and then a flow at a
/// time.
pub fn read<'a>(file: &'a str, input: impl Read + Send + 'a) -> Result<TidyCsv<'a>, ImportError> {
    Ok(TidyCsv {
        file,
        records: Box::new(checked_rows::<Record>(file, input)?),
        origins: BTreeSet::new(),
    })
}

impl Iterator for TidyCsv<'_> {
    type Item = Result<Flow, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        let record = self.records.next()?;
        Some(record.and_then(|(line, record)| self.flow(line, record)))
    }
}

impl TidyCsv<'_> {
    /// The datasets the lines read so far name in `dataset_id` (none when the column is absent
    /// or empty).
    pub fn origins(&self) -> &BTreeSet<String> {
        &self.origins
    }

    fn flow(&mut self, line: u64, record: Record) -> Result<Flow, ImportError> {
        let fail = |reason: String| row_error(self.file, line, reason);
        let flow = FlowDirection::parse(&record.flow).ok_or_else(|| {
            fail(format!(
                "flow '{}' is neither export nor import",
                record.flow
            ))
        })?;
        let period = Period::parse(&record.period).map_err(|e| fail(e.to_string()))?;
        let stated = record.frequency.as_deref().filter(|f| !f.is_empty());
        let implied = match period {
            Period::Year(_) => Some(NativeFrequency::Annual),
            Period::Month(..) => Some(NativeFrequency::Monthly),
            // Any other period is refused when the flow is checked.
            _ => None,
        };
        if let (Some(stated), Some(implied)) = (stated, implied)
            && NativeFrequency::parse(stated) != Some(implied)
        {
            return Err(fail(format!(
                "frequency '{stated}' does not match period '{period}', which is {}",
                implied.as_str()
            )));
        }
        let value_usd = record
            .value_usd
            .trim()
            .parse::<f64>()
            .map_err(|_| fail(format!("value_usd '{}' is not a number", record.value_usd)))?;
        if let Some(origin) = record.dataset_id.filter(|d| !d.is_empty()) {
            self.note_origin(line, origin)?;
        }
        Ok(Flow {
            line,
            reporter: record.reporter.trim().to_ascii_uppercase(),
            partner: record.partner.trim().to_ascii_uppercase(),
            flow,
            period,
            classification: record.classification,
            product_code: record.product_code,
            value_usd,
            source_id: record.source_id,
            note: record.note.filter(|n| !n.is_empty()),
        })
    }

    fn note_origin(&mut self, line: u64, origin: String) -> Result<(), ImportError> {
        if self.origins.contains(&origin) {
            return Ok(());
        }
        let origin = DatasetId::parse(&origin)
            .map_err(|e| row_error(self.file, line, format!("dataset_id: {e}")))?;
        if self.origins.len() == MAX_ORIGINS {
            return Err(row_error(
                self.file,
                line,
                format!(
                    "dataset_id '{}' is one dataset too many: a file holds the rows of at most {MAX_ORIGINS} datasets",
                    &*origin
                ),
            ));
        }
        self.origins.insert(origin.to_string());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPORT_HEADER: &str = "id,reporter,partner,flow,period,frequency,classification,product_code,value_usd,source_id,dataset_id,note";

    #[test]
    fn reads_an_export_and_the_datasets_it_names() {
        let csv = format!(
            "{EXPORT_HEADER}\n\
             7,usa,MEX,export,2016,annual,TOTAL,TOTAL,1.5,s,comtrade,\n\
             8,USA,MEX,import,2016-07,monthly,HS,8703,2e3,s,census,a note\n\
             9,USA,MEX,import,2016-08,,HS,8703,2e3,s,,\n"
        );
        let mut csv_flows = read("f.csv", csv.as_bytes()).unwrap();
        let flows: Vec<Flow> = csv_flows.by_ref().collect::<Result<_, _>>().unwrap();
        assert_eq!(flows.len(), 3);
        assert_eq!(flows[0].reporter, "USA");
        assert_eq!(flows[1].period, Period::Month(2016, 7));
        assert_eq!(flows[1].value_usd, 2000.0);
        assert_eq!(flows[1].note.as_deref(), Some("a note"));
        let origins: Vec<&str> = csv_flows.origins().iter().map(String::as_str).collect();
        assert_eq!(origins, ["census", "comtrade"]);
    }

    #[test]
    fn bad_lines_are_refused_with_their_line() {
        let row = |fields: &str| {
            format!("{EXPORT_HEADER}\n1,USA,MEX,export,2016,annual,TOTAL,TOTAL,1,s,d,\n{fields}\n")
        };
        let cases = [
            (
                row("2,USA,MEX,sideways,2016,annual,TOTAL,TOTAL,1,s,d,"),
                "f.csv, line 3: flow 'sideways' is neither export nor import",
            ),
            (
                row("2,USA,MEX,export,2016,monthly,TOTAL,TOTAL,1,s,d,"),
                "f.csv, line 3: frequency 'monthly' does not match period '2016', which is annual",
            ),
            (
                row("2,USA,MEX,export,2016-03,annual,TOTAL,TOTAL,1,s,d,"),
                "f.csv, line 3: frequency 'annual' does not match period '2016-03', which is monthly",
            ),
            (
                row("2,USA,MEX,export,2017,annual,TOTAL,TOTAL,lots,s,d,"),
                "f.csv, line 3: value_usd 'lots' is not a number",
            ),
            (
                row("2,USA,MEX,export,2017,annual,TOTAL,TOTAL,1,s,Not An Id,"),
                "f.csv, line 3: dataset_id: 'Not An Id' is not a dataset id",
            ),
            (
                row("2,USA,MEX,export,2017,annual,TOTAL,TOTAL,1,s"),
                "f.csv, line 3: 10 fields where the header has 12 columns",
            ),
        ];
        for (csv, expected) in cases {
            let error = read("f.csv", csv.as_bytes())
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap_err()
                .to_string();
            assert!(error.starts_with(expected), "{expected}\n{error}");
        }
    }

    #[test]
    fn a_file_with_other_columns_is_refused_on_line_1_naming_them() {
        let columns = "the columns are reporter, partner, flow, period, classification, product_code, value_usd, source_id, and optionally id, frequency, dataset_id, note";
        let cases = [
            (
                "reporter,partner,flow,period,classification,product_code,source_id",
                "missing column `value_usd`",
            ),
            (
                "reporter,partner,flow,period,classification,product_code,value,source_id",
                "missing column `value_usd`; unexpected column `value`",
            ),
            (
                "reporter,partner,flow,period,classification,product_code,value_usd,source_id,foo",
                "unexpected column `foo`",
            ),
            (
                "reporter;partner;flow",
                "missing columns `reporter`, `partner`, `flow`, `period`, `classification`, `product_code`, `value_usd`, `source_id`; unexpected column `reporter;partner;flow`",
            ),
        ];
        for (header, problem) in cases {
            let csv = format!("{header}\nUSA,MEX,export,2016,TOTAL,TOTAL,1,s\n");
            let error = read("f.csv", csv.as_bytes()).err().unwrap().to_string();
            assert_eq!(error, format!("f.csv, line 1: {problem}; {columns}"));
            assert!(!error.contains("deserialize"), "{error}");
        }
    }

    #[test]
    fn at_most_twenty_datasets_are_copied_from() {
        let mut csv = format!("{EXPORT_HEADER}\n");
        for i in 0..=MAX_ORIGINS {
            csv.push_str(&format!(
                "{i},USA,MEX,export,{},annual,TOTAL,TOTAL,1,s,d{i},\n",
                1990 + i
            ));
        }
        let error = read("f.csv", csv.as_bytes())
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("f.csv, line 22: dataset_id 'd20' is one dataset too many"),
            "{error}"
        );
    }
}
