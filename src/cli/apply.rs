//! `cdnform apply` and `cdnform destroy`: plan, show, confirm, apply, and
//! persist the state (every finished change is journaled as it happens).

use crate::apply::{apply_plan, ApplyOptions};
use crate::cli::args::ApplyArgs;
use crate::cli::error::CliError;
use crate::cli::hooks::HumanApplyHook;
use crate::cli::json_view;
use crate::cli::output::Output;
use crate::cli::session::Session;
use crate::plan::render::{render_plan, RenderOptions};
use crate::plan::saved::SavedPlan;
use crate::plan::{PlanMode, Summary};
use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

pub async fn run(args: ApplyArgs, destroy: bool, out: &Output) -> Result<i32, CliError> {
    let mode = match (destroy, args.refresh_only) {
        (true, _) => PlanMode::Destroy,
        (_, true) => PlanMode::RefreshOnly,
        _ => PlanMode::Normal,
    };
    if out.json {
        if !args.auto_approve && args.plan_file.is_none() {
            return Err(CliError::user(
                "-json never prompts: add -auto-approve, or apply a saved plan file",
            ));
        }
        json_view::version();
    }
    let mut session =
        Session::open(&args.run, if destroy { "destroy" } else { "apply" }, out).await?;
    let saved = match &args.plan_file {
        Some(path) => Some(SavedPlan::read(path).map_err(|e| CliError::user(e.to_string()))?),
        None => None,
    };
    let mode = saved.as_ref().map_or(mode, |s| s.plan.mode);
    let mut plan = crate::cli::plan::compute(&session, &args.run, mode).await?;
    out.diagnostics(&plan.warnings);
    if let Some(saved) = saved {
        // Exactly the saved plan, if it still holds; the fresh plan only
        // supplies what a plan file never carries (private keys) and the
        // state as read now.
        saved
            .check_current(&session.state.lineage, session.state.serial, &plan)
            .map_err(|e| CliError::user(e.to_string()))?;
        let fresh = plan;
        plan = saved.plan;
        plan.secrets = fresh.secrets;
        plan.refreshed = fresh.refreshed;
    }
    let operation = if destroy { "destroy" } else { "apply" };
    if out.json {
        json_view::plan(&plan, operation);
    } else {
        out.text(&render_plan(&plan, RenderOptions { color: out.color }));
    }
    crate::cli::outputs::show_planned(&session.config, &plan, &session.state, out);

    if !plan.has_changes() {
        let mut state = plan.refreshed.clone();
        let updates = crate::apply::state_only_updates(&plan, &state);
        for op in &updates {
            state.apply(op);
        }
        let outputs_changed =
            crate::cli::outputs::record(&session.config, &mut state, destroy, out);
        if !plan.drift.is_empty() || !updates.is_empty() || outputs_changed {
            session.backend.persist(&mut state)?;
            if !out.json && !plan.drift.is_empty() {
                out.line("\nThe state now records the live values read above.");
            }
        }
        return Ok(0);
    }
    crate::apply::content::check_quotas(&plan, &session.providers.set, &plan.refreshed)
        .await
        .map_err(CliError::user)?;
    if !args.auto_approve && args.plan_file.is_none() {
        confirm(destroy)?;
    }

    let state = plan.refreshed.clone();
    let journal = session.backend.begin(&state)?;
    let interrupt = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let listener = tokio::spawn(watch_interrupts(interrupt.clone(), out.json));
    let options = ApplyOptions {
        parallelism: args.run.parallelism as usize,
        interrupt: Some(interrupt.clone()),
        ..ApplyOptions::default()
    };
    let hook: Arc<dyn crate::apply::ApplyHook> = if out.json {
        Arc::new(json_view::JsonApplyHook)
    } else {
        out.line("");
        Arc::new(HumanApplyHook)
    };
    let (mut state, report) = apply_plan(
        &plan,
        &session.providers.set,
        state,
        journal,
        &options,
        hook,
    )
    .await;
    listener.abort();
    crate::cli::outputs::record(&session.config, &mut state, destroy, out);
    // A run that changed nothing (every change failed, nothing drifted)
    // writes nothing: the serial stays, so nothing else goes stale.
    let unchanged = report.applied.is_empty()
        && state.resources == session.state.resources
        && state.outputs == session.state.outputs;
    let persisted = if unchanged {
        Ok(())
    } else {
        session.backend.persist(&mut state)
    };
    session.state = state;

    let mut done = Summary::default();
    for (address, action) in &report.applied {
        if crate::model::schema::is_content_type(&address.resource_type)
            && matches!(
                action,
                crate::plan::Action::Create | crate::plan::Action::Replace
            )
        {
            done.run += 1;
            continue;
        }
        match action {
            crate::plan::Action::Create => done.add += 1,
            crate::plan::Action::Update => done.change += 1,
            crate::plan::Action::Replace => {
                done.add += 1;
                done.destroy += 1
            }
            crate::plan::Action::Delete => done.destroy += 1,
            crate::plan::Action::NoOp => {}
        }
    }
    persisted?;
    if !report.not_started.is_empty() {
        let failed: Vec<String> = report
            .failed
            .iter()
            .map(|(a, action, e)| format!("\n  - {a} ({action}): {e}"))
            .collect();
        out.error(&CliError::runtime(format!(
            "interrupted: {} change(s) finished and are recorded in the state, {} failed, {} not started{}\nRun `cdnform apply` again to finish.",
            report.applied.len(),
            report.failed.len(),
            report.not_started.len(),
            failed.concat()
        )));
        return Ok(130);
    }
    done.import = plan.summary().import;
    if report.is_success() && out.json {
        json_view::emit(
            "change_summary",
            serde_json::json!({"operation": operation, "import": done.import, "run": done.run, "add": done.add, "change": done.change, "destroy": done.destroy, "applied": true}),
        );
        return Ok(0);
    }
    if report.is_success() {
        let verb = if destroy { "Destroy" } else { "Apply" };
        let mut imported = if done.import > 0 {
            format!("{} imported, ", done.import)
        } else {
            String::new()
        };
        if done.run > 0 {
            imported.push_str(&format!("{} run, ", done.run));
        }
        out.line(&format!(
            "\n{verb} complete! Resources: {imported}{} added, {} changed, {} destroyed.",
            done.add, done.change, done.destroy
        ));
        return Ok(0);
    }
    let mut msg = format!(
        "apply finished with errors: {} succeeded (kept in the state), {} failed, {} skipped",
        report.applied.len(),
        report.failed.len(),
        report.skipped.len()
    );
    for (address, action, error) in &report.failed {
        msg.push_str(&format!("\n  - {address} ({action}): {error}"));
    }
    for (address, because) in &report.skipped {
        msg.push_str(&format!("\n  - {address}: skipped, depends on {because}"));
    }
    msg.push_str("\nRun `cdnform plan` to see what remains.");
    Err(CliError::runtime(msg))
}

