//! The OpenAPI 3.1 document, generated from the same route registration the server uses.

use actix_web::App;
use strum::IntoEnumIterator;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, Required};

use crate::api::constraints::{self, Constraint};
use crate::api::format::Format;
use crate::api::query::{AS_OF_PARAM, FORMAT_PARAM};
use crate::api::{self, rate_limit, responses};
use crate::domain::country::CountryKind;
use crate::domain::currency::{Currency, CurrencyChoice};
use crate::domain::fx::RateSource;
use crate::domain::period::Frequency;
use crate::domain::series::TimeUnit;
use crate::domain::source::SourceFamily;
use crate::domain::trade::FlowDirection;
use crate::domain::treaty::Lang;
use crate::domain::vintage::AS_OF_FORMS;
use crate::error::{Problem, ProblemType};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Trilateral",
        description = "North American economic integration data over HTTP: trade flows between the \
United States, Mexico and Canada, wage statistics, and the provisions of the treaties that govern \
that trade.\n\n\
Conventions: collections answer `{data, meta, links}`; `meta` names the dataset version, the \
sources with their licences, and warnings. Countries are accepted as ISO alpha-2, alpha-3 or \
numeric codes in any case. `format=csv|ndjson|parquet` (or the `Accept` header) gives the rows alone, \
with the same columns in both, each of one type, and a `Link: <…>; rel=\"describedby\"` to the \
answer's Frictionless Data Package (`format=datapackage`: column types, units, sources, licences). \
Every answer has a strong `ETag` derived from the dataset version; `If-None-Match` gives a 304. \
Parameters carry the patterns and bounds the service enforces; the rules between parameters \
that a schema cannot state are: `from` is not after `to`, an exchange rate's `base` differs from \
its `quote`, and an article's stable id names the treaty of its path. \
Errors are RFC 9457 `application/problem+json` documents whose `type` is one of the slugs below.",
        contact(name = "Trilateral maintainers"),
    ),
    servers((url = "/", description = "The server that serves this document")),
    tags(
        (name = "countries", description = "Country code crosswalk: ISO alpha-2, alpha-3 and numeric, former and source-specific codes, currencies"),
        (name = "wages", description = "Minimum and average wages, with conversions and cross-country comparison; the exchange rates and prices behind them"),
        (name = "trade", description = "Trade flows with their reporter and source, balances, mirror statistics and partner rankings"),
        (name = "treaties", description = "Treaty records, full texts with article-level ids and topic tags, ranked search, comparison across treaties"),
        (name = "sources", description = "Where every number comes from: publisher, licence, coverage, transformations"),
        (name = "imports", description = "Imports over HTTP, for pipelines that push their feeds: the command line's formats, authorised by a key"),
        (name = "operations", description = "Health and readiness probes, and metrics for Prometheus"),
    ),
    components(
        schemas(
            Problem,
            Format,
            Frequency,
            Currency,
            CurrencyChoice,
            FlowDirection,
            TimeUnit,
            Lang,
            SourceFamily,
            CountryKind,
            RateSource
        ),
        responses(
            responses::BadRequest,
            responses::NotFound,
            responses::NotAcceptable,
            responses::UriTooLong,
            responses::TooManyRequests,
            responses::Unauthorized,
            responses::Forbidden,
            responses::PayloadTooLarge,
            responses::UnsupportedMediaType,
            responses::ImportRejected,
            responses::Unavailable,
            responses::NotModified,
        )
    )
)]
struct ApiDoc;

