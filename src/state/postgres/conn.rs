//! One PostgreSQL session on a thread of its own, the connection string that
//! opens it (never shown), and the scrubbing of error texts.
//!
//! The `postgres` crate drives each connection with a private tokio runtime
//! and panics when called from inside another runtime, which is exactly where
//! the CLI calls its backend (async tasks on a multi-thread runtime). So a
//! session lives on a plain thread that owns the `postgres::Client`; callers
//! send it closures and wait for the answer on a channel: a blocking call,
//! like the local backend's fsync, that works from any thread.

use super::super::error::StateError;
use postgres::{Client, Config, NoTls};
use std::fmt;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

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

/// What a job can fail with: the server (or the link to it), a state error
/// the job decided on, or the session's thread being gone.
#[derive(Debug)]
pub(crate) enum Failure {
    Db(postgres::Error),
    State(StateError),
    Closed,
}

impl From<postgres::Error> for Failure {
    fn from(e: postgres::Error) -> Self {
        Failure::Db(e)
    }
}

impl From<StateError> for Failure {
    fn from(e: StateError) -> Self {
        Failure::State(e)
    }
}

type Job = Box<dyn FnOnce(&mut Link) + Send>;

/// The session thread's side: the client, and how to reopen it.
struct Link {
    client: Client,
    config: Config,
    reconnect: bool,
}

impl Link {
    /// The client, first reconnected if the server closed it and this
    /// session may be reopened (never a lock's: a new session would not
    /// hold the lock).
    fn client(&mut self) -> Result<&mut Client, postgres::Error> {
        if self.reconnect && self.client.is_closed() {
            self.client = connect(&self.config)?;
        }
        Ok(&mut self.client)
    }

    /// Whether `e` means the session is gone. The server's FATAL message
    /// (an administrator ended the session, the server is shutting down)
    /// can arrive before the client has noticed the closed socket.
    fn lost(&self, e: &postgres::Error) -> bool {
        self.client.is_closed()
            || e.is_closed()
            || e.as_db_error().is_some_and(|db| db.severity() == "FATAL")
    }

    /// Run `f`; if the session was lost under it (the server restarted, an
    /// administrator ended it, the network dropped), run it once more on a
    /// new session. Every job is safe to repeat: reads, transactions that
    /// check what is stored, and journal inserts of idempotent operations.
    fn run<T>(&mut self, f: &dyn Fn(&mut Client) -> Result<T, Failure>) -> Result<T, Failure> {
        let first = self.client().map_err(Failure::Db).and_then(f);
        match first {
            Err(Failure::Db(e)) if self.reconnect && self.lost(&e) => {
                self.client = connect(&self.config)?;
                f(&mut self.client)
            }
            other => other,
        }
    }
}

/// Open a session. Our writes must survive a server crash once committed,
/// so a server (or role) default of `synchronous_commit = off` is overridden.
fn connect(config: &Config) -> Result<Client, postgres::Error> {
    let mut client = config.connect(NoTls)?;
    let row = client.query_one("SELECT current_setting('synchronous_commit')", &[])?;
    if row.get::<_, String>(0) == "off" {
        client.batch_execute("SET synchronous_commit = on")?;
    }
    Ok(client)
}

/// A session on its own thread; closed (and its session-level locks
/// released by the server) when dropped.
pub(crate) struct PgConn {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

/// How long to wait for a connection when the string does not say.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

impl PgConn {
    /// Connect; `reconnect` lets later calls reopen a session the server
    /// closed.
    pub fn open(config: &Config, reconnect: bool) -> Result<PgConn, Failure> {
        let mut config = config.clone();
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("cdnform");
        }
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (ready, opened) = mpsc::sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("cdnform-postgres".into())
            .spawn(move || {
                let client = match connect(&config) {
                    Ok(c) => c,
                    Err(e) => {
                        let _ = ready.send(Err(e));
                        return;
                    }
                };
                let _ = ready.send(Ok(()));
                let mut link = Link {
                    client,
                    config,
                    reconnect,
                };
                for job in inbox {
                    job(&mut link);
                }
                // Dropping the link closes the session.
            })
            .map_err(|e| {
                Failure::State(StateError::BackendConfig {
                    detail: format!("cannot start a thread for the PostgreSQL session: {e}"),
                })
            })?;
        match opened.recv() {
            Ok(Ok(())) => Ok(PgConn {
                jobs: Some(jobs),
                thread: Some(thread),
            }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(Failure::Db(e))
            }
            Err(_) => Err(Failure::Closed),
        }
    }

    /// Run `f` with the session's client and wait for its result.
    pub fn call<T, F>(&self, f: F) -> Result<T, Failure>
    where
        T: Send + 'static,
        F: Fn(&mut Client) -> Result<T, Failure> + Send + 'static,
    {
        let (reply, answer) = mpsc::sync_channel(1);
        let job: Job = Box::new(move |link| {
            let _ = reply.send(link.run(&f));
        });
        let jobs = self.jobs.as_ref().ok_or(Failure::Closed)?;
        jobs.send(job).map_err(|_| Failure::Closed)?;
        answer.recv().unwrap_or(Err(Failure::Closed))
    }
}

impl Drop for PgConn {
    fn drop(&mut self) {
        // Closing the channel ends the thread's loop; joining makes sure the
        // session is closed (and its locks released) when drop returns.
        drop(self.jobs.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
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
    fn url_password_is_found() {
        assert_eq!(url_password("postgres://u:p@h/db"), Some("p"));
        assert_eq!(url_password("postgresql://u:p@ss@h/db"), Some("p@ss"));
        assert_eq!(url_password("postgres://u@h/db"), None);
        assert_eq!(url_password("host=h password=p"), None);
    }
}
