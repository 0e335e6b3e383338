//! The three bundled trade files, one dataset each, so that every flow keeps the publication it
//! comes from (`source=comtrade|agtpa|census` in the API).

use serde::Deserialize;

use super::{Batch, Flow, flow_direction, parse_scaled};
use crate::db::DbConnection;
use crate::domain::period::Period;
use crate::import::bundled::{self, BundledFile, bundled_file};
use crate::import::csv_rows::{read_rows, row_error};
use crate::import::{BundledDataset, ImportError, LoadSummary};

const COMTRADE_CSV: BundledFile =
    bundled_file!("trade/bilateral_goods_exports_comtrade_4yearly.csv");
const AGTPA_CSV: BundledFile = bundled_file!("trade/manufacturing_trade_agtpa_1986_2006.csv");
const CENSUS_CSV: BundledFile = bundled_file!("trade/us_census_goods_annual.csv");

/// A bundled trade dataset: its file and how its rows become flows.
pub struct TradeFile {
    id: &'static str,
    title: &'static str,
    description: &'static str,
    file: BundledFile,
    read: fn(&BundledFile) -> Result<Vec<Flow>, ImportError>,
}

pub static COMTRADE_4YEARLY: TradeFile = TradeFile {
    id: "comtrade",
    title: "Bilateral goods trade of Canada, Mexico and the United States, every fourth year 1964-2016",
    description: "UN Comtrade goods imports of every partner with Canada, Mexico or the United States, as reported by the importing country (penppml trade data); total goods, current USD",
    file: COMTRADE_CSV,
    read: read_comtrade,
};

pub static AGTPA: TradeFile = TradeFile {
    id: "agtpa",
    title: "Manufacturing trade among 69 countries, 1986-2006",
    description: "WTO/UNCTAD structural gravity application data: annual manufacturing exports among 69 countries, domestic trade included; current USD",
    file: AGTPA_CSV,
    read: read_agtpa,
};

pub static CENSUS: TradeFile = TradeFile {
    id: "census",
    title: "U.S. goods trade with Mexico and Canada, Census basis",
    description: "U.S. total exports and general imports of goods with Mexico (1985-1997, 2006, 2008-2017, 2019) and Canada (2002, 2012-2017, 2019), transcribed from Census and USITC publications; current USD",
    file: CENSUS_CSV,
    read: read_census,
};

impl BundledDataset for TradeFile {
    fn id(&self) -> &'static str {
        self.id
    }

    fn family(&self) -> &'static str {
        "trade"
    }

    fn title(&self) -> &'static str {
        self.title
    }

    fn description(&self) -> &'static str {
        self.description
    }

    fn checksum(&self) -> String {
        bundled::checksum(&[self.file], b"")
    }

    fn load(&self, conn: &mut DbConnection) -> Result<LoadSummary, ImportError> {
        let flows = (self.read)(&self.file)?;
        let stored = Batch {
            file: self.file.path,
            dataset_id: self.id,
            records: false,
        }
        .store(conn, flows.into_iter().map(Ok))?;
        Ok(LoadSummary {
            rows: stored.rows as i64,
            coverage: stored.coverage,
        })
    }
}

fn year(file: &str, line: u64, raw: &str) -> Result<Period, ImportError> {
    match Period::parse(raw) {
        Ok(year @ Period::Year(_)) => Ok(year),
        _ => Err(row_error(file, line, format!("year '{raw}' is not a year"))),
    }
}

fn amount(file: &str, line: u64, raw: &str, scale: u32) -> Result<f64, ImportError> {
    parse_scaled(raw, scale)
        .ok_or_else(|| row_error(file, line, format!("'{raw}' is not an amount")))
}

#[derive(Debug, Deserialize)]
struct PairRecord {
    exporter: String,
    importer: String,
    year: String,
    flow: String,
    frequency: String,
    product_classification: String,
    product_code: String,
    value_usd: String,
    source_id: String,
    #[serde(default)]
    is_domestic: Option<String>,
}

