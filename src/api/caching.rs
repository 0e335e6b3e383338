//! Conditional requests. An answer's ETag is derived from the versions of the datasets it reads,
//! the normalised request and the representation, so it is the same on every replica and backend
//! and changes exactly when the answer can change. A client holding the current ETag gets a 304
//! before the main query runs.

use std::borrow::Borrow;
use std::sync::Arc;

use actix_web::body::{BodySize, MessageBody};
use actix_web::http::header::{self, HttpDate};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use sha2::{Digest, Sha256};

use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::chart::Chart;
use super::envelope::{Envelope, Links, Meta, rfc3339};
use super::format::{self, ColumnNotes, CsvRecord, Format};
use super::memo::{self, AnswerMemo, CompleteAnswer, FoundWith, MemoizedAnswer};
use super::query::{AS_OF_PARAM, FORMAT_PARAM, ReadOptions};
use super::reading::{Reading, ReferenceVersions};
use super::table::{self, Locations};
use super::transport::{self, CODINGS};
use crate::db::datasets::{self, DatasetRow};
use crate::db::sources::SourceRow;
use crate::db::vintages;
use crate::db::{self, DbConnection};
use crate::domain::hex;
use crate::domain::source::DatasetFamily;
use crate::domain::vintage::AsOf;
use crate::error::{ApiError, ProblemType};

/// What identifies an answer, taken from the request before the database work starts.
#[derive(Debug, Clone)]
pub struct CacheKey {
    /// Path and query with the parameters sorted, so that their order does not matter.
    normalised_target: String,
    /// Path and query as sent (answers repeat it in `links.self`).
    target: String,
    format: Format,
    if_none_match: Option<String>,
    if_modified_since: Option<NaiveDateTime>,
}

/// The validators of an answer.
#[derive(Debug, Clone)]
pub struct Validators {
    /// A strong, quoted entity tag.
    pub etag: String,
    /// When the newest dataset involved last changed.
    pub last_modified: NaiveDateTime,
}

