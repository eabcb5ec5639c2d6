//! `cdnform drift`: a refresh-only plan for schedules. Reports, per
//! attribute, what changed on the live account since the last apply (and,
//! with `-include-unmanaged`, domains no state manages); exit 2 when
//! anything drifted. Human text or JSON lines (`-json`).

use crate::cli::args::DriftArgs;
use crate::cli::error::CliError;
use crate::cli::json_view;
use crate::cli::output::Output;
use crate::cli::session::Session;
use crate::plan::render::{render_drift, RenderOptions};
use crate::plan::PlanMode;
use serde_json::json;
use std::collections::BTreeSet;

pub async fn run(args: DriftArgs, out: &Output) -> Result<i32, CliError> {
    let session = Session::open(&args.run, "drift", out).await?;
    let plan = crate::cli::plan::compute(&session, &args.run, PlanMode::RefreshOnly).await?;
    let unmanaged = if args.include_unmanaged {
        unmanaged(&session).await?
    } else {
        Vec::new()
    };
    let drifted = !plan.drift.is_empty() || !unmanaged.is_empty();
    if args.run.json {
        json_view::version();
        for d in &plan.drift {
            json_view::emit("resource_drift", json_view::drift_fields(d));
        }
        for (provider, name) in &unmanaged {
            json_view::emit(
                "unmanaged_domain",
                json!({"provider": provider, "name": name}),
            );
        }
        json_view::emit(
            "drift_summary",
            json!({"drifted": plan.drift.len(), "unmanaged": unmanaged.len()}),
        );
    } else {
        if plan.drift.is_empty() {
            out.line("No drift: the live account matches the state.");
        } else {
            out.text(&render_drift(
                &plan.drift,
                RenderOptions { color: out.color },
            ));
        }
        if !unmanaged.is_empty() {
            out.line("\nDomains on the account that this state does not manage:");
            for (provider, name) in &unmanaged {
                out.line(&format!("  {name} ({provider})"));
            }
        }
    }
    Ok(if drifted { 2 } else { 0 })
}

/// Domains each configured provider's account holds that no resource in
/// the state manages.
async fn unmanaged(session: &Session) -> Result<Vec<(String, String)>, CliError> {
    let managed: BTreeSet<(String, String)> = session
        .state
        .resources
        .iter()
        .map(|r| (r.provider.to_string(), r.vendor_id.clone()))
        .collect();
    let mut out = Vec::new();
    for (addr, provider) in &session.providers.set {
        let listed = provider.list_domains().await.map_err(|e| {
            CliError::runtime(format!("listing the domains of provider \"{addr}\": {e}"))
        })?;
        for d in listed {
            if !managed.contains(&(addr.to_string(), d.name.clone())) {
                out.push((addr.to_string(), d.name));
            }
        }
    }
    Ok(out)
}
