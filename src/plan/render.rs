//! Human rendering of a plan, in the style of Terraform: `# ADDR will be
//! created`, `+`/`~`/`-`/`-/+` markers, `old -> new`, block lists diffed with
//! `similar`, sensitive values hidden, a summary line. Pure: returns text.

use crate::model::schema::resource_schema;
use crate::model::value::pointer_segment;
use crate::model::{BlockSchema, PlannedValue};
use crate::plan::diff::key_equal;
use crate::plan::{Action, Plan, ResourceChange, ResourceDrift};
use owo_colors::OwoColorize;
use serde_json::Value as Json;
use similar::{capture_diff_slices, Algorithm, DiffOp};
use std::fmt::Write;

#[derive(Clone, Copy, Debug, Default)]
pub struct RenderOptions {
    pub color: bool,
}

const KNOWN_AFTER_APPLY: &str = "(known after apply)";
const SENSITIVE: &str = "(sensitive value)";

/// The whole human plan: drift, then changes, then the summary line.
pub fn render_plan(plan: &Plan, opts: RenderOptions) -> String {
    let mut out = String::new();
    if !plan.drift.is_empty() {
        out.push_str(&render_drift(&plan.drift, opts));
    }
    if !plan.has_changes() {
        if plan.drift.is_empty() {
            out.push_str("\nNo changes. Your infrastructure matches the configuration.\n");
        } else {
            out.push_str("\nNo changes to apply: the configuration already matches the live account; only the state will be updated.\n");
        }
        return out;
    }
    out.push_str("\ncdnform will perform the following actions:\n");
    for c in plan.changes.iter().filter(|c| c.action != Action::NoOp) {
        out.push('\n');
        out.push_str(&render_change(c, opts));
    }
    let s = plan.summary();
    let line = format!(
        "Plan: {} to add, {} to change, {} to destroy.",
        s.add, s.change, s.destroy
    );
    let _ = writeln!(out, "\n{}", paint(opts, &line, Style::Bold));
    out
}

