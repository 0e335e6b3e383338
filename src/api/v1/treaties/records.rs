//! `/v1/treaties` and `/v1/treaties/{id}`: treaty records, with their status on the day asked.

use chrono::NaiveDate;

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{FAMILY, Lang, TreatyPath, unknown_treaty, view};
use crate::api::caching::{Loader, Scope};
use crate::api::envelope::Envelope;
use crate::api::format::CsvRecord;
use crate::api::lookup::sources_of;
use crate::api::query::ReadRequest;
use crate::api::responses;
use crate::api::table::Column;
use crate::db::treaties::{self as db_treaties, Treaty};
use crate::domain::treaty::record::{TreatyFilter, stored_list, text_warning};
use crate::domain::treaty::{TreatyDates, TreatyStatus, TreatyView, side_agreements};
use crate::error::ApiError;

/// A treaty: who is party to it, when it was signed, in force and ended, what it replaced, its side
/// agreements, and whether its text is loaded.
#[derive(Debug, Serialize, ToSchema)]
pub struct TreatyResponse {
    #[schema(example = "nafta")]
    pub id: String,
    #[schema(example = "North American Free Trade Agreement")]
    pub name: String,
    #[schema(example = json!(["NAFTA", "Tratado de Libre Comercio de América del Norte (TLCAN)"]))]
    pub other_names: Vec<String>,
    /// Kind of agreement, as ToTA classifies it.
    #[schema(example = "Free Trade Agreement")]
    pub kind: Option<String>,
    /// Where the treaty stands today, derived from its dates: the last of signed, in force,
    /// suspended and terminated that has been reached.
    pub status: Option<TreatyStatus>,
    /// The status ToTA recorded at its release, as written there.
    #[schema(example = "In Force")]
    pub status_at_tota_release: Option<String>,
    /// Original parties, ISO alpha-3.
    #[schema(example = json!(["CAN", "MEX", "USA"]))]
    pub parties: Vec<String>,
    #[schema(example = "1992-12-17")]
    pub signed: Option<NaiveDate>,
    #[schema(example = "1994-01-01")]
    pub in_force: Option<NaiveDate>,
    /// When it ended or was replaced.
    #[schema(example = "2020-07-01")]
    pub terminated: Option<NaiveDate>,
    /// When its operation was suspended without ending it (the Canada-U.S. FTA on 1994-01-01).
    #[schema(example = json!(null))]
    pub suspended: Option<NaiveDate>,
    #[schema(example = json!(["cusfta"]))]
    pub supersedes: Vec<String>,
    #[schema(example = json!(["usmca"]))]
    pub superseded_by: Vec<String>,
    /// The agreement this one is a side agreement of (NAALC → NAFTA).
    pub side_agreement_of: Option<String>,
    /// Side agreements of this one.
    #[schema(example = json!(["naalc"]))]
    pub side_agreements: Vec<String>,
    /// For agreements on one subject (NAALC: labour), the topics of the taxonomy it covers.
    pub subject_topics: Vec<String>,
    /// Languages the text is loaded in.
    #[schema(example = json!(["en"]))]
    pub languages: Vec<Lang>,
    /// Whether the text is loaded; where it is not, `official_text_url` says where to read it.
    pub text_available: bool,
    pub official_text_url: Option<String>,
    /// Ids in the ToTA corpus.
    pub tota_ids: Vec<String>,
    pub wto_rta_id: Option<String>,
    pub note: Option<String>,
    pub source_id: String,
    pub links: TreatyLinks,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TreatyLinks {
    #[serde(rename = "self")]
    #[schema(example = "/v1/treaties/tpp")]
    pub self_: String,
    /// Its chapters, when the text is loaded.
    pub chapters: Option<String>,
    /// Its provisions, when the text is loaded.
    pub provisions: Option<String>,
    #[schema(example = "/v1/treaties/nafta/coverage")]
    pub coverage: String,
}

/// What the treaty rules read of each record.
fn views(all: &[Treaty]) -> Vec<TreatyView<'_>> {
    all.iter().map(view).collect()
}

/// A record as answered: its status on `today`, its side agreements among `all`, its stored
/// lists split.
fn treaty_response(treaty: Treaty, all: &[TreatyView], today: NaiveDate) -> TreatyResponse {
    let text = treaty.text_available();
    let Treaty {
        record: row,
        parties,
        languages,
    } = treaty;
    let status = TreatyDates {
        signed: row.date_signed,
        in_force: row.date_in_force,
        suspended: row.date_suspended,
        terminated: row.date_terminated,
    }
    .status(today);
    TreatyResponse {
        links: TreatyLinks {
            self_: format!("/v1/treaties/{}", row.id),
            chapters: text.then(|| format!("/v1/treaties/{}/chapters", row.id)),
            provisions: text.then(|| format!("/v1/treaties/{}/provisions", row.id)),
            coverage: format!("/v1/treaties/{}/coverage", row.id),
        },
        side_agreements: side_agreements(&row.id, all)
            .map(|t| t.id.to_owned())
            .collect(),
        other_names: stored_list(row.other_names.as_deref()),
        parties,
        supersedes: stored_list(row.supersedes.as_deref()),
        superseded_by: stored_list(row.superseded_by.as_deref()),
        subject_topics: stored_list(row.subject_topics.as_deref()),
        languages,
        tota_ids: stored_list(row.tota_ids.as_deref()),
        id: row.id,
        name: row.name,
        kind: row.kind,
        status,
        status_at_tota_release: row.status,
        signed: row.date_signed,
        in_force: row.date_in_force,
        terminated: row.date_terminated,
        suspended: row.date_suspended,
        side_agreement_of: row.side_agreement_of,
        text_available: text,
        official_text_url: row.official_text_url,
        wto_rta_id: row.wto_rta_id,
        note: row.note,
        source_id: row.source_id,
    }
}

