//! Mexico's minimum wages: the CONASAMI rates by zone with their effective dates, and Banxico's
//! monthly series (nominal and real indices).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{
    Event, LoadedSeries, Obs, SeriesSpec, events_to_observations, finish, parse_day, parse_number,
    parse_period,
};
use crate::domain::period::Period;
use crate::domain::series::{NativeFrequency, TimeUnit};
use crate::import::ImportError;
use crate::import::bundled::{BundledFile, bundled_file};
use crate::import::csv_rows::{read_rows, row_error};

pub const NOMINAL_CSV: BundledFile = bundled_file!("wages/mx_minimum_wage_nominal.csv");
pub const BANXICO_MONTHLY_CSV: BundledFile =
    bundled_file!("wages/mx_minimum_wage_banxico_monthly.csv");

#[derive(Debug, Deserialize)]
struct NominalRecord {
    zone: String,
    valid_from: String,
    valid_to: String,
    value: String,
    currency: String,
    unit: String,
    source_id: String,
    notes: String,
}

#[derive(Debug, Deserialize)]
struct BanxicoRecord {
    period: String,
    value: String,
    banxico_series: String,
    source_id: String,
}

/// The event series made from the nominal file: which zones feed it, and what it is.
struct ZoneSeries {
    variant: &'static str,
    zones: &'static [&'static str],
    name: &'static str,
    description: &'static str,
    headline: bool,
}

const ZONE_SERIES: [ZoneSeries; 5] = [
    ZoneSeries {
        variant: "general",
        zones: &["single_zone", "general_rest_of_country"],
        name: "General minimum wage (single national zone from October 2015, rest of the country from 2019)",
        description: "The general minimum wage per day: the single national zone from 2015-10-01, then from 2019 the rate for the whole country outside the northern border free zone. Before October 2015 Mexico had zones with different rates: see mx.minimum_wage.zone_a, zone_b and zone_c.",
        headline: true,
    },
    ZoneSeries {
        variant: "border",
        zones: &["northern_border_free_zone"],
        name: "Minimum wage in the northern border free zone (from 2019)",
        description: "The minimum wage per day in the Zona Libre de la Frontera Norte, in force since 2019-01-01.",
        headline: false,
    },
    ZoneSeries {
        variant: "zone_a",
        zones: &["A"],
        name: "Minimum wage, geographic zone A (2000 to September 2015)",
        description: "The general minimum wage per day in geographic zone A, until the zones were unified on 2015-10-01.",
        headline: false,
    },
    ZoneSeries {
        variant: "zone_b",
        zones: &["B"],
        name: "Minimum wage, geographic zone B (2000 to September 2015)",
        description: "The general minimum wage per day in geographic zone B, until the zones were unified on 2015-10-01.",
        headline: false,
    },
    ZoneSeries {
        variant: "zone_c",
        zones: &["C"],
        name: "Minimum wage, geographic zone C (2000 to 2011)",
        description: "The general minimum wage per day in geographic zone C, until it merged into zone B.",
        headline: false,
    },
];

/// Banxico's monthly series, by SIE code.
struct BanxicoSeries {
    code: &'static str,
    id: &'static str,
    measure: &'static str,
    name: &'static str,
    unit: &'static str,
    nominal: bool,
}

const BANXICO_SERIES: [BanxicoSeries; 5] = [
    BanxicoSeries {
        code: "SL11298",
        id: "mx.minimum_wage.general_monthly",
        measure: "minimum_wage",
        name: "General minimum wage, monthly (Banxico SL11298)",
        unit: "MXN per day",
        nominal: true,
    },
    BanxicoSeries {
        code: "SL11295",
        id: "mx.minimum_wage.border_monthly",
        measure: "minimum_wage",
        name: "Northern border free zone minimum wage, monthly (Banxico SL11295)",
        unit: "MXN per day",
        nominal: true,
    },
    BanxicoSeries {
        code: "SL2542",
        id: "mx.minimum_wage_real_index.base_1994",
        measure: "minimum_wage_real_index",
        name: "Real general minimum wage index, 1994 = 100 (Banxico SL2542)",
        unit: "index, 1994 = 100",
        nominal: false,
    },
    BanxicoSeries {
        code: "SL11127",
        id: "mx.minimum_wage_real_index.base_dec2012",
        measure: "minimum_wage_real_index",
        name: "Real general minimum wage index, December 2012 = 100 (Banxico SL11127)",
        unit: "index, December 2012 = 100",
        nominal: false,
    },
    BanxicoSeries {
        code: "SL11296",
        id: "mx.minimum_wage_real_index.border_base_dec2018",
        measure: "minimum_wage_real_index",
        name: "Real northern border free zone minimum wage index, December 2018 = 100 (Banxico SL11296)",
        unit: "index, December 2018 = 100",
        nominal: false,
    },
];

