//! Baishan specifics: identical changes batched 10 domains per call, domains
//! read 10 per call, a bad domain caught at plan time before it can sink a
//! batch, and the vendor's rate limit waited out rather than failing.

use crate::common::{baishan_block, Emu, Project};
use cdnform::emulator::BaishanLimits;
use cdnform::provider::baishan::{BaishanConfig, BaishanProvider};
use cdnform::provider::Provider;
use std::collections::BTreeMap;
use std::time::Duration;

fn domains(url: &str, count: usize, host: &str) -> String {
    let mut text = baishan_block(url);
    for i in 0..count {
        text.push_str(&format!(
            "resource \"cdn_domain\" \"d{i}\" {{\n  name        = \"d{i}.example.com\"\n  origin_host = \"{host}\"\n  origin {{\n    type    = \"ip\"\n    address = \"192.0.2.{}\"\n  }}\n}}\n",
            i + 1
        ));
    }
    text
}

#[test]
fn twenty_five_identical_changes_take_three_config_calls() {
    let emu = Emu::start_with(|c| {
        c.baishan_limits = BaishanLimits {
            requests_per_window: 1000,
            config_per_minute: 1000,
            ..BaishanLimits::default()
        }
    });
    let p = Project::new();
    p.write("main.hcl", &domains(&emu.url(), 25, "origin-a.example.net"));
    let r = p.run(&["apply", "-auto-approve", "-parallelism", "25"]);
    assert_eq!(r.code, 0, "{r:?}");
    p.write("main.hcl", &domains(&emu.url(), 25, "origin-b.example.net"));
    emu.handle.as_ref().unwrap().reset_calls();
    let r = p.run(&["apply", "-auto-approve", "-parallelism", "25"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.contains("0 added, 25 changed, 0 destroyed"),
        "{r:?}"
    );
    assert_eq!(
        emu.handle
            .as_ref()
            .unwrap()
            .baishan_calls("POST /v2/domain/config"),
        3
    );
    assert_eq!(p.run(&["plan", "-detailed-exitcode"]).code, 0);
}

#[test]
fn a_plan_of_twenty_five_domains_reads_them_in_six_calls() {
    let emu = Emu::start_with(|c| {
        c.baishan_limits = BaishanLimits {
            requests_per_window: 1000,
            config_per_minute: 1000,
            ..BaishanLimits::default()
        }
    });
    let handle = emu.handle.as_ref().unwrap();
    let p = Project::new();
    p.write("main.hcl", &domains(&emu.url(), 25, "origin-a.example.net"));
    let r = p.run(&["apply", "-auto-approve", "-parallelism", "25"]);
    assert_eq!(r.code, 0, "{r:?}");

    handle.reset_calls();
    let r = p.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(r.code, 0, "{r:?}");
    let calls = |pairs: &[(&str, usize)]| -> BTreeMap<String, usize> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    };
    assert_eq!(
        handle.call_counts("baishan"),
        calls(&[("GET /v2/domain", 3), ("GET /v2/domain/config", 3)])
    );

    // Deleted outside cdnform: the emulator refuses the whole ten-domain
    // read as not found (naming it), so its chunk takes one call more.
    let mut config = BaishanConfig::new(cdnform::model::Secret::new("testtoken"));
    config.endpoint = format!("{}/v2", emu.url());
    let client = BaishanProvider::new(config).unwrap();
    emu.runtime
        .block_on(client.delete_domain("d7.example.com"))
        .unwrap();
    handle.reset_calls();
    let r = p.run(&["drift", "-json"]);
    assert_eq!(r.code, 2, "{r:?}");
    let lines: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let drifted: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["type"] == "resource_drift")
        .collect();
    assert_eq!(drifted.len(), 1, "{r:?}");
    assert_eq!(drifted[0]["address"], "cdn_domain.d7");
    assert_eq!(drifted[0]["deleted"], true);
    assert_eq!(
        handle.call_counts("baishan"),
        calls(&[("GET /v2/domain", 4), ("GET /v2/domain/config", 3)])
    );
    let r = p.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stdout.contains("1 to add, 0 to change, 0 to destroy"),
        "{r:?}"
    );
}

#[test]
fn a_bad_domain_is_caught_at_plan_time() {
    let emu = Emu::start();
    let p = Project::new();
    let mut text = domains(&emu.url(), 3, "origin-a.example.net");
    // Seven primary origins: Baishan takes at most six.
    text.push_str("resource \"cdn_domain\" \"bad\" {\n  name = \"bad.example.com\"\n");
    for i in 1..=7 {
        text.push_str(&format!(
            "  origin {{\n    type    = \"ip\"\n    address = \"198.51.100.{i}\"\n  }}\n"
        ));
    }
    text.push_str("}\n");
    p.write("main.hcl", &text);
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("cdn_domain.bad") && r.stderr.contains("baishan"),
        "{r:?}"
    );
    assert!(p.state_bytes().is_none(), "nothing was applied");
    assert_eq!(
        emu.handle
            .as_ref()
            .unwrap()
            .baishan_calls("POST /v2/domain"),
        0
    );
}

#[test]
fn throttling_makes_apply_wait_and_still_succeed() {
    let emu = Emu::start_with(|c| {
        c.baishan_limits = BaishanLimits {
            requests_per_window: 4,
            window: Duration::from_secs(2),
            ..BaishanLimits::default()
        }
    });
    let p = Project::new();
    p.write("main.hcl", &domains(&emu.url(), 3, "origin-a.example.net"));
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr.contains("baishan: waiting"),
        "the wait is shown: {r:?}"
    );
    assert!(r.stdout.contains("3 added"), "{r:?}");
    assert_eq!(
        emu.handle
            .as_ref()
            .unwrap()
            .baishan_domains()
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn the_multi_cdn_example_applies_on_both_vendors() {
    let p = Project::new();
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/multi-cdn/main.hcl"
    ))
    .unwrap();
    p.write("main.hcl", &example);
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("3 added"), "{r:?}");
    assert_eq!(p.run(&["plan", "-detailed-exitcode"]).code, 0);
}
