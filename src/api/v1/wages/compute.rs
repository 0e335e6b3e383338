//! From stored observations to the figures an answer shows: calendar periods, working time and
//! currency, with the transformations and warnings that go with them. Shared by the series,
//! compare and prices operations.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::db::series::{self as db_series, ObservationRow, SeriesRow};
use chrono::NaiveDate;

use crate::domain::coverage;
use crate::domain::currency::{Currency, Leg};
use crate::domain::period::{DateRange, Frequency, Period, parse_iso_date};
use crate::domain::series::{NativeFrequency, Span, TimeUnit, WorkingTime, aggregate};
use crate::error::ApiError;

/// The currency to express values in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
pub enum CurrencyParam {
    /// The series' own currency.
    #[default]
    #[serde(rename = "local")]
    Local,
    #[serde(rename = "USD", alias = "usd")]
    Usd,
    #[serde(rename = "MXN", alias = "mxn")]
    Mxn,
    #[serde(rename = "CAD", alias = "cad")]
    Cad,
}

impl CurrencyParam {
    /// The currency asked for; none for the series' own.
    pub fn currency(self) -> Option<Currency> {
        match self {
            CurrencyParam::Local => None,
            CurrencyParam::Usd => Some(Currency::Usd),
            CurrencyParam::Mxn => Some(Currency::Mxn),
            CurrencyParam::Cad => Some(Currency::Cad),
        }
    }

    pub fn code(self) -> Option<&'static str> {
        self.currency().map(Currency::code)
    }
}

/// What the caller asked for.
#[derive(Debug, Clone, Copy)]
pub struct Request {
    pub range: DateRange,
    pub frequency: Option<Frequency>,
    pub currency: CurrencyParam,
    pub per: Option<TimeUnit>,
}

/// An exchange rate used to convert one figure.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RateUsed {
    /// Units of `currency` per US dollar.
    #[schema(example = 19.1641)]
    pub rate: f64,
    #[schema(example = "MXN")]
    pub currency: String,
    /// The period the rate is the mean of.
    #[schema(example = "2019-01")]
    pub period: String,
    #[schema(example = "fx.usd_mxn.fix_monthly")]
    pub series_id: String,
    #[schema(example = "derived_mean_of_daily_fix")]
    pub source_id: String,
}

/// One figure of an answer.
#[derive(Debug, Clone)]
pub struct Figure {
    pub period: String,
    pub start: String,
    pub end: String,
    pub value: Option<f64>,
    pub partial: bool,
    pub note: Option<String>,
    pub fx: Vec<RateUsed>,
}

/// Figures with what it took to make them.
#[derive(Debug, Clone, Default)]
pub struct Computed {
    pub figures: Vec<Figure>,
    pub unit: String,
    pub transformations: Vec<String>,
    pub warnings: Vec<String>,
    pub source_ids: BTreeSet<String>,
}

/// The exchange-rate series used for a currency at a frequency: Banxico's FIX means for pesos,
/// the Federal Reserve's rates (via FRED) for Canadian dollars.
fn rate_series(currency: &str, frequency: Frequency) -> Option<&'static str> {
    match (currency, frequency) {
        ("MXN", Frequency::Annual) => Some("fx.usd_mxn.fix_annual"),
        ("MXN", _) => Some("fx.usd_mxn.fix_monthly"),
        ("CAD", Frequency::Annual) => Some("fx.usd_cad.fred_annual"),
        ("CAD", _) => Some("fx.usd_cad.fred_monthly"),
        _ => None,
    }
}

/// Spans of stored observations, for aggregation. A stored date that does not parse is an error
/// naming the row, never a default date.
pub fn spans(rows: &[ObservationRow]) -> Result<Vec<Span>, ApiError> {
    rows.iter()
        .map(|row| {
            let day = |raw: &str| {
                parse_iso_date(raw).ok_or_else(|| {
                    ApiError::internal(format!(
                        "series {} period {} has the stored date '{raw}'",
                        row.series_id, row.period
                    ))
                })
            };
            Ok(Span {
                start: day(&row.period_start)?,
                end: day(&row.period_end)?,
                value: row.value,
            })
        })
        .collect()
}

/// Rates of one currency per US dollar, by period.
struct RateTable {
    currency: &'static str,
    series_id: &'static str,
    rates: BTreeMap<String, RateUsed>,
}

