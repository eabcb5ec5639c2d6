//! The smaller commands and cross-cutting behaviour: validate, fmt, the
//! emulator command, force-unlock, credentials from the environment,
//! sensitive variables, references known only after apply.

use crate::common::{domain_block, provider_block, Emu, Project};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn validate_reports_success_and_errors() {
    let p = Project::new();
    p.write(
        "main.hcl",
        &format!(
            "{}\n{}",
            provider_block("http://127.0.0.1:9"),
            domain_block("web", "www.example.com", "web", "192.0.2.1")
        ),
    );
    let r = p.run(&["validate"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout
            .contains("Success! The configuration is valid (1 resource, 1 provider)."),
        "{r:?}"
    );
    p.write(
        "mixed.hcl",
        "resource \"cdn_domain\" \"m\" {\n  name = \"m.example.com\"\n  origin {\n    type    = \"ip\"\n    address = \"192.0.2.1\"\n  }\n  origin {\n    type    = \"domain\"\n    address = \"o.example.net\"\n  }\n}\n",
    );
    let r = p.run(&["validate"]);
    assert_eq!(r.code, 1, "vendor rules are checked offline too: {r:?}");
    assert!(
        r.stderr.contains("mixed.hcl:8:5") && r.stderr.contains("cannot mix IP and domain origins"),
        "{r:?}"
    );
    std::fs::remove_file(p.path().join("mixed.hcl")).unwrap();
    p.write("bad.hcl", "variable \"x\" {\n  type = string\n}\n");
    let r = p.run(&["validate"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("bad.hcl:1:"), "{r:?}");
}

#[test]
fn fmt_check_lists_then_fmt_rewrites() {
    let p = Project::new();
    let messy =
        "resource \"cdn_domain\" \"web\" {\nname = \"www.example.com\"\n    cdn_type=\"web\"\n}\n";
    p.write("main.hcl", messy);
    let r = p.run(&["fmt", "-check"]);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stdout.contains("main.hcl"), "{r:?}");
    assert_eq!(
        std::fs::read_to_string(p.path().join("main.hcl")).unwrap(),
        messy,
        "-check changes nothing"
    );
    let r = p.run(&["fmt"]);
    assert_eq!(r.code, 0, "{r:?}");
    let formatted = std::fs::read_to_string(p.path().join("main.hcl")).unwrap();
    assert_eq!(formatted, "resource \"cdn_domain\" \"web\" {\n  name     = \"www.example.com\"\n  cdn_type = \"web\"\n}\n");
    assert_eq!(p.run(&["fmt", "-check"]).code, 0);
}

#[test]
fn emulator_command_serves_the_api() {
    let p = Project::new();
    let data = p.path().join("world.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cdnform"))
        .args([
            "emulator",
            "--listen",
            "127.0.0.1:0",
            "--configuring-delay",
            "100ms",
            "--data",
        ])
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();
    p.write(
        "main.hcl",
        &format!(
            "{}\n{}",
            provider_block(&url),
            domain_block("web", "www.example.com", "web", "192.0.2.1")
        ),
    );
    let r = p.run(&["apply", "-auto-approve"]);
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(r.code, 0, "{r:?}");
    let world = std::fs::read_to_string(&data).unwrap();
    assert!(
        world.contains("www.example.com"),
        "the emulator persisted its world"
    );
}

/// Write the local lock file another run (`ci@HOST`, pid 999999, `apply`)
/// would leave, without holding its OS lock; returns its path.
fn lock_record(p: &Project, id: &str, host: &str) -> std::path::PathBuf {
    let lock = p.path().join("state/cdnform.state.json.lock");
    std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
    let record = serde_json::json!({
        "id": id, "operation": "apply", "who": format!("ci@{host}"), "pid": 999999,
        "host": host, "created": "2026-11-23T01:00:00Z", "path": "state/cdnform.state.json",
    });
    std::fs::write(&lock, record.to_string()).unwrap();
    lock
}

