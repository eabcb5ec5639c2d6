//! Human rendering of a plan, in the style of Terraform: `# ADDR will be
//! created`, `+`/`~`/`-`/`-/+` markers, `old -> new`, block lists diffed with
//! `similar`, sensitive values hidden, a summary line. Pure: returns text.

mod body;
pub mod value;

use body::Body;

pub use value::fmt_value;

use crate::model::schema::resource_schema;
use crate::model::PlannedValue;
use crate::plan::{Action, Plan, ResourceChange, ResourceDrift};
use owo_colors::OwoColorize;
use serde_json::Value as Json;
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
    let idle: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| {
            c.action == Action::NoOp && crate::model::schema::is_content_type(c.resource_type())
        })
        .map(|c| c.address.to_string())
        .collect();
    if !idle.is_empty() {
        let _ = writeln!(
            out,
            "\nNot running (triggers unchanged since the last run): {}",
            idle.join(", ")
        );
    }
    if !plan.has_changes() {
        if plan.drift.is_empty() {
            out.push_str("\nNo changes. Your infrastructure matches the configuration.\n");
        } else if plan.mode == crate::plan::PlanMode::RefreshOnly {
            out.push_str("\nRefresh only: applying records the live values above in the state; nothing changes on the accounts.\n");
        } else {
            out.push_str("\nNo changes to apply: the configuration already matches the live account; only the state will be updated.\n");
        }
        return out;
    }
    out.push_str("\ncdnform will perform the following actions:\n");
    for c in plan.changes.iter().filter(|c| c.is_change()) {
        out.push('\n');
        out.push_str(&render_change(c, opts));
    }
    let s = plan.summary();
    let mut imports = if s.import > 0 {
        format!("{} to import, ", s.import)
    } else {
        String::new()
    };
    if s.run > 0 {
        imports.push_str(&format!("{} to run, ", s.run));
    }
    let line = format!(
        "Plan: {imports}{} to add, {} to change, {} to destroy.",
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
    if crate::model::schema::is_content_type(c.resource_type()) {
        return render_content_change(c, opts);
    }
    let title = match c.action {
        Action::Replace if c.lifecycle.create_before_destroy => format!(
            "# {} must be replaced (create before destroy: the new domain first)",
            c.address
        ),
        Action::Replace => format!("# {} must be replaced", c.address),
        Action::NoOp if c.importing.is_some() => format!("# {} will be imported", c.address),
        a => format!("# {} will be {}", c.address, a.will_be()),
    };
    let _ = writeln!(out, "  {}", paint(opts, &title, Style::Bold));
    if let Some(id) = &c.importing {
        let note = match c.action {
            Action::NoOp => format!("# (adopts {id:?} as it is; nothing changes on the account)"),
            _ => format!("# (imports {id:?}, then makes the changes below)"),
        };
        let _ = writeln!(out, "  {note}");
        if c.action == Action::NoOp {
            return out;
        }
    }
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

/// A purge or preload: what will run and why, or that only the state
/// changes.
fn render_content_change(c: &ResourceChange, opts: RenderOptions) -> String {
    let what = c
        .after
        .as_ref()
        .map(|a| {
            crate::plan::content::items(c.resource_type(), &a.value)
                .iter()
                .map(|(kind, items)| kind.count(items.len()))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let triggers = |v: Option<&serde_json::Value>| {
        v.and_then(|v| v.get("triggers"))
            .and_then(serde_json::Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let title = match c.action {
        Action::Create => format!("# {} will be executed (first run: {what})", c.address),
        Action::Replace => {
            let old = triggers(c.before.as_ref());
            let new = triggers(c.after.as_ref().map(|a| &a.value));
            let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
            keys.sort();
            keys.dedup();
            let changed: Vec<String> = keys
                .into_iter()
                .filter(|k| old.get(*k) != new.get(*k))
                .map(|k| {
                    let show = |v: Option<&serde_json::Value>| {
                        v.map_or("null".to_string(), |v| v.to_string())
                    };
                    format!("{k} {} -> {}", show(old.get(k)), show(new.get(k)))
                })
                .collect();
            let why = if changed.is_empty() {
                "-replace".to_string()
            } else {
                format!("triggers changed: {}", changed.join(", "))
            };
            format!("# {} will be executed ({why}; {what})", c.address)
        }
        Action::Update => format!(
            "# {} will be updated in the state only (its triggers did not change, so nothing runs)",
            c.address
        ),
        Action::Delete => format!(
            "# {} will be forgotten (no API call: a purge cannot be undone)",
            c.address
        ),
        Action::NoOp => format!("# {} will not run (its triggers did not change)", c.address),
    };
    let mut out = String::new();
    let _ = writeln!(out, "  {}", paint(opts, &title, Style::Bold));
    if c.action != Action::Delete {
        let mut r = Body {
            opts,
            out: String::new(),
        };
        let action = if c.action == Action::Replace {
            Action::Create
        } else {
            c.action
        };
        let before = if c.action == Action::Replace {
            None
        } else {
            c.before.as_ref()
        };
        r.resource(
            action,
            &c.address,
            resource_schema(c.resource_type()).map(|s| s.block),
            before,
            c.after.as_ref(),
            &[],
        );
        out.push_str(&r.out);
    }
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

#[cfg(test)]
mod tests {
    use super::value::multiline_diff;
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
            lifecycle: Default::default(),
            importing: None,
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
