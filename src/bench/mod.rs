//! The benchmark harness behind `cdnform bench` (issue 10): the vendor
//! emulator with a per-call latency and the vendors' documented rate limits,
//! a scratch project of N domains per vendor, and the real `cdnform` binary
//! timed as a child process through four phases — the initial apply
//! creating N, a no-change plan, an apply changing 10% of them, a purge of
//! many URLs. Each phase reports wall time, the API calls the emulator
//! counted, CPU and peak memory of the child, state and journal bytes, and
//! the ratio of its wall time to the lower bound the API allows (`bound`).
//! `engine` measures the engine's own CPU at account scale without any API.

mod admitted;
pub mod bound;
pub mod child;
pub mod engine;
mod offline;
pub mod project;

use crate::emulator::{self, EmulatorConfig, EmulatorHandle};
use admitted::Admitted;
use bound::{lower_bound, Bound, RateLimit};
use child::{cpu_used, ChildRun};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use engine::EngineCost;

/// The vendors the harness knows.
pub const VENDORS: &[&str] = &["aliyun", "baishan", "ctg"];

#[derive(Clone, Debug)]
pub struct BenchOptions {
    /// Domain counts to run, each for every vendor (N domains per vendor;
    /// 0 runs none).
    pub domains: Vec<usize>,
    pub vendors: Vec<String>,
    /// Added by the emulator to every call.
    pub latency: Duration,
    /// `-parallelism` of the timed commands.
    pub parallelism: u16,
    /// URLs in the purge phase.
    pub purge_urls: usize,
    /// Domains of the engine-only measurement (`None`: skip it).
    pub engine_domains: Option<usize>,
    /// How long the emulator keeps a changed domain `configuring`.
    pub configuring_delay: Duration,
    /// How long the emulator's purge tasks run.
    pub task_delay: Duration,
    /// The `cdnform` binary to time.
    pub binary: PathBuf,
    /// Where the scratch projects and the commands' logs go.
    pub workdir: PathBuf,
}

/// The timed commands, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// `apply` creating every domain.
    Create,
    /// `plan` with nothing to change.
    Plan,
    /// `apply` changing `origin_host` on every tenth domain.
    Change,
    /// `purge` of `purge_urls` URLs.
    Purge,
}

impl Phase {
    pub const ALL: [Phase; 4] = [Phase::Create, Phase::Plan, Phase::Change, Phase::Purge];

    pub fn name(self) -> &'static str {
        match self {
            Phase::Create => "apply (create all)",
            Phase::Plan => "plan (no change)",
            Phase::Change => "apply (change 10%)",
            Phase::Purge => "purge",
        }
    }

    fn file_stem(self) -> &'static str {
        match self {
            Phase::Create => "1-create",
            Phase::Plan => "2-plan",
            Phase::Change => "3-change",
            Phase::Purge => "4-purge",
        }
    }
}

/// One timed command.
#[derive(Clone, Debug)]
pub struct PhaseResult {
    pub vendor: String,
    pub domains: usize,
    pub phase: Phase,
    pub wall: Duration,
    /// User plus system CPU of the `cdnform` process.
    pub cpu: Duration,
    pub max_rss_kib: u64,
    /// Calls the emulator counted, by action (Alibaba) or `METHOD /path`,
    /// rate-limited refusals included.
    pub calls: BTreeMap<String, usize>,
    /// Calls refused by a rate limit (and made again by the client).
    pub throttled: usize,
    /// The most calls in flight at once.
    pub peak_in_flight: usize,
    /// The lower bound of the admitted calls, at the allowed concurrency
    /// (`allowed_concurrency`).
    pub bound: Bound,
    /// CPU of the benchmark process meanwhile: the emulator, mostly.
    pub emulator_cpu: Duration,
    /// Size of the state file after the command, when it wrote one.
    pub state_bytes: Option<u64>,
    /// Bytes appended to the state journal during the command.
    pub journal_bytes: Option<u64>,
}

impl PhaseResult {
    pub fn total_calls(&self) -> usize {
        self.calls.values().sum()
    }

    /// Wall time over the API's lower bound.
    pub fn ratio(&self) -> f64 {
        self.wall.as_secs_f64() / self.bound.seconds.max(f64::EPSILON)
    }
}

#[derive(Clone, Debug)]
pub struct BenchReport {
    pub options: BenchOptions,
    pub phases: Vec<PhaseResult>,
    pub engine: Option<EngineCost>,
}

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot start the emulator: {0}")]
    Emulator(String),
    #[error("unknown vendor {0:?} (known: aliyun, baishan, ctg)")]
    UnknownVendor(String),
    #[error("{vendor}, {domains} domains, {phase}: {problem}\n  (logs in {logs})\n{stderr}")]
    Phase {
        vendor: String,
        domains: usize,
        phase: &'static str,
        problem: String,
        logs: String,
        stderr: String,
    },
    #[error("engine measurement: {0}")]
    Engine(String),
}

