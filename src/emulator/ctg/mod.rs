//! CTG (China Telecom) overseas fused CDN (token, HMAC-SHA512): from an HTTP request under
//! `/API/` to an answer.
//!
//! Pipeline for `POST /API/OAuth/token`: count the call → date window and signature (401)
//! → issue a token. For every other call: route (404) → `Authorization: Bearer` token (401
//! `invalid token` / `token expired`) → count the call → `Content-Type` of a body (400) →
//! hooks → run the endpoint (domains, features, `content` purge and prefetch) on a draft of
//! the world → persist → render
//! `{"code": 1, "message": "OK", "data": ..}` or the status with `{"error": ..}`.
//!
//! MODELLED: a known path with another method, or an unknown path, is 404; a request body
//! sent with a content type other than `application/json` (parameters such as `charset`
//! allowed) is a 400; a hook's refusal is its status with `{"error": <message>}`.

pub(crate) mod auth;
pub(crate) mod content;
pub(crate) mod domains;
pub(crate) mod error;
pub(crate) mod features;
pub(crate) mod model;
pub(crate) mod values;

#[cfg(test)]
mod config_tests;
#[cfg(test)]
mod content_tests;
#[cfg(test)]
mod domain_tests;
#[cfg(test)]
mod http_tests;
#[cfg(test)]
mod pipeline_tests;
#[cfg(test)]
pub(crate) mod test_support;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use self::domains::Ctx;
use self::error::{CtgError, Rendered, CONTENT_TYPE};
use self::features::Feature;
use super::fault_layer::{AnswerNote, InjectedError};
use super::hooks::RequestInfo;
use super::server::Shared;
use super::store::StoreError;

impl From<StoreError> for CtgError {
    fn from(_: StoreError) -> Self {
        CtgError::internal()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Token,
    Create,
    Enable,
    Disable,
    Delete,
    List,
    Get,
    GetFeature(Feature),
    SetFeature(Feature),
    Purge,
    PurgeStatus,
    Prefetch,
    PrefetchStatus,
}

fn route(method: &str, path: &str) -> Option<Endpoint> {
    Some(match (method, path) {
        ("POST", "/API/OAuth/token") => Endpoint::Token,
        ("POST", "/API/domain") => Endpoint::Create,
        ("GET", "/API/domain") => Endpoint::Get,
        ("DELETE", "/API/domain") => Endpoint::Delete,
        ("PUT", "/API/domain/enable") => Endpoint::Enable,
        ("PUT", "/API/domain/disable") => Endpoint::Disable,
        ("GET", "/API/domain/list") => Endpoint::List,
        ("POST", "/API/content/purge") => Endpoint::Purge,
        ("GET", "/API/content/purge") => Endpoint::PurgeStatus,
        ("POST", "/API/content/prefetch") => Endpoint::Prefetch,
        ("GET", "/API/content/prefetch") => Endpoint::PrefetchStatus,
        _ => {
            let f = Feature::from_name(path.strip_prefix("/API/domain/")?)?;
            if method == "GET" {
                Endpoint::GetFeature(f)
            } else if method == f.write_method() {
                Endpoint::SetFeature(f)
            } else {
                return None;
            }
        }
    })
}

/// The request headers CTG reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct Headers<'a> {
    pub authorization: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub request_date: Option<&'a str>,
}

/// The axum handler for `/API/{*path}`.
pub(crate) async fn entry(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let h = Headers {
        authorization: get("authorization"),
        content_type: get("content-type"),
        request_date: get("x-request-date"),
    };
    let r = handle(
        &shared,
        method.as_str(),
        uri.path(),
        query.as_deref(),
        h,
        &body,
        Utc::now(),
    );
    answer(r)
}

/// The HTTP answer, noted (status and `error`) for the answer log.
fn answer(r: Rendered) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let detail = (r.status != 200)
        .then(|| serde_json::from_str::<Value>(&r.body).ok())
        .flatten()
        .and_then(|v| v["error"].as_str().map(str::to_string));
    let mut response = (status, [(header::CONTENT_TYPE, CONTENT_TYPE)], r.body).into_response();
    response
        .extensions_mut()
        .insert(AnswerNote::new(r.status, detail.as_deref()));
    response
}

/// An injected error as CTG answers errors, `{"error": ..}` with the status: 500, 503, or
/// (MODELLED: CTG documents no rate limit) 429 with `Retry-After: 1`.
pub(crate) fn injected(error: InjectedError) -> Response {
    let e = match error {
        InjectedError::Internal => CtgError::internal(),
        InjectedError::Unavailable => CtgError::new(503, "service unavailable"),
        InjectedError::Throttle => CtgError::new(429, "too many requests, retry later"),
    };
    let mut response = answer(Rendered::error(&e));
    if error == InjectedError::Throttle {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}

fn content_type_ok(h: &Headers, body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
        || h.content_type.is_some_and(|c| {
            c.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case(CONTENT_TYPE))
        })
}