impl RateTable {
    fn load(
        conn: &mut DbConnection,
        currency: &'static str,
        frequency: Frequency,
        range: DateRange,
    ) -> Result<Self, ApiError> {
        let series_id = rate_series(currency, frequency)
            .ok_or_else(|| ApiError::internal(format!("no rate series for {currency}")))?;
        let (start, end) = range.text_bounds();
        let rows = db_series::observations(conn, series_id, &start, &end)?;
        let native = if frequency == Frequency::Annual {
            NativeFrequency::Annual
        } else {
            NativeFrequency::Monthly
        };
        let figures = aggregate(native, &spans(&rows)?, frequency, range)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let rates = figures
            .into_iter()
            .filter_map(|figure| {
                let rate = figure.value?;
                let source_id = figure.used.first().map(|i| rows[*i].source_id.clone())?;
                let period = figure.period.to_string();
                Some((
                    period.clone(),
                    RateUsed {
                        rate,
                        currency: currency.to_owned(),
                        period,
                        series_id: series_id.to_owned(),
                        source_id,
                    },
                ))
            })
            .collect();
        Ok(Self {
            currency,
            series_id,
            rates,
        })
    }

    fn describe(&self, frequency: Frequency) -> String {
        let how = match (self.currency, frequency) {
            ("MXN", Frequency::Quarterly) => {
                "the mean of the monthly means of Banxico's daily FIX rate"
            }
            ("MXN", Frequency::Monthly) => "the monthly mean of Banxico's daily FIX rate",
            ("MXN", _) => "the annual mean of Banxico's daily FIX rate",
            (_, Frequency::Quarterly) => "the mean of the Federal Reserve's monthly average rates",
            (_, Frequency::Monthly) => "the Federal Reserve's monthly average rate",
            _ => "the Federal Reserve's annual average rate",
        };
        format!(
            "{} per USD: {how} for the same period (series {})",
            self.currency, self.series_id
        )
    }
}

fn invalid(param: &str, detail: String) -> ApiError {
    ApiError::invalid_parameter(param, detail)
}

/// Checks that the request can be answered for this series, before any work is done.
fn check(
    series: &SeriesRow,
    native: NativeFrequency,
    request: &Request,
) -> Result<Option<&'static str>, ApiError> {
    if let Some(frequency) = request.frequency
        && frequency > native.finest()
    {
        return Err(invalid(
            "frequency",
            format!(
                "Series '{}' is {}; it cannot be split into {} periods. Allowed: {}.",
                series.id,
                native.as_str(),
                frequency.name(),
                allowed_frequencies(native).join(", ")
            ),
        )
        .with_allowed(allowed_frequencies(native)));
    }
    if request.per.is_some() && series.per.is_none() {
        return Err(invalid(
            "per",
            format!(
                "Series '{}' is measured in {}, not per unit of time.",
                series.id, series.unit
            ),
        ));
    }
    let target = request
        .currency
        .code()
        .filter(|code| series.currency.as_deref() != Some(*code));
    let Some(target) = target else {
        return Ok(None);
    };
    if series.currency.is_none() {
        return Err(invalid(
            "currency",
            format!(
                "Series '{}' is in {}; it has no currency to convert.",
                series.id, series.unit
            ),
        )
        .with_allowed(["local"]));
    }
    if matches!(
        series.price_basis.as_str(),
        "constant_ppp" | "constant_dollars"
    ) {
        return Err(invalid(
            "currency",
            format!(
                "Series '{}' is in {}; constant-price dollars do not convert at market exchange rates. Use local or {}.",
                series.id,
                series.unit,
                series.currency.as_deref().unwrap_or("USD")
            ),
        )
        .with_allowed(["local".to_owned(), series.currency.clone().unwrap_or_default()]));
    }
    if request.frequency == Some(Frequency::Daily) {
        return Err(invalid(
            "frequency",
            format!(
                "Converting series '{}' to {target} uses monthly, quarterly or annual mean exchange rates: use frequency=M, Q or A.",
                series.id
            ),
        )
        .with_allowed(["M", "Q", "A"]));
    }
    if request.frequency.is_none()
        && matches!(native, NativeFrequency::Event | NativeFrequency::Daily)
    {
        return Err(invalid(
            "frequency",
            format!(
                "Converting series '{}' to {target} needs calendar periods to take exchange rates for: add frequency=M, Q or A.",
                series.id
            ),
        )
        .with_allowed(["M", "Q", "A"]));
    }
    Ok(Some(target))
}

fn allowed_frequencies(native: NativeFrequency) -> Vec<&'static str> {
    match native.finest() {
        Frequency::Annual => vec!["A"],
        Frequency::Quarterly => vec!["A", "Q"],
        Frequency::Monthly => vec!["A", "Q", "M"],
        Frequency::Daily => vec!["A", "Q", "M", "D"],
    }
}

