//! The refresh's progress on stderr: one line redrawn in place on a terminal
//! (`Refreshing 1,240/5,000 domains (aliyun 420/s, baishan waiting 12s on
//! rate limit)`), the same line every few seconds in a log, and one summary
//! line at the end (`Refreshed 5,000 domains in 2m10s`). Fed by the plan hook
//! (how many reads, how many done) and by the vendor-call observer (who calls
//! how fast, who waits on a rate limit): both hold the same `Progress`.

use crate::model::Address;
use crate::plan::PlanHook;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::{BTreeMap, VecDeque};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;
use tokio::time::{Instant, MissedTickBehavior};

/// Calls per second are counted over this much recent time.
pub const RATE_WINDOW: Duration = Duration::from_secs(5);
/// How often the live line is redrawn on a terminal.
const REDRAW_EVERY: Duration = Duration::from_millis(200);
/// How often a log gets a progress line unless `CDNFORM_PROGRESS_INTERVAL` says otherwise.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);
/// Seconds between two progress lines in a log (`0`: none, only the summary).
pub const INTERVAL_VAR: &str = "CDNFORM_PROGRESS_INTERVAL";

/// What a run of reads is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Reading the domains the state records.
    Refresh,
    /// Reading the names of domains to be created, to refuse ones that exist.
    CheckNew,
}

impl Phase {
    /// (while running, when done, one thing, many things)
    fn words(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Phase::Refresh => ("Refreshing", "Refreshed", "domain", "domains"),
            Phase::CheckNew => ("Checking", "Checked", "new domain name", "new domain names"),
        }
    }

    fn noun(self, n: usize) -> &'static str {
        let (_, _, one, many) = self.words();
        if n == 1 {
            one
        } else {
            many
        }
    }
}

/// One vendor's recent activity.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VendorActivity {
    /// When its recent calls were made, oldest first (older than the window are dropped).
    pub calls: VecDeque<Instant>,
    /// Its client holds calls back for the vendor's rate limit until then.
    pub waiting_until: Option<Instant>,
}

/// Where a run of reads stands: everything the progress line is made of.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub phase: Phase,
    pub total: usize,
    /// Reads finished, failed ones included.
    pub done: usize,
    pub failed: usize,
    pub started: Instant,
    /// By vendor name, so the line lists them sorted.
    pub vendors: BTreeMap<String, VendorActivity>,
}

impl Snapshot {
    pub fn new(phase: Phase, total: usize, started: Instant) -> Self {
        Snapshot {
            phase,
            total,
            done: 0,
            failed: 0,
            started,
            vendors: BTreeMap::new(),
        }
    }

    fn record_call(&mut self, vendor: &str, at: Instant) {
        let v = self.vendors.entry(vendor.to_string()).or_default();
        v.calls.push_back(at);
        while v
            .calls
            .front()
            .is_some_and(|t| at.saturating_duration_since(*t) > RATE_WINDOW)
        {
            v.calls.pop_front();
        }
    }

    fn record_wait(&mut self, vendor: &str, until: Instant) {
        let v = self.vendors.entry(vendor.to_string()).or_default();
        v.waiting_until = Some(v.waiting_until.map_or(until, |t| t.max(until)));
    }
}

/// `1240` -> `1,240`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `0.4s`, `42s`, `2m10s`, `1h02m03s`: tenths only where they matter.
pub fn duration_text(d: Duration) -> String {
    let secs = d.as_secs();
    if secs < 10 {
        // Tenths, rounded down: a 9.96 s refresh did not take 10.0 s.
        return format!("{}.{}s", secs, d.subsec_millis() / 100);
    }
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m{s:02}s"),
        _ => format!("{h}h{m:02}m{s:02}s"),
    }
}

/// Calls per second: one decimal below 10/s, whole numbers above.
fn rate_text(calls: usize, span: Duration) -> String {
    let rate = calls as f64 / span.as_secs_f64();
    if rate < 10.0 {
        format!("{rate:.1}/s")
    } else {
        format!("{}/s", thousands(rate.round() as u64))
    }
}

