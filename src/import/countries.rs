//! The country crosswalk: ISO 3166-1 and ISO 3166-3 from `rust_iso3166`, currencies from
//! `iso_currency`, and the source-specific codes of `data/countries/source_specific_codes.csv`.
//! See `data/countries/PROVENANCE.md` for the rules.

use std::collections::{BTreeMap, HashSet};
use std::str::FromStr;

use iso_currency::{Country as IsoCountry, Currency};
use serde::Deserialize;

use super::bundled::{self, SOURCE_SPECIFIC_CODES_CSV};
use super::csv_rows::{read_rows, row_error};
use super::{BundledDataset, BundledLoader, CatalogueEntry, ImportError, LoadSummary};
use crate::db::DbConnection;
use crate::db::countries::{self as db_countries, CountryRow, CurrencyRow};
use crate::domain::country::{CountryKind, CountryLookup};
use crate::domain::source::{DatasetFamily, Reporting};

struct Countries;

pub const ISO3166_SOURCE_ID: &str = "iso3166_via_rust_iso3166";
pub const ISO4217_SOURCE_ID: &str = "iso4217_via_iso_currency";
pub const SOURCE_SPECIFIC_SOURCE_ID: &str = "trilateral_source_specific_codes";

#[derive(Debug)]
struct Prepared {
    currencies: Vec<CurrencyRow>,
    countries: Vec<CountryRow>,
}

/// The currencies a country uses, leaving out fund, special and superseded codes.
fn currencies_in_use(alpha2: &str) -> Vec<Currency> {
    let Ok(country) = IsoCountry::from_str(alpha2) else {
        return Vec::new();
    };
    let mut used: Vec<Currency> = Currency::from_country(country)
        .into_iter()
        .filter(|c| !c.is_fund() && !c.is_special() && c.is_superseded().is_none())
        .collect();
    used.sort_by_key(|c| c.code());
    used
}

/// The currency issued for a country: of those it uses, the one used by the fewest countries
/// (PAB rather than USD for Panama). Ties go to the first code in alphabetical order.
fn primary_currency(used: &[Currency]) -> Option<Currency> {
    used.iter()
        .copied()
        .min_by_key(|c| (c.used_by().len(), c.code()))
}

fn currency_row(currency: Currency) -> CurrencyRow {
    CurrencyRow {
        code: currency.code().to_owned(),
        numeric: format!("{:03}", currency.numeric()),
        name: currency.name().to_owned(),
        minor_units: currency.exponent().map(i32::from),
    }
}

fn join(codes: impl IntoIterator<Item = impl AsRef<str>>, separator: &str) -> Option<String> {
    let joined: Vec<String> = codes.into_iter().map(|c| c.as_ref().to_owned()).collect();
    (!joined.is_empty()).then(|| joined.join(separator))
}

#[derive(Debug, Deserialize)]
struct SourceSpecificRecord {
    code: String,
    name: String,
    iso_counterpart: String,
    #[allow(dead_code)]
    years_in_data: String,
    note: String,
}

fn prepare() -> Result<Prepared, ImportError> {
    let mut currencies = BTreeMap::new();
    let mut countries = Vec::new();
    let mut taken: HashSet<String> = HashSet::new();

    for iso in rust_iso3166::ALL {
        let used = currencies_in_use(iso.alpha2);
        for currency in &used {
            currencies
                .entry(currency.code())
                .or_insert_with(|| currency_row(*currency));
        }
        taken.insert(iso.alpha3.to_owned());
        countries.push(CountryRow {
            code: iso.alpha3.to_owned(),
            iso2: Some(iso.alpha2.to_owned()),
            iso3: Some(iso.alpha3.to_owned()),
            numeric: Some(format!("{:03}", iso.numeric)),
            name: iso.name.to_owned(),
            kind: CountryKind::Iso3166_1,
            currency_code: primary_currency(&used).map(|c| c.code().to_owned()),
            currency_codes: join(used.iter().map(|c| c.code()), ","),
            former_iso2: None,
            former_numeric: None,
            valid_from: None,
            valid_to: None,
            related_codes: None,
            note: None,
            source_id: ISO3166_SOURCE_ID.to_owned(),
        });
    }

    for former in rust_iso3166::iso3166_3::ALL {
        let alpha3 = former.former.alpha3;
        // Some deleted entries kept their alpha-3 code (ATF, ...); the current entry wins.
        if !taken.insert(alpha3.to_owned()) {
            continue;
        }
        countries.push(CountryRow {
            code: alpha3.to_owned(),
            iso2: None,
            iso3: Some(alpha3.to_owned()),
            numeric: None,
            name: former.name.to_owned(),
            kind: CountryKind::Iso3166_3Former,
            currency_code: None,
            currency_codes: None,
            former_iso2: Some(former.former.alpha2.to_owned()),
            former_numeric: (former.former.numeric != 0)
                .then(|| format!("{:03}", former.former.numeric)),
            valid_from: former.validity.first().copied(),
            valid_to: former.validity.get(1).copied(),
            related_codes: join(former.new_countries.iter().map(|c| c.alpha3), ";"),
            note: Some(former.desc.trim().to_owned()).filter(|d| !d.is_empty()),
            source_id: ISO3166_SOURCE_ID.to_owned(),
        });
    }

    let file = &SOURCE_SPECIFIC_CODES_CSV;
    for (line, record) in read_rows::<SourceSpecificRecord>(file.path, file.bytes)? {
        let is_three_char_code = matches!(
            CountryLookup::parse(&record.code),
            Ok(CountryLookup::Code(ref c)) if *c == record.code
        );
        if !is_three_char_code {
            return Err(row_error(
                file.path,
                line,
                format!(
                    "'{}' is not an upper-case three-character code",
                    record.code
                ),
            ));
        }
        if !taken.insert(record.code.clone()) {
            return Err(row_error(
                file.path,
                line,
                format!(
                    "'{}' is already an ISO 3166 code or listed twice",
                    record.code
                ),
            ));
        }
        countries.push(CountryRow {
            code: record.code,
            iso2: None,
            iso3: None,
            numeric: None,
            name: record.name,
            kind: CountryKind::SourceSpecific,
            currency_code: None,
            currency_codes: None,
            former_iso2: None,
            former_numeric: None,
            valid_from: None,
            valid_to: None,
            related_codes: Some(record.iso_counterpart).filter(|c| !c.is_empty()),
            note: Some(record.note).filter(|n| !n.is_empty()),
            source_id: SOURCE_SPECIFIC_SOURCE_ID.to_owned(),
        });
    }

    Ok(Prepared {
        currencies: currencies.into_values().collect(),
        countries,
    })
}

