//! What the OpenAPI document says a parameter's value may be, as strictly as the code that reads
//! it: a pattern for every code, id, period and list, both bounds of every number, the topics of
//! the taxonomy. A client generated from the document then never builds a request the service
//! refuses for its shape. Each pattern here restates one parser (named beside it) and its unit
//! test holds it to that parser on the same inputs; `openapi::constrain_parameters` puts them on
//! the operations.
//!
//! What no schema can say is left to the operation's description: rules between two parameters
//! (`from` not after `to`, `base` other than `quote`, an article id of the treaty in the path).

/// A constraint on one parameter's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constraint {
    /// A string matching `pattern` (ECMA-262, anchored), of at most `max_length` characters.
    Text {
        pattern: String,
        max_length: Option<usize>,
    },
    /// An integer from `minimum` to `maximum`.
    Integer { minimum: i64, maximum: i64 },
    /// One of these strings.
    OneOf(Vec<String>),
}

fn text(pattern: impl Into<String>) -> Constraint {
    Constraint::Text {
        pattern: pattern.into(),
        max_length: None,
    }
}

/// Years `Period::parse` takes: 1800 to 2200.
const YEAR: &str = "(1[89][0-9]{2}|2[01][0-9]{2}|2200)";
/// Leap years from 1800 to 2200 (1800, 1900, 2100 and 2200 are not).
const LEAP_YEAR: &str = "((18|19|20|21)(0[48]|[2468][048]|[13579][26])|2000)";

/// Months, `01` to `12`.
const MONTH: &str = "(0[1-9]|1[0-2])";

/// A real day from 1800 to 2200, as `YYYY-MM-DD`.
fn real_day() -> String {
    format!(
        "{YEAR}-{MONTH}-(0[1-9]|1[0-9]|2[0-8])|{YEAR}-(0[13-9]|1[0-2])-(29|30)\
         |{YEAR}-(0[13578]|1[02])-31|{LEAP_YEAR}-02-29"
    )
}

/// `domain::period::Period::parse`: a year, a quarter (`2016-Q3`, any case), a month or a real day.
pub fn period() -> String {
    format!("^({YEAR}|{YEAR}-[Qq][1-4]|{YEAR}-{MONTH}|{})$", real_day())
}

/// `domain::vintage::AsOf`: a vintage number (without leading zeros, within 64 bits), a real day,
/// or a real day and a time in UTC (`Z`).
pub fn as_of() -> String {
    let day = real_day();
    format!("^([1-9][0-9]{{0,17}}|({day})|({day})T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z)$")
}

/// One code of `domain::country::CountryLookup::parse`: numeric (1 to 3 digits), alpha-2, or three
/// letters and digits starting with a letter; any case.
const COUNTRY: &str = "([0-9]{1,3}|[A-Za-z]{2}|[A-Za-z][A-Za-z0-9]{2})";

pub fn country_code() -> String {
    format!("^{COUNTRY}$")
}

/// `api::lookup::parse_country_list`: codes separated by commas, spaces around them allowed.
pub fn country_list(max: usize) -> String {
    list(COUNTRY, max)
}

/// `^ *item *(, *item *){0,max-1}$`.
fn list(item: &str, max: usize) -> String {
    format!("^ *{item} *(, *{item} *){{0,{}}}$", max.saturating_sub(1))
}

/// A list without a limit on its length.
fn open_list(item: &str) -> String {
    format!("^ *{item} *(, *{item} *)*$")
}

/// `domain::ids::TreatyId`.
const TREATY_ID: &str = "[a-z0-9_]{1,40}";

pub fn treaty_id() -> String {
    format!("^{TREATY_ID}$")
}

pub fn treaty_list(max: Option<usize>) -> String {
    max.map_or_else(|| open_list(TREATY_ID), |max| list(TREATY_ID, max))
}

/// `domain::ids::SeriesId`.
const SERIES_ID: &str = "[a-z0-9_.]{1,100}";

pub fn series_id() -> String {
    format!("^{SERIES_ID}$")
}

pub fn series_list() -> String {
    open_list(SERIES_ID)
}

/// `domain::ids::SourceId`.
pub const SOURCE_ID: &str = "^[A-Za-z0-9_.-]{1,100}$";

/// `domain::ids::DatasetId`.
pub const DATASET_ID: &str = "^[a-z0-9_]{1,64}$";

/// `api::v1::trade::token_list`: product codes, dataset and source ids.
const TOKEN: &str = "[A-Za-z0-9_.-]{1,100}";

pub fn token() -> String {
    format!("^{TOKEN}$")
}

pub fn token_list(max: usize) -> String {
    list(TOKEN, max)
}

