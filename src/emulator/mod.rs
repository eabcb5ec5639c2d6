//! The CDN vendor emulator: an independent reading of the vendors' API documents, served over
//! HTTP for tests and for trying cdnform without a real account. It uses nothing else of this
//! crate, so a misreading shared with the client cannot pass on both sides.
//!
//! Vendors: Alibaba Cloud CDN on `/` (`?Action=`), Baishan Cloud CDN on `/v2/...`
//! (`?token=`) and CTG overseas fused CDN on `/API/...` (`Authorization: Bearer`). Each has
//! domains, their configuration, and cache purge/preload tasks with daily quotas (`content`;
//! tests inspect them through the accessors in `inspect`).
//!
//! Faults (latency, error answers, dropped connections, answers that never come, lost
//! answers) are injected by a layer in front of every vendor, as `faults::FaultPlan` says;
//! see `EmulatorConfig::faults` and `EmulatorHandle::set_faults`.

mod aliyun;
mod baishan;
mod content;
mod ctg;
mod fault_layer;
#[cfg(test)]
mod fault_layer_tests;
mod faults;
#[cfg(test)]
mod faults_tests;
mod hooks;
mod inspect;
mod server;
mod store;
mod window;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use aliyun::throttle::AliyunLimits;
pub use baishan::BaishanLimits;
pub use content::{ContentKind, ContentTask, DailyQuotas, QuotaUsage, TaskPhase, Vendor};
pub use faults::{Decision, FaultCounts, FaultKind, FaultPlan, FaultRule, FaultVendor};
pub use hooks::{RawAnswer, Refusal, RequestHook, RequestInfo};

use server::Shared;
use store::{Store, StoreError, World};

#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Accepted Alibaba (AccessKeyId, AccessKeySecret) pairs.
    pub aliyun_keys: Vec<(String, String)>,
    /// How long a new or changed domain, and a written function configuration, stays
    /// `configuring` (Alibaba); also how long a new, enabled/disabled or reconfigured Baishan
    /// domain stays `deploying`.
    pub configuring_delay: Duration,
    /// `DomainOverLimit` past this many domains (per vendor: Baishan answers a 400).
    pub max_domains: usize,
    /// Where the world is persisted (atomically, after every change) and loaded from at start.
    pub data_file: Option<PathBuf>,
    /// Accepted Baishan API tokens.
    pub baishan_tokens: Vec<String>,
    /// Baishan rate limits, per token.
    pub baishan_limits: BaishanLimits,
    /// Accepted CTG (access_key, secret_key) pairs.
    pub ctg_keys: Vec<(String, String)>,
    /// How long a CTG token is valid (the answer's `expire`).
    pub ctg_token_lifetime: Duration,
    /// How long a purge or preload task takes, every vendor: pending for the first half,
    /// running for the second, then done (or failed). Default 1 s; tests use small values.
    pub task_delay: Duration,
    /// Alibaba's daily refresh/push quotas (default `DailyQuotas::aliyun()`: 10,000 URLs,
    /// 100 directories, 20 regular expressions, 1,000 pushed URLs).
    pub aliyun_quotas: DailyQuotas,
    /// Alibaba's per-account, per-action call limits (default: API-NOTES' table;
    /// `AliyunLimits::unlimited()` turns them off).
    pub aliyun_limits: AliyunLimits,
    /// Baishan's daily quotas (default `DailyQuotas::baishan()`: 10,000 prefetched URLs as
    /// documented; refresh 10,000 URLs and 100 directories MODELLED).
    pub baishan_quotas: DailyQuotas,
    /// CTG's daily quotas (default `DailyQuotas::ctg()`, all MODELLED: 10,000 purged URLs,
    /// 100 purged directories, 10,000 prefetched URLs).
    pub ctg_quotas: DailyQuotas,
    /// The faults injected in front of every vendor (default: none); changed at run time by
    /// `EmulatorHandle::set_faults`.
    pub faults: FaultPlan,
    /// Added to every request before it is handled, as a network round trip would (default
    /// zero; the benchmark sets it).
    pub latency: Duration,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            // The seeds' example key pair.
            aliyun_keys: vec![("testid".into(), "testsecret".into())],
            configuring_delay: Duration::from_secs(1),
            max_domains: 500,
            data_file: None,
            baishan_tokens: vec!["testtoken".into()],
            baishan_limits: BaishanLimits::default(),
            // API-NOTES' signature vector pair.
            ctg_keys: vec![("testid".into(), "testsecret".into())],
            // API-NOTES: tokens live 2 hours.
            ctg_token_lifetime: Duration::from_secs(2 * 3600),
            task_delay: Duration::from_secs(1),
            aliyun_quotas: DailyQuotas::aliyun(),
            aliyun_limits: AliyunLimits::default(),
            baishan_quotas: DailyQuotas::baishan(),
            ctg_quotas: DailyQuotas::ctg(),
            faults: FaultPlan::none(),
            latency: Duration::ZERO,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot read emulator data file {path}: {source}")]
    DataFileUnreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid fault plan: {0}")]
    Faults(String),
    #[error(
        "emulator data file {path} is corrupt; it was left untouched, move or fix it: {source}"
    )]
    DataFileCorrupt {
        path: PathBuf,
        source: serde_json::Error,
    },
}