/// Framework-independent handling of one request at time `now`.
pub(crate) fn handle(
    shared: &Shared,
    method: &str,
    path: &str,
    query: Option<&str>,
    h: Headers,
    body: &[u8],
    now: DateTime<Utc>,
) -> Rendered {
    match run(shared, method, path, query, h, body, now) {
        Ok(data) => Rendered::ok(data),
        Err(e) => Rendered::error(&e),
    }
}

fn run(
    shared: &Shared,
    method: &str,
    path: &str,
    query: Option<&str>,
    h: Headers,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Value, CtgError> {
    let endpoint = route(method, path)
        .ok_or_else(|| CtgError::new(404, format!("unknown API: {method} {path}")))?;
    let call = format!("{method} {path}");
    if endpoint == Endpoint::Token {
        // Every token request counts, whatever its outcome.
        shared.count_ctg_call(&call);
        return token(shared, h, body, now);
    }
    let bearer = h
        .authorization
        .and_then(|a| a.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| CtgError::unauthorized("invalid token"))?;
    let access_key = shared.ctg_tokens().check(bearer, now)?;
    shared.count_ctg_call(&call);
    if !content_type_ok(&h, body) {
        return Err(CtgError::invalid("Content-Type must be application/json"));
    }
    let info = RequestInfo {
        vendor: "ctg",
        action: &call,
        caller: &access_key,
    };
    if let Some(r) = shared.check_hooks(&info) {
        return Err(CtgError::new(r.status, r.message));
    }
    let ctx = Ctx {
        query: domains::parse_query(query),
        body: domains::parse_body(body)?,
        now,
        delay: shared.config.configuring_delay,
        max_domains: shared.config.max_domains,
        task_delay: shared.config.task_delay,
        quotas: shared.config.ctg_quotas.clone(),
    };
    let read = shared.read(|world| {
        let w = &world.ctg;
        Some(match endpoint {
            Endpoint::List => domains::list(&ctx, w),
            Endpoint::Get => domains::get(&ctx, w),
            Endpoint::GetFeature(f) => features::get(&ctx, w, f),
            Endpoint::PurgeStatus => content::status(&ctx, w, false),
            Endpoint::PrefetchStatus => content::status(&ctx, w, true),
            _ => return None,
        })
    });
    if let Some(answer) = read {
        return answer;
    }
    shared.transact(|world| {
        let w = &mut world.ctg;
        Ok::<_, CtgError>(match endpoint {
            Endpoint::Token => unreachable!("answered above"),
            Endpoint::List
            | Endpoint::Get
            | Endpoint::GetFeature(_)
            | Endpoint::PurgeStatus
            | Endpoint::PrefetchStatus => unreachable!("read above"),
            Endpoint::Create => (domains::create(&ctx, w)?, true),
            Endpoint::Enable => (domains::set_enabled(&ctx, w, true)?, true),
            Endpoint::Disable => (domains::set_enabled(&ctx, w, false)?, true),
            Endpoint::Delete => (domains::delete(&ctx, w)?, true),
            Endpoint::SetFeature(f) => (features::write(&ctx, w, f)?, true),
            Endpoint::Purge => (content::purge(&ctx, w)?, true),
            Endpoint::Prefetch => (content::prefetch(&ctx, w)?, true),
        })
    })
}

/// `POST /API/OAuth/token` with `x-request-date` and `{access_key, signature}`.
fn token(shared: &Shared, h: Headers, body: &[u8], now: DateTime<Utc>) -> Result<Value, CtgError> {
    let b = domains::parse_body(body)?;
    values::object(
        &Value::Object(b.clone()),
        "body",
        &["access_key", "signature"],
    )?;
    let access_key = values::string(&b, "access_key", "")?;
    let signature = values::string(&b, "signature", "")?;
    auth::verify(
        &shared.config.ctg_keys,
        h.request_date,
        &access_key,
        &signature,
        now,
    )?;
    let grant = shared
        .ctg_tokens()
        .issue(&access_key, shared.config.ctg_token_lifetime, now);
    Ok(json!({
        "token": grant.token,
        "refresh_token": grant.refresh_token,
        "expire": grant.expires.timestamp(),
        "uid": auth::uid_for(&access_key),
        "username": access_key,
    }))
}