impl CacheKey {
    /// The key of `req`, or of the GET it stands for (`Loader::answering_as`): that GET's target,
    /// and no conditional headers (a POST is answered whole, never with a 304).
    pub fn from_request(req: &HttpRequest, as_get: Option<&str>, format: Format) -> Self {
        let (path, query, target) = match as_get {
            Some(target) => {
                let (path, query) = target.split_once('?').unwrap_or((target, ""));
                (path, query, target)
            }
            None => (req.path(), req.query_string(), memo::target(req)),
        };
        let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        pairs.sort();
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let header_value = |name| {
            req.headers()
                .get(name)
                .filter(|_| as_get.is_none())
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Self {
            normalised_target: format!("{path}?{query}"),
            target: target.to_owned(),
            format,
            if_none_match: header_value(header::IF_NONE_MATCH),
            if_modified_since: header_value(header::IF_MODIFIED_SINCE)
                .and_then(|v| v.parse::<HttpDate>().ok())
                .map(|d| DateTime::<chrono::Utc>::from(std::time::SystemTime::from(d)).naive_utc()),
        }
    }

    /// The validators of the answer to this request from these dataset versions, and those of
    /// the countries and sources every answer reads (`reference`), on this day: answers name the
    /// periods not yet published and flag the ones still under way, which change with the date,
    /// so an answer of yesterday is not today's. An answer read as of a vintage names it
    /// (`meta.as_of`), and a time may name a later one tomorrow. `pruned` is how many versions
    /// are no longer kept, for an answer about them (`Scope::History`).
    pub fn validators(
        &self,
        datasets: &[impl Borrow<DatasetRow>],
        reference: ReferenceVersions,
        pruned: Option<usize>,
        today: NaiveDate,
        vintage: Option<i64>,
    ) -> Validators {
        let mut hasher = Sha256::new();
        hasher.update(env!("CARGO_PKG_VERSION"));
        hasher.update([0]);
        hasher.update(&self.normalised_target);
        hasher.update([0]);
        hasher.update(self.format.as_str());
        hasher.update([0]);
        hasher.update(today.to_string());
        if let Some(vintage) = vintage {
            hasher.update([0]);
            hasher.update(vintage.to_le_bytes());
        }
        for dataset in datasets.iter().map(Borrow::borrow) {
            hasher.update([0]);
            hasher.update(&dataset.id);
            hasher.update(dataset.version.to_le_bytes());
        }
        // After the scope's, so that an answer whose scope names no reference dataset still
        // changes with a corrected source or country.
        for version in [reference.countries, reference.sources] {
            hasher.update([0xff]);
            hasher.update(version.unwrap_or(-1).to_le_bytes());
        }
        if let Some(pruned) = pruned {
            hasher.update([0xfe]);
            hasher.update(pruned.to_le_bytes());
        }
        let digest = hasher.finalize();
        Validators {
            etag: format!("\"{}\"", hex(&digest[..16])),
            last_modified: datasets
                .iter()
                .map(|d| d.borrow().last_updated)
                .chain(reference.last_updated)
                .chain([today.and_time(chrono::NaiveTime::MIN)])
                .max()
                .unwrap_or_default(),
        }
    }

    /// Whether the client's copy is current (RFC 9110 §13: If-None-Match wins over
    /// If-Modified-Since; HTTP dates have whole seconds).
    pub fn is_not_modified(&self, validators: &Validators) -> bool {
        if let Some(tags) = &self.if_none_match {
            return tags.split(',').map(str::trim).any(|tag| {
                tag == "*" || names_answer(tag.strip_prefix("W/").unwrap_or(tag), &validators.etag)
            });
        }
        match self.if_modified_since {
            Some(since) => {
                validators.last_modified.and_utc().timestamp() <= since.and_utc().timestamp()
            }
            None => false,
        }
    }
}

/// The ETag of an answer sent with a content coding (`gzip`, `br`, ...): the identity ETag with
/// the coding appended inside the quotes, so each representation has a strong validator of its
/// own. `None` for the identity coding or an ETag that is not a strong quoted one.
pub fn tag_for_coding(etag: &str, coding: &str) -> Option<String> {
    let opaque = etag.strip_prefix('"')?.strip_suffix('"')?;
    let identity = coding.is_empty() || coding.eq_ignore_ascii_case("identity");
    (!identity).then(|| format!("\"{opaque}-{}\"", coding.to_ascii_lowercase()))
}

/// Whether a client's entity tag names this answer in any content coding: a client that holds
/// the gzip copy and now asks for Brotli still holds the current data.
fn names_answer(tag: &str, etag: &str) -> bool {
    tag == etag
        || CODINGS.iter().any(|coding| {
            tag_for_coding(etag, &coding.to_string()).is_some_and(|tagged| tagged == tag)
        })
}

/// The datasets an answer reads.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// These datasets; the first is the one the answer is about.
    Ids(&'static [&'static str]),
    /// Every dataset of a family (imports add trade datasets, for instance).
    Family(DatasetFamily),
    /// Every dataset.
    All,
    /// Every dataset, and which of their versions are still kept: answers about vintages and
    /// row changes. `prune` changes what they show without changing any dataset's version, so
    /// their validators also count the versions no longer kept, read in the answer's snapshot
    /// (never answered from the versions the process knows).
    History,
}

/// The outcome of a conditional load.
pub enum Fresh<T> {
    /// The answer is complete without the handler: a 304 for a client whose copy is current, or
    /// the kept bytes of an answer with the same ETag (see `memo`).
    Answered(HttpResponse),
    Loaded {
        reply: Reply,
        value: T,
    },
}

impl<T> Fresh<T> {
    /// The response: the complete one, or what `render` makes of the loaded value, finished
    /// through the `Reply`. Every handler answers through this.
    pub fn respond(
        self,
        render: impl FnOnce(Reply, T) -> Result<HttpResponse, ApiError>,
    ) -> Result<HttpResponse, ApiError> {
        match self {
            Fresh::Answered(response) => Ok(response),
            Fresh::Loaded { reply, value } => {
                let mut response = render(reply, value)?;
                if let BodySize::Sized(identity_bytes) = response.body().size() {
                    response
                        .extensions_mut()
                        .insert(CompleteAnswer { identity_bytes });
                }
                Ok(response)
            }
        }
    }
}

