//! Purges and preloads end to end: the real binary against the emulator's
//! purge/preload endpoints (tasks, limits and daily quotas).

use crate::common::{baishan_block, domain_block, provider_block, Emu, Project};
use crate::ctg::ctg_block;
use cdnform::emulator::{ContentKind, TaskPhase, Vendor};
use std::time::Duration;

fn emulator() -> Emu {
    Emu::start_with(|c| {
        c.task_delay = Duration::from_millis(100);
        c.configuring_delay = Duration::from_millis(100);
    })
}

fn purge_block(provider: &str, urls: &[String], dirs: &[&str], version: &str) -> String {
    let list = |v: Vec<String>| {
        v.iter()
            .map(|u| format!("\"{u}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "resource \"cdn_purge\" \"release\" {{\n  provider    = {provider}\n  urls        = [{}]\n  directories = [{}]\n  triggers    = {{ version = \"{version}\" }}\n  timeout     = \"1m\"\n}}\n",
        list(urls.to_vec()),
        list(dirs.iter().map(|d| d.to_string()).collect())
    )
}

fn static_domain() -> String {
    domain_block("static", "static.example.com", "web", "192.0.2.1")
}

fn calls(emu: &Emu, action: &str) -> usize {
    emu.handle.as_ref().unwrap().aliyun_calls(action)
}

#[test]
fn a_trigger_change_runs_the_purge_exactly_once() {
    let emu = emulator();
    let p = Project::new();
    let urls = vec!["https://static.example.com/app.js".to_string()];
    let write = |version: &str| {
        p.write(
            "main.hcl",
            &format!(
                "{}{}{}",
                provider_block(&emu.url()),
                static_domain(),
                purge_block(
                    "aliyun",
                    &urls,
                    &["https://static.example.com/img/"],
                    version
                )
            ),
        )
    };
    write("41");
    let r = p.run(&["plan"]);
    assert!(
        r.stdout
            .contains("# cdn_purge.release will be executed (first run: 1 URL, 1 directory)"),
        "{r:?}"
    );
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    // After the domain it names exists.
    let created = r
        .stdout
        .find("cdn_domain.static: Creation complete")
        .unwrap();
    let purged = r.stdout.find("cdn_purge.release: Running").unwrap();
    assert!(created < purged, "{r:?}");
    assert_eq!(
        calls(&emu, "RefreshObjectCaches"),
        2,
        "one URL call, one directory call"
    );
    let tasks = emu.handle.as_ref().unwrap().content_tasks(Vendor::Aliyun);
    assert!(
        tasks.iter().all(|t| t.phase == TaskPhase::Done),
        "{tasks:?}"
    );
    let state = p.state_json();
    let rec = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "cdn_purge.release")
        .unwrap();
    assert_eq!(rec["attributes"]["outcome"], "complete");
    assert_eq!(rec["attributes"]["triggers"]["version"], "41");

    // Unchanged triggers: nothing runs.
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("No changes"), "{r:?}");
    assert!(
        r.stdout
            .contains("Not running (triggers unchanged since the last run): cdn_purge.release"),
        "{r:?}"
    );
    assert_eq!(calls(&emu, "RefreshObjectCaches"), 2);

    // A new version: exactly one more run.
    write("42");
    let r = p.run(&["plan"]);
    assert!(
        r.stdout
            .contains("will be executed (triggers changed: version \"41\" -> \"42\""),
        "{r:?}"
    );
    assert_eq!(p.run(&["apply", "-auto-approve"]).code, 0);
    assert_eq!(calls(&emu, "RefreshObjectCaches"), 4);
    assert_eq!(p.run(&["plan", "-detailed-exitcode"]).code, 0);
}

#[test]
fn twenty_five_hundred_urls_take_three_alibaba_calls() {
    let emu = emulator();
    let p = Project::new();
    let urls: Vec<String> = (0..2500)
        .map(|i| format!("https://static.example.com/assets/{i}.js"))
        .collect();
    p.write(
        "main.hcl",
        &format!(
            "{}{}{}",
            provider_block(&emu.url()),
            static_domain(),
            purge_block("aliyun", &urls, &[], "1")
        ),
    );
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(calls(&emu, "RefreshObjectCaches"), 3);
    let used = emu
        .handle
        .as_ref()
        .unwrap()
        .content_quota(Vendor::Aliyun, ContentKind::Url);
    assert_eq!(used.used, 2500);
}

