//! The per-request seam where fault injection and rate limits plug in.
//!
//! Every vendor calls the installed hooks once per request, after authentication and once
//! the action is known, and answers a refusal in its own envelope (Alibaba: `Throttling`,
//! `ServiceUnavailable`, ...). The fault plan (`faults::FaultPlan`: latency, error answers,
//! resets, held requests, lost answers) is carried out by the layer around the router instead
//! (`fault_layer`), which can also drop a connection or answer after the handler ran.
//!
//! A hook may also replace the whole answer with bytes of its choosing (`replace_answer`):
//! malformed JSON or XML, an HTML error page, a body missing fields. The request then stops
//! like a refused one, before it touches the world, and `serve_replaced` (a layer around
//! the router) sends the chosen bytes instead of the vendor's envelope. The replacement
//! travels in a task-local slot because the vendors render their own envelopes deep in
//! their pipelines, and only the layer can put arbitrary bytes on the wire.

use std::cell::RefCell;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

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

/// An answer sent verbatim in place of the vendor's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAnswer {
    pub status: u16,
    /// The `Content-Type` header; empty sends none.
    pub content_type: String,
    pub body: String,
}

/// A per-request hook. Returning `Some` stops the request before it touches the world.
pub trait RequestHook: Send + Sync {
    fn on_request(&self, request: &RequestInfo<'_>) -> Option<Refusal>;

    /// An answer to send instead of the vendor's, byte for byte. Asked before `on_request`.
    fn replace_answer(&self, _request: &RequestInfo<'_>) -> Option<RawAnswer> {
        None
    }
}

tokio::task_local! {
    static REPLACED: RefCell<Option<RawAnswer>>;
}

/// Keeps `answer` for `serve_replaced` and returns the refusal that stops the vendor's
/// pipeline. Outside the layer (unit tests driving a vendor's `handle`) the refusal is
/// answered in the vendor's envelope instead.
pub(crate) fn stash(answer: RawAnswer) -> Refusal {
    let refusal = Refusal {
        status: answer.status,
        code: "ReplacedAnswer".into(),
        message: "a hook replaced this answer".into(),
    };
    let _ = REPLACED.try_with(|slot| *slot.borrow_mut() = Some(answer));
    refusal
}

/// The layer that sends a replaced answer (see `stash`) instead of the vendor's envelope.
pub(crate) async fn serve_replaced(request: Request, next: Next) -> Response {
    REPLACED
        .scope(RefCell::new(None), async move {
            let answer = next.run(request).await;
            match REPLACED.with(|slot| slot.borrow_mut().take()) {
                None => answer,
                Some(raw) => {
                    let status = StatusCode::from_u16(raw.status)
                        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                    let mut replaced = (status, raw.body).into_response();
                    let headers = replaced.headers_mut();
                    headers.remove(header::CONTENT_TYPE);
                    if let Ok(v) = HeaderValue::from_str(&raw.content_type) {
                        if !raw.content_type.is_empty() {
                            headers.insert(header::CONTENT_TYPE, v);
                        }
                    }
                    replaced
                }
            }
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::{start, EmulatorConfig};
    use std::sync::Arc;

    /// Answers Baishan's create with a broken body.
    struct Broken;

    impl RequestHook for Broken {
        fn on_request(&self, _: &RequestInfo<'_>) -> Option<Refusal> {
            None
        }
        fn replace_answer(&self, r: &RequestInfo<'_>) -> Option<RawAnswer> {
            (r.action == "POST /v2/domain").then(|| RawAnswer {
                status: 200,
                content_type: "text/html".into(),
                body: "<html>portal".into(),
            })
        }
    }

    #[tokio::test]
    async fn a_replaced_answer_is_sent_verbatim_and_the_world_is_untouched() {
        let emu = start(EmulatorConfig::default(), ([127, 0, 0, 1], 0).into())
            .await
            .unwrap();
        emu.add_hook(Arc::new(Broken));
        let client = reqwest::Client::new();
        let r = client
            .post(format!("{}/v2/domain?token=testtoken", emu.url()))
            .json(
                &serde_json::json!({"domain": "www.example.com", "type": "page",
                                       "config": {"origin": {"default_master": "10.0.0.1"}}}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["content-type"], "text/html");
        assert_eq!(r.text().await.unwrap(), "<html>portal");
        assert_eq!(emu.baishan_domains(), serde_json::json!([]));
        // Other calls are answered as usual.
        let r = client
            .get(format!("{}/v2/domain/list?token=testtoken", emu.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        emu.shutdown().await;
    }
}
