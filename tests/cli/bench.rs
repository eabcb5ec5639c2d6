//! The benchmark harness end to end at a tiny size (`cdnform bench` with 5
//! domains per vendor, 1 ms latency): every phase runs and reports calls;
//! nothing about speed is asserted (performance is measured by the bench,
//! never asserted in tests). Also: Alibaba's batched updates are awaited
//! with their config polls in flight together, not one domain at a time.

use cdnform::emulator::{self, AliyunLimits, EmulatorConfig};
use cdnform::model::{CdnType, Domain, Origin, OriginType, Secret};
use cdnform::provider::aliyun::{AliyunConfig, AliyunProvider};
use cdnform::provider::Provider;
use std::process::Command;
use std::time::Duration;

#[test]
fn bench_runs_every_phase_at_a_tiny_size() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cdnform"))
        .args([
            "bench",
            "-domains",
            "5",
            "-latency",
            "1ms",
            "-purge-urls",
            "40",
            "-engine-domains",
            "12",
            "-json",
            "-keep",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let phases = report["phases"].as_array().unwrap();
    assert_eq!(phases.len(), 12, "{report:#}");
    for vendor in ["aliyun", "baishan", "ctg"] {
        let names: Vec<&str> = phases
            .iter()
            .filter(|p| p["vendor"] == vendor)
            .map(|p| p["phase"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "apply (create all)",
                "plan (no change)",
                "apply (change 10%)",
                "purge"
            ]
        );
    }
    for p in phases {
        assert_eq!(p["domains"], 5);
        assert!(p["total_calls"].as_u64().unwrap() > 0, "{p}");
        assert!(p["bound_seconds"].as_f64().unwrap() > 0.0, "{p}");
        assert!(p["cpu_seconds"].as_f64().is_some(), "{p}");
        assert!(p["max_rss_kib"].as_u64().unwrap() > 0, "{p}");
    }
    // The applies wrote the state; the journal was caught before it was folded.
    let create = &phases[0];
    assert!(create["state_bytes"].as_u64().unwrap() > 0, "{create}");
    // The change touched one domain of five (every tenth, from the first):
    // on Alibaba, one BatchSetCdnDomainConfig.
    let change = &phases[2];
    assert_eq!(change["calls"]["BatchSetCdnDomainConfig"], 1, "{change}");
    let engine = &report["engine"];
    assert_eq!(engine["domains"], 12);
    assert!(engine["plan_cpu_seconds"].as_f64().is_some(), "{engine}");
    assert!(engine["journal_bytes"].as_u64().unwrap() > 0, "{engine}");
    // The scratch projects and the commands' logs were kept.
    assert!(dir.path().join("aliyun-5/logs/2-plan.out").exists());

    // The human rendering is a Markdown table.
    let out = Command::new(env!("CARGO_BIN_EXE_cdnform"))
        .args([
            "bench",
            "-domains",
            "2",
            "-vendors",
            "ctg",
            "-latency",
            "0",
            "-purge-urls",
            "3",
            "-engine-domains",
            "0",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("| ctg | 2 | plan (no change) |"), "{text}");
    assert!(!text.contains("Engine only"), "{text}");
}

#[test]
fn bench_refuses_an_unknown_vendor() {
    let out = Command::new(env!("CARGO_BIN_EXE_cdnform"))
        .args(["bench", "-vendors", "akamai", "-engine-domains", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown vendor \"akamai\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batched_alibaba_updates_are_polled_together() {
    let emu = emulator::start(
        EmulatorConfig {
            latency: Duration::from_millis(30),
            configuring_delay: Duration::ZERO,
            aliyun_limits: AliyunLimits::unlimited(),
            ..EmulatorConfig::default()
        },
        ([127, 0, 0, 1], 0).into(),
    )
    .await
    .unwrap();
    let p = AliyunProvider::new(AliyunConfig {
        endpoint: emu.url(),
        ..AliyunConfig::new("testid", Secret::new("testsecret"))
    })
    .unwrap();
    let domains: Vec<Domain> = (0..20)
        .map(|i| {
            Domain::new(
                format!("d{i}.example.com"),
                CdnType::Web,
                vec![Origin {
                    origin_type: OriginType::Ip,
                    address: "192.0.2.1".into(),
                    port: 80,
                    priority: 20,
                    weight: 10,
                }],
            )
        })
        .collect();
    for d in &domains {
        p.create_domain(d).await.unwrap();
    }
    let updates: Vec<(Domain, Domain)> = domains
        .iter()
        .map(|d| {
            let mut next = d.clone();
            next.origin_host = Some("origin.example.net".into());
            (d.clone(), next)
        })
        .collect();
    emu.reset_calls();
    emu.take_peak_in_flight();
    let results = p.update_domains(&updates).await;
    assert!(results.iter().all(|r| r.is_ok()), "{results:?}");
    assert_eq!(emu.aliyun_calls("BatchSetCdnDomainConfig"), 1);
    assert_eq!(emu.aliyun_calls("DescribeCdnDomainConfigs"), 20);
    // Each domain's config poll waits 30 ms in the emulator: polled one
    // after another there would never be two in flight.
    assert!(emu.take_peak_in_flight() > 1);
    emu.shutdown().await;
}

/// Connections are kept alive and reused: a run opens about as many TCP
/// connections as it has calls in flight at once, not one per call (and
/// builds its HTTP client once, not per call).
#[test]
fn each_vendor_client_reuses_its_connections() {
    use crate::common::{baishan_block, domain_block, provider_block, Emu, Project};
    for vendor in ["aliyun", "baishan", "ctg"] {
        // Some latency, so the calls a client has in flight overlap on the
        // server too and its peak shows the client's concurrency.
        let emu = Emu::start_with(|c| c.latency = Duration::from_millis(20));
        let handle = emu.handle.as_ref().unwrap();
        let block = match vendor {
            "aliyun" => provider_block(&emu.url()),
            "baishan" => baishan_block(&emu.url()),
            _ => crate::ctg::ctg_block(&emu.url(), "testsecret"),
        };
        let mut text = block;
        for i in 0..12 {
            text.push_str(&domain_block(
                &format!("d{i}"),
                &format!("d{i}.example.com"),
                "web",
                "192.0.2.1",
            ));
        }
        let p = Project::new();
        p.write("main.hcl", &text);
        let r = p.run(&["apply", "-auto-approve", "-parallelism=4"]);
        assert_eq!(r.code, 0, "{vendor}: {r:?}");
        let before = handle.connections_accepted();
        handle.reset_calls();
        handle.take_peak_in_flight();
        let r = p.run(&["plan", "-parallelism=4"]);
        assert_eq!(r.code, 0, "{vendor}: {r:?}");
        let connections = handle.connections_accepted() - before;
        let calls: usize = handle.call_counts(vendor).values().sum();
        let peak = handle.take_peak_in_flight();
        assert!(
            connections <= peak + 3 && connections * 2 <= calls,
            "{vendor}: {connections} connections for {calls} calls, at most {peak} at once"
        );
    }
}
