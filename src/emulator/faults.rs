//! Fault injection: which requests get added latency, an error answer, a dropped connection,
//! an answer that never comes or a lost answer (`FaultPlan`), decided reproducibly from a
//! seed (`FaultBook`), and how many of each were injected (`FaultCounts`). The axum layer
//! that carries the decisions out is `fault_layer`.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// What an injected fault does to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum FaultKind {
    /// The vendor's HTTP 500 answer; the request is not performed.
    #[serde(rename = "500")]
    InternalError,
    /// The vendor's HTTP 503 answer; the request is not performed.
    #[serde(rename = "503")]
    Unavailable,
    /// The vendor's own throttling answer (Alibaba `Throttling` 503, Baishan 429 with
    /// `X-Retry-After`, CTG 429 with `Retry-After`); the request is not performed.
    #[serde(rename = "throttle")]
    Throttle,
    /// The connection is closed without an answer; the request is not performed.
    #[serde(rename = "reset")]
    Reset,
    /// No answer for `FaultPlan::hold`, then the connection is closed; the request is not
    /// performed.
    #[serde(rename = "timeout")]
    Timeout,
    /// The request IS performed, then the connection is closed instead of answering.
    #[serde(rename = "lost")]
    Lost,
}

impl FaultKind {
    pub const ALL: [FaultKind; 6] = [
        FaultKind::InternalError,
        FaultKind::Unavailable,
        FaultKind::Throttle,
        FaultKind::Reset,
        FaultKind::Timeout,
        FaultKind::Lost,
    ];

    /// The name used by `--fault-kinds` and in serialized plans.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::InternalError => "500",
            FaultKind::Unavailable => "503",
            FaultKind::Throttle => "throttle",
            FaultKind::Reset => "reset",
            FaultKind::Timeout => "timeout",
            FaultKind::Lost => "lost",
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FaultKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        FaultKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown fault kind {s:?} (expected 500, 503, throttle, reset, timeout or lost)")
            })
    }
}

/// Which vendor a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultVendor {
    #[default]
    Any,
    Aliyun,
    Baishan,
    Ctg,
}

impl FaultVendor {
    pub fn name(self) -> &'static str {
        match self {
            FaultVendor::Any => "any",
            FaultVendor::Aliyun => "aliyun",
            FaultVendor::Baishan => "baishan",
            FaultVendor::Ctg => "ctg",
        }
    }

    /// Whether requests of `vendor` (`"aliyun"`, `"baishan"`, `"ctg"`) are covered.
    pub fn covers(self, vendor: &str) -> bool {
        match self {
            FaultVendor::Any => true,
            FaultVendor::Aliyun => vendor == "aliyun",
            FaultVendor::Baishan => vendor == "baishan",
            FaultVendor::Ctg => vendor == "ctg",
        }
    }
}

impl FromStr for FaultVendor {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "any" | "*" | "all" => Ok(FaultVendor::Any),
            "aliyun" => Ok(FaultVendor::Aliyun),
            "baishan" => Ok(FaultVendor::Baishan),
            "ctg" => Ok(FaultVendor::Ctg),
            other => Err(format!(
                "unknown vendor {other:?} (expected aliyun, baishan, ctg or any)"
            )),
        }
    }
}

/// Faults for the requests of one vendor (or all) and one action (or all).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultRule {
    pub vendor: FaultVendor,
    /// Alibaba's `Action` (`AddCdnDomain`), or Baishan's and CTG's `METHOD /path` as
    /// received (`POST /v2/domain`, `POST /API/domain`); `*` matches every request.
    pub action: String,
    /// The fraction of matching requests, in `[0, 1]`, that get a fault.
    pub rate: f64,
    /// The faults to pick from, each equally likely (empty: latency only).
    pub kinds: Vec<FaultKind>,
    /// Added to every matching request, faulted or not, before anything else happens.
    #[serde(with = "duration_text")]
    pub latency: Duration,
    /// Up to this much more latency, uniformly at random.
    #[serde(with = "duration_text")]
    pub jitter: Duration,
    /// At most this many faults from this rule (`None`: no limit); e.g. rate 1 and 1 fault
    /// hit exactly the first matching request.
    pub max_faults: Option<u64>,
}

