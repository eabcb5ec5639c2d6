//! Access control items: `referer` (hotlink protection by Referer) and `ip_black_list` /
//! `ip_white_list` (seed: "Refer", "IP_Black_List", "IP_White_List").
//!
//! MODELLED: an empty `list` removes the item (the seed does not say how to switch them off).
//! `allow_empty` is stored with its stated default (true).

use std::net::Ipv4Addr;

use serde_json::{json, Value};

use super::error::BsError;
use super::values::{array, bad, int, is_ip_or_host, object, required, string};

/// "Up to 200 entries."
pub const MAX_IP_ENTRIES: usize = 200;

/// `referer`: `{type: 1 (blacklist) | 2 (whitelist), list, allow_empty}`; `None` for an empty
/// list. An entry is a host name or IP, or a wildcard: "Wildcard values must start with *"
/// (MODELLED: a `*` only as the first character, followed by `.` and a host name).
pub fn referer(v: &Value) -> Result<Option<Value>, BsError> {
    const P: &str = "config.referer";
    let m = object(v, P, &["type", "list", "allow_empty"])?;
    let kind = int(required(m, "type", P)?, "config.referer.type")?;
    if kind != 1 && kind != 2 {
        return Err(bad(
            "config.referer.type",
            "must be 1 (blacklist) or 2 (whitelist)",
        ));
    }
    let allow_empty = match m.get("allow_empty") {
        None => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(bad("config.referer.allow_empty", "must be true or false")),
    };
    let list = array(required(m, "list", P)?, "config.referer.list")?;
    if list.is_empty() {
        return Ok(None);
    }
    let mut entries = Vec::new();
    for (i, e) in list.iter().enumerate() {
        let path = format!("config.referer.list[{i}]");
        let e = string(e, &path)?.trim().to_ascii_lowercase();
        let host = e.strip_prefix("*.").unwrap_or(&e);
        if host.contains('*') {
            return Err(bad(
                &path,
                format!("{e}: wildcard values must start with *."),
            ));
        }
        if !is_ip_or_host(host) {
            return Err(bad(
                &path,
                format!("{e} is not a domain name or IP address"),
            ));
        }
        entries.push(e);
    }
    Ok(Some(
        json!({"type": kind, "list": entries, "allow_empty": allow_empty}),
    ))
}

/// One IP list entry: an IPv4 address or a /8, /16 or /24 block ("/8, /16, and /24 CIDR
/// blocks are supported"). MODELLED: IPv6 is not accepted (the seed names only those forms)
/// and a block must be given by its network address (`1.1.1.0/24`, not `1.1.1.7/24`).
fn ip_entry(s: &str, path: &str) -> Result<String, BsError> {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let ip: Ipv4Addr = addr
        .parse()
        .map_err(|_| bad(path, format!("{s} is not an IPv4 address or CIDR block")))?;
    let Some(prefix) = prefix else {
        return Ok(ip.to_string());
    };
    let bits: u32 = match prefix {
        "8" => 8,
        "16" => 16,
        "24" => 24,
        _ => {
            return Err(bad(
                path,
                format!("{s}: only /8, /16 and /24 blocks are supported"),
            ))
        }
    };
    if u32::from(ip) & (u32::MAX >> bits) != 0 {
        return Err(bad(
            path,
            format!("{s}: a /{bits} block must be given by its network address"),
        ));
    }
    Ok(format!("{ip}/{bits}"))
}

