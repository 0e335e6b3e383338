//! `ApiError`, the one error type of the API, rendered as RFC 9457 `application/problem+json`.
//!
//! Each problem has a stable `type` slug (listed in the OpenAPI description), the offending
//! parameter and the allowed values where there are any. Internal causes are kept for the log
//! and never rendered.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use strum::{EnumIter, EnumMessage, IntoStaticStr};
use utoipa::ToSchema;

use crate::db::DbError;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// The kinds of problem the API reports. The slug of each (its name in kebab case) is part of the
/// API contract; its message is the title, its detailed message says when a client sees it (for
/// the OpenAPI description).
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, IntoStaticStr, EnumMessage)]
#[strum(serialize_all = "kebab-case")]
pub enum ProblemType {
    #[strum(
        message = "Invalid parameter",
        detailed_message = "a path or query parameter is malformed or out of range; `param` names it and `allowed` lists valid values where they are few"
    )]
    InvalidParameter,
    #[strum(
        message = "Unknown parameter",
        detailed_message = "the query string has a parameter the operation does not take; `allowed` lists the ones it does"
    )]
    UnknownParameter,
    #[strum(
        message = "Malformed request",
        detailed_message = "the request itself (headers, path encoding) cannot be understood"
    )]
    MalformedRequest,
    #[strum(
        message = "URI too long",
        detailed_message = "the request target (path and query) is longer than the service reads (8 KiB)"
    )]
    UriTooLong,
    #[strum(
        message = "Request header fields too large",
        detailed_message = "the request has more header fields, or more bytes of them, than the service reads (64 fields, 32 KiB)"
    )]
    HeadersTooLarge,
    #[strum(
        message = "Unknown country",
        detailed_message = "no country has this code; `help` links to the list of valid codes"
    )]
    UnknownCountry,
    #[strum(
        message = "Unknown source",
        detailed_message = "no source has this id; `help` links to the list of sources"
    )]
    UnknownSource,
    #[strum(
        message = "Unknown series",
        detailed_message = "the country has no series with this id; `help` links to its series"
    )]
    UnknownSeries,
    #[strum(
        message = "Unknown measure",
        detailed_message = "no series measures this; `allowed` lists the measures that exist"
    )]
    UnknownMeasure,
    #[strum(
        message = "Unknown treaty",
        detailed_message = "no treaty has this id; `help` links to the list of treaties"
    )]
    UnknownTreaty,
    #[strum(
        message = "Unknown vintage",
        detailed_message = "`as_of` names no state of the data the service keeps: a vintage after the latest, a time before the first, one pruned, or one in which a dataset the answer reads was not yet loaded; `help` links to the changes feed, which lists the vintages"
    )]
    UnknownVintage,
    #[strum(
        message = "Unknown dataset",
        detailed_message = "no dataset has this id; `help` links to the list of datasets"
    )]
    UnknownDataset,
    #[strum(
        message = "Unknown article",
        detailed_message = "the treaty has no article with this number in this language; `help` links to its chapters, or to the article's own address when a stable id names another treaty"
    )]
    UnknownArticle,
    #[strum(
        message = "Text not available",
        detailed_message = "the treaty is known but its text is not loaded (or not in this language); `help` links to the official text"
    )]
    TextNotAvailable,
    #[strum(
        message = "Not found",
        detailed_message = "no operation exists at this path"
    )]
    NotFound,
    #[strum(
        message = "Method not allowed",
        detailed_message = "the path exists but not for this method; the `Allow` header lists the methods"
    )]
    MethodNotAllowed,
    #[strum(
        message = "Not acceptable",
        detailed_message = "the `Accept` header or `format` asks for a media type the operation cannot produce, or `Accept-Encoding` refuses every content coding the service sends"
    )]
    NotAcceptable,
    #[strum(
        message = "Unauthorized",
        detailed_message = "an import over HTTP without `Authorization: Bearer <key>`, or with a key the service is not configured with"
    )]
    Unauthorized,
    #[strum(
        message = "Forbidden",
        detailed_message = "the import key is known but may not import this kind"
    )]
    Forbidden,
    #[strum(
        message = "Payload too large",
        detailed_message = "an import's body is larger than the service takes (`--import-max-mb`)"
    )]
    PayloadTooLarge,
    #[strum(
        message = "Unsupported media type",
        detailed_message = "an import's `Content-Type` is not one its kind is read from; `allowed` lists those"
    )]
    UnsupportedMediaType,
    #[strum(
        message = "Import rejected",
        detailed_message = "an import's body has a bad line, record or value; `detail` names where, and nothing was changed"
    )]
    ImportRejected,
    #[strum(
        message = "Too many requests",
        detailed_message = "this client (an import key, else an address) made more requests than the service's rate limit allows (`--rate-limit-per-second`, `--rate-limit-burst`); `Retry-After` says when to retry"
    )]
    RateLimited,
    #[strum(
        message = "Database unavailable",
        detailed_message = "the database does not answer; retry later"
    )]
    DatabaseUnavailable,
    #[strum(
        message = "Query timeout",
        detailed_message = "answering took the database longer than the service allows one query (`--db-statement-timeout-ms`); narrow the request or retry later"
    )]
    QueryTimeout,
    #[strum(
        message = "Exports busy",
        detailed_message = "every export slot stayed in use, or the temporary files of exports whose clients read slowly take all the disk allowed for them (`--spool-max-mb`); retry later"
    )]
    ExportsBusy,
    #[strum(
        message = "Not ready",
        detailed_message = "the database answers but its migrations are not applied yet"
    )]
    NotReady,
    #[strum(
        message = "Internal error",
        detailed_message = "an unexpected failure; the response carries a request id to quote, the cause is only logged"
    )]
    Internal,
}

