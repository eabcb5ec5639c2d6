//! Test-only: the shared canned responder (`provider::canned`) with CTG's
//! success envelope.

pub use crate::provider::canned::*;
use serde_json::Value;

/// A success envelope around `data`.
pub fn ok(data: Value) -> Reply {
    json_reply(
        200,
        serde_json::json!({"code": 1, "message": "OK", "data": data}),
    )
}

pub async fn canned(responder: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Canned {
    canned_at("", responder).await
}
