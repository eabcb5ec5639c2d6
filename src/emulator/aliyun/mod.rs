//! Alibaba Cloud CDN (RPC, HMAC-SHA1): from an HTTP request on `/` to an answer envelope.
//!
//! Pipeline: decode and merge parameters → pick the answer format → authenticate → check
//! version and action → count the call → per-action call limits (`throttle`) → hooks → run
//! the action on a draft of the world → persist → render. Actions: domains (`actions`),
//! function configurations (`config_functions`, `config_actions`), certificates
//! (`certificate`), refresh and push (`content_paths`, `content_actions`, `content_queries`).

pub(crate) mod actions;
pub(crate) mod auth;
pub(crate) mod certificate;
pub(crate) mod config_actions;
pub(crate) mod config_functions;
pub(crate) mod content_actions;
pub(crate) mod content_paths;
pub(crate) mod content_queries;
pub(crate) mod errors;
pub(crate) mod model;
pub(crate) mod params;
pub(crate) mod response;
pub(crate) mod signature;
pub(crate) mod throttle;
pub(crate) mod validate;

#[cfg(test)]
mod actions_tests;
#[cfg(test)]
mod config_tests;
#[cfg(test)]
mod content_query_tests;
#[cfg(test)]
mod content_tests;
#[cfg(test)]
mod http_tests;
#[cfg(test)]
pub(crate) mod test_support;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use self::actions::{ActionCtx, Limits};
use self::errors::AliError;
use self::params::Params;
use self::response::{Format, Rendered};
use super::fault_layer::{AnswerNote, InjectedError};
use super::hooks::RequestInfo;
use super::server::Shared;
use super::store::StoreError;

/// The API versions served. Each action exists only in the versions that document it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum ApiVersion {
    /// The current API (make-api-requests seed, API-NOTES).
    V2018_05_10,
    /// The seed reference `alibaba-cdn-api-reference-2014-11-11.txt`.
    V2014_11_11,
}

impl ApiVersion {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "2018-05-10" => Some(ApiVersion::V2018_05_10),
            "2014-11-11" => Some(ApiVersion::V2014_11_11),
            _ => None,
        }
    }
}

impl From<StoreError> for AliError {
    fn from(_: StoreError) -> Self {
        AliError::internal_error()
    }
}

/// The axum handler for `/`.
pub(crate) async fn entry(
    State(shared): State<Arc<Shared>>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    answer(handle(
        &shared,
        method.as_str(),
        query.as_deref(),
        content_type,
        &body,
        Utc::now(),
    ))
}

/// The HTTP answer, noted (status and `Code`) for the answer log.
fn answer(r: Rendered) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let note = AnswerNote::new(r.status, r.code.as_deref());
    let mut response = (status, [(header::CONTENT_TYPE, r.content_type)], r.body).into_response();
    response.extensions_mut().insert(note);
    response
}

/// An injected error in Alibaba's envelope, in the request's `Format`: `InternalError` (500),
/// `ServiceUnavailable` (503) or `Throttling` (503, as past a call limit).
pub(crate) fn injected(error: InjectedError, format: Format) -> Response {
    let e = match error {
        InjectedError::Internal => AliError::internal_error(),
        InjectedError::Unavailable => AliError::service_unavailable(),
        InjectedError::Throttle => AliError::throttling(),
    };
    answer(response::error(format, &response::new_request_id(), &e))
}

/// Only a form body carries parameters; any other body is ignored, as the RPC API has none.
fn is_form(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|c| {
        c.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    })
}

/// A request's `Action` (empty when its parameters cannot be read) and answer `Format` (XML
/// when absent or unreadable), for the fault layer, which decides before `handle` runs.
pub(crate) fn action_and_format(
    query: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> (String, Format) {
    let body_text = is_form(content_type)
        .then(|| std::str::from_utf8(body).ok())
        .flatten();
    match Params::merge(query, body_text) {
        Ok(p) => (
            p.get("Action").unwrap_or("").to_string(),
            response::parse_format(p.get("Format")).unwrap_or(Format::Xml),
        ),
        Err(_) => (String::new(), Format::Xml),
    }
}

/// Framework-independent handling of one request at time `now`.
pub(crate) fn handle(
    shared: &Shared,
    method: &str,
    query: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Rendered {
    let request_id = response::new_request_id();
    let body_text = match (is_form(content_type), std::str::from_utf8(body)) {
        (false, _) => None,
        (true, Ok(t)) => Some(t),
        (true, Err(_)) => {
            return response::error(Format::Xml, &request_id, &AliError::invalid_value("body"))
        }
    };
    let params = match Params::merge(query, body_text) {
        Ok(p) => p,
        Err(e) => return response::error(Format::Xml, &request_id, &e),
    };
    let format = match response::parse_format(params.get("Format")) {
        Ok(f) => f,
        Err(e) => return response::error(Format::Xml, &request_id, &e),
    };
    match process(shared, method, &params, now) {
        Ok((action, body)) => response::success(format, &action, &request_id, body),
        Err(e) => response::error(format, &request_id, &e),
    }
}

fn process(
    shared: &Shared,
    method: &str,
    params: &Params,
    now: DateTime<Utc>,
) -> Result<(String, Map<String, Value>), AliError> {
    let caller = {
        let mut nonces = shared
            .aliyun_nonces
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        auth::authenticate(method, params, &shared.config.aliyun_keys, &mut nonces, now)?
    };
    let action = params.require("Action")?;
    // Every authenticated call with an action counts, whatever its outcome.
    shared.count_aliyun_call(action);
    let version =
        ApiVersion::parse(params.require("Version")?).ok_or_else(AliError::no_such_version)?;
    if !actions::supported(version, action) {
        return Err(AliError::unsupported_operation());
    }
    shared.aliyun_admit(action, now)?;
    let info = RequestInfo {
        vendor: "aliyun",
        action,
        caller: &caller,
    };
    if let Some(r) = shared.check_hooks(&info) {
        return Err(AliError::new(r.status, &r.code, r.message));
    }
    let limits = Limits {
        configuring_delay: shared.config.configuring_delay,
        max_domains: shared.config.max_domains,
        task_delay: shared.config.task_delay,
        quotas: shared.config.aliyun_quotas.clone(),
    };
    let ctx = ActionCtx {
        version,
        params,
        now,
        limits: &limits,
    };
    let read = shared.read(|world| actions::read(action, &ctx, &world.aliyun));
    let body = match read {
        Some(answer) => answer?.body,
        None => shared.transact(|world| {
            let out = actions::run(action, &ctx, &mut world.aliyun)?;
            Ok::<_, AliError>((out.body, out.changed))
        })?,
    };
    Ok((action.to_string(), body))
}