/// The figures for `series` that `request` asks for.
pub fn compute(
    conn: &mut DbConnection,
    series: &SeriesRow,
    request: &Request,
) -> Result<Computed, ApiError> {
    let native = NativeFrequency::parse(&series.frequency).ok_or_else(|| {
        ApiError::internal(format!(
            "series {} has frequency {}",
            series.id, series.frequency
        ))
    })?;
    let target_currency = check(series, native, request)?;
    let (start, end) = request.range.text_bounds();
    let rows = db_series::observations(conn, &series.id, &start, &end)?;
    let mut computed = Computed::default();
    computed
        .source_ids
        .extend(rows.iter().map(|r| r.source_id.clone()));

    let mut caveats: BTreeSet<String> = BTreeSet::new();
    let mut figures: Vec<(Figure, Option<Period>)> = match request.frequency {
        Some(frequency) => {
            computed
                .transformations
                .push(native.aggregation_rule(frequency));
            aggregate(native, &spans(&rows)?, frequency, request.range)
                .map_err(|e| invalid("frequency", e.to_string()))?
                .into_iter()
                .map(|figure| {
                    let used: Vec<&ObservationRow> =
                        figure.used.iter().map(|i| &rows[*i]).collect();
                    let notes: Vec<&str> = used.iter().filter_map(|r| r.note.as_deref()).collect();
                    for row in &used {
                        if let Some(caveat) = &row.caveat {
                            caveats.insert(format!("{} ({}): {caveat}", row.period, series.id));
                        }
                    }
                    if figure.value.is_none() {
                        for row in rows.iter().filter(|r| overlaps(r, figure.period)) {
                            if let Some(caveat) = &row.caveat {
                                caveats.insert(format!("{} ({}): {caveat}", row.period, series.id));
                            }
                        }
                    }
                    (
                        Figure {
                            period: figure.period.to_string(),
                            start: figure.period.first_day().format("%Y-%m-%d").to_string(),
                            end: figure.period.last_day().format("%Y-%m-%d").to_string(),
                            value: figure.value,
                            partial: figure.partial,
                            note: (!notes.is_empty()).then(|| notes.join(" | ")),
                            fx: Vec::new(),
                        },
                        Some(figure.period),
                    )
                })
                .collect()
        }
        None => rows
            .iter()
            .map(|row| {
                if let Some(caveat) = &row.caveat {
                    caveats.insert(format!("{} ({}): {caveat}", row.period, series.id));
                }
                (
                    Figure {
                        period: row.period.clone(),
                        start: row.period_start.clone(),
                        end: row.period_end.clone(),
                        value: row.value,
                        partial: false,
                        note: row.note.clone(),
                        fx: Vec::new(),
                    },
                    Period::parse(&row.period).ok(),
                )
            })
            .collect(),
    };

    // Wage units read "<money> per <time>"; conversions replace one part or the other.
    let (mut money, mut per) = match series.unit.rsplit_once(" per ") {
        Some((money, per)) if series.per.is_some() => (money.to_owned(), Some(per.to_owned())),
        _ => (series.unit.clone(), None),
    };
    if let (Some(to), Some(from)) = (request.per, series.per.as_deref().and_then(TimeUnit::parse))
        && to != from
    {
        let working_time = WorkingTime::for_country(series.country.as_deref().unwrap_or_default());
        let factor = working_time.factor(from, to);
        for (figure, _) in &mut figures {
            figure.value = figure.value.map(|v| v * factor);
        }
        computed.transformations.push(format!(
            "per {} → per {}: × {factor:.6} ({})",
            from.as_str(),
            to.as_str(),
            working_time.statement
        ));
        per = Some(to.as_str().to_owned());
    }
    if let Some(target) = target_currency {
        let from = series.currency.as_deref().unwrap_or("USD");
        convert_currency(
            conn,
            &mut figures,
            from,
            target,
            native,
            request,
            &mut computed,
        )?;
        money = target.to_owned();
    }
    computed.unit = match per {
        Some(per) => format!("{money} per {per}"),
        None => money,
    };

    let today = chrono::Utc::now().date_naive();
    mark_under_way(&mut figures, native, today);
    let partial: Vec<&str> = figures
        .iter()
        .filter(|(f, _)| f.partial)
        .map(|(f, _)| f.period.as_str())
        .collect();
    if !partial.is_empty() {
        computed.warnings.push(format!(
            "{}: the series covers only part of these periods ({}); their values use the part covered",
            series.id,
            partial.join(", ")
        ));
    }
    let missing: Vec<&str> = figures
        .iter()
        .filter(|(f, _)| f.value.is_none())
        .map(|(f, _)| f.period.as_str())
        .collect();
    if !missing.is_empty() {
        computed.warnings.push(format!(
            "{}: no value for {} (null, never filled in)",
            series.id,
            missing.join(", ")
        ));
    }
    computed
        .warnings
        .extend(gap_warnings(series, native, request, &figures, today));
    computed.warnings.extend(caveats);
    computed.figures = figures.into_iter().map(|(f, _)| f).collect();
    Ok(computed)
}

