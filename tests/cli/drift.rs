//! Drift detection for schedules: `cdnform drift` exits 2 and reports each
//! drifted attribute (text and JSON lines), lists unmanaged domains when
//! asked, and `apply -refresh-only` accepts the drift into the state.

use crate::common::{aliyun_client, domain_block, provider_block, Emu, Project};
use cdnform::model::{CdnType, Domain, Origin, OriginType};
use cdnform::provider::Provider;

#[test]
fn drift_reports_attributes_unmanaged_domains_and_is_accepted_by_refresh_only() {
    let emu = Emu::start();
    let p = Project::new();
    p.write(
        "main.hcl",
        &format!(
            "{}\n{}",
            provider_block(&emu.url()),
            domain_block("web", "www.example.com", "web", "192.0.2.10")
        ),
    );
    assert_eq!(p.run(&["apply", "-auto-approve"]).code, 0);
    let r = p.run(&["drift"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("No drift"), "{r:?}");

    // Outside cdnform: the domain is stopped, and another domain appears.
    let client = aliyun_client(&emu);
    emu.runtime
        .block_on(client.set_enabled("www.example.com", false))
        .unwrap();
    let other = Domain::new(
        "legacy.example.com",
        CdnType::Web,
        vec![Origin {
            origin_type: OriginType::Ip,
            address: "192.0.2.99".into(),
            port: 80,
            priority: 20,
            weight: 10,
        }],
    );
    emu.runtime.block_on(client.create_domain(&other)).unwrap();

    let r = p.run(&["drift"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stdout.contains("# cdn_domain.web has changed")
            && r.stdout.contains("~ enabled = true -> false"),
        "{r:?}"
    );

    let r = p.run(&["drift", "-json", "-include-unmanaged"]);
    assert_eq!(r.code, 2, "{r:?}");
    let lines: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let drift = lines
        .iter()
        .find(|l| l["type"] == "resource_drift")
        .unwrap();
    assert_eq!(drift["address"], "cdn_domain.web");
    assert_eq!(
        drift["changes"][0],
        serde_json::json!({"attribute": "enabled", "before": true, "after": false})
    );
    assert!(
        lines
            .iter()
            .any(|l| l["type"] == "unmanaged_domain" && l["name"] == "legacy.example.com"),
        "{r:?}"
    );
    assert_eq!(lines.last().unwrap()["type"], "drift_summary");

    let r = p.run(&["plan", "-refresh-only", "-detailed-exitcode"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stdout.contains("Refresh only"), "{r:?}");
    let r = p.run(&["apply", "-refresh-only", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(p.run(&["drift"]).code, 0, "the drift is now in the state");
    // The configuration still wants the domain on: a normal plan puts it back.
    let r = p.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stdout.contains("~ enabled = false -> true"), "{r:?}");
}