/// What finishing an answer takes besides its data: the request's target, the representation it
/// negotiated, the validators and the datasets read (the one the answer is about first). The one
/// way a handler ends: `reply.collection(..)` or `reply.item(..)`.
pub struct Reply {
    /// Path and query as sent, which `links.self` repeats.
    target: String,
    /// The day the answer is for (see `Loader::today`).
    pub today: NaiveDate,
    pub format: Format,
    pub validators: Validators,
    pub datasets: Vec<DatasetRow>,
    /// The vintage the data were read as of, where `as_of` asked for one.
    pub vintage: Option<i64>,
}

impl Reply {
    /// The `meta` of an answer whose data comes from `sources`.
    pub fn meta(&self, sources: &[SourceRow]) -> Meta {
        Meta::new(&self.datasets, sources)
    }

    /// `meta` as the answer gives it: with the vintage it was read as of, whoever built it (the
    /// envelopes built here stamp it; an answer that renders its own must too).
    pub fn stamped(&self, meta: Meta) -> Meta {
        Meta {
            as_of: self.vintage,
            ..meta
        }
    }

    /// A link to the request itself, as the envelope gives it.
    pub fn links(&self) -> Links {
        Links::to_self(self.target.clone())
    }

    /// A collection: `data` with its `meta` (counted here), in the negotiated representation.
    pub fn collection<T: Serialize + CsvRecord + ToSchema>(
        &self,
        meta: Meta,
        data: Vec<T>,
        file_stem: &str,
    ) -> Result<HttpResponse, ApiError> {
        self.page(meta, data, file_stem, None)
    }

    /// One page of a longer collection: `links.next`, repeated in an RFC 8288 `Link` header,
    /// names the page after it.
    pub fn page<T: Serialize + CsvRecord + ToSchema>(
        &self,
        meta: Meta,
        data: Vec<T>,
        file_stem: &str,
        next: Option<String>,
    ) -> Result<HttpResponse, ApiError> {
        let envelope = Envelope {
            meta: self.stamped(meta).with_count(data.len()),
            links: self.links_to(next),
            data,
        };
        let mut response = self.render(&envelope, &envelope.data, file_stem)?;
        if let Some(next) = &envelope.links.next {
            format::add_link(&mut response, next, "next");
        }
        Ok(response)
    }

    /// The links of this answer, to itself and to the next page when there is one.
    pub fn links_to(&self, next: Option<String>) -> Links {
        Links {
            next,
            ..self.links()
        }
    }

    /// This request with `param` set to `value` in place of any value it had: the next page, or
    /// another representation of the answer.
    pub fn with_param(&self, param: &str, value: &str) -> String {
        let (path, query) = self.target.split_once('?').unwrap_or((&self.target, ""));
        let mut changed = form_urlencoded::Serializer::new(String::new());
        for (name, old) in form_urlencoded::parse(query.as_bytes()) {
            if name != param {
                changed.append_pair(&name, &old);
            }
        }
        changed.append_pair(param, value);
        format!("{path}?{}", changed.finish())
    }

    /// The answer in the negotiated representation: the envelope as JSON, the rows flat (with a
    /// `describedby` link to their data package), or the data package itself.
    fn render<E: Serialize, T: CsvRecord + ToSchema>(
        &self,
        envelope: &Envelope<E>,
        rows: &[T],
        file_stem: &str,
    ) -> Result<HttpResponse, ApiError> {
        let body = match self.format {
            Format::Json => serde_json::to_vec(envelope),
            Format::Csv | Format::Ndjson | Format::Parquet => {
                return self.flat(rows, &envelope.meta, file_stem);
            }
            Format::Datapackage => {
                serde_json::to_vec(&self.data_package::<T>(&envelope.meta, file_stem))
            }
            // `Loader::format` takes svg only from a handler that draws, and it draws instead.
            Format::Svg => {
                return Err(ApiError::internal(
                    "a chart was asked of an answer that has none",
                ));
            }
        }
        .map_err(|e| ApiError::internal(e.to_string()))?;
        Ok(format::ok_response(self.format, &self.validators, file_stem).body(body))
    }