/// One vendor's part of the line at `now`.
fn vendor_text(name: &str, v: &VendorActivity, span: Duration, now: Instant) -> String {
    if let Some(until) = v.waiting_until.filter(|u| *u > now) {
        // Whole seconds, rounded up: "waiting 0s" would read as not waiting.
        let left = until - now;
        let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        return format!("{name} waiting {secs}s on rate limit");
    }
    let recent = v
        .calls
        .iter()
        .filter(|t| **t <= now && now.saturating_duration_since(**t) <= RATE_WINDOW)
        .count();
    if recent == 0 {
        format!("{name} idle")
    } else {
        format!("{name} {}", rate_text(recent, span))
    }
}

/// The progress line at `now`: done/total, then per vendor (sorted by name)
/// its call rate over the last few seconds or its rate-limit wait.
pub fn progress_line(s: &Snapshot, now: Instant) -> String {
    let (running, ..) = s.phase.words();
    let mut line = format!(
        "{running} {}/{} {}",
        thousands(s.done as u64),
        thousands(s.total as u64),
        s.phase.noun(s.total)
    );
    if s.failed > 0 {
        line.push_str(&format!(", {} failed", thousands(s.failed as u64)));
    }
    // Early on the window is not full yet; under a second would overstate.
    let span = now
        .saturating_duration_since(s.started)
        .clamp(Duration::from_secs(1), RATE_WINDOW);
    let vendors: Vec<String> = s
        .vendors
        .iter()
        .map(|(name, v)| vendor_text(name, v, span, now))
        .collect();
    if !vendors.is_empty() {
        line.push_str(&format!(" ({})", vendors.join(", ")));
    }
    line
}

/// The line that replaces the progress once every read has finished.
pub fn summary_line(s: &Snapshot, elapsed: Duration) -> String {
    let (_, finished, ..) = s.phase.words();
    let took = duration_text(elapsed);
    if s.failed == 0 {
        return format!(
            "{finished} {} {} in {took}",
            thousands(s.done as u64),
            s.phase.noun(s.done)
        );
    }
    format!(
        "{finished} {} of {} {} in {took} ({} failed)",
        thousands((s.done - s.failed) as u64),
        thousands(s.total as u64),
        s.phase.noun(s.total),
        thousands(s.failed as u64)
    )
}

/// The log interval from `CDNFORM_PROGRESS_INTERVAL` (seconds, fractions
/// allowed): unset or unreadable is the default, `0` means no periodic lines.
pub fn interval_from(value: Option<&str>) -> Option<Duration> {
    let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
        return Some(DEFAULT_INTERVAL);
    };
    match text.parse::<f64>() {
        Ok(0.0) => None,
        Ok(secs) if secs.is_finite() && secs > 0.0 => Some(Duration::from_secs_f64(secs)),
        _ => Some(DEFAULT_INTERVAL),
    }
}

/// Where a line goes in a log (stderr; a buffer in tests).
pub type Sink = Arc<dyn Fn(&str) + Send + Sync>;

enum Display {
    /// `-json`: the JSON stream reports the refresh itself.
    Off,
    /// stderr is a terminal: one line redrawn in place.
    Live,
    /// A log: the line every `every` (never when `None`), then the summary.
    Lines { every: Option<Duration>, sink: Sink },
}

#[derive(Default)]
struct Running {
    current: Option<Snapshot>,
    bar: Option<ProgressBar>,
    ticker: Option<tokio::task::JoinHandle<()>>,
}

/// The shared progress of the reads in flight (at most one run at a time).
pub struct Progress {
    display: Display,
    running: Mutex<Running>,
}

impl Progress {
    fn with(display: Display) -> Arc<Self> {
        Arc::new(Progress {
            display,
            running: Mutex::new(Running::default()),
        })
    }

    /// Reports nothing (for `-json`).
    pub fn off() -> Arc<Self> {
        Self::with(Display::Off)
    }

    /// A live line when stderr is a terminal, else periodic lines on stderr
    /// every `CDNFORM_PROGRESS_INTERVAL` seconds.
    pub fn for_stderr() -> Arc<Self> {
        if std::io::stderr().is_terminal() {
            return Self::with(Display::Live);
        }
        let every = interval_from(std::env::var(INTERVAL_VAR).ok().as_deref());
        Self::lines(every, Arc::new(|line: &str| eprintln!("{line}")))
    }