/// The document for the routes `api::configure` registers, with the problem types appended to
/// the description.
pub fn spec() -> utoipa::openapi::OpenApi {
    let (_, mut spec) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(api::configure)
        .split_for_parts();
    let mut description = spec.info.description.take().unwrap_or_default();
    description.push_str("\n\n| problem `type` | status | meaning |\n| --- | --- | --- |\n");
    for kind in ProblemType::iter() {
        description.push_str(&format!(
            "| `{}` | {} | {} |\n",
            kind.type_uri(),
            kind.status().as_u16(),
            kind.description()
        ));
    }
    spec.info.description = Some(description);
    reference_envelope_items(&mut spec);
    constrain_parameters(&mut spec);
    offer_flat_formats(&mut spec);
    offer_vintages(&mut spec);
    format_components(&mut spec);
    describe_conditional_requests(&mut spec);
    describe_posted_queries(&mut spec);
    describe_rate_limits(&mut spec);
    examples_not_prefilled(&mut spec);
    // Every read is public; imports declare the key they need (`import_key`).
    spec.security = Some(Vec::new());
    spec.components
        .get_or_insert_with(Default::default)
        .add_security_scheme(
            "import_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A key of the service's TRILATERAL_IMPORT_KEYS (which holds its SHA-256), \
                         as `Authorization: Bearer <key>`.",
                    ))
                    .build(),
            ),
        );
    spec
}

/// Whether `path`'s GET reads data (every `/v1` path but the import log under `/v1/admin/`, which
/// answers JSON that is never cached).
fn is_data_read(path: &str) -> bool {
    path.starts_with("/v1/") && !path.starts_with("/v1/admin/")
}

/// The GET operations of the paths that read data (`is_data_read`).
fn data_reads(spec: &mut utoipa::openapi::OpenApi) -> impl Iterator<Item = &mut Operation> {
    spec.paths
        .paths
        .iter_mut()
        .filter_map(|(path, item)| is_data_read(path).then_some(item.get.as_mut()).flatten())
}

/// What every `/v1` answer carries besides its body (`api::format::caching_headers`,
/// `api::transport`, `api::middleware`), and the conditional requests it answers with a 304:
/// declared once here rather than on each operation.
fn describe_conditional_requests(spec: &mut utoipa::openapi::OpenApi) {
    for operation in data_reads(spec) {
        let parameters = operation.parameters.get_or_insert_with(Vec::new);
        parameters.push(header_parameter(
            "If-None-Match",
            "The `ETag` of a copy the client holds (in any content coding); a 304 answers while it \
             is current.",
        ));
        parameters.push(header_parameter(
            "If-Modified-Since",
            "An HTTP date; a 304 answers if the data have not changed since. `If-None-Match` wins \
             when both are sent.",
        ));
        if let Some(RefOr::T(answer)) = operation.responses.responses.get_mut("200") {
            for (name, description) in ANSWER_HEADERS {
                answer
                    .headers
                    .entry(name.to_owned())
                    .or_insert_with(|| string_header(description));
            }
        }
    }
}

/// The operations of a path the service has: GETs, and the POSTs of imports and posted queries.
fn operations_of(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [item.get.as_mut(), item.post.as_mut()]
        .into_iter()
        .flatten()
}

/// The queries that may be posted as a JSON body, and the GET each stands for.
const POSTED_QUERIES: [(&str, &str); 1] = [(api::v1::trade::flows::QUERY_PATH, "/v1/trade/flows")];

/// A posted query (`POST /v1/trade/flows/query`) takes the GET's query parameters as the members
/// of its body and gives the GET's answers: its body schema and its 200 answer are made here from
/// the GET operation, once every parameter has its constraints, so that the two cannot differ.
fn describe_posted_queries(spec: &mut utoipa::openapi::OpenApi) {
    for (posted, read) in POSTED_QUERIES {
        let Some(get) = spec.paths.paths.get(read).and_then(|item| item.get.clone()) else {
            continue;
        };
        let mut members = ObjectBuilder::new()
            .schema_type(Type::Object)
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        let query_parameters = get
            .parameters
            .iter()
            .flatten()
            .filter(|p| p.parameter_in == ParameterIn::Query);
        for parameter in query_parameters {
            let member = match parameter.schema.clone() {
                Some(RefOr::T(Schema::Object(mut schema))) => {
                    schema.description = parameter.description.clone();
                    RefOr::T(Schema::Object(schema))
                }
                Some(other) => other,
                None => continue,
            };
            members = members.property(parameter.name.clone(), member);
        }
        let Some(post) = spec
            .paths
            .paths
            .get_mut(posted)
            .and_then(|item| item.post.as_mut())
        else {
            continue;
        };
        if let Some(body) = post.request_body.as_mut() {
            body.content.insert(
                "application/json".to_owned(),
                Content::new(Some(Schema::from(members.build()))),
            );
        }
        if let Some(answer) = get.responses.responses.get("200") {
            post.responses
                .responses
                .insert("200".to_owned(), answer.clone());
        }
    }
}

