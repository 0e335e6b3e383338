//! `ApiQuery<T>`: query-string extraction that rejects parameters the operation does not take and
//! names the parameter whose value is wrong. The parameter list comes from the same `IntoParams`
//! derive that documents the operation, so the docs and the check cannot disagree.

use std::collections::HashSet;
use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;

use super::format::Format;

use crate::domain::country::shorten_for_display;
use crate::error::{ApiError, ProblemType};

/// Query parameters of type `T`, validated.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + IntoParams> FromRequest for ApiQuery<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_query(req.query_string()).map(ApiQuery))
    }
}

/// Parses a raw query string into `T`.
pub fn parse_query<T: DeserializeOwned + IntoParams>(query: &str) -> Result<T, ApiError> {
    let params = T::into_params(|| None);
    let known: Vec<String> = params.iter().map(|p| p.name.clone()).collect();
    let mut seen = HashSet::new();
    for (name, _) in form_urlencoded::parse(query.as_bytes()) {
        if !known.iter().any(|k| *k == name) {
            return Err(ApiError::new(
                ProblemType::UnknownParameter,
                format!(
                    "This operation does not take the parameter '{}'.",
                    shorten_for_display(&name)
                ),
            )
            .with_param(shorten_for_display(&name))
            .with_allowed(known));
        }
        if !seen.insert(name.clone()) {
            return Err(ApiError::invalid_parameter(
                name.as_ref(),
                format!("'{name}' is given more than once; give it once."),
            ));
        }
    }
    let required = params
        .iter()
        .filter(|p| matches!(p.required, utoipa::openapi::Required::True));
    for param in required {
        if !seen.iter().any(|name| *name == param.name) {
            return Err(ApiError::invalid_parameter(
                param.name.as_str(),
                format!("'{}' is required.", param.name),
            ));
        }
    }
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let param = error.path().to_string();
        let detail = format!("Invalid value for '{param}': {}.", error.inner());
        ApiError::invalid_parameter(param, detail)
    })
}

/// The query of operations whose only parameter is the representation.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FormatQuery {
    /// Representation; overrides the `Accept` header.
    #[param(example = "json")]
    pub format: Option<Format>,
}
