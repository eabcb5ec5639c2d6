//! Neutral provider errors. Each vendor maps its own codes onto `ErrorKind`;
//! the vendor's code, message and request id are kept for the user.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    AlreadyExists,
    /// Rate limited: retry after a wait.
    Throttled,
    /// The resource is busy (e.g. configuring): retry after a wait.
    Busy,
    /// Server-side failure (5xx, service unavailable): retryable.
    Server,
    /// Connection failure or timeout before a request was surely processed.
    Transport,
    /// The request may or may not have taken effect (lost answer).
    OutcomeUnknown,
    Auth,
    Quota,
    Invalid,
    Other,
}

impl ErrorKind {
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorKind::Throttled | ErrorKind::Busy | ErrorKind::Server | ErrorKind::Transport
        )
    }
}

/// Whether a call changes anything: decides what a lost answer means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Read,
    Write,
}

#[derive(Clone, Debug)]
pub struct ProviderError {
    pub vendor: &'static str,
    /// The vendor API action, e.g. `AddCdnDomain`.
    pub action: String,
    pub kind: ErrorKind,
    /// The vendor's error code, e.g. `SignatureDoesNotMatch`.
    pub code: Option<String>,
    pub message: String,
    pub request_id: Option<String>,
    pub http_status: Option<u16>,
    /// Server-suggested wait (Retry-After and friends).
    pub retry_after: Option<std::time::Duration>,
}

impl ProviderError {
    pub fn new(
        vendor: &'static str,
        action: impl Into<String>,
        kind: ErrorKind,
        message: impl Into<String>,
    ) -> Self {
        ProviderError {
            vendor,
            action: action.into(),
            kind,
            code: None,
            message: message.into(),
            request_id: None,
            http_status: None,
            retry_after: None,
        }
    }
}

impl ProviderError {
    /// Local validation refused a domain before any call: every problem, by
    /// attribute.
    pub fn invalid(
        vendor: &'static str,
        action: &str,
        problems: &[crate::provider::Invalid],
    ) -> Self {
        let text: Vec<String> = problems
            .iter()
            .map(|p| format!("{}: {}", p.pointer, p.message))
            .collect();
        ProviderError::new(vendor, action, ErrorKind::Invalid, text.join("; "))
    }

    /// A failure to talk to the server at all. `sent`: the request may have
    /// reached the server (a timeout or a connection dropped after sending),
    /// in which case a write's outcome is unknown.
    pub fn transport(
        vendor: &'static str,
        action: &str,
        message: String,
        sent: bool,
        effect: Effect,
    ) -> Self {
        let kind = match (sent, effect) {
            (true, Effect::Write) => ErrorKind::OutcomeUnknown,
            _ => ErrorKind::Transport,
        };
        ProviderError::new(vendor, action, kind, message)
    }

    /// A success answer we could not understand. For a write that is no
    /// proof of success (it may come from something in between), so its
    /// outcome is unknown.
    pub fn malformed(vendor: &'static str, action: &str, why: &str, effect: Effect) -> Self {
        let kind = match effect {
            Effect::Read => ErrorKind::Other,
            Effect::Write => ErrorKind::OutcomeUnknown,
        };
        ProviderError::new(vendor, action, kind, format!("unreadable answer: {why}"))
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} failed: ", self.vendor, self.action)?;
        if let Some(code) = &self.code {
            write!(f, "{code}: ")?;
        }
        f.write_str(&self.message)?;
        let mut extra = Vec::new();
        if let Some(s) = self.http_status {
            extra.push(format!("HTTP {s}"));
        }
        if let Some(r) = &self.request_id {
            extra.push(format!("RequestId {r}"));
        }
        if !extra.is_empty() {
            write!(f, " ({})", extra.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for ProviderError {}
