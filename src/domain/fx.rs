//! Exchange rates: which stored series holds a currency's rate per US dollar, and how the rates of
//! two currencies per dollar make the rate between them. Every stored rate is quoted per USD
//! (Banxico's FIX for pesos, the Federal Reserve's rates via FRED for both currencies), so every
//! other rate crosses through the dollar.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::coverage;
use super::currency::{Currency, Leg};
use super::period::{DateRange, Frequency, Period};
use super::series::{NativeFrequency, Observation, TooFine, resample};

/// Who publishes the rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RateSource {
    /// Banco de México's FIX rate (pesos only).
    Banxico,
    /// The Federal Reserve's H.10/G.5 rates via FRED.
    Fred,
}

impl RateSource {
    /// Who publishes a currency's rates unless told otherwise: Banxico for pesos, the Federal
    /// Reserve for the rest.
    pub fn default_for(currency: Currency) -> Self {
        if currency == Currency::Mxn {
            RateSource::Banxico
        } else {
            RateSource::Fred
        }
    }
}

/// A rate that cannot be given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FxError {
    #[error("base and quote are the same currency.")]
    SameCurrency,
    #[error("Banxico publishes the peso's rate only; {} rates come from fred.", .0.code())]
    BanxicoPesoOnly(Currency),
    #[error("Daily rates are loaded for Banxico's FIX only (base USD, quote MXN, source banxico).")]
    DailyFixOnly,
}

/// The one place exchange-rate series ids are spelt, for the importer that stores them and the
/// rules that read them: `fx.usd_<currency>.<publisher>_<frequency>`.
pub fn series_id(currency: Currency, source: RateSource, native: NativeFrequency) -> String {
    let prefix = match source {
        RateSource::Banxico => "fix",
        RateSource::Fred => "fred",
    };
    format!(
        "fx.usd_{}.{prefix}_{}",
        currency.code().to_lowercase(),
        native.as_str()
    )
}

/// A stored series of a currency's rate per USD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateSeries {
    pub currency: Currency,
    /// Such as `fx.usd_mxn.fix_monthly`.
    pub id: String,
    pub native: NativeFrequency,
}

impl RateSeries {
    /// The series of `currency` per USD that `source` publishes at the frequency that answers
    /// `frequency`: quarters are means of the monthly rates.
    pub fn find(
        currency: Currency,
        frequency: Frequency,
        source: RateSource,
    ) -> Result<Self, FxError> {
        if source == RateSource::Banxico && currency != Currency::Mxn {
            return Err(FxError::BanxicoPesoOnly(currency));
        }
        let native = match frequency {
            Frequency::Daily if source == RateSource::Banxico => NativeFrequency::Daily,
            Frequency::Daily => return Err(FxError::DailyFixOnly),
            Frequency::Monthly | Frequency::Quarterly => NativeFrequency::Monthly,
            Frequency::Annual => NativeFrequency::Annual,
        };
        Ok(Self::stored(currency, source, native))
    }

    /// The series values are converted with at a calendar frequency (monthly, quarterly or
    /// annual): the monthly or annual means of the currency's usual publisher.
    pub fn for_conversion(currency: Currency, frequency: Frequency) -> Self {
        let native = if frequency == Frequency::Annual {
            NativeFrequency::Annual
        } else {
            NativeFrequency::Monthly
        };
        Self::stored(currency, RateSource::default_for(currency), native)
    }

    fn stored(currency: Currency, source: RateSource, native: NativeFrequency) -> Self {
        Self {
            currency,
            id: series_id(currency, source, native),
            native,
        }
    }

    /// The rate of each period of `frequency` in `range`: as stored when the series has that
    /// frequency, else the mean of the stored rates in the period.
    pub fn rates(
        &self,
        observations: &[Observation],
        frequency: Frequency,
        range: DateRange,
    ) -> Result<Vec<PeriodRate>, TooFine> {
        if self.native.finest() == frequency {
            return Ok(observations
                .iter()
                .map(|row| PeriodRate {
                    period: row.period.clone(),
                    start: row.start,
                    end: row.end,
                    rate: self.rate(row.value, &row.period, &row.source_id),
                    partial: false,
                })
                .collect());
        }
        Ok(resample(self.native, observations, frequency, range)?
            .into_iter()
            .map(|figure| {
                let period = figure.period.to_string();
                let source_id = figure
                    .used
                    .first()
                    .map_or("", |i| observations[*i].source_id.as_str());
                PeriodRate {
                    start: figure.period.first_day(),
                    end: figure.period.last_day(),
                    rate: self.rate(figure.value, &period, source_id),
                    partial: figure.partial,
                    period,
                }
            })
            .collect())
    }

