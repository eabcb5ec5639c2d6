//! Argument validation of every function of the table, good and bad values.

use serde_json::json;

use super::*;

/// `Functions` with one function and these (name, value) arguments.
fn one(function: &str, args: &[(&str, &str)]) -> String {
    let args: Vec<_> = args
        .iter()
        .map(|(n, v)| json!({"argName": n, "argValue": v}))
        .collect();
    json!([{"functionName": function, "functionArgs": args}]).to_string()
}

fn ok(function: &str, args: &[(&str, &str)]) {
    let calls = parse_functions(&one(function, args))
        .unwrap_or_else(|e| panic!("{function} {args:?}: {}", e.message));
    assert_eq!(calls[0].spec.name, function);
    assert_eq!(calls[0].args.len(), args.len());
}

/// Fails naming the function and the argument.
fn bad(function: &str, args: &[(&str, &str)], arg: &str) {
    let e = parse_functions(&one(function, args)).unwrap_err();
    assert_eq!((e.status, e.code.as_str()), (400, "InvalidParameter"));
    assert!(
        e.message.contains(function) && e.message.contains(arg),
        "{function} {args:?}: {}",
        e.message
    );
}

/// Each good value of `arg` is accepted and each bad one refused, the other arguments fixed.
fn values(function: &str, base: &[(&str, &str)], arg: &str, good: &[&str], wrong: &[&str]) {
    let with = |v: &'static str| -> Vec<(&str, &str)> {
        base.iter()
            .map(|(n, old)| (*n, if *n == arg { v } else { *old }))
            .collect()
    };
    for v in good {
        let v: &'static str = Box::leak(v.to_string().into_boxed_str());
        ok(function, &with(v));
    }
    for v in wrong {
        let v: &'static str = Box::leak(v.to_string().into_boxed_str());
        bad(function, &with(v), arg);
    }
}

#[test]
fn every_function_accepts_its_arguments_and_refuses_missing_or_unknown_ones() {
    let samples: &[(&str, &[(&str, &str)])] = &[
        (
            "set_req_host_header",
            &[("domain_name", "origin.example.com")],
        ),
        (
            "forward_scheme",
            &[("enable", "on"), ("scheme_origin", "follow")],
        ),
        (
            "filetype_based_ttl_set",
            &[("file_type", "jpg,png"), ("ttl", "3600"), ("weight", "50")],
        ),
        (
            "path_based_ttl_set",
            &[("path", "/static"), ("ttl", "0"), ("weight", "1")],
        ),
        (
            "referer_white_list_set",
            &[
                ("refer_domain_allow_list", "a.com,*.b.com"),
                ("allow_empty", "off"),
            ],
        ),
        (
            "referer_black_list_set",
            &[("refer_domain_deny_list", "bad.com"), ("allow_empty", "on")],
        ),
        (
            "ip_allow_list_set",
            &[("ip_list", "10.0.0.0/8,2001:db8::1")],
        ),
        ("ip_black_list_set", &[("ip_list", "1.2.3.4")]),
        ("ali_ua", &[("ua", "curl/*|Wget*"), ("type", "black")]),
        (
            "set_resp_header",
            &[("key", "Cache-Control"), ("value", "no-cache")],
        ),
        ("set_req_header", &[("key", "X-From-Cdn"), ("value", "yes")]),
        ("https_force", &[("enable", "on")]),
        ("https_option", &[("http2", "off")]),
        (
            "https_tls_version",
            &[
                ("tls10", "off"),
                ("tls11", "off"),
                ("tls12", "on"),
                ("tls13", "on"),
            ],
        ),
        ("gzip", &[("enable", "on")]),
        ("ipv6", &[("switch", "off")]),
    ];
    assert_eq!(samples.len(), FUNCTIONS.len());
    for (function, args) in samples {
        ok(function, args);
        for i in 0..args.len() {
            let mut fewer = args.to_vec();
            let (missing, _) = fewer.remove(i);
            bad(function, &fewer, missing);
        }
        let mut more = args.to_vec();
        more.push(("colour", "blue"));
        bad(function, &more, "colour");
    }
}

#[test]
fn on_off_and_enumerations() {
    values(
        "forward_scheme",
        &[("enable", "on"), ("scheme_origin", "http")],
        "scheme_origin",
        &["follow", "http", "https"],
        &["ftp", "HTTP", ""],
    );
    for (f, a) in [
        ("https_force", "enable"),
        ("https_option", "http2"),
        ("gzip", "enable"),
        ("ipv6", "switch"),
    ] {
        values(f, &[(a, "on")], a, &["on", "off"], &["ON", "true", "1", ""]);
    }
    values(
        "ali_ua",
        &[("ua", "a"), ("type", "white")],
        "type",
        &["black", "white"],
        &["grey"],
    );
    let tls = [
        ("tls10", "on"),
        ("tls11", "on"),
        ("tls12", "on"),
        ("tls13", "on"),
    ];
    values("https_tls_version", &tls, "tls13", &["off"], &["yes"]);
}