/// Its entry in the catalogue, with what loads it.
pub static COUNTRIES: BundledDataset = BundledDataset {
    entry: CatalogueEntry {
        id: "countries",
        family: DatasetFamily::Reference,
        title: "Countries",
        description: "ISO 3166 country codes (alpha-2, alpha-3, numeric), former ISO 3166-3 codes and source-specific codes, with ISO 4217 currencies",
        basis: "ISO 3166-1 (current and former codes) and ISO 4217 as packaged in the rust_iso3166 and iso_currency crates, plus the source-specific codes of the bundled trade data",
        reporting: Reporting::NotApplicable,
    },
    loader: &Countries,
};

impl BundledLoader for Countries {
    fn checksum(&self) -> String {
        let fingerprint = prepare().map(|p| format!("{p:?}")).unwrap_or_default();
        bundled::checksum(&[SOURCE_SPECIFIC_CODES_CSV], fingerprint.as_bytes())
    }

    fn load(&self, _: &str, conn: &mut DbConnection) -> Result<LoadSummary, ImportError> {
        let prepared = prepare()?;
        db_countries::replace_all(conn, &prepared.currencies, &prepared.countries)?;
        Ok(LoadSummary {
            rows: prepared.countries.len() as i64,
            coverage: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepared() -> Prepared {
        prepare().expect("bundled country data is valid")
    }

    fn country<'a>(p: &'a Prepared, code: &str) -> &'a CountryRow {
        p.countries
            .iter()
            .find(|c| c.code == code)
            .unwrap_or_else(|| panic!("{code} missing"))
    }

    #[test]
    fn north_american_countries_have_their_codes_and_currencies() {
        let p = prepared();
        for (code, iso2, numeric, currency) in [
            ("MEX", "MX", "484", "MXN"),
            ("USA", "US", "840", "USD"),
            ("CAN", "CA", "124", "CAD"),
        ] {
            let row = country(&p, code);
            assert_eq!(row.iso2.as_deref(), Some(iso2));
            assert_eq!(row.numeric.as_deref(), Some(numeric));
            assert_eq!(row.currency_code.as_deref(), Some(currency));
        }
    }

    #[test]
    fn the_issued_currency_wins_over_a_shared_one() {
        let p = prepared();
        let panama = country(&p, "PAN");
        assert_eq!(panama.currency_code.as_deref(), Some("PAB"));
        assert_eq!(panama.currency_codes.as_deref(), Some("PAB,USD"));
    }

    #[test]
    fn former_and_source_specific_codes_are_kept_with_their_kind() {
        let p = prepared();
        assert_eq!(country(&p, "YUG").kind, CountryKind::Iso3166_3Former);
        assert_eq!(country(&p, "CSK").related_codes.as_deref(), Some("CZE;SVK"));
        assert_eq!(country(&p, "BLX").kind, CountryKind::SourceSpecific);
        assert_eq!(country(&p, "BLX").name, "Belgium-Luxembourg");
        // Current entries are unique by every code they can be looked up with.
        let mut iso2 = HashSet::new();
        let mut numeric = HashSet::new();
        for row in &p.countries {
            if let Some(code) = &row.iso2 {
                assert!(iso2.insert(code.clone()), "duplicate alpha-2 {code}");
            }
            if let Some(code) = &row.numeric {
                assert!(numeric.insert(code.clone()), "duplicate numeric {code}");
            }
        }
    }

    #[test]
    fn every_code_in_the_bundled_trade_data_is_known() {
        let p = prepared();
        let known: HashSet<&str> = p.countries.iter().map(|c| c.code.as_str()).collect();
        let trade = include_str!("../../data/trade/bilateral_goods_exports_comtrade_4yearly.csv");
        let missing: HashSet<&str> = trade
            .lines()
            .skip(1)
            .flat_map(|line| line.split(',').take(2))
            .filter(|code| !known.contains(code))
            .collect();
        assert!(missing.is_empty(), "unknown codes: {missing:?}");
    }
}
