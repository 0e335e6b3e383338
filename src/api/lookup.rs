//! What many operations parse and look up the same way: country codes (checked before any
//! query, then found in the store), `from`/`to` ranges, and the sources of the rows an answer
//! shows. Resource modules use these instead of each other.

use super::reading::Reading;
use crate::db::countries::CountryRow;
use crate::db::sources::SourceRow;
use crate::domain::country::{CountryLookup, shorten_for_display};
use crate::domain::period::{DateRange, RangeError};
use crate::error::ApiError;

/// Validates a country code from parameter `param` before any query.
pub fn parse_country(param: &str, raw: &str) -> Result<CountryLookup, ApiError> {
    CountryLookup::parse(raw)
        .map_err(|e| ApiError::invalid_parameter(param, e.to_string()).with_help("/v1/countries"))
}

/// Validates a comma-separated list of country codes (at most `max`), keeping their order and
/// dropping repeats.
pub fn parse_country_list(
    param: &str,
    raw: &str,
    max: usize,
) -> Result<Vec<CountryLookup>, ApiError> {
    let mut lookups: Vec<CountryLookup> = Vec::new();
    for code in raw.split(',') {
        let lookup = parse_country(param, code.trim())?;
        if !lookups.contains(&lookup) {
            lookups.push(lookup);
        }
    }
    if lookups.len() > max {
        return Err(ApiError::invalid_parameter(
            param,
            format!(
                "At most {max} countries can be given; {} were.",
                lookups.len()
            ),
        ));
    }
    Ok(lookups)
}

/// The stored country a validated code names, or the 404 that points to the list of codes.
pub fn find_country(
    reading: &mut Reading<'_>,
    param: &str,
    lookup: &CountryLookup,
) -> Result<CountryRow, ApiError> {
    reading
        .country(lookup)?
        .ok_or_else(|| ApiError::unknown_country(param, lookup.as_str()))
}

/// `from`/`to` as a range, or the 400 that names the bad one.
pub fn date_range(from: Option<&str>, to: Option<&str>) -> Result<DateRange, ApiError> {
    DateRange::from_params(from, to).map_err(|error| match error {
        RangeError::Invalid(param, e) => ApiError::invalid_parameter(param, e.to_string()),
        RangeError::Reversed { from, to } => ApiError::invalid_parameter(
            "from",
            format!(
                "from ({}) is after to ({}).",
                shorten_for_display(&from),
                shorten_for_display(&to)
            ),
        ),
    })
}

/// The sources of a set of series or observations.
pub fn sources_of<'a>(
    reading: &mut Reading<'_>,
    ids: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<SourceRow>, ApiError> {
    let ids: Vec<&str> = ids.into_iter().collect();
    Ok(reading.sources(&ids)?)
}
