//! Vendor endpoints: `https://` unless told otherwise, and plain `http://`
//! only to a loopback host (credentials or tokens travel with every call).
//! Shared by every vendor client.

use crate::provider::{ErrorKind, ProviderError};
use reqwest::Url;

fn config_error(vendor: &'static str, message: String) -> ProviderError {
    ProviderError::new(vendor, "configure", ErrorKind::Invalid, message)
}

/// Parse `endpoint` for `vendor`: a missing scheme means `https://`; a
/// trailing `/` is dropped; http only to 127.0.0.0/8, localhost or ::1; no
/// query or credentials in the URL.
pub fn parse_endpoint(vendor: &'static str, endpoint: &str) -> Result<Url, ProviderError> {
    let trimmed = endpoint.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        return Err(config_error(vendor, format!("{vendor} endpoint is empty")));
    }
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        format!("https://{trimmed}")
    };
    let url = Url::parse(&with_scheme).map_err(|e| {
        config_error(
            vendor,
            format!("{vendor} endpoint {trimmed:?} is not a URL: {e}"),
        )
    })?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(config_error(
                vendor,
                format!(
                    "{vendor} endpoint {trimmed:?} uses plain http to a non-loopback host; use https \
                     (http is allowed only for 127.0.0.0/8, localhost and ::1: credentials travel with every call)"
                ),
            ))
        }
        other => {
            return Err(config_error(
                vendor,
                format!("{vendor} endpoint {trimmed:?} has unsupported scheme {other:?}; use https"),
            ))
        }
    }
    if url.host().is_none() {
        return Err(config_error(
            vendor,
            format!("{vendor} endpoint {trimmed:?} has no host"),
        ));
    }
    if url.query().is_some() || !url.username().is_empty() || url.password().is_some() {
        return Err(config_error(
            vendor,
            format!("{vendor} endpoint {trimmed:?} must not carry a query or credentials"),
        ));
    }
    Ok(url)
}

pub fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => bare.eq_ignore_ascii_case("localhost"),
    }
}

/// How long one HTTP request may take before it counts as a transport
/// failure (then retried, or settled by reading for a write): 30 s, or
/// `CDNFORM_HTTP_TIMEOUT` (e.g. `5s`) for slow links and for tests.
pub fn request_timeout() -> std::time::Duration {
    std::env::var("CDNFORM_HTTP_TIMEOUT")
        .ok()
        .and_then(|v| humantime::parse_duration(v.trim()).ok())
        .filter(|d| !d.is_zero())
        .unwrap_or(std::time::Duration::from_secs(30))
}

/// The HTTP client every vendor client uses: rustls, a connect timeout, the
/// per-request timeout, kept-alive pooled connections (one TLS handshake
/// serves many calls), and cdnform's user agent.
pub fn http_client(vendor: &'static str) -> Result<reqwest::Client, ProviderError> {
    reqwest::Client::builder()
        .use_rustls_tls()
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(request_timeout())
        .pool_idle_timeout(std::time::Duration::from_secs(90))
        .tcp_keepalive(std::time::Duration::from_secs(60))
        .user_agent(concat!("cdnform/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| config_error(vendor, format!("cannot build the HTTP client: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_by_default_http_only_to_loopback() {
        assert_eq!(
            parse_endpoint("x", "cdn.example.com/v2/").unwrap().as_str(),
            "https://cdn.example.com/v2"
        );
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9",
            "https://cdn.example.com",
        ] {
            assert!(parse_endpoint("x", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "http://cdn.example.com",
            "ftp://127.0.0.1",
            "https://u:p@cdn.example.com",
            "https://cdn.example.com/?a=1",
        ] {
            assert_eq!(
                parse_endpoint("x", bad).unwrap_err().kind,
                ErrorKind::Invalid,
                "{bad}"
            );
        }
    }
}
