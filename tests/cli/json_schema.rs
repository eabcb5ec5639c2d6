//! The `-json` line messages against `docs/json-output.schema.json`: one
//! scenario makes every message type appear, every line is validated, and
//! the types seen must be exactly the types the schema defines (a new type
//! without a schema, or a schema type never exercised, fails). A saved plan
//! is checked against `docs/plan-file.schema.json`, and `-json` output
//! carries no colour codes, not even on a terminal.

use crate::common::{aliyun_client, provider_block, Emu, Project, Run};
use cdnform::emulator::{Refusal, RequestHook, RequestInfo};
use cdnform::model::{CdnType, Domain, Origin, OriginType};
use cdnform::provider::Provider;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

fn load_schema(name: &str) -> (Value, jsonschema::Validator) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::meta::validate(&schema)
        .unwrap_or_else(|e| panic!("{name} is not a valid JSON Schema: {e}"));
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{name} does not compile: {e}"));
    (schema, validator)
}

fn schema_errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{e} (at \"{}\")", e.instance_path()))
        .collect()
}

/// Validates every `-json` line it is shown and counts the types.
struct Lines {
    validator: jsonschema::Validator,
    schema: Value,
    seen: BTreeMap<String, usize>,
}

impl Lines {
    fn new() -> Lines {
        let (schema, validator) = load_schema("json-output.schema.json");
        Lines {
            validator,
            schema,
            seen: BTreeMap::new(),
        }
    }

    /// Check one run's stdout line by line; returns the messages.
    fn check(&mut self, step: &str, r: &Run) -> Vec<Value> {
        assert!(
            !r.stdout.contains('\x1b') && !r.stderr.contains('\x1b'),
            "{step}: colour codes in -json output\n{r:?}"
        );
        assert!(!r.stdout.trim().is_empty(), "{step}: no output\n{r:?}");
        self.check_text(step, &r.stdout, &format!("{r:?}"))
    }

    fn check_text(&mut self, step: &str, stdout: &str, context: &str) -> Vec<Value> {
        let mut messages = Vec::new();
        for line in stdout.lines().map(|l| l.trim_end_matches('\r')) {
            if line.is_empty() {
                continue;
            }
            let message: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{step}: not a JSON line ({e}): {line}\n{context}"));
            let errors = schema_errors(&self.validator, &message);
            assert!(
                errors.is_empty(),
                "{step}: line does not match the schema:\n{line}\n{}\n{context}",
                errors.join("\n")
            );
            let kind = message["type"].as_str().unwrap().to_string();
            *self.seen.entry(kind).or_default() += 1;
            messages.push(message);
        }
        messages
    }