/// `domain::treaty::article::is_number_token`: a chapter or article as the treaty writes it.
pub const NUMBER_TOKEN: &str = "^[A-Za-z0-9._-]{1,40}$";

/// An article as the treaty writes it, or its stable id `{treaty}:{article}`.
pub fn article() -> String {
    format!("^({TREATY_ID}:)?[A-Za-z0-9._-]{{1,40}}$")
}

/// `domain::ids::MeasureId`.
pub const MEASURE: &str = "^[a-z0-9_]{1,60}$";

/// `domain::ids::RegionCode`: ISO 3166-2, any case.
pub const REGION: &str = "^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$";

/// A party to a treaty: an ISO alpha-3 code, any case.
pub const ALPHA3: &str = "^[A-Za-z]{3}$";

/// `api::v1::trade::flows::decode_cursor`: `i` and the lower-case hexadecimal id of a row (an
/// i64 of at least 0), without leading zeros.
pub const CURSOR: &str = "^i(0|[1-9a-f][0-9a-f]{0,14}|[1-7][0-9a-f]{15})$";

/// The letters and digits of a search word: `domain::search::WORD_CHARACTERS` as a class.
fn search_letter() -> String {
    let ranges: String = crate::domain::search::WORD_CHARACTERS
        .iter()
        .map(|(first, last)| format!("{first}-{last}"))
        .collect();
    format!("[{ranges}]")
}

/// `domain::search::parse`: words (joined by `-` or `'`), `"quoted phrases"` and prefix* terms
/// separated by spaces, at most `max_terms` of them. The operators it refuses (`OR`, `AND`, `NOT`,
/// `NEAR` in capitals) fit the pattern of a word: they are named in the parameter's description.
pub fn search(max_terms: usize) -> String {
    let letter = search_letter();
    let word = format!("{letter}+(['’-]{letter}+)*");
    let prefix = format!("{letter}{{2,}}\\*");
    let phrase = format!("\" *{word}( +{word})* *\"");
    let term = format!("({word}|{prefix}|{phrase})");
    format!(
        "^ *{term}( +{term}){{0,{}}} *$",
        max_terms.saturating_sub(1)
    )
}

pub fn integer(minimum: impl Into<i64>, maximum: impl Into<i64>) -> Constraint {
    Constraint::Integer {
        minimum: minimum.into(),
        maximum: maximum.into(),
    }
}

pub fn pattern(pattern: impl Into<String>) -> Constraint {
    text(pattern)
}

pub fn bounded_pattern(pattern: impl Into<String>, max_length: usize) -> Constraint {
    Constraint::Text {
        pattern: pattern.into(),
        max_length: Some(max_length),
    }
}

