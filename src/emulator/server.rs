//! The shared server state (world, store, nonces, rate limits, CTG tokens, call counts,
//! hooks, fault plan and answer log) and the router that serves every vendor on its own
//! paths behind the fault layer.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::from_fn_with_state;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::any;
use axum::Router;
use tokio::sync::watch;

use chrono::{DateTime, Utc};

use super::aliyun;
use super::aliyun::auth::NonceCache;
use super::aliyun::errors::AliError;
use super::aliyun::throttle::CallLimiter;
use super::baishan;
use super::baishan::throttle::{Quota, Throttle};
use super::ctg;
use super::ctg::auth::Tokens;
use super::fault_layer;
use super::faults::{Decision, FaultBook, FaultCounts, FaultPlan};
use super::hooks::{self, Refusal, RequestHook, RequestInfo};
use super::store::{Store, StoreError, World};
use super::EmulatorConfig;

pub(crate) struct Shared {
    pub config: EmulatorConfig,
    world: Mutex<World>,
    store: Option<Store>,
    pub aliyun_nonces: Mutex<NonceCache>,
    hooks: RwLock<Vec<Arc<dyn RequestHook>>>,
    /// Alibaba calls that passed authentication, by `Action` (tests count them).
    aliyun_calls: Mutex<BTreeMap<String, usize>>,
    /// The open per-action call-limit windows of the Alibaba account.
    aliyun_limiter: Mutex<CallLimiter>,
    /// Baishan calls that passed the token check (throttled ones too), by `METHOD /path`.
    baishan_calls: Mutex<BTreeMap<String, usize>>,
    /// The open Baishan rate-limit windows of every token.
    baishan_throttle: Mutex<Throttle>,
    /// CTG calls by `METHOD /path`: token calls whatever their outcome, others once their
    /// bearer token is accepted.
    ctg_calls: Mutex<BTreeMap<String, usize>>,
    /// The CTG tokens issued by this process (not persisted).
    ctg_tokens: Mutex<Tokens>,
    /// The fault plan in force and the faults injected.
    faults: Mutex<FaultBook>,
    /// How the handlers answered, by (vendor, action), then by `AnswerNote`.
    answers: Mutex<BTreeMap<(String, String), BTreeMap<String, usize>>>,
    /// Set once the server shuts down: ends the requests a fault holds.
    stopping: watch::Sender<bool>,
    /// Requests being served now, and the most at once since the last `take_peak_in_flight`.
    in_flight: AtomicUsize,
    peak_in_flight: AtomicUsize,
    /// TCP connections accepted since the start (a client that keeps its
    /// connections alive opens few).
    pub connections: AtomicUsize,
}

