//! Test-only canned HTTP responder on 127.0.0.1: records each form POST's
//! decoded parameters and answers from a script (or drops the connection).
//! A scripted stand-in for unit tests, not the emulator.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Clone, Debug)]
pub struct Seen {
    pub content_type: String,
    pub method: String,
    pub params: BTreeMap<String, String>,
}

impl Seen {
    pub fn action(&self) -> &str {
        &self.params["Action"]
    }
}

pub enum Reply {
    Json(u16, String),
    Xml(u16, String),
    /// A JSON answer with a `Retry-After: <seconds>` header.
    JsonRetryAfter(u16, String, u64),
    /// Read the request, then close without answering.
    Drop,
}

type Responder = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

pub struct Canned {
    pub endpoint: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Canned {
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
    pub fn actions(&self) -> Vec<String> {
        self.seen().iter().map(|s| s.action().to_string()).collect()
    }
}

pub async fn canned(responder: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Canned {
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
                let Some(req) = read_request(&mut sock).await else {
                    return;
                };
                let n = {
                    let mut s = seen.lock().unwrap();
                    s.push(req.clone());
                    s.len() - 1
                };
                let json = "application/json;charset=utf-8";
                let (status, ctype, body, extra) = match responder(&req, n) {
                    Reply::Json(s, b) => (s, json, b, String::new()),
                    Reply::JsonRetryAfter(s, b, secs) => {
                        (s, json, b, format!("Retry-After: {secs}\r\n"))
                    }
                    Reply::Xml(s, b) => (s, "text/xml;charset=utf-8", b, String::new()),
                    Reply::Drop => return,
                };
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(body.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    Canned {
        endpoint: format!("http://{addr}/"),
        seen,
    }
}

async fn read_request(sock: &mut tokio::net::TcpStream) -> Option<Seen> {
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
    let header = |name: &str| {
        head.lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| v.trim().to_string())
            })
            .unwrap_or_default()
    };
    let len: usize = header("content-length").parse().unwrap_or(0);
    while buf.len() < head_end + len {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8(buf[head_end..head_end + len].to_vec()).ok()?;
    let params = body
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8()
                    .unwrap()
                    .to_string()
            };
            (dec(k), dec(v))
        })
        .collect();
    Some(Seen {
        content_type: header("content-type"),
        method: head.split(' ').next().unwrap_or_default().to_string(),
        params,
    })
}
