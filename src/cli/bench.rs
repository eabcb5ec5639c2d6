//! `cdnform bench`: run the benchmark harness (`crate::bench`) and print its
//! results as Markdown tables (or one JSON document with `-json`).

use crate::bench::{self, BenchOptions, BenchReport, EngineCost, PhaseResult};
use crate::cli::args::BenchArgs;
use crate::cli::error::CliError;
use crate::cli::output::Output;
use serde_json::json;
use std::time::Duration;

pub async fn run(args: BenchArgs, out: &Output) -> Result<i32, CliError> {
    let binary = match args.binary {
        Some(b) => b,
        None => std::env::current_exe()
            .map_err(|e| CliError::runtime(format!("cannot find this binary: {e}")))?,
    };
    let scratch = match &args.keep {
        Some(_) => None,
        None => Some(
            tempfile::Builder::new()
                .prefix("cdnform-bench-")
                .tempdir()
                .map_err(|e| CliError::runtime(format!("cannot make a scratch directory: {e}")))?,
        ),
    };
    let workdir = match (&args.keep, &scratch) {
        (Some(dir), _) => std::path::absolute(dir)
            .map_err(|e| CliError::user(format!("{}: {e}", dir.display())))?,
        (None, Some(t)) => t.path().to_path_buf(),
        (None, None) => unreachable!("a scratch directory is made when none is kept"),
    };
    let options = BenchOptions {
        domains: args.domains,
        vendors: args.vendors,
        latency: args.latency,
        parallelism: args.parallelism,
        purge_urls: args.purge_urls,
        engine_domains: (args.engine_domains > 0).then_some(args.engine_domains),
        configuring_delay: args.configuring_delay,
        task_delay: args.task_delay,
        binary,
        workdir,
    };
    let progress = |m: &str| out.progress(&format!("bench: {m}"));
    let report = bench::run(&options, &progress)
        .await
        .map_err(|e| CliError::runtime(e.to_string()))?;
    if args.json {
        out.line(&report_json(&report).to_string());
    } else {
        out.text(&render(&report));
    }
    Ok(0)
}

fn secs(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64())
}

fn kib(bytes: Option<u64>) -> String {
    bytes.map_or("-".into(), |b| format!("{:.0}", b as f64 / 1024.0))
}

/// The results as Markdown: the phases table, the calls of each phase, the
/// engine-only costs.
pub fn render(report: &BenchReport) -> String {
    let o = &report.options;
    let mut s = format!(
        "Latency {} per call, -parallelism {}, the vendors' documented rate limits (emulator), \
         configuring delay {}, purge of {} URLs.\n\n",
        humantime::format_duration(o.latency),
        o.parallelism,
        humantime::format_duration(o.configuring_delay),
        o.purge_urls
    );
    if !report.phases.is_empty() {
        s.push_str(
            "| vendor | N | phase | wall s | API calls | throttled | peak in flight | bound s | bound by | wall/bound | CPU s | peak MiB | state KiB | journal KiB | emulator CPU s |\n\
             |---|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|\n",
        );
        for p in &report.phases {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {:.3} | {} | {:.2} | {} | {:.1} | {} | {} | {} |\n",
                p.vendor,
                p.domains,
                p.phase.name(),
                secs(p.wall),
                p.total_calls(),
                p.throttled,
                p.peak_in_flight,
                p.bound.seconds,
                p.bound.by,
                p.ratio(),
                secs(p.cpu),
                p.max_rss_kib as f64 / 1024.0,
                kib(p.state_bytes),
                kib(p.journal_bytes),
                secs(p.emulator_cpu),
            ));
        }
        s.push_str("\nCalls per phase:\n\n");
        for p in &report.phases {
            s.push_str(&format!("- {}\n", calls_line(p)));
        }
    }
    if let Some(e) = &report.engine {
        s.push('\n');
        s.push_str(&render_engine(e, &o.vendors));
    }
    s
}

