//! Test-only canned HTTP responder on 127.0.0.1 for the JSON vendor clients
//! (Baishan, CTG): records each request (method, path below the base URL,
//! decoded query, headers, JSON body) and answers from a script with a
//! status, headers and a JSON body. A scripted stand-in for unit tests, not
//! the emulator. Each vendor adds its own success envelope (`ok`).

use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    /// Below the base URL: `/domain/config`, `/API/domain/origin`.
    pub path: String,
    pub query: Vec<(String, String)>,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    /// `PUT /API/domain/origin`.
    pub fn action(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    /// Close the connection without answering (a lost answer).
    pub dropped: bool,
}

pub fn json_reply(status: u16, body: Value) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: body.to_string(),
        dropped: false,
    }
}

/// No answer: the request was read, then the connection is closed.
pub fn dropped() -> Reply {
    Reply {
        dropped: true,
        ..json_reply(0, Value::Null)
    }
}

impl Reply {
    pub fn header(mut self, name: &'static str, value: impl ToString) -> Reply {
        self.headers.push((name, value.to_string()));
        self
    }
}

/// An answer that may take its time (a test holding answers back).
pub type Later = Pin<Box<dyn Future<Output = Reply> + Send>>;

type Responder = dyn Fn(Seen, usize) -> Later + Send + Sync;

pub struct Canned {
    /// The base URL, `prefix` included.
    pub endpoint: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Canned {
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
    pub fn actions(&self) -> Vec<String> {
        self.seen().iter().map(Seen::action).collect()
    }
}

/// A responder whose base URL ends in `prefix` (`/v2`, or empty); recorded
/// paths are below it.
pub async fn canned_at(
    prefix: &'static str,
    responder: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static,
) -> Canned {
    canned_later(prefix, move |s, n| {
        let reply = responder(&s, n);
        Box::pin(std::future::ready(reply))
    })
    .await
}

/// [`canned_at`] with answers that are futures: each request is served on
/// its own task, so one answer held back holds no other.
pub async fn canned_later(
    prefix: &'static str,
    responder: impl Fn(Seen, usize) -> Later + Send + Sync + 'static,
) -> Canned {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let responder: Arc<Responder> = Arc::new(responder);
    let s2 = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let seen = s2.clone();
            let responder = responder.clone();
            tokio::spawn(async move {
                let Some(req) = read_request(&mut sock, prefix).await else {
                    return;
                };
                let n = {
                    let mut s = seen.lock().unwrap();
                    s.push(req.clone());
                    s.len() - 1
                };
                let reply = responder(req, n).await;
                if reply.dropped {
                    return;
                }
                let extra: String = reply
                    .headers
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}\r\n"))
                    .collect();
                let head = format!(
                    "HTTP/1.1 {} X\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
                    reply.status,
                    reply.body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(reply.body.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    Canned {
        endpoint: format!("http://{addr}{prefix}"),
        seen,
    }
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " "))
        .decode_utf8()
        .unwrap()
        .to_string()
}

async fn read_request(sock: &mut tokio::net::TcpStream, prefix: &str) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8(buf[head_end..head_end + len].to_vec()).ok()?;
    let headers = head
        .lines()
        .skip(1)
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            Some((k.trim().to_ascii_lowercase(), v.trim().to_string()))
        })
        .collect();
    let mut first = head.lines().next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    Some(Seen {
        method,
        path: path.strip_prefix(prefix).unwrap_or(path).to_string(),
        headers,
        query,
        body: serde_json::from_str(&body).unwrap_or(Value::Null),
    })
}
