//! Re-expressing a series' figures in another currency and per another unit of time: which
//! requests a series can answer, the rates a currency conversion takes, and the steps with the
//! statements that go with them.

use std::collections::BTreeMap;

use super::currency::{Currency, CurrencyChoice, Leg};
use super::fx::{PairLeg, RateSeries, UsdRate, legs_through_dollar};
use super::period::{DateRange, Frequency};
use super::series::{NativeFrequency, Observation, PriceBasis, TimeUnit, TooFine, WorkingTime};

/// What the caller asked for.
#[derive(Debug, Clone, Copy)]
pub struct Request {
    pub range: DateRange,
    pub frequency: Option<Frequency>,
    pub currency: CurrencyChoice,
    pub per: Option<TimeUnit>,
}

impl Request {
    /// Figures in the series' own currency and unit of time.
    pub fn in_own_units(range: DateRange, frequency: Option<Frequency>) -> Self {
        Self {
            range,
            frequency,
            currency: CurrencyChoice::Local,
            per: None,
        }
    }
}

/// What the rules need to know of a series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesFacts {
    pub id: String,
    /// ISO alpha-3 code of the country, whose working time a wage is re-expressed with.
    pub country: Option<String>,
    /// Such as `MXN per day`.
    pub unit: String,
    /// ISO 4217 code; none for indices and percentages.
    pub currency: Option<String>,
    /// The unit of time a wage is paid per.
    pub per: Option<TimeUnit>,
    pub price_basis: PriceBasis,
    pub native: NativeFrequency,
}

/// A request a series cannot answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConversionError {
    #[error(
        "Series '{series}' is {}; it cannot be split into {} periods. Allowed: {}.",
        .native.as_str(), .frequency.name(), allowed_frequencies(*.native).join(", ")
    )]
    TooFine {
        series: String,
        native: NativeFrequency,
        frequency: Frequency,
    },
    #[error("Series '{series}' is measured in {unit}, not per unit of time.")]
    NotPerTime { series: String, unit: String },
    #[error("Series '{series}' is in {unit}; it has no currency to convert.")]
    NoCurrency { series: String, unit: String },
    #[error(
        "Series '{series}' is in {unit}; constant-price dollars do not convert at market exchange rates. Use local or {}.",
        .currency.as_deref().unwrap_or("USD")
    )]
    ConstantPrices {
        series: String,
        unit: String,
        currency: Option<String>,
    },
    #[error(
        "Converting series '{series}' to {target} uses monthly, quarterly or annual mean exchange rates: use frequency=M, Q or A."
    )]
    DailyRates {
        series: String,
        target: &'static str,
    },
    #[error(
        "Converting series '{series}' to {target} needs calendar periods to take exchange rates for: add frequency=M, Q or A."
    )]
    NeedsPeriods {
        series: String,
        target: &'static str,
    },
    #[error("No exchange rates for {0} are loaded; values stay in {0}.")]
    NoRates(String),
    #[error(transparent)]
    Resample(#[from] TooFine),
}

/// The calendar frequencies a series can be answered at, coarsest first.
pub fn allowed_frequencies(native: NativeFrequency) -> Vec<&'static str> {
    match native.finest() {
        Frequency::Annual => vec!["A"],
        Frequency::Quarterly => vec!["A", "Q"],
        Frequency::Monthly => vec!["A", "Q", "M"],
        Frequency::Daily => vec!["A", "Q", "M", "D"],
    }
}

/// A currency conversion a request takes: from the series' currency to `to` through US dollars,
/// with the mean rates of each period of `frequency`.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrencyConversion {
    pub from: String,
    pub to: Currency,
    pub frequency: Frequency,
    /// The rate series of each currency other than the dollar, the series' own first.
    pub legs: Vec<PairLeg>,
}

/// Checks that `request` can be answered for `series`, before anything is loaded, and names the
/// currency conversion it takes, if any.
pub fn check(
    series: &SeriesFacts,
    request: &Request,
) -> Result<Option<CurrencyConversion>, ConversionError> {
    let native = series.native;
    if let Some(frequency) = request.frequency
        && frequency > native.finest()
    {
        return Err(ConversionError::TooFine {
            series: series.id.clone(),
            native,
            frequency,
        });
    }
    if request.per.is_some() && series.per.is_none() {
        return Err(ConversionError::NotPerTime {
            series: series.id.clone(),
            unit: series.unit.clone(),
        });
    }
    let target = request
        .currency
        .currency()
        .filter(|to| series.currency.as_deref() != Some(to.code()));
    let Some(to) = target else {
        return Ok(None);
    };
    let (id, unit) = (series.id.clone(), series.unit.clone());
    let Some(from) = series.currency.clone() else {
        return Err(ConversionError::NoCurrency { series: id, unit });
    };
    if matches!(
        series.price_basis,
        PriceBasis::ConstantPpp | PriceBasis::ConstantDollars
    ) {
        let currency = Some(from);
        return Err(ConversionError::ConstantPrices {
            series: id,
            unit,
            currency,
        });
    }
    let target = to.code();
    if request.frequency == Some(Frequency::Daily) {
        return Err(ConversionError::DailyRates { series: id, target });
    }
    if request.frequency.is_none()
        && matches!(native, NativeFrequency::Event | NativeFrequency::Daily)
    {
        return Err(ConversionError::NeedsPeriods { series: id, target });
    }
    let frequency = request.frequency.unwrap_or(match native {
        NativeFrequency::Annual => Frequency::Annual,
        _ => Frequency::Monthly,
    });
    let from_currency =
        Currency::parse(&from).ok_or_else(|| ConversionError::NoRates(from.clone()))?;
    let legs = legs_through_dollar(from_currency, to, |currency| {
        Ok::<_, ConversionError>(RateSeries::for_conversion(currency, frequency))
    })?;
    Ok(Some(CurrencyConversion {
        from,
        to,
        frequency,
        legs,
    }))
}

