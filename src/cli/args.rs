//! Command-line definitions (clap). Terraform-style single-dash long flags
//! (`-auto-approve`, `-var k=v`) are accepted as well as `--auto-approve`.

use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use crate::emulator::{FaultKind, FaultVendor};

#[derive(Debug, Parser)]
#[command(
    name = "cdnform",
    version,
    about = "Declarative reconciler for CDN accounts",
    long_about = "cdnform reads the CDN domains you describe in *.hcl files, compares them with the state \
file and the live vendor APIs, and plans and applies the difference.\n\n\
Exit codes: 0 success, 1 error, 2 changes present (plan -detailed-exitcode)."
)]
pub struct Cli {
    /// Switch to this directory before doing anything else (config, state and
    /// the embedded emulator's data are then relative to it).
    #[arg(long, global = true, value_name = "DIR")]
    pub chdir: Option<PathBuf>,
    /// Never print colour codes (also: NO_COLOR set, or output not a terminal).
    #[arg(long, global = true)]
    pub no_color: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Prepare the state backend the cdnform block names; -migrate-state
    /// copies an existing local state into it.
    Init(InitArgs),
    /// Check the configuration for errors without reading state or APIs.
    Validate(ValidateArgs),
    /// Show what apply would change.
    Plan(PlanArgs),
    /// Make the changes the plan shows and record them in the state.
    Apply(ApplyArgs),
    /// Print the dependency graph of the configuration in DOT.
    Graph(VarArgs),
    /// Adopt an existing domain into the state under a declared resource.
    Import(ImportArgs),
    /// Show a saved plan again.
    Show(ShowArgs),
    /// Report what changed on the live accounts outside cdnform (exit 2 when anything did).
    Drift(DriftArgs),
    /// Delete every resource in the state (stop, then delete).
    Destroy(ApplyArgs),
    /// Rewrite *.hcl files in canonical format.
    Fmt(FmtArgs),
    /// Purge (or with -preload, preload) URLs now, outside any plan.
    Purge(PurgeArgs),
    /// Print the output values recorded by the last apply.
    Output(OutputArgs),
    /// Inspect and edit the state (list, show, pull, push, rm, mv).
    #[command(subcommand)]
    State(StateCommand),
    /// Remove a lock left behind by a process that is gone.
    ForceUnlock(ForceUnlockArgs),
    /// Print the capability matrix: what each vendor can express.
    Providers {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Serve the vendor APIs locally (Alibaba, Baishan, CTG) for tests and demos.
    Emulator(EmulatorArgs),
    /// Time plan, apply and purge against the emulator with per-call latency
    /// and the vendors' rate limits, and the engine's own CPU (see README).
    Bench(BenchArgs),
    /// Print the version.
    Version,
}

#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// URLs to purge; one ending in / purges the directory.
    #[arg(required = true, value_name = "URL")]
    pub urls: Vec<String>,
    /// The provider configuration to use (aliyun, aliyun.eu, ...); needed
    /// when the configuration has several.
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,
    /// Preload the URLs instead of purging them.
    #[arg(long)]
    pub preload: bool,
    /// Where to preload, for vendors that take it (Alibaba: domestic, overseas).
    #[arg(long, requires = "preload")]
    pub area: Option<String>,
    /// Return once the tasks are submitted, without waiting for them.
    #[arg(long = "no-wait")]
    pub no_wait: bool,
    /// How long to wait for the tasks.
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    pub timeout: Duration,
    #[command(flatten)]
    pub vars: VarArgs,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Print only this output.
    pub name: Option<String>,
    /// As JSON (all outputs: an object of {sensitive, value}).
    #[arg(long)]
    pub json: bool,
    /// The bare value of one string, number or bool output (for scripts).
    #[arg(long, requires = "name", conflicts_with = "json")]
    pub raw: bool,
    #[command(flatten)]
    pub state: StateArgs,
}

#[derive(Debug, Args, Clone, Default)]
pub struct VarArgs {
    /// Set a variable: -var 'name=value' (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Read variable values from an HCL file (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
}

#[derive(Debug, Args, Clone)]
pub struct StateArgs {
    /// Path of the local state file.
    #[arg(
        long = "state",
        value_name = "PATH",
        default_value = "state/cdnform.state.json"
    )]
    pub state: PathBuf,
    /// How long to wait for the state lock (e.g. 30s, 2m).
    #[arg(long = "lock-timeout", value_name = "DURATION", default_value = "0s", value_parser = parse_duration)]
    pub lock_timeout: Duration,
}