impl Default for FaultRule {
    fn default() -> Self {
        FaultRule {
            vendor: FaultVendor::Any,
            action: "*".into(),
            rate: 0.0,
            kinds: FaultKind::ALL.to_vec(),
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            max_faults: None,
        }
    }
}

impl FaultRule {
    fn covers(&self, vendor: &str, action: &str) -> bool {
        self.vendor.covers(vendor) && (self.action == "*" || self.action == action)
    }

    fn is_idle(&self) -> bool {
        (self.rate <= 0.0 || self.kinds.is_empty() || self.max_faults == Some(0))
            && self.latency.is_zero()
            && self.jitter.is_zero()
    }
}

/// The faults the emulator injects: the first rule that covers a request decides its fate
/// (a request no rule covers is served normally). Decisions are drawn from `seed`: the
/// same sequence of requests gets the same faults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultPlan {
    pub seed: u64,
    /// How long a `timeout` fault holds the request before closing the connection: longer
    /// than any client's timeout (cdnform's clients give up after 30 s). Default 60 s.
    #[serde(with = "duration_text")]
    pub hold: Duration,
    pub rules: Vec<FaultRule>,
}

impl Default for FaultPlan {
    fn default() -> Self {
        FaultPlan {
            seed: 0,
            hold: Duration::from_secs(60),
            rules: Vec::new(),
        }
    }
}

impl FaultPlan {
    /// No faults, no latency.
    pub fn none() -> Self {
        FaultPlan::default()
    }

    /// `rate` of every vendor's requests get one of `kinds`, drawn from `seed`.
    pub fn uniform(seed: u64, rate: f64, kinds: &[FaultKind]) -> Self {
        FaultPlan {
            seed,
            ..FaultPlan::default()
        }
        .with_rule(FaultRule {
            rate,
            kinds: kinds.to_vec(),
            ..FaultRule::default()
        })
    }

    /// This plan with `rule` added after the others (earlier rules take precedence).
    pub fn with_rule(mut self, rule: FaultRule) -> Self {
        self.rules.push(rule);
        self
    }

    /// Whether the plan can have no effect at all.
    pub fn is_none(&self) -> bool {
        self.rules.iter().all(FaultRule::is_idle)
    }

    /// Every rate is a number in `[0, 1]`.
    pub fn validate(&self) -> Result<(), String> {
        for r in &self.rules {
            if !(0.0..=1.0).contains(&r.rate) {
                return Err(format!(
                    "fault rate {} is not between 0 and 1 (a fraction of requests)",
                    r.rate
                ));
            }
        }
        Ok(())
    }
}

/// How many of each fault were injected (and how many requests were delayed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultCounts {
    /// Requests given added latency.
    pub delayed: u64,
    pub internal_error: u64,
    pub unavailable: u64,
    pub throttled: u64,
    pub reset: u64,
    pub timeout: u64,
    pub lost: u64,
}

impl FaultCounts {
    pub fn get(&self, kind: FaultKind) -> u64 {
        match kind {
            FaultKind::InternalError => self.internal_error,
            FaultKind::Unavailable => self.unavailable,
            FaultKind::Throttle => self.throttled,
            FaultKind::Reset => self.reset,
            FaultKind::Timeout => self.timeout,
            FaultKind::Lost => self.lost,
        }
    }

    /// Faults of every kind (added latency not counted).
    pub fn total(&self) -> u64 {
        FaultKind::ALL.into_iter().map(|k| self.get(k)).sum()
    }

    fn add(&mut self, kind: FaultKind) {
        let n = match kind {
            FaultKind::InternalError => &mut self.internal_error,
            FaultKind::Unavailable => &mut self.unavailable,
            FaultKind::Throttle => &mut self.throttled,
            FaultKind::Reset => &mut self.reset,
            FaultKind::Timeout => &mut self.timeout,
            FaultKind::Lost => &mut self.lost,
        };
        *n += 1;
    }
}

impl fmt::Display for FaultCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "500: {}, 503: {}, throttle: {}, reset: {}, timeout: {}, lost: {} (delayed: {})",
            self.internal_error,
            self.unavailable,
            self.throttled,
            self.reset,
            self.timeout,
            self.lost,
            self.delayed
        )
    }
}

