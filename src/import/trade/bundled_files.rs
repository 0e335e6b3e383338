//! The three bundled trade files, one dataset each, so that every flow keeps the publication it
//! comes from (`source=comtrade|agtpa|census` in the API).

use serde::Deserialize;

use super::{Batch, Flow, parse_scaled};
use crate::db::DbConnection;
use crate::domain::period::Period;
use crate::domain::source::{DatasetFamily, Reporting};
use crate::domain::trade::FlowDirection;
use crate::import::bundled::{self, BundledFile, bundled_file};
use crate::import::csv_rows::{read_rows, row_error};
use crate::import::{BundledDataset, BundledLoader, CatalogueEntry, ImportError, LoadSummary};

const COMTRADE_CSV: BundledFile =
    bundled_file!("trade/bilateral_goods_exports_comtrade_4yearly.csv");
const AGTPA_CSV: BundledFile = bundled_file!("trade/manufacturing_trade_agtpa_1986_2006.csv");
const CENSUS_ANNUAL_CSV: BundledFile =
    bundled_file!("trade/census_basis/us_census_goods_trade_can_mex_annual_1985_2025.csv");
const CENSUS_MONTHLY_CSV: BundledFile =
    bundled_file!("trade/census_basis/us_census_goods_trade_can_mex_monthly_1985_2025.csv");

/// The two Census files, annual and monthly, load as one dataset.
const CENSUS_FILES: &[BundledFile] = &[CENSUS_ANNUAL_CSV, CENSUS_MONTHLY_CSV];

/// A bundled trade dataset: its files and how their rows become flows.
struct TradeFile {
    files: &'static [BundledFile],
    read: fn(&[BundledFile]) -> Result<Vec<Flow>, ImportError>,
}

pub static COMTRADE_4YEARLY: BundledDataset = BundledDataset {
    entry: CatalogueEntry {
        id: "comtrade",
        family: DatasetFamily::Trade,
        title: "Bilateral goods trade of Canada, Mexico and the United States, every fourth year 1964-2016",
        description: "UN Comtrade goods imports of every partner with Canada, Mexico or the United States, as reported by the importing country (penppml trade data); total goods, current USD",
        basis: "goods trade of every partner with Canada, Mexico or the United States from UN Comtrade as compiled in the penppml package, every fourth year 1964-2016, current USD; stored as the importing country's imports, but the reporting side is unknown or mixed: some flows match the exporter's own statistics (China to the United States 2016: China's reported exports, 384.9 bn, where U.S. imports were 462.6 bn) and U.S.-Mexico and Canada-Mexico match neither side. Mirror comparisons with it are not reporting discrepancies.",
        reporting: Reporting::Unknown,
    },
    loader: &TradeFile {
        files: &[COMTRADE_CSV],
        read: read_comtrade,
    },
};

pub static AGTPA: BundledDataset = BundledDataset {
    entry: CatalogueEntry {
        id: "agtpa",
        family: DatasetFamily::Trade,
        title: "Manufacturing trade among 69 countries, 1986-2006",
        description: "WTO/UNCTAD structural gravity application data: annual manufacturing exports among 69 countries, domestic trade included; current USD",
        basis: "manufacturing trade (exports by exporter and importer, and domestic sales) of a research dataset (WTO/UNCTAD structural gravity guide, 2016), 1986-2006, current USD; the reporting side is not stated",
        reporting: Reporting::Unknown,
    },
    loader: &TradeFile {
        files: &[AGTPA_CSV],
        read: read_agtpa,
    },
};

pub static CENSUS: BundledDataset = BundledDataset {
    entry: CatalogueEntry {
        id: "census",
        family: DatasetFamily::Trade,
        title: "U.S. goods trade with Mexico and Canada, Census basis",
        description: "U.S. goods trade with Mexico and Canada on the Census basis: total exports f.a.s. (domestic and foreign) and general imports (customs value), not seasonally adjusted, monthly and annual, 1985-01 to 2025-12, from the Census Bureau's country.xlsx (vintages of mid-2024 for 1985-2021 and 2026-10 for 2022-2025); current USD",
        basis: "as reported by the United States (U.S. Census Bureau, Foreign Trade Division): total exports (domestic and foreign) valued f.a.s., general imports at customs value, not seasonally adjusted, current USD; vintage of mid-2024 for 1985-2021 (final) and of a 2026-10 download for 2022-2025 (Census revises the latest three years each June)",
        reporting: Reporting::Reporter,
    },
    loader: &TradeFile {
        files: CENSUS_FILES,
        read: read_census,
    },
};

impl BundledLoader for TradeFile {
    fn checksum(&self) -> String {
        bundled::checksum(self.files, b"")
    }

