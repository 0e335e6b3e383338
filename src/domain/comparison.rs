//! Comparing one measure across countries: which series stands for each country, and how their
//! figures line up by period with each country's ratio to a base country.

use std::collections::BTreeMap;

use super::currency::{Currency, CurrencyChoice};
use super::figures::{Computed, Figure};

/// A comparison that cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompareError {
    #[error("A comparison needs one currency; currency=local would mix them.")]
    MixedCurrencies,
    #[error("The base ({0}) must be one of the compared countries.")]
    BaseNotCompared(String),
    #[error("Series '{id}' is not a {measure} series of one of the compared countries.")]
    NotOfMeasure { id: String, measure: String },
    #[error("Give at most one series per country; '{0}' is the second for its country.")]
    SecondForCountry(String),
}

/// The one currency values are compared in: US dollars unless told otherwise, never each
/// country's own.
pub fn currency(choice: Option<CurrencyChoice>) -> Result<CurrencyChoice, CompareError> {
    match choice {
        Some(CurrencyChoice::Local) => Err(CompareError::MixedCurrencies),
        choice => Ok(choice.unwrap_or(CurrencyChoice::In(Currency::Usd))),
    }
}

/// What an override (`series=`) is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Override<'a> {
    pub id: &'a str,
    pub country: Option<&'a str>,
    pub measure: &'a str,
}

/// Checks that an override measures `measure`, belongs to one of `compared` countries and is the
/// first for its country among those `chosen` so far.
pub fn check_override(
    series: Override,
    measure: &str,
    compared: &[&str],
    chosen: &[Override],
) -> Result<(), CompareError> {
    let belongs = series.country.is_some_and(|c| compared.contains(&c));
    if !belongs || series.measure != measure {
        return Err(CompareError::NotOfMeasure {
            id: series.id.to_owned(),
            measure: measure.to_owned(),
        });
    }
    if chosen.iter().any(|s| s.country == series.country) {
        return Err(CompareError::SecondForCountry(series.id.to_owned()));
    }
    Ok(())
}

/// Why a country has no series to compare: none measures `measure`, or none of `candidates` is
/// its headline.
pub fn no_series_reason(country: &str, measure: &str, candidates: &[&str]) -> String {
    if candidates.is_empty() {
        let loaded_elsewhere = match measure {
            "average_hourly_earnings" => {
                ": no Mexican or Canadian manufacturing wage series is loaded yet, only the U.S. one (the comparison behind \"a quarter of U.S. wages\" needs them); measure=average_wage compares OECD average wages of all employees"
            }
            _ => "",
        };
        format!("{country} has no {measure} series{loaded_elsewhere}")
    } else {
        format!(
            "{country} has no headline {measure} series; choose one with series= ({})",
            candidates.join(", ")
        )
    }
}

/// The warning for a sub-national series standing in for its country.
pub fn stand_in_warning(country: &str, series_name: &str, region: &str) -> String {
    format!("{country}: {series_name} covers {region} only and stands in for the whole country")
}

/// A country's part of a comparison.
#[derive(Debug, Clone, Copy)]
pub struct Leg<'a> {
    pub country: &'a str,
    /// None when the country has no series for the measure.
    pub series_id: Option<&'a str>,
    pub computed: &'a Computed,
}

/// A country's value in a period, beside its leg.
#[derive(Debug, Clone, PartialEq)]
pub struct Aligned {
    pub value: Option<f64>,
    pub ratio_to_base: Option<f64>,
    pub partial: bool,
    /// Why the value is none, when it is.
    pub missing: Option<String>,
}

/// The comparison of the legs: every period any has, with every leg's value in leg order, and
/// what the answer says of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub periods: Vec<(String, Vec<Aligned>)>,
    /// The unit of the first leg with a series.
    pub unit: Option<String>,
    pub transformations: Vec<String>,
    pub warnings: Vec<String>,
}

/// Lines the legs up, `base` being the index of the base country's leg, after `warnings` about
/// the choice of series.
pub fn compare(legs: &[Leg], base: usize, mut warnings: Vec<String>) -> Comparison {
    let units: Vec<&str> = legs
        .iter()
        .filter(|l| l.series_id.is_some())
        .map(|l| l.computed.unit.as_str())
        .collect();
    if units.iter().any(|u| Some(u) != units.first()) {
        warnings.push(format!(
            "the series are in different units ({}); ratios between different units are null",
            units.join(", ")
        ));
    }
    let mut transformations = Vec::new();
    for leg in legs {
        let id = leg.series_id.unwrap_or_default();
        transformations.extend(leg.computed.transformations_of(id));
        warnings.extend(leg.computed.warnings.iter().cloned());
    }
    Comparison {
        periods: align(legs, base),
        unit: units.first().map(|u| (*u).to_owned()),
        transformations,
        warnings,
    }
}