/// On the first Ctrl-C: start nothing new, let the calls in flight finish
/// (each is journaled as it finishes). On the second: exit at once — the
/// journal already holds every finished change.
async fn watch_interrupts(flag: Arc<std::sync::atomic::AtomicBool>, json: bool) {
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    flag.store(true, std::sync::atomic::Ordering::SeqCst);
    if !json {
        eprintln!("\nInterrupt received: no new changes will start; waiting for the calls in flight to finish (Ctrl-C again to stop now).");
    }
    if tokio::signal::ctrl_c().await.is_ok() {
        eprintln!("Stopped. Every change that finished is in the state journal; the next command replays it.");
        std::process::exit(130);
    }
}

/// Ask for `yes` on a terminal; refuse to prompt when stdin is not one.
fn confirm(destroy: bool) -> Result<(), CliError> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(CliError::user(
            "refusing to ask for confirmation: standard input is not a terminal; \
             run with -auto-approve to apply without a prompt",
        ));
    }
    let what = if destroy {
        "destroy all resources in the state"
    } else {
        "perform these actions"
    };
    print!(
        "\nDo you want to {what}?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: "
    );
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::user(format!("cannot read the answer: {e}")))?;
    if answer.trim() != "yes" {
        return Err(CliError::user(if destroy {
            "Destroy cancelled."
        } else {
            "Apply cancelled."
        }));
    }
    Ok(())
}
