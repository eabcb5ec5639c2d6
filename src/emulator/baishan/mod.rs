//! Baishan Cloud CDN (API v2, token): from an HTTP request under `/v2/` to an answer
//! envelope with rate-limit headers.
//!
//! Pipeline: route (404 for an unknown method and path) → parse query and JSON body →
//! token (`?token=` or the body's `token`; 401) → count the call → rate limits (429) →
//! hooks → run the endpoint on a draft of the world → persist → render. Endpoints are in
//! `actions` (domains) and `content` (cache refresh and prefetch), configuration items in
//! `config` and the item modules beside it.

pub(crate) mod access;
pub(crate) mod actions;
pub(crate) mod cache;
pub(crate) mod config;
pub(crate) mod content;
pub(crate) mod delivery;
pub(crate) mod error;
pub(crate) mod model;
pub(crate) mod origin;
pub(crate) mod request;
pub(crate) mod response;
pub(crate) mod response_head;
pub(crate) mod throttle;
pub(crate) mod values;

#[cfg(test)]
mod actions_tests;
#[cfg(test)]
mod cache_tests;
#[cfg(test)]
mod config_tests;
#[cfg(test)]
mod content_tests;
#[cfg(test)]
mod http_tests;
#[cfg(test)]
mod pipeline_tests;
#[cfg(test)]
pub(crate) mod test_support;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

use self::actions::{Ctx, Outcome};
use self::error::BsError;
use self::request::Request;
use self::response::Rendered;
use self::throttle::Quota;
use super::fault_layer::{AnswerNote, InjectedError};
use super::hooks::RequestInfo;
use super::server::Shared;
use super::store::StoreError;

pub use self::throttle::BaishanLimits;

impl From<StoreError> for BsError {
    fn from(_: StoreError) -> Self {
        BsError::internal()
    }
}

/// The endpoints served. The create and status endpoints are MODELLED (API-NOTES).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    List,
    Get,
    Create,
    SetStatus,
    Delete,
    GetConfig,
    SetConfig,
    Refresh,
    RefreshStatus,
    Prefetch,
    PrefetchStatus,
    PrefetchQuota,
}

fn route(method: &str, path: &str) -> Option<Endpoint> {
    Some(match (method, path) {
        ("GET", "/v2/domain/list") => Endpoint::List,
        ("GET", "/v2/domain") => Endpoint::Get,
        ("POST", "/v2/domain") => Endpoint::Create,
        ("DELETE", "/v2/domain") => Endpoint::Delete,
        ("PUT", "/v2/domain/status") => Endpoint::SetStatus,
        ("GET", "/v2/domain/config") => Endpoint::GetConfig,
        ("POST", "/v2/domain/config") => Endpoint::SetConfig,
        ("POST", "/v2/cache/refresh") => Endpoint::Refresh,
        ("GET", "/v2/cache/refresh") => Endpoint::RefreshStatus,
        ("POST", "/v2/cache/prefetch") => Endpoint::Prefetch,
        ("GET", "/v2/cache/prefetch") => Endpoint::PrefetchStatus,
        ("GET", "/v2/cache/prefetchQuota") => Endpoint::PrefetchQuota,
        _ => return None,
    })
}

/// The axum handler for `/v2/{*path}`.
pub(crate) async fn entry(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let r = handle(
        &shared,
        method.as_str(),
        uri.path(),
        query.as_deref(),
        &body,
        Utc::now(),
    );
    answer(r)
}

/// The HTTP answer with its headers, noted (status and message) for the answer log.
fn answer(r: Rendered) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let message = (r.status != 200)
        .then(|| serde_json::from_str::<serde_json::Value>(&r.body).ok())
        .flatten()
        .and_then(|v| v["message"].as_str().map(str::to_string));
    let mut answer = (
        status,
        [(header::CONTENT_TYPE, response::CONTENT_TYPE)],
        r.body,
    )
        .into_response();
    for (name, value) in r.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            answer.headers_mut().insert(n, v);
        }
    }
    answer
        .extensions_mut()
        .insert(AnswerNote::new(status.as_u16(), message.as_deref()));
    answer
}