fn align(legs: &[Leg], base: usize) -> Vec<(String, Vec<Aligned>)> {
    let mut by_period: BTreeMap<&str, Vec<Option<&Figure>>> = BTreeMap::new();
    for (index, leg) in legs.iter().enumerate() {
        for figure in &leg.computed.figures {
            by_period
                .entry(figure.period.as_str())
                .or_insert_with(|| vec![None; legs.len()])[index] = Some(figure);
        }
    }
    // A ratio of values in different units (constant prices of different releases, say) is no
    // ratio: it stays null.
    let base_unit = legs.get(base).map_or("", |l| l.computed.unit.as_str());
    by_period
        .into_iter()
        .map(|(period, figures)| {
            let base_value = figures[base].and_then(|f| f.value);
            let values = legs
                .iter()
                .zip(&figures)
                .map(|(leg, figure)| {
                    let value = figure.and_then(|f| f.value);
                    let missing = match (leg.series_id, value) {
                        (None, _) => {
                            Some(format!("{} has no series for this measure", leg.country))
                        }
                        (Some(_), None) => {
                            Some(format!("{} has no value for {period}", leg.country))
                        }
                        _ => None,
                    };
                    Aligned {
                        value,
                        ratio_to_base: value
                            .zip(base_value)
                            .filter(|(_, b)| *b != 0.0 && leg.computed.unit == base_unit)
                            .map(|(v, b)| v / b),
                        partial: figure.is_some_and(|f| f.partial),
                        missing,
                    }
                })
                .collect();
            (period.to_owned(), values)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn computed(unit: &str, values: &[(&str, Option<f64>)]) -> Computed {
        let day = NaiveDate::default();
        Computed {
            figures: values
                .iter()
                .map(|(period, value)| Figure {
                    period: (*period).to_owned(),
                    start: day,
                    end: day,
                    value: *value,
                    partial: false,
                    note: None,
                    fx: Vec::new(),
                })
                .collect(),
            unit: unit.to_owned(),
            transformations: vec!["annual value = mean".to_owned()],
            ..Computed::default()
        }
    }

    #[test]
    fn every_country_appears_in_every_period_with_its_ratio_to_the_base() {
        let us = computed(
            "USD per hour",
            &[("2016", Some(10.0)), ("2017", Some(20.0))],
        );
        let mx = computed("USD per hour", &[("2016", Some(2.5)), ("2017", None)]);
        let none = Computed::default();
        let legs = [
            Leg {
                country: "Mexico",
                series_id: Some("mx"),
                computed: &mx,
            },
            Leg {
                country: "United States",
                series_id: Some("us"),
                computed: &us,
            },
            Leg {
                country: "Canada",
                series_id: None,
                computed: &none,
            },
        ];
        let comparison = compare(&legs, 1, Vec::new());
        assert_eq!(comparison.unit.as_deref(), Some("USD per hour"));
        assert_eq!(comparison.periods.len(), 2);
        let (period, values) = &comparison.periods[0];
        assert_eq!(period, "2016");
        assert_eq!(values[0].ratio_to_base, Some(0.25));
        assert_eq!(values[1].ratio_to_base, Some(1.0));
        assert_eq!(
            values[2].missing.as_deref(),
            Some("Canada has no series for this measure")
        );
        let (_, values) = &comparison.periods[1];
        assert_eq!(
            values[0].missing.as_deref(),
            Some("Mexico has no value for 2017")
        );
        assert_eq!(
            comparison.transformations,
            ["mx: annual value = mean", "us: annual value = mean"]
        );
        assert!(comparison.warnings.is_empty());
    }

    #[test]
    fn values_in_different_units_have_no_ratio() {
        let us = computed("USD per hour", &[("2016", Some(10.0))]);
        let mx = computed("USD per day", &[("2016", Some(40.0))]);
        let legs = [
            Leg {
                country: "United States",
                series_id: Some("us"),
                computed: &us,
            },
            Leg {
                country: "Mexico",
                series_id: Some("mx"),
                computed: &mx,
            },
        ];
        let comparison = compare(&legs, 0, vec!["chosen".to_owned()]);
        assert_eq!(comparison.periods[0].1[1].ratio_to_base, None);
        assert_eq!(comparison.warnings[0], "chosen");
        assert!(comparison.warnings[1].starts_with("the series are in different units"));
    }

    #[test]
    fn overrides_must_measure_the_measure_once_per_compared_country() {
        let ontario = Override {
            id: "ca.minimum_wage.on",
            country: Some("CAN"),
            measure: "minimum_wage",
        };
        assert_eq!(
            check_override(ontario, "minimum_wage", &["CAN", "USA"], &[]),
            Ok(())
        );
        assert_eq!(
            check_override(ontario, "minimum_wage", &["CAN", "USA"], &[ontario]),
            Err(CompareError::SecondForCountry(
                "ca.minimum_wage.on".to_owned()
            ))
        );
        assert!(matches!(
            check_override(ontario, "average_wage", &["CAN"], &[]),
            Err(CompareError::NotOfMeasure { .. })
        ));
        assert!(check_override(ontario, "minimum_wage", &["MEX"], &[]).is_err());
    }

    #[test]
    fn a_comparison_is_in_dollars_unless_told_and_never_in_local_currencies() {
        assert_eq!(currency(None), Ok(CurrencyChoice::In(Currency::Usd)));
        assert_eq!(
            currency(Some(CurrencyChoice::In(Currency::Cad))),
            Ok(CurrencyChoice::In(Currency::Cad))
        );
        assert_eq!(
            currency(Some(CurrencyChoice::Local)),
            Err(CompareError::MixedCurrencies)
        );
        assert_eq!(
            no_series_reason("Canada", "minimum_wage", &["a", "b"]),
            "Canada has no headline minimum_wage series; choose one with series= (a, b)"
        );
    }
}
