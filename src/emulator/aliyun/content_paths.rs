//! `ObjectPath` of `RefreshObjectCaches` and `PushObjectCache`: splitting, per-call limits,
//! the rules of each `ObjectType`, and the domain each path belongs to.
//!
//! Rules (API-NOTES, 2018-05-10): paths are separated by `\n`; per call at most 1,000 URLs,
//! 100 directories or 1 regular expression, and 100 URLs to push. The 2014 seed takes one
//! path per call, shown without a scheme (`abc.com/image/1.png`) while its task list shows
//! `http://...`. MODELLED:
//! - `\r` around a path and blank lines are ignored; a path given twice counts once;
//! - 2018 paths must be absolute `http(s)://` URLs (`content::url`); a 2014 path without a
//!   scheme is read as `http://` + path;
//! - a path that is not a URL, or a call over its per-call limit, is `InvalidParameter`
//!   (ObjectPath); a `Directory` path that does not end with `/` (or has a query), or a
//!   `Regex` path that is not `http(s)://host/` followed by a valid regular expression, is
//!   `InvalidParameter.Mismatch`; a `File` path ending with `/` is one object and accepted;
//! - a path on a domain of the account that is `offline` or `configuring` refuses the whole
//!   call (`InvalidDomain.Offline`, `InvalidDomain.Configuring`: the seed's error tables);
//!   a path on a domain that is not in the account is accepted and its task fails.

use chrono::{DateTime, Utc};

use super::errors::AliError;
use super::model::AliyunWorld;
use super::ApiVersion;
use crate::emulator::content::url::{self, ObjectUrl};
use crate::emulator::content::{ContentKind, TaskItem};

/// Per-call limits (API-NOTES).
pub const MAX_URLS: usize = 1_000;
pub const MAX_DIRS: usize = 100;
pub const MAX_REGEX: usize = 1;
pub const MAX_PUSH: usize = 100;

/// MODELLED `Description` of a task entry whose domain is not in the account.
pub const NOT_IN_ACCOUNT: &str = "The domain of the object path is not a domain of this account.";

/// One accepted path and the host it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectPath {
    pub path: String,
    pub host: String,
}

fn per_call_limit(kind: ContentKind) -> usize {
    match kind {
        ContentKind::Url => MAX_URLS,
        ContentKind::Dir => MAX_DIRS,
        ContentKind::Regex => MAX_REGEX,
        ContentKind::Preload => MAX_PUSH,
    }
}

/// A `Regex` path: `http(s)://host/` then a regular expression that parses.
fn regex_path(raw: &str) -> Result<ObjectUrl, AliError> {
    let scheme_end = raw.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = raw[scheme_end..]
        .find('/')
        .map(|i| scheme_end + i)
        .ok_or_else(AliError::object_type_mismatch)?;
    let prefix =
        url::parse(&raw[..=host_end]).ok_or_else(|| AliError::invalid_value("ObjectPath"))?;
    let pattern = &raw[host_end + 1..];
    if pattern.is_empty() || regex_syntax::Parser::new().parse(pattern).is_err() {
        return Err(AliError::object_type_mismatch());
    }
    Ok(ObjectUrl {
        url: raw.to_string(),
        host: prefix.host,
        path: raw[host_end..].to_string(),
    })
}

fn one_path(raw: &str, kind: ContentKind, version: ApiVersion) -> Result<ObjectPath, AliError> {
    let full = match version {
        ApiVersion::V2014_11_11 if !raw.contains("://") => format!("http://{raw}"),
        _ => raw.to_string(),
    };
    let parsed = if kind == ContentKind::Regex {
        regex_path(&full)?
    } else {
        url::parse(&full).ok_or_else(|| AliError::invalid_value("ObjectPath"))?
    };
    if kind == ContentKind::Dir && !parsed.is_dir() {
        return Err(AliError::object_type_mismatch());
    }
    Ok(ObjectPath {
        path: parsed.url,
        host: parsed.host,
    })
}

/// The paths of `ObjectPath` for a call of `kind`, checked against the per-call limits and
/// the rules of the kind.
pub fn parse(
    raw: &str,
    kind: ContentKind,
    version: ApiVersion,
) -> Result<Vec<ObjectPath>, AliError> {
    let lines: Vec<String> = raw
        .split('\n')
        .map(|l| {
            l.trim_matches(|c| c == '\r' || c == ' ' || c == '\t')
                .to_string()
        })
        .filter(|l| !l.is_empty())
        .collect();
    let lines = url::dedup(lines);
    if lines.is_empty() {
        return Err(AliError::missing_parameter("ObjectPath"));
    }
    let limit = match version {
        ApiVersion::V2014_11_11 => 1,
        ApiVersion::V2018_05_10 => per_call_limit(kind),
    };
    if lines.len() > limit {
        return Err(AliError::invalid_value("ObjectPath"));
    }
    lines.iter().map(|l| one_path(l, kind, version)).collect()
}

