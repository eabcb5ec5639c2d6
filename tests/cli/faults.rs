//! Reliability under injected faults: the `cdnform emulator` fault flags, and applying 100
//! domains across the three vendors while 20% of all requests fail (error answers,
//! throttling, resets, lost answers) converges without a duplicate create.

use crate::common::{baishan_block, provider_block, Emu, Project};
use crate::ctg::ctg_block;
use cdnform::emulator::{AliyunLimits, BaishanLimits, FaultKind, FaultPlan};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

/// (vendor, its create action as the emulator names it, how many domains).
const VENDORS: [(&str, &str, usize); 3] = [
    ("aliyun", "AddCdnDomain", 34),
    ("baishan", "POST /v2/domain", 33),
    ("ctg", "POST /API/domain", 33),
];

fn names(vendor: &str, count: usize) -> Vec<String> {
    (0..count)
        .map(|i| format!("{vendor}-{i}.example.com"))
        .collect()
}

fn configuration(url: &str) -> String {
    let mut text = format!(
        "{}{}{}",
        provider_block(url),
        baishan_block(url),
        ctg_block(url, "testsecret")
    );
    for (vendor, _, count) in VENDORS {
        for (i, name) in names(vendor, count).iter().enumerate() {
            text.push_str(&format!(
                "resource \"cdn_domain\" \"{vendor}_{i}\" {{\n  provider = {vendor}\n  name     = \"{name}\"\n  origin {{\n    type    = \"ip\"\n    address = \"192.0.2.{}\"\n  }}\n}}\n",
                i + 1
            ));
        }
    }
    text
}

/// The names of the emulator's domains of `vendor`.
fn live(emu: &Emu, vendor: &str) -> Vec<String> {
    let h = emu.handle.as_ref().unwrap();
    let (list, key) = match vendor {
        "aliyun" => (h.aliyun_domains(), "DomainName"),
        "baishan" => (h.baishan_domains(), "domain"),
        _ => (h.ctg_domains(), "domain"),
    };
    list.as_array()
        .unwrap()
        .iter()
        .map(|d| d[key].as_str().unwrap().to_string())
        .collect()
}

