//! The per-request seam where fault injection and rate limits plug in.
//!
//! Every vendor calls the installed hooks once per request, after authentication and once
//! the action is known, and answers a refusal in its own envelope (Alibaba: `Throttling`,
//! `ServiceUnavailable`, ...). The fault plan (`faults::FaultPlan`: latency, error answers,
//! resets, held requests, lost answers) is carried out by the layer around the router instead
//! (`fault_layer`), which can also drop a connection or answer after the handler ran.

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