/// A poisoned lock only means another request panicked; the data is still consistent because
/// every change is made on a draft and swapped in whole.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn new(config: EmulatorConfig, world: World, store: Option<Store>) -> Self {
        Shared {
            world: Mutex::new(world),
            store,
            aliyun_nonces: Mutex::new(NonceCache::default()),
            hooks: RwLock::new(Vec::new()),
            aliyun_calls: Mutex::new(BTreeMap::new()),
            aliyun_limiter: Mutex::new(CallLimiter::default()),
            baishan_calls: Mutex::new(BTreeMap::new()),
            baishan_throttle: Mutex::new(Throttle::default()),
            ctg_calls: Mutex::new(BTreeMap::new()),
            ctg_tokens: Mutex::new(Tokens::default()),
            faults: Mutex::new(FaultBook::new(config.faults.clone())),
            answers: Mutex::new(BTreeMap::new()),
            stopping: watch::Sender::new(false),
            in_flight: AtomicUsize::new(0),
            peak_in_flight: AtomicUsize::new(0),
            connections: AtomicUsize::new(0),
            config,
        }
    }

    /// Runs `f` on a draft of the world. If it reports a change, the draft is persisted
    /// first and only then becomes the world, so memory and file never disagree. Requests
    /// are serialised by the world lock, which is also what orders the file writes.
    pub fn transact<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut World) -> Result<(T, bool), E>,
    ) -> Result<T, E> {
        let mut world = lock(&self.world);
        let mut draft = world.clone();
        let (out, changed) = f(&mut draft)?;
        if changed {
            if let Some(store) = &self.store {
                store.save(&draft)?;
            }
            *world = draft;
        }
        Ok(out)
    }

    /// Runs `f` on the world as it is, for a request that only reads it: no draft is made
    /// (a copy of the whole world per read made every call cost in proportion to the
    /// account, and the emulator, not the client, bounded a large plan).
    pub fn read<T>(&self, f: impl FnOnce(&World) -> T) -> T {
        f(&lock(&self.world))
    }

    pub fn snapshot(&self) -> World {
        lock(&self.world).clone()
    }

    pub fn count_aliyun_call(&self, action: &str) {
        *lock(&self.aliyun_calls)
            .entry(action.to_string())
            .or_default() += 1;
    }

    pub fn aliyun_calls(&self, action: &str) -> usize {
        lock(&self.aliyun_calls).get(action).copied().unwrap_or(0)
    }

    /// Admits one Alibaba call of `action` under the configured per-action limits.
    pub fn aliyun_admit(&self, action: &str, now: DateTime<Utc>) -> Result<(), AliError> {
        lock(&self.aliyun_limiter).admit(&self.config.aliyun_limits, action, now)
    }

    pub fn count_baishan_call(&self, call: &str) {
        *lock(&self.baishan_calls)
            .entry(call.to_string())
            .or_default() += 1;
    }

    pub fn baishan_calls(&self, call: &str) -> usize {
        lock(&self.baishan_calls).get(call).copied().unwrap_or(0)
    }

    pub fn count_ctg_call(&self, call: &str) {
        *lock(&self.ctg_calls).entry(call.to_string()).or_default() += 1;
    }

    pub fn ctg_calls(&self, call: &str) -> usize {
        lock(&self.ctg_calls).get(call).copied().unwrap_or(0)
    }

    pub fn ctg_tokens(&self) -> MutexGuard<'_, Tokens> {
        lock(&self.ctg_tokens)
    }

    /// Admits one Baishan request of `token` under the configured rate limits.
    pub fn baishan_admit(
        &self,
        token: &str,
        is_config_write: bool,
        now: DateTime<Utc>,
    ) -> Result<Quota, Quota> {
        lock(&self.baishan_throttle).admit(&self.config.baishan_limits, token, is_config_write, now)
    }

    pub fn call_counts(&self, vendor: &str) -> BTreeMap<String, usize> {
        match vendor {
            "aliyun" => lock(&self.aliyun_calls).clone(),
            "baishan" => lock(&self.baishan_calls).clone(),
            "ctg" => lock(&self.ctg_calls).clone(),
            _ => BTreeMap::new(),
        }
    }

    /// Sets the call counts of every vendor, the answer log and the fault counts back to
    /// zero (rate-limit windows and the fault plan are kept).
    pub fn reset_calls(&self) {
        lock(&self.aliyun_calls).clear();
        lock(&self.baishan_calls).clear();
        lock(&self.ctg_calls).clear();
        lock(&self.answers).clear();
        lock(&self.faults).reset_counts();
    }

    pub fn set_faults(&self, plan: FaultPlan) {
        lock(&self.faults).set_plan(plan);
    }

    pub fn faults(&self) -> FaultPlan {
        lock(&self.faults).plan().clone()
    }

    pub fn fault_counts(&self) -> FaultCounts {
        lock(&self.faults).counts()
    }

    pub fn fault_counts_for(&self, vendor: &str, action: &str) -> FaultCounts {
        lock(&self.faults).counts_for(vendor, action)
    }

    /// Decides (and counts) the fate of one request.
    pub fn decide_fault(&self, vendor: &'static str, action: &str) -> Decision {
        lock(&self.faults).decide(vendor, action)
    }

    /// How long a `timeout` fault holds a request.
    pub fn fault_hold(&self) -> Duration {
        lock(&self.faults).plan().hold
    }

    /// Waits `how_long`, or less if the server shuts down meanwhile.
    pub async fn hold(&self, how_long: Duration) {
        let mut stopping = self.stopping.subscribe();
        tokio::select! {
            _ = tokio::time::sleep(how_long) => {}
            _ = stopping.wait_for(|s| *s) => {}
        }
    }

    /// Ends every hold, now and from now on.
    pub fn stop_holding(&self) {
        self.stopping.send_replace(true);
    }

    pub fn note_answer(&self, vendor: &'static str, action: &str, note: &str) {
        *lock(&self.answers)
            .entry((vendor.to_string(), action.to_string()))
            .or_default()
            .entry(note.to_string())
            .or_default() += 1;
    }

    pub fn answers(&self, vendor: &str, action: &str) -> BTreeMap<String, usize> {
        lock(&self.answers)
            .get(&(vendor.to_string(), action.to_string()))
            .cloned()
            .unwrap_or_default()
    }

    pub fn take_peak_in_flight(&self) -> usize {
        let now = self.in_flight.load(Ordering::SeqCst);
        self.peak_in_flight.swap(now, Ordering::SeqCst)
    }

    pub fn add_hook(&self, hook: Arc<dyn RequestHook>) {
        self.hooks
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push(hook);
    }

    /// The first refusal of the installed hooks, if any (a replaced answer is one too).
    pub fn check_hooks(&self, info: &RequestInfo<'_>) -> Option<Refusal> {
        let hooks = self.hooks.read().unwrap_or_else(|e| e.into_inner());
        hooks.iter().find_map(|h| {
            h.replace_answer(info)
                .map(hooks::stash)
                .or_else(|| h.on_request(info))
        })
    }
}

/// Alibaba is served on `/` (RPC style, `?Action=`), Baishan on `/v2/...`, CTG on
/// `/API/...`, all behind the fault layer (latency, injected errors, dropped answers).
pub(crate) fn build_router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", any(aliyun::entry))
        .route("/v2", any(baishan::entry))
        .route("/v2/{*path}", any(baishan::entry))
        .route("/API/{*path}", any(ctg::entry))
        .layer(axum::middleware::from_fn(hooks::serve_replaced))
        .layer(from_fn_with_state(shared.clone(), fault_layer::layer))
        .layer(middleware::from_fn_with_state(shared.clone(), latency))
        .with_state(shared)
}

/// `EmulatorConfig::latency`: every request waits that long before it is handled (and
/// before it meets a rate limit, as a request crossing a network would). Also counts the
/// requests in flight.
async fn latency(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let _counted = InFlight::enter(&shared);
    let delay = shared.config.latency;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    next.run(request).await
}

/// One request in flight, until dropped (also when the client goes away mid-request).
struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn enter(shared: &'a Shared) -> Self {
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared.peak_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}
