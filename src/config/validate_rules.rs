//! Checks of `cache_rule` blocks: TTLs (`model::domain::Ttl`), priorities,
//! patterns that fit their match kind (extensions without the dot,
//! directories between slashes, absolute paths, regular expressions that
//! parse) and the same pattern in two rules.

use super::validate::Ctx;
use crate::model::domain::Ttl;

pub fn check(c: &mut Ctx) {
    let mut entries = Vec::new();
    for i in 0..c.len_at("/cache_rules") {
        let base = format!("/cache_rules/{i}");
        let ttl_ptr = format!("{base}/ttl");
        if let Some(ttl) = c.str_at(&ttl_ptr) {
            if let Err(e) = Ttl::parse(ttl) {
                let detail = if c.secret(&ttl_ptr) {
                    "The TTL (sensitive value) is not a number with a unit s, m, h or d of at most two years.".to_string()
                } else {
                    format!("{}{}.", e[..1].to_uppercase(), &e[1..])
                };
                c.push(ttl_ptr, "Invalid TTL", detail);
            }
        }
        let prio_ptr = format!("{base}/priority");
        if let Some(p) = c.num_at(&prio_ptr) {
            if p.fract() != 0.0 || !(0.0..=99.0).contains(&p) {
                let detail = format!(
                    "A cache rule priority must be a whole number from 0 to 99, but got {}.",
                    c.show(&prio_ptr, &p.to_string()).trim_matches('"')
                );
                c.push(prio_ptr, "Invalid priority", detail);
            }
        }
        let kind = c.str_at(&format!("{base}/match"));
        let pats_ptr = format!("{base}/patterns");
        if c.known(&pats_ptr)
            .and_then(|v| v.as_array())
            .is_some_and(Vec::is_empty)
        {
            c.push(
                pats_ptr.clone(),
                "No cache rule patterns",
                "A cache rule needs at least one pattern.".into(),
            );
        }
        let Some(kind) = kind else { continue };
        for (p, pat) in c.strings(&pats_ptr) {
            match pattern_problem(kind, pat) {
                Some((why, fix)) => {
                    let hint = fix.map(|f| c.suggest(&p, &f)).unwrap_or_default();
                    let detail = format!("The {kind} pattern {} {why}.{hint}", c.show(&p, pat));
                    c.push(p, "Invalid cache rule pattern", detail);
                }
                None => {
                    let shown = format!("{kind} pattern {}", c.show(&p, pat));
                    entries.push((p, format!("{kind}\n{pat}"), shown));
                }
            }
        }
    }
    c.duplicates(entries, "Duplicate cache rule pattern", |s| {
        format!("The {s} is already matched by an earlier cache rule; only one of them can apply.")
    });
}

/// Why `pat` does not fit match kind `kind`, and a corrected pattern.
fn pattern_problem(kind: &str, pat: &str) -> Option<(String, Option<String>)> {
    let fail = |why: &str, fix: Option<String>| Some((why.to_string(), fix));
    match kind {
        "extension" => {
            let bare = pat.trim_start_matches('*').trim_start_matches('.');
            if pat.is_empty() {
                fail("is empty", None)
            } else if pat.contains('/') {
                fail("is a path: extensions have no \"/\"", None)
            } else if bare != pat {
                fail(
                    "starts with a dot: write extensions without it",
                    Some(bare.to_string()).filter(|b| !b.is_empty()),
                )
            } else {
                None
            }
        }
        "directory" => {
            let fix = format!("/{}/", pat.trim_matches('/'));
            if pat.starts_with('/') && pat.ends_with('/') {
                None
            } else {
                fail(
                    "must start and end with \"/\"",
                    Some(fix).filter(|f| f != "//"),
                )
            }
        }
        "path" => match pat.starts_with('/') {
            true => None,
            false => fail("must start with \"/\"", Some(format!("/{pat}"))),
        },
        "regex" => match regex_syntax::Parser::new().parse(pat) {
            Ok(_) => None,
            Err(e) => fail(
                &format!("is not a valid regular expression: {}", regex_message(&e)),
                None,
            ),
        },
        _ => None,
    }
}

/// The short message of a regex error (its `Display` spans several lines).
pub fn regex_message(e: &regex_syntax::Error) -> String {
    match e {
        regex_syntax::Error::Parse(e) => e.kind().to_string(),
        regex_syntax::Error::Translate(e) => e.kind().to_string(),
        other => other
            .to_string()
            .lines()
            .last()
            .unwrap_or_default()
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_by_kind() {
        let fix = |k: &str, p: &str| pattern_problem(k, p).and_then(|x| x.1);
        assert_eq!(pattern_problem("extension", "jpg"), None);
        assert_eq!(fix("extension", ".jpg").as_deref(), Some("jpg"));
        assert_eq!(fix("extension", "*.jpg").as_deref(), Some("jpg"));
        assert!(pattern_problem("extension", "img/x").is_some());
        assert!(pattern_problem("extension", "").is_some());
        assert_eq!(pattern_problem("directory", "/static/"), None);
        assert_eq!(fix("directory", "static").as_deref(), Some("/static/"));
        assert_eq!(fix("directory", "/static").as_deref(), Some("/static/"));
        assert_eq!(pattern_problem("directory", "/"), None);
        assert_eq!(pattern_problem("path", "/index.html"), None);
        assert_eq!(fix("path", "index.html").as_deref(), Some("/index.html"));
        assert_eq!(pattern_problem("regex", "^/a/.*\\.png$"), None);
        let (why, _) = pattern_problem("regex", "^/a/(b").unwrap();
        assert!(why.contains("unclosed group"), "{why}");
    }
}
