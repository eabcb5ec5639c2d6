//! CTG specifics: the token expiring in the middle of an apply is renewed
//! transparently (exactly one extra token call), and a wrong secret is a
//! clear authentication error naming the provider, with no secret shown.

use crate::common::{Emu, Project};
use std::time::Duration;

pub fn ctg_block(url: &str, secret: &str) -> String {
    format!("provider \"ctg\" {{\n  endpoint   = \"{url}\"\n  access_key = \"testid\"\n  secret_key = \"{secret}\"\n}}\n")
}

fn site(url: &str, origin: &str) -> String {
    format!(
        "{}\nresource \"cdn_domain\" \"site\" {{\n  name = \"ctg.example.com\"\n  origin {{\n    type    = \"ip\"\n    address = \"{origin}\"\n  }}\n  response_header {{\n    name  = \"X-Origin\"\n    value = \"{origin}\"\n  }}\n}}\n",
        ctg_block(url, "testsecret")
    )
}

#[test]
fn an_expired_token_is_renewed_once_during_apply() {
    // Tokens live 3 s; the create then waits about 4 s for `configuring`
    // to end, so the first token expires in the middle of the apply and the
    // second one outlives it.
    let emu = Emu::start_with(|c| {
        c.ctg_token_lifetime = Duration::from_secs(3);
        c.configuring_delay = Duration::from_secs(4);
    });
    let p = Project::new();
    p.write("main.hcl", &site(&emu.url(), "192.0.2.10"));
    emu.handle.as_ref().unwrap().reset_calls();
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{r:?}");
    let tokens = emu
        .handle
        .as_ref()
        .unwrap()
        .ctg_calls("POST /API/OAuth/token");
    assert_eq!(
        tokens, 2,
        "one token at the start, exactly one renewal: {r:?}"
    );
    assert_eq!(p.run(&["plan", "-detailed-exitcode"]).code, 0);
}

#[test]
fn a_wrong_secret_is_a_clear_auth_error_without_the_secret() {
    let emu = Emu::start();
    let p = Project::new();
    p.write(
        "main.hcl",
        &site(&emu.url(), "192.0.2.10").replace("\"testsecret\"", "\"s3cr3t-CTG-WRONG\""),
    );
    let r = p.run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("ctg"), "names the provider: {r:?}");
    assert!(
        r.stderr.to_lowercase().contains("auth") || r.stderr.contains("401"),
        "{r:?}"
    );
    assert!(!r.all().contains("s3cr3t-CTG-WRONG"), "{r:?}");
    assert!(p.state_bytes().is_none());
}