/// One leg's rates per USD, by period.
#[derive(Debug, Clone, PartialEq)]
pub struct RateTable {
    leg: PairLeg,
    rates: BTreeMap<String, UsdRate>,
}

impl RateTable {
    /// The rates of `leg` for the periods of `frequency` in `range`, from its stored rates.
    pub fn new(
        leg: &PairLeg,
        observations: &[Observation],
        frequency: Frequency,
        range: DateRange,
    ) -> Result<Self, TooFine> {
        let rates = leg
            .series
            .rates(observations, frequency, range)?
            .into_iter()
            .filter_map(|row| Some((row.period, row.rate?)))
            .collect();
        Ok(Self {
            leg: leg.clone(),
            rates,
        })
    }

    /// The sources of the rates.
    pub fn source_ids(&self) -> impl Iterator<Item = &str> {
        self.rates.values().map(|r| r.source_id.as_str())
    }

    fn describe(&self, frequency: Frequency) -> String {
        let currency = self.leg.series.currency;
        let how = match (currency, frequency) {
            (Currency::Mxn, Frequency::Quarterly) => {
                "the mean of the monthly means of Banxico's daily FIX rate"
            }
            (Currency::Mxn, Frequency::Monthly) => "the monthly mean of Banxico's daily FIX rate",
            (Currency::Mxn, _) => "the annual mean of Banxico's daily FIX rate",
            (_, Frequency::Quarterly) => "the mean of the Federal Reserve's monthly average rates",
            (_, Frequency::Monthly) => "the Federal Reserve's monthly average rate",
            _ => "the Federal Reserve's annual average rate",
        };
        let direction = if self.leg.divide {
            "divided by"
        } else {
            "multiplied by"
        };
        format!(
            "{direction} {} per USD: {how} for the same period (series {})",
            currency.code(),
            self.leg.series.id
        )
    }
}

/// A value of a period in another currency, with the rates used.
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    /// None when the value was none or a leg has no rate for the period.
    pub value: Option<f64>,
    pub rates: Vec<UsdRate>,
    /// The value was there but a rate was not.
    pub no_rate: bool,
}

impl CurrencyConversion {
    /// `value` of `period` carried through every leg with the rate of that period.
    pub fn convert(&self, tables: &[RateTable], period: &str, value: Option<f64>) -> Converted {
        let mut converted = Converted {
            value,
            rates: Vec::new(),
            no_rate: false,
        };
        for table in tables {
            match table.rates.get(period) {
                Some(rate) => {
                    let leg = Leg {
                        per_usd: rate.rate,
                        divide: table.leg.divide,
                    };
                    converted.value = converted.value.map(|v| leg.apply(v));
                    converted.rates.push(rate.clone());
                }
                None => {
                    converted.no_rate |= converted.value.is_some();
                    converted.value = None;
                }
            }
        }
        converted
    }

    /// The steps, one per leg, for `meta.transformations`.
    pub fn describe(&self, tables: &[RateTable]) -> Vec<String> {
        tables
            .iter()
            .map(|table| {
                format!(
                    "{} → {}: {}",
                    self.from,
                    self.to.code(),
                    table.describe(self.frequency)
                )
            })
            .collect()
    }

    /// The warning for the periods that had a value but no rate.
    pub fn no_rate_warning(&self, periods: &str) -> String {
        format!(
            "no exchange rate for {periods} ({} → {}); those values are null",
            self.from,
            self.to.code()
        )
    }
}

/// A unit as "<money> per <time>", the way wage units read; other units are all money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub money: String,
    pub per: Option<String>,
}

impl Unit {
    pub fn of(series: &SeriesFacts) -> Self {
        match series.unit.rsplit_once(" per ") {
            Some((money, per)) if series.per.is_some() => Self {
                money: money.to_owned(),
                per: Some(per.to_owned()),
            },
            _ => Self {
                money: series.unit.clone(),
                per: None,
            },
        }
    }
}

