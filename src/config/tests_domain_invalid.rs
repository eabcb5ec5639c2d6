//! One test per domain-configuration diagnostic (single blocks, cache
//! rules, access lists, headers, HTTPS, compression) over the fixtures in
//! `testdata/config/invalid/`: each asserts the message and the
//! file:line:col it points at, and that sensitive values never show.

use super::tests_invalid::diags;
use super::tests_valid::fixture;
use super::*;

/// The diagnostic with `summary` whose detail contains `detail` points at
/// `invalid/NAME.hcl:line:col`.
fn expect(name: &str, summary: &str, detail: &str, line_col: &str) {
    let all = diags(name, &VarInputs::default());
    let listing = all
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    // Notes name the first occurrence by its path; make it relative.
    let dir = fixture("").display().to_string();
    let want = format!("invalid/{name}.hcl:{line_col}");
    let d = all
        .iter()
        .find(|d| {
            let text = d.detail.as_deref().unwrap_or("").replace(&dir, "");
            let at = d.location.as_ref().map(ToString::to_string);
            d.summary == summary && text.contains(detail) && at.is_some_and(|l| l.ends_with(&want))
        })
        .unwrap_or_else(|| {
            panic!("{name}: no {summary:?} with {detail:?} at {want} in\n{listing}")
        });
    assert!(d.is_error());
}

#[test]
fn at_most_one_https_block() {
    expect(
        "single_blocks",
        "Duplicate https block",
        "At most one https block is allowed. The first is at invalid/single_blocks.hcl:9:3.",
        "14:3",
    );
    // The second block is not checked as well (no "missing certificate").
    let d = diags("single_blocks", &VarInputs::default());
    assert!(!d
        .iter()
        .any(|d| d.to_string().contains("single_blocks.hcl:14:3: Missing")));
}

#[test]
fn allow_and_deny_ip_lists_at_once() {
    expect(
        "single_blocks",
        "Duplicate ip_filter block",
        "an ip_filter is either an allow list or a deny list; use one block.",
        "21:3",
    );
    expect(
        "single_blocks",
        "Duplicate referer block",
        "a referer is either an allow list or a deny list; use one block. The first is at invalid/single_blocks.hcl:36:3.",
        "40:3",
    );
    expect(
        "single_blocks",
        "Duplicate user_agent_filter block",
        "a user_agent_filter is either an allow list or a deny list; use one block.",
        "48:3",
    );
}

#[test]
fn certificate_block_required_in_https() {
    expect(
        "single_blocks",
        "Missing certificate block",
        "A \"certificate\" block is required inside \"https\".",
        "33:3",
    );
}

#[test]
fn misspelled_nested_single_block() {
    expect(
        "single_block_typo",
        "Unsupported block type",
        "Blocks of type \"certficate\" are not expected here. Did you mean \"certificate\"?",
        "10:5",
    );
    let d = diags("single_block_typo", &VarInputs::default());
    assert!(
        !d.iter().any(|d| d.summary.starts_with("Missing")),
        "no follow-up noise"
    );
}

#[test]
fn misspelled_attribute_through_single_block() {
    expect(
        "single_block_typo",
        "Unsupported attribute",
        "This object has no attribute named \"htp2\". Did you mean \"http2\"?",
        "23:31",
    );
}

#[test]
fn cidr_with_host_bits() {
    expect("ip_filter", "Invalid IP address or CIDR block", "\"198.51.100.1/24\" has host bits set: the prefix must be a network address. Did you mean \"198.51.100.0/24\"?", "11:29");
    expect(
        "ip_filter",
        "Invalid IP address or CIDR block",
        "Did you mean \"2001:db8::/64\"?",
        "12:20",
    );
}

#[test]
fn cidr_prefix_out_of_range() {
    expect(
        "ip_filter",
        "Invalid IP address or CIDR block",
        "\"10.0.0.0/33\" has an invalid prefix length: use a whole number from 0 to 32.",
        "11:48",
    );
}

#[test]
fn not_an_ip_address() {
    expect(
        "ip_filter",
        "Invalid IP address or CIDR block",
        "\"not-an-ip\" is not an IP address or a CIDR block",
        "12:7",
    );
}

#[test]
fn duplicate_ip_entry() {
    expect(
        "ip_filter",
        "Duplicate list entry",
        "The address \"203.0.113.9/32\" is already in this list. The first is at invalid/ip_filter.hcl:12:38.",
        "12:53",
    );
}

#[test]
fn invalid_ttl() {
    expect(
        "cache_rules",
        "Invalid TTL",
        "Invalid TTL unit \"w\" in \"1w\": use s, m, h or d.",
        "12:16",
    );
    expect(
        "cache_rules",
        "Invalid TTL",
        "TTL \"731d\" is longer than two years",
        "17:16",
    );
}

#[test]
fn cache_rule_priority_range() {
    expect(
        "cache_rules",
        "Invalid priority",
        "A cache rule priority must be a whole number from 0 to 99, but got 120.",
        "18:16",
    );
}

#[test]
fn extension_with_a_dot() {
    expect(
        "cache_rules",
        "Invalid cache rule pattern",
        "The extension pattern \".png\" starts with a dot: write extensions without it. Did you mean \"png\"?",
        "11:24",
    );
    expect(
        "cache_rules",
        "Invalid cache rule pattern",
        "The extension pattern \"img/gif\" is a path: extensions have no \"/\".",
        "11:32",
    );
}

#[test]
fn directory_and_path_patterns() {
    expect(
        "cache_rules",
        "Invalid cache rule pattern",
        "The directory pattern \"static/\" must start and end with \"/\". Did you mean \"/static/\"?",
        "16:17",
    );
    expect(
        "cache_rules",
        "Invalid cache rule pattern",
        "The path pattern \"index.html\" must start with \"/\". Did you mean \"/index.html\"?",
        "22:17",
    );
}

