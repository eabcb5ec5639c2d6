//! The URLs that purge and preload calls name, and the accelerated domain each belongs to.
//!
//! MODELLED (the documents only show examples such as `http://news.ifeng.com/static/`): a
//! content URL is absolute, `http://` or `https://` (scheme in any case), then a host name
//! (letters, digits, `-`, at least two labels) with an optional port, then an optional path,
//! query and fragment; no white space or control characters, no user info, at most 2,048
//! characters. A directory is such a URL whose path ends with `/` and that has no query.

/// The longest URL accepted.
pub const MAX_URL_LEN: usize = 2048;

/// A parsed content URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectUrl {
    /// The URL as given (trimmed).
    pub url: String,
    /// The host, lower case, without the port.
    pub host: String,
    /// From the first `/` after the host (`/` when there is none), query included.
    pub path: String,
}

impl ObjectUrl {
    /// A directory: the path ends with `/` and there is no query or fragment.
    pub fn is_dir(&self) -> bool {
        !self.path.contains(['?', '#']) && self.path.ends_with('/')
    }
}

fn is_host_name(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    s.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Parses `raw` as a content URL; `None` when it is not one.
pub fn parse(raw: &str) -> Option<ObjectUrl> {
    let url = raw.trim();
    if url.is_empty()
        || url.len() > MAX_URL_LEN
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return None;
    }
    let (scheme, rest) = url.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.contains('@') {
        return None;
    }
    let host = match authority.rsplit_once(':') {
        Some((h, port)) => {
            port.parse::<u16>().ok().filter(|p| *p > 0)?;
            h
        }
        None => authority,
    };
    let host = host.to_ascii_lowercase();
    if !is_host_name(&host) {
        return None;
    }
    let path = if tail.starts_with('/') {
        tail.to_string()
    } else {
        format!("/{tail}")
    };
    Some(ObjectUrl {
        url: url.to_string(),
        host,
        path,
    })
}

/// Whether the accelerated domain `domain` serves `host`: the same name, or a wildcard
/// domain (`*.example.com` for Baishan and CTG, `.example.com` for Alibaba) whose suffix
/// `host` ends with (one label or more in front).
pub fn covers(domain: &str, host: &str) -> bool {
    let suffix = domain
        .strip_prefix("*.")
        .or_else(|| domain.strip_prefix('.'));
    match suffix {
        None => domain == host,
        Some(s) => {
            host.len() > s.len() + 1 && host.ends_with(s) && {
                let cut = host.len() - s.len() - 1;
                host.as_bytes()[cut] == b'.'
            }
        }
    }
}

/// The domain of `names` that serves `host`: the exact name when there is one, else the
/// wildcard with the longest suffix.
pub fn owner<'a>(host: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<&'a str> = None;
    for name in names {
        if name == host {
            return Some(name);
        }
        if covers(name, host) && best.is_none_or(|b| name.len() > b.len()) {
            best = Some(name);
        }
    }
    best
}

/// Keeps the first of each repeated entry, in order (MODELLED: a URL given twice in one
/// call is one URL, counted once).
pub fn dedup<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_http_urls_only() {
        let u = parse(" HTTPS://Img.Example.com:8443/a/b.png?x=1 ").unwrap();
        assert_eq!(u.url, "HTTPS://Img.Example.com:8443/a/b.png?x=1");
        assert_eq!(u.host, "img.example.com");
        assert_eq!(u.path, "/a/b.png?x=1");
        assert!(!u.is_dir());
        let d = parse("http://a.com/static/").unwrap();
        assert!(d.is_dir());
        let root = parse("http://a.com").unwrap();
        assert_eq!(root.path, "/");
        assert!(parse("http://a.com/dir/?q=1").is_some_and(|u| !u.is_dir()));
        for bad in [
            "",
            "a.com/x.png",
            "ftp://a.com/x",
            "//a.com/x",
            "http://",
            "http:///x",
            "http://localhost/x",
            "http://a .com/x",
            "http://a.com/x y",
            "http://u:p@a.com/x",
            "http://a.com:0/x",
            "http://a.com:99999/x",
            "http://a_b.com/x",
        ] {
            assert!(parse(bad).is_none(), "{bad:?}");
        }
        let long = format!("http://a.com/{}", "x".repeat(MAX_URL_LEN));
        assert!(parse(&long).is_none());
    }

    #[test]
    fn owners_exact_then_longest_wildcard() {
        let names = ["a.com", "*.a.com", "*.img.a.com", ".b.com"];
        let o = |h: &str| owner(h, names.iter().copied());
        assert_eq!(o("a.com"), Some("a.com"));
        assert_eq!(o("www.a.com"), Some("*.a.com"));
        assert_eq!(o("x.img.a.com"), Some("*.img.a.com"));
        assert_eq!(o("x.b.com"), Some(".b.com"));
        assert_eq!(o("b.com"), None);
        assert_eq!(o("xa.com"), None);
        assert_eq!(o("c.com"), None);
    }

    #[test]
    fn dedup_keeps_first_order() {
        let v = dedup(vec!["b", "a", "b"]);
        assert_eq!(v, vec!["b", "a"]);
    }
}