    fn flat<T: CsvRecord + ToSchema>(
        &self,
        rows: &[T],
        meta: &Meta,
        file_stem: &str,
    ) -> Result<HttpResponse, ApiError> {
        // The item's schema is built only when a representation records descriptions (Parquet).
        let item = std::cell::OnceCell::new();
        let notes = ColumnNotes {
            unit: &|column| column.unit_name(meta.unit.as_deref()),
            description: &|column| {
                table::field_description(item.get_or_init(T::schema), column.name)
            },
        };
        let body = format::flat(self.format, rows, &notes)?;
        let mut response = format::ok_response(self.format, &self.validators, file_stem).body(body);
        self.link_data_package(&mut response);
        Ok(response)
    }

    /// Links a flat answer to the data package that describes it.
    pub fn link_data_package(&self, response: &mut HttpResponse) {
        let package = self.with_param(FORMAT_PARAM, Format::Datapackage.as_str());
        format::add_link(response, &package, "describedby");
    }

    /// The package names its resources relative to its own URL (the last path segment and the
    /// query), which a Frictionless reader resolves against where it fetched the package from.
    fn data_package<T: CsvRecord + ToSchema>(
        &self,
        meta: &Meta,
        file_stem: &str,
    ) -> serde_json::Value {
        let relative = |format: Format| {
            let url = self.with_param(FORMAT_PARAM, format.as_str());
            url.rsplit('/').next().unwrap_or_default().to_owned()
        };
        let (csv, ndjson, parquet) = (
            relative(Format::Csv),
            relative(Format::Ndjson),
            relative(Format::Parquet),
        );
        let at = Locations {
            name: file_stem,
            csv: &csv,
            ndjson: &ndjson,
            parquet: &parquet,
        };
        table::data_package(T::COLUMNS, &T::schema(), meta, &at)
    }

    /// The answer drawn as a chart.
    pub fn chart(&self, chart: &Chart) -> Result<HttpResponse, ApiError> {
        let svg = chart.svg().map_err(ApiError::internal)?;
        Ok(format::ok_response(Format::Svg, &self.validators, "").body(svg))
    }

    /// An answer that is JSON only (an object that does not flatten into rows).
    pub fn json<T: Serialize>(&self, meta: Meta, data: T) -> Result<HttpResponse, ApiError> {
        let envelope = Envelope {
            meta: self.stamped(meta),
            links: self.links(),
            data,
        };
        format::json(&self.validators, &envelope)
    }

    /// A single resource with its `meta`; CSV and NDJSON give one line.
    pub fn item<T: Serialize + CsvRecord + ToSchema>(
        &self,
        meta: Meta,
        data: T,
        file_stem: &str,
    ) -> Result<HttpResponse, ApiError> {
        let envelope = Envelope {
            meta: self.stamped(meta),
            links: self.links(),
            data,
        };
        self.render(&envelope, std::slice::from_ref(&envelope.data), file_stem)
    }
}

/// `Fresh` as it leaves the blocking pool (a response cannot cross threads).
enum Checked<T> {
    NotModified(Validators),
    Memoized(Arc<MemoizedAnswer>),
    Loaded {
        validators: Validators,
        datasets: Vec<DatasetRow>,
        vintage: Option<i64>,
        value: T,
    },
}

impl Scope {
    /// The rows of this scope's datasets in `catalogue` (every dataset, in id order), borrowed:
    /// a memo hit only hashes their ids and versions. A named dataset that is missing means the
    /// service is not ready.
    pub fn select(self, catalogue: &[DatasetRow]) -> Result<Vec<&DatasetRow>, ApiError> {
        let rows = match self {
            Scope::Ids(ids) => {
                let mut rows = Vec::with_capacity(ids.len());
                for id in ids {
                    let row = catalogue.iter().find(|row| row.id == *id).ok_or_else(|| {
                        ApiError::new(
                            ProblemType::NotReady,
                            format!("The dataset '{id}' is not loaded yet."),
                        )
                    })?;
                    rows.push(row);
                }
                rows
            }
            Scope::Family(family) => catalogue
                .iter()
                .filter(|row| row.family == family)
                .collect(),
            Scope::All | Scope::History => catalogue.iter().collect(),
        };
        Ok(rows)
    }

    /// The rows of this scope's datasets in `catalogue`, owned, with the reference datasets'
    /// versions there: what an answer read in that catalogue's state is validated by.
    fn rows_in(
        self,
        catalogue: &[DatasetRow],
    ) -> Result<(Vec<DatasetRow>, ReferenceVersions), ApiError> {
        let datasets = self.select(catalogue)?.into_iter().cloned().collect();
        Ok((datasets, ReferenceVersions::of(catalogue)))
    }