    fn rate(&self, value: Option<f64>, period: &str, source_id: &str) -> Option<UsdRate> {
        value.map(|rate| UsdRate {
            rate,
            currency: self.currency,
            period: period.to_owned(),
            series_id: self.id.clone(),
            source_id: source_id.to_owned(),
        })
    }
}

/// A published rate of a currency per USD, as used for one period.
#[derive(Debug, Clone, PartialEq)]
pub struct UsdRate {
    pub rate: f64,
    pub currency: Currency,
    /// The period the rate is the mean of.
    pub period: String,
    pub series_id: String,
    pub source_id: String,
}

/// A currency's rate per USD in one period, or its absence.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodRate {
    pub period: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub rate: Option<UsdRate>,
    /// The period is covered in part: it has not ended, or lacks a month.
    pub partial: bool,
}

/// The rates of `currency` per USD by period in `range` (see [`RateSeries::rates`]). A period that
/// has not ended by `today` is partial.
pub fn usd_rates(
    series: &RateSeries,
    observations: &[Observation],
    frequency: Frequency,
    range: DateRange,
    today: NaiveDate,
) -> Result<Vec<PeriodRate>, TooFine> {
    let mut rates = series.rates(observations, frequency, range)?;
    for rate in &mut rates {
        rate.partial |= Period::parse(&rate.period).is_ok_and(|p| coverage::under_way(p, today));
    }
    Ok(rates)
}

/// A rate of `quote` per unit of `base`, from the publisher `source` where a currency has a choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub base: Currency,
    pub quote: Currency,
    pub source: RateSource,
}

/// One currency's rates in a pair: divided by for the base, multiplied by for the quote.
#[derive(Debug, Clone, PartialEq)]
pub struct PairLeg {
    pub series: RateSeries,
    pub divide: bool,
}

impl Pair {
    /// Dollars priced in pesos unless told otherwise. Pesos against dollars come from Banxico
    /// unless told otherwise; any other pair is crossed with both legs from the Federal Reserve,
    /// so that they are alike.
    pub fn new(
        base: Option<Currency>,
        quote: Option<Currency>,
        source: Option<RateSource>,
    ) -> Result<Self, FxError> {
        let base = base.unwrap_or(Currency::Usd);
        let quote = quote.unwrap_or(Currency::Mxn);
        if base == quote {
            return Err(FxError::SameCurrency);
        }
        let is_peso_dollar = matches!(
            (base, quote),
            (Currency::Usd, Currency::Mxn) | (Currency::Mxn, Currency::Usd)
        );
        let source = source.unwrap_or(if is_peso_dollar {
            RateSource::Banxico
        } else {
            RateSource::Fred
        });
        Ok(Self {
            base,
            quote,
            source,
        })
    }

    /// `quote per base`.
    pub fn unit(&self) -> String {
        format!("{} per {}", self.quote.code(), self.base.code())
    }

    /// The series of each currency other than the dollar, base first. Canadian dollars come from
    /// the Federal Reserve whatever the source: no one else is loaded.
    pub fn legs(&self, frequency: Frequency) -> Result<Vec<PairLeg>, FxError> {
        legs_through_dollar(self.base, self.quote, |currency| {
            let source = if currency == Currency::Cad {
                RateSource::Fred
            } else {
                self.source
            };
            RateSeries::find(currency, frequency, source)
        })
    }
}

/// The legs that carry an amount in `from` into `to` through the dollar, in which every rate here
/// is quoted: divided by `from`'s rate to reach dollars, multiplied by `to`'s to leave them. The
/// dollar needs no leg; `series` names the rates of each other currency.
pub fn legs_through_dollar<E>(
    from: Currency,
    to: Currency,
    mut series: impl FnMut(Currency) -> Result<RateSeries, E>,
) -> Result<Vec<PairLeg>, E> {
    [(from, true), (to, false)]
        .into_iter()
        .filter(|(currency, _)| *currency != Currency::Usd)
        .map(|(currency, divide)| {
            Ok(PairLeg {
                series: series(currency)?,
                divide,
            })
        })
        .collect()
}

