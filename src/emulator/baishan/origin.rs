//! The `origin` and `origin_host` configuration items (seed: "Origin Settings",
//! "Origin_Host"): validated and normalised to the form the domain stores and answers.
//!
//! Stored form: `default_master` (and `default_slave`) as the trimmed comma-separated list;
//! `origin_mode` and `ori_https` as given; `port` as a number. Defaults the seed states are
//! filled in (`port` 80 with `origin_mode=custom`); `origin_mode` has no stated default and
//! is only returned when it was set.

use serde_json::{Map, Value};

use super::error::BsError;
use super::values::{bad, int, is_host_name, is_ip_or_host, object, opt_one_of, required, string};

/// "Can provide up to six (6) IPs or domain names".
pub const MAX_ORIGINS: usize = 6;

/// The entries of a comma-separated origin list: IPs or host names, 1 to 6, no repeats
/// (MODELLED: a repeated entry is an error).
fn origin_list(v: &Value, path: &str) -> Result<Vec<String>, BsError> {
    let s = string(v, path)?;
    let mut out: Vec<String> = Vec::new();
    for raw in s.split(',') {
        let e = raw.trim().to_ascii_lowercase();
        if e.is_empty() {
            return Err(bad(path, "contains an empty entry"));
        }
        if !is_ip_or_host(&e) {
            return Err(bad(
                path,
                format!("{e} is neither an IP address nor a domain name"),
            ));
        }
        if out.contains(&e) {
            return Err(bad(path, format!("{e} is repeated")));
        }
        out.push(e);
    }
    if out.len() > MAX_ORIGINS {
        return Err(bad(
            path,
            format!("at most {MAX_ORIGINS} origins, got {}", out.len()),
        ));
    }
    Ok(out)
}

pub fn origin(v: &Value) -> Result<Value, BsError> {
    const P: &str = "config.origin";
    let m = object(
        v,
        P,
        &[
            "default_master",
            "default_slave",
            "origin_mode",
            "ori_https",
            "port",
        ],
    )?;
    let master = origin_list(
        required(m, "default_master", P)?,
        "config.origin.default_master",
    )?;
    let mut out = Map::new();
    out.insert("default_master".into(), master.join(",").into());
    // MODELLED: an empty `default_slave` means "no backup origins" and is not stored.
    if let Some(slave) = m.get("default_slave").filter(|s| s.as_str() != Some("")) {
        let path = "config.origin.default_slave";
        let slave = origin_list(slave, path)?;
        if let Some(both) = slave.iter().find(|s| master.contains(s)) {
            return Err(bad(
                path,
                format!("backup origin {both} must be different from the default origins"),
            ));
        }
        out.insert("default_slave".into(), slave.join(",").into());
    }
    let mode = opt_one_of(m, "origin_mode", P, &["http", "https", "default", "custom"])?;
    let custom = mode.as_deref() == Some("custom");
    if let Some(mode) = &mode {
        out.insert("origin_mode".into(), mode.clone().into());
    }
    if let Some(https) = opt_one_of(m, "ori_https", P, &["yes", "no"])? {
        if !custom {
            return Err(bad(
                "config.origin.ori_https",
                "can only be used when origin_mode=custom",
            ));
        }
        out.insert("ori_https".into(), https.into());
    }
    match m.get("port") {
        Some(_) if !custom => {
            return Err(bad(
                "config.origin.port",
                "can only be used when origin_mode=custom",
            ))
        }
        Some(p) => {
            let port = int(p, "config.origin.port")?;
            if !(0..=65535).contains(&port) {
                return Err(bad("config.origin.port", "must be within 0-65535"));
            }
            out.insert("port".into(), port.into());
        }
        // "Default is port 80."
        None if custom => {
            out.insert("port".into(), 80.into());
        }
        None => {}
    }
    Ok(Value::Object(out))
}