/// The state's domains of `vendor` (the provider address's first part).
fn in_state(state: &Value, vendor: &str) -> Vec<String> {
    let mut out: Vec<String> = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            let p = match &r["provider"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            p.split('.').next() == Some(vendor)
        })
        .map(|r| r["vendor_id"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

/// A run's output without its progress and retry lines.
fn errors(r: &crate::common::Run) -> String {
    r.all()
        .lines()
        .filter(|l| {
            !l.starts_with("Refreshing ")
                && !l.starts_with("Refreshed ")
                && !l.starts_with("Checking ")
                && !l.starts_with("Checked ")
                && !l.contains("retrying in")
                && !l.contains("Creating...")
                && !l.contains("Still")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn applying_100_domains_through_20_percent_faults_converges_without_duplicates() {
    // Answers that never come are held 3 s; the clients give up after 1 s
    // (CDNFORM_HTTP_TIMEOUT) and retry, or settle a write by reading.
    let kinds = [
        FaultKind::InternalError,
        FaultKind::Unavailable,
        FaultKind::Throttle,
        FaultKind::Reset,
        FaultKind::Timeout,
        FaultKind::Lost,
    ];
    let emu = Emu::start_with(|c| {
        c.faults = FaultPlan {
            hold: Duration::from_secs(3),
            ..FaultPlan::uniform(20_240_601, 0.2, &kinds)
        };
        // The vendors' own rate limits are not what this test is about; the injected
        // throttling answers still are.
        c.baishan_limits = BaishanLimits {
            requests_per_window: 10_000,
            config_per_minute: 10_000,
            ..BaishanLimits::default()
        };
        c.aliyun_limits = AliyunLimits::unlimited();
    });
    let h = emu.handle.as_ref().unwrap();
    let p = Project::new();
    p.write("main.hcl", &configuration(&emu.url()));

    let mut applies = Vec::new();
    while applies.len() < 3 {
        let r = p.run_env(
            &["apply", "-auto-approve"],
            &[("CDNFORM_HTTP_TIMEOUT", "1s")],
        );
        let ok = r.code == 0;
        applies.push(r);
        if ok {
            break;
        }
    }
    let last = applies.last().unwrap();
    assert_eq!(
        last.code,
        0,
        "{} applies, their errors:\n{}",
        applies.len(),
        applies
            .iter()
            .map(errors)
            .collect::<Vec<_>>()
            .join("\n---\n")
    );
    let injected = h.faults_injected();
    let retries: usize = applies
        .iter()
        .map(|r| r.stderr.matches("retrying in").count())
        .sum();

    h.set_faults(FaultPlan::none()).unwrap();
    let plan = p.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{plan:?}");

    let state = p.state_json();
    let mut report = BTreeMap::new();
    let mut lost_creates = 0;
    for (vendor, create, count) in VENDORS {
        let mut want = names(vendor, count);
        want.sort();
        let got = live(&emu, vendor);
        assert_eq!(
            got, want,
            "{vendor}: the emulator holds exactly the configured domains"
        );
        assert_eq!(
            in_state(&state, vendor),
            want,
            "{vendor}: the state matches the emulator"
        );
        let answers = h.answers(vendor, create);
        assert_eq!(
            answers.get("200").copied(),
            Some(count),
            "{vendor}: every domain created exactly once: {answers:?}"
        );
        let duplicates: usize = answers
            .iter()
            .filter(|(note, _)| note.to_ascii_lowercase().contains("already exist"))
            .map(|(_, n)| n)
            .sum();
        assert_eq!(
            duplicates, 0,
            "{vendor}: no create was sent for a domain that existed: {answers:?}"
        );
        let create_faults = h.faults_injected_for(vendor, create);
        lost_creates += create_faults.lost;
        report.insert(vendor, (answers, create_faults.to_string()));
    }
    assert!(
        lost_creates > 0,
        "some create answers were lost (and settled by reading): {report:#?}"
    );
    assert!(
        injected.total() > 0 && injected.lost > 0 && injected.timeout > 0,
        "{injected}"
    );
    assert!(
        retries > 0,
        "the run reports what it retried: {:?}",
        applies[0]
    );
    let sample: Vec<&str> = applies
        .iter()
        .flat_map(|r| r.stderr.lines())
        .filter(|l| l.contains("retrying in"))
        .take(5)
        .collect();
    let failed: Vec<String> = applies[..applies.len() - 1].iter().map(errors).collect();
    eprintln!(
        "converged in {} apply run(s); faults injected: {injected}; retry lines: {retries}, e.g. {sample:#?}; create answers, and the faults injected into creates: {report:#?}; runs before the last: {failed:#?}",
        applies.len()
    );
}

#[test]
fn the_emulator_command_injects_the_faults_its_flags_ask_for() {
    let p = Project::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cdnform"))
        .args(["emulator", "--listen", "127.0.0.1:0", "--data"])
        .arg(p.path().join("world.json"))
        .args([
            "--fault-rate",
            "1",
            "--fault-kinds",
            "throttle",
            "--fault-vendor",
            "baishan",
            "--fault-seed",
            "5",
            "--latency",
            "10ms",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let (mut first, mut second) = (String::new(), String::new());
    out.read_line(&mut first).unwrap();
    out.read_line(&mut second).unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .to_string();
    assert!(
        second.contains("rate 1 of baishan * requests (throttle)") && second.contains("seed 5"),
        "{second:?}"
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (baishan, ctg) = runtime.block_on(async {
        let http = reqwest::Client::new();
        let b = http
            .get(format!("{url}/v2/domain/list?token=testtoken"))
            .send()
            .await
            .unwrap();
        let retry_after = b.headers().get("x-retry-after").cloned();
        let c = http
            .get(format!("{url}/API/domain/list"))
            .send()
            .await
            .unwrap();
        ((b.status().as_u16(), retry_after), c.status().as_u16())
    });
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(baishan.0, 429);
    assert_eq!(baishan.1.unwrap(), "1");
    // CTG is not covered: its usual 401 for a request without a token.
    assert_eq!(ctg, 401);
}
