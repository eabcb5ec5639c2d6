//! Provider-neutral checks of `cdn_purge` and `cdn_preload`: absolute
//! http(s) URLs on a valid host, directories ending in `/`, regexes that
//! parse, something to do, and a readable `timeout`. Vendor rules (regex
//! support, areas, daily quotas) are checked at plan time.

use super::validate::Ctx;
use super::validate_rules::regex_message;
use crate::model::domain::is_valid_domain_name;
use reqwest::Url;

/// The host of an absolute http(s) URL, or why it is not one.
pub fn url_host(s: &str) -> Result<String, String> {
    let url = Url::parse(s).map_err(|e| format!("is not an absolute URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "must start with http:// or https://, not {}://",
            url.scheme()
        ));
    }
    let host = url
        .host_str()
        .ok_or_else(|| "has no host".to_string())?
        .to_string();
    if !is_valid_domain_name(&host) {
        return Err(format!("names {host:?}, which is not a domain name"));
    }
    Ok(host)
}

pub fn check(c: &mut Ctx, purge: bool) {
    let lists: &[(&str, &str)] = if purge {
        &[
            ("/urls", "url"),
            ("/directories", "directory"),
            ("/regexes", "regex"),
        ]
    } else {
        &[("/urls", "url")]
    };
    if purge && lists.iter().all(|(p, _)| c.len_at(p) == 0) && c.pv.unknown.is_empty() {
        c.push(
            "/urls".into(),
            "Nothing to purge",
            "Set at least one of urls, directories or regexes.".into(),
        );
    }
    for (list, kind) in lists {
        for (ptr, s) in c.strings(list) {
            let problem = match *kind {
                "regex" => regex_entry(s),
                _ => url_host(s).err().or_else(|| {
                    let dir = s.ends_with('/');
                    match (*kind, dir) {
                        ("directory", false) => Some("must end with \"/\" (a directory)".into()),
                        _ => None,
                    }
                }),
            };
            if let Some(why) = problem {
                let detail = format!("{} {why}.", c.show(&ptr, s));
                c.push(ptr, "Invalid URL", detail);
            }
        }
    }
    if let Some(t) = c.str_at("/timeout") {
        match humantime::parse_duration(t) {
            Ok(d) if !d.is_zero() && d <= std::time::Duration::from_secs(24 * 3600) => {}
            _ => {
                let detail =
                    format!("timeout must be a duration from 1s to 24h, like 10m; got {t:?}.");
                c.push("/timeout".into(), "Invalid timeout", detail);
            }
        }
    }
}

/// `http(s)://host/REGEX`: the host part a URL, the rest a regex.
fn regex_entry(s: &str) -> Option<String> {
    let Some(rest) = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
    else {
        return Some("must start with http:// or https://".into());
    };
    let Some((host, pattern)) = rest.split_once('/') else {
        return Some("must be http(s)://host/ followed by a regular expression".into());
    };
    if let Err(e) = url_host(&format!("http://{host}/")) {
        return Some(e);
    }
    regex_syntax::Parser::new()
        .parse(pattern)
        .err()
        .map(|e| format!("is not a valid regular expression: {}", regex_message(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_of_urls() {
        assert_eq!(
            url_host("https://static.example.com/a.js").unwrap(),
            "static.example.com"
        );
        assert!(url_host("/a.js").unwrap_err().contains("absolute"));
        assert!(url_host("ftp://static.example.com/a")
            .unwrap_err()
            .contains("http"));
        assert!(url_host("http://localhost/")
            .unwrap_err()
            .contains("not a domain"));
        assert!(regex_entry("https://static.example.com/.*\\.jpg").is_none());
        assert!(regex_entry("https://static.example.com/(")
            .unwrap()
            .contains("regular"));
        assert!(regex_entry("static.example.com/x").is_some());
    }
}
