//! Machine-readable output (`-json`): one JSON object per line, each with a
//! `type` and a `@timestamp`. The types and their fields are documented in
//! README.md ("JSON output"); no colour codes, no prompts.

use crate::apply::{ApplyError, ApplyHook};
use crate::model::{Address, Diagnostic};
use crate::plan::{Action, Plan, PlanHook, ResourceDrift};
use serde_json::{json, Value as Json};
use std::io::Write;
use std::time::Duration;

/// Print one message line.
pub fn emit(kind: &str, mut fields: Json) {
    if let Json::Object(m) = &mut fields {
        m.insert("type".into(), kind.into());
        m.insert("@timestamp".into(), chrono::Utc::now().to_rfc3339().into());
    }
    let mut o = std::io::stdout().lock();
    let _ = writeln!(o, "{fields}");
    let _ = o.flush();
}

pub fn version() {
    emit(
        "version",
        json!({"cdnform": env!("CARGO_PKG_VERSION"), "ui": "1.0"}),
    );
}

pub fn diagnostic(d: &Diagnostic) {
    let mut v = json!({"severity": d.severity, "summary": d.summary, "detail": d.detail});
    if let Some(l) = &d.location {
        v["range"] = json!({"filename": l.file, "line": l.line, "column": l.col});
    }
    emit("diagnostic", v);
}

/// One drifted resource: each changed attribute with its recorded and live values.
pub fn drift_fields(d: &ResourceDrift) -> Json {
    let changes: Vec<Json> = d
        .changed
        .iter()
        .map(|k| {
            json!({
                "attribute": k,
                "before": d.before.get(k).cloned().unwrap_or(Json::Null),
                "after": d.after.as_ref().and_then(|a| a.get(k)).cloned().unwrap_or(Json::Null),
            })
        })
        .collect();
    json!({
        "address": d.address.to_string(),
        "provider": d.provider.to_string(),
        "deleted": d.after.is_none(),
        "changes": changes,
    })
}

/// The plan as messages: drift, each planned change, the summary.
pub fn plan(plan: &Plan, operation: &str) {
    for d in &plan.drift {
        emit("resource_drift", drift_fields(d));
    }
    for c in plan.changes.iter().filter(|c| c.is_change()) {
        let mut fields = json!({
            "address": c.address.to_string(),
            "provider": c.provider.to_string(),
            "action": c.action,
            "replace_because": c.replace_because,
        });
        if let Some(id) = &c.importing {
            fields["importing"] = json!({"id": id});
        }
        emit("planned_change", fields);
    }
    let s = plan.summary();
    emit(
        "change_summary",
        json!({"operation": operation, "import": s.import, "run": s.run, "add": s.add, "change": s.change, "destroy": s.destroy}),
    );
}

pub struct JsonPlanHook;

impl PlanHook for JsonPlanHook {
    fn refresh_start(&self, address: &Address) {
        emit("refresh_start", json!({"address": address.to_string()}));
    }
    fn refresh_done(&self, address: &Address, result: Result<bool, String>) {
        match result {
            Ok(found) => emit(
                "refresh_complete",
                json!({"address": address.to_string(), "exists": found}),
            ),
            Err(e) => emit(
                "refresh_complete",
                json!({"address": address.to_string(), "error": e}),
            ),
        }
    }
}

pub struct JsonApplyHook;

impl ApplyHook for JsonApplyHook {
    fn start(&self, address: &Address, action: Action) {
        emit(
            "apply_start",
            json!({"address": address.to_string(), "action": action}),
        );
    }
    fn progress(&self, address: &Address, message: &str) {
        emit(
            "apply_progress",
            json!({"address": address.to_string(), "message": message}),
        );
    }
    fn done(
        &self,
        address: &Address,
        action: Action,
        result: Result<(), &ApplyError>,
        elapsed: Duration,
    ) {
        match result {
            Ok(()) => emit(
                "apply_complete",
                json!({"address": address.to_string(), "action": action, "elapsed_seconds": elapsed.as_secs_f64()}),
            ),
            Err(e) => emit(
                "apply_errored",
                json!({"address": address.to_string(), "action": action, "error": e.to_string()}),
            ),
        }
    }
    fn skipped(&self, address: &Address, because: &Address) {
        emit(
            "apply_errored",
            json!({"address": address.to_string(), "skipped_because": because.to_string()}),
        );
    }
}