#[test]
fn ttl_weight_types_and_paths() {
    let base = [("file_type", "jpg"), ("ttl", "60"), ("weight", "10")];
    values(
        "filetype_based_ttl_set",
        &base,
        "ttl",
        &["0", "1", "63072000"],
        &["63072001", "-1", "1.5", "1h", "", " 60"],
    );
    values(
        "filetype_based_ttl_set",
        &base,
        "weight",
        &["1", "99"],
        &["0", "100", "x"],
    );
    values(
        "filetype_based_ttl_set",
        &base,
        "file_type",
        &["jpg", "jpg,png,webp", "tar-gz"],
        &["", ".jpg", "jpg,,png", "jpg png", "a/b"],
    );
    let base = [("path", "/a"), ("ttl", "60"), ("weight", "10")];
    values(
        "path_based_ttl_set",
        &base,
        "path",
        &["/", "/static/img", "/a.html"],
        &["static", "", "/a b", "/a\nb"],
    );
}

#[test]
fn hosts_lists_and_headers() {
    values(
        "set_req_host_header",
        &[("domain_name", "x.com")],
        "domain_name",
        &["origin.example.com", "10.0.0.1"],
        &["", "not a host", "a_b.com", ".x.com"],
    );
    values(
        "ip_allow_list_set",
        &[("ip_list", "1.1.1.1")],
        "ip_list",
        &[
            "1.1.1.1",
            "1.1.1.0/24,2.2.2.2",
            "::1",
            "2001:db8::/32",
            "0.0.0.0/0",
        ],
        &[
            "",
            "1.1.1",
            "1.1.1.1/33",
            "::/129",
            "1.1.1.1,",
            "1.1.1.1/x",
            "host.com",
        ],
    );
    values(
        "referer_white_list_set",
        &[("refer_domain_allow_list", "a.com"), ("allow_empty", "on")],
        "refer_domain_allow_list",
        &["a.com", "*.a.com,b.org"],
        &["", "a.com,,b.com", "http://a.com", "a com"],
    );
    values(
        "ali_ua",
        &[("ua", "a"), ("type", "white")],
        "ua",
        &["Mozilla/5.0 (X11)", "curl*|wget*"],
        &["", "a||b", "a\tb"],
    );
    for f in ["set_resp_header", "set_req_header"] {
        let base = [("key", "X-A"), ("value", "v")];
        values(
            f,
            &base,
            "key",
            &["X-A", "Cache-Control", "x_y!"],
            &["", "X A", "X:A", "X-\u{e9}"],
        );
        values(f, &base, "value", &["max-age=0, private"], &["", "a\r\nb"]);
    }
}

#[test]
fn shape_of_the_functions_parameter() {
    let e = |raw: &str| parse_functions(raw).unwrap_err().message;
    let generic = "The specified value of parameter Functions is not valid.";
    assert_eq!(e("not json"), generic);
    assert_eq!(e("[]"), generic);
    assert_eq!(e(r#"{"functionName":"gzip"}"#), generic);
    assert_eq!(e(r#"[{"functionArgs":[]}]"#), generic);
    assert_eq!(
        e(r#"[{"functionName":"brotli","functionArgs":[]}]"#),
        "The specified function name brotli is not valid."
    );
    // Values are strings: a number is refused, naming the argument.
    assert!(e(r#"[{"functionName":"path_based_ttl_set","functionArgs":[
        {"argName":"path","argValue":"/a"},{"argName":"ttl","argValue":60},
        {"argName":"weight","argValue":"1"}]}]"#)
    .contains("ttl"));
    // The same argument twice.
    assert!(e(r#"[{"functionName":"gzip","functionArgs":[
        {"argName":"enable","argValue":"on"},{"argName":"enable","argValue":"off"}]}]"#)
    .contains("more than once"));
    // A single-instance function twice, or both of an exclusive pair, in one call.
    let gzip = r#"{"functionName":"gzip","functionArgs":[{"argName":"enable","argValue":"on"}]}"#;
    assert_eq!(e(&format!("[{gzip},{gzip}]")), generic);
    let ips = |f: &str| {
        format!(
            r#"{{"functionName":"{f}","functionArgs":[{{"argName":"ip_list","argValue":"1.1.1.1"}}]}}"#
        )
    };
    assert_eq!(
        e(&format!(
            "[{},{}]",
            ips("ip_allow_list_set"),
            ips("ip_black_list_set")
        )),
        generic
    );
    // Repeatable functions may come several times; configId as number or digits.
    let hdr = |id: &str| {
        format!(
            r#"{{"functionName":"set_resp_header","configId":{id},"functionArgs":[
            {{"argName":"value","argValue":"v"}},{{"argName":"key","argValue":"X-A"}}]}}"#
        )
    };
    let calls = parse_functions(&format!("[{},{}]", hdr("12"), hdr("\"13\""))).unwrap();
    assert_eq!(
        calls.iter().map(|c| c.config_id).collect::<Vec<_>>(),
        [Some(12), Some(13)]
    );
    assert_eq!(e(&format!("[{},{}]", hdr("12"), hdr("\"12\""))), generic);
    // Arguments are kept in the table's order.
    assert_eq!(calls[0].args[0].name, "key");
    assert_eq!(e(&format!("[{}]", hdr("\"x1\""))), generic);
    assert_eq!(e(&format!("[{}]", hdr("-3"))), generic);
}
