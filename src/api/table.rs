//! The columns of the flat representations (CSV, NDJSON and Parquet): name, type and unit,
//! declared once per row type. The CSV header, the Parquet schema and the Frictionless Data
//! Package that describes an export (`format=datapackage`, linked from every flat answer) are all
//! made from them, so they cannot drift apart.

use serde_json::{Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

use super::envelope::Meta;

/// What a column holds. Every value of a column has its type in every answer; a missing value
/// is an empty CSV field and a JSON `null`, never a zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    /// Text from a short list of values (a country code, a direction, a source id): a string in
    /// the data package and CSV, a dictionary-encoded string in Parquet (a category in pandas).
    Code,
    Number,
    Integer,
    Boolean,
    /// An ISO 8601 calendar date.
    Date,
}

impl ColumnType {
    /// The Table Schema type name.
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Text | ColumnType::Code => "string",
            ColumnType::Number => "number",
            ColumnType::Integer => "integer",
            ColumnType::Boolean => "boolean",
            ColumnType::Date => "date",
        }
    }
}

/// The unit of a numeric column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    None,
    /// Current US dollars.
    Usd,
    Percent,
    /// The unit the answer names in `meta.unit` (and in a `unit` column): a wage in one answer is
    /// pesos per day, in another dollars per hour.
    OfAnswer,
}

/// A column of a flat representation.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub kind: ColumnType,
    pub unit: Unit,
}

impl Column {
    const fn new(name: &'static str, kind: ColumnType) -> Self {
        Self {
            name,
            kind,
            unit: Unit::None,
        }
    }

    pub const fn text(name: &'static str) -> Self {
        Self::new(name, ColumnType::Text)
    }

    pub const fn code(name: &'static str) -> Self {
        Self::new(name, ColumnType::Code)
    }

    pub const fn number(name: &'static str) -> Self {
        Self::new(name, ColumnType::Number)
    }

    pub const fn integer(name: &'static str) -> Self {
        Self::new(name, ColumnType::Integer)
    }

    pub const fn boolean(name: &'static str) -> Self {
        Self::new(name, ColumnType::Boolean)
    }

    pub const fn date(name: &'static str) -> Self {
        Self::new(name, ColumnType::Date)
    }

    /// A number in `unit`.
    pub const fn measured(name: &'static str, unit: Unit) -> Self {
        Self {
            unit,
            ..Self::number(name)
        }
    }

    /// The unit of the column's values in an answer whose values are in `answer_unit`.
    pub fn unit_name(self, answer_unit: Option<&str>) -> Option<String> {
        match self.unit {
            Unit::None => None,
            Unit::Usd => Some("USD".to_owned()),
            Unit::Percent => Some("percent".to_owned()),
            Unit::OfAnswer => answer_unit.map(str::to_owned),
        }
    }
}

/// Where the flat forms of an answer are, for its data package: URLs relative to the package's.
pub struct Locations<'a> {
    /// The answer's name, as its CSV file is named (`wage_series`).
    pub name: &'a str,
    pub csv: &'a str,
    pub ndjson: &'a str,
    pub parquet: &'a str,
}

/// The Frictionless Data Package of an answer: its CSV, NDJSON and Parquet forms as resources
/// with one Table Schema, each column with its type, unit and the description the API documents
/// for the field of the same name (`item`, the item's schema), and the sources and licences of
/// `meta`.
pub fn data_package(
    columns: &[Column],
    item: &RefOr<Schema>,
    meta: &Meta,
    at: &Locations<'_>,
) -> Value {
    let fields: Vec<Value> = columns
        .iter()
        .map(|column| {
            let mut field = json!({"name": column.name, "type": column.kind.name()});
            if let Some(description) = field_description(item, column.name) {
                field["description"] = description.into();
            }
            if let Some(unit) = column.unit_name(meta.unit.as_deref()) {
                field["unit"] = unit.into();
            }
            field
        })
        .collect();
    let schema = json!({"fields": fields, "missingValues": [""]});
    let sources: Vec<Value> = meta
        .sources
        .iter()
        .map(|source| {
            let mut entry = json!({"title": format!("{}: {}", source.publisher, source.title)});
            if let Some(url) = &source.url {
                entry["path"] = url.clone().into();
            }
            entry
        })
        .collect();
    let mut licences: Vec<&str> = meta.sources.iter().map(|s| s.licence.as_str()).collect();
    licences.sort_unstable();
    licences.dedup();
    let licenses: Vec<Value> = licences
        .into_iter()
        .map(|licence| json!({"title": licence}))
        .collect();
    let resource = |path: &str, format: &str, mediatype: &str| {
        json!({
            "name": format!("{}-{format}", at.name.replace('_', "-")),
            "path": path,
            "format": format,
            "mediatype": mediatype,
            "encoding": "utf-8",
            "schema": schema,
        })
    };
    let mut package = json!({
        "name": at.name.replace('_', "-"),
        "resources": [
            resource(at.csv, "csv", "text/csv"),
            resource(at.ndjson, "ndjson", "application/x-ndjson"),
            resource(at.parquet, "parquet", "application/vnd.apache.parquet"),
        ],
        "sources": sources,
        "licenses": licenses,
    });
    if let Some(dataset) = &meta.dataset {
        package["version"] = dataset.version.to_string().into();
        package["created"] = dataset.last_updated.clone().into();
    }
    if !meta.warnings.is_empty() {
        package["description"] = meta.warnings.join(" ").into();
    }
    package
}

/// The documented description of the item's field `name`, where the item has one.
pub fn field_description(item: &RefOr<Schema>, name: &str) -> Option<String> {
    let RefOr::T(Schema::Object(object)) = item else {
        return None;
    };
    match object.properties.get(name)? {
        RefOr::T(Schema::Object(property)) => property.description.clone(),
        RefOr::T(Schema::OneOf(one_of)) => one_of.description.clone(),
        _ => None,
    }
}