/// A rate of quote per base in one period, with the published rates it is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossRate {
    pub period: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// None where a leg has no rate for the period.
    pub rate: Option<f64>,
    pub legs: Vec<UsdRate>,
    pub partial: bool,
}

/// The rates of a pair with the steps and warnings that go with them.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossRates {
    pub rates: Vec<CrossRate>,
    pub transformations: Vec<String>,
    pub warnings: Vec<String>,
}

/// Quote per base from the legs' rates per USD (each leg's rates beside its `divide`): divide by
/// the base leg, multiply by the quote leg. Periods follow the first leg.
pub fn cross_rates(
    pair: &Pair,
    legs: &[(bool, Vec<PeriodRate>)],
    frequency: Frequency,
    range: DateRange,
    today: NaiveDate,
) -> CrossRates {
    let rates = combine(legs);
    let mut warnings = Vec::new();
    if let Some(missing) =
        coverage::list_periods(&rates, |r| r.rate.is_none().then_some(r.period.as_str()))
    {
        warnings.push(format!(
            "no rate for {missing}: a leg of the cross rate is missing"
        ));
    }
    // Days are left out: weekends and holidays have no rate and are no gap.
    if frequency != Frequency::Daily {
        let have: BTreeSet<Period> = rates
            .iter()
            .filter(|r| r.rate.is_some())
            .filter_map(|r| Period::parse(&r.period).ok())
            .collect();
        let what = format!("the {} rates", pair.unit());
        warnings.extend(coverage::gap_warnings(
            &have, range, frequency, today, &what,
        ));
    }
    if let Some(partial) =
        coverage::list_periods(&rates, |r| r.partial.then_some(r.period.as_str()))
    {
        warnings.push(format!(
            "{partial}: the period is not over or lacks months, so the rate is the mean of the part published (partial)"
        ));
    }
    CrossRates {
        transformations: describe(pair, legs, frequency),
        rates,
        warnings,
    }
}

fn combine(legs: &[(bool, Vec<PeriodRate>)]) -> Vec<CrossRate> {
    let Some((_, first)) = legs.first() else {
        return Vec::new();
    };
    let by_period: Vec<(bool, HashMap<&str, &UsdRate>)> = legs
        .iter()
        .map(|(divide, rows)| {
            let rates = rows
                .iter()
                .filter_map(|row| Some((row.period.as_str(), row.rate.as_ref()?)))
                .collect();
            (*divide, rates)
        })
        .collect();
    first
        .iter()
        .map(|row| {
            let mut rate = Some(1.0);
            let mut used = Vec::new();
            for (divide, rates) in &by_period {
                match rates.get(row.period.as_str()) {
                    Some(leg) => {
                        let step = Leg {
                            per_usd: leg.rate,
                            divide: *divide,
                        };
                        rate = rate.map(|r| step.apply(r));
                        used.push((*leg).clone());
                    }
                    None => rate = None,
                }
            }
            CrossRate {
                period: row.period.clone(),
                start: row.start,
                end: row.end,
                rate,
                legs: used,
                partial: row.partial,
            }
        })
        .collect()
}