    fn load(&self, dataset_id: &str, conn: &mut DbConnection) -> Result<LoadSummary, ImportError> {
        let flows = (self.read)(self.files)?;
        let (stored, indexes) = Batch {
            file: self.files.first().map_or(dataset_id, |f| f.path),
            dataset_id,
            records: false,
        }
        .store(conn, flows.into_iter().map(Ok))?;
        // The bundled files are small: their indexes are built again before the vintage.
        indexes.finish(conn)?;
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
    if FlowDirection::parse(&record.flow) != Some(FlowDirection::Export)
        || record.frequency != "annual"
    {
        return Err(row_error(file, line, "expected an annual export row"));
    }
    Ok(())
}

/// The penppml rows are exports from `exporter` to `importer` as the importing country reported
/// them, so each is stored as the importer's import from the exporter.
fn read_comtrade(files: &[BundledFile]) -> Result<Vec<Flow>, ImportError> {
    let file = only_file(files);
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
                flow: FlowDirection::Import,
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
fn read_agtpa(files: &[BundledFile]) -> Result<Vec<Flow>, ImportError> {
    let file = only_file(files);
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
                flow: FlowDirection::Export,
                classification: record.product_classification,
                product_code: record.product_code,
                source_id: record.source_id,
                note: domestic.then(|| "domestic trade: gross production minus exports".to_owned()),
            })
        })
        .collect()
}

/// The one file of a single-file dataset.
fn only_file(files: &[BundledFile]) -> &BundledFile {
    &files[0]
}

/// A row of either Census file: the annual one has `year`, the monthly one `period` (a month).
#[derive(Debug, Deserialize)]
struct CensusRecord {
    partner_iso3: String,
    year: String,
    #[serde(default)]
    period: Option<String>,
    exports_musd: String,
    imports_musd: String,
    /// Which copy of the Census file the row was read from.
    vintage: String,
}

/// The source in data/sources.csv of each vintage of the Census file the rows name: the copy
/// of mid-2024 (final figures through 2021) and the download of 2026-10 (the years Census
/// revised after it). A row of a vintage not listed here is refused, so that a new download
/// cannot be credited to an old source.
const CENSUS_VINTAGES: [(&str, &str); 2] = [
    (
        "Census file snapshot committed 2024-11-01",
        "census_country_xlsx_2024_06",
    ),
    (
        "Census file downloaded 2026-10",
        "census_country_xlsx_2026_10",
    ),
];

/// The source of a row from its `vintage` column.
fn census_source(file: &str, line: u64, vintage: &str) -> Result<&'static str, ImportError> {
    CENSUS_VINTAGES
        .iter()
        .find(|(prefix, _)| vintage.starts_with(prefix))
        .map(|(_, source)| *source)
        .ok_or_else(|| row_error(file, line, format!("vintage '{vintage}' has no source")))
}

/// The U.S. export to and import from one partner in one period, in million USD.
fn census_flows(
    file: &str,
    line: u64,
    record: &CensusRecord,
    period: Period,
) -> Result<[Flow; 2], ImportError> {
    let source_id = census_source(file, line, &record.vintage)?;
    let flow = |flow: FlowDirection, raw: &str| -> Result<Flow, ImportError> {
        Ok(Flow {
            line,
            reporter: "USA".to_owned(),
            partner: record.partner_iso3.clone(),
            flow,
            period,
            classification: "TOTAL".to_owned(),
            product_code: "TOTAL".to_owned(),
            value_usd: amount(file, line, raw, 6)?,
            source_id: source_id.to_owned(),
            note: None,
        })
    };
    Ok([
        flow(FlowDirection::Export, &record.exports_musd)?,
        flow(FlowDirection::Import, &record.imports_musd)?,
    ])
}

/// One row per partner and year (the annual file) or month (the monthly file), in million USD,
/// from the U.S. point of view: an export and an import each.
fn read_census(files: &[BundledFile]) -> Result<Vec<Flow>, ImportError> {
    let mut flows = Vec::new();
    for file in files {
        for (line, record) in read_rows::<CensusRecord>(file.path, file.bytes)? {
            let period = match &record.period {
                None => year(file.path, line, &record.year)?,
                Some(month) => match Period::parse(month) {
                    Ok(month @ Period::Month(..)) => month,
                    _ => {
                        return Err(row_error(
                            file.path,
                            line,
                            format!("period '{month}' is not a month"),
                        ));
                    }
                },
            };
            flows.extend(census_flows(file.path, line, &record, period)?);
        }
    }
    Ok(flows)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn each_census_row_is_credited_to_the_vintage_it_names() {
        let flows = read_census(CENSUS_FILES).expect("the bundled Census files read");
        let source = |period: &str| {
            let period = Period::parse(period).expect("period");
            let sources: BTreeSet<&str> = flows
                .iter()
                .filter(|f| f.period == period)
                .map(|f| f.source_id.as_str())
                .collect();
            sources.into_iter().collect::<Vec<_>>()
        };
        assert_eq!(source("2021"), ["census_country_xlsx_2024_06"]);
        assert_eq!(source("2021-12"), ["census_country_xlsx_2024_06"]);
        assert_eq!(source("2022"), ["census_country_xlsx_2026_10"]);
        assert_eq!(source("2025-12"), ["census_country_xlsx_2026_10"]);
    }

    #[test]
    fn a_vintage_without_a_source_is_refused_with_its_line() {
        let csv = "partner_iso3,year,exports_musd,imports_musd,vintage\n\
                   MEX,2026,1.0,2.0,Census file downloaded 2027-01\n";
        let file = BundledFile {
            path: "trade/new.csv",
            bytes: csv.as_bytes(),
        };
        let error = read_census(&[file]).unwrap_err().to_string();
        assert!(error.contains("line 2"), "{error}");
        assert!(error.contains("has no source"), "{error}");
    }
}