fn check_pair_record(file: &str, line: u64, record: &PairRecord) -> Result<(), ImportError> {
    if flow_direction(&record.flow) != Some("export") || record.frequency != "annual" {
        return Err(row_error(file, line, "expected an annual export row"));
    }
    Ok(())
}

/// The penppml rows are exports from `exporter` to `importer` as the importing country reported
/// them, so each is stored as the importer's import from the exporter.
fn read_comtrade(file: &BundledFile) -> Result<Vec<Flow>, ImportError> {
    read_rows::<PairRecord>(file.path, file.bytes)?
        .into_iter()
        .map(|(line, record)| {
            check_pair_record(file.path, line, &record)?;
            Ok(Flow {
                line,
                period: year(file.path, line, &record.year)?,
                value_usd: amount(file.path, line, &record.value_usd, 0)?,
                reporter: record.importer,
                partner: record.exporter,
                flow: "import",
                classification: record.product_classification,
                product_code: record.product_code,
                source_id: record.source_id,
                note: None,
            })
        })
        .collect()
}

/// The AGTPA rows are exports from `exporter` to `importer` in a compiled research data set that
/// does not say which side reported them; they are stored as the exporter's exports. Rows with
/// `is_domestic=1` are a country's sales to itself (gross production minus exports).
fn read_agtpa(file: &BundledFile) -> Result<Vec<Flow>, ImportError> {
    read_rows::<PairRecord>(file.path, file.bytes)?
        .into_iter()
        .map(|(line, record)| {
            check_pair_record(file.path, line, &record)?;
            let domestic = record.is_domestic.as_deref() == Some("1");
            Ok(Flow {
                line,
                period: year(file.path, line, &record.year)?,
                value_usd: amount(file.path, line, &record.value_usd, 0)?,
                reporter: record.exporter,
                partner: record.importer,
                flow: "export",
                classification: record.product_classification,
                product_code: record.product_code,
                source_id: record.source_id,
                note: domestic.then(|| "domestic trade: gross production minus exports".to_owned()),
            })
        })
        .collect()
}

#[derive(Debug, Deserialize)]
struct CensusRecord {
    partner_iso3: String,
    year: String,
    exports_musd: String,
    imports_musd: String,
    balance_musd: String,
    basis: String,
    source_url: String,
}

/// One row per partner and year, in million USD, from the U.S. point of view: up to two flows.
/// A blank cell was not printed in the source and gives no flow. Where the source printed a
/// balance that differs from exports minus imports (separately rounded figures), both flows say so.
fn read_census(file: &BundledFile) -> Result<Vec<Flow>, ImportError> {
    let mut flows = Vec::new();
    for (line, record) in read_rows::<CensusRecord>(file.path, file.bytes)? {
        let period = year(file.path, line, &record.year)?;
        let million = |raw: &str| -> Result<Option<f64>, ImportError> {
            match raw.trim() {
                "" => Ok(None),
                value => amount(file.path, line, value, 6).map(Some),
            }
        };
        let exports = million(&record.exports_musd)?;
        let imports = million(&record.imports_musd)?;
        let printed_balance = million(&record.balance_musd)?;
        let mut note = format!("source page: {}", record.source_url);
        if let (Some(e), Some(i), Some(b)) = (exports, imports, printed_balance)
            && (e - i - b).abs() > 0.5
        {
            note.push_str(&format!(
                "; the source prints a balance of {} million USD (figures rounded separately)",
                record.balance_musd.trim()
            ));
        }
        for (flow, value) in [("export", exports), ("import", imports)] {
            if let Some(value_usd) = value {
                flows.push(Flow {
                    line,
                    reporter: "USA".to_owned(),
                    partner: record.partner_iso3.clone(),
                    flow,
                    period,
                    classification: "TOTAL".to_owned(),
                    product_code: "TOTAL".to_owned(),
                    value_usd,
                    source_id: record.basis.clone(),
                    note: Some(note.clone()),
                });
            }
        }
    }
    Ok(flows)
}
