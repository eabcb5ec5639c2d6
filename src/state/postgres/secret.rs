//! The connection string: kept out of every text cdnform shows (`Debug`
//! is `******`, there is no `Display`), parsed into a `postgres::Config`
//! with errors that do not quote it, and the `Redactor` that scrubs its
//! password from server and driver messages.

use crate::state::error::StateError;
use postgres::config::SslMode;
use postgres::Config;
use std::fmt;

/// The environment variable read when no connection string is configured
/// (the name Terraform's pg backend uses).
pub const CONN_STR_ENV: &str = "PG_CONN_STR";

const REDACTED: &str = "******";

/// A PostgreSQL connection string (`postgres://user:pass@host/db` or
/// `host=.. user=.. password=..`). It may hold a password, so it has no
/// `Display` and its `Debug` shows `******`.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnString(String);

impl ConnString {
    pub fn new(conn_str: impl Into<String>) -> ConnString {
        ConnString(conn_str.into())
    }

    /// `$PG_CONN_STR`, when set and not empty.
    pub fn from_env() -> Option<ConnString> {
        std::env::var(CONN_STR_ENV)
            .ok()
            .filter(|s| !s.trim().is_empty())
            .map(ConnString)
    }
}

impl fmt::Debug for ConnString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConnString({REDACTED})")
    }
}

impl From<String> for ConnString {
    fn from(s: String) -> Self {
        ConnString(s)
    }
}

impl From<&str> for ConnString {
    fn from(s: &str) -> Self {
        ConnString(s.to_string())
    }
}

/// Removes the connection string and its password from any text shown.
#[derive(Clone)]
pub(crate) struct Redactor {
    /// Longest first, so that a secret containing another is removed whole.
    secrets: Vec<String>,
}

impl Redactor {
    pub fn new(conn: &ConnString, config: &Config) -> Redactor {
        let mut secrets = vec![conn.0.clone()];
        if let Some(p) = config.get_password() {
            secrets.push(String::from_utf8_lossy(p).into_owned());
        }
        // In URL form the password may be written percent-encoded.
        if let Some(raw) = url_password(&conn.0) {
            secrets.push(raw.to_string());
        }
        secrets.retain(|s| !s.is_empty());
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Redactor { secrets }
    }

    pub fn clean(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            out = out.replace(s.as_str(), REDACTED);
        }
        out
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

/// The password as written in `postgres://user:PASSWORD@host/...`.
fn url_password(conn: &str) -> Option<&str> {
    let rest = conn
        .strip_prefix("postgres://")
        .or_else(|| conn.strip_prefix("postgresql://"))?;
    let authority = rest.split(['/', '?']).next()?;
    let (userinfo, _) = authority.rsplit_once('@')?;
    userinfo.split_once(':').map(|(_, p)| p)
}

/// Parse a connection string. The parser's message is kept (it says what
/// is wrong), minus anything of the string itself that is not a keyword.
pub(crate) fn parse(conn: &ConnString) -> Result<Config, StateError> {
    let config = parse_text(conn)?;
    if config.get_ssl_mode() == SslMode::Require {
        // Said plainly here rather than as a failed handshake later.
        return Err(StateError::BackendConfig {
            detail: "sslmode=require cannot be met: this build of cdnform connects to \
                     PostgreSQL without TLS; use a trusted network or a TLS tunnel \
                     (stunnel, an SSH tunnel, a sidecar proxy) with sslmode=disable"
                .into(),
        });
    }
    Ok(config)
}

fn parse_text(conn: &ConnString) -> Result<Config, StateError> {
    conn.0.parse::<Config>().map_err(|e| {
        let mut detail = error_text(&e);
        // "expected `=` but got `x`": `x` may be a character of the password.
        if let Some(i) = detail.find(" but got") {
            detail.truncate(i);
        }
        for token in conn
            .0
            .split(|c: char| c.is_whitespace() || "=:@/?&,'\"\\".contains(c))
        {
            if !token.is_empty() && !KEYWORDS.contains(&token) {
                detail = detail.replace(token, REDACTED);
            }
        }
        StateError::BackendConfig {
            detail: format!(
                "the PostgreSQL connection string is not valid ({detail}); it is not \
                 shown because it may hold a password"
            ),
        }
    })
}

/// Words of a connection string that are not secret: libpq's keywords and
/// the URL schemes. Anything else is scrubbed from a parse error.
const KEYWORDS: &[&str] = &[
    "postgres",
    "postgresql",
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "options",
    "application_name",
    "fallback_application_name",
    "connect_timeout",
    "client_encoding",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "keepalives_retries",
    "tcp_user_timeout",
    "replication",
    "gssencmode",
    "sslmode",
    "sslnegotiation",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "krbsrvname",
    "gsslib",
    "service",
    "target_session_attrs",
    "load_balance_hosts",
    "channel_binding",
];

/// An error and its causes on one line. For a server error: its message,
/// detail, hint and SQLSTATE.
pub(crate) fn error_text(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut s = format!("{}: {}", db.severity(), db.message());
        if let Some(d) = db.detail() {
            s.push_str(&format!("; {d}"));
        }
        if let Some(h) = db.hint() {
            s.push_str(&format!("; hint: {h}"));
        }
        s.push_str(&format!(" (SQLSTATE {})", db.code().code()));
        return s;
    }
    let mut s = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        s.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conn_string_debug_is_redacted() {
        let c = ConnString::new("postgres://u:hunter2@db/x");
        assert_eq!(format!("{c:?}"), "ConnString(******)");
    }

    #[test]
    fn redactor_removes_password_in_both_spellings() {
        let c = ConnString::new("postgres://u:p%40ss@db:5432/x");
        let config = parse(&c).unwrap();
        let r = Redactor::new(&c, &config);
        assert_eq!(r.clean("a p@ss b p%40ss c"), "a ****** b ****** c");
        let c = ConnString::new("host=db user=u password='s3 cret'");
        let config = parse(&c).unwrap();
        assert_eq!(Redactor::new(&c, &config).clean("x s3 cret"), "x ******");
    }

    #[test]
    fn parse_errors_do_not_quote_the_string() {
        for (conn, secret) in [
            ("host=db password=abc secretpart=1", "secretpart"),
            ("host=db password=abc def", "def"),
            ("host=db port=hunter2", "hunter2"),
            ("postgres://u:hunter2@db:notaport/x", "hunter2"),
        ] {
            let err = parse(&ConnString::new(conn)).unwrap_err();
            let text = format!("{err} {err:?}");
            assert!(!text.contains(secret), "{text}");
            assert!(text.contains("connection string is not valid"), "{text}");
        }
    }

    #[test]
    fn sslmode_require_is_refused_plainly() {
        let err = parse(&ConnString::new("postgres://u:p@db/x?sslmode=require")).unwrap_err();
        assert!(err.to_string().contains("without TLS"), "{err}");
        assert!(parse(&ConnString::new("host=db sslmode=prefer")).is_ok());
    }

    #[test]
    fn url_password_is_found() {
        assert_eq!(url_password("postgres://u:p@h/db"), Some("p"));
        assert_eq!(url_password("postgresql://u:p@ss@h/db"), Some("p@ss"));
        assert_eq!(url_password("postgres://u@h/db"), None);
        assert_eq!(url_password("host=h password=p"), None);
    }
}