/// The task item of each path: failing when its host is not a domain of the account;
/// refusing the call when that domain is offline or configuring.
pub fn resolve(
    paths: &[ObjectPath],
    world: &AliyunWorld,
    now: DateTime<Utc>,
) -> Result<Vec<TaskItem>, AliError> {
    let mut items = Vec::with_capacity(paths.len());
    for p in paths {
        let owner = url::owner(&p.host, world.domains.keys().map(String::as_str));
        match owner.map(|name| world.domains[name].status(now)) {
            None => items.push(TaskItem::failing(&p.path, NOT_IN_ACCOUNT)),
            Some("offline") => return Err(AliError::domain_offline()),
            Some("configuring") => return Err(AliError::domain_configuring()),
            Some(_) => items.push(TaskItem::ok(&p.path)),
        }
    }
    Ok(items)
}

/// API-NOTES: one task spans at most 10 domains. The items are grouped by host, in the
/// order hosts first appear, 10 hosts per task; each group keeps the call's order.
pub fn group_into_tasks(paths: &[ObjectPath], items: Vec<TaskItem>) -> Vec<Vec<TaskItem>> {
    const HOSTS_PER_TASK: usize = 10;
    let mut hosts: Vec<&str> = Vec::new();
    for p in paths {
        if !hosts.contains(&p.host.as_str()) {
            hosts.push(&p.host);
        }
    }
    let mut groups: Vec<Vec<TaskItem>> = vec![Vec::new(); hosts.len().div_ceil(HOSTS_PER_TASK)];
    for (p, item) in paths.iter().zip(items) {
        let h = hosts
            .iter()
            .position(|h| *h == p.host)
            .expect("collected above");
        groups[h / HOSTS_PER_TASK].push(item);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApiVersion::*;
    use ContentKind::*;

    fn code(r: Result<Vec<ObjectPath>, AliError>) -> String {
        r.unwrap_err().code
    }

    #[test]
    fn splitting_and_per_call_limits() {
        let p = parse(
            "http://a.com/1\r\n\nhttp://a.com/2\nhttp://a.com/1",
            Url,
            V2018_05_10,
        )
        .unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(code(parse("\n \n", Url, V2018_05_10)), "MissingParameter");
        let urls = |n: usize, dir: bool| {
            (0..n)
                .map(|i| {
                    if dir {
                        format!("http://a.com/{i}/")
                    } else {
                        format!("http://a.com/{i}")
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            parse(&urls(1000, false), Url, V2018_05_10).unwrap().len(),
            1000
        );
        assert_eq!(
            code(parse(&urls(1001, false), Url, V2018_05_10)),
            "InvalidParameter"
        );
        assert!(parse(&urls(100, true), Dir, V2018_05_10).is_ok());
        assert_eq!(
            code(parse(&urls(101, true), Dir, V2018_05_10)),
            "InvalidParameter"
        );
        assert!(parse(&urls(100, false), Preload, V2018_05_10).is_ok());
        assert_eq!(
            code(parse(&urls(101, false), Preload, V2018_05_10)),
            "InvalidParameter"
        );
        // 2014: one path per call, a missing scheme means http.
        assert_eq!(
            code(parse(&urls(2, false), Url, V2014_11_11)),
            "InvalidParameter"
        );
        let p = parse("abc.com/image/1.png", Url, V2014_11_11).unwrap();
        assert_eq!(p[0].path, "http://abc.com/image/1.png");
        assert_eq!(
            code(parse("abc.com/image/1.png", Url, V2018_05_10)),
            "InvalidParameter"
        );
    }

    #[test]
    fn rules_of_each_type() {
        assert_eq!(
            code(parse("http://a.com/static", Dir, V2018_05_10)),
            "InvalidParameter.Mismatch"
        );
        assert_eq!(
            code(parse("http://a.com/s/?x=1", Dir, V2018_05_10)),
            "InvalidParameter.Mismatch"
        );
        assert_eq!(
            parse("HTTP://A.com/s/", Dir, V2018_05_10).unwrap()[0].host,
            "a.com"
        );
        assert!(parse("http://a.com/", Url, V2018_05_10).is_ok());
        let r = parse(r"https://a.com/img/.*\.jpg", Regex, V2018_05_10).unwrap();
        assert_eq!(r[0].host, "a.com");
        for bad in ["https://a.com/(unclosed", "https://a.com/", "https://a.com"] {
            assert_eq!(
                code(parse(bad, Regex, V2018_05_10)),
                "InvalidParameter.Mismatch",
                "{bad}"
            );
        }
        assert_eq!(
            code(parse(r"ftp://a.com/.*", Regex, V2018_05_10)),
            "InvalidParameter"
        );
        assert_eq!(
            code(parse(
                "https://a.com/a.*\nhttps://a.com/b.*",
                Regex,
                V2018_05_10
            )),
            "InvalidParameter"
        );
    }

    #[test]
    fn at_most_ten_hosts_per_task() {
        let raw: Vec<String> = (0..12)
            .flat_map(|i| [format!("http://d{i}.com/x"), format!("http://d{i}.com/y")])
            .collect();
        let paths = parse(&raw.join("\n"), Url, V2018_05_10).unwrap();
        let items: Vec<TaskItem> = paths.iter().map(|p| TaskItem::ok(&p.path)).collect();
        let groups = group_into_tasks(&paths, items);
        assert_eq!(groups.len(), 2);
        assert_eq!((groups[0].len(), groups[1].len()), (20, 4));
        assert_eq!(groups[1][0].url, "http://d10.com/x");
    }
}
