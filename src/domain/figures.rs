//! From a series' stored observations to the figures an answer shows: calendar periods, working
//! time and currency, with the transformations and warnings that go with them. The series,
//! compare and prices operations all answer with these.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::conversion::{
    ConversionError, CurrencyConversion, RateTable, Request, SeriesFacts, Unit, per_time,
};
use super::coverage;
use super::fx::UsdRate;
use super::period::{Frequency, Period};
use super::series::{NativeFrequency, Observation, resample};

/// One figure of an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub period: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub value: Option<f64>,
    pub partial: bool,
    pub note: Option<String>,
    pub fx: Vec<UsdRate>,
}

/// Figures with what it took to make them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Computed {
    pub figures: Vec<Figure>,
    pub unit: String,
    pub transformations: Vec<String>,
    pub warnings: Vec<String>,
    pub source_ids: BTreeSet<String>,
}

impl Computed {
    /// The transformations named with the series they were done to, for answers about several.
    pub fn transformations_of<'a>(&'a self, series_id: &'a str) -> impl Iterator<Item = String> {
        self.transformations
            .iter()
            .map(move |t| format!("{series_id}: {t}"))
    }
}

/// A currency conversion with the rates of each of its legs.
pub type Rates<'a> = (&'a CurrencyConversion, &'a [RateTable]);

/// The figures `request` asks of `series`, from its `observations` (and the rates of the
/// conversion [`check`](super::conversion::check) named), on `today`.
pub fn compute(
    series: &SeriesFacts,
    observations: &[Observation],
    request: &Request,
    rates: Option<Rates>,
    today: NaiveDate,
) -> Result<Computed, ConversionError> {
    let mut computed = Computed::default();
    computed
        .source_ids
        .extend(observations.iter().map(|r| r.source_id.clone()));
    let mut caveats = BTreeSet::new();
    let mut figures = match request.frequency {
        Some(frequency) => {
            computed
                .transformations
                .push(series.native.aggregation_rule(frequency));
            resampled(series, observations, frequency, request, &mut caveats)?
        }
        None => as_stored(series, observations, &mut caveats),
    };
    let mut unit = Unit::of(series);
    if let Some(step) = per_time(series, request.per) {
        for (figure, _) in &mut figures {
            figure.value = figure.value.map(|v| v * step.factor);
        }
        computed.transformations.push(step.statement);
        unit.per = Some(step.to.as_str().to_owned());
    }
    if let Some((conversion, tables)) = rates {
        convert_currency(&mut figures, conversion, tables, &mut computed);
        unit.money = conversion.to.code().to_owned();
    }
    computed.unit = unit.to_string();
    mark_under_way(&mut figures, series.native, today);
    computed.warnings.extend(value_warnings(series, &figures));
    computed
        .warnings
        .extend(gap_warnings(series, request, &figures, today));
    computed.warnings.extend(caveats);
    computed.figures = figures.into_iter().map(|(f, _)| f).collect();
    Ok(computed)
}

/// A figure beside the calendar period it stands for, when its period is one.
type Placed = (Figure, Option<Period>);

fn caveat(observation: &Observation, series: &SeriesFacts) -> Option<String> {
    let caveat = observation.caveat.as_ref()?;
    Some(format!("{} ({}): {caveat}", observation.period, series.id))
}

/// One figure per period of `frequency`. The caveats of the observations used, and of those
/// overlapping a period without a value, go to `caveats`.
fn resampled(
    series: &SeriesFacts,
    observations: &[Observation],
    frequency: Frequency,
    request: &Request,
    caveats: &mut BTreeSet<String>,
) -> Result<Vec<Placed>, ConversionError> {
    let figures = resample(series.native, observations, frequency, request.range)?;
    Ok(figures
        .into_iter()
        .map(|figure| {
            let used: Vec<&Observation> = figure.used.iter().map(|i| &observations[*i]).collect();
            let notes: Vec<&str> = used.iter().filter_map(|r| r.note.as_deref()).collect();
            caveats.extend(used.iter().filter_map(|r| caveat(r, series)));
            if figure.value.is_none() {
                let overlapping = observations.iter().filter(|r| r.overlaps(figure.period));
                caveats.extend(overlapping.filter_map(|r| caveat(r, series)));
            }
            let placed = Figure {
                period: figure.period.to_string(),
                start: figure.period.first_day(),
                end: figure.period.last_day(),
                value: figure.value,
                partial: figure.partial,
                note: (!notes.is_empty()).then(|| notes.join(" | ")),
                fx: Vec::new(),
            };
            (placed, Some(figure.period))
        })
        .collect())
}

