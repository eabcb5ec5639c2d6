//! Domain configuration end to end on the Alibaba emulator: every feature
//! round-trips with no perpetual diff, a multi-feature change is one batch
//! call, removal deletes the function, drift of one function is reported as
//! that attribute, and what Alibaba cannot express is a plan-time error.

use crate::common::{aliyun_client, provider_block, Emu, Project};
use cdnform::provider::aliyun::AliyunProvider;
use cdnform::provider::Provider;

fn client(emu: &Emu) -> AliyunProvider {
    aliyun_client(emu)
}

const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIKEYMATERIAL0123456789\n-----END PRIVATE KEY-----";
const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIBCERTMATERIAL\n-----END CERTIFICATE-----";

/// A domain using every feature Alibaba supports; `variant` changes several
/// features at once.
fn site(url: &str, variant: u8, with_referer: bool) -> String {
    let header = if variant == 0 { "DENY" } else { "SAMEORIGIN" };
    let ttl = if variant == 0 { "1h" } else { "2h" };
    let referer = if with_referer {
        "  referer {\n    mode        = \"allow\"\n    list        = [\"a.example.com\", \"b.example.com\"]\n    allow_empty = true\n  }\n"
    } else {
        ""
    };
    format!(
        r#"{provider}
variable "key" {{
  type      = string
  sensitive = true
}}

resource "cdn_domain" "site" {{
  name            = "static.example.com"
  origin_host     = "origin.example.net"
  origin_protocol = "https"
  ipv6            = true

  origin {{
    type    = "domain"
    address = "origin.example.net"
    port    = 443
  }}

  cache_rule {{
    match    = "extension"
    patterns = ["jpg", "png"]
    ttl      = "{ttl}"
    priority = 99 # the weight Alibaba derives for the first rule anyway
  }}

  cache_rule {{
    match    = "directory"
    patterns = ["/static/"]
    ttl      = "7d"
  }}

{referer}
  ip_filter {{
    mode = "deny"
    list = ["203.0.113.0/24"]
  }}

  user_agent_filter {{
    mode = "deny"
    list = ["BadBot*"]
  }}

  response_header {{
    name  = "X-Frame-Options"
    value = "{header}"
  }}

  origin_request_header {{
    name  = "X-From-CDN"
    value = "cdnform"
  }}

  https {{
    http2           = true
    force_redirect  = true
    min_tls_version = "1.2"
    certificate {{
      public_pem  = <<-EOT
{cert}
EOT
      private_pem = var.key
    }}
  }}

  compression {{
    enabled = true
  }}
}}
"#,
        provider = provider_block(url),
        cert = CERT
    )
}

#[test]
fn every_feature_round_trips_and_changes_in_one_batch() {
    let emu = Emu::start();
    let p = Project::new();
    let env = [("CDNFORM_VAR_key", KEY)];
    p.write("main.hcl", &site(&emu.url(), 0, true));

    let r = p.run_env(&["apply", "-auto-approve"], &env);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!r.all().contains("KEYMATERIAL"), "{r:?}");
    let state = String::from_utf8(p.state_bytes().unwrap()).unwrap();
    assert!(
        !state.contains("KEYMATERIAL") && state.contains("sha256:"),
        "state keeps a digest only"
    );

    let r = p.run_env(&["plan", "-detailed-exitcode"], &env);
    assert_eq!(r.code, 0, "no perpetual diff: {r:?}");

    // Two features change: one BatchSetCdnDomainConfig call carries both.
    p.write("main.hcl", &site(&emu.url(), 1, true));
    let r = p.run_env(&["plan", "-detailed-exitcode"], &env);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stdout.contains("~ value = \"DENY\" -> \"SAMEORIGIN\""),
        "{r:?}"
    );
    assert!(r.stdout.contains("~ ttl = \"1h\" -> \"2h\""), "{r:?}");
    emu.handle.as_ref().unwrap().reset_calls();
    let r = p.run_env(&["apply", "-auto-approve"], &env);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        emu.handle
            .as_ref()
            .unwrap()
            .aliyun_calls("BatchSetCdnDomainConfig"),
        1
    );
    assert_eq!(p.run_env(&["plan", "-detailed-exitcode"], &env).code, 0);

    // Removing a feature deletes its function.
    p.write("main.hcl", &site(&emu.url(), 1, false));
    let r = p.run_env(&["plan", "-detailed-exitcode"], &env);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stdout.contains("- referer {"), "{r:?}");
    emu.handle.as_ref().unwrap().reset_calls();
    let r = p.run_env(&["apply", "-auto-approve"], &env);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        emu.handle
            .as_ref()
            .unwrap()
            .aliyun_calls("DeleteSpecificConfig")
            >= 1
    );
    assert_eq!(p.run_env(&["plan", "-detailed-exitcode"], &env).code, 0);

    // A new private key plans an update although the vendor never returns it.
    let other_key = KEY.replace("KEYMATERIAL", "OTHERKEYXX");
    let r = p.run_env(
        &["plan", "-detailed-exitcode"],
        &[("CDNFORM_VAR_key", other_key.as_str())],
    );
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stdout
            .contains("private_pem = (sensitive value) -> (sensitive value)"),
        "{r:?}"
    );
    assert!(
        !r.all().contains("KEYMATERIAL") && !r.all().contains("OTHERKEYXX"),
        "{r:?}"
    );
}

