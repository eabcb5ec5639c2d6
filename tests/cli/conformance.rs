//! The provider conformance suite: one round trip that every vendor passes
//! against its emulator, through the real binary. It configures every
//! feature the vendor's capability table claims (and nothing it does not),
//! then checks: create, no perpetual diff, change everything, no diff,
//! remove every optional feature, no diff, destroy.

use crate::common::{Emu, Project};
use cdnform::provider::{vendor_info, Capabilities};

/// One optional feature: the schema pointers it needs, and its HCL in two
/// versions (`v2` differs from `v1` in every value it can).
struct Feature {
    needs: &'static [&'static str],
    /// Extra values that must be allowed: (pointer, value).
    values: &'static [(&'static str, &'static str)],
    v1: &'static str,
    v2: &'static str,
}

const FEATURES: &[Feature] = &[
    Feature { needs: &["/origin_host"], values: &[], v1: "origin_host = \"o1.example.net\"", v2: "origin_host = \"o2.example.net\"" },
    Feature { needs: &["/origin_protocol"], values: &[("/origin_protocol", "http"), ("/origin_protocol", "https")], v1: "origin_protocol = \"http\"", v2: "origin_protocol = \"https\"" },
    Feature { needs: &["/ipv6"], values: &[], v1: "ipv6 = true", v2: "ipv6 = false" },
    Feature {
        needs: &["/cache_rules/*/patterns", "/cache_rules/*/ttl"],
        values: &[("/cache_rules/*/match", "extension"), ("/cache_rules/*/match", "directory")],
        v1: "cache_rule {\n    match    = \"extension\"\n    patterns = [\"jpg\", \"png\"]\n    ttl      = \"1h\"\n  }\n  cache_rule {\n    match    = \"directory\"\n    patterns = [\"/static/\"]\n    ttl      = \"7d\"\n  }",
        v2: "cache_rule {\n    match    = \"extension\"\n    patterns = [\"jpg\", \"gif\"]\n    ttl      = \"2h\"\n  }\n  cache_rule {\n    match    = \"directory\"\n    patterns = [\"/assets/\"]\n    ttl      = \"0\"\n  }",
    },
    Feature {
        needs: &["/referer/mode", "/referer/list", "/referer/allow_empty"],
        values: &[],
        v1: "referer {\n    mode        = \"allow\"\n    list        = [\"a.example.com\", \"*.b.example.com\"]\n    allow_empty = true\n  }",
        v2: "referer {\n    mode        = \"deny\"\n    list        = [\"*.bad.example\"]\n    allow_empty = false\n  }",
    },
    Feature {
        needs: &["/ip_filter/mode", "/ip_filter/list"],
        values: &[],
        v1: "ip_filter {\n    mode = \"deny\"\n    list = [\"203.0.113.0/24\", \"198.51.100.7\"]\n  }",
        v2: "ip_filter {\n    mode = \"allow\"\n    list = [\"192.0.2.0/24\"]\n  }",
    },
    Feature {
        needs: &["/user_agent_filter/mode", "/user_agent_filter/list"],
        values: &[],
        v1: "user_agent_filter {\n    mode = \"deny\"\n    list = [\"BadBot*\"]\n  }",
        v2: "user_agent_filter {\n    mode = \"allow\"\n    list = [\"Mozilla*\", \"curl*\"]\n  }",
    },
    Feature {
        needs: &["/response_headers/*/name", "/response_headers/*/value"],
        values: &[],
        v1: "response_header {\n    name  = \"X-Frame-Options\"\n    value = \"DENY\"\n  }",
        v2: "response_header {\n    name  = \"X-Frame-Options\"\n    value = \"SAMEORIGIN\"\n  }\n  response_header {\n    name  = \"X-Served-By\"\n    value = \"cdn\"\n  }",
    },
    Feature {
        needs: &["/origin_request_headers/*/name", "/origin_request_headers/*/value"],
        values: &[],
        v1: "origin_request_header {\n    name  = \"X-From-CDN\"\n    value = \"1\"\n  }",
        v2: "origin_request_header {\n    name  = \"X-From-CDN\"\n    value = \"2\"\n  }",
    },
    Feature {
        needs: &["/https/certificate/id", "/https/http2", "/https/force_redirect"],
        values: &[],
        v1: "https {\n    http2          = true\n    force_redirect = true\n    certificate {\n      id = \"1001\"\n    }\n  }",
        v2: "https {\n    http2          = false\n    force_redirect = false\n    certificate {\n      id = \"1002\"\n    }\n  }",
    },
    Feature { needs: &["/compression/enabled"], values: &[], v1: "compression {\n    enabled = true\n  }", v2: "compression {\n    enabled = false\n  }" },
];

