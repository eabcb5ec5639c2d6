//! `for_each`/`count`, `lifecycle`, `import`, `output` and `cdnform`
//! blocks: what they evaluate to and the errors they give (with the
//! line:col they point at).

use super::load::load_files;
use super::parse::parse_source;
use super::*;
use crate::model::{IgnoreChanges, InstanceKey};
use serde_json::json;

const PROVIDER: &str =
    "provider \"aliyun\" {\n  access_key_id     = \"id\"\n  access_key_secret = \"secret\"\n}\n";

fn load(src: &str) -> Result<Config, Vec<Diagnostic>> {
    let text = format!("{PROVIDER}{src}");
    load_files(
        vec![parse_source("main.hcl", &text)?],
        &VarInputs::default(),
    )
}

fn ok(src: &str) -> Config {
    load(src).unwrap_or_else(|d| {
        panic!(
            "{}",
            d.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

/// The error with `summary`; its detail contains `detail`; it points at
/// `line:col` of the source given (the provider block's lines excluded).
fn err(src: &str, summary: &str, detail: &str, line_col: (usize, usize)) {
    let all = match load(src) {
        Ok(_) => panic!("expected {summary:?}"),
        Err(d) => d,
    };
    let listing = all
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    let d = all
        .iter()
        .find(|d| d.summary == summary)
        .unwrap_or_else(|| panic!("no {summary:?} in\n{listing}"));
    let text = d.detail.clone().unwrap_or_default();
    assert!(text.contains(detail), "{text:?} lacks {detail:?}");
    let loc = d.location.as_ref().expect("located");
    let provider_lines = PROVIDER.lines().count();
    assert_eq!(
        (loc.line - provider_lines, loc.col),
        line_col,
        "{summary}: at {loc}"
    );
}

fn addresses(c: &Config) -> Vec<String> {
    c.resources()
        .iter()
        .map(|r| r.address.to_string())
        .collect()
}

fn domain(extra: &str) -> String {
    format!("resource \"cdn_domain\" \"site\" {{\n{extra}\n  cdn_type = \"web\"\n  origin {{\n    type    = \"ip\"\n    address = \"192.0.2.1\"\n  }}\n}}\n")
}

#[test]
fn for_each_over_a_map_gives_keyed_instances_with_each_value() {
    let c = ok(&domain(
        "  for_each = { eu = \"eu.example.com\", us = \"us.example.com\" }\n  name = each.value",
    ));
    assert_eq!(
        addresses(&c),
        ["cdn_domain.site[\"eu\"]", "cdn_domain.site[\"us\"]"]
    );
    let eu = "cdn_domain.site[\"eu\"]".parse().unwrap();
    let v = c.evaluate(&eu, &|_, _| Lookup::Unknown).unwrap();
    assert_eq!(v.value["name"], json!("eu.example.com"));
}

#[test]
fn for_each_over_a_set_and_count() {
    let c = ok(&domain(
        "  for_each = toset([\"a\", \"b\", \"a\"])\n  name = \"${each.key}.example.com\"",
    ));
    assert_eq!(
        addresses(&c),
        ["cdn_domain.site[\"a\"]", "cdn_domain.site[\"b\"]"]
    );
    let c = ok(&domain(
        "  count = 3\n  name = \"d${count.index}.example.com\"",
    ));
    assert_eq!(c.resources().len(), 3);
    let two = Address::new("cdn_domain", "site").with_key(InstanceKey::Int(2));
    let v = c.evaluate(&two, &|_, _| Lookup::Unknown).unwrap();
    assert_eq!(v.value["name"], json!("d2.example.com"));
    let none = ok(&domain("  count = 0\n  name = \"x.example.com\""));
    assert!(none.resources().is_empty());
}

#[test]
fn instance_references_select_one_instance_and_depend_on_all() {
    let src = format!(
        "{}resource \"cdn_domain\" \"other\" {{\n  name = \"o.example.com\"\n  cdn_type = \"web\"\n  origin {{\n    type = \"domain\"\n    address = cdn_domain.site[\"eu\"].cname\n  }}\n}}\n",
        domain("  for_each = toset([\"eu\", \"us\"])\n  name = \"${each.key}.example.com\"")
    );
    let c = ok(&src);
    let other = c
        .resources()
        .iter()
        .find(|r| r.address.name == "other")
        .unwrap();
    let deps: Vec<String> = other.depends_on.iter().map(ToString::to_string).collect();
    assert_eq!(deps, ["cdn_domain.site[\"eu\"]", "cdn_domain.site[\"us\"]"]);
    let asked = std::sync::Mutex::new(Vec::new());
    c.evaluate(&other.address, &|a, p| {
        asked.lock().unwrap().push((a.to_string(), p.to_vec()));
        Lookup::Known(json!("eu.cdn.example.net"))
    })
    .unwrap();
    assert_eq!(
        asked.into_inner().unwrap(),
        [(
            "cdn_domain.site[\"eu\"]".to_string(),
            vec!["cname".to_string()]
        )]
    );
}

#[test]
fn for_each_and_count_errors() {
    err(
        &domain("  for_each = {}\n  count = 1\n  name = \"x.example.com\""),
        "Invalid combination of \"count\" and \"for_each\"",
        "not both",
        (3, 3),
    );
    err(
        &domain("  for_each = [\"a\", \"a\"]\n  name = \"x.example.com\""),
        "Invalid for_each argument",
        "\"a\" appears twice",
        (2, 14),
    );
    err(
        &domain("  for_each = \"a\"\n  name = \"x.example.com\""),
        "Invalid for_each argument",
        "not a string",
        (2, 14),
    );
    err(
        &domain("  count = -1\n  name = \"x.example.com\""),
        "Invalid count argument",
        "whole number",
        (2, 11),
    );
    err(
        &domain("  name = each.key"),
        "Invalid reference",
        "sets for_each",
        (2, 10),
    );
    err(
        &domain("  count = 1\n  name = each.value"),
        "Invalid reference",
        "sets for_each",
        (3, 10),
    );
    let sensitive = "variable \"names\" {\n  default = [\"a\"]\n  sensitive = true\n}\n";
    err(
        &format!(
            "{sensitive}{}",
            domain("  for_each = toset(var.names)\n  name = each.key")
        ),
        "Invalid for_each argument",
        "Sensitive values",
        (6, 14),
    );
    let refs = format!(
        "{}resource \"cdn_domain\" \"b\" {{\n  for_each = toset([cdn_domain.site.cname])\n  name = \"b.example.com\"\n  cdn_type = \"web\"\n  origin {{\n    type = \"ip\"\n    address = \"192.0.2.1\"\n  }}\n}}\n",
        domain("  name = \"a.example.com\"")
    );
    err(&refs, "Invalid reference", "for_each or count", (10, 21));
}

#[test]
fn instance_reference_errors() {
    let with = |expr: &str| {
        format!(
            "{}resource \"cdn_domain\" \"other\" {{\n  name = \"o.example.com\"\n  cdn_type = \"web\"\n  origin {{\n    type = \"domain\"\n    address = {expr}\n  }}\n}}\n",
            domain("  for_each = toset([\"eu\"])\n  name = \"${each.key}.example.com\"")
        )
    };
    err(
        &with("cdn_domain.site.cname"),
        "Missing resource instance key",
        "like cdn_domain.site[\"KEY\"]",
        (15, 15),
    );
    err(
        &with("cdn_domain.site[\"fr\"].cname"),
        "Invalid resource instance key",
        "no instance with the key \"fr\"",
        (15, 15),
    );
}

#[test]
fn lifecycle_block() {
    let c = ok(&domain(
        "  name = \"x.example.com\"\n  lifecycle {\n    prevent_destroy = true\n    create_before_destroy = true\n    ignore_changes = [origin_host, \"https.http2\"]\n  }",
    ));
    let lc = &c.resources()[0].lifecycle;
    assert!(lc.prevent_destroy && lc.create_before_destroy);
    assert_eq!(
        lc.ignore_changes,
        IgnoreChanges::Some(vec!["/origin_host".into(), "/https/http2".into()])
    );
    let all = ok(&domain(
        "  name = \"x.example.com\"\n  lifecycle {\n    ignore_changes = all\n  }",
    ));
    assert_eq!(
        all.resources()[0].lifecycle.ignore_changes,
        IgnoreChanges::All
    );
    err(
        &domain(
            "  name = \"x.example.com\"\n  lifecycle {\n    ignore_changes = [origin_hots]\n  }",
        ),
        "Invalid ignore_changes",
        "no configurable attribute \"origin_hots\"",
        (4, 23),
    );
    err(
        &domain("  name = \"x.example.com\"\n  lifecycle {\n    ignore_changes = [cname]\n  }"),
        "Invalid ignore_changes",
        "no configurable attribute \"cname\"",
        (4, 23),
    );
    err(
        &domain("  name = \"x.example.com\"\n  lifecycle {\n    prevent_destroy = var.x\n  }"),
        "Invalid lifecycle argument",
        "literal true or false",
        (4, 23),
    );
    err(
        &domain("  name = \"x.example.com\"\n  lifecycle {\n    prevent_destory = true\n  }"),
        "Unsupported argument",
        "Did you mean \"prevent_destroy\"?",
        (4, 5),
    );
}

#[test]
fn import_blocks() {
    let c = ok(&format!(
        "{}import {{\n  to = cdn_domain.site[\"eu\"]\n  id = \"eu.example.com\"\n  provider = aliyun\n}}\n",
        domain("  for_each = toset([\"eu\", \"us\"])\n  name = \"${each.key}.example.com\"")
    ));
    let ids: Vec<Option<&str>> = c
        .resources()
        .iter()
        .map(|r| r.import_id.as_deref())
        .collect();
    assert_eq!(ids, [Some("eu.example.com"), None]);
    let base = domain("  name = \"x.example.com\"");
    err(
        &format!("{base}import {{\n  to = cdn_domain.nope\n  id = \"x\"\n}}\n"),
        "Invalid import target",
        "cdn_domain.nope is not declared",
        (10, 8),
    );
    err(
        &format!("{base}import {{\n  to = cdn_domain.site\n  id = \"x\"\n}}\nimport {{\n  to = cdn_domain.site\n  id = \"y\"\n}}\n"),
        "Duplicate import",
        "already the target",
        (13, 1),
    );
    err(
        &format!(
            "{base}import {{\n  to = cdn_domain.site\n  id = \"x\"\n  provider = aliyun.eu\n}}\n"
        ),
        "Import provider mismatch",
        "must name the same one",
        (12, 14),
    );
    err(
        &format!("{base}import {{\n  to = cdn_domain.site\n}}\n"),
        "Missing required argument",
        "id = \"VENDOR_ID\"",
        (9, 1),
    );
}

#[test]
fn outputs_and_settings() {
    let c = ok(&format!(
        "{}output \"cname\" {{\n  value = cdn_domain.site.cname\n  description = \"the CNAME\"\n}}\ncdnform {{\n  max_destroy_percent = 40\n  backend \"postgres\" {{\n    schema_name = \"team\"\n  }}\n}}\n",
        domain("  name = \"x.example.com\"")
    ));
    let v = c
        .evaluate_output("cname", &|_, _| Lookup::Known(json!("c.example.net")))
        .unwrap();
    assert_eq!(v.value, json!("c.example.net"));
    assert_eq!(c.settings().max_destroy_percent, Some(40));
    assert_eq!(
        c.settings().backend,
        Some(BackendSettings::Postgres {
            conn_str: None,
            schema_name: Some("team".into()),
            workspace: None
        })
    );
    let secret = "variable \"token\" {\n  default = \"s3cret\"\n  sensitive = true\n}\n";
    err(
        &format!("{secret}output \"t\" {{\n  value = var.token\n}}\n"),
        "Output refers to sensitive values",
        "set sensitive = true",
        (6, 11),
    );
    err(
        "output \"t\" {\n  value = cdn_domain.nope.cname\n}\n",
        "Reference to undeclared resource",
        "cdn_domain",
        (2, 11),
    );
    err(
        "cdnform {\n  max_destroy_percent = 120\n}\n",
        "Invalid max_destroy_percent",
        "0 to 100",
        (2, 25),
    );
    err(
        "cdnform {\n  backend \"s3\" {}\n}\n",
        "Unknown backend",
        "known: local, postgres",
        (2, 11),
    );
}

#[cfg(unix)]
#[test]
fn a_world_readable_file_of_secrets_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.hcl"),
        format!("{PROVIDER}variable \"token\" {{\n  sensitive = true\n}}\n"),
    )
    .unwrap();
    let secrets = dir.path().join("secrets.vars");
    std::fs::write(&secrets, "token = \"s3cret\"\n").unwrap();
    let inputs = VarInputs {
        var_files: vec![secrets.clone()],
        ..VarInputs::default()
    };
    let warned = |mode: u32| {
        std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(mode)).unwrap();
        let c = load_dir(dir.path(), &inputs).unwrap();
        c.warnings()
            .iter()
            .any(|w| w.summary == "Credentials file readable by others")
    };
    assert!(warned(0o644));
    assert!(!warned(0o600));
}
