//! `ReadRequest<Q>`: what a `/v1` handler takes from the request. It checks the query string
//! against the operation's parameters `Q` (rejecting parameters the operation does not take and
//! naming the parameter whose value is wrong), takes `format=` and `as_of=` itself, since every
//! `/v1` read has them, and carries what loading and answering need. The parameter list comes from the same
//! `IntoParams` derive that documents the operation, so the docs and the check cannot disagree
//! (query structs must not `deny_unknown_fields`: a name the operation does not take is refused
//! here, before anything is deserialized, and `Q` and `format` are then read from the same string,
//! each passing over the other's).

use std::any::TypeId;
use std::collections::{HashMap, HashSet};
use std::future::{Ready, ready};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;

use super::AppState;
use super::caching::Loader;
use super::format::Format;
use crate::domain::country::shorten_for_display;
use crate::domain::vintage::AsOf;
use crate::error::{ApiError, ProblemType};

/// The name of the representation parameter every `/v1` operation takes (the OpenAPI document
/// adds it to each operation; see `openapi::offer_flat_formats`).
pub const FORMAT_PARAM: &str = "format";

/// The vintage parameter every `/v1` read takes (added to each by `openapi::offer_vintages`).
pub const AS_OF_PARAM: &str = "as_of";

/// A read of a `/v1` resource: the operation's query parameters, checked, and the `Loader` that
/// reads and answers it. Handlers take it apart in their signature:
/// `ReadRequest(query, loader): ReadRequest<ListCountriesQuery>`.
pub struct ReadRequest<Q = NoQuery>(pub Q, pub Loader);

/// The query of operations that take no parameter besides `format`; they take the `Loader` alone.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoQuery {}

impl<Q: DeserializeOwned + IntoParams + 'static> FromRequest for ReadRequest<Q> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let read = || {
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| ApiError::internal("the application state is not registered"))?;
            let (query, options) = parse_query(req.query_string())?;
            Ok(Self(query, Loader::new(req.clone(), state, options)))
        };
        ready(read())
    }
}

impl FromRequest for Loader {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let read = ReadRequest::<NoQuery>::from_request(req, payload).into_inner();
        ready(read.map(|ReadRequest(NoQuery {}, loader)| loader))
    }
}

/// What every read takes besides its own parameters, deserialized like any other parameter so
/// that their errors read the same.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct ReadOptions {
    /// `format=`, where given; `Loader::format` weighs it against the `Accept` header.
    pub format: Option<Format>,
    /// `as_of=`: the state of the data to answer from, where not the current one.
    pub as_of: Option<AsOf>,
}

/// Parses a raw query string into `Q` and the parameters every read takes.
pub fn parse_query<Q: DeserializeOwned + IntoParams + 'static>(
    raw: &str,
) -> Result<(Q, ReadOptions), ApiError> {
    let names = ParamNames::of::<Q>();
    let known = &names.known;
    let mut seen = HashSet::new();
    for (name, _) in form_urlencoded::parse(raw.as_bytes()) {
        if !known.iter().any(|k| *k == name) {
            return Err(ApiError::new(
                ProblemType::UnknownParameter,
                format!(
                    "This operation does not take the parameter '{}'.",
                    shorten_for_display(&name)
                ),
            )
            .with_param(shorten_for_display(&name))
            .with_allowed(known.iter().cloned()));
        }
        if seen.contains(&name) {
            return Err(ApiError::invalid_parameter(
                name.as_ref(),
                format!("'{name}' is given more than once; give it once."),
            ));
        }
        seen.insert(name);
    }
    for name in &names.required {
        if !seen.contains(name.as_str()) {
            return Err(ApiError::invalid_parameter(
                name.as_str(),
                format!("'{name}' is required."),
            ));
        }
    }
    // Each reads the parameters it has and passes over the other's: every name is known by now.
    let query = deserialize(raw)?;
    let options = deserialize(raw)?;
    Ok((query, options))
}

/// The parameter names an operation's query takes (`format` and `as_of` among them) and those it requires,
/// from the `IntoParams` declaration that documents it.
struct ParamNames {
    known: Vec<String>,
    required: Vec<String>,
}

impl ParamNames {
    /// Worked out once per query type: the declaration builds every parameter's documentation,
    /// which cost a memo hit a tenth of its instructions when it was built per request.
    fn of<Q: IntoParams + 'static>() -> Arc<ParamNames> {
        static BY_TYPE: OnceLock<RwLock<HashMap<TypeId, Arc<ParamNames>>>> = OnceLock::new();
        let by_type = BY_TYPE.get_or_init(RwLock::default);
        let known = by_type
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&TypeId::of::<Q>())
            .cloned();
        if let Some(names) = known {
            return names;
        }
        let params = Q::into_params(|| None);
        let names = Arc::new(ParamNames {
            known: params
                .iter()
                .map(|p| p.name.clone())
                .chain([FORMAT_PARAM.to_owned(), AS_OF_PARAM.to_owned()])
                .collect(),
            required: params
                .iter()
                .filter(|p| matches!(p.required, utoipa::openapi::Required::True))
                .map(|p| p.name.clone())
                .collect(),
        });
        by_type
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(TypeId::of::<Q>(), Arc::clone(&names));
        names
    }
}

/// Deserializes parameters, naming the one whose value does not fit.
fn deserialize<T: DeserializeOwned>(raw: &str) -> Result<T, ApiError> {
    let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(raw.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let param = error.path().to_string();
        let detail = format!("Invalid value for '{param}': {}.", error.inner());
        ApiError::invalid_parameter(param, detail)
    })
}
