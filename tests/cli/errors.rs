//! Bad input of every kind: a clear message, exit 1, and nothing lost (the
//! state file is byte-for-byte what it was).

use crate::common::{domain_block, provider_block, Emu, Project, Run};
use cdnform::state::{LocalBackend, LockRequest, StateBackend};
use std::time::Duration;

/// A project with two domains applied, so there is a state to protect.
fn applied(emu: &Emu) -> Project {
    let p = Project::new();
    p.write(
        "main.hcl",
        &format!(
            "{}\n{}",
            provider_block(&emu.url()),
            domain_block("web", "www.example.com", "web", "192.0.2.10")
        ),
    );
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    p
}

fn assert_fails_keeping_state(p: &Project, args: &[&str], expect: &[&str]) -> Run {
    let before = p.state_bytes();
    let r = p.run(args);
    assert_eq!(r.code, 1, "{r:?}");
    for e in expect {
        assert!(r.all().contains(e), "expected {e:?} in\n{r:?}");
    }
    assert_eq!(p.state_bytes(), before, "state unchanged");
    r
}

#[test]
fn hcl_syntax_error_points_at_file_line_col() {
    let emu = Emu::start();
    let p = applied(&emu);
    p.write(
        "broken.hcl",
        "resource \"cdn_domain\" \"x\" {\n  name = \"a.example.com\n}\n",
    );
    assert_fails_keeping_state(&p, &["plan"], &["broken.hcl:2:"]);
}

#[test]
fn unknown_attribute_suggests_the_right_one() {
    let emu = Emu::start();
    let p = applied(&emu);
    p.write(
        "extra.hcl",
        "resource \"cdn_domain\" \"x\" {\n  name     = \"x.example.com\"\n  cdn_tpye = \"web\"\n  origin {\n    type    = \"ip\"\n    address = \"192.0.2.1\"\n  }\n}\n",
    );
    let r = assert_fails_keeping_state(
        &p,
        &["apply", "-auto-approve"],
        &["extra.hcl:3:3", "cdn_tpye", "cdn_type"],
    );
    assert!(
        r.stderr.contains("cdn_tpye = \"web\""),
        "source line shown: {r:?}"
    );
}

#[test]
fn invalid_domain_name_is_rejected() {
    let emu = Emu::start();
    let p = applied(&emu);
    p.write(
        "bad.hcl",
        &domain_block("bad", "not_a domain", "web", "192.0.2.1"),
    );
    assert_fails_keeping_state(&p, &["plan"], &["bad.hcl:2:", "not_a domain"]);
}

#[test]
fn dependency_cycle_is_named() {
    let emu = Emu::start();
    let p = applied(&emu);
    p.write(
        "cycle.hcl",
        "resource \"cdn_domain\" \"a\" {\n  name = \"a.example.com\"\n  depends_on = [cdn_domain.b]\n  origin {\n    type    = \"ip\"\n    address = \"192.0.2.1\"\n  }\n}\n\
         resource \"cdn_domain\" \"b\" {\n  name = \"b.example.com\"\n  depends_on = [cdn_domain.a]\n  origin {\n    type    = \"ip\"\n    address = \"192.0.2.2\"\n  }\n}\n",
    );
    assert_fails_keeping_state(&p, &["plan"], &["cycle", "cdn_domain.a", "cdn_domain.b"]);
}

#[test]
fn vendor_origin_rule_points_at_the_config() {
    let emu = Emu::start();
    let p = applied(&emu);
    p.write(
        "mixed.hcl",
        "resource \"cdn_domain\" \"mixed\" {\n  name = \"mixed.example.com\"\n  origin {\n    type    = \"ip\"\n    address = \"192.0.2.1\"\n  }\n  origin {\n    type    = \"domain\"\n    address = \"origin.example.net\"\n  }\n}\n",
    );
    assert_fails_keeping_state(&p, &["plan"], &["mixed.hcl:", "aliyun", "cdn_domain.mixed"]);
}

#[test]
fn corrupt_state_is_an_error_and_never_overwritten() {
    let emu = Emu::start();
    let p = applied(&emu);
    std::fs::write(p.state_path(), b"{\"format_version\": 1, \"serial\": ").unwrap();
    assert_fails_keeping_state(
        &p,
        &["apply", "-auto-approve"],
        &["cdnform.state.json", "not valid"],
    );
}

#[test]
fn wrong_credentials_show_the_vendor_error_not_the_secret() {
    let emu = Emu::start();
    let p = applied(&emu);
    let config = std::fs::read_to_string(p.path().join("main.hcl")).unwrap();
    p.write(
        "main.hcl",
        &config.replace("\"testsecret\"", "\"s3cr3t-WRONG-value\""),
    );
    let r = assert_fails_keeping_state(
        &p,
        &["plan"],
        &[
            "SignatureDoesNotMatch",
            "cdn_domain.web",
            "DescribeCdnDomainDetail",
        ],
    );
    assert!(
        !r.all().contains("s3cr3t-WRONG-value"),
        "secret printed: {r:?}"
    );
}

