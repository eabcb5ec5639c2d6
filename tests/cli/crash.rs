//! Nothing lost when the machine misbehaves: an apply of 50 domains killed
//! (SIGKILL) at several points, and one interrupted (SIGINT). After each
//! kill the state as loaded must agree with the account — including a
//! domain whose create reached the vendor just before the kill, found by
//! reading and never created twice — and a fresh plan must show exactly the
//! remaining work.

use crate::common::{domain_block, provider_block, Emu, Project};
use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::Duration;

fn fifty(p: &Project, emu: &Emu) {
    let mut text = provider_block(&emu.url());
    for i in 0..50 {
        text.push_str(&domain_block(
            &format!("d{i}"),
            &format!("d{i}.example.com"),
            "web",
            "192.0.2.1",
        ));
    }
    p.write("main.hcl", &text);
}

fn spawn_apply(p: &Project) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_cdnform"))
        .arg(format!("-chdir={}", p.path().display()))
        .args(["apply", "-auto-approve", "-no-color"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn on_account(emu: &Emu) -> BTreeSet<String> {
    emu.domain_names().into_iter().collect()
}

/// A killed process leaves its lock file behind, but its OS lock died with
/// it: the next command takes the lock over (with a warning), no
/// `force-unlock` needed.
fn lock_left(p: &Project) -> bool {
    p.path().join("state/cdnform.state.json.lock").exists()
}

/// The state as `state pull` prints it (snapshot plus replayed journal):
/// recorded domains and creates left pending.
fn loaded(p: &Project) -> (BTreeSet<String>, BTreeSet<String>) {
    let r = p.run(&["state", "pull"]);
    if r.stdout.trim().is_empty() {
        return Default::default();
    }
    let s: serde_json::Value = serde_json::from_str(&r.stdout).expect("state pull is JSON");
    let names = |key: &str| -> BTreeSet<String> {
        s[key]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| r["vendor_id"].as_str().unwrap().to_string())
            .collect()
    };
    (names("resources"), names("pending"))
}

/// `plan -json`: addresses to create, domains to adopt, and whether it took
/// over a lock left by a killed process.
fn remaining(p: &Project) -> (BTreeSet<String>, BTreeSet<String>, bool) {
    let r = p.run(&["plan", "-json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let mut creates = BTreeSet::new();
    let mut adopts = BTreeSet::new();
    let mut took_over = false;
    for line in r.stdout.lines() {
        let m: serde_json::Value = serde_json::from_str(line).unwrap();
        if m["type"] == "diagnostic"
            && m["summary"]
                .as_str()
                .is_some_and(|t| t.contains("took over the state lock"))
        {
            took_over = true;
        }
        if m["type"] != "planned_change" {
            continue;
        }
        let name = m["address"]
            .as_str()
            .unwrap()
            .trim_start_matches("cdn_domain.")
            .to_string()
            + ".example.com";
        if let Some(id) = m["importing"]["id"].as_str() {
            adopts.insert(id.to_string());
        } else if m["action"] == "create" {
            creates.insert(name);
        } else {
            panic!("unexpected change after a kill: {m}");
        }
    }
    (creates, adopts, took_over)
}

#[test]
fn killed_applies_lose_nothing_and_create_nothing_twice() {
    let emu = Emu::start_with(|c| c.configuring_delay = Duration::from_millis(250));
    let p = Project::new();
    fifty(&p, &emu);
    let all: BTreeSet<String> = (0..50).map(|i| format!("d{i}.example.com")).collect();
    let mut taken_over = 0;
    for (round, after_ms) in [2200u64, 2600, 3000, 2400, 3400, 4000]
        .into_iter()
        .enumerate()
    {
        let mut child = spawn_apply(&p);
        std::thread::sleep(Duration::from_millis(after_ms));
        let finished = child.try_wait().unwrap().is_some();
        child.kill().ok();
        child.wait().unwrap();
        let left = lock_left(&p);
        let account = on_account(&emu);
        let (recorded, pending) = loaded(&p);
        assert!(
            recorded.is_subset(&account),
            "round {round}: the state records domains the account lacks: {:?}",
            recorded.difference(&account).collect::<Vec<_>>()
        );
        let traced: BTreeSet<String> = recorded.union(&pending).cloned().collect();
        assert!(
            account.is_subset(&traced),
            "round {round}: domains on the account the state knows nothing of: {:?}",
            account.difference(&traced).collect::<Vec<_>>()
        );
        let (creates, adopts, took_over) = remaining(&p);
        if left {
            taken_over += 1;
            assert!(
                took_over,
                "round {round}: the killed apply's lock is taken over"
            );
        }
        let missing: BTreeSet<String> = all.difference(&account).cloned().collect();
        assert_eq!(
            creates, missing,
            "round {round}: exactly the domains not yet created"
        );
        let unrecorded: BTreeSet<String> = account.difference(&recorded).cloned().collect();
        assert_eq!(
            adopts, unrecorded,
            "round {round}: created-but-unrecorded are adopted"
        );
        eprintln!(
            "round {round}: killed after {after_ms} ms: {} on the account, {} recorded, {} to adopt, {} to create",
            account.len(),
            recorded.len(),
            adopts.len(),
            creates.len()
        );
        if finished {
            break;
        }
    }
    assert!(taken_over > 0, "no round left a lock to take over");
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(on_account(&emu), all, "every domain exactly once");
    assert_eq!(loaded(&p), (all, BTreeSet::new()));
    assert_eq!(p.run(&["plan", "-detailed-exitcode"]).code, 0);
}

#[test]
fn ctrl_c_finishes_what_is_in_flight_records_it_and_exits_non_zero() {
    let emu = Emu::start_with(|c| c.configuring_delay = Duration::from_millis(250));
    let p = Project::new();
    fifty(&p, &emu);
    let child = spawn_apply(&p);
    // Wait until creates are under way (reads of the 50 names come first).
    let started = std::time::Instant::now();
    while on_account(&emu).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no create started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("Interrupt received"), "{stderr}");
    assert!(stderr.contains("interrupted:"), "{stderr}");
    assert!(stderr.contains("not started"), "{stderr}");
    // Calls in flight finished and were recorded; the lock was released.
    let account = on_account(&emu);
    let (recorded, pending) = loaded(&p);
    assert_eq!(recorded, account, "everything created is recorded");
    assert!(pending.is_empty(), "{pending:?}");
    assert!(account.len() < 50, "it stopped early");
    assert!(!p.path().join("state/cdnform.state.json.lock").exists());
    let (creates, adopts, took_over) = remaining(&p);
    assert!(!took_over);
    assert_eq!(creates.len(), 50 - account.len());
    assert!(adopts.is_empty());
    assert_eq!(p.run(&["apply", "-auto-approve"]).code, 0);
    assert_eq!(on_account(&emu).len(), 50);
}