    /// How many dataset versions are no longer kept, for a scope that shows them.
    fn pruned(self, conn: &mut DbConnection) -> Result<Option<usize>, ApiError> {
        match self {
            Scope::History => Ok(Some(vintages::not_kept(conn)?.len())),
            _ => Ok(None),
        }
    }
}

/// The dataset rows of a scope as the database holds them. Where the process `known` a
/// catalogue, only ids and versions are read, and while they match, the known rows are taken: a
/// dataset's row changes only with its version, as its answers' ETags already rely on (the
/// whole rows, descriptions and dates parsed, cost a first request a fifth of its instructions).
pub fn scope_datasets(
    conn: &mut DbConnection,
    scope: Scope,
    known: Option<&[DatasetRow]>,
) -> Result<(Vec<DatasetRow>, ReferenceVersions), ApiError> {
    if let Some(known) = known
        && versions_unchanged(conn, known)?
    {
        return scope.rows_in(known);
    }
    scope.rows_in(&datasets::list(conn)?)
}

/// Whether the database holds the datasets of `known` at its versions, and no others.
fn versions_unchanged(conn: &mut DbConnection, known: &[DatasetRow]) -> Result<bool, ApiError> {
    let versions = datasets::versions(conn)?;
    Ok(versions.len() == known.len()
        && versions
            .iter()
            .zip(known)
            .all(|((id, version), row)| *id == row.id && *version == row.version))
}

/// The day a request is answered for (UTC).
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// What loading and answering a read takes from the request: the representation asked for, the
/// request (for its target and conditional headers) and the application state. Handlers get it
/// from `query::ReadRequest`, or alone where the operation takes no other parameter.
pub struct Loader {
    /// `format=` (which `format()` weighs against the `Accept` header) and `as_of=`, where given.
    options: ReadOptions,
    /// The day the request is answered for, read once: the validators and every rule that
    /// depends on the date (periods still under way, treaty status) see the same day, even
    /// across midnight.
    today: NaiveDate,
    /// Set by `json_only`: the answer has no other representation.
    json_only: bool,
    /// Set by `charted`: the answer can be drawn as a chart.
    charted: bool,
    /// Set by `answering_as`: the GET (path and query) this request stands for.
    as_get: Option<String>,
    request: HttpRequest,
    state: web::Data<AppState>,
}

