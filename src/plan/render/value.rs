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

/// An element-by-element diff of two lists of plain values, one per line
/// (`None` when an element is itself a list or object).
pub(super) fn list_diff(a: &[Json], b: &[Json], indent: usize) -> Option<String> {
    if a.iter().chain(b).any(|v| v.is_array() || v.is_object()) {
        return None;
    }
    let old: Vec<String> = a.iter().map(fmt_value).collect();
    let new: Vec<String> = b.iter().map(fmt_value).collect();
    let pad = " ".repeat(indent);
    let mut out = String::from("[\n");
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &old, &new) {
        for change in op.iter_changes(&old, &new) {
            let sign = match change.tag() {
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Insert => '+',
                similar::ChangeTag::Equal => ' ',
            };
            let _ = writeln!(out, "{pad}{sign} {},", change.value());
        }
    }
    let _ = write!(out, "{}]", &pad[..pad.len().saturating_sub(2)]);
    Some(out)
}