/// A treaty as one CSV line; lists joined with `;`.
#[derive(Debug, Serialize)]
pub struct TreatyCsvRow<'a> {
    id: &'a str,
    name: &'a str,
    parties: String,
    signed: Option<NaiveDate>,
    in_force: Option<NaiveDate>,
    terminated: Option<NaiveDate>,
    supersedes: String,
    superseded_by: String,
    side_agreement_of: Option<&'a str>,
    languages: String,
    text_available: bool,
    official_text_url: Option<&'a str>,
    source_id: &'a str,
}

impl CsvRecord for TreatyResponse {
    const COLUMNS: &'static [Column] = &[
        Column::text("id"),
        Column::text("name"),
        Column::text("parties"),
        Column::date("signed"),
        Column::date("in_force"),
        Column::date("terminated"),
        Column::text("supersedes"),
        Column::text("superseded_by"),
        Column::text("side_agreement_of"),
        Column::text("languages"),
        Column::boolean("text_available"),
        Column::text("official_text_url"),
        Column::code("source_id"),
    ];

    type Row<'a> = TreatyCsvRow<'a>;

    fn csv_row(&self) -> TreatyCsvRow<'_> {
        TreatyCsvRow {
            id: &self.id,
            name: &self.name,
            parties: self.parties.join(";"),
            signed: self.signed,
            in_force: self.in_force,
            terminated: self.terminated,
            supersedes: self.supersedes.join(";"),
            superseded_by: self.superseded_by.join(";"),
            side_agreement_of: self.side_agreement_of.as_deref(),
            languages: self
                .languages
                .iter()
                .map(|lang| lang.as_str())
                .collect::<Vec<_>>()
                .join(";"),
            text_available: self.text_available,
            official_text_url: self.official_text_url.as_deref(),
            source_id: &self.source_id,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListTreatiesQuery {
    /// Only treaties a country is an original party to (ISO alpha-3, any case).
    #[param(example = "MEX")]
    pub party: Option<String>,
    /// Only treaties whose text is loaded (`true`) or not (`false`).
    #[param(example = true)]
    pub text_available: Option<bool>,
}

/// List treaties
///
/// The agreements this service knows: NAFTA, its labour side agreement NAALC, the Canada-US FTA,
/// TPP, CPTPP and USMCA with cited dates, parties, succession and side agreements, and the other
/// agreements of Canada, Mexico and the United States in the ToTA index (`tota_<id>`). Each says
/// whether its text is loaded (`text_available`) and where the official text is.
#[utoipa::path(
    tag = "treaties",
    params(ListTreatiesQuery),
    responses(
        (status = 200, description = "Treaties ordered by id", body = Envelope<Vec<TreatyResponse>>),
        responses::ReadFailures,
    )
)]
#[get("/v1/treaties")]
pub async fn list_treaties(
    ReadRequest(query, loader): ReadRequest<ListTreatiesQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = TreatyFilter::new(query.party.as_deref(), query.text_available)
        .map_err(|e| ApiError::invalid_parameter("party", e.to_string()))?;
    loader
        .load_fresh(Scope::Family(FAMILY), move |conn| {
            let rows = db_treaties::list(conn)?;
            let sources = sources_of(conn, rows.iter().map(|r| r.record.source_id.as_str()))?;
            Ok((rows, sources))
        })
        .await?
        .respond(|reply, (rows, sources)| {
            let (all, today) = (views(&rows), reply.today);
            let data: Vec<TreatyResponse> = rows
                .iter()
                .filter(|r| filter.admits(&r.parties, r.text_available()))
                .map(|r| treaty_response(r.clone(), &all, today))
                .collect();
            reply.collection(reply.meta(&sources), data, "treaties")
        })
}

/// Get a treaty
///
/// One treaty record by id (`nafta`, `naalc`, `cusfta`, `tpp`, `cptpp`, `usmca`, or `tota_<id>`).
#[utoipa::path(
    tag = "treaties",
    params(TreatyPath),
    responses(
        (status = 200, description = "The treaty", body = Envelope<TreatyResponse>),
        responses::LookupFailures,
    )
)]
#[get("/v1/treaties/{id}")]
pub async fn get_treaty(
    loader: Loader,
    path: web::Path<TreatyPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.treaty_id()?;
    loader
        .load_fresh(Scope::Family(FAMILY), move |conn| {
            // Every record is read for the side agreements; the one asked for is among them.
            let all = db_treaties::list(conn)?;
            let treaty = all
                .iter()
                .find(|t| t.record.id == *id)
                .cloned()
                .ok_or_else(|| unknown_treaty("id", &id))?;
            let sources = sources_of(conn, [treaty.record.source_id.as_str()])?;
            Ok((treaty, all, sources))
        })
        .await?
        .respond(|reply, (treaty, all, sources)| {
            let mut meta = reply.meta(&sources);
            meta.warnings.extend(text_warning(&view(&treaty)));
            let data = treaty_response(treaty, &views(&all), reply.today);
            let file_stem = data.id.clone();
            reply.item(meta, data, &file_stem)
        })
}
