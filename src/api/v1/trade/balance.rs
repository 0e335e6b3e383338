//! `GET /v1/trade/balance`: a country's exports to and imports from a partner, and the balance,
//! per period, all from one dataset.

use actix_web::{HttpResponse, get};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    FAMILY, PairFlows, Reported, add_notes, chosen_dataset_meta, pair_filter, product_code,
    single_token, trade_frequency, unknown_reporting, withhold_unknown_reporters,
};
use crate::api::caching::Scope;
use crate::api::chart::{Chart, Line};
use crate::api::envelope::Envelope;
use crate::api::envelope::Meta;
use crate::api::format::CsvRecord;
use crate::api::format::Format;
use crate::api::lookup::{date_range, parse_country};
use crate::api::query::ReadRequest;
use crate::api::responses;
use crate::api::table::{Column, Unit};
use crate::db::sources::SourceRow;
use crate::domain::period::Frequency;
use crate::domain::trade::ReportedFlow;
use crate::domain::trade::balance::{BalanceAsked, BalanceRow, balance, balance_notes};
use crate::domain::trade::dataset_choice::{default_dataset, holds};
use crate::error::ApiError;

/// One period of a balance.
#[derive(Debug, Serialize, ToSchema)]
pub struct BalancePeriod {
    #[schema(example = "1993")]
    pub period: String,
    /// The country's exports to the partner; null where the dataset has none for the period.
    pub exports: Option<Reported>,
    /// The country's imports from the partner.
    pub imports: Option<Reported>,
    /// Exports minus imports in USD; null unless both are known.
    #[schema(example = 1663300000.0)]
    pub balance_usd: Option<f64>,
    /// The period is covered only in part (months missing, or not yet published): its values
    /// are sums of the months there are.
    pub partial: bool,
}

/// A period of a balance as one CSV line.
#[derive(Debug, Serialize)]
pub struct BalanceCsvRow<'a> {
    period: &'a str,
    exports_usd: Option<f64>,
    exports_reported_by: Option<&'a str>,
    imports_usd: Option<f64>,
    imports_reported_by: Option<&'a str>,
    balance_usd: Option<f64>,
    partial: bool,
    source_ids: String,
}