fn calls_line(p: &PhaseResult) -> String {
    let calls: Vec<String> = p.calls.iter().map(|(c, n)| format!("{c} {n}")).collect();
    format!(
        "{} N={} {}: {}",
        p.vendor,
        p.domains,
        p.phase.name(),
        calls.join(", ")
    )
}

fn render_engine(e: &EngineCost, vendors: &[String]) -> String {
    let per = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1e6 / e.domains.max(1) as f64);
    let mut s = format!(
        "Engine only: {} domains over {}, vendors' own rules, domains in memory (no HTTP, no API time), \
         one thread:\n\n| step | CPU s | µs per domain | wall s |\n|---|---:|---:|---:|\n",
        e.domains,
        vendors.join(", ")
    );
    let rows = [
        ("load the configuration (HCL)", e.load_cpu, None),
        ("plan: all creates", e.create_plan_cpu, None),
        (
            "apply all creates (journal + snapshot)",
            e.apply_cpu,
            Some(e.apply_wall),
        ),
        ("load the state", e.state_load_cpu, None),
        ("plan: no changes", e.plan_cpu, Some(e.plan_wall)),
        (
            "plan: every domain changed differently",
            e.update_plan_cpu,
            None,
        ),
        (
            "apply those updates (none batchable together)",
            e.update_apply_cpu,
            Some(e.update_apply_wall),
        ),
    ];
    for (step, cpu, wall) in rows {
        s.push_str(&format!(
            "| {step} | {} | {} | {} |\n",
            secs(cpu),
            per(cpu),
            wall.map_or("-".into(), secs)
        ));
    }
    s.push_str(&format!(
        "\nState written by the apply: journal {} KiB, snapshot {} KiB.\n",
        kib(Some(e.journal_bytes)),
        kib(Some(e.state_bytes))
    ));
    s
}

/// The results as one JSON document.
pub fn report_json(report: &BenchReport) -> serde_json::Value {
    let o = &report.options;
    let phases: Vec<serde_json::Value> = report
        .phases
        .iter()
        .map(|p| {
            json!({
                "vendor": p.vendor,
                "domains": p.domains,
                "phase": p.phase.name(),
                "wall_seconds": p.wall.as_secs_f64(),
                "calls": p.calls,
                "total_calls": p.total_calls(),
                "throttled": p.throttled,
                "peak_in_flight": p.peak_in_flight,
                "bound_seconds": p.bound.seconds,
                "bound_by": p.bound.by,
                "ratio": p.ratio(),
                "cpu_seconds": p.cpu.as_secs_f64(),
                "max_rss_kib": p.max_rss_kib,
                "state_bytes": p.state_bytes,
                "journal_bytes": p.journal_bytes,
                "emulator_cpu_seconds": p.emulator_cpu.as_secs_f64(),
            })
        })
        .collect();
    let engine = report.engine.as_ref().map(|e| {
        json!({
            "domains": e.domains,
            "load_cpu_seconds": e.load_cpu.as_secs_f64(),
            "create_plan_cpu_seconds": e.create_plan_cpu.as_secs_f64(),
            "apply_cpu_seconds": e.apply_cpu.as_secs_f64(),
            "apply_wall_seconds": e.apply_wall.as_secs_f64(),
            "state_load_cpu_seconds": e.state_load_cpu.as_secs_f64(),
            "plan_cpu_seconds": e.plan_cpu.as_secs_f64(),
            "plan_wall_seconds": e.plan_wall.as_secs_f64(),
            "plan_cpu_per_domain_us": e.plan_cpu_per_domain().as_secs_f64() * 1e6,
            "update_plan_cpu_seconds": e.update_plan_cpu.as_secs_f64(),
            "update_apply_cpu_seconds": e.update_apply_cpu.as_secs_f64(),
            "update_apply_wall_seconds": e.update_apply_wall.as_secs_f64(),
            "journal_bytes": e.journal_bytes,
            "state_bytes": e.state_bytes,
        })
    });
    json!({
        "latency_seconds": o.latency.as_secs_f64(),
        "parallelism": o.parallelism,
        "purge_urls": o.purge_urls,
        "phases": phases,
        "engine": engine,
    })
}
