//! `/v1/countries`: the code crosswalk (ISO alpha-2, alpha-3, numeric, former and source-specific
//! codes) with names and currencies.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::caching::{Loader, Scope};
use crate::api::envelope::Envelope;
use crate::api::format::CsvRecord;
use crate::api::lookup::{find_country, sources_of};
use crate::api::query::ReadRequest;
use crate::api::reading::Reading;
use crate::api::responses;
use crate::api::table::Column;
use crate::db::countries::{self as db_countries, CountryRow, CurrencyRow};
use crate::db::sources as db_sources;
use crate::domain::country::{CountryKind, CountryLookup};
use crate::error::ApiError;

const DATASET: &str = "countries";

/// A country, former country or source-specific territory code.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountryResponse {
    /// The code the datasets use for it: the ISO alpha-3 code, or the former or source-specific code.
    #[schema(example = "MEX")]
    pub code: String,
    /// ISO 3166-1 alpha-2; null for former and source-specific codes.
    #[schema(example = "MX")]
    pub iso2: Option<String>,
    /// ISO 3166-1 alpha-3 (for a former country, the alpha-3 it had); null for source-specific codes.
    #[schema(example = "MEX")]
    pub iso3: Option<String>,
    /// ISO 3166-1 numeric, three digits; null for former and source-specific codes.
    #[schema(example = "484")]
    pub numeric: Option<String>,
    /// English short name (ISO 3166 where the code is ISO).
    #[schema(example = "Mexico")]
    pub name: String,
    pub kind: CountryKind,
    /// The currency issued for the country; null where none is listed.
    pub currency: Option<CurrencyResponse>,
    /// Every currency in legal use, the issued one among them.
    pub currencies: Vec<CurrencyResponse>,
    /// For a former ISO country (kind `iso3166_3_former`): its old codes, validity and successors.
    pub former: Option<FormerCountry>,
    /// For a source-specific code: the ISO codes covering the same territory.
    #[schema(example = json!(["KNA"]))]
    pub iso_counterparts: Vec<String>,
    /// What the code stands for, where that needs saying.
    pub note: Option<String>,
    /// Where this entry comes from; see `/v1/sources/{id}`.
    #[schema(example = "iso3166_via_rust_iso3166")]
    pub source_id: String,
    pub links: CountryLinks,
}

/// An ISO 4217 currency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CurrencyResponse {
    #[schema(example = "MXN")]
    pub code: String,
    #[schema(example = "Mexican peso")]
    pub name: String,
    #[schema(example = "484")]
    pub numeric: String,
    /// Digits after the decimal point.
    #[schema(example = 2)]
    pub minor_units: Option<i32>,
}

/// What ISO 3166-3 records about a deleted country.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormerCountry {
    /// Its alpha-2 code at the time (since reassigned in some cases, so not used for lookups).
    #[schema(example = "YU")]
    pub alpha2: String,
    /// Its numeric code at the time, if it had one.
    #[schema(example = "891")]
    pub numeric: Option<String>,
    /// First year of validity in ISO 3166.
    #[schema(example = 1974)]
    pub valid_from: Option<i32>,
    /// Last year of validity in ISO 3166.
    #[schema(example = 2003)]
    pub valid_to: Option<i32>,
    /// Codes of the countries that took its place.
    #[schema(example = json!(["SCG"]))]
    pub successors: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountryLinks {
    #[serde(rename = "self")]
    #[schema(example = "/v1/countries/MEX")]
    pub self_: String,
}

/// One CSV line of a country; lists are joined with `;`.
#[derive(Debug, Serialize)]
pub struct CountryCsvRow<'a> {
    code: &'a str,
    iso2: Option<&'a str>,
    iso3: Option<&'a str>,
    numeric: Option<&'a str>,
    name: &'a str,
    kind: &'static str,
    currency: Option<&'a str>,
    currencies: String,
    related_codes: String,
    note: Option<&'a str>,
    source_id: &'a str,
}

impl CsvRecord for CountryResponse {
    const COLUMNS: &'static [Column] = &[
        Column::text("code"),
        Column::text("iso2"),
        Column::text("iso3"),
        Column::text("numeric"),
        Column::text("name"),
        Column::code("kind"),
        Column::code("currency"),
        Column::text("currencies"),
        Column::text("related_codes"),
        Column::text("note"),
        Column::code("source_id"),
    ];

    type Row<'a> = CountryCsvRow<'a>;

    fn csv_row(&self) -> CountryCsvRow<'_> {
        let related = self
            .former
            .as_ref()
            .map_or(&self.iso_counterparts, |f| &f.successors);
        CountryCsvRow {
            code: &self.code,
            iso2: self.iso2.as_deref(),
            iso3: self.iso3.as_deref(),
            numeric: self.numeric.as_deref(),
            name: &self.name,
            kind: self.kind.as_str(),
            currency: self.currency.as_ref().map(|c| c.code.as_str()),
            currencies: self
                .currencies
                .iter()
                .map(|c| c.code.as_str())
                .collect::<Vec<_>>()
                .join(";"),
            related_codes: related.join(";"),
            note: self.note.as_deref(),
            source_id: &self.source_id,
        }
    }
}

fn split(list: Option<&str>, separator: char) -> Vec<String> {
    list.map(|l| l.split(separator).map(str::to_owned).collect())
        .unwrap_or_default()
}