impl std::fmt::Display for Unit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.per {
            Some(per) => write!(f, "{} per {per}", self.money),
            None => f.write_str(&self.money),
        }
    }
}

/// A wage per one unit of time re-expressed per another, with the working time of its country.
#[derive(Debug, Clone, PartialEq)]
pub struct PerTime {
    pub to: TimeUnit,
    pub factor: f64,
    /// The step, for `meta.transformations`.
    pub statement: String,
}

/// The re-expression `request` asks of `series`; none when it is paid per that unit already.
pub fn per_time(series: &SeriesFacts, to: Option<TimeUnit>) -> Option<PerTime> {
    let from = series.per?;
    let to = to.filter(|to| *to != from)?;
    let working_time = WorkingTime::for_country(series.country.as_deref().unwrap_or_default());
    let factor = working_time.factor(from, to);
    Some(PerTime {
        to,
        factor,
        statement: format!(
            "per {} → per {}: × {factor:.6} ({})",
            from.as_str(),
            to.as_str(),
            working_time.statement
        ),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A Mexican wage per day in `currency`.
    pub(crate) fn facts(currency: &str, native: NativeFrequency) -> SeriesFacts {
        SeriesFacts {
            id: "mx.minimum_wage.general".to_owned(),
            country: Some("MEX".to_owned()),
            unit: format!("{currency} per day"),
            currency: Some(currency.to_owned()),
            per: Some(TimeUnit::Day),
            price_basis: PriceBasis::Nominal,
            native,
        }
    }

    pub(crate) fn request(frequency: Option<Frequency>, currency: CurrencyChoice) -> Request {
        Request {
            range: DateRange::everything(),
            frequency,
            currency,
            per: None,
        }
    }

    #[test]
    fn a_finer_frequency_than_the_series_is_refused_with_those_allowed() {
        let error = check(
            &facts("MXN", NativeFrequency::Annual),
            &request(Some(Frequency::Monthly), CurrencyChoice::Local),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "Series 'mx.minimum_wage.general' is annual; it cannot be split into monthly periods. Allowed: A."
        );
    }

    #[test]
    fn converting_values_in_force_needs_calendar_periods() {
        let series = facts("MXN", NativeFrequency::Event);
        let error = check(&series, &request(None, CurrencyChoice::In(Currency::Usd))).unwrap_err();
        assert!(matches!(
            error,
            ConversionError::NeedsPeriods { target: "USD", .. }
        ));
        let error = check(
            &series,
            &request(Some(Frequency::Daily), CurrencyChoice::In(Currency::Usd)),
        );
        assert!(matches!(error, Err(ConversionError::DailyRates { .. })));
    }

    #[test]
    fn the_own_currency_needs_no_conversion_and_others_cross_the_dollar() {
        let series = facts("MXN", NativeFrequency::Monthly);
        assert_eq!(
            check(&series, &request(None, CurrencyChoice::In(Currency::Mxn))),
            Ok(None)
        );
        let conversion = check(&series, &request(None, CurrencyChoice::In(Currency::Cad)))
            .unwrap()
            .unwrap();
        let ids: Vec<(&str, bool)> = conversion
            .legs
            .iter()
            .map(|l| (l.series.id.as_str(), l.divide))
            .collect();
        assert_eq!(
            ids,
            [
                ("fx.usd_mxn.fix_monthly", true),
                ("fx.usd_cad.fred_monthly", false)
            ]
        );
        let euros = facts("EUR", NativeFrequency::Monthly);
        assert_eq!(
            check(&euros, &request(None, CurrencyChoice::In(Currency::Usd))),
            Err(ConversionError::NoRates("EUR".to_owned()))
        );
    }

    #[test]
    fn constant_dollars_and_indices_do_not_convert() {
        let mut series = facts("USD", NativeFrequency::Annual);
        series.price_basis = PriceBasis::ConstantPpp;
        let error = check(&series, &request(None, CurrencyChoice::In(Currency::Mxn))).unwrap_err();
        assert!(error.to_string().ends_with("Use local or USD."));
        series.currency = None;
        let error = check(&series, &request(None, CurrencyChoice::In(Currency::Mxn))).unwrap_err();
        assert!(matches!(error, ConversionError::NoCurrency { .. }));
    }

    #[test]
    fn a_daily_wage_per_hour_uses_the_countrys_working_week() {
        let series = facts("MXN", NativeFrequency::Event);
        let step = per_time(&series, Some(TimeUnit::Hour)).unwrap();
        assert!((step.factor - 7.0 / 48.0).abs() < 1e-12);
        assert!(
            step.statement
                .starts_with("per day → per hour: × 0.145833 (Mexico")
        );
        assert_eq!(per_time(&series, Some(TimeUnit::Day)), None);
        let unit = Unit::of(&series);
        assert_eq!(unit.money, "MXN");
        assert_eq!(unit.to_string(), "MXN per day");
    }
}