#[test]
fn force_unlock_removes_a_held_lock() {
    let emu = Emu::start();
    let p = Project::new();
    p.write(
        "main.hcl",
        &format!(
            "{}\n{}",
            provider_block(&emu.url()),
            domain_block("web", "www.example.com", "web", "192.0.2.1")
        ),
    );
    let lock = lock_record(&p, "4f1d2a5e-dead-4bee-8f00-000000000001", "runner-7");
    // The holder is alive (a run on a wedged machine sharing the
    // directory, say): it holds the file's OS lock.
    let held = std::fs::OpenOptions::new().write(true).open(&lock).unwrap();
    held.try_lock().unwrap();
    let r = p.run(&["plan"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("ci@runner-7")
            && r.stderr
                .contains("force-unlock 4f1d2a5e-dead-4bee-8f00-000000000001"),
        "{r:?}"
    );
    let r = p.run(&["force-unlock", "wrong-id"]);
    assert_eq!(r.code, 1, "{r:?}");
    let r = p.run(&["force-unlock", "4f1d2a5e-dead-4bee-8f00-000000000001"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!lock.exists());
    // Overruled: the next run locks afresh while the old holder still
    // holds its (now nameless) file.
    assert_eq!(p.run(&["plan"]).code, 0);
    drop(held);
}

#[test]
fn a_dead_runs_lock_is_taken_over_with_a_warning() {
    let emu = Emu::start();
    let p = Project::new();
    p.write(
        "main.hcl",
        &format!(
            "{}\n{}",
            provider_block(&emu.url()),
            domain_block("web", "www.example.com", "web", "192.0.2.1")
        ),
    );
    // What a killed run leaves: its record, no OS lock.
    let lock = lock_record(&p, "4f1d2a5e-dead-4bee-8f00-000000000002", "runner-8");
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr
            .contains("took over the state lock of ci@runner-8 (pid 999999 on runner-8, `apply`"),
        "{r:?}"
    );
    assert!(!lock.exists(), "released at the end");
}

#[test]
fn credentials_come_from_the_environment() {
    let emu = Emu::start();
    let p = Project::new();
    p.write(
        "main.hcl",
        &format!(
            "provider \"aliyun\" {{\n  endpoint = \"{}\"\n}}\n{}",
            emu.url(),
            domain_block("web", "www.example.com", "web", "192.0.2.1")
        ),
    );
    let env = [
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "testid"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "testsecret"),
    ];
    let r = p.run_env(&["apply", "-auto-approve"], &env);
    assert_eq!(r.code, 0, "{r:?}");
    let r = p.run_env(&["plan", "-detailed-exitcode"], &env);
    assert_eq!(r.code, 0, "{r:?}");
}

#[test]
fn sensitive_variables_never_show() {
    let emu = Emu::start();
    let p = Project::new();
    p.write(
        "main.hcl",
        &format!(
            "{}\nvariable \"origin\" {{\n  type      = string\n  sensitive = true\n}}\n\
             resource \"cdn_domain\" \"web\" {{\n  name = \"www.example.com\"\n  origin {{\n    type    = \"ip\"\n    address = var.origin\n  }}\n}}\n",
            provider_block(&emu.url())
        ),
    );
    let env = [("CDNFORM_VAR_origin", "203.0.113.77")];
    let r = p.run_env(&["plan"], &env);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("address  = (sensitive value)"), "{r:?}");
    assert!(!r.all().contains("203.0.113.77"), "{r:?}");
    let r = p.run_env(&["apply", "-auto-approve"], &env);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!r.all().contains("203.0.113.77"), "{r:?}");
    assert!(
        emu.domains().to_string().contains("203.0.113.77"),
        "the real value reached the vendor"
    );
}

#[test]
fn cname_reference_is_known_after_apply() {
    let emu = Emu::start();
    let p = Project::new();
    p.write(
        "main.hcl",
        &format!(
            "{}\n{}\nresource \"cdn_domain\" \"edge\" {{\n  name = \"edge.example.com\"\n  origin {{\n    type    = \"domain\"\n    address = cdn_domain.origin.cname\n  }}\n}}\n",
            provider_block(&emu.url()),
            domain_block("origin", "origin.example.com", "web", "192.0.2.1")
        ),
    );
    let r = p.run(&["plan"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("address  = (known after apply)"), "{r:?}");
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        emu.domains()
            .to_string()
            .contains("origin.example.com.w.kunlunsl.com"),
        "{}",
        emu.domains()
    );
    assert_eq!(p.run(&["plan", "-detailed-exitcode"]).code, 0);
}

