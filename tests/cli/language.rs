//! The language and lifecycle features end to end, through the real binary
//! against the emulator: for_each/count instances, prevent_destroy kept in
//! the state, ignore_changes, create_before_destroy, import blocks, output
//! blocks and `cdnform output`, `max_destroy_percent`, `state push`.

use crate::common::{aliyun_client, provider_block, Emu, Project};
use cdnform::provider::Provider;

/// `for_each` over `var.sites` (key -> origin IP), plus a `lifecycle` body.
fn sites(url: &str, lifecycle: &str) -> String {
    format!(
        "{}variable \"sites\" {{\n  type = map(string)\n}}\n\nresource \"cdn_domain\" \"site\" {{\n  for_each = var.sites\n  name     = \"${{each.key}}.example.com\"\n\n  origin {{\n    type    = \"ip\"\n    address = each.value\n  }}\n{lifecycle}}}\n",
        provider_block(url)
    )
}

fn vars(keys: &[&str]) -> String {
    let items: Vec<String> = keys
        .iter()
        .map(|k| {
            // The origin follows from the key alone, so adding or removing
            // another key changes nothing here.
            let n: u32 = k.bytes().map(u32::from).sum::<u32>() % 250 + 1;
            format!("{k} = \"192.0.2.{n}\"")
        })
        .collect();
    format!("sites={{{}}}", items.join(", "))
}

#[test]
fn for_each_add_and_remove_one_key_touches_only_that_instance() {
    let emu = Emu::start();
    let p = Project::new();
    p.write("main.hcl", &sites(&emu.url(), ""));
    let r = p.run(&["apply", "-auto-approve", "-var", &vars(&["eu", "us"])]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("2 added"), "{r:?}");
    let listed = p.run(&["state", "list"]);
    assert_eq!(
        listed.stdout.lines().collect::<Vec<_>>(),
        ["cdn_domain.site[\"eu\"]", "cdn_domain.site[\"us\"]"]
    );

    // Add "ap" (the keys sort before and after it stay put).
    let three = vars(&["eu", "us", "ap"]);
    let r = p.run(&["plan", "-var", &three]);
    assert!(
        r.stdout
            .contains("# cdn_domain.site[\"ap\"] will be created"),
        "{r:?}"
    );
    assert!(
        r.stdout
            .contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{r:?}"
    );
    assert_eq!(p.run(&["apply", "-auto-approve", "-var", &three]).code, 0);

    // Remove "eu": only it goes; -target of the whole resource names every
    // instance.
    let two = vars(&["us", "ap"]);
    let r = p.run(&["plan", "-var", &two]);
    assert!(
        r.stdout
            .contains("# cdn_domain.site[\"eu\"] will be destroyed"),
        "{r:?}"
    );
    assert!(
        r.stdout
            .contains("Plan: 0 to add, 0 to change, 1 to destroy."),
        "{r:?}"
    );
    let r = p.run(&["plan", "-var", &two, "-target", "cdn_domain.site"]);
    assert!(r.stdout.contains("1 to destroy"), "{r:?}");
    assert_eq!(p.run(&["apply", "-auto-approve", "-var", &two]).code, 0);
    let names = emu.domain_names();
    assert!(!names.contains(&"eu.example.com".to_string()), "{names:?}");
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(p.run(&["plan", "-detailed-exitcode", "-var", &two]).code, 0);
}

#[test]
fn count_instances_and_references_between_them() {
    let emu = Emu::start();
    let p = Project::new();
    p.write(
        "main.hcl",
        &format!(
            "{}resource \"cdn_domain\" \"edge\" {{\n  count = 2\n  name  = \"edge${{count.index}}.example.com\"\n  origin {{\n    type    = \"ip\"\n    address = \"192.0.2.9\"\n  }}\n}}\n\nresource \"cdn_domain\" \"front\" {{\n  name = \"front.example.com\"\n  origin {{\n    type    = \"domain\"\n    address = cdn_domain.edge[1].cname\n  }}\n}}\n\noutput \"edge_cnames\" {{\n  value = [cdn_domain.edge[0].cname, cdn_domain.edge[1].cname]\n}}\n",
            provider_block(&emu.url())
        ),
    );
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("3 added"), "{r:?}");
    let state = p.state_json();
    let front = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "cdn_domain.front")
        .unwrap();
    let edge1 = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "cdn_domain.edge[1]")
        .unwrap();
    assert_eq!(
        front["attributes"]["origins"][0]["address"],
        edge1["attributes"]["cname"]
    );
    let out = p.run(&["output", "-json"]);
    let outputs: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        outputs["edge_cnames"]["value"][1],
        edge1["attributes"]["cname"]
    );
    assert_eq!(p.run(&["plan", "-detailed-exitcode"]).code, 0);
}

