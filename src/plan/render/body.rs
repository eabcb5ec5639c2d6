//! The inside of a rendered resource: attribute lines aligned on `=`,
//! nested blocks, block lists diffed with `similar`, hidden-count notes.

use super::value::{fmt_value, list_diff, multiline_diff};
use super::{paint, symbol, RenderOptions, Style, KNOWN_AFTER_APPLY, SENSITIVE};
use crate::model::value::pointer_segment;
use crate::model::{BlockSchema, PlannedValue};
use crate::plan::diff::key_equal;
use crate::plan::Action;
use serde_json::Value as Json;
use similar::{capture_diff_slices, Algorithm, DiffOp};
use std::fmt::Write;

pub(super) struct Body {
    pub(super) opts: RenderOptions,
    pub(super) out: String,
}

/// One attribute of a block, ready to print.
struct Line {
    action: Action,
    key: String,
    text: String,
}

impl Body {
    pub(super) fn resource(
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
                        (Some(Json::Array(a)), Some(Json::Array(b))) if !sensitive && !unknown => {
                            list_diff(a, b, 4 * depth + 6)
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
            if nb.single {
                let unknown = after.is_some_and(|a| a.is_unknown_at(&p));
                let one = |v: Option<&Json>| v.filter(|x| x.is_object()).cloned();
                let (o, n) = (
                    one(before.and_then(|b| b.get(nb.json_name))),
                    one(after_val.and_then(|v| v.get(nb.json_name))),
                );
                let act = match (action, &o, &n) {
                    (Action::Create, _, Some(_)) => Some(Action::Create),
                    (Action::Delete, Some(_), _) => Some(Action::Delete),
                    (Action::Update | Action::Replace, Some(x), Some(y)) if x == y && !unknown => {
                        hidden_blocks += 1;
                        None
                    }
                    (Action::Update | Action::Replace, Some(_), Some(_)) => Some(Action::Update),
                    (Action::Update | Action::Replace, None, Some(_)) => Some(Action::Create),
                    (Action::Update | Action::Replace, Some(_), None) => Some(Action::Delete),
                    _ => None,
                };
                if let Some(act) = act {
                    let indent = " ".repeat(4 * depth + 2);
                    let _ = writeln!(
                        self.out,
                        "{indent}{} {} {{",
                        symbol(self.opts, act),
                        nb.name
                    );
                    let planned = if act == Action::Delete { None } else { after };
                    self.block(depth + 1, act, nb.block, o.as_ref(), planned, &p, &[]);
                    let _ = writeln!(self.out, "{}}}", " ".repeat(4 * depth + 4));
                }
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
                        self.nested(depth, action, nb, &old, b, a, &p, after);
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
        let mut items: Vec<(Action, Option<usize>, Option<usize>)> = Vec::new();
        for op in capture_diff_slices(Algorithm::Myers, &old_keys, &new_keys) {
            let (gone, added) = match op {
                DiffOp::Equal { len, .. } => {
                    unchanged += len;
                    continue;
                }
                DiffOp::Delete {
                    old_index, old_len, ..
                } => (old_index..old_index + old_len, 0..0),
                DiffOp::Insert {
                    new_index, new_len, ..
                } => (0..0, new_index..new_index + new_len),
                DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => {
                    // Pair removed and added items up as in-place changes.
                    let pairs = old_len.min(new_len);
                    items.extend(
                        (0..pairs)
                            .map(|k| (Action::Update, Some(old_index + k), Some(new_index + k))),
                    );
                    (
                        old_index + pairs..old_index + old_len,
                        new_index + pairs..new_index + new_len,
                    )
                }
            };
            items.extend(gone.map(|i| (Action::Delete, Some(i), None)));
            items.extend(added.map(|i| (Action::Create, None, Some(i))));
        }
        for (action, before_index, after_index) in items {
            self.nested(
                depth,
                action,
                nb,
                old,
                before_index,
                after_index,
                ptr,
                after,
            );
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