/// Run `cdnform ARGS` on a pseudo-terminal (util-linux `script`), typing
/// `answer` at the prompt.
fn run_on_tty(p: &Project, args: &str, answer: &str) -> (bool, String) {
    let cmd = format!(
        "{} -chdir={} {args} -no-color",
        env!("CARGO_BIN_EXE_cdnform"),
        p.path().display()
    );
    let mut child = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("util-linux script is installed");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answer.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn interactive_confirmation_on_a_terminal() {
    let emu = Emu::start();
    let p = Project::new();
    p.write(
        "main.hcl",
        &format!(
            "{}\n{}",
            provider_block(&emu.url()),
            domain_block("web", "www.example.com", "web", "192.0.2.1")
        ),
    );
    let (ok, out) = run_on_tty(&p, "apply", "no\n");
    assert!(!ok, "{out}");
    assert!(
        out.contains("Only 'yes' will be accepted") && out.contains("Apply cancelled."),
        "{out}"
    );
    assert!(p.state_bytes().is_none());
    let (ok, out) = run_on_tty(&p, "apply", "yes\n");
    assert!(ok, "{out}");
    assert!(out.contains("Apply complete! Resources: 1 added"), "{out}");
    let (ok, out) = run_on_tty(&p, "destroy", "yes\n");
    assert!(
        ok && out.contains("Do you want to destroy all resources in the state?"),
        "{out}"
    );
}

#[test]
fn help_never_shows_secrets_from_the_environment() {
    let out = Command::new(env!("CARGO_BIN_EXE_cdnform"))
        .args(["emulator", "--help"])
        .env("CDNFORM_EMULATOR_ALIYUN_KEY_SECRET", "hidden-aliyun-secret")
        .env("CDNFORM_EMULATOR_CTG_SECRET_KEY", "hidden-ctg-secret")
        .env("CDNFORM_EMULATOR_BAISHAN_TOKEN", "hidden-baishan-token")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("--ctg-secret-key"), "{text}");
    assert!(!text.contains("hidden-"), "{text}");
}