#[test]
fn over_the_quota_is_refused_before_any_call() {
    let emu = emulator();
    let p = Project::new();
    let urls: Vec<String> = (0..10)
        .map(|i| format!("https://static.example.com/{i}.js"))
        .collect();
    p.write(
        "main.hcl",
        &format!(
            "{}{}{}",
            provider_block(&emu.url()),
            static_domain(),
            purge_block("aliyun", &urls, &[], "1")
        ),
    );
    emu.handle
        .as_ref()
        .unwrap()
        .set_quota_remaining(Vendor::Aliyun, ContentKind::Url, 5)
        .unwrap();
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("needs 10 URL(s) but only 5 remain"),
        "{r:?}"
    );
    assert_eq!(calls(&emu, "RefreshObjectCaches"), 0);
    assert_eq!(calls(&emu, "AddCdnDomain"), 0, "nothing at all was sent");
    assert!(p.state_bytes().is_none());
}

#[test]
fn a_failed_task_is_reported_with_its_urls() {
    let emu = emulator();
    let p = Project::new();
    // A domain not on the account: the vendor fails the task.
    let urls = vec!["https://elsewhere.example.org/a.js".to_string()];
    p.write(
        "main.hcl",
        &format!(
            "{}{}",
            provider_block(&emu.url()),
            purge_block("aliyun", &urls, &[], "1")
        ),
    );
    let r = p.run(&["plan"]);
    assert!(r.stderr.contains("Domain not managed here"), "{r:?}");
    let r = p.run(&["apply", "-auto-approve"]);
    let tasks = emu.handle.as_ref().unwrap().content_tasks(Vendor::Aliyun);
    assert_eq!(r.code, 1, "{r:?}\n{tasks:?}");
    assert!(r.all().contains("elsewhere.example.org/a.js"), "{r:?}");
    // Not recorded: the next apply tries again.
    let r = p.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(r.code, 2, "{r:?}");
}

#[test]
fn baishan_and_ctg_purge_and_preload() {
    let emu = emulator();
    let p = Project::new();
    p.write(
        "main.hcl",
        &format!(
            "{}{}{}resource \"cdn_domain\" \"b\" {{\n  provider = baishan\n  name     = \"b.example.com\"\n  origin {{\n    type    = \"ip\"\n    address = \"192.0.2.1\"\n  }}\n}}\nresource \"cdn_domain\" \"c\" {{\n  provider = ctg\n  name     = \"c.example.com\"\n  origin {{\n    type    = \"ip\"\n    address = \"192.0.2.1\"\n  }}\n}}\nresource \"cdn_purge\" \"b\" {{\n  provider = baishan\n  urls     = [\"https://b.example.com/a.js\"]\n}}\nresource \"cdn_preload\" \"c\" {{\n  provider = ctg\n  urls     = [\"https://c.example.com/big.bin\"]\n}}\n",
            provider_block(&emu.url()),
            baishan_block(&emu.url()),
            ctg_block(&emu.url(), "testsecret"),
        ),
    );
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    let h = emu.handle.as_ref().unwrap();
    let b = h.content_tasks(Vendor::Baishan);
    assert_eq!(b.len(), 1, "{b:?}");
    assert_eq!(b[0].phase, TaskPhase::Done);
    let c = h.content_tasks(Vendor::Ctg);
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!(c[0].kind, ContentKind::Preload);
    assert_eq!(p.run(&["plan", "-detailed-exitcode"]).code, 0);
}

#[test]
fn the_one_off_purge_command() {
    let emu = emulator();
    let p = Project::new();
    p.write(
        "main.hcl",
        &format!("{}{}", provider_block(&emu.url()), static_domain()),
    );
    assert_eq!(p.run(&["apply", "-auto-approve"]).code, 0);
    let r = p.run(&[
        "purge",
        "https://static.example.com/a.js",
        "https://static.example.com/img/",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("Purged"), "{r:?}");
    assert!(r.stdout.contains("(complete)"), "{r:?}");
    let r = p.run(&[
        "purge",
        "-preload",
        "-area",
        "overseas",
        "https://static.example.com/a.js",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let tasks = emu.handle.as_ref().unwrap().content_tasks(Vendor::Aliyun);
    assert_eq!(tasks.len(), 3, "{tasks:?}");
    let r = p.run(&["purge", "not-a-url"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("absolute URL"), "{r:?}");
}
