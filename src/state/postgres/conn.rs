//! One PostgreSQL session on a thread of its own.
//!
//! The `postgres` crate drives each connection with a private tokio runtime
//! and panics when called from inside another runtime, which is exactly where
//! the CLI calls its backend (async tasks on a multi-thread runtime). So a
//! session lives on a plain thread that owns the `postgres::Client`; callers
//! send it closures and wait for the answer on a channel: a blocking call,
//! like the local backend's fsync, that works from any thread.

use crate::state::error::StateError;
use postgres::{Client, Config, NoTls};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

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
