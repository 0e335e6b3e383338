//! Country codes as users type them, and what kind of code each stored country has.

use std::fmt;

/// A validated country code from a request, normalised to upper case. Validation happens before
/// any query, so odd input (NUL bytes, control characters, very long strings) never reaches a
/// database and gets the same answer on every backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountryLookup {
    /// ISO 3166-1 alpha-2, such as `MX`.
    Alpha2(String),
    /// Three letters or digits: ISO 3166-1 alpha-3 (`MEX`), a former ISO 3166-3 code (`YUG`) or a
    /// code particular to a source (`BLX`, `KN1`).
    Code(String),
    /// ISO 3166-1 numeric, zero-padded to three digits (`484`, `036`).
    Numeric(String),
}

/// What a country code can look like, for error messages.
pub const COUNTRY_CODE_FORMS: &str = "an ISO 3166-1 alpha-2 code (MX), alpha-3 code (MEX) or numeric code (484), \
     a former ISO 3166-3 code (YUG) or a source-specific code (BLX), in any case";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{shown}' is not a country code: expected {COUNTRY_CODE_FORMS}")]
pub struct InvalidCountryCode {
    /// The input, shortened and with control characters escaped, safe to echo back.
    pub shown: String,
}

impl CountryLookup {
    pub fn parse(raw: &str) -> Result<Self, InvalidCountryCode> {
        let invalid = || InvalidCountryCode {
            shown: shorten_for_display(raw),
        };
        if raw.is_empty() || raw.len() > 3 || !raw.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(invalid());
        }
        let upper = raw.to_ascii_uppercase();
        if upper.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(CountryLookup::Numeric(format!("{upper:0>3}")));
        }
        match upper.len() {
            2 if upper.bytes().all(|b| b.is_ascii_alphabetic()) => Ok(CountryLookup::Alpha2(upper)),
            3 if upper.as_bytes()[0].is_ascii_alphabetic() => Ok(CountryLookup::Code(upper)),
            _ => Err(invalid()),
        }
    }

    /// The code as normalised.
    pub fn as_str(&self) -> &str {
        match self {
            CountryLookup::Alpha2(c) | CountryLookup::Code(c) | CountryLookup::Numeric(c) => c,
        }
    }
}

impl fmt::Display for CountryLookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

named_enum! {
    /// What a stored country code is.
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum CountryKind {
        /// A current ISO 3166-1 country or territory.
        #[serde(rename = "iso3166_1")]
        #[strum(serialize = "iso3166_1")]
        Iso3166_1,
        /// A country deleted from ISO 3166-1 and listed in ISO 3166-3 (YUG, CSK, DDR, ...).
        #[serde(rename = "iso3166_3_former")]
        #[strum(serialize = "iso3166_3_former")]
        Iso3166_3Former,
        /// A code that only a data source uses (BLX Belgium-Luxembourg, KN1, ...).
        SourceSpecific,
    }
}

/// Shortens user input for an error message: at most 32 characters, control characters escaped.
pub fn shorten_for_display(raw: &str) -> String {
    let mut shown: String = raw
        .chars()
        .take(32)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if raw.chars().count() > 32 {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_code_form_in_any_case() {
        let cases = [
            ("mx", CountryLookup::Alpha2("MX".into())),
            ("MEX", CountryLookup::Code("MEX".into())),
            ("484", CountryLookup::Numeric("484".into())),
            ("36", CountryLookup::Numeric("036".into())),
            ("kn1", CountryLookup::Code("KN1".into())),
            ("Yug", CountryLookup::Code("YUG".into())),
        ];
        for (raw, expected) in cases {
            assert_eq!(CountryLookup::parse(raw), Ok(expected), "input {raw:?}");
        }
    }

    #[test]
    fn rejects_anything_that_cannot_be_a_code() {
        let long = "A".repeat(10_000);
        for raw in [
            "",
            "M",
            "MEXI",
            "a\0b",
            "m\nx",
            "1X",
            "M-X",
            "é",
            "1AB",
            long.as_str(),
        ] {
            assert!(
                CountryLookup::parse(raw).is_err(),
                "input {raw:?} was accepted"
            );
        }
    }

    #[test]
    fn error_message_escapes_and_shortens_the_input() {
        let err = CountryLookup::parse("a\0b").unwrap_err();
        assert_eq!(err.shown, "a\\u{0}b");
        let err = CountryLookup::parse(&"x".repeat(100)).unwrap_err();
        assert_eq!(err.shown.chars().count(), 33);
    }
}