fn nominal_series() -> Result<Vec<LoadedSeries>, ImportError> {
    let file = NOMINAL_CSV.path;
    let rows = read_rows::<NominalRecord>(file, NOMINAL_CSV.bytes)?;
    let mut by_series: BTreeMap<&'static str, Vec<Event>> = BTreeMap::new();
    for (line, record) in rows {
        let Some(series) = ZONE_SERIES
            .iter()
            .find(|s| s.zones.contains(&record.zone.as_str()))
        else {
            return Err(row_error(
                file,
                line,
                format!("unknown zone '{}'", record.zone),
            ));
        };
        if record.currency != "MXN" || record.unit != "per_day" {
            return Err(row_error(file, line, "expected MXN per_day"));
        }
        let end = match record.valid_to.trim() {
            "" => None,
            raw => Some(parse_day(file, line, "valid_to", raw)?),
        };
        // The files flag doubts about a row with "NOTE:"; those are caveats, the rest provenance.
        let caveat = record
            .notes
            .split_once("NOTE:")
            .map(|(_, doubt)| doubt.trim().to_owned());
        by_series.entry(series.variant).or_default().push(Event {
            line,
            start: parse_day(file, line, "valid_from", &record.valid_from)?,
            end,
            value: parse_number(file, line, "value", &record.value)?,
            source_id: record.source_id,
            note: Some(record.notes),
            caveat,
        });
    }
    ZONE_SERIES
        .iter()
        .map(|series| {
            let events = by_series.remove(series.variant).unwrap_or_default();
            let observations = events_to_observations(file, events)?;
            let source_id = observations
                .last()
                .map(|o| o.source_id.clone())
                .unwrap_or_default();
            Ok(finish(
                SeriesSpec {
                    id: format!("mx.minimum_wage.{}", series.variant),
                    topic: "wages",
                    country: Some("MEX".to_owned()),
                    region: None,
                    measure: "minimum_wage",
                    name: series.name.to_owned(),
                    description: series.description.to_owned(),
                    unit: "MXN per day".to_owned(),
                    currency: Some("MXN"),
                    base_currency: None,
                    per: Some(TimeUnit::Day),
                    price_basis: "nominal",
                    frequency: NativeFrequency::Event,
                    time_basis: "in force from the effective date until the next value",
                    headline: series.headline,
                    source_id,
                },
                observations,
            ))
        })
        .collect()
}

fn banxico_series() -> Result<Vec<LoadedSeries>, ImportError> {
    let file = BANXICO_MONTHLY_CSV.path;
    let mut by_code: BTreeMap<String, Vec<Obs>> = BTreeMap::new();
    for (line, record) in read_rows::<BanxicoRecord>(file, BANXICO_MONTHLY_CSV.bytes)? {
        if !BANXICO_SERIES
            .iter()
            .any(|s| s.code == record.banxico_series)
        {
            return Err(row_error(
                file,
                line,
                format!("unknown Banxico series '{}'", record.banxico_series),
            ));
        }
        let period = parse_period(file, line, "period", &record.period)?;
        if !matches!(period, Period::Month(..)) {
            return Err(row_error(file, line, "period is not a month"));
        }
        let value = parse_number(file, line, "value", &record.value)?;
        by_code
            .entry(record.banxico_series)
            .or_default()
            .push(Obs::for_period(period, value, &record.source_id));
    }
    Ok(BANXICO_SERIES
        .iter()
        .map(|series| {
            let observations = by_code.remove(series.code).unwrap_or_default();
            let source_id = observations.last().map(|o| o.source_id.clone()).unwrap_or_default();
            finish(
                SeriesSpec {
                    id: series.id.to_owned(),
                    topic: "wages",
                    country: Some("MEX".to_owned()),
                    region: None,
                    measure: series.measure,
                    name: series.name.to_owned(),
                    description: format!(
                        "Banco de México SIE series {}, monthly. {}",
                        series.code,
                        if series.nominal {
                            "Nominal pesos per day, the rate in force in the month."
                        } else {
                            "An index of the real minimum wage (deflated by consumer prices); no currency."
                        }
                    ),
                    unit: series.unit.to_owned(),
                    currency: series.nominal.then_some("MXN"),
                    base_currency: None,
                    per: series.nominal.then_some(TimeUnit::Day),
                    price_basis: if series.nominal { "nominal" } else { "index" },
                    frequency: NativeFrequency::Monthly,
                    time_basis: "monthly value as published by Banxico",
                    headline: false,
                    source_id,
                },
                observations,
            )
        })
        .collect())
}

pub fn series() -> Result<Vec<LoadedSeries>, ImportError> {
    let mut all = nominal_series()?;
    all.extend(banxico_series()?);
    Ok(all)
}
