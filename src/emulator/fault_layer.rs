//! The axum layer around every vendor that carries out the fault plan: it reads the
//! request's vendor and action, waits out the added latency, then answers an injected error
//! in the vendor's envelope, closes the connection without an answer, holds the request and
//! then closes it, or runs the real handler and closes the connection instead of answering
//! (a lost answer: the write happened, the client cannot know). It also logs how the real
//! handlers answered, by vendor and action (`Shared::note_answer`).
//!
//! A connection is closed without an answer by answering with a body that fails at once:
//! hyper then aborts the connection before the status line has left its buffer, so the client
//! sees the connection closed before any answer (tested in `fault_layer_tests`).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{header, request::Parts, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::Frame;

use super::aliyun::response::Format;
use super::faults::FaultKind;
use super::server::Shared;
use super::{aliyun, baishan, ctg};

/// What the layer buffers of a request body to read its parameters; axum's own default limit
/// for the handlers' `Bytes`, so a larger body is refused as they would refuse it.
const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// An error answer the layer injects, rendered by each vendor in its own envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InjectedError {
    Internal,
    Unavailable,
    Throttle,
}

/// How a vendor handler answered, attached to its response for the answer log: `"200"` on
/// success, else the status and the vendor's error (Alibaba's `Code`, Baishan's `message`,
/// CTG's `error`), e.g. `"400 DomainAlreadyExist"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AnswerNote(pub String);

impl AnswerNote {
    pub fn new(status: u16, detail: Option<&str>) -> Self {
        match detail {
            Some(d) if !(200..300).contains(&status) => AnswerNote(format!("{status} {d}")),
            _ => AnswerNote(status.to_string()),
        }
    }
}

/// The vendor and action of a request, as `RequestInfo` names them.
struct Target {
    vendor: &'static str,
    action: String,
    /// The answer format Alibaba would use (its error envelopes depend on it).
    format: Format,
}

impl Target {
    /// Alibaba on `/` (its `Action` from the query or form body), Baishan on `/v2...` and CTG
    /// on `/API/...` (`METHOD /path`); `None` for any other path.
    fn of(parts: &Parts, body: &[u8]) -> Option<Target> {
        let path = parts.uri.path();
        let call = || format!("{} {path}", parts.method);
        if path == "/" {
            let content_type = parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok());
            let (action, format) = aliyun::action_and_format(parts.uri.query(), content_type, body);
            Some(Target {
                vendor: "aliyun",
                action,
                format,
            })
        } else if path == "/v2" || path.starts_with("/v2/") {
            Some(Target {
                vendor: "baishan",
                action: call(),
                format: Format::Json,
            })
        } else if path.starts_with("/API/") {
            Some(Target {
                vendor: "ctg",
                action: call(),
                format: Format::Json,
            })
        } else {
            None
        }
    }

    fn injected(&self, shared: &Shared, error: InjectedError) -> Response {
        match self.vendor {
            "aliyun" => aliyun::injected(error, self.format),
            "baishan" => baishan::injected(error, &shared.config.baishan_limits),
            _ => ctg::injected(error),
        }
    }
}

/// The layer (`axum::middleware::from_fn_with_state`).
pub(crate) async fn layer(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "length limit exceeded").into_response();
    };
    let target = Target::of(&parts, &bytes);
    let request = Request::from_parts(parts, Body::from(bytes));
    let Some(target) = target else {
        return next.run(request).await;
    };
    let decision = shared.decide_fault(target.vendor, &target.action);
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    let injected = |e| target.injected(&shared, e);
    match decision.fault {
        None => served(&shared, &target, next.run(request).await),
        Some(FaultKind::InternalError) => injected(InjectedError::Internal),
        Some(FaultKind::Unavailable) => injected(InjectedError::Unavailable),
        Some(FaultKind::Throttle) => injected(InjectedError::Throttle),
        Some(FaultKind::Reset) => no_answer(),
        Some(FaultKind::Timeout) => {
            shared.hold(shared.fault_hold()).await;
            no_answer()
        }
        Some(FaultKind::Lost) => {
            // The real handler runs in full (authentication and nonce included) and its
            // answer is noted, then thrown away.
            drop(served(&shared, &target, next.run(request).await));
            no_answer()
        }
    }
}

/// Notes how the handler answered, and passes the answer on.
fn served(shared: &Shared, target: &Target, response: Response) -> Response {
    if let Some(note) = response.extensions().get::<AnswerNote>() {
        shared.note_answer(target.vendor, &target.action, &note.0);
    }
    response
}

/// A response hyper never sends: its body fails at once, so hyper closes the connection.
fn no_answer() -> Response {
    Response::new(Body::new(Aborted))
}

/// A body whose first frame is an error.
struct Aborted;

impl HttpBody for Aborted {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        Poll::Ready(Some(Err(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            "the emulator's fault injection dropped this answer",
        ))))
    }
}