#[test]
fn saved_plans_apply_exactly_and_go_stale() {
    let emu = Emu::start();
    let p = Project::new();
    p.write(
        "main.hcl",
        &format!(
            "{}\n{}",
            provider_block(&emu.url()),
            domain_block("web", "www.example.com", "web", "192.0.2.1")
        ),
    );
    let r = p.run(&["plan", "-out", "first.plan", "-detailed-exitcode"]);
    assert_eq!(r.code, 2, "{r:?}");
    let file = std::fs::read_to_string(p.path().join("first.plan")).unwrap();
    assert!(
        !file.contains("testsecret"),
        "no credentials in a plan file"
    );
    let r = p.run(&["show", "first.plan"]);
    assert!(
        r.stdout.contains("# cdn_domain.web will be created"),
        "{r:?}"
    );
    let r = p.run(&["show", "first.plan", "-json"]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["format"], "cdnform-plan");
    assert_eq!(doc["plan"]["changes"][0]["action"], "create");

    // Applying the file needs no prompt (stdin is closed here).
    let r = p.run(&["apply", "first.plan"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("1 added"), "{r:?}");

    // A plan made before the state moved is refused.
    p.write(
        "main.hcl",
        &format!(
            "{}\n{}",
            provider_block(&emu.url()),
            domain_block("web", "www.example.com", "web", "192.0.2.2")
        ),
    );
    assert_eq!(p.run(&["plan", "-out", "second.plan"]).code, 0);
    p.write(
        "main.hcl",
        &format!(
            "{}\n{}",
            provider_block(&emu.url()),
            domain_block("web", "www.example.com", "web", "192.0.2.3")
        ),
    );
    assert_eq!(p.run(&["apply", "-auto-approve"]).code, 0);
    let before = p.state_bytes();
    let r = p.run(&["apply", "second.plan"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("plan is stale") && r.stderr.contains("serial"),
        "{r:?}"
    );
    assert_eq!(p.state_bytes(), before);

    // A plan whose configuration changed since is refused too.
    assert_eq!(p.run(&["plan", "-out", "third.plan"]).code, 0);
    p.write(
        "main.hcl",
        &format!(
            "{}\n{}",
            provider_block(&emu.url()),
            domain_block("web", "www.example.com", "web", "192.0.2.4")
        ),
    );
    let r = p.run(&["apply", "third.plan"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("plan is stale") && r.stderr.contains("configuration"),
        "{r:?}"
    );
}

#[test]
fn mass_change_guard_refuses_then_allows_with_the_flag() {
    let emu = Emu::start();
    let p = Project::new();
    let config = |names: &[&str]| {
        let mut text = provider_block(&emu.url());
        for (i, n) in names.iter().enumerate() {
            text.push_str(&domain_block(
                n,
                &format!("{n}.example.com"),
                "web",
                &format!("192.0.2.{}", i + 1),
            ));
        }
        text
    };
    p.write("main.hcl", &config(&["a", "b", "c", "d"]));
    assert_eq!(p.run(&["apply", "-auto-approve"]).code, 0);
    // A file edit that drops three of four domains.
    p.write("main.hcl", &config(&["a"]));
    let before = p.state_bytes();
    for args in [&["plan"][..], &["apply", "-auto-approve"][..]] {
        let r = p.run(args);
        assert_eq!(r.code, 1, "{r:?}");
        assert!(
            r.stderr.contains("refusing a mass change") && r.stderr.contains("cdn_domain.b"),
            "{r:?}"
        );
        assert!(r.stderr.contains("-allow-mass-change"), "{r:?}");
    }
    assert_eq!(p.state_bytes(), before);
    let r = p.run(&["apply", "-auto-approve", "-allow-mass-change"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("3 destroyed"), "{r:?}");
}

#[test]
fn state_pull_rm_and_graph() {
    let emu = Emu::start();
    let p = Project::new();
    p.write(
        "main.hcl",
        &format!(
            "{}\n{}\nresource \"cdn_domain\" \"edge\" {{\n  name = \"edge.example.com\"\n  origin {{\n    type    = \"domain\"\n    address = cdn_domain.origin.cname\n  }}\n}}\n",
            provider_block(&emu.url()),
            domain_block("origin", "origin.example.com", "web", "192.0.2.1")
        ),
    );
    let r = p.run(&["graph"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.starts_with("digraph cdnform {")
            && r.stdout
                .contains("\"cdn_domain.edge\" -> \"cdn_domain.origin\";"),
        "{r:?}"
    );
    assert_eq!(p.run(&["apply", "-auto-approve"]).code, 0);

    let r = p.run(&["state", "pull"]);
    let pulled: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(pulled, p.state_json());

    let serial = p.state_json()["serial"].as_u64().unwrap();
    let r = p.run(&["state", "rm", "cdn_domain.nothing"]);
    assert_eq!(r.code, 1, "{r:?}");
    let r = p.run(&["state", "rm", "cdn_domain.edge"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(p.run(&["state", "list"]).stdout, "cdn_domain.origin\n");
    assert_eq!(p.state_json()["serial"].as_u64().unwrap(), serial + 1);
    assert!(
        emu.domains().to_string().contains("edge.example.com"),
        "the vendor's domain is untouched"
    );

    // Renaming the block and moving the state along: no changes.
    let config = std::fs::read_to_string(p.path().join("main.hcl")).unwrap();
    let without_edge = config
        .split("resource \"cdn_domain\" \"edge\"")
        .next()
        .unwrap()
        .to_string();
    p.write(
        "main.hcl",
        &without_edge.replace("\"origin\" {\n  name", "\"primary\" {\n  name"),
    );
    let r = p.run(&["state", "mv", "cdn_domain.origin", "cdn_domain.primary"]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = p.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(r.code, 0, "{r:?}");
}

/// Every line is a JSON object with a `type` and a `@timestamp`.
fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| {
            let v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            assert!(v["type"].is_string() && v["@timestamp"].is_string(), "{l}");
            v
        })
        .collect()
}

fn types(lines: &[serde_json::Value]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l["type"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn json_output_for_validate_plan_apply_and_errors() {
    let emu = Emu::start();
    let p = Project::new();
    p.write(
        "main.hcl",
        &format!(
            "{}\n{}",
            provider_block(&emu.url()),
            domain_block("web", "www.example.com", "web", "192.0.2.1")
        ),
    );

    let r = p.run(&["validate", "-json"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        types(&json_lines(&r.stdout)),
        ["version", "validate_result"]
    );

    let r = p.run(&["plan", "-json", "-detailed-exitcode"]);
    assert_eq!(r.code, 2, "{r:?}");
    let lines = json_lines(&r.stdout);
    assert_eq!(
        types(&lines),
        [
            "version",
            "refresh_start",
            "refresh_complete",
            "planned_change",
            "change_summary"
        ]
    );
    assert_eq!(lines[3]["action"], "create");
    assert_eq!(lines[4]["add"], 1);
    assert!(!r.stdout.contains('\u{1b}'), "no colour codes");

    let r = p.run(&["apply", "-json"]);
    assert_eq!(r.code, 1, "no prompts in JSON mode: {r:?}");
    assert_eq!(types(&json_lines(&r.stdout)), ["diagnostic"]);

    let r = p.run(&["apply", "-json", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    let lines = json_lines(&r.stdout);
    let t = types(&lines);
    assert!(
        t.contains(&"apply_start".to_string()) && t.contains(&"apply_complete".to_string()),
        "{t:?}"
    );
    assert_eq!(lines.last().unwrap()["type"], "change_summary");
    assert_eq!(lines.last().unwrap()["applied"], true);

    p.write(
        "main.hcl",
        "resource \"cdn_domain\" \"x\" {\n  nme = 1\n}\n",
    );
    let r = p.run(&["validate", "-json"]);
    assert_eq!(r.code, 1, "{r:?}");
    let lines = json_lines(&r.stdout);
    let d = lines
        .iter()
        .find(|l| l["type"] == "diagnostic" && l["range"].is_object())
        .unwrap();
    assert_eq!(d["severity"], "error");
    assert_eq!(d["range"]["filename"], "main.hcl");
    assert!(
        d["range"]["line"].as_u64().is_some_and(|l| l >= 1)
            && d["range"]["column"].as_u64().is_some(),
        "{d}"
    );
}