fn to_response(row: CountryRow, currencies: &HashMap<String, CurrencyRow>) -> CountryResponse {
    let currency = |code: &str| {
        currencies.get(code).map(|c| CurrencyResponse {
            code: c.code.clone(),
            name: c.name.clone(),
            numeric: c.numeric.clone(),
            minor_units: c.minor_units,
        })
    };
    let kind = row.kind;
    let related = split(row.related_codes.as_deref(), ';');
    let (former, iso_counterparts) = match kind {
        CountryKind::Iso3166_3Former => (
            Some(FormerCountry {
                alpha2: row.former_iso2.clone().unwrap_or_default(),
                numeric: row.former_numeric.clone(),
                valid_from: row.valid_from,
                valid_to: row.valid_to,
                successors: related,
            }),
            Vec::new(),
        ),
        _ => (None, related),
    };
    CountryResponse {
        links: CountryLinks {
            self_: format!("/v1/countries/{}", row.code),
        },
        currency: row.currency_code.as_deref().and_then(currency),
        currencies: split(row.currency_codes.as_deref(), ',')
            .iter()
            .filter_map(|c| currency(c))
            .collect(),
        code: row.code,
        iso2: row.iso2,
        iso3: row.iso3,
        numeric: row.numeric,
        name: row.name,
        kind,
        former,
        iso_counterparts,
        note: row.note,
        source_id: row.source_id,
    }
}

/// Rows, the currencies they use and their sources, read in one go.
struct WithContext {
    rows: Vec<CountryRow>,
    currencies: HashMap<String, CurrencyRow>,
    sources: Vec<db_sources::SourceRow>,
}

fn load_with_context(
    conn: &mut Reading<'_>,
    rows: Vec<CountryRow>,
) -> Result<WithContext, ApiError> {
    // Only the currencies these rows use: one country needs one or two of about 180.
    let mut codes: Vec<&str> = rows
        .iter()
        .flat_map(|r| [r.currency_code.as_deref(), r.currency_codes.as_deref()])
        .flatten()
        .flat_map(|list| list.split(','))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let currencies = db_countries::currencies(conn, &codes)?
        .into_iter()
        .map(|c| (c.code.clone(), c))
        .collect();
    let sources = sources_of(conn, rows.iter().map(|r| r.source_id.as_str()))?;
    Ok(WithContext {
        rows,
        currencies,
        sources,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListCountriesQuery {
    /// Only codes of this kind.
    #[param(example = "iso3166_1")]
    pub kind: Option<CountryKind>,
}

/// List countries
///
/// Every code the datasets use: the current ISO 3166-1 countries, former countries from
/// ISO 3166-3 (`YUG`, `CSK`, `DDR`, ...) and codes particular to a source (`BLX`
/// Belgium-Luxembourg, `KN1`, ...), each with its kind, names and currencies. Filter with `kind`.
/// JSON by default; `format=csv` or `format=ndjson` (or the `Accept` header) give the rows alone.
#[utoipa::path(
    tag = "countries",
    params(ListCountriesQuery),
    responses(
        (status = 200, description = "The countries, ordered by code", body = Envelope<Vec<CountryResponse>>),
        responses::ReadFailures,
    )
)]
#[get("/v1/countries")]
pub async fn list_countries(
    ReadRequest(query, loader): ReadRequest<ListCountriesQuery>,
) -> Result<HttpResponse, ApiError> {
    let kind = query.kind;
    loader
        .load_fresh(Scope::Ids(&[DATASET]), move |conn| {
            let rows = db_countries::list(conn, kind)?;
            load_with_context(conn, rows)
        })
        .await?
        .respond(|reply, loaded| {
            let data: Vec<CountryResponse> = loaded
                .rows
                .into_iter()
                .map(|row| to_response(row, &loaded.currencies))
                .collect();
            reply.collection(reply.meta(&loaded.sources), data, "countries")
        })
}

/// The country a path names.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CountryPath {
    /// ISO alpha-2, alpha-3 or numeric code, or a former or source-specific code; any case
    #[param(example = "MEX")]
    code: String,
}

/// Get a country
///
/// Looks a country up by any of its codes, in any case: ISO alpha-2 (`mx`), alpha-3 (`MEX`),
/// numeric (`484`), a former ISO 3166-3 code (`YUG`) or a source-specific code (`BLX`). An unknown
/// code is a 404 whose `help` links to the list of valid codes.
#[utoipa::path(
    tag = "countries",
    params(CountryPath),
    responses(
        (status = 200, description = "The country", body = Envelope<CountryResponse>),
        responses::LookupFailures,
    )
)]
#[get("/v1/countries/{code}")]
pub async fn get_country(
    loader: Loader,
    path: web::Path<CountryPath>,
) -> Result<HttpResponse, ApiError> {
    let lookup = CountryLookup::parse(&path.code).map_err(|e| {
        ApiError::invalid_parameter("code", e.to_string()).with_help("/v1/countries")
    })?;
    loader
        .load_fresh(Scope::Ids(&[DATASET]), move |conn| {
            let row = find_country(conn, "code", &lookup)?;
            load_with_context(conn, vec![row])
        })
        .await?
        .respond(|reply, loaded| {
            let Some(row) = loaded.rows.into_iter().next() else {
                return Err(ApiError::internal("country lookup returned no row"));
            };
            let country = to_response(row, &loaded.currencies);
            let file_stem = country.code.to_lowercase();
            reply.item(reply.meta(&loaded.sources), country, &file_stem)
        })
}

/// A country in brief, as other resources embed it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountryRef {
    #[schema(example = "MEX")]
    pub code: String,
    #[schema(example = "MX")]
    pub iso2: Option<String>,
    #[schema(example = "MEX")]
    pub iso3: Option<String>,
    #[schema(example = "Mexico")]
    pub name: String,
}

impl From<&CountryRow> for CountryRef {
    fn from(row: &CountryRow) -> Self {
        Self {
            code: row.code.clone(),
            iso2: row.iso2.clone(),
            iso3: row.iso3.clone(),
            name: row.name.clone(),
        }
    }
}