/// Every operation but the probes and `/metrics` is rate-limited per client, an import key or
/// else an address (`api::rate_limit`): a 429 over the limit, and the limit's headers on the
/// answers of a limited client. Declared once here rather than on each operation.
fn describe_rate_limits(spec: &mut utoipa::openapi::OpenApi) {
    let operations = spec
        .paths
        .paths
        .iter_mut()
        .filter(|(path, _)| !rate_limit::UNLIMITED_PATHS.contains(&path.as_str()))
        .flat_map(|(_, item)| operations_of(item));
    for operation in operations {
        let responses = &mut operation.responses.responses;
        responses.insert(
            "429".to_owned(),
            RefOr::Ref(Ref::from_response_name("TooManyRequests")),
        );
        if let Some(RefOr::T(answer)) = responses.get_mut("200") {
            for (name, description) in RATE_LIMIT_HEADERS {
                answer
                    .headers
                    .entry(name.to_owned())
                    .or_insert_with(|| string_header(description));
            }
        }
    }
}

/// The headers of an answer to a rate-limited client (absent for clients that are not limited).
const RATE_LIMIT_HEADERS: [(&str, &str); 3] = [
    (
        "RateLimit-Limit",
        "Requests this client may make at once (the burst); its sustained rate is the \
         service's `--rate-limit-per-second`.",
    ),
    (
        "RateLimit-Remaining",
        "Requests the client may still make at once.",
    ),
    (
        "RateLimit-Reset",
        "Seconds until the client may make a whole burst again.",
    ),
];

/// The headers of every `/v1` answer, with what they say.
const ANSWER_HEADERS: [(&str, &str); 6] = [
    (
        "ETag",
        "Strong validator of this representation: it changes with the dataset versions read, the \
         request, the media type and the content coding.",
    ),
    (
        "Last-Modified",
        "When the newest dataset read last changed.",
    ),
    (
        "Cache-Control",
        "`public, max-age=300`: reuse for five minutes, then revalidate with the ETag.",
    ),
    (
        "Vary",
        "`Accept, Accept-Encoding`: the representation follows both.",
    ),
    (
        "Cache-Status",
        "RFC 9211: `trilateral; hit` when the answer is sent from the bytes this replica kept \
         (in the same content coding), `trilateral; fwd=miss; stored` when it was computed and \
         kept; absent when it was not kept (streamed exports, answers too large to keep).",
    ),
    (
        "x-request-id",
        "The request's id (the client's own if it sent a printable one); quote it when reporting.",
    ),
];

fn header_parameter(name: &str, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build()
}

fn string_header(description: &str) -> Header {
    HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::String))
        .description(Some(description))
        .build()
}

/// Swagger UI fills every parameter's example into its form, so an optional filter with an
/// example would narrow the answer of a person who only pressed "Execute". Optional parameters
/// keep their example in the description instead; required and path parameters keep theirs as
/// values, so that every operation runs as it stands.
fn examples_not_prefilled(spec: &mut utoipa::openapi::OpenApi) {
    let parameters = spec
        .paths
        .paths
        .values_mut()
        .filter_map(|item| item.get.as_mut())
        .flat_map(|operation| operation.parameters.iter_mut().flatten());
    for parameter in parameters.filter(|p| p.required != Required::True) {
        // utoipa keeps a parameter's example private: it is taken out through the JSON form.
        let Ok(serde_json::Value::Object(mut fields)) = serde_json::to_value(&*parameter) else {
            continue;
        };
        let Some(example) = fields.remove("example") else {
            continue;
        };
        let example = match example {
            serde_json::Value::String(text) => text,
            other => other.to_string(),
        };
        let Ok(mut unfilled) = serde_json::from_value::<Parameter>(fields.into()) else {
            continue;
        };
        let description = unfilled.description.get_or_insert_with(String::new);
        description.push_str(&format!(" Example: `{example}`."));
        *parameter = unfilled;
    }
}

