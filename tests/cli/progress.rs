//! The refresh's progress: in a log, periodic `Refreshing n/N domains`
//! lines and one summary instead of a line per resource; on a terminal, one
//! line redrawn in place; with `-json`, no prose at all.

use crate::common::{domain_block, provider_block, Emu, Project, Run};
use cdnform::emulator::{FaultPlan, FaultRule};
use std::time::Duration;

/// Three domains applied, then every request slowed by `latency`, so a
/// refresh lasts at least that long.
fn three_domains(latency: Duration) -> (Emu, Project) {
    let emu = Emu::start();
    let p = Project::new();
    let mut config = provider_block(&emu.url());
    for (label, ip) in [("a", "192.0.2.1"), ("b", "192.0.2.2"), ("c", "192.0.2.3")] {
        config.push_str(&domain_block(
            label,
            &format!("{label}.example.com"),
            "web",
            ip,
        ));
    }
    p.write("main.hcl", &config);
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    emu.handle
        .as_ref()
        .unwrap()
        .set_faults(FaultPlan {
            rules: vec![FaultRule {
                rate: 0.0,
                latency,
                ..FaultRule::default()
            }],
            ..FaultPlan::none()
        })
        .unwrap();
    (emu, p)
}

fn progress_lines(r: &Run) -> Vec<&str> {
    r.stderr
        .lines()
        .filter(|l| l.starts_with("Refreshing "))
        .collect()
}

#[test]
fn a_log_gets_periodic_lines_and_one_summary_instead_of_a_line_per_domain() {
    // Each read takes 400 ms and a line is due every 50 ms: at least one
    // line comes before the summary, however fast or slow the machine.
    let (_emu, p) = three_domains(Duration::from_millis(400));
    let r = p.run_env(
        &["plan", "-detailed-exitcode"],
        &[("CDNFORM_PROGRESS_INTERVAL", "0.05")],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let lines = progress_lines(&r);
    assert!(!lines.is_empty(), "{r:?}");
    for l in &lines {
        assert!(
            l.starts_with("Refreshing 0/3 domains")
                || l.starts_with("Refreshing 1/3 domains")
                || l.starts_with("Refreshing 2/3 domains"),
            "{l:?}\n{r:?}"
        );
    }
    let summaries: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("Refreshed 3 domains in "))
        .collect();
    assert_eq!(summaries.len(), 1, "{r:?}");
    assert!(!r.all().contains("Refreshing state"), "{r:?}");
    assert!(
        !r.stdout.contains("Refresh"),
        "progress stays off stdout: {r:?}"
    );
    assert!(r.stdout.contains("No changes."), "{r:?}");
}

#[test]
fn interval_zero_leaves_only_the_summary() {
    let (_emu, p) = three_domains(Duration::from_millis(100));
    let quiet = [("CDNFORM_PROGRESS_INTERVAL", "0")];
    let r = p.run_env(&["plan"], &quiet);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(progress_lines(&r).is_empty(), "{r:?}");
    assert!(r.stderr.contains("Refreshed 3 domains in "), "{r:?}");
    // Drift and apply refresh too.
    for args in [&["drift"][..], &["apply", "-auto-approve"]] {
        let r = p.run_env(args, &quiet);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(progress_lines(&r).is_empty(), "{r:?}");
        assert!(r.stderr.contains("Refreshed 3 domains in "), "{r:?}");
    }
}

#[test]
fn json_runs_print_no_progress_prose() {
    let (_emu, p) = three_domains(Duration::from_millis(200));
    let r = p.run_env(&["plan", "-json"], &[("CDNFORM_PROGRESS_INTERVAL", "0.05")]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!r.all().contains("Refreshing 0"), "{r:?}");
    assert!(!r.all().contains("Refreshed"), "{r:?}");
    for line in r.stdout.lines() {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}\n{r:?}"));
    }
    assert_eq!(r.stdout.matches("\"refresh_complete\"").count(), 3, "{r:?}");
}

/// On a terminal the line is drawn, cleared, and replaced by the summary.
/// util-linux `script` gives the binary a pseudo-terminal.
#[cfg(target_os = "linux")]
#[test]
fn a_terminal_gets_one_live_line_then_the_summary() {
    use std::process::{Command, Stdio};
    let has_script = Command::new("script")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_script {
        eprintln!("skipped: no util-linux `script` to provide a terminal");
        return;
    }
    let (_emu, p) = three_domains(Duration::from_millis(300));
    let command = format!(
        "{} -chdir={} plan -no-color",
        env!("CARGO_BIN_EXE_cdnform"),
        p.path().display()
    );
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("TERM", "xterm")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("script runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Refreshing 0/3 domains"), "{text:?}");
    // Cleared in place (erase line), then the summary.
    let cleared = text.rfind("\x1b[2K").expect("the line is erased");
    let summary = text.find("Refreshed 3 domains in ").expect("a summary");
    assert!(cleared < summary, "{text:?}");
    assert!(!text.contains("Refreshing state"), "{text:?}");
}
