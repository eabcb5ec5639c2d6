//! The whole life of two domains: create, no-op, update in place, replace,
//! drift made through the vendor API, destroy.

use crate::common::{aliyun_client, domain_block, provider_block, Emu, Project};
use cdnform::provider::Provider;

fn write_config(p: &Project, url: &str, web_origin: &str, web_type: &str) {
    p.write(
        "main.hcl",
        &format!(
            "{}\n{}\n{}",
            provider_block(url),
            domain_block("web", "www.example.com", web_type, web_origin),
            domain_block("img", "img.example.com", "web", "192.0.2.20")
        ),
    );
}

fn resource_count(p: &Project) -> usize {
    p.state_json()["resources"].as_array().unwrap().len()
}

#[test]
fn create_noop_update_replace_drift_destroy() {
    let emu = Emu::start();
    let p = Project::new();
    write_config(&p, &emu.url(), "192.0.2.10", "web");

    let r = p.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(r.code, 2, "{r:?}");
    insta::assert_snapshot!("first_plan", r.stdout);
    assert!(p.state_bytes().is_none(), "plan writes no state");

    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout
            .contains("Apply complete! Resources: 2 added, 0 changed, 0 destroyed."),
        "{r:?}"
    );
    assert_eq!(resource_count(&p), 2);
    let serial_after_create = p.state_json()["serial"].as_u64().unwrap();
    let state = p.state_json();
    let web = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "cdn_domain.web")
        .unwrap();
    assert_eq!(web["attributes"]["status"], "online");
    assert!(web["attributes"]["cname"]
        .as_str()
        .unwrap()
        .contains("www.example.com"));

    let r = p.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout
            .contains("No changes. Your infrastructure matches the configuration."),
        "{r:?}"
    );

    // An origin change is an update in place.
    write_config(&p, &emu.url(), "192.0.2.11", "web");
    let r = p.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stdout
            .contains("# cdn_domain.web will be updated in-place"),
        "{r:?}"
    );
    assert!(
        r.stdout
            .contains("~ address = \"192.0.2.10\" -> \"192.0.2.11\""),
        "{r:?}"
    );
    assert!(
        r.stdout
            .contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{r:?}"
    );
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.contains("0 added, 1 changed, 0 destroyed"),
        "{r:?}"
    );
    assert!(emu.domains().to_string().contains("192.0.2.11"));
    assert!(p.state_json()["serial"].as_u64().unwrap() > serial_after_create);

    // A cdn_type change forces replacement.
    write_config(&p, &emu.url(), "192.0.2.11", "video");
    let r = p.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stdout.contains("# cdn_domain.web must be replaced"),
        "{r:?}"
    );
    assert!(
        r.stdout
            .contains("~ cdn_type    = \"web\" -> \"video\" # forces replacement"),
        "{r:?}"
    );
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.contains("1 added, 0 changed, 1 destroyed"),
        "{r:?}"
    );
    assert_eq!(p.run(&["plan", "-detailed-exitcode"]).code, 0);

    // Drift: someone stops the domain through the vendor API.
    let client = aliyun_client(&emu);
    emu.runtime
        .block_on(client.set_enabled("img.example.com", false))
        .unwrap();
    let r = p.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(r.code, 2, "{r:?}");
    insta::assert_snapshot!("drift_plan", r.stdout);
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    let live = emu
        .runtime
        .block_on(client.read_domain("img.example.com"))
        .unwrap()
        .unwrap();
    assert!(live.enabled);

    let r = p.run(&["state", "list"]);
    assert_eq!(r.stdout, "cdn_domain.img\ncdn_domain.web\n", "{r:?}");
    let r = p.run(&["state", "show", "cdn_domain.web"]);
    assert!(r.stdout.contains("\"cdn_type\": \"video\""), "{r:?}");

    let r = p.run(&["destroy", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout
            .contains("Destroy complete! Resources: 0 added, 0 changed, 2 destroyed."),
        "{r:?}"
    );
    assert_eq!(resource_count(&p), 0);
    assert!(emu
        .runtime
        .block_on(client.list_domains())
        .unwrap()
        .is_empty());

    let text = String::from_utf8(p.state_bytes().unwrap()).unwrap();
    assert!(!text.contains("testsecret"), "no secret in the state");
}
