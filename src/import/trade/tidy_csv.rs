//! The project's own tidy CSV of trade flows: one flow per line, the columns of a
//! `/v1/trade/flows?format=csv` export. An export re-imports without loss: `id`, `dataset_id` and
//! `frequency` are accepted and ignored (ids are assigned anew, the dataset is the import's, the
//! frequency follows from the period).

use std::io::Read;

use serde::Deserialize;

use super::Flow;
use crate::domain::period::Period;
use crate::domain::trade::FlowDirection;
use crate::import::ImportError;
use crate::import::csv_rows::{row_error, rows};

#[derive(Debug, Deserialize)]
struct Record {
    reporter: String,
    partner: String,
    flow: String,
    period: String,
    classification: String,
    product_code: String,
    value_usd: String,
    source_id: String,
    #[serde(default)]
    note: Option<String>,
}

/// The flows of a tidy CSV, read one line at a time.
pub fn read<'a>(
    file: &'a str,
    input: impl Read + 'a,
) -> Result<impl Iterator<Item = Result<Flow, ImportError>> + 'a, ImportError> {
    Ok(rows::<Record>(file, input)?.map(move |row| {
        let (line, record) = row?;
        let fail = |reason: String| row_error(file, line, reason);
        let flow = FlowDirection::parse(&record.flow).ok_or_else(|| {
            fail(format!(
                "flow '{}' is neither export nor import",
                record.flow
            ))
        })?;
        let period = Period::parse(&record.period).map_err(|e| fail(e.to_string()))?;
        let value_usd = record
            .value_usd
            .trim()
            .parse::<f64>()
            .map_err(|_| fail(format!("value_usd '{}' is not a number", record.value_usd)))?;
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
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_export_and_reports_bad_rows_by_line() {
        let csv = "id,dataset_id,reporter,partner,flow,period,frequency,classification,product_code,value_usd,source_id,note\n\
                   7,x,usa,MEX,export,2016,annual,TOTAL,TOTAL,1.5,s,\n\
                   8,x,USA,MEX,import,2016-07,monthly,HS,8703,2e3,s,a note\n";
        let flows: Vec<Flow> = read("f.csv", csv.as_bytes())
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(flows.len(), 2);
        assert_eq!(flows[0].reporter, "USA");
        assert_eq!(flows[1].period, Period::Month(2016, 7));
        assert_eq!(flows[1].value_usd, 2000.0);
        assert_eq!(flows[1].note.as_deref(), Some("a note"));

        let bad = "reporter,partner,flow,period,classification,product_code,value_usd,source_id\n\
                   USA,MEX,export,2016,TOTAL,TOTAL,1,s\n\
                   USA,MEX,sideways,2016,TOTAL,TOTAL,1,s\n";
        let err = read("f.csv", bad.as_bytes())
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "f.csv, line 3: flow 'sideways' is neither export nor import"
        );
    }
}