#[test]
fn missing_credentials_name_the_environment_variables() {
    let p = Project::new();
    p.write(
        "main.hcl",
        &format!(
            "provider \"aliyun\" {{}}\n{}",
            domain_block("web", "www.example.com", "web", "192.0.2.10")
        ),
    );
    let r = p.run(&["plan"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("ALIBABA_CLOUD_ACCESS_KEY_ID"), "{r:?}");
}

#[test]
fn held_lock_refuses_and_names_the_holder() {
    let emu = Emu::start();
    let p = applied(&emu);
    let backend = LocalBackend::new(p.state_path());
    let guard = backend
        .lock(
            &LockRequest {
                operation: "apply".into(),
            },
            Duration::ZERO,
        )
        .unwrap();
    let id = guard.info().id.clone();
    assert_fails_keeping_state(
        &p,
        &["apply", "-auto-approve"],
        &["locked", &id, "force-unlock"],
    );
    // -lock=false reads without the lock (a plan writes nothing).
    let r = p.run(&["plan", "-lock=false"]);
    assert_eq!(r.code, 0, "{r:?}");
    drop(guard);
    assert_eq!(p.run(&["plan"]).code, 0);
}

#[test]
fn no_prompt_without_a_terminal() {
    let emu = Emu::start();
    let p = applied(&emu);
    p.write(
        "more.hcl",
        &domain_block("img", "img.example.com", "web", "192.0.2.20"),
    );
    assert_fails_keeping_state(&p, &["apply"], &["-auto-approve", "not a terminal"]);
}

#[test]
fn a_domain_that_exists_unmanaged_is_refused_at_plan_time() {
    let emu = Emu::start();
    let other = applied(&emu);
    let p = Project::new();
    p.write(
        "main.hcl",
        &format!(
            "{}\n{}",
            provider_block(&emu.url()),
            domain_block("mine", "www.example.com", "web", "192.0.2.50")
        ),
    );
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("www.example.com already exists"), "{r:?}");
    assert!(r.stderr.contains("main.hcl:"), "{r:?}");
    assert!(p.state_bytes().is_none());
    assert!(
        emu.domains().to_string().contains("192.0.2.10"),
        "the other owner's domain is untouched"
    );
    drop(other);
}

#[test]
fn an_existing_domain_is_imported_and_the_plan_shows_only_real_differences() {
    let emu = Emu::start();
    let other = applied(&emu); // www.example.com exists with origin 192.0.2.10
    let p = Project::new();
    // The same domain, but this configuration wants another origin.
    p.write(
        "main.hcl",
        &format!(
            "{}\n{}",
            provider_block(&emu.url()),
            domain_block("mine", "www.example.com", "web", "192.0.2.50")
        ),
    );
    let r = p.run(&["plan"]);
    assert!(
        r.stderr
            .contains("cdnform import cdn_domain.mine www.example.com"),
        "the refusal says how: {r:?}"
    );
    let r = p.run(&["import", "cdn_domain.nope", "www.example.com"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("not declared"), "{r:?}");
    let r = p.run(&["import", "cdn_domain.mine", "missing.example.com"]);
    assert_eq!(r.code, 1, "{r:?}");
    let r = p.run(&["import", "cdn_domain.mine", "www.example.com"]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = p.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stdout.contains("will be updated in-place")
            && r.stdout.contains("\"192.0.2.10\" -> \"192.0.2.50\""),
        "{r:?}"
    );
    assert!(
        r.stdout
            .contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{r:?}"
    );
    drop(other);
}

#[test]
fn import_all_of_30_domains_generates_config_whose_plan_is_empty() {
    let emu = Emu::start();
    // An account with 30 domains made elsewhere, one with configuration.
    let seed = Project::new();
    let many: String = (4..=30)
        .map(|i| {
            domain_block(
                &format!("d{i}"),
                &format!("d{i}.example.com"),
                ["web", "download", "video"][i % 3],
                &format!("192.0.2.{i}"),
            )
        })
        .collect();
    seed.write(
        "main.hcl",
        &format!(
            "{many}{}\n{}\n{}\nresource \"cdn_domain\" \"c\" {{\n  name        = \"c-3.example.com\"\n  origin_host = \"origin.example.net\"\n  origin {{\n    type    = \"domain\"\n    address = \"origin.example.net\"\n  }}\n  response_header {{\n    name  = \"X-Team\"\n    value = \"web\"\n  }}\n  cache_rule {{\n    match    = \"extension\"\n    patterns = [\"jpg\"]\n    ttl      = \"1d\"\n  }}\n}}\n",
            provider_block(&emu.url()),
            domain_block("a", "a.example.com", "web", "192.0.2.1"),
            domain_block("b", "b.example.com", "download", "192.0.2.2")
        ),
    );
    assert_eq!(seed.run(&["apply", "-auto-approve"]).code, 0);

    let p = Project::new();
    p.write("main.hcl", &provider_block(&emu.url()));
    let r = p.run(&[
        "import",
        "-all",
        "-provider",
        "aliyun",
        "-generate-config",
        "imported.hcl",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("Imported 30 domain(s)"), "{r:?}");
    let generated = std::fs::read_to_string(p.path().join("imported.hcl")).unwrap();
    assert!(
        generated.contains("resource \"cdn_domain\" \"c_3_example_com\""),
        "{generated}"
    );
    assert_eq!(p.run(&["state", "list"]).stdout.lines().count(), 30);
    let r = p.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(r.code, 0, "the next plan is empty: {r:?}\n{generated}");
    assert_eq!(
        p.run(&["fmt", "-check"]).code,
        0,
        "generated HCL is formatted"
    );

    // The file is never overwritten.
    let r = p.run(&[
        "import",
        "-all",
        "-provider",
        "aliyun",
        "-generate-config",
        "imported.hcl",
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("never overwrites"), "{r:?}");
}