impl ProblemType {
    pub fn slug(self) -> &'static str {
        self.into()
    }

    pub fn title(self) -> &'static str {
        self.get_message().unwrap_or_default()
    }

    pub fn type_uri(self) -> String {
        format!("/problems/{}", self.slug())
    }

    pub fn status(self) -> StatusCode {
        match self {
            ProblemType::InvalidParameter
            | ProblemType::UnknownParameter
            | ProblemType::MalformedRequest => StatusCode::BAD_REQUEST,
            ProblemType::UnknownCountry
            | ProblemType::UnknownSource
            | ProblemType::UnknownSeries
            | ProblemType::UnknownMeasure
            | ProblemType::UnknownTreaty
            | ProblemType::UnknownVintage
            | ProblemType::UnknownDataset
            | ProblemType::UnknownArticle
            | ProblemType::TextNotAvailable
            | ProblemType::NotFound => StatusCode::NOT_FOUND,
            ProblemType::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ProblemType::UriTooLong => StatusCode::URI_TOO_LONG,
            ProblemType::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ProblemType::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            ProblemType::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ProblemType::Unauthorized => StatusCode::UNAUTHORIZED,
            ProblemType::Forbidden => StatusCode::FORBIDDEN,
            ProblemType::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ProblemType::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemType::ImportRejected => StatusCode::UNPROCESSABLE_ENTITY,
            ProblemType::DatabaseUnavailable
            | ProblemType::QueryTimeout
            | ProblemType::ExportsBusy
            | ProblemType::NotReady => StatusCode::SERVICE_UNAVAILABLE,
            ProblemType::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// When a client sees this problem (for the OpenAPI description).
    pub fn description(self) -> &'static str {
        self.get_detailed_message().unwrap_or_default()
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// Stable identifier of the kind of problem, `/problems/{slug}`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// The request target that failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The offending parameter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    /// The values the parameter accepts, where they are few enough to list.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed: Vec<String>,
    /// Where to look up valid values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The request id, also returned in the `x-request-id` header; quote it when reporting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// A failed request. Boxed, so that `Result<T, ApiError>` stays small on the happy path.
#[derive(Debug, Clone)]
pub struct ApiError(Box<ErrorDetails>);

/// What an `ApiError` knows.
#[derive(Debug, Clone)]
pub struct ErrorDetails {
    pub kind: ProblemType,
    pub detail: String,
    pub param: Option<String>,
    pub allowed: Vec<String>,
    pub help: Option<String>,
    /// Methods for the `Allow` header of a 405.
    pub allow_methods: Option<&'static str>,
    /// The internal cause, for the log only.
    pub cause: Option<String>,
}

impl std::ops::Deref for ApiError {
    type Target = ErrorDetails;

    fn deref(&self) -> &ErrorDetails {
        &self.0
    }
}

impl ApiError {
    pub fn new(kind: ProblemType, detail: impl Into<String>) -> Self {
        Self(Box::new(ErrorDetails {
            kind,
            detail: detail.into(),
            param: None,
            allowed: Vec::new(),
            help: None,
            allow_methods: None,
            cause: None,
        }))
    }

    pub fn invalid_parameter(param: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(ProblemType::InvalidParameter, detail).with_param(param)
    }

    pub fn unknown_country(param: &str, code: &str) -> Self {
        Self::new(
            ProblemType::UnknownCountry,
            format!("No country has the code '{code}'."),
        )
        .with_param(param)
        .with_help("/v1/countries")
    }

    pub fn internal(cause: impl Into<String>) -> Self {
        Self::new(
            ProblemType::Internal,
            "The request failed unexpectedly. Quote the request id when reporting it.",
        )
        .with_cause(cause)
    }

    pub fn unavailable(cause: impl Into<String>) -> Self {
        Self::new(
            ProblemType::DatabaseUnavailable,
            "The database is not reachable. Retry later.",
        )
        .with_cause(cause)
    }

    /// Every export slot stayed taken for as long as an export waits for one.
    pub fn exports_busy(slots: usize) -> Self {
        Self::new(
            ProblemType::ExportsBusy,
            format!(
                "Every export slot ({slots} streamed exports reading at once) stayed in use. Retry later."
            ),
        )
    }

    /// The temporary files of exports whose clients read slowly take the whole spool budget.
    pub fn spool_full() -> Self {
        Self::new(
            ProblemType::ExportsBusy,
            "The temporary files of exports whose clients read slowly take all the disk allowed \
             for them. Retry later.",
        )
    }

    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.0.param = Some(param.into());
        self
    }

    pub fn with_cause(mut self, cause: impl Into<String>) -> Self {
        self.0.cause = Some(cause.into());
        self
    }

    pub fn with_allow_methods(mut self, methods: &'static str) -> Self {
        self.0.allow_methods = Some(methods);
        self
    }

    pub fn with_allowed<I, S>(mut self, allowed: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.0.allowed = allowed.into_iter().map(Into::into).collect();
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.0.help = Some(help.into());
        self
    }

    pub fn problem(&self, instance: Option<&str>, request_id: Option<&str>) -> Problem {
        Problem {
            problem_type: self.kind.type_uri(),
            title: self.kind.title().to_owned(),
            status: self.kind.status().as_u16(),
            detail: self.detail.clone(),
            instance: instance.map(str::to_owned),
            param: self.param.clone(),
            allowed: self.allowed.clone(),
            help: self.help.clone(),
            request_id: request_id.map(str::to_owned),
        }
    }

    /// The response, with the request target and id when the caller knows them.
    pub fn render(&self, instance: Option<&str>, request_id: Option<&str>) -> HttpResponse {
        let mut response = HttpResponse::build(self.kind.status());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_CONTENT_TYPE));
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        if let Some(methods) = self.allow_methods {
            response.insert_header((header::ALLOW, methods));
        }
        if self.kind == ProblemType::Unauthorized {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"imports\""));
        }
        match serde_json::to_vec(&self.problem(instance, request_id)) {
            Ok(body) => response.body(body),
            Err(_) => response.finish(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.title(), self.detail)?;
        if let Some(cause) = &self.cause {
            write!(f, " (cause: {cause})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.kind.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.render(None, None)
    }
}

impl From<DbError> for ApiError {
    fn from(error: DbError) -> Self {
        use diesel::result::{DatabaseErrorKind, Error as Diesel};
        match error {
            DbError::Unavailable(cause) => ApiError::unavailable(cause),
            DbError::TimedOut(cause) => ApiError::new(
                ProblemType::QueryTimeout,
                "Answering took the database longer than the service allows. Narrow the request or retry later.",
            )
            .with_cause(cause),
            DbError::Query(Diesel::DatabaseError(DatabaseErrorKind::ClosedConnection, info)) => {
                ApiError::unavailable(info.message().to_owned())
            }
            // A row a handler asked for with `first()` and did not find: what the client named
            // does not exist (handlers that can name it better check before).
            DbError::Query(Diesel::NotFound) => ApiError::new(
                ProblemType::NotFound,
                "The resource asked for does not exist.".to_owned(),
            ),
            other => ApiError::internal(other.to_string()),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        DbError::from_query(error).into()
    }
}

#[cfg(test)]
mod tests {
    use actix_web::ResponseError;
    use diesel::result::Error as Diesel;

    use super::*;

    #[test]
    fn a_row_not_found_is_a_404_and_other_query_failures_a_500() {
        let not_found = ApiError::from(DbError::Query(Diesel::NotFound));
        assert_eq!(not_found.status_code(), StatusCode::NOT_FOUND);
        let failed = ApiError::from(DbError::Query(Diesel::RollbackTransaction));
        assert_eq!(failed.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        let down = ApiError::from(DbError::Unavailable("refused".to_owned()));
        assert_eq!(down.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        let slow = ApiError::from(DbError::TimedOut("interrupted".to_owned()));
        assert_eq!(slow.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(slow.kind, ProblemType::QueryTimeout);
        assert!(!slow.problem(None, None).detail.contains("interrupted"));
    }

    #[test]
    fn every_problem_has_a_slug_a_title_and_a_description() {
        use strum::IntoEnumIterator;
        for kind in ProblemType::iter() {
            assert!(!kind.title().is_empty(), "{kind:?} has no title");
            assert!(
                !kind.description().is_empty(),
                "{kind:?} has no description"
            );
        }
        assert_eq!(ProblemType::TextNotAvailable.slug(), "text-not-available");
        assert_eq!(ProblemType::Internal.title(), "Internal error");
    }
}