impl BenchError {
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BenchError + '_ {
        move |source| BenchError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Run every phase for every domain count and vendor, then the engine
/// measurement; `progress` hears what starts.
pub async fn run(
    options: &BenchOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<BenchReport, BenchError> {
    if let Some(v) = options
        .vendors
        .iter()
        .find(|v| !VENDORS.contains(&v.as_str()))
    {
        return Err(BenchError::UnknownVendor(v.clone()));
    }
    let mut phases = Vec::new();
    for &domains in options.domains.iter().filter(|n| **n > 0) {
        for vendor in &options.vendors {
            phases.extend(run_vendor(options, vendor, domains, progress).await?);
        }
    }
    let engine = match options.engine_domains {
        Some(n) => {
            progress(&format!(
                "engine only: {n} domains over {}, in memory",
                options.vendors.join(",")
            ));
            let (vendors, dir) = (options.vendors.clone(), options.workdir.join("engine"));
            let measured = tokio::task::spawn_blocking(move || engine::measure(n, &vendors, &dir))
                .await
                .map_err(|e| BenchError::Engine(e.to_string()))??;
            Some(measured)
        }
        None => None,
    };
    Ok(BenchReport {
        options: options.clone(),
        phases,
        engine,
    })
}

/// The emulator settings of a run: documented rate limits and quotas,
/// `latency` on every call, room for every domain.
pub fn emulator_config(options: &BenchOptions, domains: usize) -> EmulatorConfig {
    EmulatorConfig {
        latency: options.latency,
        configuring_delay: options.configuring_delay,
        task_delay: options.task_delay,
        max_domains: domains + 100,
        ..EmulatorConfig::default()
    }
}

/// The rate limits the emulator enforces on `vendor`, as the bound sees them.
pub fn rate_limits(vendor: &str, config: &EmulatorConfig) -> Vec<RateLimit> {
    match vendor {
        "aliyun" => config
            .aliyun_limits
            .per_action
            .iter()
            .map(|(action, n)| bound::on_call(action, *n, config.aliyun_limits.window))
            .collect(),
        "baishan" => {
            let l = &config.baishan_limits;
            vec![
                bound::on_all("per token", l.requests_per_window, l.window),
                bound::on_call(
                    "POST /v2/domain/config",
                    l.config_per_minute,
                    l.config_window,
                ),
            ]
        }
        _ => Vec::new(),
    }
}

async fn run_vendor(
    options: &BenchOptions,
    vendor: &str,
    domains: usize,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Vec<PhaseResult>, BenchError> {
    let dir = options.workdir.join(format!("{vendor}-{domains}"));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(BenchError::io(&dir))?;
    }
    let config = emulator_config(options, domains);
    let limits = rate_limits(vendor, &config);
    let emu = emulator::start(config, ([127, 0, 0, 1], 0).into())
        .await
        .map_err(|e| BenchError::Emulator(e.to_string()))?;
    let admitted = Arc::new(Admitted::default());
    emu.add_hook(admitted.clone());
    let measure = Measure {
        emu: &emu,
        admitted: &admitted,
        limits: &limits,
    };
    let result = run_phases(options, vendor, domains, &dir, &measure, progress).await;
    emu.shutdown().await;
    result
}

/// What the emulator side of a run measures with.
struct Measure<'a> {
    emu: &'a EmulatorHandle,
    admitted: &'a Admitted,
    limits: &'a [RateLimit],
}

async fn run_phases(
    options: &BenchOptions,
    vendor: &str,
    domains: usize,
    dir: &Path,
    measure: &Measure<'_>,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Vec<PhaseResult>, BenchError> {
    let (emu, limits) = (measure.emu, measure.limits);
    let parallelism = options.parallelism.to_string();
    // Each phase starts with the vendor's short rate-limit windows empty, as
    // a command run on its own would: the previous phase's calls must not
    // count against it. (Baishan's minute-long config window only matters
    // to the change phase, and nothing before it writes configuration.)
    let settle = limits
        .iter()
        .map(|l| l.window)
        .filter(|w| *w <= Duration::from_secs(10))
        .max()
        .unwrap_or_default();
    let mut out = Vec::new();
    for phase in Phase::ALL {
        if phase != Phase::Create {
            tokio::time::sleep(settle).await;
        }
        let counts = [(vendor, domains)];
        let changed = matches!(phase, Phase::Change | Phase::Purge);
        project::write_config(dir, &counts, &emu.url(), changed).map_err(BenchError::io(dir))?;
        let args: Vec<String> = match phase {
            Phase::Create | Phase::Change => {
                vec!["apply".into(), "-auto-approve".into()]
            }
            Phase::Plan => vec!["plan".into(), "-detailed-exitcode".into()],
            Phase::Purge => {
                let mut a = vec!["purge".to_string(), "-provider".into(), vendor.into()];
                a.extend(project::purge_urls(vendor, domains, options.purge_urls));
                a
            }
        };
        let args: Vec<String> = match phase {
            Phase::Purge => args,
            _ => args
                .into_iter()
                .chain(["-parallelism".to_string(), parallelism.clone()])
                .collect(),
        };
        progress(&format!("{vendor}, {domains} domains: {}", phase.name()));
        emu.reset_calls();
        measure.admitted.take(vendor);
        emu.take_peak_in_flight();
        let before = cpu_used(libc::RUSAGE_SELF);
        let run = {
            let (binary, dir, logs) = (options.binary.clone(), dir.to_path_buf(), dir.join("logs"));
            let journal = dir.join("state/cdnform.state.json.journal");
            tokio::task::spawn_blocking(move || {
                child::run_measured(&binary, &dir, &args, &journal, &logs, phase.file_stem())
            })
            .await
            .map_err(|e| BenchError::Engine(e.to_string()))?
            .map_err(BenchError::io(&options.binary))?
        };
        let emulator_cpu = cpu_used(libc::RUSAGE_SELF).saturating_sub(before);
        check(&run, phase, vendor, domains, dir)?;
        let calls = emu.call_counts(vendor);
        let peak_in_flight = emu.take_peak_in_flight();
        // CTG's token call is never rate limited and passes no hook.
        let admitted = match limits.is_empty() {
            true => calls.clone(),
            false => measure.admitted.take(vendor),
        };
        let throttled = calls
            .values()
            .sum::<usize>()
            .saturating_sub(admitted.values().sum());
        let concurrency =
            allowed_concurrency(vendor, phase, options.parallelism.into()).max(peak_in_flight);
        let state_bytes = matches!(phase, Phase::Create | Phase::Change)
            .then(|| std::fs::metadata(dir.join("state/cdnform.state.json")).ok())
            .flatten()
            .map(|m| m.len());
        out.push(PhaseResult {
            vendor: vendor.to_string(),
            domains,
            phase,
            wall: run.wall,
            cpu: run.cpu,
            max_rss_kib: run.max_rss_kib,
            bound: lower_bound(&admitted, options.latency, concurrency, limits),
            calls,
            throttled,
            peak_in_flight,
            emulator_cpu,
            state_bytes,
            journal_bytes: run.journal_bytes,
        });
    }
    Ok(out)
}

/// The calls a client may keep in flight in `phase` at `-parallelism`:
/// the parallelism, except where one domain's read is several calls at
/// once: CTG reads a domain with `CALLS_PER_READ` calls together, so
/// `parallelism` reads could have that many times more in flight, up to
/// the client's cap. (A measured peak above this wins all the same.)
fn allowed_concurrency(vendor: &str, phase: Phase, parallelism: usize) -> usize {
    use crate::provider::ctg;
    match (vendor, phase) {
        ("ctg", Phase::Create | Phase::Plan | Phase::Change) => parallelism
            .saturating_mul(ctg::CALLS_PER_READ)
            .min(ctg::DEFAULT_MAX_IN_FLIGHT)
            .max(parallelism),
        _ => parallelism,
    }
}

/// The command succeeded and did what the phase asks.
fn check(
    run: &ChildRun,
    phase: Phase,
    vendor: &str,
    domains: usize,
    dir: &Path,
) -> Result<(), BenchError> {
    let stdout = std::fs::read_to_string(&run.stdout).unwrap_or_default();
    let expected = match phase {
        Phase::Create => Some(format!("{domains} added, 0 changed, 0 destroyed")),
        Phase::Change => Some(format!(
            "0 added, {} changed, 0 destroyed",
            project::changed_count(domains)
        )),
        Phase::Plan => Some("No changes.".to_string()),
        Phase::Purge => None,
    };
    let problem = if run.code != 0 {
        Some(format!("cdnform exited with code {}", run.code))
    } else {
        expected
            .filter(|e| !stdout.contains(e.as_str()))
            .map(|e| format!("the output does not say {e:?}"))
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(BenchError::Phase {
            vendor: vendor.to_string(),
            domains,
            phase: phase.name(),
            problem,
            logs: dir.join("logs").display().to_string(),
            stderr: run.stderr_tail(20),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bound_uses_the_concurrency_the_client_may_use() {
        // CTG's reads: 10 domains × 16 calls, held to the client's cap.
        assert_eq!(allowed_concurrency("ctg", Phase::Plan, 10), 64);
        assert_eq!(allowed_concurrency("ctg", Phase::Create, 2), 32);
        assert_eq!(allowed_concurrency("ctg", Phase::Change, 10), 64);
        // Its purges and every other vendor: one call per task.
        assert_eq!(allowed_concurrency("ctg", Phase::Purge, 10), 10);
        assert_eq!(allowed_concurrency("aliyun", Phase::Plan, 10), 10);
        assert_eq!(allowed_concurrency("baishan", Phase::Create, 10), 10);
    }
}