impl Loader {
    pub fn new(request: HttpRequest, state: web::Data<AppState>, options: ReadOptions) -> Self {
        Self {
            options,
            today: today(),
            json_only: false,
            charted: false,
            as_get: None,
            request,
            state,
        }
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn request(&self) -> &HttpRequest {
        &self.request
    }

    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// `format=`, as asked (for answers that are not negotiated: downloads).
    pub fn asked_format(&self) -> Option<Format> {
        self.options.format
    }

    /// The negotiated representation. Handlers check their parameters before they call this (or
    /// `load_fresh`), so a bad parameter is reported before an unsatisfiable `Accept`.
    pub fn format(&self) -> Result<Format, ApiError> {
        if self.json_only {
            return Ok(Format::Json);
        }
        if self.options.format == Some(Format::Svg) && !self.charted {
            let others = Format::ALL.into_iter().filter(|f| *f != Format::Svg);
            return Err(ApiError::invalid_parameter(
                "format",
                "This answer is not drawn as a chart: format=svg is for wage series, wage \
                 comparisons and trade balances.",
            )
            .with_allowed(others.map(Format::as_str)));
        }
        format::negotiate(&self.request, self.options.format)
    }

    /// For a request that stands for a GET (a query posted as a JSON body): the answer is the one
    /// `target` (path and query) gets, with its ETag and links, but never a 304.
    pub fn answering_as(mut self, target: String) -> Self {
        self.as_get = Some(target);
        self
    }

    /// For an answer that can be drawn: `format=svg` is taken, and `reply.format` says when to draw.
    pub fn charted(mut self) -> Self {
        self.charted = true;
        self
    }

    /// For an answer that nests lists, and so has no rows for CSV or NDJSON: `format=` other than
    /// `json` is refused, and the answer is JSON whatever the `Accept` header says.
    pub fn json_only(mut self) -> Result<Self, ApiError> {
        if self.options.format.is_some_and(|f| f != Format::Json) {
            return Err(ApiError::invalid_parameter(
                "format",
                "This answer is JSON only: it nests lists, so it has no rows.",
            )
            .with_allowed([Format::Json.as_str()]));
        }
        self.json_only = true;
        Ok(self)
    }

    /// Loads what a handler needs in one trip to the blocking pool. The rows of the datasets the
    /// answer reads come first: they give the validators, and when the client's copy is current
    /// or the memo holds the answer, nothing else is read; where this process knows the current
    /// versions (`db::versions`), those two answers need no trip at all, and when neither is
    /// given, `load` reads without a transaction and the versions are read after it: versions
    /// only grow and every write changes one, so finding the known ones again means that every
    /// statement saw their state, as one snapshot would, for two round trips fewer on Postgres.
    /// Otherwise (or when a write landed meanwhile, which runs `load` again) the dataset rows
    /// and `load` are read in one snapshot. Either way the validators describe exactly the rows
    /// returned.
    pub async fn load_fresh<T, F>(&self, scope: Scope, load: F) -> Result<Fresh<T>, ApiError>
    where
        F: Fn(&mut Reading<'_>) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let (format, today) = (self.format()?, self.today);
        let key = CacheKey::from_request(&self.request, self.as_get.as_deref(), format);
        let target = key.target.clone();
        let memo = Arc::clone(&self.state.memo);
        // A request that refuses every coding is answered 406 by `Compress` whatever is kept.
        let coding = transport::negotiated_coding(&self.request);
        let memo_key = {
            let (target, coding) = (target.clone(), coding.clone());
            move |etag: &str| {
                coding
                    .as_ref()
                    .map(|coding| AnswerMemo::key(etag, coding, &target))
            }
        };
        let as_of = self.options.as_of;
        // What the process knows is the current state; an earlier one is read where it is kept,
        // and what is kept of the history is read too.
        let known = match (as_of, scope) {
            (None, Scope::History) | (Some(_), _) => None,
            (None, _) => self.state.versions.current(),
        };
        if let Some(catalogue) = &known {
            let reference = ReferenceVersions::of(catalogue);
            let validators =
                key.validators(&scope.select(catalogue)?, reference, None, today, None);
            if key.is_not_modified(&validators) {
                return Ok(Fresh::Answered(format::not_modified(&validators)));
            }
            if let Some(answer) = memo_key(&validators.etag).and_then(|key| memo.get(&key)) {
                // Found by the versions known now: the next such request is answered before
                // routing while they stay current (a posted query never is).
                if let (None, Some(coding)) = (&self.as_get, &coding) {
                    let found_with = FoundWith {
                        catalogue: Arc::clone(catalogue),
                        today,
                    };
                    memo.keep_for_request(&self.request, coding, &answer, found_with);
                }
                return Ok(Fresh::Answered(answer.response()));
            }
        }
        let versions = Arc::clone(&self.state.versions);
        let reference_rows = Arc::clone(&self.state.reference_rows);
        let checked = db::run(
            &self.state.pool,
            move |conn| -> Result<Checked<T>, ApiError> {
                let vintage = as_of.map(|as_of| vintage_of(conn, as_of)).transpose()?;
                // An earlier state, and what is kept of the history, have validators that only
                // the snapshot reads: the client's copy and the memo are asked there.
                let validated_in_snapshot = vintage.is_some() || matches!(scope, Scope::History);
                // With the versions known, the client's copy and the memo were asked above.
                if known.is_none() && !validated_in_snapshot {
                    versions.learn();
                    let (datasets, reference) = scope_datasets(conn, scope, None)?;
                    let validators = key.validators(&datasets, reference, None, today, None);
                    if key.is_not_modified(&validators) {
                        return Ok(Checked::NotModified(validators));
                    }
                    if let Some(answer) = memo_key(&validators.etag).and_then(|key| memo.get(&key))
                    {
                        return Ok(Checked::Memoized(answer));
                    }
                }
                if let (Some(known), false) = (known.as_deref(), validated_in_snapshot) {
                    let (datasets, reference) = scope.rows_in(known)?;
                    let mut reading = Reading::unconfirmed(conn, &reference_rows, reference);
                    let loaded = load(&mut reading);
                    // A failure is confirmed too: one statement may have found what a write
                    // after it took away.
                    if versions_unchanged(&mut reading, known)? {
                        reading.confirmed();
                        let validators = key.validators(&datasets, reference, None, today, None);
                        return Ok(Checked::Loaded {
                            validators,
                            datasets,
                            vintage: None,
                            value: loaded?,
                        });
                    }
                }
                db::read_snapshot_at(conn, vintage, |conn| {
                    let (datasets, reference) = scope_datasets(conn, scope, known.as_deref())
                        .map_err(|error| match vintage {
                            Some(vintage) if error.kind == ProblemType::NotReady => {
                                unknown_vintage(format!(
                                    "Vintage {vintage} is older than a dataset this answer \
                                     reads: {}",
                                    error.detail
                                ))
                            }
                            _ => error,
                        })?;
                    if let Some(vintage) = vintage {
                        refuse_pruned(conn, vintage, &datasets)?;
                    }
                    let pruned = scope.pruned(conn)?;
                    let validators = key.validators(&datasets, reference, pruned, today, vintage);
                    if validated_in_snapshot {
                        if key.is_not_modified(&validators) {
                            return Ok(Checked::NotModified(validators));
                        }
                        if let Some(answer) =
                            memo_key(&validators.etag).and_then(|key| memo.get(&key))
                        {
                            return Ok(Checked::Memoized(answer));
                        }
                    }
                    let value = match vintage {
                        None => load(&mut Reading::current(conn, &reference_rows, reference)),
                        Some(_) => load(&mut Reading::earlier(conn)),
                    }?;
                    Ok(Checked::Loaded {
                        validators,
                        datasets,
                        vintage,
                        value,
                    })
                })
            },
        )
        .await?;
        Ok(match checked {
            Checked::NotModified(validators) => Fresh::Answered(format::not_modified(&validators)),
            Checked::Memoized(answer) => Fresh::Answered(answer.response()),
            Checked::Loaded {
                validators,
                datasets,
                vintage,
                value,
            } => Fresh::Loaded {
                reply: Reply {
                    target,
                    today,
                    format,
                    validators,
                    datasets,
                    vintage,
                },
                value,
            },
        })
    }
}

/// The vintage `as_of` names: the one numbered so, or the latest made before the time given.
fn vintage_of(conn: &mut DbConnection, as_of: AsOf) -> Result<i64, ApiError> {
    let found = match as_of {
        AsOf::Vintage(id) => vintages::find(conn, id)?,
        AsOf::Before(before) => vintages::made_before(conn, before)?,
    };
    match found {
        Some(vintage) => Ok(vintage.id),
        None => {
            let latest = vintages::latest(conn)?.map_or(0, |v| v.id);
            Err(unknown_vintage(match as_of {
                AsOf::Vintage(id) => format!("There is no vintage {id}: the latest is {latest}."),
                AsOf::Before(before) => format!(
                    "No vintage was made before {} (the time asked for, to the second).",
                    rfc3339(before)
                ),
            }))
        }
    }
}

/// Refuses a read as of `vintage` that would show a version of a dataset that was pruned
/// (`vintages::prune`): its rows are no longer all there.
fn refuse_pruned(
    conn: &mut DbConnection,
    vintage: i64,
    datasets: &[DatasetRow],
) -> Result<(), ApiError> {
    let pruned = vintages::not_kept(conn)?;
    match datasets.iter().find(|d| {
        pruned
            .iter()
            .any(|(id, version)| *id == d.id && *version == d.version)
    }) {
        Some(dataset) => Err(unknown_vintage(format!(
            "At vintage {vintage}, the dataset '{}' was at version {}, which is no longer kept \
             (its versions are listed at /v1/datasets/{}/versions).",
            dataset.id, dataset.version, dataset.id
        ))),
        None => Ok(()),
    }
}

fn unknown_vintage(detail: String) -> ApiError {
    ApiError::new(ProblemType::UnknownVintage, detail)
        .with_param(AS_OF_PARAM)
        .with_help("/v1/changes")
}