fn supported(caps: &Capabilities, f: &Feature) -> bool {
    f.needs.iter().all(|p| caps.supports(p))
        && f.values.iter().all(|(p, v)| {
            caps.allowed_values(p)
                .is_none_or(|allowed| allowed.contains(v))
        })
}

fn config(
    provider_block: &str,
    features: &[&Feature],
    pick: impl Fn(&Feature) -> &'static str,
) -> String {
    let body: Vec<&str> = features.iter().map(|f| pick(f)).collect();
    format!(
        "{provider_block}\nresource \"cdn_domain\" \"site\" {{\n  name = \"conformance.example.com\"\n  origin {{\n    type    = \"ip\"\n    address = \"192.0.2.10\"\n  }}\n  {}\n}}\n",
        body.join("\n  ")
    )
}

/// Run the suite for `vendor` with a provider block pointing at its emulator.
pub fn run_suite(vendor: &str, provider_block: &str) {
    let caps = vendor_info(vendor).expect("a known vendor").capabilities;
    let features: Vec<&Feature> = FEATURES.iter().filter(|f| supported(caps, f)).collect();
    assert!(
        features.len() >= 5,
        "{vendor} supports too little to be useful: {}",
        features.len()
    );
    let p = Project::new();
    let step = |what: &str, text: String| {
        p.write("main.hcl", &text);
        let r = p.run(&["apply", "-auto-approve"]);
        assert_eq!(r.code, 0, "{vendor}: {what}: {r:?}");
        let r = p.run(&["plan", "-detailed-exitcode"]);
        assert_eq!(
            r.code, 0,
            "{vendor}: {what}: no perpetual diff expected: {r:?}"
        );
    };
    step(
        "create with every supported feature",
        config(provider_block, &features, |f| f.v1),
    );
    p.write("main.hcl", &config(provider_block, &features, |f| f.v2));
    let r = p.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(
        r.code, 2,
        "{vendor}: a change to every feature shows: {r:?}"
    );
    assert!(
        r.stdout
            .contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{vendor}: {r:?}"
    );
    step(
        "change every feature",
        config(provider_block, &features, |f| f.v2),
    );
    step(
        "remove every optional feature",
        config(provider_block, &[], |f| f.v1),
    );
    let r = p.run(&["destroy", "-auto-approve"]);
    assert_eq!(r.code, 0, "{vendor}: destroy: {r:?}");
    let state = p.state_json();
    assert_eq!(state["resources"].as_array().unwrap().len(), 0);
}

#[test]
fn aliyun_passes_the_conformance_suite() {
    let emu = Emu::start();
    run_suite("aliyun", &crate::common::provider_block(&emu.url()));
}

#[test]
fn baishan_passes_the_conformance_suite() {
    let emu = Emu::start();
    run_suite("baishan", &crate::common::baishan_block(&emu.url()));
}

#[test]
fn ctg_passes_the_conformance_suite() {
    let emu = Emu::start();
    run_suite("ctg", &crate::ctg::ctg_block(&emu.url(), "testsecret"));
}