/// The operations whose answers are JSON only (an object that does not flatten into rows).
const JSON_ONLY: [&str; 2] = ["compare_provisions", "get_catalog"];

/// The operations that serve a file whole, as CSV or NDJSON only (`vintages::download_dataset`).
const DOWNLOADS: [&str; 1] = ["download_dataset"];

/// The operations that draw their answer as a chart with `format=svg` (`Loader::charted`).
const CHARTED: [&str; 3] = ["get_wage_series", "compare_wages", "get_trade_balance"];

/// Every `/v1/` operation takes `format=` (`api::query::ReadRequest` reads it), and every answer
/// but the JSON-only ones is also served as CSV and NDJSON (`format=` or `Accept`; see
/// `api::format`), as Parquet, and with the data package that describes them
/// (`format=datapackage`). Operations
/// declare their JSON body only; the parameter, with the values the operation takes, and the
/// other representations are added here, once.
fn offer_flat_formats(spec: &mut utoipa::openapi::OpenApi) {
    for operation in data_reads(spec) {
        let id = operation.operation_id.as_deref().unwrap_or_default();
        let offered = if JSON_ONLY.contains(&id) {
            Offered::JsonOnly
        } else if DOWNLOADS.contains(&id) {
            Offered::Download
        } else if CHARTED.contains(&id) {
            Offered::WithChart
        } else {
            Offered::Rows
        };
        operation
            .parameters
            .get_or_insert_with(Vec::new)
            .push(format_parameter(offered));
        if matches!(offered, Offered::JsonOnly | Offered::Download) {
            continue;
        }
        let Some(RefOr::T(answer)) = operation.responses.responses.get_mut("200") else {
            continue;
        };
        if offered == Offered::WithChart {
            let svg = ObjectBuilder::new().schema_type(Type::String).build();
            answer
                .content
                .insert(Format::Svg.media_type().to_owned(), Content::new(Some(svg)));
        }
        if !answer.content.contains_key(Format::Json.media_type()) {
            continue;
        }
        for format in [Format::Csv, Format::Ndjson] {
            let text = ObjectBuilder::new().schema_type(Type::String).build();
            answer
                .content
                .insert(format.media_type().to_owned(), Content::new(Some(text)));
        }
        let parquet = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .build();
        answer.content.insert(
            Format::Parquet.media_type().to_owned(),
            Content::new(Some(parquet)),
        );
        let package = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "A Frictionless Data Package (https://datapackage.org) describing the CSV and \
                 NDJSON forms of this answer: columns with types and units, sources, licences.",
            ))
            .build();
        answer.content.insert(
            Format::Datapackage.media_type().to_owned(),
            Content::new(Some(package)),
        );
    }
}

/// Every data read takes `as_of` (`api::query::ReadOptions`), and answers 404 when it names no
/// vintage the service keeps.
fn offer_vintages(spec: &mut utoipa::openapi::OpenApi) {
    for operation in data_reads(spec) {
        let schema = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(constraints::as_of()));
        operation.parameters.get_or_insert_with(Vec::new).push(
            ParameterBuilder::new()
                .name(AS_OF_PARAM)
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(format!(
                    "Answer from the data as they stood then: {AS_OF_FORMS}. Without it, the \
                     current data. The datasets' versions in `meta` are theirs at that vintage, \
                     and `meta.as_of` names it."
                )))
                .schema(Some(schema))
                .build(),
        );
        operation
            .responses
            .responses
            .entry("404".to_owned())
            .or_insert_with(|| Ref::from_response_name("NotFound").into());
    }
}

/// What an operation's `format` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Offered {
    /// `json` alone: the answer has no rows.
    JsonOnly,
    /// `csv` (the default) or `ndjson`: a file served whole.
    Download,
    /// Every representation but a chart (the `Format` component without `svg`).
    Rows,
    /// Every representation and a chart (`ChartedFormat`).
    WithChart,
}

