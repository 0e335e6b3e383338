//! The currencies the service has exchange rates for, and converting an amount between them
//! through the US dollar, the way every published rate here is quoted (units of a currency per
//! USD).

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::IntoDeserializer;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

named_enum! {
    /// A currency with loaded exchange rates.
    #[derive(strum::EnumIter, PartialOrd, Ord)]
    #[strum(serialize_all = "UPPERCASE")]
    pub enum Currency {
        #[serde(rename = "USD", alias = "usd")]
        Usd,
        #[serde(rename = "MXN", alias = "mxn")]
        Mxn,
        #[serde(rename = "CAD", alias = "cad")]
        Cad,
    }
}

impl Currency {
    /// The ISO 4217 code.
    pub fn code(self) -> &'static str {
        self.into()
    }

    /// The codes of every currency with loaded rates.
    pub fn codes() -> impl Iterator<Item = &'static str> {
        use strum::IntoEnumIterator;
        Self::iter().map(Self::code)
    }
}

/// The currency to express values in: one with loaded rates, or `local`, the series' own. Its
/// values are `Currency`'s and `local`, so the list of currencies stays in one place.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CurrencyChoice {
    /// The series' own currency.
    #[default]
    Local,
    In(Currency),
}

/// How `local` is spelt in queries.
const LOCAL: &str = "local";

impl CurrencyChoice {
    /// The currency asked for; none for the series' own.
    pub fn currency(self) -> Option<Currency> {
        match self {
            CurrencyChoice::Local => None,
            CurrencyChoice::In(currency) => Some(currency),
        }
    }
}

impl<'de> Deserialize<'de> for CurrencyChoice {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        if value == LOCAL {
            return Ok(CurrencyChoice::Local);
        }
        Currency::deserialize(value.as_str().into_deserializer())
            .map(CurrencyChoice::In)
            .map_err(|_: serde::de::value::Error| {
                let expected: Vec<String> = std::iter::once(LOCAL)
                    .chain(Currency::codes())
                    .map(|name| format!("`{name}`"))
                    .collect();
                serde::de::Error::custom(format!(
                    "unknown variant `{value}`, expected one of {}",
                    expected.join(", ")
                ))
            })
    }
}

// The query parameter `currency` parses into this; the OpenAPI document has always named it
// `CurrencyParam`, and renaming the type must not rename the schema.
impl ToSchema for CurrencyChoice {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("CurrencyParam")
    }
}

impl PartialSchema for CurrencyChoice {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("The currency to express values in."))
            .enum_values(Some(std::iter::once(LOCAL).chain(Currency::codes())))
            .into()
    }
}

/// One step of a conversion: a rate in units of a currency per USD, and whether the amount is in
/// that currency (divide, to reach dollars) or in dollars (multiply, to leave them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Leg {
    pub per_usd: f64,
    pub divide: bool,
}

impl Leg {
    pub fn apply(self, amount: f64) -> f64 {
        if self.divide {
            amount / self.per_usd
        } else {
            amount * self.per_usd
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(value: &str) -> Result<CurrencyChoice, serde::de::value::Error> {
        CurrencyChoice::deserialize(value.into_deserializer())
    }

    #[test]
    fn a_currency_choice_is_local_or_a_currency_in_either_case() {
        assert_eq!(choice("local"), Ok(CurrencyChoice::Local));
        assert_eq!(choice("USD"), Ok(CurrencyChoice::In(Currency::Usd)));
        assert_eq!(choice("cad"), Ok(CurrencyChoice::In(Currency::Cad)));
        let refused = choice("EUR").unwrap_err().to_string();
        assert_eq!(
            refused,
            "unknown variant `EUR`, expected one of `local`, `USD`, `MXN`, `CAD`"
        );
    }

    #[test]
    fn pesos_reach_dollars_by_dividing() {
        let leg = Leg {
            per_usd: 20.0,
            divide: true,
        };
        assert_eq!(leg.apply(100.0), 5.0);
    }
}