/// The observations as stored, one figure each.
fn as_stored(
    series: &SeriesFacts,
    observations: &[Observation],
    caveats: &mut BTreeSet<String>,
) -> Vec<Placed> {
    caveats.extend(observations.iter().filter_map(|r| caveat(r, series)));
    observations
        .iter()
        .map(|row| {
            let figure = Figure {
                period: row.period.clone(),
                start: row.start,
                end: row.end,
                value: row.value,
                partial: false,
                note: row.note.clone(),
                fx: Vec::new(),
            };
            (figure, Period::parse(&row.period).ok())
        })
        .collect()
}

/// Converts every figure with the rate of its own period; a figure without a rate becomes null
/// and is named in a warning.
fn convert_currency(
    figures: &mut [Placed],
    conversion: &CurrencyConversion,
    tables: &[RateTable],
    computed: &mut Computed,
) {
    let mut no_rate = Vec::new();
    for (figure, period) in figures.iter_mut() {
        let key = period.map_or_else(|| figure.period.clone(), |p| p.to_string());
        let converted = conversion.convert(tables, &key, figure.value);
        if converted.no_rate {
            no_rate.push(figure.period.clone());
        }
        figure.value = converted.value;
        figure.fx = converted.rates;
    }
    computed.transformations.extend(conversion.describe(tables));
    computed.source_ids.extend(
        tables
            .iter()
            .flat_map(RateTable::source_ids)
            .map(str::to_owned),
    );
    if !no_rate.is_empty() {
        computed
            .warnings
            .push(conversion.no_rate_warning(&no_rate.join(", ")));
    }
}

/// A statistic for a period that has not ended (a mean of the months published so far) covers
/// only part of it. A rate in force is known for the whole period once set, so event series are
/// left as they are.
fn mark_under_way(figures: &mut [Placed], native: NativeFrequency, today: NaiveDate) {
    if native == NativeFrequency::Event {
        return;
    }
    for (figure, period) in figures.iter_mut() {
        if figure.value.is_some() && period.is_some_and(|p| coverage::under_way(p, today)) {
            figure.partial = true;
        }
    }
}

/// The periods covered in part, and those without a value.
fn value_warnings(series: &SeriesFacts, figures: &[Placed]) -> Vec<String> {
    let partial = coverage::list_periods(figures, |(f, _)| f.partial.then_some(f.period.as_str()))
        .map(|periods| {
            format!(
                "{}: the series covers only part of these periods ({periods}); their values use the part covered",
                series.id
            )
        });
    let missing = coverage::list_periods(figures, |(f, _)| {
        f.value.is_none().then_some(f.period.as_str())
    })
    .map(|periods| {
        format!(
            "{}: no value for {periods} (null, never filled in)",
            series.id
        )
    });
    partial.into_iter().chain(missing).collect()
}