/// The constraint the document declares on `param` of `operation` (an operation id), if any;
/// `topics` are the slugs of the treaty taxonomy.
pub fn of(operation: &str, param: &str, topics: &[String]) -> Option<Constraint> {
    use crate::api::v1::{imports, trade, treaties, vintages, wages};
    use crate::domain::period::MONTHLY_OR_COARSER;
    let constraint = match (operation, param) {
        // Versions of a dataset, not periods.
        ("list_row_changes", "from") => integer(0, i64::MAX),
        ("list_row_changes", "to") => integer(1, i64::MAX),
        (_, "from" | "to") => pattern(period()),
        (_, "topic") if !topics.is_empty() => Constraint::OneOf(topics.to_vec()),
        ("get_country", "code")
        | ("list_wage_series" | "get_wage_series", "country")
        | ("get_trade_balance", "country" | "partner")
        | ("get_trade_mirror", "reporter" | "partner")
        | ("list_trade_partners", "country")
        | ("compare_wages", "base") => pattern(country_code()),
        ("list_trade_flows", "reporter" | "partner") => pattern(country_list(trade::MAX_LIST)),
        ("list_prices", "country") => pattern(country_list(wages::prices::MAX_COUNTRIES)),
        ("compare_wages", "countries") => pattern(country_list(wages::compare::MAX_COUNTRIES)),
        ("compare_wages", "series") => pattern(series_list()),
        ("get_wage_series", "series") => pattern(series_id()),
        (
            "get_treaty"
            | "list_treaty_chapters"
            | "get_treaty_coverage"
            | "list_treaty_provisions"
            | "get_treaty_provision",
            "id",
        ) => pattern(treaty_id()),
        ("get_treaty_provision", "article") => pattern(article()),
        // A comparison needs one currency: `local` is refused.
        ("compare_wages", "currency") => Constraint::OneOf(
            crate::domain::currency::Currency::codes()
                .map(str::to_owned)
                .collect(),
        ),
        // Trade figures and price series are monthly at the finest (the wage series and rates
        // of the other operations include daily ones).
        ("list_trade_flows" | "get_trade_balance" | "list_prices", "frequency") => {
            Constraint::OneOf(MONTHLY_OR_COARSER.map(|f| f.code().to_owned()).to_vec())
        }
        ("list_treaty_provisions", "chapter") => pattern(NUMBER_TOKEN),
        ("list_wage_series" | "list_prices" | "compare_wages", "measure") => pattern(MEASURE),
        ("list_wage_series", "region") => pattern(REGION),
        ("get_source", "id") | ("import", "source") => pattern(SOURCE_ID),
        ("import", "dataset")
        | ("list_versions" | "list_row_changes" | "download_dataset", "id") => pattern(DATASET_ID),
        ("list_changes", "since") => integer(0, i64::MAX),
        ("list_changes", "limit") => integer(1, vintages::MAX_CHANGES_LIMIT),
        ("import", "kind") => Constraint::OneOf(
            crate::import::command::ImportKind::names()
                .into_iter()
                .map(str::to_owned)
                .collect(),
        ),
        ("list_imports", "limit") => integer(1, imports::MAX_LOG_LIMIT),
        ("list_imports", "before") => integer(1, i64::MAX),
        ("list_treaties", "party") => pattern(ALPHA3),
        ("search_provisions", "q") => bounded_pattern(
            search(crate::domain::search::MAX_TERMS),
            crate::domain::search::MAX_QUERY_CHARS,
        ),
        ("search_provisions", "treaties") => pattern(treaty_list(None)),
        ("compare_provisions", "treaties") => {
            pattern(treaty_list(Some(treaties::search::MAX_COMPARED)))
        }
        ("search_provisions", "limit") => integer(1, treaties::search::MAX_LIMIT),
        ("search_provisions", "offset") => integer(0, treaties::search::MAX_OFFSET),
        ("list_trade_flows", "limit") => integer(1, trade::flows::MAX_LIMIT),
        ("list_trade_flows", "cursor") => pattern(CURSOR),
        ("list_trade_flows", "source" | "product") | ("get_trade_mirror", "source") => {
            pattern(token_list(trade::MAX_LIST))
        }
        ("get_trade_balance" | "list_trade_partners", "source" | "product")
        | ("get_trade_mirror", "product") => pattern(token()),
        ("list_trade_partners", "top") => integer(1, trade::partners::MAX_TOP),
        ("list_trade_partners", "year") => integer(
            crate::domain::period::MIN_YEAR,
            crate::domain::period::MAX_YEAR,
        ),
        _ => return None,
    };
    Some(constraint)
}

#[cfg(test)]
mod tests {
    use regex::Regex;

    use super::*;
    use crate::domain::country::CountryLookup;
    use crate::domain::ids::{DatasetId, MeasureId, RegionCode, SeriesId, SourceId, TreatyId};
    use crate::domain::period::Period;
    use crate::domain::search;
    use crate::domain::treaty::article::is_number_token;
    use crate::domain::vintage::AsOf;

    /// The pattern and the parser agree on every input.
    fn agree(pattern: &str, parses: impl Fn(&str) -> bool, inputs: &[&str]) {
        let regex = Regex::new(pattern).unwrap();
        for input in inputs {
            assert_eq!(
                regex.is_match(input),
                parses(input),
                "{pattern} and the parser disagree on {input:?}"
            );
        }
    }

    #[test]
    fn the_period_pattern_takes_what_period_parse_takes() {
        let inputs = [
            "2016",
            "1800",
            "2200",
            "1799",
            "2201",
            "0000",
            "9999",
            "2016-Q3",
            "2016-q1",
            "2016-Q0",
            "2016-Q5",
            "2016-07",
            "2016-00",
            "2016-13",
            "2016-07-14",
            "2016-02-29",
            "2015-02-29",
            "2000-02-29",
            "1900-02-29",
            "2100-02-29",
            "2016-02-30",
            "2016-04-31",
            "2016-05-31",
            "2016-12-31",
            "2016-11-30",
            "2016-7",
            "2016-07-1",
            "",
            "20166",
            "16",
            "2016-",
            "2016-Q",
            "2016/07",
            "2016-07-14T00",
            "x",
            " 2016",
        ];
        agree(&period(), |p| Period::parse(p).is_ok(), &inputs);
    }