#[test]
fn prevent_destroy_survives_the_block_until_unprotected() {
    let emu = Emu::start();
    let p = Project::new();
    let protected = "  lifecycle {\n    prevent_destroy = true\n  }\n";
    p.write("main.hcl", &sites(&emu.url(), protected));
    let both = vars(&["eu", "us"]);
    assert_eq!(p.run(&["apply", "-auto-approve", "-var", &both]).code, 0);

    // While the config says so: a destroy is refused.
    let r = p.run(&["destroy", "-auto-approve", "-var", &both]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("lifecycle.prevent_destroy"), "{r:?}");

    // The instance leaves the config (and the lifecycle block goes too):
    // the state still protects it.
    p.write("main.hcl", &sites(&emu.url(), ""));
    let before = p.state_bytes();
    let one = vars(&["us"]);
    let r = p.run(&["apply", "-auto-approve", "-var", &one]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("cdn_domain.site[\"eu\"]"), "{r:?}");
    assert!(r.stderr.contains("-unprotect"), "{r:?}");
    assert_eq!(p.state_bytes(), before, "nothing written");
    assert_eq!(emu.domains().as_array().unwrap().len(), 2);

    // Deliberately: -unprotect names it, and it goes.
    let r = p.run(&[
        "apply",
        "-auto-approve",
        "-var",
        &one,
        "-unprotect",
        "cdn_domain.site[\"eu\"]",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(emu.domains().as_array().unwrap().len(), 1);
    // The instance still configured lost its lifecycle block in the same
    // edit: its recorded protection went with it (no vendor call).
    let state = p.state_json();
    assert_eq!(state["resources"][0]["address"], "cdn_domain.site[\"us\"]");
    assert!(state["resources"][0].get("protected").is_none(), "{state}");
    let r = p.run(&["destroy", "-auto-approve", "-var", &one]);
    assert_eq!(r.code, 0, "{r:?}");
}

#[test]
fn ignore_changes_keeps_the_live_value() {
    let emu = Emu::start();
    let p = Project::new();
    let config = |host: &str, lifecycle: &str| {
        format!(
            "{}resource \"cdn_domain\" \"web\" {{\n  name        = \"www.example.com\"\n  origin_host = \"{host}\"\n  origin {{\n    type    = \"ip\"\n    address = \"192.0.2.1\"\n  }}\n{lifecycle}}}\n",
            provider_block(&emu.url())
        )
    };
    p.write("main.hcl", &config("a.example.net", ""));
    assert_eq!(p.run(&["apply", "-auto-approve"]).code, 0);
    let ignore = "  lifecycle {\n    ignore_changes = [origin_host]\n  }\n";
    p.write("main.hcl", &config("b.example.net", ignore));
    assert_eq!(p.run(&["plan", "-detailed-exitcode"]).code, 0);
    p.write("main.hcl", &config("b.example.net", ""));
    let r = p.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stdout.contains("\"a.example.net\" -> \"b.example.net\""),
        "{r:?}"
    );
}

#[test]
fn create_before_destroy_creates_the_new_name_first_and_refuses_the_same_name() {
    let emu = Emu::start();
    let p = Project::new();
    let config = |name: &str, cdn_type: &str| {
        format!(
            "{}resource \"cdn_domain\" \"web\" {{\n  name     = \"{name}\"\n  cdn_type = \"{cdn_type}\"\n  origin {{\n    type    = \"ip\"\n    address = \"192.0.2.1\"\n  }}\n  lifecycle {{\n    create_before_destroy = true\n  }}\n}}\n",
            provider_block(&emu.url())
        )
    };
    p.write("main.hcl", &config("old.example.com", "web"));
    assert_eq!(p.run(&["apply", "-auto-approve"]).code, 0);

    // Same name, a replacing change: impossible to hold both at once.
    p.write("main.hcl", &config("old.example.com", "download"));
    let r = p.run(&["plan"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("Cannot create before destroy"), "{r:?}");
    assert!(r.stderr.contains("keeps the name old.example.com"), "{r:?}");

    // A new name: created, then the old one deleted.
    p.write("main.hcl", &config("new.example.com", "web"));
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("create before destroy"), "{r:?}");
    let created = r.stdout.find("creating the replacement first").unwrap();
    let deleted = r.stdout.find("deleting the old domain").unwrap();
    assert!(created < deleted, "{r:?}");
    let names = emu.domain_names();
    assert_eq!(names, ["new.example.com"]);
    assert_eq!(p.run(&["plan", "-detailed-exitcode"]).code, 0);
}

/// Refuses Alibaba's `DeleteCdnDomain` while `on` is set.
struct RefuseDeletes {
    on: std::sync::atomic::AtomicBool,
}

impl cdnform::emulator::RequestHook for RefuseDeletes {
    fn on_request(
        &self,
        r: &cdnform::emulator::RequestInfo<'_>,
    ) -> Option<cdnform::emulator::Refusal> {
        (self.on.load(std::sync::atomic::Ordering::SeqCst)
            && r.vendor == "aliyun"
            && r.action == "DeleteCdnDomain")
            .then(|| cdnform::emulator::Refusal {
                status: 400,
                code: "InvalidDomain.Locked".into(),
                message: "The domain is locked by another operation.".into(),
            })
    }
}

#[test]
fn create_before_destroy_keeps_the_old_domain_deposed_when_its_delete_fails() {
    let emu = Emu::start();
    let p = Project::new();
    let config = |name: &str| {
        format!(
            "{}resource \"cdn_domain\" \"web\" {{\n  name = \"{name}\"\n  origin {{\n    type    = \"ip\"\n    address = \"192.0.2.1\"\n  }}\n  lifecycle {{\n    create_before_destroy = true\n  }}\n}}\n",
            provider_block(&emu.url())
        )
    };
    p.write("main.hcl", &config("old.example.com"));
    assert_eq!(p.run(&["apply", "-auto-approve"]).code, 0);

    let refuse = std::sync::Arc::new(RefuseDeletes {
        on: std::sync::atomic::AtomicBool::new(true),
    });
    emu.handle.as_ref().unwrap().add_hook(refuse.clone());
    p.write("main.hcl", &config("new.example.com"));
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("InvalidDomain.Locked"), "{r:?}");
    // Both domains are on the account, and both are in the state: the new
    // one at the address, the old one deposed.
    let r = p.run(&["state", "list"]);
    assert_eq!(
        r.stdout.lines().collect::<Vec<_>>(),
        [
            "cdn_domain.web",
            "cdn_domain.web[\"deposed old.example.com\"]"
        ],
        "{r:?}"
    );
    let r = p.run(&["plan"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout
            .contains("# cdn_domain.web[\"deposed old.example.com\"] will be destroyed"),
        "{r:?}"
    );
    assert!(
        r.stdout.contains("0 to add, 0 to change, 1 to destroy"),
        "{r:?}"
    );

    refuse.on.store(false, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(p.run(&["apply", "-auto-approve"]).code, 0);
    let names = emu.domain_names();
    assert_eq!(names, ["new.example.com"]);
    let r = p.run(&["state", "list"]);
    assert_eq!(r.stdout.trim(), "cdn_domain.web");
    assert_eq!(p.run(&["plan", "-detailed-exitcode"]).code, 0);
}

#[test]
fn import_block_adopts_an_existing_domain_then_plans_only_real_differences() {
    let emu = Emu::start();
    // The domain exists on the account, made outside cdnform.
    let client = aliyun_client(&emu);
    let mut existing = cdnform::model::Domain::new(
        "legacy.example.com",
        cdnform::model::CdnType::Web,
        vec![cdnform::model::Origin {
            origin_type: cdnform::model::OriginType::Ip,
            address: "192.0.2.50".into(),
            port: 80,
            priority: 20,
            weight: 10,
        }],
    );
    existing.origin_host = Some("legacy-origin.example.net".into());
    emu.runtime
        .block_on(client.create_domain(&existing))
        .unwrap();

    let p = Project::new();
    let config = |host: &str| {
        format!(
            "{}import {{\n  to = cdn_domain.legacy\n  id = \"legacy.example.com\"\n}}\n\nresource \"cdn_domain\" \"legacy\" {{\n  name        = \"legacy.example.com\"\n  origin_host = \"{host}\"\n  origin {{\n    type    = \"ip\"\n    address = \"192.0.2.50\"\n  }}\n}}\n",
            provider_block(&emu.url())
        )
    };
    // Matching config: an import and nothing else.
    p.write("main.hcl", &config("legacy-origin.example.net"));
    let r = p.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stdout.contains("# cdn_domain.legacy will be imported"),
        "{r:?}"
    );
    assert!(
        r.stdout
            .contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."),
        "{r:?}"
    );
    emu.handle.as_ref().unwrap().reset_calls();
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("Resources: 1 imported, 0 added"), "{r:?}");
    assert_eq!(
        emu.handle.as_ref().unwrap().aliyun_calls("AddCdnDomain"),
        0,
        "adopted, not created"
    );
    // The block stays in the config: nothing more to do.
    assert_eq!(p.run(&["plan", "-detailed-exitcode"]).code, 0);

    // An import block naming a domain that does not exist is a plan error.
    let q = Project::new();
    q.write(
        "main.hcl",
        &config("x").replace("legacy.example.com\"\n}", "nothere.example.com\"\n}"),
    );
    let r = q.run(&["plan"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr
            .contains("Cannot import non-existent remote object"),
        "{r:?}"
    );
    assert!(q.state_bytes().is_none());
}

#[test]
fn outputs_are_recorded_by_apply_and_printed() {
    let emu = Emu::start();
    let p = Project::new();
    p.write(
        "main.hcl",
        &format!(
            "{}variable \"token\" {{\n  default   = \"tok-123-secret\"\n  sensitive = true\n}}\n\nresource \"cdn_domain\" \"web\" {{\n  name = \"www.example.com\"\n  origin {{\n    type    = \"ip\"\n    address = \"192.0.2.1\"\n  }}\n}}\n\noutput \"cname\" {{\n  value = cdn_domain.web.cname\n}}\n\noutput \"token\" {{\n  value     = var.token\n  sensitive = true\n}}\n",
            provider_block(&emu.url())
        ),
    );
    let r = p.run(&["plan"]);
    assert!(r.stdout.contains("Changes to Outputs:"), "{r:?}");
    assert!(r.stdout.contains("+ cname = (known after apply)"), "{r:?}");
    assert!(r.stdout.contains("+ token = (sensitive value)"), "{r:?}");
    assert_eq!(p.run(&["apply", "-auto-approve"]).code, 0);
    let state = String::from_utf8(p.state_bytes().unwrap()).unwrap();
    assert!(!state.contains("tok-123-secret"), "sensitive output stored");
    let cname = p.state_json()["resources"][0]["attributes"]["cname"]
        .as_str()
        .unwrap()
        .to_string();
    let r = p.run(&["output", "cname", "-raw"]);
    assert_eq!(r.stdout.trim(), cname, "{r:?}");
    let r = p.run(&["output"]);
    assert!(r.stdout.contains("token = <sensitive>"), "{r:?}");
    assert!(!r.all().contains("tok-123-secret"));
    let r = p.run(&["output", "token"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("is sensitive"), "{r:?}");
    // A destroy clears them.
    assert_eq!(p.run(&["destroy", "-auto-approve"]).code, 0);
    assert_eq!(p.run(&["output", "-json"]).stdout.trim(), "{}");
}

#[test]
fn max_destroy_percent_setting_drives_the_mass_change_guard() {
    let emu = Emu::start();
    let p = Project::new();
    let with_limit = |limit: &str| {
        format!(
            "cdnform {{\n  max_destroy_percent = {limit}\n}}\n\n{}",
            sites(&emu.url(), "")
        )
    };
    p.write("main.hcl", &with_limit("100"));
    let all = vars(&["a", "b", "c", "d"]);
    assert_eq!(p.run(&["apply", "-auto-approve", "-var", &all]).code, 0);
    // 3 of 4 go: refused at 50%...
    p.write("main.hcl", &with_limit("50"));
    let r = p.run(&["plan", "-var", &vars(&["a"])]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("more than 50%"), "{r:?}");
    // ...allowed at 100%.
    p.write("main.hcl", &with_limit("100"));
    let r = p.run(&["plan", "-var", &vars(&["a"])]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("3 to destroy"), "{r:?}");
}

#[test]
fn state_push_round_trip_and_checks() {
    let emu = Emu::start();
    let p = Project::new();
    p.write("main.hcl", &sites(&emu.url(), ""));
    let one = vars(&["eu"]);
    assert_eq!(p.run(&["apply", "-auto-approve", "-var", &one]).code, 0);
    let pulled = p.run(&["state", "pull"]).stdout;
    let file = p.path().join("pulled.json");
    std::fs::write(&file, &pulled).unwrap();
    let serial = p.state_json()["serial"].as_u64().unwrap();

    // Pushing what was pulled: accepted, a new serial.
    let r = p.run(&["state", "push", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(p.state_json()["serial"].as_u64().unwrap(), serial + 1);

    // The state moved on since the pull: refused, nothing written; -force
    // overrides.
    let before = p.state_bytes();
    let r = p.run(&["state", "push", file.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("older than the current state"), "{r:?}");
    assert_eq!(p.state_bytes(), before);
    let r = p.run(&["state", "push", "-force", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{r:?}");

    // Another lineage is never pushed.
    let mut other: serde_json::Value = serde_json::from_str(&pulled).unwrap();
    other["lineage"] = "another-lineage".into();
    let other_file = p.path().join("other.json");
    std::fs::write(&other_file, other.to_string()).unwrap();
    let before = p.state_bytes();
    let r = p.run(&["state", "push", "-force", other_file.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("lineage"), "{r:?}");
    assert_eq!(p.state_bytes(), before);

    // A corrupt file is refused before the lock.
    std::fs::write(&other_file, "{ not json").unwrap();
    let r = p.run(&["state", "push", other_file.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(p.state_bytes(), before);
}