impl From<StoreError> for EmulatorError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unreadable { path, source } | StoreError::Write { path, source } => {
                EmulatorError::DataFileUnreadable { path, source }
            }
            StoreError::Corrupt { path, source } => EmulatorError::DataFileCorrupt { path, source },
        }
    }
}

/// Loads the world (if a data file is configured), binds `listen` (port 0 picks a free port)
/// and serves on the current tokio runtime until `EmulatorHandle::shutdown`.
pub async fn start(
    config: EmulatorConfig,
    listen: SocketAddr,
) -> Result<EmulatorHandle, EmulatorError> {
    config.faults.validate().map_err(EmulatorError::Faults)?;
    let store = config.data_file.clone().map(Store::new);
    let world = match &store {
        Some(s) => s.load()?,
        None => World::default(),
    };
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| EmulatorError::Bind {
            addr: listen,
            source,
        })?;
    let addr = listener
        .local_addr()
        .map_err(|source| EmulatorError::Bind {
            addr: listen,
            source,
        })?;
    let shared = Arc::new(Shared::new(config, world, store));
    let router = server::build_router(shared.clone());
    let counted = shared.clone();
    let listener = axum::serve::ListenerExt::tap_io(listener, move |tcp| {
        counted
            .connections
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        // As a real API front end does: answers go out at once.
        let _ = tcp.set_nodelay(true);
    });
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stop_rx.await;
            })
            .await;
    });
    Ok(EmulatorHandle {
        addr,
        shared,
        stop: stop_tx,
        task,
    })
}