/// The requested periods the answer has no figure for, named with where they fall. Business-day
/// series are left out: their weekends and holidays are no gap.
fn gap_warnings(
    series: &SeriesFacts,
    request: &Request,
    figures: &[Placed],
    today: NaiveDate,
) -> Vec<String> {
    let frequency = match (request.frequency, series.native) {
        (Some(frequency), _) => frequency,
        (None, NativeFrequency::Monthly) => Frequency::Monthly,
        (None, NativeFrequency::Annual) => Frequency::Annual,
        (None, NativeFrequency::Event | NativeFrequency::Daily) => return Vec::new(),
    };
    if series.native == NativeFrequency::Daily && frequency == Frequency::Daily {
        return Vec::new();
    }
    let have: BTreeSet<Period> = figures.iter().filter_map(|(_, p)| *p).collect();
    coverage::gap_warnings(
        &have,
        request.range,
        frequency,
        today,
        &format!("series {}", series.id),
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::conversion::check;
    use crate::domain::conversion::tests::{facts, request};
    use crate::domain::currency::{Currency, CurrencyChoice};
    use crate::domain::period::parse_iso_date;

    fn day(s: &str) -> NaiveDate {
        parse_iso_date(s).unwrap()
    }

    fn observation(period: &str, start: &str, end: &str, value: Option<f64>) -> Observation {
        Observation::plain(period, day(start), day(end), value)
    }

    /// `value` of January 2019 in `series`' currency, converted as `choice` asks, with one rate
    /// per USD for each currency.
    fn convert_january(
        series: &SeriesFacts,
        value: f64,
        choice: CurrencyChoice,
        per_usd: &[(&str, f64)],
    ) -> Computed {
        let request = request(Some(Frequency::Monthly), choice);
        let conversion = check(series, &request).unwrap().unwrap();
        let tables: Vec<RateTable> = conversion
            .legs
            .iter()
            .map(|leg| {
                let rate = per_usd
                    .iter()
                    .find(|(code, _)| *code == leg.series.currency.code())
                    .map(|(_, rate)| *rate);
                let rows = [observation("2019-01", "2019-01-01", "2019-01-31", rate)];
                RateTable::new(leg, &rows, conversion.frequency, request.range).unwrap()
            })
            .collect();
        let rows = [observation(
            "2019-01",
            "2019-01-01",
            "2019-01-31",
            Some(value),
        )];
        let mut monthly = series.clone();
        monthly.native = NativeFrequency::Monthly;
        compute(
            &monthly,
            &rows,
            &request,
            Some((&conversion, &tables)),
            day("2026-01-01"),
        )
        .unwrap()
    }

    #[test]
    fn a_change_within_a_month_is_weighted_and_its_caveat_kept() {
        let mut rows = vec![
            observation("2019-01-01", "2019-01-01", "2019-01-15", Some(100.0)),
            observation("2019-01-16", "2019-01-16", "2019-12-31", Some(131.0)),
        ];
        rows[1].caveat = Some("provisional".to_owned());
        let series = facts("MXN", NativeFrequency::Event);
        let request = request(Some(Frequency::Monthly), CurrencyChoice::Local);
        let computed = compute(&series, &rows, &request, None, day("2026-01-01")).unwrap();
        assert_eq!(computed.figures.len(), 12);
        assert_eq!(computed.figures[0].value, Some(116.0));
        assert_eq!(computed.unit, "MXN per day");
        assert_eq!(
            computed.warnings,
            [
                "no figures for 2020-01 to 2026-01: series mx.minimum_wage.general ends in 2019-12",
                "2019-01-16 (mx.minimum_wage.general): provisional",
            ]
        );
    }

    #[test]
    fn unfinished_periods_are_partial_and_missing_values_named() {
        let rows = [
            observation("2025-12", "2025-12-01", "2025-12-31", None),
            observation("2026-01", "2026-01-01", "2026-01-31", Some(3.0)),
        ];
        let series = facts("MXN", NativeFrequency::Monthly);
        let request = request(None, CurrencyChoice::Local);
        let computed = compute(&series, &rows, &request, None, day("2026-01-20")).unwrap();
        assert!(computed.figures[1].partial);
        assert_eq!(
            computed.warnings,
            [
                "mx.minimum_wage.general: the series covers only part of these periods (2026-01); their values use the part covered",
                "mx.minimum_wage.general: no value for 2025-12 (null, never filled in)",
            ]
        );
    }

    #[test]
    fn a_period_without_a_rate_is_null_and_named() {
        let series = facts("MXN", NativeFrequency::Monthly);
        let computed = convert_january(&series, 100.0, CurrencyChoice::In(Currency::Usd), &[]);
        assert_eq!(computed.figures[0].value, None);
        assert_eq!(computed.unit, "USD per day");
        assert_eq!(
            computed.warnings[0],
            "no exchange rate for 2019-01 (MXN → USD); those values are null"
        );
    }

    proptest! {
        #[test]
        fn converting_a_figure_to_another_currency_and_back_returns_it(
            value in 0.01f64..1e9,
            mxn in 1.0f64..100.0,
            cad in 0.5f64..5.0,
            there in 0usize..3,
            back in 0usize..3,
        ) {
            let currencies = [Currency::Usd, Currency::Mxn, Currency::Cad];
            prop_assume!(there != back);
            let rates = [("MXN", mxn), ("CAD", cad)];
            let (from, to) = (currencies[there], currencies[back]);
            let converted = convert_january(&facts(from.code(), NativeFrequency::Monthly), value, CurrencyChoice::In(to), &rates);
            let there_value = converted.figures[0].value.expect("a converted value");
            let returned = convert_january(&facts(to.code(), NativeFrequency::Monthly), there_value, CurrencyChoice::In(from), &rates);
            let result = returned.figures[0].value.expect("a value back");
            prop_assert!((result - value).abs() <= value * 1e-12, "{} became {}", value, result);
        }
    }
}