/// `ip_black_list` or `ip_white_list` (`item`): `{list}`, at most 200 entries, no entry
/// repeated ("no repetition is allowed"); `None` for an empty list.
pub fn ip_list(item: &str, v: &Value) -> Result<Option<Value>, BsError> {
    let p = format!("config.{item}");
    let m = object(v, &p, &["list"])?;
    let list = array(required(m, "list", &p)?, &format!("{p}.list"))?;
    if list.len() > MAX_IP_ENTRIES {
        return Err(bad(
            &format!("{p}.list"),
            format!("at most {MAX_IP_ENTRIES} entries, got {}", list.len()),
        ));
    }
    if list.is_empty() {
        return Ok(None);
    }
    let mut entries: Vec<String> = Vec::new();
    for (i, e) in list.iter().enumerate() {
        let path = format!("{p}.list[{i}]");
        let e = ip_entry(string(e, &path)?.trim(), &path)?;
        if entries.contains(&e) {
            return Err(bad(&path, format!("{e} is repeated")));
        }
        entries.push(e);
    }
    Ok(Some(json!({ "list": entries })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ref_err(v: Value) -> String {
        referer(&v).unwrap_err().message
    }

    fn ip_err(list: Value) -> String {
        ip_list("ip_black_list", &json!({ "list": list }))
            .unwrap_err()
            .message
    }

    #[test]
    fn referer_seed_example_and_defaults() {
        let v = referer(
            &json!({"type": 1, "list": ["*.qingcdn.com", "new.vx.qingcdn.com"],
                                 "allow_empty": false}),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            v,
            json!({"type": 1, "list": ["*.qingcdn.com", "new.vx.qingcdn.com"], "allow_empty": false})
        );
        let v = referer(&json!({"type": "2", "list": ["www.qingcdn.com", "10.0.0.1"]}))
            .unwrap()
            .unwrap();
        assert_eq!(v["allow_empty"], true);
        assert_eq!(v["type"], 2);
        assert_eq!(referer(&json!({"type": 2, "list": []})).unwrap(), None);
    }

    #[test]
    fn referer_rules() {
        assert!(ref_err(json!({"type": 3, "list": ["a.com"]})).contains("type"));
        assert!(ref_err(json!({"list": ["a.com"]})).contains("type: is required"));
        assert!(ref_err(json!({"type": 1})).contains("list: is required"));
        assert!(ref_err(json!({"type": 1, "list": ["a.*.com"]})).contains("must start with *"));
        assert!(ref_err(json!({"type": 1, "list": ["www.*"]})).contains("must start with *"));
        assert!(ref_err(json!({"type": 1, "list": ["*a.com"]})).contains("must start with *"));
        assert!(ref_err(json!({"type": 1, "list": ["http://a.com/"]})).contains("not a domain"));
        assert!(
            ref_err(json!({"type": 1, "list": ["a.com"], "allow_empty": "no"}))
                .contains("allow_empty")
        );
        assert!(ref_err(json!({"type": 1, "list": "a.com"})).contains("array"));
    }

    #[test]
    fn ip_list_forms() {
        let v = ip_list(
            "ip_white_list",
            &json!({"list": ["1.1.1.0/24", "2.2.2.2", "3.3.0.0/16", "4.0.0.0/8"]}),
        )
        .unwrap()
        .unwrap();
        assert_eq!(v["list"][0], "1.1.1.0/24");
        assert_eq!(
            ip_list("ip_white_list", &json!({"list": []})).unwrap(),
            None
        );
        assert!(ip_err(json!(["1.1.1.0/25"])).contains("only /8, /16 and /24"));
        assert!(ip_err(json!(["1.1.1.1/32"])).contains("only /8, /16 and /24"));
        assert!(ip_err(json!(["1.1.1.7/24"])).contains("network address"));
        assert!(ip_err(json!(["2001:db8::1"])).contains("not an IPv4"));
        assert!(ip_err(json!(["a.com"])).contains("not an IPv4"));
        assert!(ip_err(json!(["2.2.2.2", "2.2.2.2"])).contains("repeated"));
        assert!(ip_err(json!([5])).contains("string"));
        let max: Vec<String> = (0..200)
            .map(|i| format!("10.0.{}.{}", i / 250, i % 250))
            .collect();
        assert!(ip_list("ip_black_list", &json!({ "list": max })).is_ok());
        let over: Vec<String> = (0..201)
            .map(|i| format!("10.0.{}.{}", i / 250, i % 250))
            .collect();
        assert!(ip_err(json!(over)).contains("at most 200"));
    }
}