pub struct EmulatorHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl EmulatorHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://IP:PORT` of the listener (Alibaba is at `/` of it, Baishan at `/v2/`, CTG at
    /// `/API/`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The world's Alibaba domains, in name order, each as `{DomainName, CdnType, DomainStatus,
    /// Scope, Cname, HttpsCname, GmtCreated, GmtModified, Sources: [{content, type, port,
    /// priority, weight}]}` (status as of now).
    pub fn aliyun_domains(&self) -> serde_json::Value {
        let now = Utc::now();
        let world = self.shared.snapshot();
        serde_json::Value::Array(
            world
                .aliyun
                .domains
                .values()
                .map(|d| d.to_world_json(now))
                .collect(),
        )
    }

    /// How many Alibaba calls with this `Action` passed authentication (successful or not,
    /// `Throttling` refusals included) since the start or the last `reset_calls`.
    pub fn aliyun_calls(&self, action: &str) -> usize {
        self.shared.aliyun_calls(action)
    }

    /// The world's Baishan domains (deleted ones left out), in name order, each as `{id,
    /// domain, type, status, cname, config}` as `GET /v2/domain` answers it (status as of now).
    pub fn baishan_domains(&self) -> serde_json::Value {
        let now = Utc::now();
        let world = self.shared.snapshot();
        serde_json::Value::Array(
            world
                .baishan
                .domains
                .values()
                .filter(|d| !d.deleted)
                .map(|d| d.detail(now))
                .collect(),
        )
    }

    /// How many Baishan requests to `method_and_path` (e.g. `"POST /v2/domain/config"`)
    /// passed the token check since the start or the last `reset_calls`, whatever their
    /// outcome, rate-limited (429) ones included.
    pub fn baishan_calls(&self, method_and_path: &str) -> usize {
        self.shared.baishan_calls(method_and_path)
    }

    /// The world's CTG domains, in name order, each as `{domain, cname, product, status,
    /// origin, config}` where `config` holds the set features by path name (status as of now).
    pub fn ctg_domains(&self) -> serde_json::Value {
        let now = Utc::now();
        let world = self.shared.snapshot();
        serde_json::Value::Array(
            world
                .ctg
                .domains
                .values()
                .map(|d| {
                    let mut v = d.detail(now);
                    v["config"] = serde_json::Value::Object(d.config.clone());
                    v
                })
                .collect(),
        )
    }

    /// How many CTG requests to `method_and_path` (e.g. `"POST /API/OAuth/token"`) were
    /// received since the start or the last `reset_calls`: token requests whatever their
    /// outcome, other requests once their bearer token was accepted (whatever the outcome).
    pub fn ctg_calls(&self, method_and_path: &str) -> usize {
        self.shared.ctg_calls(method_and_path)
    }

    /// Every call count of `vendor` (`"aliyun"`: by `Action`; `"baishan"`, `"ctg"`: by
    /// `METHOD /path`), counted as `aliyun_calls`, `baishan_calls` and `ctg_calls` describe.
    pub fn call_counts(&self, vendor: &str) -> std::collections::BTreeMap<String, usize> {
        self.shared.call_counts(vendor)
    }

    /// The most requests (any vendor) served at once since the start or the previous call.
    pub fn take_peak_in_flight(&self) -> usize {
        self.shared.take_peak_in_flight()
    }

    /// TCP connections accepted since the emulator started.
    pub fn connections_accepted(&self) -> usize {
        self.shared
            .connections
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Sets every call count (Alibaba, Baishan and CTG), the answer log and the fault counts
    /// back to zero.
    pub fn reset_calls(&self) {
        self.shared.reset_calls();
    }

    /// Installs a per-request hook (fault injection, rate limits); see `RequestHook`.
    pub fn add_hook(&self, hook: Arc<dyn RequestHook>) {
        self.shared.add_hook(hook);
    }

    /// Puts `plan` in force for the requests that arrive from now on (its decisions start
    /// afresh from its seed; the fault counts are kept). An invalid plan (a rate outside
    /// `[0, 1]`) is refused and the plan in force kept.
    pub fn set_faults(&self, plan: FaultPlan) -> Result<(), EmulatorError> {
        plan.validate().map_err(EmulatorError::Faults)?;
        self.shared.set_faults(plan);
        Ok(())
    }

    /// The fault plan in force.
    pub fn faults(&self) -> FaultPlan {
        self.shared.faults()
    }

    /// How many faults of each kind were injected (and requests delayed) since the start or
    /// the last `reset_calls`.
    pub fn faults_injected(&self) -> FaultCounts {
        self.shared.fault_counts()
    }

    /// `faults_injected` for the requests of `vendor` with `action` alone (named as fault
    /// rules name them, e.g. `("aliyun", "AddCdnDomain")`, `("ctg", "POST /API/domain")`).
    pub fn faults_injected_for(&self, vendor: &str, action: &str) -> FaultCounts {
        self.shared.fault_counts_for(vendor, action)
    }

    /// How the vendor handlers answered requests of `vendor` (`"aliyun"`, `"baishan"`,
    /// `"ctg"`) and `action` (as fault rules name it: `AddCdnDomain`, `POST /v2/domain`,
    /// `POST /API/domain`) since the start or the last `reset_calls`: a count per answer,
    /// `"200"` for success, else the status and the vendor's error (Alibaba's `Code`,
    /// Baishan's `message`, CTG's `error`), e.g. `"400 DomainAlreadyExist"`. Lost answers
    /// count (the handler answered; the client never saw it); injected errors, resets and
    /// timeouts do not (no handler ran).
    pub fn answers(&self, vendor: &str, action: &str) -> BTreeMap<String, usize> {
        self.shared.answers(vendor, action)
    }

    /// Stops accepting, ends the requests a fault holds, lets the other requests in flight
    /// finish, and waits for the server task.
    pub async fn shutdown(self) {
        self.shared.stop_holding();
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}