#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    #[command(flatten)]
    pub vars: VarArgs,
    #[command(flatten)]
    pub state: StateArgs,
    /// Machine-readable output: one JSON object per line (see README).
    #[arg(long)]
    pub json: bool,
    /// Hold the state lock for the command (`-lock=false` to skip: only when
    /// nothing else can run against this state).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub lock: bool,
    /// Only this resource and what it depends on (repeatable).
    #[arg(long = "target", value_name = "ADDR", value_parser = parse_address)]
    pub targets: Vec<crate::model::Address>,
    /// Leave out this resource and what depends on it (repeatable).
    #[arg(long = "exclude", value_name = "ADDR", value_parser = parse_address)]
    pub excludes: Vec<crate::model::Address>,
    /// Replace this resource even if nothing forces it (repeatable).
    #[arg(long = "replace", value_name = "ADDR", value_parser = parse_address)]
    pub replace: Vec<crate::model::Address>,
    /// Allow destroying this resource although the state records
    /// lifecycle.prevent_destroy for it after its block left the
    /// configuration (repeatable).
    #[arg(long = "unprotect", value_name = "ADDR", value_parser = parse_address)]
    pub unprotect: Vec<crate::model::Address>,
    /// Allow a plan that deletes or replaces more than 25% (and at least 3)
    /// of the managed resources.
    #[arg(long = "allow-mass-change")]
    pub allow_mass_change: bool,
    /// How many API operations to run at once.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..))]
    pub parallelism: u16,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Exit 0 when there are no changes, 2 when there are, 1 on error.
    #[arg(long = "detailed-exitcode")]
    pub detailed_exitcode: bool,
    /// Plan to destroy every resource in the state.
    #[arg(long)]
    pub destroy: bool,
    /// Only refresh: show drift, plan no changes.
    #[arg(long = "refresh-only", conflicts_with = "destroy")]
    pub refresh_only: bool,
    /// Save the plan to FILE for `cdnform apply FILE` (no credentials or private keys in it).
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The resource address, declared in the configuration (cdn_domain.web).
    #[arg(required_unless_present = "all")]
    pub address: Option<String>,
    /// The vendor's id of the domain: its name.
    #[arg(required_unless_present = "all")]
    pub id: Option<String>,
    /// Import every domain of a provider's account not yet in the state.
    #[arg(long, requires_all = ["provider", "generate_config"], conflicts_with_all = ["address", "id"])]
    pub all: bool,
    /// With -all: the provider configuration to list (aliyun, aliyun.eu, ...).
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,
    /// With -all: write HCL for the imported domains to FILE (never overwritten).
    #[arg(long = "generate-config", value_name = "FILE")]
    pub generate_config: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub vars: VarArgs,
    /// Machine-readable output: one JSON object per line.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DriftArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Also list domains on the accounts that no resource in the state manages.
    #[arg(long = "include-unmanaged")]
    pub include_unmanaged: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Do not ask for confirmation.
    #[arg(long = "auto-approve")]
    pub auto_approve: bool,
    /// Accept the drift into the state; change nothing on the accounts.
    #[arg(long = "refresh-only")]
    pub refresh_only: bool,
    /// A plan saved by `plan -out`: apply exactly it, without asking.
    #[arg(value_name = "PLAN")]
    pub plan_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A plan saved by `plan -out`.
    pub plan_file: std::path::PathBuf,
    /// The whole plan as one JSON document.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Only check: exit 3 when a file is not formatted, list it, change nothing.
    #[arg(long)]
    pub check: bool,
    /// Files or directories (default: the current directory).
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// List the resource addresses in the state.
    List(StateArgs),
    /// Show one resource's recorded attributes.
    Show {
        address: String,
        #[command(flatten)]
        state: StateArgs,
    },
    /// Print the whole state as loaded (snapshot plus any journal left by a crash).
    Pull(StateArgs),
    /// Rename a resource in the state (after renaming its block).
    Mv {
        from: String,
        to: String,
        #[command(flatten)]
        state: StateArgs,
    },
    /// Replace the state with FILE (a state as `state pull` prints it): same
    /// lineage, and a serial not older than the current one.
    Push {
        file: PathBuf,
        /// Push even if FILE's serial is older than the current state's.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        state: StateArgs,
    },
    /// Forget resources (the vendor's domains are left as they are).
    Rm {
        #[arg(required = true)]
        addresses: Vec<String>,
        #[command(flatten)]
        state: StateArgs,
    },
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Copy the state from the local file (-from-state) into the configured
    /// backend.
    #[arg(long = "migrate-state")]
    pub migrate_state: bool,
    /// With -migrate-state: replace a state the backend already holds
    /// (another lineage, or a diverged version).
    #[arg(long = "force-copy", requires = "migrate_state")]
    pub force_copy: bool,
    /// The local state file to migrate from.
    #[arg(
        long = "from-state",
        value_name = "PATH",
        default_value = "state/cdnform.state.json"
    )]
    pub from_state: PathBuf,
    /// How long to wait for each state lock.
    #[arg(long = "lock-timeout", value_name = "DURATION", default_value = "0s", value_parser = parse_duration)]
    pub lock_timeout: Duration,
}