fn describe(pair: &Pair, legs: &[(bool, Vec<PeriodRate>)], frequency: Frequency) -> Vec<String> {
    let (base, quote) = (pair.base.code(), pair.quote.code());
    let mut steps: Vec<String> = legs
        .iter()
        .filter_map(|(divide, rows)| {
            let series = rows.iter().find_map(|r| r.rate.as_ref())?;
            Some(if *divide {
                format!(
                    "{base} per USD taken from series {}, inverted",
                    series.series_id
                )
            } else {
                format!("{quote} per USD taken from series {}", series.series_id)
            })
        })
        .collect();
    if frequency == Frequency::Quarterly {
        steps.push("quarterly rate = mean of the monthly rates".to_owned());
    }
    if legs.len() == 2 {
        steps.push(format!(
            "{quote} per {base} = ({quote} per USD) / ({base} per USD)"
        ));
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::period::parse_iso_date;

    fn day(s: &str) -> NaiveDate {
        parse_iso_date(s).unwrap()
    }

    fn month(period: &str, value: f64) -> Observation {
        let p = Period::parse(period).unwrap();
        Observation::plain(period, p.first_day(), p.last_day(), Some(value))
    }

    #[test]
    fn series_ids_name_currency_publisher_and_frequency() {
        let id = |c, f, s| RateSeries::find(c, f, s).map(|r| r.id);
        use {Currency::*, Frequency::*, RateSource::*};
        assert_eq!(id(Mxn, Monthly, Banxico).unwrap(), "fx.usd_mxn.fix_monthly");
        assert_eq!(
            id(Mxn, Quarterly, Banxico).unwrap(),
            "fx.usd_mxn.fix_monthly"
        );
        assert_eq!(id(Mxn, Daily, Banxico).unwrap(), "fx.usd_mxn.fix_daily");
        assert_eq!(id(Cad, Annual, Fred).unwrap(), "fx.usd_cad.fred_annual");
        assert_eq!(
            id(Cad, Monthly, Banxico),
            Err(FxError::BanxicoPesoOnly(Cad))
        );
        assert_eq!(id(Mxn, Daily, Fred), Err(FxError::DailyFixOnly));
        assert_eq!(
            RateSeries::for_conversion(Mxn, Quarterly).id,
            "fx.usd_mxn.fix_monthly"
        );
        assert_eq!(
            RateSeries::for_conversion(Cad, Annual).id,
            "fx.usd_cad.fred_annual"
        );
    }

    #[test]
    fn pairs_default_to_pesos_per_dollar_from_banxico() {
        let pair = Pair::new(None, None, None).unwrap();
        assert_eq!(
            (pair.base, pair.quote, pair.source),
            (Currency::Usd, Currency::Mxn, RateSource::Banxico)
        );
        let cross = Pair::new(Some(Currency::Cad), None, None).unwrap();
        assert_eq!(cross.source, RateSource::Fred);
        assert_eq!(cross.legs(Frequency::Monthly).unwrap().len(), 2);
        assert_eq!(
            Pair::new(Some(Currency::Mxn), Some(Currency::Mxn), None),
            Err(FxError::SameCurrency)
        );
    }

    #[test]
    fn a_cross_rate_divides_by_the_base_and_multiplies_by_the_quote() {
        let pair = Pair::new(Some(Currency::Cad), Some(Currency::Mxn), None).unwrap();
        let legs: Vec<(bool, Vec<PeriodRate>)> = pair
            .legs(Frequency::Monthly)
            .unwrap()
            .into_iter()
            .zip([1.25, 20.0])
            .map(|(leg, rate)| {
                let rows = [month("2019-01", rate), month("2019-03", rate)];
                let rates = usd_rates(
                    &leg.series,
                    &rows,
                    Frequency::Monthly,
                    DateRange::everything(),
                    day("2026-01-01"),
                );
                (leg.divide, rates.unwrap())
            })
            .collect();
        let answer = cross_rates(
            &pair,
            &legs,
            Frequency::Monthly,
            DateRange::from_params(Some("2019-01"), Some("2019-03")).unwrap(),
            day("2026-01-01"),
        );
        assert_eq!(answer.rates.len(), 2);
        assert_eq!(answer.rates[0].rate, Some(16.0));
        assert_eq!(answer.rates[0].legs.len(), 2);
        assert_eq!(
            answer.transformations.last().unwrap(),
            "MXN per CAD = (MXN per USD) / (CAD per USD)"
        );
        assert_eq!(
            answer.warnings,
            [
                "no figures for 2019-02: the MXN per CAD rates lacks these periods; they are left out, not zero"
            ]
        );
    }

    #[test]
    fn quarters_are_means_of_months_and_unfinished_ones_are_partial() {
        let series =
            RateSeries::find(Currency::Mxn, Frequency::Quarterly, RateSource::Banxico).unwrap();
        let rows = [month("2026-01", 18.0), month("2026-02", 20.0)];
        let rates = usd_rates(
            &series,
            &rows,
            Frequency::Quarterly,
            DateRange::everything(),
            day("2026-03-15"),
        )
        .unwrap();
        assert_eq!(rates.len(), 1);
        assert_eq!(rates[0].period, "2026-Q1");
        assert_eq!(rates[0].rate.as_ref().map(|r| r.rate), Some(19.0));
        assert!(rates[0].partial);
    }
}
