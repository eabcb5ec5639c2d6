//! Tests over the valid multi-file fixture `testdata/config/valid`:
//! variable sources and precedence, locals, templates, providers,
//! references evaluated with known and unknown lookups, sensitivity.

use super::*;
use crate::model::{Lookup, Part, Unknown};
use serde_json::json;
use std::path::{Path, PathBuf};

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/config")
        .join(rel)
}

fn inputs() -> VarInputs {
    VarInputs {
        vars: vec![],
        var_files: vec![fixture("vars/valid.vars.hcl")],
        env: vec![],
    }
}

fn load(inputs: &VarInputs) -> Config {
    match load_dir(&fixture("valid"), inputs) {
        Ok(c) => c,
        Err(d) => panic!(
            "{}",
            d.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn addr(name: &str) -> Address {
    Address::new("cdn_domain", name)
}

fn known(a: &Address, path: &[String]) -> Lookup {
    match (a.name.as_str(), path.join(".").as_str()) {
        ("web", "cname") => Lookup::Known(json!("web.cdn.test")),
        ("web", "origins.0.address") => Lookup::Known(json!("192.0.2.10")),
        _ => Lookup::NoSuchAttribute,
    }
}

fn unknown(_: &Address, _: &[String]) -> Lookup {
    Lookup::Unknown
}

#[test]
fn resources_providers_and_dependencies() {
    let c = load(&inputs());
    let names: Vec<String> = c
        .resources()
        .iter()
        .map(|r| r.address.to_string())
        .collect();
    assert_eq!(
        names,
        ["cdn_domain.api", "cdn_domain.static", "cdn_domain.web"]
    );
    let by = |n: &str| {
        c.resources()
            .iter()
            .find(|r| r.address.name == n)
            .unwrap()
            .clone()
    };
    assert_eq!(by("static").provider.to_string(), "aliyun.eu");
    assert_eq!(by("web").provider.to_string(), "aliyun");
    assert_eq!(by("api").provider.to_string(), "aliyun");
    // depends_on plus references, deduplicated and sorted.
    assert_eq!(by("static").depends_on, vec![addr("api"), addr("web")]);
    assert_eq!(by("api").depends_on, vec![addr("web")]);
    assert!(by("web").depends_on.is_empty());
    let loc = by("web").location.unwrap();
    assert!(loc.to_string().ends_with("valid/domains.hcl:1:1"), "{loc}");

    let p: Vec<String> = c.providers().iter().map(|p| p.addr.to_string()).collect();
    assert_eq!(p, ["aliyun", "aliyun.eu"]);
    assert_eq!(c.providers()[0].settings["endpoint"], json!("embedded"));
    assert_eq!(
        c.providers()[0].settings["access_key_secret"],
        json!("s3cr3t-key")
    );
    // The var file sets an undeclared variable: a warning, not an error.
    assert_eq!(c.warnings().len(), 1);
    assert_eq!(c.warnings()[0].summary, "Value for undeclared variable");
    assert!(c.warnings()[0].to_string().contains("valid.vars.hcl:3:1"));
}

#[test]
fn provider_debug_hides_secret() {
    let c = load(&inputs());
    let dbg = format!("{:?}", c.providers()[0]);
    assert!(dbg.contains("(sensitive value)"), "{dbg}");
    assert!(!dbg.contains("s3cr3t-key"), "{dbg}");
    assert!(dbg.contains("AKIDEXAMPLE"));
}

#[test]
fn evaluate_with_known_references() {
    let c = load(&inputs());
    let web = c.evaluate(&addr("web"), &known).unwrap();
    assert_eq!(
        web.value,
        json!({
            "name": "dev-site.example.com", "cdn_type": "web", "enabled": true,
            "origins": [
                {"type": "ip", "address": "192.0.2.10", "port": 80, "priority": 20, "weight": 10},
                {"type": "domain", "address": "origin.example.com", "port": 8080, "priority": 30, "weight": 5},
            ],
            // Absent list blocks are empty lists, absent single blocks null.
            "cache_rules": [], "referer": null, "ip_filter": null, "user_agent_filter": null,
            "response_headers": [], "origin_request_headers": [], "https": null, "compression": null,
        })
    );
    assert!(web.is_wholly_known());
    let st = c.evaluate(&addr("static"), &known).unwrap();
    assert_eq!(st.value["name"], json!("static-dev.example.com"));
    assert_eq!(st.value["cdn_type"], json!("download"));
    assert_eq!(st.value["origins"][0]["address"], json!("web.cdn.test"));
    assert_eq!(st.value["origins"][1]["address"], json!("o.web.cdn.test"));
    assert_eq!(st.value["origins"][1]["port"], json!(8080));
    let api = c.evaluate(&addr("api"), &known).unwrap();
    assert_eq!(api.value["origins"][0]["address"], json!("192.0.2.10"));
}

#[test]
fn evaluate_with_unknown_references() {
    let c = load(&inputs());
    let st = c.evaluate(&addr("static"), &unknown).unwrap();
    let cname = Part::Ref {
        address: "cdn_domain.web".into(),
        path: vec!["cname".into()],
    };
    assert_eq!(
        st.unknown["/origins/0/address"],
        Unknown::Expr(vec![cname.clone()])
    );
    assert_eq!(
        st.unknown["/origins/1/address"],
        Unknown::Expr(vec![Part::Lit("o.".into()), cname])
    );
    assert_eq!(st.value["origins"][0]["address"], json!(null));
    assert_eq!(st.unknown.len(), 2);
    let api = c.evaluate(&addr("api"), &unknown).unwrap();
    assert_eq!(
        api.unknown["/origins/0/address"],
        Unknown::Expr(vec![Part::Ref {
            address: "cdn_domain.web".into(),
            path: vec!["origins".into(), "0".into(), "address".into()],
        }])
    );
}

#[test]
fn sensitive_taint() {
    let c = load(&inputs());
    let st = c.evaluate(&addr("static"), &known).unwrap();
    assert_eq!(
        st.value["origins"][2]["address"],
        json!("hidden-origin.example.com")
    );
    assert_eq!(
        st.sensitive.iter().collect::<Vec<_>>(),
        ["/origins/2/address"]
    );
    assert!(c
        .evaluate(&addr("web"), &known)
        .unwrap()
        .sensitive
        .is_empty());
}

#[test]
fn locate_pointers() {
    let c = load(&inputs());
    let at = |p: &str| c.locate(&addr("web"), p).unwrap().to_string();
    assert!(at("/name").ends_with("domains.hcl:2:3"));
    assert!(at("/origins/1").ends_with("domains.hcl:11:3"));
    assert!(at("/origins/1/type").ends_with("domains.hcl:12:5"));
    assert!(at("/origins/0/priority").ends_with("domains.hcl:5:3"));
    assert!(at("/cname").ends_with("domains.hcl:1:1"));
}

fn precedence(inputs: &VarInputs) -> serde_json::Value {
    load(inputs).vars["precedence"].to_plain_json()
}

#[test]
fn variable_precedence() {
    let base = VarInputs {
        var_files: vec![],
        vars: vec![("origin_ips".into(), "[\"192.0.2.1\"]".into())],
        env: vec![],
    };
    assert_eq!(precedence(&base), json!("default"));
    let mut i = base.clone();
    i.env = vec![("CDNFORM_VAR_precedence".into(), "env".into())];
    assert_eq!(precedence(&i), json!("env"));
    i.var_files = vec![fixture("vars/valid.vars.hcl")];
    assert_eq!(precedence(&i), json!("file"));
    i.vars.push(("precedence".into(), "cli".into()));
    assert_eq!(precedence(&i), json!("cli"));
}

#[test]
fn variable_conversions_from_strings() {
    let mut i = inputs();
    i.vars.push(("port".into(), "8081".into()));
    i.env.push(("CDNFORM_VAR_enabled".into(), "false".into()));
    i.vars.push(("weights".into(), "{ backup = \"7\" }".into()));
    let c = load(&i);
    let web = c.evaluate(&addr("web"), &known).unwrap();
    assert_eq!(web.value["origins"][0]["port"], json!(8081));
    assert_eq!(web.value["enabled"], json!(false));
    assert_eq!(web.value["origins"][1]["weight"], json!(7));
    let st = c.evaluate(&addr("static"), &known).unwrap();
    assert_eq!(st.value["origins"][1]["port"], json!(8082));
}