#[derive(Debug, Args)]
pub struct ForceUnlockArgs {
    /// The lock ID printed in the "state is locked" message.
    pub lock_id: String,
    #[arg(
        long = "state",
        value_name = "PATH",
        default_value = "state/cdnform.state.json"
    )]
    pub state: PathBuf,
}

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on (loopback).
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub listen: std::net::SocketAddr,
    /// File the emulated world is persisted to.
    #[arg(long, default_value = "state/emulator.json")]
    pub data: PathBuf,
    /// Accepted Alibaba AccessKeyId.
    #[arg(long, env = "CDNFORM_EMULATOR_ALIYUN_KEY_ID", default_value = "testid")]
    pub aliyun_key_id: String,
    /// Accepted Alibaba AccessKey secret.
    #[arg(
        long,
        env = "CDNFORM_EMULATOR_ALIYUN_KEY_SECRET",
        default_value = "testsecret",
        hide_default_value = true,
        hide_env_values = true
    )]
    pub aliyun_key_secret: String,
    /// Accepted Baishan API token.
    #[arg(
        long,
        env = "CDNFORM_EMULATOR_BAISHAN_TOKEN",
        default_value = "testtoken",
        hide_default_value = true,
        hide_env_values = true
    )]
    pub baishan_token: String,
    /// Accepted CTG access key.
    #[arg(
        long,
        env = "CDNFORM_EMULATOR_CTG_ACCESS_KEY",
        default_value = "testid"
    )]
    pub ctg_access_key: String,
    /// Accepted CTG secret key.
    #[arg(
        long,
        env = "CDNFORM_EMULATOR_CTG_SECRET_KEY",
        default_value = "testsecret",
        hide_default_value = true,
        hide_env_values = true
    )]
    pub ctg_secret_key: String,
    /// Lifetime of the CTG tokens the emulator issues.
    #[arg(long, default_value = "2h", value_parser = parse_duration)]
    pub ctg_token_lifetime: Duration,
    /// How long a new or changed domain stays `configuring`.
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    pub configuring_delay: Duration,
    /// Most domains the account may hold (DomainOverLimit past it).
    #[arg(long, default_value_t = 500)]
    pub max_domains: usize,
    /// Fraction of requests (0 to 1) that get an injected fault, one of --fault-kinds each.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate, help_heading = "Fault injection")]
    pub fault_rate: f64,
    /// The faults to inject, comma-separated, each equally likely: 500 and 503 (the vendor's
    /// error answers), throttle (the vendor's throttling answer: Alibaba Throttling 503,
    /// Baishan 429 with X-Retry-After, CTG 429 with Retry-After), reset (the connection is
    /// closed without an answer), timeout (no answer for --fault-hold, then closed), lost
    /// (the request IS performed, then the connection is closed instead of answering).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "KINDS",
        default_value = "500,503,throttle,reset,timeout,lost",
        help_heading = "Fault injection"
    )]
    pub fault_kinds: Vec<FaultKind>,
    /// Latency added to every request the faults cover (--fault-vendor, --fault-action).
    #[arg(long, default_value = "0", value_parser = parse_duration, help_heading = "Fault injection")]
    pub latency: Duration,
    /// Up to this much more latency per request, at random.
    #[arg(long, default_value = "0", value_parser = parse_duration, help_heading = "Fault injection")]
    pub latency_jitter: Duration,
    /// Seed of the fault decisions: the same seed and the same requests get the same faults.
    /// Random (and printed) when not given.
    #[arg(long, value_name = "N", help_heading = "Fault injection")]
    pub fault_seed: Option<u64>,
    /// Faults and latency only for this vendor: aliyun, baishan, ctg or any.
    #[arg(
        long,
        value_name = "VENDOR",
        default_value = "any",
        help_heading = "Fault injection"
    )]
    pub fault_vendor: FaultVendor,
    /// Faults and latency only for this action: an Alibaba Action (AddCdnDomain) or a
    /// Baishan or CTG "METHOD /path" (POST /v2/domain, POST /API/domain); * for all.
    #[arg(
        long,
        value_name = "ACTION",
        default_value = "*",
        help_heading = "Fault injection"
    )]
    pub fault_action: String,
    /// How long a timeout fault holds a request before closing the connection (cdnform's
    /// clients give up after 30s).
    #[arg(long, default_value = "60s", value_parser = parse_duration, help_heading = "Fault injection")]
    pub fault_hold: Duration,
}