    /// Periodic lines and the summary written to `sink`.
    pub fn lines(every: Option<Duration>, sink: Sink) -> Arc<Self> {
        Self::with(Display::Lines { every, sink })
    }

    fn lock(&self) -> MutexGuard<'_, Running> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `total` reads start now. Nothing is shown for none.
    pub fn begin(self: &Arc<Self>, phase: Phase, total: usize) {
        self.end();
        if total == 0 || matches!(self.display, Display::Off) {
            return;
        }
        let now = Instant::now();
        let snapshot = Snapshot::new(phase, total, now);
        let mut running = self.lock();
        let every = match &self.display {
            Display::Live => {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template("{wide_msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.set_message(progress_line(&snapshot, now));
                running.bar = Some(bar);
                Some(REDRAW_EVERY)
            }
            Display::Lines { every, .. } => *every,
            Display::Off => None,
        };
        running.current = Some(snapshot);
        // Without a runtime (plain unit tests) there is no ticker: the summary still comes.
        if let (Some(every), Ok(handle)) = (every, tokio::runtime::Handle::try_current()) {
            let first = now + every;
            running.ticker = Some(handle.spawn(tick(Arc::downgrade(self), first, every)));
        }
    }

    /// One read finished; the last one replaces the line by the summary.
    pub fn finished_one(&self, ok: bool) {
        let mut running = self.lock();
        let Some(s) = running.current.as_mut() else {
            return; // reads outside a run (imports): counted nowhere
        };
        s.done = (s.done + 1).min(s.total);
        s.failed += usize::from(!ok);
        if s.done < s.total {
            return;
        }
        let summary = summary_line(s, Instant::now().saturating_duration_since(s.started));
        self.stop(&mut running);
        match &self.display {
            Display::Lines { sink, .. } => sink(&summary),
            _ => eprintln!("{summary}"),
        }
    }

    /// A vendor call attempt starts.
    pub fn call(&self, vendor: &str) {
        if let Some(s) = self.lock().current.as_mut() {
            s.record_call(vendor, Instant::now());
        }
    }

    /// A vendor's client holds back `wait` for its rate limit.
    pub fn rate_limit_wait(&self, vendor: &str, wait: Duration) {
        if let Some(s) = self.lock().current.as_mut() {
            s.record_wait(vendor, Instant::now() + wait);
        }
    }

    /// Print a line on stderr without garbling the live line.
    pub fn note(&self, line: &str) {
        let bar = self.lock().bar.clone();
        match bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    /// The reads are over, finished or not: clear the line (no summary for
    /// a run cut short; its error follows).
    pub fn end(&self) {
        let mut running = self.lock();
        self.stop(&mut running);
    }

    fn stop(&self, running: &mut Running) {
        running.current = None;
        if let Some(t) = running.ticker.take() {
            t.abort();
        }
        if let Some(bar) = running.bar.take() {
            bar.finish_and_clear();
        }
    }

    /// Show the current line; false once no run is in progress.
    fn show(&self) -> bool {
        let running = self.lock();
        let Some(s) = &running.current else {
            return false;
        };
        let line = progress_line(s, Instant::now());
        match (&self.display, &running.bar) {
            (Display::Live, Some(bar)) => bar.set_message(line),
            (Display::Lines { sink, .. }, _) => sink(&line),
            _ => return false,
        }
        true
    }
}

/// Show the line at `first` and then every `every` until the run ends (the
/// first one an interval after the start: a quick refresh prints only its
/// summary).
async fn tick(progress: Weak<Progress>, first: Instant, every: Duration) {
    let mut interval = tokio::time::interval_at(first, every);
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        match progress.upgrade() {
            Some(p) if p.show() => {}
            _ => return,
        }
    }
}

/// The plan's reads, counted.
pub struct ProgressPlanHook(pub Arc<Progress>);

impl PlanHook for ProgressPlanHook {
    fn refresh_begin(&self, total: usize) {
        self.0.begin(Phase::Refresh, total);
    }
    fn check_begin(&self, total: usize) {
        self.0.begin(Phase::CheckNew, total);
    }
    fn refresh_done(&self, _address: &Address, result: Result<bool, String>) {
        self.0.finished_one(result.is_ok());
    }
}

#[cfg(test)]
#[path = "progress_tests.rs"]
mod tests;