#[test]
fn regex_pattern_must_parse() {
    expect(
        "cache_rules",
        "Invalid cache rule pattern",
        "The regex pattern \"^/a/(b\" is not a valid regular expression: unclosed group.",
        "27:17",
    );
}

#[test]
fn empty_patterns() {
    expect(
        "cache_rules",
        "No cache rule patterns",
        "A cache rule needs at least one pattern.",
        "32:16",
    );
}

#[test]
fn duplicate_cache_rule_pattern() {
    expect(
        "cache_rules",
        "Duplicate cache rule pattern",
        "The extension pattern \"jpg\" is already matched by an earlier cache rule; only one of them can apply. The first is at invalid/cache_rules.hcl:11:17.",
        "37:24",
    );
}

#[test]
fn duplicate_headers() {
    expect(
        "headers",
        "Duplicate header",
        "The header \"x-frame-options\" is already set by an earlier response_header block (header names are case-insensitive). The first is at invalid/headers.hcl:10:13.",
        "14:13",
    );
    expect(
        "headers",
        "Duplicate header",
        "The header \"X-Real-IP\" is already set by an earlier origin_request_header block",
        "26:13",
    );
}

#[test]
fn header_name_and_value() {
    expect(
        "headers",
        "Invalid header name",
        "\"X Bad\" is not a valid header name: use letters, digits and !#$%&'*+-.^_`|~",
        "18:13",
    );
    expect(
        "headers",
        "Invalid header value",
        "A header value cannot contain a line break (CR or LF).",
        "19:13",
    );
}

#[test]
fn referer_with_scheme() {
    expect(
        "lists",
        "Invalid referer entry",
        "without a scheme: \"https://www.example.com/path\" is not one. Did you mean \"www.example.com\"?",
        "11:30",
    );
    expect(
        "lists",
        "Invalid referer entry",
        "\"not a host\" is not a host name or a wildcard like \"*.example.com\".",
        "12:22",
    );
}

#[test]
fn duplicate_list_entries() {
    expect(
        "lists",
        "Duplicate list entry",
        "The referer \"example.org\" is already in this list (host names are case-insensitive). The first is at invalid/lists.hcl:11:62.",
        "12:7",
    );
    expect(
        "lists",
        "Duplicate list entry",
        "The user agent \"BadBot\" is already in this list. The first is at invalid/lists.hcl:16:13.",
        "16:35",
    );
    expect(
        "lists",
        "Duplicate list entry",
        "The content type \"TEXT/HTML\" is already in this list.",
        "19:43",
    );
}

#[test]
fn compression_settings() {
    expect(
        "lists",
        "Invalid size",
        "min_size is a number of bytes: a whole number of 0 or more, but got -1.",
        "20:21",
    );
    expect(
        "lists",
        "Invalid content type",
        "\"html\" is not a content type like \"text/html\" (type/subtype).",
        "19:35",
    );
}

#[test]
fn certificate_sources() {
    expect(
        "certificates",
        "Conflicting certificate sources",
        "Set either id (a certificate the vendor holds) or public_pem and private_pem (a certificate to upload), not both.",
        "17:21",
    );
    expect(
        "certificates",
        "Missing certificate",
        "A certificate needs either id (a certificate the vendor holds) or public_pem and private_pem",
        "72:5",
    );
}

#[test]
fn private_key_without_certificate() {
    expect(
        "certificates",
        "Missing certificate chain",
        "private_pem is set without public_pem: a private key without its certificate.",
        "32:21",
    );
}

#[test]
fn pem_contents() {
    expect(
        "certificates",
        "Invalid certificate",
        "public_pem must be a PEM certificate chain (-----BEGIN CERTIFICATE----- ...).",
        "45:21",
    );
    expect(
        "certificates",
        "Invalid private key",
        "private_pem must be a PEM private key (-----BEGIN PRIVATE KEY----- ...); the value is not shown.",
        "46:21",
    );
    // From a sensitive variable: the same, pointing at the reference.
    expect(
        "certificates",
        "Invalid private key",
        "the value is not shown.",
        "60:21",
    );
}

#[test]
fn write_only_and_sensitive_values_never_shown() {
    // Literals are in the file's source text (which a renderer shows as
    // written); the messages never carry them.
    let mut all = diags("certificates", &VarInputs::default());
    all.extend(diags("private_key_type", &VarInputs::default()));
    assert!(all.len() >= 7, "{all:?}");
    for d in &all {
        let text = d.to_string();
        for secret in ["pr1vate", "s3cr3t", "l1st-s3cret", "PRIVATE KEY-----\nx"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
    // A key from outside the files appears nowhere, not even in Debug.
    let inputs = VarInputs {
        vars: vec![("key".into(), "an0ther-k3y".into())],
        ..Default::default()
    };
    let all = diags("certificates", &inputs);
    assert!(all.iter().any(|d| d.summary == "Invalid private key"));
    for d in all {
        assert!(!format!("{d} {d:?}").contains("an0ther"), "{d}");
    }
    expect(
        "private_key_type",
        "Incorrect attribute value type",
        "Inappropriate value for attribute \"private_pem\": a string is required, but got (sensitive value).",
        "12:21",
    );
}

#[test]
fn values_known_after_apply_are_skipped() {
    // The unknown list element and TTL are left to the vendor; the known
    // CIDR next to them is still checked.
    let d = diags("unknown_skipped", &VarInputs::default());
    assert_eq!(d.len(), 1, "{d:?}");
    expect(
        "unknown_skipped",
        "Invalid IP address or CIDR block",
        "Did you mean \"192.0.2.0/24\"?",
        "19:48",
    );
}