/// A fraction of requests, 0 to 1.
pub fn parse_rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(format!(
            "{s:?} is not a fraction between 0 and 1 (e.g. 0.2 for 20% of requests)"
        )),
    }
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Domain counts, comma-separated; every vendor gets each count (0: only
    /// the engine measurement).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "100,1000",
        value_name = "N,..."
    )]
    pub domains: Vec<usize>,
    /// The vendors to run, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "aliyun,baishan,ctg",
        value_name = "VENDOR,..."
    )]
    pub vendors: Vec<String>,
    /// Latency the emulator adds to every call.
    #[arg(long, default_value = "20ms", value_parser = parse_duration)]
    pub latency: Duration,
    /// -parallelism of the timed plan and apply commands.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..))]
    pub parallelism: u16,
    /// URLs in the purge phase.
    #[arg(long = "purge-urls", default_value_t = 5000)]
    pub purge_urls: usize,
    /// Domains of the engine-only CPU measurement (no API; 0 skips it).
    #[arg(long = "engine-domains", default_value_t = 10_000)]
    pub engine_domains: usize,
    /// How long the emulator keeps a new or changed domain configuring.
    #[arg(long = "configuring-delay", default_value = "0", value_parser = parse_duration)]
    pub configuring_delay: Duration,
    /// How long the emulator's purge tasks take.
    #[arg(long = "task-delay", default_value = "0", value_parser = parse_duration)]
    pub task_delay: Duration,
    /// Keep the scratch projects and the commands' logs in DIR (default: a
    /// temporary directory, removed at the end).
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
    /// The cdnform binary to time (default: this one).
    #[arg(long, value_name = "PATH")]
    pub binary: Option<PathBuf>,
    /// Print the results as one JSON document.
    #[arg(long)]
    pub json: bool,
}

pub fn parse_address(s: &str) -> Result<crate::model::Address, String> {
    s.parse().map_err(|e| format!("{e}"))
}

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    humantime::parse_duration(s).map_err(|e| format!("{e} (use e.g. 30s, 2m, 1h)"))
}

/// Turn Terraform-style `-flag` into clap's `--flag` (short `-h` stays).
pub fn normalise_args(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut out = Vec::new();
    let mut passthrough = false;
    for (i, a) in args.into_iter().enumerate() {
        let s = a.to_string_lossy();
        if i > 0 && !passthrough && s.starts_with('-') && !s.starts_with("--") && s.len() > 2 {
            out.push(OsString::from(format!("-{s}")));
        } else {
            passthrough |= s == "--";
            out.push(a);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_dash_long_flags() {
        let args = normalise_args(
            [
                "cdnform",
                "-chdir=x",
                "apply",
                "-auto-approve",
                "-var",
                "a=b",
                "-h",
            ]
            .map(OsString::from),
        );
        let s: Vec<String> = args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            s,
            [
                "cdnform",
                "--chdir=x",
                "apply",
                "--auto-approve",
                "--var",
                "a=b",
                "-h"
            ]
        );
        let cli = Cli::try_parse_from(&args[..args.len() - 1]).unwrap();
        assert!(cli.chdir.is_some());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("0").unwrap(), Duration::ZERO);
        assert!(parse_duration("abc").is_err());
    }
}