impl CsvRecord for BalancePeriod {
    const COLUMNS: &'static [Column] = &[
        Column::text("period"),
        Column::measured("exports_usd", Unit::Usd),
        Column::text("exports_reported_by"),
        Column::measured("imports_usd", Unit::Usd),
        Column::text("imports_reported_by"),
        Column::measured("balance_usd", Unit::Usd),
        Column::boolean("partial"),
        Column::text("source_ids"),
    ];

    type Row<'a> = BalanceCsvRow<'a>;

    fn csv_row(&self) -> BalanceCsvRow<'_> {
        let mut sources: Vec<&str> = [&self.exports, &self.imports]
            .into_iter()
            .flatten()
            .map(|r| r.source_id.as_str())
            .collect();
        sources.dedup();
        BalanceCsvRow {
            period: &self.period,
            exports_usd: self.exports.as_ref().map(|r| r.value_usd),
            exports_reported_by: self.exports.as_ref().and_then(|r| r.reported_by.as_deref()),
            imports_usd: self.imports.as_ref().map(|r| r.value_usd),
            imports_reported_by: self.imports.as_ref().and_then(|r| r.reported_by.as_deref()),
            balance_usd: self.balance_usd,
            partial: self.partial,
            source_ids: sources.join(";"),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BalanceQuery {
    /// The country whose balance it is, any code scheme.
    #[param(example = "us")]
    pub country: String,
    /// The partner.
    #[param(example = "mx")]
    pub partner: String,
    /// Periods of the answer: `A` years (default), `Q` quarters, `M` months. Quarters and months
    /// need monthly figures (the `census` dataset has them from 1985-01).
    #[param(example = "A")]
    pub frequency: Option<Frequency>,
    /// First period (year, quarter or month).
    #[param(example = "1990")]
    pub from: Option<String>,
    /// Last period.
    #[param(example = "2019")]
    pub to: Option<String>,
    /// The dataset to use: `census`, `comtrade`, `agtpa` or an imported one (default: a dataset
    /// that holds the country's own reports and says so, such as `census` for the United States,
    /// else the dataset with the most periods for the pair).
    #[param(example = "census")]
    pub source: Option<String>,
    /// Product code (default `TOTAL`, all goods; `MANUFACTURING` for the AGTPA data).
    #[param(example = "TOTAL")]
    pub product: Option<String>,
}

/// Get a trade balance
///
/// A country's exports to and imports from one partner, and the balance (exports minus imports),
/// per period, in US dollars, all from one dataset: by default the country's official statistics
/// where loaded (Census for the United States), otherwise the dataset with the most periods for
/// the pair; `meta` names the one used. Where the dataset has the partner's report but not the
/// country's own, the value is the partner's mirror figure and `reported_by` says so. Periods the
/// dataset lacks are listed in `meta.warnings`, never filled with zero.
#[utoipa::path(
    tag = "trade",
    params(BalanceQuery),
    responses(
        (status = 200, description = "Periods in order", body = Envelope<Vec<BalancePeriod>>),
        responses::LookupFailures,
    )
)]
#[get("/v1/trade/balance")]
pub async fn get_trade_balance(
    ReadRequest(query, loader): ReadRequest<BalanceQuery>,
) -> Result<HttpResponse, ApiError> {
    let loader = loader.charted();
    let country = parse_country("country", &query.country)?;
    let partner = parse_country("partner", &query.partner)?;
    let range = date_range(query.from.as_deref(), query.to.as_deref())?;
    let source = single_token("source", query.source.as_deref())?;
    let product = product_code(query.product.as_deref())?;
    let frequency = trade_frequency(query.frequency)?.unwrap_or(Frequency::Annual);
    let filter = pair_filter(product, range, source.iter().cloned().collect());
    let asked = BalanceAsked { frequency, range };
    loader
        .load_fresh(Scope::Family(FAMILY), move |conn| {
            PairFlows::load(conn, ("country", &country), &partner, &filter)
        })
        .await?
        .respond(|reply, pair| {
            let all = pair.flows()?;
            // The dataset is chosen here, where the snapshot's trade datasets (and so which of them
            // say who reported their figures) are at hand.
            let chosen = source.as_deref().or_else(|| {
                default_dataset(&all, &pair.first.code, &unknown_reporting(&reply.datasets))
            });
            let (flows, sources) = in_dataset(all, chosen, &pair.sources);
            let rows = balance(&flows, &pair.first.code, &pair.partner.code, frequency);
            let notes = balance_notes(
                &rows,
                chosen,
                pair.parties(),
                asked,
                reply.today,
                &pair.coverage(),
            );
            let mut data: Vec<BalancePeriod> = rows.iter().map(BalancePeriod::from).collect();
            let mut meta = chosen_dataset_meta(&reply.datasets, chosen, &sources);
            add_notes(&mut meta, notes);
            let sides = data
                .iter_mut()
                .flat_map(|p| [p.exports.as_mut(), p.imports.as_mut()]);
            withhold_unknown_reporters(sides.flatten(), &reply.datasets, &mut meta.warnings);
            if reply.format == Format::Svg {
                return reply.chart(&chart(&meta, &pair.first.name, &pair.partner.name, &data));
            }
            reply.collection(meta, data, "trade_balance")
        })
}

/// The balance drawn: exports, imports and the balance, in billions of dollars.
fn chart(meta: &Meta, country: &str, partner: &str, periods: &[BalancePeriod]) -> Chart {
    let billions = |value: Option<f64>| value.map(|v| v / 1e9);
    let line = |name: &str, value: &dyn Fn(&BalancePeriod) -> Option<f64>| Line {
        name: name.to_owned(),
        values: periods.iter().map(|p| billions(value(p))).collect(),
    };
    let lines = vec![
        line("Exports", &|p| p.exports.as_ref().map(|r| r.value_usd)),
        line("Imports", &|p| p.imports.as_ref().map(|r| r.value_usd)),
        line("Balance", &|p| p.balance_usd),
    ];
    let labels = periods.iter().map(|p| p.period.clone()).collect();
    let title = format!("{country}: trade in goods with {partner}");
    let mut chart = Chart::new(title, meta, labels, lines);
    chart.unit = "billion USD".to_owned();
    chart
}

/// The flows of the `chosen` dataset, and their sources among `sources`.
fn in_dataset<'a>(
    flows: Vec<ReportedFlow<'a>>,
    chosen: Option<&str>,
    sources: &[SourceRow],
) -> (Vec<ReportedFlow<'a>>, Vec<SourceRow>) {
    let flows: Vec<ReportedFlow<'a>> = flows
        .into_iter()
        .filter(|f| holds(chosen, f.dataset_id, f.figure.source_id))
        .collect();
    let sources = sources
        .iter()
        .filter(|s| flows.iter().any(|f| f.figure.source_id == s.id))
        .cloned()
        .collect();
    (flows, sources)
}

impl From<&BalanceRow<'_>> for BalancePeriod {
    fn from(row: &BalanceRow<'_>) -> Self {
        BalancePeriod {
            period: row.period.to_string(),
            exports: row.exports.as_ref().map(Reported::from),
            imports: row.imports.as_ref().map(Reported::from),
            balance_usd: row.balance_usd,
            partial: row.partial,
        }
    }
}