/// `origin_host`: `{host}`, the Host header towards the origin (a host name, MODELLED
/// lower-cased).
pub fn origin_host(v: &Value) -> Result<Value, BsError> {
    const P: &str = "config.origin_host";
    let m = object(v, P, &["host"])?;
    let host = string(required(m, "host", P)?, "config.origin_host.host")?
        .trim()
        .to_ascii_lowercase();
    if !is_host_name(&host) {
        return Err(bad("config.origin_host.host", "must be a domain name"));
    }
    Ok(serde_json::json!({ "host": host }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(v: Value) -> String {
        origin(&v).unwrap_err().message
    }

    #[test]
    fn valid_origins_are_normalised() {
        let v = origin(&json!({"default_master": "133.233.133.33, Src.Example.com",
                                "default_slave": "12.13.41.21"}))
        .unwrap();
        assert_eq!(
            v,
            json!({"default_master": "133.233.133.33,src.example.com",
                   "default_slave": "12.13.41.21"})
        );
        let v = origin(
            &json!({"default_master": "1.1.1.1", "origin_mode": "custom",
                                "ori_https": "yes", "port": "8443"}),
        )
        .unwrap();
        assert_eq!(v["port"], 8443);
        assert_eq!(v["ori_https"], "yes");
        let v = origin(&json!({"default_master": "1.1.1.1", "origin_mode": "custom"})).unwrap();
        assert_eq!(v["port"], 80);
        let v = origin(&json!({"default_master": "1.1.1.1", "origin_mode": "https"})).unwrap();
        assert_eq!(
            v,
            json!({"default_master": "1.1.1.1", "origin_mode": "https"})
        );
        let six = "1.1.1.1,1.1.1.2,1.1.1.3,1.1.1.4,1.1.1.5,1.1.1.6";
        assert!(origin(&json!({"default_master": six, "default_slave": "2.2.2.2"})).is_ok());
        assert!(origin(&json!({"default_master": "1.1.1.1", "default_slave": ""})).is_ok());
    }

    #[test]
    fn origin_rules_of_the_seed() {
        assert!(err(json!({})).contains("default_master: is required"));
        let seven = "1.1.1.1,1.1.1.2,1.1.1.3,1.1.1.4,1.1.1.5,1.1.1.6,1.1.1.7";
        assert!(err(json!({"default_master": seven})).contains("at most 6"));
        assert!(
            err(json!({"default_master": "1.1.1.1", "default_slave": seven})).contains("at most 6")
        );
        assert!(
            err(json!({"default_master": "1.1.1.1,2.2.2.2", "default_slave": "2.2.2.2"}))
                .contains("must be different")
        );
        assert!(
            err(json!({"default_master": "1.1.1.1", "origin_mode": "ftp"}))
                .contains("origin_mode: must be one of")
        );
        assert!(
            err(json!({"default_master": "1.1.1.1", "ori_https": "yes"}))
                .contains("only be used when origin_mode=custom")
        );
        assert!(
            err(json!({"default_master": "1.1.1.1", "origin_mode": "http", "port": 8080}))
                .contains("only be used when origin_mode=custom")
        );
        assert!(
            err(json!({"default_master": "1.1.1.1", "origin_mode": "custom", "port": 70000}))
                .contains("0-65535")
        );
        assert!(err(
            json!({"default_master": "1.1.1.1", "origin_mode": "custom", "ori_https": "true"})
        )
        .contains("ori_https: must be one of yes, no"));
        assert!(err(json!({"default_master": "not an origin"})).contains("neither"));
        assert!(err(json!({"default_master": "1.1.1.1,,2.2.2.2"})).contains("empty"));
        assert!(err(json!({"default_master": "1.1.1.1,1.1.1.1"})).contains("repeated"));
        assert!(err(json!({"default_master": "1.1.1.1", "master": "x"})).contains("unknown"));
    }

    #[test]
    fn origin_host_is_a_host_name() {
        assert_eq!(
            origin_host(&json!({"host": "Test.qingcdn.com"})).unwrap(),
            json!({"host": "test.qingcdn.com"})
        );
        assert!(origin_host(&json!({})).is_err());
        assert!(origin_host(&json!({"host": "http://x.com"})).is_err());
    }
}