    /// The message types the schema defines, checked to be wired up
    /// consistently (enum, `$defs` entry, dispatch in `allOf`).
    fn defined_types(&self) -> BTreeSet<String> {
        let types: BTreeSet<String> = self.schema["properties"]["type"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect();
        let dispatched: BTreeSet<String> = self.schema["allOf"]
            .as_array()
            .unwrap()
            .iter()
            .map(|branch| {
                let kind = branch["if"]["properties"]["type"]["const"]
                    .as_str()
                    .unwrap();
                assert_eq!(branch["then"]["$ref"], format!("#/$defs/{kind}"));
                kind.to_string()
            })
            .collect();
        assert_eq!(types, dispatched, "every type needs an allOf branch");
        for kind in &types {
            let def = &self.schema["$defs"][kind];
            assert_eq!(
                def["properties"]["type"]["const"],
                json!(kind),
                "$defs/{kind}"
            );
            assert_eq!(def["additionalProperties"], json!(false), "$defs/{kind}");
        }
        types
    }
}

/// Refuses one Alibaba action while armed.
#[derive(Default)]
struct Refuse(Mutex<Option<(&'static str, Refusal)>>);

impl Refuse {
    fn arm(&self, action: &'static str, status: u16, code: &str, message: &str) {
        *self.0.lock().unwrap() = Some((
            action,
            Refusal {
                status,
                code: code.into(),
                message: message.into(),
            },
        ));
    }

    fn disarm(&self) {
        *self.0.lock().unwrap() = None;
    }
}

impl RequestHook for Refuse {
    fn on_request(&self, request: &RequestInfo<'_>) -> Option<Refusal> {
        match &*self.0.lock().unwrap() {
            Some((action, refusal)) if request.vendor == "aliyun" && request.action == *action => {
                Some(refusal.clone())
            }
            _ => None,
        }
    }
}

fn ip_domain(label: &str, name: &str, origin: &str, extra: &str) -> String {
    format!(
        "resource \"cdn_domain\" \"{label}\" {{\n  name     = \"{name}\"\n  cdn_type = \"web\"\n{extra}\n  origin {{\n    type     = \"ip\"\n    address  = \"{origin}\"\n    port     = 80\n    priority = 20\n    weight   = 10\n  }}\n}}\n"
    )
}

/// `web` (serving) and `img` (created, then disabled: an `apply_progress`).
fn base_config(url: &str) -> String {
    format!(
        "{}\n{}\n{}",
        provider_block(url),
        ip_domain("web", "www.example.com", "192.0.2.10", ""),
        ip_domain(
            "img",
            "img.example.com",
            "192.0.2.20",
            "  enabled  = false\n"
        ),
    )
}

/// The base plus an import of `legacy`, a new `bad` and a `child` whose
/// origin is `bad`'s CNAME (so it waits for `bad`).
fn grown_config(url: &str) -> String {
    format!(
        "{}\n{}\nimport {{\n  to = cdn_domain.legacy\n  id = \"legacy.example.com\"\n}}\n\n{}\nresource \"cdn_domain\" \"child\" {{\n  name = \"child.example.com\"\n  origin {{\n    type    = \"domain\"\n    address = cdn_domain.bad.cname\n  }}\n}}\n",
        base_config(url),
        ip_domain("legacy", "legacy.example.com", "192.0.2.99", ""),
        ip_domain("bad", "bad.example.com", "192.0.2.30", ""),
    )
}

/// Run the binary as a user would, without the harness's `-no-color`.
fn run(p: &Project, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_cdnform"))
        .arg(format!("-chdir={}", p.path().display()))
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("ALIBABA_CLOUD_ACCESS_KEY_ID")
        .env_remove("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
        .stdin(Stdio::null())
        .output()
        .expect("cdnform runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Run the binary with stdout and stderr on a pseudo-terminal (util-linux
/// `script`); returns the exit code and the terminal transcript.
fn run_on_terminal(p: &Project, args: &str) -> (i32, String) {
    let command = format!(
        "'{}' '-chdir={}' {args}",
        env!("CARGO_BIN_EXE_cdnform"),
        p.path().display()
    );
    let out = Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("util-linux script runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn of_type<'a>(messages: &'a [Value], kind: &str) -> Vec<&'a Value> {
    messages.iter().filter(|m| m["type"] == kind).collect()
}

#[test]
fn every_json_message_type_matches_the_schema() {
    let emu = Emu::start();
    let refuse = Arc::new(Refuse::default());
    emu.handle.as_ref().unwrap().add_hook(refuse.clone());
    let p = Project::new();
    let mut lines = Lines::new();

    // validate: an error with its place in the file, then success.
    p.write(
        "main.hcl",
        &format!(
            "{}\nresource \"cdn_domain\" \"web\" {{\n  name  = \"www.example.com\"\n  bogus = 1\n}}\n",
            provider_block(&emu.url())
        ),
    );
    let r = run(&p, &["validate", "-json"]);
    assert_eq!(r.code, 1, "{r:?}");
    let m = lines.check("validate (invalid)", &r);
    assert_eq!(m[0]["type"], "version", "{r:?}");
    assert!(
        of_type(&m, "diagnostic")
            .iter()
            .any(|d| d["severity"] == "error" && d["range"]["filename"] == "main.hcl"),
        "{r:?}"
    );

    p.write("main.hcl", &base_config(&emu.url()));
    let r = run(&p, &["validate", "-json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let m = lines.check("validate", &r);
    assert_eq!(
        (m[1]["type"].as_str(), &m[1]["resources"]),
        (Some("validate_result"), &json!(2)),
        "{r:?}"
    );

    // plan and apply two creates; `img` is disabled after its create.
    let r = run(&p, &["plan", "-json", "-detailed-exitcode"]);
    assert_eq!(r.code, 2, "{r:?}");
    let m = lines.check("plan", &r);
    assert_eq!(of_type(&m, "planned_change").len(), 2, "{r:?}");
    assert_eq!(m.last().unwrap()["add"], 2, "{r:?}");

    let r = run(&p, &["apply", "-json", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    let m = lines.check("apply", &r);
    assert!(
        of_type(&m, "apply_progress")
            .iter()
            .any(|p| p["address"] == "cdn_domain.img" && p["message"] == "disabling"),
        "{r:?}"
    );
    assert_eq!(of_type(&m, "apply_complete").len(), 2, "{r:?}");
    assert_eq!(m.last().unwrap()["applied"], true, "{r:?}");

    // Outside cdnform: www is stopped and another domain appears.
    let client = aliyun_client(&emu);
    emu.runtime
        .block_on(client.set_enabled("www.example.com", false))
        .unwrap();
    let legacy = Domain::new(
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
    emu.runtime.block_on(client.create_domain(&legacy)).unwrap();

    let r = run(&p, &["drift", "-json", "-include-unmanaged"]);
    assert_eq!(r.code, 2, "{r:?}");
    let m = lines.check("drift", &r);
    assert_eq!(of_type(&m, "refresh_start").len(), 2, "{r:?}");
    assert!(
        of_type(&m, "refresh_complete")
            .iter()
            .all(|c| c["exists"] == true),
        "{r:?}"
    );
    assert_eq!(
        of_type(&m, "resource_drift")[0]["changes"][0],
        json!({"attribute": "enabled", "before": true, "after": false}),
        "{r:?}"
    );
    assert_eq!(
        of_type(&m, "unmanaged_domain")[0]["name"],
        "legacy.example.com",
        "{r:?}"
    );
    assert_eq!(
        m.last().unwrap(),
        &json!({"drifted": 1, "unmanaged": 1, "type": "drift_summary", "@timestamp": m.last().unwrap()["@timestamp"]}),
        "{r:?}"
    );

    // Adopt legacy with an import block; add `bad`, whose create the
    // vendor refuses, and `child`, which waits for `bad` and is skipped.
    p.write("main.hcl", &grown_config(&emu.url()));
    let r = run(&p, &["plan", "-json", "-detailed-exitcode"]);
    assert_eq!(r.code, 2, "{r:?}");
    let m = lines.check("plan (import)", &r);
    assert!(
        of_type(&m, "planned_change").iter().any(|c| {
            c["address"] == "cdn_domain.legacy" && c["importing"]["id"] == "legacy.example.com"
        }),
        "{r:?}"
    );
    let summary = m.last().unwrap();
    assert_eq!(
        (&summary["import"], &summary["add"], &summary["change"]),
        (&json!(1), &json!(2), &json!(1)),
        "{r:?}"
    );

    refuse.arm(
        "AddCdnDomain",
        400,
        "DomainOverLimit",
        "The number of domains exceeds the limit.",
    );
    let r = run(&p, &["apply", "-json", "-auto-approve"]);
    refuse.disarm();
    assert_eq!(r.code, 1, "{r:?}");
    let m = lines.check("apply (a create refused)", &r);
    let errored = of_type(&m, "apply_errored");
    assert!(
        errored.iter().any(|e| e["address"] == "cdn_domain.bad"
            && e["action"] == "create"
            && e["error"].as_str().unwrap().contains("DomainOverLimit")),
        "{r:?}"
    );
    assert!(
        errored
            .iter()
            .any(|e| e["address"] == "cdn_domain.child" && e["skipped_because"] == "cdn_domain.bad"),
        "{r:?}"
    );
    let last = m.last().unwrap();
    assert_eq!(
        (&last["type"], &last["severity"]),
        (&json!("diagnostic"), &json!("error")),
        "{r:?}"
    );

    // A refresh the vendor refuses: refresh_complete carries the error.
    refuse.arm(
        "DescribeCdnDomainDetail",
        403,
        "Forbidden.RAM",
        "User not authorized to operate on the specified resource.",
    );
    let r = run(&p, &["plan", "-json"]);
    refuse.disarm();
    assert_eq!(r.code, 1, "{r:?}");
    let m = lines.check("plan (refresh refused)", &r);
    assert!(
        of_type(&m, "refresh_complete").iter().any(|c| c["error"]
            .as_str()
            .is_some_and(|e| e.contains("Forbidden.RAM"))),
        "{r:?}"
    );

    // On a terminal, -json still prints plain JSON lines (and the human
    // plan, for contrast, is coloured there).
    let (code, transcript) = run_on_terminal(&p, "plan -json");
    assert_eq!(code, 0, "{transcript}");
    assert!(!transcript.contains('\x1b'), "{transcript}");
    lines.check_text("plan -json on a terminal", &transcript, &transcript);
    let (code, transcript) = run_on_terminal(&p, "plan");
    assert_eq!(code, 0, "{transcript}");
    assert!(transcript.contains("\x1b["), "{transcript}");

    let defined = lines.defined_types();
    let seen: BTreeSet<String> = lines.seen.keys().cloned().collect();
    assert_eq!(
        seen, defined,
        "message types seen (left) differ from the types the schema defines (right): {:?}",
        lines.seen
    );
}

#[test]
fn saved_plan_document_matches_the_plan_file_schema() {
    let emu = Emu::start();
    let p = Project::new();
    p.write("main.hcl", &base_config(&emu.url()));
    assert_eq!(p.run(&["apply", "-auto-approve"]).code, 0);
    // Protection, an import, a replacement and a deferred reference: the
    // optional parts of a change.
    emu.runtime
        .block_on(aliyun_client(&emu).create_domain(&Domain::new(
            "legacy.example.com",
            CdnType::Web,
            vec![Origin {
                origin_type: OriginType::Ip,
                address: "192.0.2.99".into(),
                port: 80,
                priority: 20,
                weight: 10,
            }],
        )))
        .unwrap();
    let config = grown_config(&emu.url())
        .replace(
            "name     = \"www.example.com\"\n  cdn_type = \"web\"",
            "name     = \"www.example.com\"\n  cdn_type = \"download\"\n  lifecycle {\n    create_before_destroy = false\n  }",
        )
        .replace(
            "name     = \"img.example.com\"\n  cdn_type = \"web\"",
            "name     = \"img.example.com\"\n  cdn_type = \"web\"\n  lifecycle {\n    prevent_destroy = true\n  }",
        );
    p.write("main.hcl", &config);
    let r = p.run(&["plan", "-out", "plan.bin"]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = p.run(&["show", "-json", "plan.bin"]);
    assert_eq!(r.code, 0, "{r:?}");
    let document: Value = serde_json::from_str(&r.stdout).unwrap();
    let (_, validator) = load_schema("plan-file.schema.json");
    let errors = schema_errors(&validator, &document);
    assert!(errors.is_empty(), "{}\n{r:?}", errors.join("\n"));
    let changes = document["plan"]["changes"].as_array().unwrap();
    let action = |a: &str| {
        changes
            .iter()
            .find(|c| c["address"] == a)
            .unwrap_or_else(|| panic!("{a} in {r:?}"))
    };
    assert_eq!(action("cdn_domain.web")["action"], "replace", "{r:?}");
    assert_eq!(
        action("cdn_domain.legacy")["importing"],
        "legacy.example.com"
    );
    assert_eq!(
        action("cdn_domain.img")["lifecycle"]["protect"],
        true,
        "{r:?}"
    );
    assert!(
        action("cdn_domain.child")["after"]["unknown"]["/origins/0/address"]["expr"].is_array(),
        "{r:?}"
    );
}
