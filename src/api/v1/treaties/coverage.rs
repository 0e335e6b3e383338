//! `/v1/treaties/{id}/coverage`: the World Bank DTA provision flags of a treaty, by pair and year.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::{FAMILY, TreatyPath, find_treaty};
use crate::api::caching::{Loader, Scope};
use crate::api::envelope::Envelope;
use crate::api::format::CsvRecord;
use crate::api::lookup::sources_of;
use crate::api::responses;
use crate::api::table::Column;
use crate::db::treaties as db_treaties;
use crate::domain::treaty::coverage::{DtaFlag, PairYear, by_pair_year, no_flags_warning};
use crate::error::ApiError;

/// The DTA flags of one directed pair in one year.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageYear {
    #[schema(example = 2016)]
    pub year: i32,
    #[schema(example = "MEX")]
    pub exporter: String,
    #[schema(example = "USA")]
    pub importer: String,
    pub provisions: Vec<CoverageFlag>,
}

/// One provision flag of the World Bank Deep Trade Agreements database.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageFlag {
    #[schema(example = "lm_prov_10")]
    pub code: String,
    #[schema(example = "reference to internationally recognized labor standards")]
    pub meaning: String,
    /// 1 when the agreement has the provision, else 0.
    #[schema(example = 0)]
    pub value: i32,
}

impl From<PairYear<'_>> for CoverageYear {
    fn from(group: PairYear) -> Self {
        Self {
            year: group.year,
            exporter: group.exporter.to_owned(),
            importer: group.importer.to_owned(),
            provisions: group
                .flags
                .into_iter()
                .map(|f| CoverageFlag {
                    code: f.code.to_owned(),
                    meaning: f.meaning.to_owned(),
                    value: f.value,
                })
                .collect(),
        }
    }
}

/// A pair-year of coverage flags as one CSV line, one column per provision.
#[derive(Debug, Serialize)]
pub struct CoverageCsvRow<'a> {
    year: i32,
    exporter: &'a str,
    importer: &'a str,
    flags: String,
}

impl CsvRecord for CoverageYear {
    const COLUMNS: &'static [Column] = &[
        Column::integer("year"),
        Column::code("exporter"),
        Column::code("importer"),
        Column::text("flags"),
    ];

    type Row<'a> = CoverageCsvRow<'a>;

    fn csv_row(&self) -> CoverageCsvRow<'_> {
        CoverageCsvRow {
            year: self.year,
            exporter: &self.exporter,
            importer: &self.importer,
            flags: self
                .provisions
                .iter()
                .map(|p| format!("{}={}", p.code, p.value))
                .collect::<Vec<_>>()
                .join(";"),
        }
    }
}

/// Get a treaty's DTA coverage
///
/// The World Bank Deep Trade Agreements provision flags for the treaty, by year and directed pair
/// of parties (16 provisions, such as `lm_prov_10`, a reference to internationally recognised
/// labour standards). The bundled extract covers NAFTA (agreement 27) among these agreements; for
/// the others the list is empty and `meta.warnings` says so.
#[utoipa::path(
    tag = "treaties",
    params(TreatyPath),
    responses(
        (status = 200, description = "Flags by year and pair", body = Envelope<Vec<CoverageYear>>),
        responses::LookupFailures,
    )
)]
#[get("/v1/treaties/{id}/coverage")]
pub async fn get_treaty_coverage(
    loader: Loader,
    path: web::Path<TreatyPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.treaty_id()?;
    loader
        .load_fresh(Scope::Family(FAMILY), move |conn| {
            let treaty = find_treaty(conn, "id", &id)?;
            let rows = db_treaties::coverage(conn, &id)?;
            let sources = sources_of(conn, rows.iter().map(|r| r.source_id.as_str()))?;
            Ok((treaty, rows, sources))
        })
        .await?
        .respond(|reply, (treaty, rows, sources)| {
            let flags = rows.iter().map(|r| DtaFlag {
                year: r.year,
                exporter: &r.exporter,
                importer: &r.importer,
                provision: &r.provision,
                value: r.value,
            });
            let groups = by_pair_year(flags, &loader.state().treaty_reference.dta_meanings);
            let mut meta = reply.meta(&sources);
            meta.warnings
                .extend(no_flags_warning(&treaty.record.name, &groups));
            let data: Vec<CoverageYear> = groups.into_iter().map(CoverageYear::from).collect();
            reply.collection(meta, data, "coverage")
        })
}