    #[test]
    fn the_as_of_pattern_takes_what_as_of_parses() {
        let inputs = [
            "1",
            "42",
            "999999999999999999",
            "9999999999999999999",
            "0",
            "01",
            "-1",
            "2026-12-01",
            "2016-02-29",
            "2015-02-29",
            "1799-12-31",
            "2201-01-01",
            "2026-12-01T09:30:00Z",
            "2026-12-01T24:00:00Z",
            "2026-12-01T09:60:00Z",
            "2026-12-01T09:30:00",
            "2026-12-01T09:30:00+01:00",
            "2026-12-01T09:30Z",
            "2026-12-1",
            "",
            "latest",
        ];
        agree(&as_of(), |a| a.parse::<AsOf>().is_ok(), &inputs);
    }

    #[test]
    fn the_code_and_id_patterns_take_what_their_parsers_take() {
        let codes = [
            "mx", "MEX", "484", "4", "48", "YUG", "b1x", "1ab", "m", "mexi", "", "m-", "é1",
        ];
        agree(&country_code(), |c| CountryLookup::parse(c).is_ok(), &codes);
        let ids = [
            "tpp",
            "tota_101",
            "TPP",
            "tpp.19",
            "",
            "a b",
            &"a".repeat(40),
            &"a".repeat(41),
        ];
        agree(&treaty_id(), |i| TreatyId::parse(i).is_ok(), &ids);
        let series = [
            "mx.minimum_wage.general",
            "MX.x",
            "",
            "a-b",
            &"a".repeat(101),
        ];
        agree(&series_id(), |s| SeriesId::parse(s).is_ok(), &series);
        let sources = [
            "tota_v0.5.0",
            "vhc_laSalario-table",
            "",
            "a/b",
            "é",
            &"a".repeat(101),
        ];
        agree(SOURCE_ID, |s| SourceId::parse(s).is_ok(), &sources);
        let datasets = [
            "census",
            "trade_csv_2",
            "",
            "Census",
            "a.b",
            &"a".repeat(65),
        ];
        agree(DATASET_ID, |s| DatasetId::parse(s).is_ok(), &datasets);
        let numbers = [
            "19.3",
            "1901",
            "preamble",
            "A-1_b",
            "",
            "19 3",
            "19:3",
            &"1".repeat(41),
        ];
        agree(NUMBER_TOKEN, is_number_token, &numbers);
        let measures = [
            "minimum_wage",
            "cpi",
            "CPI",
            "cpi change",
            "",
            &"a".repeat(61),
        ];
        agree(MEASURE, |m| MeasureId::parse(m).is_ok(), &measures);
        let regions = [
            "US-CA", "ca-on", "MX-CMX", "US-1", "US", "US-", "USA-CA", "US-CAXX", "US_CA", "é-CA",
        ];
        agree(REGION, |r| RegionCode::parse(r).is_ok(), &regions);
    }

    #[test]
    fn lists_take_at_most_their_count_with_spaces_around_items() {
        let regex = Regex::new(&country_list(3)).unwrap();
        for good in ["mx", "mx,us", "mx, us ,ca", " mx"] {
            assert!(regex.is_match(good), "{good:?}");
        }
        for bad in ["", "mx,", ",mx", "mx,us,ca,fr", "mx;us", "mx,,us"] {
            assert!(!regex.is_match(bad), "{bad:?}");
        }
    }

    #[test]
    fn the_search_pattern_takes_only_queries_the_parser_takes() {
        let regex = Regex::new(&search(search::MAX_TERMS)).unwrap();
        let accepted = [
            "forced labour",
            r#""compulsory labour" arbitra*"#,
            "non-derogation worker's",
            "trabajo forzoso artículo",
            " labour ",
            &"w ".repeat(12),
        ];
        for query in accepted {
            assert!(regex.is_match(query), "{query:?}");
            assert!(search::parse(query).is_ok(), "{query:?}");
        }
        let refused = [
            "",
            "'",
            "-labour",
            "labour*x",
            "l*",
            r#""open"#,
            "a:b",
            "labour OR (forced)",
            &"w ".repeat(13),
        ];
        for query in refused {
            assert!(!regex.is_match(query), "{query:?}");
            assert!(search::parse(query).is_err(), "{query:?}");
        }
    }

    #[test]
    fn cursors_match_what_flows_issue() {
        let regex = Regex::new(CURSOR).unwrap();
        use crate::api::v1::trade::flows::decode_cursor;
        for good in ["i0", "i1", "i3e8", "i7fffffffffffffff"] {
            assert!(regex.is_match(good), "{good:?}");
            assert!(decode_cursor(good).is_ok(), "{good:?}");
        }
        let bad = [
            "i",
            "3e8",
            "i-1",
            "i+1",
            "i01",
            "i8000000000000000",
            "iG",
            "iA",
        ];
        for bad in bad {
            assert!(!regex.is_match(bad), "{bad:?}");
            assert!(decode_cursor(bad).is_err(), "{bad:?}");
        }
    }
}
