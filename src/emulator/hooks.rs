//! The per-request seam where fault injection and rate limits plug in.
//!
//! Every vendor calls the installed hooks once per request, after authentication and once
//! the action is known, and answers a refusal in its own envelope (Alibaba: `Throttling`,
//! `ServiceUnavailable`, ...). Effects that do not depend on the action (added latency, lost
//! answers, connection resets) belong in an axum middleware layer around the router in
//! `server::build_router` instead.

/// What a hook is told about one request.
#[derive(Debug, Clone)]
pub struct RequestInfo<'a> {
    /// `"aliyun"`, `"baishan"` or `"ctg"`.
    pub vendor: &'static str,
    /// The vendor's action or operation name, e.g. `AddCdnDomain`.
    pub action: &'a str,
    /// The authenticated caller (Alibaba: the AccessKeyId).
    pub caller: &'a str,
}

/// A hook's refusal, rendered by the vendor in its usual error envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub code: String,
    pub message: String,
}

/// A per-request hook. Returning `Some` stops the request before it touches the world.
pub trait RequestHook: Send + Sync {
    fn on_request(&self, request: &RequestInfo<'_>) -> Option<Refusal>;
}
