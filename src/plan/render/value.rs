//! Values as text: HCL-ish literals and line diffs of multi-line strings.

use serde_json::Value as Json;
use std::fmt::Write;

/// A line diff of two multi-line strings as a heredoc (`None` when neither
/// spans several lines).
pub(super) fn multiline_diff(a: &str, b: &str, indent: usize) -> Option<String> {
    if !a.contains('\n') && !b.contains('\n') {
        return None;
    }
    let pad = " ".repeat(indent);
    let mut out = String::from("<<-EOT\n");
    for change in similar::TextDiff::from_lines(a, b).iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => '-',
            similar::ChangeTag::Insert => '+',
            similar::ChangeTag::Equal => ' ',
        };
        let _ = writeln!(out, "{pad}{sign} {}", change.value().trim_end_matches('\n'));
    }
    let _ = write!(out, "{pad}  EOT");
    Some(out)
}

/// One value as HCL-ish text: strings quoted, lists and maps inline.
pub fn fmt_value(v: &Json) -> String {
    match v {
        Json::String(s) => Json::String(s.clone()).to_string(),
        Json::Array(items) => format!(
            "[{}]",
            items.iter().map(fmt_value).collect::<Vec<_>>().join(", ")
        ),
        Json::Object(m) => format!(
            "{{ {} }}",
            m.iter()
                .map(|(k, v)| format!("{k} = {}", fmt_value(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}