/// An injected error in Baishan's envelope with the rate-limit headers: 500, 503 (MODELLED:
/// code 503, like the other codes that equal the status), or the 429 of an exhausted general
/// window with `X-Ratelimit-Remaining: 0` and `X-Retry-After: 1` (MODELLED: one second).
pub(crate) fn injected(error: InjectedError, limits: &BaishanLimits) -> Response {
    let idle = Quota::idle(limits);
    let (e, quota) = match error {
        InjectedError::Internal => (BsError::internal(), idle),
        InjectedError::Unavailable => (
            BsError::new(503, 503, "Service unavailable, please retry later."),
            idle,
        ),
        InjectedError::Throttle => {
            let spent = Quota {
                remaining: 0,
                retry_after_secs: 1,
                ..idle
            };
            (BsError::throttled(&spent.grad, spent.limit), spent)
        }
    };
    answer(response::error(&e, quota.headers()))
}

/// Framework-independent handling of one request at time `now`.
pub(crate) fn handle(
    shared: &Shared,
    method: &str,
    path: &str,
    query: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Rendered {
    let limits = &shared.config.baishan_limits;
    let idle = || Quota::idle(limits).headers();
    let Some(endpoint) = route(method, path) else {
        return response::error(&BsError::bad_url(method, path), idle());
    };
    let req = match Request::parse(query, body) {
        Ok(r) => r,
        Err(e) => return response::error(&e, idle()),
    };
    let token = match req.token() {
        Some(t) if shared.config.baishan_tokens.contains(&t) => t,
        _ => return response::error(&BsError::unauthorized(), idle()),
    };
    let call = format!("{method} {path}");
    // Every call with a valid token counts, throttled or not.
    shared.count_baishan_call(&call);
    let quota = match shared.baishan_admit(&token, endpoint == Endpoint::SetConfig, now) {
        Ok(q) => q,
        Err(q) => {
            return response::error(&BsError::throttled(&q.grad, q.limit), q.headers());
        }
    };
    let info = RequestInfo {
        vendor: "baishan",
        action: &call,
        caller: &token,
    };
    if let Some(r) = shared.check_hooks(&info) {
        // MODELLED: a hook's code is used when it is a number, else the HTTP status.
        let code = r.code.parse().unwrap_or(i64::from(r.status));
        return response::error(&BsError::new(r.status, code, r.message), quota.headers());
    }
    let ctx = Ctx {
        req: &req,
        now,
        deploying: shared.config.configuring_delay,
        max_domains: shared.config.max_domains,
        task_delay: shared.config.task_delay,
        quotas: &shared.config.baishan_quotas,
    };
    let read = shared.read(|world| {
        let w = &world.baishan;
        Some(match endpoint {
            Endpoint::List => actions::list(&ctx, w),
            Endpoint::Get => actions::get(&ctx, w),
            Endpoint::GetConfig => actions::get_config(&ctx, w),
            Endpoint::RefreshStatus => content::status(&ctx, w, false),
            Endpoint::PrefetchStatus => content::status(&ctx, w, true),
            Endpoint::PrefetchQuota => content::prefetch_quota(&ctx, w),
            _ => return None,
        })
    });
    let result = match read {
        Some(answer) => answer.map(|out| out.data),
        None => shared.transact(|world| {
            let w = &mut world.baishan;
            let out: Outcome = match endpoint {
                Endpoint::Create => actions::create(&ctx, w)?,
                Endpoint::SetStatus => actions::set_status(&ctx, w)?,
                Endpoint::Delete => actions::delete(&ctx, w)?,
                Endpoint::SetConfig => actions::set_config(&ctx, w)?,
                Endpoint::Refresh => content::refresh(&ctx, w)?,
                Endpoint::Prefetch => content::prefetch(&ctx, w)?,
                Endpoint::List
                | Endpoint::Get
                | Endpoint::GetConfig
                | Endpoint::RefreshStatus
                | Endpoint::PrefetchStatus
                | Endpoint::PrefetchQuota => unreachable!("read above"),
            };
            Ok::<_, BsError>((out.data, out.changed))
        }),
    };
    match result {
        Ok(data) => response::success(data, quota.headers()),
        Err(e) => response::error(&e, quota.headers()),
    }
}
