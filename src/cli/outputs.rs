//! Output values: computed from the state after an apply (stored in it,
//! sensitive ones without their value), previewed from the plan as
//! "Changes to Outputs", and printed by `cdnform output [NAME] [-json] [-raw]`.

use crate::cli::args::OutputArgs;
use crate::cli::error::CliError;
use crate::cli::output::Output;
use crate::config::Config;
use crate::model::{Address, PlannedValue};
use crate::plan::planner::lookup_in;
use crate::plan::render::value::fmt_value;
use crate::plan::{Plan, ResourceChange};
use crate::state::{OutputState, State};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// Every output evaluated against `state` (after an apply). An output that
/// cannot be evaluated (a resource it uses failed) keeps its last value and
/// yields a warning.
pub fn from_state(config: &Config, state: &State) -> (BTreeMap<String, OutputState>, Vec<String>) {
    let mut out = BTreeMap::new();
    let mut warnings = Vec::new();
    for (name, decl) in config.outputs() {
        let lookup = |a: &Address, path: &[String]| {
            let known = state
                .get(a)
                .map(|r| PlannedValue::known(r.attributes.clone()));
            lookup_in(known.as_ref(), a, path)
        };
        match config.evaluate_output(name, &lookup) {
            Ok(v) if v.is_wholly_known() => {
                out.insert(
                    name.clone(),
                    OutputState {
                        value: if decl.sensitive { Json::Null } else { v.value },
                        sensitive: decl.sensitive,
                    },
                );
            }
            result => {
                let why = match result {
                    Err(d) => d.first().map(|d| d.to_string()).unwrap_or_default(),
                    Ok(_) => "a resource it uses is not in the state".to_string(),
                };
                warnings.push(format!("output \"{name}\" not updated: {why}"));
                if let Some(old) = state.outputs.get(name) {
                    out.insert(name.clone(), old.clone());
                }
            }
        }
    }
    (out, warnings)
}

/// Every output as the plan would leave it (unknown parts where values are
/// known only after apply); outputs with errors are left out.
pub fn planned(config: &Config, plan: &Plan) -> BTreeMap<String, PlannedValue> {
    let changes: BTreeMap<&Address, &ResourceChange> =
        plan.changes.iter().map(|c| (&c.address, c)).collect();
    let lookup = |a: &Address, path: &[String]| {
        let after = changes.get(a).and_then(|c| c.after.as_ref());
        lookup_in(after, a, path)
    };
    config
        .outputs()
        .keys()
        .filter_map(|name| {
            config
                .evaluate_output(name, &lookup)
                .ok()
                .map(|v| (name.clone(), v))
        })
        .collect()
}

/// "Changes to Outputs:" lines, or nothing when no output changes.
pub fn render_changes(
    prior: &BTreeMap<String, OutputState>,
    planned: &BTreeMap<String, PlannedValue>,
) -> String {
    let show = |v: &PlannedValue| {
        if v.sensitive.contains("") {
            "(sensitive value)".to_string()
        } else if !v.is_wholly_known() {
            "(known after apply)".to_string()
        } else {
            fmt_value(&v.value)
        }
    };
    let mut lines = Vec::new();
    for (name, new) in planned {
        match prior.get(name) {
            None => lines.push(format!("  + {name} = {}", show(new))),
            Some(old) if old.sensitive || new.sensitive.contains("") => {
                if old.sensitive != new.sensitive.contains("") {
                    lines.push(format!("  ~ {name} = (sensitive value)"));
                }
            }
            Some(old) if !new.is_wholly_known() || old.value != new.value => lines.push(format!(
                "  ~ {name} = {} -> {}",
                fmt_value(&old.value),
                show(new)
            )),
            Some(_) => {}
        }
    }
    for (name, old) in prior {
        if !planned.contains_key(name) {
            let v = if old.sensitive {
                "(sensitive value)".to_string()
            } else {
                fmt_value(&old.value)
            };
            lines.push(format!("  - {name} = {v} -> null"));
        }
    }
    if lines.is_empty() {
        return String::new();
    }
    format!("\nChanges to Outputs:\n{}\n", lines.join("\n"))
}

/// `cdnform output [NAME] [-json] [-raw]`.
pub fn run(args: OutputArgs, out: &Output) -> Result<i32, CliError> {
    let loaded = crate::cli::backend::open_here(&args.state.state)?.load()?;
    for w in &loaded.warnings {
        out.warning(w);
    }
    let outputs = &loaded.state.outputs;
    let json_of = |o: &OutputState| serde_json::json!({"sensitive": o.sensitive, "value": o.value});
    if let Some(name) = &args.name {
        let o = outputs.get(name).ok_or_else(|| {
            CliError::user(format!(
                "no output \"{name}\" in the state (outputs are recorded by apply){}",
                if outputs.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; recorded: {}",
                        outputs.keys().cloned().collect::<Vec<_>>().join(", ")
                    )
                }
            ))
        })?;
        if o.sensitive && (args.raw || !args.json) {
            return Err(CliError::user(format!(
                "output \"{name}\" is sensitive: cdnform never stores its value, so it cannot print it"
            )));
        }
        let text = match (&o.value, args.raw, args.json) {
            (_, _, true) => serde_json::to_string(&o.value).expect("JSON"),
            (Json::String(s), true, _) => s.clone(),
            (Json::Number(_) | Json::Bool(_), true, _) => o.value.to_string(),
            (_, true, _) => {
                return Err(CliError::user(format!(
                    "output \"{name}\" is not a string, number or bool: -raw cannot print it; use -json"
                )))
            }
            (v, false, false) => fmt_value(v),
        };
        out.line(&text);
        return Ok(0);
    }
    if args.json {
        let all: serde_json::Map<String, Json> = outputs
            .iter()
            .map(|(k, o)| (k.clone(), json_of(o)))
            .collect();
        out.line(&serde_json::to_string_pretty(&all).expect("JSON"));
        return Ok(0);
    }
    if outputs.is_empty() {
        out.warning("no outputs in the state: declare output blocks and run cdnform apply");
        return Ok(0);
    }
    for (name, o) in outputs {
        let v = if o.sensitive {
            "<sensitive>".to_string()
        } else {
            fmt_value(&o.value)
        };
        out.line(&format!("{name} = {v}"));
    }
    Ok(0)
}

/// Print "Changes to Outputs" for a normal plan (human output only).
pub fn show_planned(config: &Config, plan: &Plan, prior: &State, out: &Output) {
    if out.json || plan.mode != crate::plan::PlanMode::Normal {
        return;
    }
    let text = render_changes(&prior.outputs, &planned(config, plan));
    if !text.is_empty() {
        out.text(&text);
    }
}

/// Set `state.outputs` as the run leaves them (none after a destroy);
/// returns whether they changed.
pub fn record(config: &Config, state: &mut State, destroy: bool, out: &Output) -> bool {
    let (outputs, warnings) = if destroy {
        (BTreeMap::new(), Vec::new())
    } else {
        from_state(config, state)
    };
    for w in warnings {
        out.warning(&w);
    }
    let changed = outputs != state.outputs;
    state.outputs = outputs;
    changed
}
