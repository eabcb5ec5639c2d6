//! Test-only: the shared canned responder (`provider::canned`) with
//! Baishan's success envelope and its `/v2` base path.

pub use crate::provider::canned::*;
use serde_json::Value;

/// A success envelope around `data`.
pub fn ok(data: Value) -> Reply {
    json_reply(
        200,
        serde_json::json!({"code": 0, "message": "success", "data": data}),
    )
}

pub async fn canned(responder: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Canned {
    canned_at("/v2", responder).await
}