/// One request's fate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub latency: Duration,
    pub fault: Option<FaultKind>,
}

/// The plan in force, what makes its decisions reproducible, and the counts.
#[derive(Debug, Default)]
pub(crate) struct FaultBook {
    plan: FaultPlan,
    /// Requests seen per (vendor, action): the n-th request of a stream draws from its own
    /// generator, seeded from (seed, vendor, action, n), so that concurrent requests to
    /// other actions do not shift this one's faults.
    seen: HashMap<(&'static str, String), u64>,
    /// Faults injected by each rule of the plan (for `max_faults`).
    fired: Vec<u64>,
    counts: FaultCounts,
    /// The same, by (vendor, action).
    by_action: HashMap<(&'static str, String), FaultCounts>,
}

impl FaultBook {
    pub fn new(plan: FaultPlan) -> Self {
        let mut book = FaultBook::default();
        book.set_plan(plan);
        book
    }

    /// Puts `plan` in force from its first decision on (counts are kept).
    pub fn set_plan(&mut self, plan: FaultPlan) {
        self.fired = vec![0; plan.rules.len()];
        self.seen.clear();
        self.plan = plan;
    }

    pub fn plan(&self) -> &FaultPlan {
        &self.plan
    }

    pub fn counts(&self) -> FaultCounts {
        self.counts
    }

    /// The counts of `vendor`'s requests with `action` alone.
    pub fn counts_for(&self, vendor: &str, action: &str) -> FaultCounts {
        self.by_action
            .iter()
            .find(|((v, a), _)| *v == vendor && a == action)
            .map(|(_, c)| *c)
            .unwrap_or_default()
    }

    pub fn reset_counts(&mut self) {
        self.counts = FaultCounts::default();
        self.by_action.clear();
    }

    /// Decides (and counts) the fate of one request of `vendor` with `action`.
    pub fn decide(&mut self, vendor: &'static str, action: &str) -> Decision {
        let calm = Decision {
            latency: Duration::ZERO,
            fault: None,
        };
        let Some(i) = self
            .plan
            .rules
            .iter()
            .position(|r| r.covers(vendor, action))
        else {
            return calm;
        };
        let rule = &self.plan.rules[i];
        if rule.is_idle() {
            return calm;
        }
        let n = self.seen.entry((vendor, action.to_string())).or_default();
        let mut rng = StdRng::seed_from_u64(stream_seed(self.plan.seed, vendor, action, *n));
        *n += 1;
        let latency = rule.latency + rule.jitter.mul_f64(rng.random::<f64>());
        let roll = rng.random::<f64>();
        let pick = rng.random_range(0..rule.kinds.len().max(1));
        let under_limit = rule.max_faults.is_none_or(|m| self.fired[i] < m);
        let fault = (roll < rule.rate && under_limit)
            .then(|| rule.kinds.get(pick).copied())
            .flatten();
        if latency.is_zero() && fault.is_none() {
            return Decision { latency, fault };
        }
        let mine = self
            .by_action
            .entry((vendor, action.to_string()))
            .or_default();
        if !latency.is_zero() {
            self.counts.delayed += 1;
            mine.delayed += 1;
        }
        if let Some(kind) = fault {
            self.fired[i] += 1;
            self.counts.add(kind);
            mine.add(kind);
        }
        Decision { latency, fault }
    }
}

/// FNV-1a over the seed, the vendor, the action and the request's number in its stream.
fn stream_seed(seed: u64, vendor: &str, action: &str, n: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let parts: [&[u8]; 5] = [
        &seed.to_le_bytes(),
        vendor.as_bytes(),
        &[0],
        action.as_bytes(),
        &n.to_le_bytes(),
    ];
    for byte in parts.iter().flat_map(|p| p.iter()) {
        h ^= u64::from(*byte);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Durations as humantime text (`"20ms"`, `"1m 30s"`; `"0"` for none).
mod duration_text {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        if d.is_zero() {
            return s.serialize_str("0");
        }
        s.serialize_str(&humantime::format_duration(*d).to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        if text.trim() == "0" {
            return Ok(Duration::ZERO);
        }
        humantime::parse_duration(text.trim()).map_err(serde::de::Error::custom)
    }
}