/// A statistic for a period that has not ended (a mean of the months published so far) covers
/// only part of it. A rate in force is known for the whole period once set, so event series are
/// left as they are.
fn mark_under_way(
    figures: &mut [(Figure, Option<Period>)],
    native: NativeFrequency,
    today: NaiveDate,
) {
    if native == NativeFrequency::Event {
        return;
    }
    for (figure, period) in figures.iter_mut() {
        if figure.value.is_some() && period.is_some_and(|p| coverage::under_way(p, today)) {
            figure.partial = true;
        }
    }
}

/// The requested periods the answer has no figure for, named with where they fall. Business-day
/// series are left out: their weekends and holidays are no gap.
fn gap_warnings(
    series: &SeriesRow,
    native: NativeFrequency,
    request: &Request,
    figures: &[(Figure, Option<Period>)],
    today: NaiveDate,
) -> Vec<String> {
    let frequency = match (request.frequency, native) {
        (Some(frequency), _) => frequency,
        (None, NativeFrequency::Monthly) => Frequency::Monthly,
        (None, NativeFrequency::Annual) => Frequency::Annual,
        (None, NativeFrequency::Event | NativeFrequency::Daily) => return Vec::new(),
    };
    if native == NativeFrequency::Daily && frequency == Frequency::Daily {
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

fn overlaps(row: &ObservationRow, period: Period) -> bool {
    match (
        parse_iso_date(&row.period_start),
        parse_iso_date(&row.period_end),
    ) {
        (Some(start), Some(end)) => start <= period.last_day() && end >= period.first_day(),
        _ => false,
    }
}

/// Converts every figure from `from` to `to` through US dollars, with the rate of the figure's own
/// period; a figure without a rate becomes null and is named in a warning.
fn convert_currency(
    conn: &mut DbConnection,
    figures: &mut [(Figure, Option<Period>)],
    from: &str,
    to: &'static str,
    native: NativeFrequency,
    request: &Request,
    computed: &mut Computed,
) -> Result<(), ApiError> {
    let frequency = request.frequency.unwrap_or(match native {
        NativeFrequency::Annual => Frequency::Annual,
        _ => Frequency::Monthly,
    });
    let mut tables = Vec::new();
    for currency in [from, to] {
        if currency != "USD" {
            let code = match currency {
                "MXN" => "MXN",
                "CAD" => "CAD",
                other => {
                    return Err(invalid(
                        "currency",
                        format!(
                            "No exchange rates for {other} are loaded; values stay in {other}."
                        ),
                    ));
                }
            };
            tables.push((
                currency == from,
                RateTable::load(conn, code, frequency, request.range)?,
            ));
        }
    }
    let mut no_rate = Vec::new();
    for (figure, period) in figures.iter_mut() {
        let key = period
            .map(|p| p.to_string())
            .unwrap_or_else(|| figure.period.clone());
        let mut value = figure.value;
        for (divide, table) in &tables {
            match table.rates.get(&key) {
                Some(rate) => {
                    let leg = Leg {
                        per_usd: rate.rate,
                        divide: *divide,
                    };
                    value = value.map(|v| leg.apply(v));
                    figure.fx.push(rate.clone());
                }
                None => {
                    if value.is_some() {
                        no_rate.push(figure.period.clone());
                    }
                    value = None;
                }
            }
        }
        figure.value = value;
    }
    for (divide, table) in &tables {
        let direction = if *divide {
            "divided by"
        } else {
            "multiplied by"
        };
        computed.transformations.push(format!(
            "{from} → {to}: {direction} {}",
            table.describe(frequency)
        ));
        computed
            .source_ids
            .extend(table.rates.values().map(|r| r.source_id.clone()));
    }
    if !no_rate.is_empty() {
        computed.warnings.push(format!(
            "no exchange rate for {} ({from} → {to}); those values are null",
            no_rate.join(", ")
        ));
    }
    Ok(())
}