/// `Note: Objects have changed outside of cdnform` and one entry per drift.
pub fn render_drift(drift: &[ResourceDrift], opts: RenderOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{}",
        paint(
            opts,
            "Note: Objects have changed outside of cdnform",
            Style::Bold
        )
    );
    out.push_str("\ncdnform detected the following changes made outside of cdnform since the last \"cdnform apply\":\n");
    for d in drift {
        out.push('\n');
        let schema = resource_schema(&d.address.resource_type).map(|s| s.block);
        let (action, title) = match &d.after {
            Some(_) => (Action::Update, format!("# {} has changed", d.address)),
            None => (Action::Delete, format!("# {} has been deleted", d.address)),
        };
        let _ = writeln!(out, "  {}", paint(opts, &title, Style::Bold));
        // Only what configuration controls: vendor-computed values (status,
        // timestamps) change on their own and would be noise here.
        let strip = |v: &Json| match (v, schema) {
            (Json::Object(m), Some(s)) => Json::Object(
                m.iter()
                    .filter(|(k, _)| !s.is_computed(k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
            _ => v.clone(),
        };
        let before = strip(&d.before);
        let after = d.after.as_ref().map(|a| PlannedValue::known(strip(a)));
        let mut r = Body {
            opts,
            out: String::new(),
        };
        r.resource(
            action,
            &d.address,
            schema,
            Some(&before),
            after.as_ref(),
            &[],
        );
        out.push_str(&r.out);
    }
    out
}

/// One resource change with its `# ADDR will be ...` header.
pub fn render_change(c: &ResourceChange, opts: RenderOptions) -> String {
    let mut out = String::new();
    let title = match c.action {
        Action::Replace => format!("# {} must be replaced", c.address),
        a => format!("# {} will be {}", c.address, a.will_be()),
    };
    let _ = writeln!(out, "  {}", paint(opts, &title, Style::Bold));
    let schema = resource_schema(&c.address.resource_type).map(|s| s.block);
    let mut r = Body {
        opts,
        out: String::new(),
    };
    r.resource(
        c.action,
        &c.address,
        schema,
        c.before.as_ref(),
        c.after.as_ref(),
        &c.replace_because,
    );
    out.push_str(&r.out);
    out
}

#[derive(Clone, Copy)]
enum Style {
    Bold,
    Green,
    Red,
    Yellow,
}

fn paint(opts: RenderOptions, s: &str, style: Style) -> String {
    if !opts.color {
        return s.to_string();
    }
    match style {
        Style::Bold => s.bold().to_string(),
        Style::Green => s.green().to_string(),
        Style::Red => s.red().to_string(),
        Style::Yellow => s.yellow().to_string(),
    }
}

fn symbol(opts: RenderOptions, action: Action) -> String {
    let s = action.symbol();
    match action {
        Action::Create => paint(opts, s, Style::Green),
        Action::Delete => paint(opts, s, Style::Red),
        Action::Update => paint(opts, s, Style::Yellow),
        Action::Replace => format!(
            "{}{}{}",
            paint(opts, "-", Style::Red),
            "/",
            paint(opts, "+", Style::Green)
        ),
        Action::NoOp => " ".to_string(),
    }
}

struct Body {
    opts: RenderOptions,
    out: String,
}

/// One attribute of a block, ready to print.
struct Line {
    action: Action,
    key: String,
    text: String,
}

impl Body {
    fn resource(
        &mut self,
        action: Action,
        address: &crate::model::Address,
        schema: Option<&BlockSchema>,
        before: Option<&Json>,
        after: Option<&PlannedValue>,
        forcing: &[String],
    ) {
        let sym = match action {
            Action::Replace => symbol(self.opts, action),
            a => format!("  {}", symbol(self.opts, a)),
        };
        let _ = writeln!(
            self.out,
            "{sym} resource {} {} {{",
            Json::String(address.resource_type.clone()),
            Json::String(address.name.clone())
        );
        let empty = BlockSchema {
            attributes: &[],
            blocks: &[],
        };
        self.block(
            1,
            action,
            schema.unwrap_or(&empty),
            before,
            after,
            "",
            forcing,
        );
        self.out.push_str("    }\n");
    }

    /// Render the inside of a block at `depth` (1 = resource body).
    #[allow(clippy::too_many_arguments)]
    fn block(
        &mut self,
        depth: usize,
        action: Action,
        schema: &BlockSchema,
        before: Option<&Json>,
        after: Option<&PlannedValue>,
        ptr: &str,
        forcing: &[String],
    ) {
        let after_val = after.map(|a| a.value.pointer(ptr).unwrap_or(&Json::Null));
        let mut lines = Vec::new();
        let mut hidden = 0;
        let mut names: Vec<&str> = schema.attributes.iter().map(|a| a.name).collect();
        names.sort();
        for name in names {
            let p = format!("{ptr}/{}", pointer_segment(name));
            let old = before.and_then(|b| b.get(name)).filter(|v| !v.is_null());
            let unknown = after.is_some_and(|a| a.is_unknown_at(&p));
            let sensitive = after.is_some_and(|a| a.is_sensitive_at(&p));
            let new = after_val.and_then(|v| v.get(name)).filter(|v| !v.is_null());
            let new_text = if unknown {
                Some(KNOWN_AFTER_APPLY.to_string())
            } else if sensitive {
                new.map(|_| SENSITIVE.to_string())
            } else {
                new.map(fmt_value)
            };
            let old_text = old.map(|v| {
                if sensitive {
                    SENSITIVE.to_string()
                } else {
                    fmt_value(v)
                }
            });
            let force = if depth == 1 && forcing.iter().any(|f| f == name) {
                paint(self.opts, " # forces replacement", Style::Red)
            } else {
                String::new()
            };
            let line = match (action, old_text, new_text) {
                (Action::Create, _, Some(n)) => Line {
                    action: Action::Create,
                    key: name.into(),
                    text: n,
                },
                (Action::Delete, Some(o), _) => Line {
                    action: Action::Delete,
                    key: name.into(),
                    text: format!("{o} -> null"),
                },
                (Action::Update | Action::Replace, Some(o), Some(n)) if old != new || unknown => {
                    let multi = match (old, new) {
                        (Some(Json::String(a)), Some(Json::String(b)))
                            if !sensitive && !unknown =>
                        {
                            multiline_diff(a, b, 4 * depth + 4)
                        }
                        _ => None,
                    };
                    Line {
                        action: Action::Update,
                        key: name.into(),
                        text: multi.unwrap_or_else(|| format!("{o} -> {n}{force}")),
                    }
                }
                (Action::Update | Action::Replace, Some(o), Some(_)) => {
                    if name != "name" {
                        hidden += 1;
                        continue;
                    }
                    Line {
                        action: Action::NoOp,
                        key: name.into(),
                        text: o,
                    }
                }
                (Action::Update | Action::Replace, None, Some(n)) => Line {
                    action: Action::Create,
                    key: name.into(),
                    text: format!("{n}{force}"),
                },
                (Action::Update | Action::Replace, Some(o), None) => Line {
                    action: Action::Delete,
                    key: name.into(),
                    text: format!("{o} -> null{force}"),
                },
                _ => continue,
            };
            lines.push(line);
        }
        let width = lines.iter().map(|l| l.key.len()).max().unwrap_or(0);
        for l in &lines {
            let _ = writeln!(
                self.out,
                "{}{} {:width$} = {}",
                " ".repeat(4 * depth + 2),
                symbol(self.opts, l.action),
                l.key,
                l.text
            );
        }
        if hidden > 0 {
            let _ = writeln!(
                self.out,
                "{}# ({hidden} unchanged attribute{} hidden)",
                " ".repeat(4 * depth + 4),
                plural(hidden)
            );
        }
        let mut hidden_blocks = 0;
        for nb in schema.blocks {
            let p = format!("{ptr}/{}", pointer_segment(nb.json_name));
            let old = list(before.and_then(|b| b.get(nb.json_name)));
            let new = list(after_val.and_then(|v| v.get(nb.json_name)));
            if after.is_some_and(|a| a.unknown.contains_key(&p)) {
                let _ = writeln!(
                    self.out,
                    "{}{} {} = {KNOWN_AFTER_APPLY}",
                    " ".repeat(4 * depth + 2),
                    symbol(self.opts, Action::Update),
                    nb.name
                );
                continue;
            }
            match action {
                Action::Create | Action::Delete => {
                    let items = if action == Action::Create { &new } else { &old };
                    for i in 0..items.len() {
                        let (b, a) = if action == Action::Create {
                            (None, Some(i))
                        } else {
                            (Some(i), None)
                        };
                        self.nested(depth, action, nb, &old, &new, b, a, &p, after);
                    }
                }
                _ => {
                    let same = key_equal(
                        schema,
                        nb.json_name,
                        &Json::Array(old.clone()),
                        &Json::Array(new.clone()),
                    );
                    if same {
                        hidden_blocks += old.len();
                        continue;
                    }
                    hidden_blocks += self.block_list_diff(depth, nb, &old, &new, &p, after);
                }
            }
        }
        if hidden_blocks > 0 {
            let _ = writeln!(
                self.out,
                "{}# ({hidden_blocks} unchanged block{} hidden)",
                " ".repeat(4 * depth + 4),
                plural(hidden_blocks)
            );
        }
    }

    /// Diff two lists of nested blocks: unchanged ones are counted (returned),
    /// a removed item next to an added one shows as an in-place change.
    fn block_list_diff(
        &mut self,
        depth: usize,
        nb: &crate::model::NestedBlock,
        old: &[Json],
        new: &[Json],
        ptr: &str,
        after: Option<&PlannedValue>,
    ) -> usize {
        let old_keys: Vec<String> = old.iter().map(|v| v.to_string()).collect();
        let new_keys: Vec<String> = new.iter().map(|v| v.to_string()).collect();
        let mut unchanged = 0;
        for op in capture_diff_slices(Algorithm::Myers, &old_keys, &new_keys) {
            match op {
                DiffOp::Equal { len, .. } => unchanged += len,
                DiffOp::Delete {
                    old_index, old_len, ..
                } => {
                    for i in old_index..old_index + old_len {
                        self.nested(
                            depth,
                            Action::Delete,
                            nb,
                            old,
                            new,
                            Some(i),
                            None,
                            ptr,
                            after,
                        );
                    }
                }
                DiffOp::Insert {
                    new_index, new_len, ..
                } => {
                    for i in new_index..new_index + new_len {
                        self.nested(
                            depth,
                            Action::Create,
                            nb,
                            old,
                            new,
                            None,
                            Some(i),
                            ptr,
                            after,
                        );
                    }
                }
                DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => {
                    let pairs = old_len.min(new_len);
                    for k in 0..pairs {
                        self.nested(
                            depth,
                            Action::Update,
                            nb,
                            old,
                            new,
                            Some(old_index + k),
                            Some(new_index + k),
                            ptr,
                            after,
                        );
                    }
                    for i in old_index + pairs..old_index + old_len {
                        self.nested(
                            depth,
                            Action::Delete,
                            nb,
                            old,
                            new,
                            Some(i),
                            None,
                            ptr,
                            after,
                        );
                    }
                    for i in new_index + pairs..new_index + new_len {
                        self.nested(
                            depth,
                            Action::Create,
                            nb,
                            old,
                            new,
                            None,
                            Some(i),
                            ptr,
                            after,
                        );
                    }
                }
            }
        }
        unchanged
    }

    #[allow(clippy::too_many_arguments)]
    fn nested(
        &mut self,
        depth: usize,
        action: Action,
        nb: &crate::model::NestedBlock,
        old: &[Json],
        new: &[Json],
        before_index: Option<usize>,
        after_index: Option<usize>,
        ptr: &str,
        after: Option<&PlannedValue>,
    ) {
        let indent = " ".repeat(4 * depth + 2);
        let _ = writeln!(
            self.out,
            "{indent}{} {} {{",
            symbol(self.opts, action),
            nb.name
        );
        let before = before_index.map(|i| &old[i]);
        let item_ptr = after_index
            .map(|i| format!("{ptr}/{i}"))
            .unwrap_or_default();
        // Render the item against the whole planned value so unknown and
        // sensitive paths keep their full pointers.
        let planned = after_index.and(after);
        self.block(depth + 1, action, nb.block, before, planned, &item_ptr, &[]);
        let _ = writeln!(self.out, "{}}}", " ".repeat(4 * depth + 4));
        let _ = new;
    }
}

fn list(v: Option<&Json>) -> Vec<Json> {
    match v {
        Some(Json::Array(a)) => a.clone(),
        _ => Vec::new(),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A line diff of two multi-line strings as a heredoc (`None` when neither
/// spans several lines).
fn multiline_diff(a: &str, b: &str, indent: usize) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiline_strings_are_diffed_by_line() {
        let d = multiline_diff("a\nb\nc\n", "a\nB\nc\n", 2).unwrap();
        assert_eq!(d, "<<-EOT\n    a\n  - b\n  + B\n    c\n    EOT");
        assert!(multiline_diff("a", "b", 2).is_none());
    }

    #[test]
    fn values_render_like_hcl() {
        assert_eq!(
            fmt_value(&serde_json::json!(["a", 1, true])),
            "[\"a\", 1, true]"
        );
        assert_eq!(fmt_value(&serde_json::json!({"k": "v"})), "{ k = \"v\" }");
    }

    #[test]
    fn sensitive_values_are_hidden() {
        use crate::model::{Address, ProviderAddr};
        let mut after = PlannedValue::known(serde_json::json!({
            "name": "a.example.com", "cdn_type": "web", "enabled": true,
            "origins": [{"type": "domain", "address": "secret-origin.example.net", "port": 80, "priority": 20, "weight": 10}]
        }));
        after.sensitive.insert("/origins/0/address".into());
        let change = ResourceChange {
            address: Address::new("cdn_domain", "a"),
            provider: ProviderAddr::new("aliyun", None),
            action: Action::Create,
            before: None,
            after: Some(after.clone()),
            replace_because: vec![],
            depends_on: vec![],
        };
        let text = render_change(&change, RenderOptions::default());
        assert!(text.contains("address  = (sensitive value)"), "{text}");
        assert!(!text.contains("secret-origin"), "{text}");

        let mut before = after.value.clone();
        before["origins"][0]["address"] = "old-secret.example.net".into();
        let update = ResourceChange {
            action: Action::Update,
            before: Some(before),
            ..change
        };
        let text = render_change(&update, RenderOptions::default());
        assert!(
            text.contains("~ address = (sensitive value) -> (sensitive value)"),
            "{text}"
        );
        assert!(!text.contains("secret"), "{text}");
    }
}
