//! `GET /v1/trade/mirror`: what each side reports for the same flow — a reporter's imports from a
//! partner next to the partner's exports to the reporter, or the other way round — with the gap.

use actix_web::{HttpResponse, get};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    FAMILY, FlowDirection, PairFlows, Reported, add_notes, pair_filter, product_code, rows_meta,
    token_list, unknown_reporting, withhold_unknown_reporters,
};
use crate::api::caching::Scope;
use crate::api::envelope::Envelope;
use crate::api::format::CsvRecord;
use crate::api::lookup::{date_range, parse_country};
use crate::api::query::ReadRequest;
use crate::api::responses;
use crate::api::table::{Column, Unit};
use crate::db::trade::FlowFilter;
use crate::domain::series::NativeFrequency;
use crate::domain::trade::mirror::{MirrorRow, mirror, mirror_notes};
use crate::error::ApiError;

/// One period of a mirror comparison.
#[derive(Debug, Serialize, ToSchema)]
pub struct MirrorPeriod {
    #[schema(example = "2016")]
    pub period: String,
    /// The flow as the reporter reports it.
    pub reported: Option<Reported>,
    /// The same flow as the partner reports it (the opposite direction in its statistics).
    pub mirror: Option<Reported>,
    /// `reported` minus `mirror`, USD; null unless both are known.
    pub gap_usd: Option<f64>,
    /// The gap as a percentage of `mirror`.
    #[schema(example = 12.4)]
    pub gap_pct: Option<f64>,
}

/// A period of a mirror comparison as one CSV line.
#[derive(Debug, Serialize)]
pub struct MirrorCsvRow<'a> {
    period: &'a str,
    reported_usd: Option<f64>,
    reported_source_id: Option<&'a str>,
    mirror_usd: Option<f64>,
    mirror_source_id: Option<&'a str>,
    gap_usd: Option<f64>,
    gap_pct: Option<f64>,
}

impl CsvRecord for MirrorPeriod {
    const COLUMNS: &'static [Column] = &[
        Column::text("period"),
        Column::measured("reported_usd", Unit::Usd),
        Column::text("reported_source_id"),
        Column::measured("mirror_usd", Unit::Usd),
        Column::text("mirror_source_id"),
        Column::measured("gap_usd", Unit::Usd),
        Column::measured("gap_pct", Unit::Percent),
    ];

    type Row<'a> = MirrorCsvRow<'a>;

    fn csv_row(&self) -> MirrorCsvRow<'_> {
        MirrorCsvRow {
            period: &self.period,
            reported_usd: self.reported.as_ref().map(|r| r.value_usd),
            reported_source_id: self.reported.as_ref().map(|r| r.source_id.as_str()),
            mirror_usd: self.mirror.as_ref().map(|r| r.value_usd),
            mirror_source_id: self.mirror.as_ref().map(|r| r.source_id.as_str()),
            gap_usd: self.gap_usd,
            gap_pct: self.gap_pct,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MirrorQuery {
    /// The reporting country, any code scheme.
    #[param(example = "us")]
    pub reporter: String,
    /// The partner.
    #[param(example = "mx")]
    pub partner: String,
    /// The flow from the reporter's side; the partner's side is the opposite flow.
    #[param(example = "import")]
    pub flow: FlowDirection,
    /// First period (year, quarter or month).
    #[param(example = "2000")]
    pub from: Option<String>,
    /// Last period.
    #[param(example = "2016")]
    pub to: Option<String>,
    /// Datasets or source ids to take figures from, comma-separated (default: all).
    #[param(example = "census,comtrade")]
    pub source: Option<String>,
    /// Product code (default `TOTAL`).
    #[param(example = "TOTAL")]
    pub product: Option<String>,
}

/// Compare mirror statistics
///
/// The same annual flow as both sides report it: `flow=import` puts the reporter's imports from the
/// partner next to the partner's exports to the reporter (`flow=export` the other way round), per
/// period, with the gap in USD and as a percentage of the partner's figure. Each side names its
/// source; where several datasets have a side, the reporter's official statistics are preferred
/// (Census for the United States), then the bundled Comtrade data. A side no dataset has is null,
/// and the periods are listed in `meta.warnings`.
#[utoipa::path(
    tag = "trade",
    params(MirrorQuery),
    responses(
        (status = 200, description = "Periods in order", body = Envelope<Vec<MirrorPeriod>>),
        responses::LookupFailures,
    )
)]
#[get("/v1/trade/mirror")]
pub async fn get_trade_mirror(
    ReadRequest(query, loader): ReadRequest<MirrorQuery>,
) -> Result<HttpResponse, ApiError> {
    let reporter = parse_country("reporter", &query.reporter)?;
    let partner = parse_country("partner", &query.partner)?;
    let range = date_range(query.from.as_deref(), query.to.as_deref())?;
    let sources = token_list("source", query.source.as_deref())?;
    let product = product_code(query.product.as_deref())?;
    let flow = query.flow;
    let filter = FlowFilter {
        // Mirror statistics are compared by year: most datasets hold no months.
        frequency: Some(NativeFrequency::Annual),
        ..pair_filter(product, range, sources)
    };
    loader
        .load_fresh(Scope::Family(FAMILY), move |conn| {
            PairFlows::load(conn, ("reporter", &reporter), &partner, &filter)
        })
        .await?
        .respond(|reply, pair| {
            let flows = pair.flows()?;
            let (reporter, partner) = pair.parties();
            let unknown = unknown_reporting(&reply.datasets);
            let rows = mirror(&flows, &unknown, reporter.code, partner.code, flow);
            let notes = mirror_notes(&rows, reporter, partner, flow, &pair.coverage());
            let mut data: Vec<MirrorPeriod> = rows.iter().map(MirrorPeriod::from).collect();
            let holding = data
                .iter()
                .flat_map(|p| [p.reported.as_ref(), p.mirror.as_ref()])
                .flatten()
                .map(|side| side.dataset_id.as_str());
            let mut meta = rows_meta(&reply.datasets, holding, &pair.sources);
            add_notes(&mut meta, notes);
            let sides = data
                .iter_mut()
                .flat_map(|p| [p.reported.as_mut(), p.mirror.as_mut()]);
            withhold_unknown_reporters(sides.flatten(), &reply.datasets, &mut meta.warnings);
            reply.collection(meta, data, "trade_mirror")
        })
}

impl From<&MirrorRow<'_>> for MirrorPeriod {
    fn from(row: &MirrorRow<'_>) -> Self {
        MirrorPeriod {
            period: row.period.to_string(),
            reported: row.reported.as_ref().map(Reported::from),
            mirror: row.mirror.as_ref().map(Reported::from),
            gap_usd: row.gap_usd,
            gap_pct: row.gap_pct,
        }
    }
}