/// The `format` query parameter with the values the operation takes.
fn format_parameter(offered: Offered) -> Parameter {
    let (description, schema): (_, RefOr<Schema>) = match offered {
        Offered::JsonOnly => {
            let json = ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([Format::Json.as_str()]));
            (
                "Representation: JSON only (the answer nests lists, so it has no rows).",
                json.into(),
            )
        }
        Offered::Download => {
            let flat = ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([Format::Csv.as_str(), Format::Ndjson.as_str()]));
            (
                "Representation: `csv` (the default, whose SHA-256 the versions list) or `ndjson`.",
                flat.into(),
            )
        }
        Offered::Rows => (
            "Representation; overrides the `Accept` header.",
            Ref::from_schema_name("Format").into(),
        ),
        Offered::WithChart => (
            "Representation; overrides the `Accept` header. `svg` draws the answer as a chart.",
            Ref::from_schema_name("ChartedFormat").into(),
        ),
    };
    ParameterBuilder::new()
        .name(FORMAT_PARAM)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

/// The two format components: `Format`, every representation but charts, and `ChartedFormat`,
/// with `svg`, for the operations in `CHARTED`.
fn format_components(spec: &mut utoipa::openapi::OpenApi) {
    let Some(components) = spec.components.as_mut() else {
        return;
    };
    let names = |with_chart: bool| -> Vec<&'static str> {
        Format::ALL
            .into_iter()
            .filter(|f| with_chart || *f != Format::Svg)
            .map(Format::as_str)
            .collect()
    };
    let component = |description: &str, values: Vec<&'static str>| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(description))
            .enum_values(Some(values))
            .build()
    };
    components.schemas.insert(
        "Format".to_owned(),
        component("A representation of a resource.", names(false)).into(),
    );
    components.schemas.insert(
        "ChartedFormat".to_owned(),
        component(
            "A representation of a resource that can also be drawn as a chart (`svg`).",
            names(true),
        )
        .into(),
    );
}

/// Puts on each parameter the constraints the code enforces on it (`api::constraints`): a
/// client that keeps to the document sends nothing the service refuses for its shape.
fn constrain_parameters(spec: &mut utoipa::openapi::OpenApi) {
    let topics: Vec<String> = crate::import::treaties::reference_data()
        .map(|reference| {
            reference
                .taxonomy
                .topics
                .into_iter()
                .map(|topic| topic.slug)
                .collect()
        })
        .unwrap_or_default();
    let operations = spec.paths.paths.values_mut().flat_map(operations_of);
    for operation in operations {
        let id = operation.operation_id.clone().unwrap_or_default();
        for parameter in operation.parameters.iter_mut().flatten() {
            let Some(constraint) = constraints::of(&id, &parameter.name, &topics) else {
                continue;
            };
            parameter.schema = Some(constrained_schema(constraint).into());
        }
    }
}

fn constrained_schema(constraint: Constraint) -> Schema {
    match constraint {
        Constraint::Text {
            pattern,
            max_length,
        } => ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(pattern))
            .max_length(max_length)
            .build()
            .into(),
        Constraint::Integer { minimum, maximum } => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(minimum))
            .maximum(Some(maximum))
            .build()
            .into(),
        Constraint::OneOf(values) => ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(values))
            .build()
            .into(),
    }
}

/// utoipa copies the schema of a generic argument into every `Envelope<…>` that uses it, so a
/// generated client would name each item type after its envelope (`EnvelopeVecSeriesSummaryDataItem`).
/// Each envelope's `data` is pointed at the item's own component instead (`SeriesSummary`).
fn reference_envelope_items(spec: &mut utoipa::openapi::OpenApi) {
    let Some(components) = spec.components.as_mut() else {
        return;
    };
    let names: Vec<String> = components.schemas.keys().cloned().collect();
    for name in names {
        let Some(item) = name.strip_prefix("Envelope_") else {
            continue;
        };
        let (item, list) = match item.strip_prefix("Vec_") {
            Some(item) => (item, true),
            None => (item, false),
        };
        if !components.schemas.contains_key(item) {
            continue;
        }
        let reference = RefOr::Ref(Ref::from_schema_name(item));
        let data: RefOr<Schema> = if list {
            ArrayBuilder::new().items(reference).into()
        } else {
            reference
        };
        if let Some(RefOr::T(Schema::Object(envelope))) = components.schemas.get_mut(&name) {
            envelope.properties.insert("data".to_owned(), data);
        }
    }
}
