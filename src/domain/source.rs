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