#[test]
fn drift_of_one_function_is_that_attribute() {
    let emu = Emu::start();
    let p = Project::new();
    let env = [("CDNFORM_VAR_key", KEY)];
    p.write("main.hcl", &site(&emu.url(), 0, true));
    assert_eq!(p.run_env(&["apply", "-auto-approve"], &env).code, 0);

    // Someone changes the response header in the console.
    let c = client(&emu);
    let live = emu
        .runtime
        .block_on(c.read_domain("static.example.com"))
        .unwrap()
        .unwrap();
    let mut changed = live.clone();
    changed.response_headers[0].value = "ALLOWALL".into();
    emu.runtime
        .block_on(c.update_domain(&live, &changed))
        .unwrap();

    let r = p.run_env(&["plan", "-detailed-exitcode"], &env);
    assert_eq!(r.code, 2, "{r:?}");
    let drift = r.stdout.split("cdnform will perform").next().unwrap();
    assert!(drift.contains("# cdn_domain.site has changed"), "{r:?}");
    assert!(
        drift.contains("~ value = \"DENY\" -> \"ALLOWALL\""),
        "{r:?}"
    );
    assert!(
        !drift.contains("referer"),
        "only the drifted attribute: {r:?}"
    );
}

#[test]
fn what_alibaba_cannot_express_is_a_plan_time_error() {
    let emu = Emu::start();
    let p = Project::new();
    p.write(
        "main.hcl",
        &format!(
            "{}\nresource \"cdn_domain\" \"x\" {{\n  name = \"x.example.com\"\n  origin {{\n    type    = \"ip\"\n    address = \"192.0.2.1\"\n  }}\n  cache_rule {{\n    match    = \"regex\"\n    patterns = [\"^/a/.*\\\\.js$\"]\n    ttl      = \"1h\"\n  }}\n}}\n",
            provider_block(&emu.url())
        ),
    );
    let r = p.run(&["plan"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("aliyun cannot express"), "{r:?}");
    assert!(r.stderr.contains("cdn_domain.x"), "{r:?}");
    assert!(r.stderr.contains("main.hcl:14:5"), "{r:?}");
    let r = p.run(&["providers", "--json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let matrix: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let aliyun = &matrix["vendors"][0];
    assert_eq!(aliyun["name"], "aliyun");
    assert_eq!(
        aliyun["attributes"]["cdn_domain.referer.list"]["supported"],
        true
    );
    assert_eq!(
        aliyun["attributes"]["cdn_domain.compression.min_size"]["supported"],
        false
    );
}

#[test]
fn the_static_site_example_applies_cleanly() {
    let p = Project::new();
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/static-site/main.hcl"
    ))
    .unwrap();
    p.write("main.hcl", &example);
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = p.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(r.code, 0, "{r:?}");
}

#[test]
fn the_same_change_to_several_domains_is_one_call() {
    let emu = Emu::start();
    let p = Project::new();
    let config = |value: &str| {
        let mut text = provider_block(&emu.url());
        for n in ["a", "b", "c"] {
            text.push_str(&format!(
                "resource \"cdn_domain\" \"{n}\" {{\n  name        = \"{n}.example.com\"\n  origin_host = \"{value}\"\n  origin {{\n    type    = \"ip\"\n    address = \"192.0.2.1\"\n  }}\n}}\n"
            ));
        }
        text
    };
    // A single-instance function (the origin Host header): the same
    // arguments for every domain, so one call can carry them all. (Replacing
    // repeatable functions such as headers deletes per-domain config ids
    // first and is sent per domain.)
    p.write("main.hcl", &config("origin-41.example.net"));
    assert_eq!(p.run(&["apply", "-auto-approve"]).code, 0);
    p.write("main.hcl", &config("origin-42.example.net"));
    // The creates above wrote three configs; Alibaba allows 3 config
    // writes per second per account, and a new process cannot know what
    // the last one sent: let that second pass so no call is throttled.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    emu.handle.as_ref().unwrap().reset_calls();
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.contains("0 added, 3 changed, 0 destroyed"),
        "{r:?}"
    );
    assert_eq!(
        emu.handle
            .as_ref()
            .unwrap()
            .aliyun_calls("BatchSetCdnDomainConfig"),
        1
    );
    assert_eq!(p.run(&["plan", "-detailed-exitcode"]).code, 0);
}
