//! `cdnform plan`: refresh, compare, print the diff; `-detailed-exitcode`
//! exits 2 when there are changes.

use crate::cli::args::PlanArgs;
use crate::cli::error::CliError;
use crate::cli::json_view;
use crate::cli::output::Output;
use crate::cli::progress::ProgressPlanHook;
use crate::cli::session::Session;
use crate::plan::guard::{mass_change, message, DEFAULT_MAX_PERCENT};
use crate::plan::render::{render_plan, RenderOptions};
use crate::plan::saved::SavedPlan;
use crate::plan::{make_plan, Plan, PlanMode, PlanOptions};
use std::sync::Arc;

pub async fn run(args: PlanArgs, out: &Output) -> Result<i32, CliError> {
    let mode = match (args.destroy, args.refresh_only) {
        (true, _) => PlanMode::Destroy,
        (_, true) => PlanMode::RefreshOnly,
        _ => PlanMode::Normal,
    };
    if out.json {
        json_view::version();
    }
    let session = Session::open(&args.run, "plan", out).await?;
    let plan = compute(&session, &args.run, mode).await?;
    out.diagnostics(&plan.warnings);
    if out.json {
        json_view::plan(&plan, "plan");
    } else {
        out.text(&render_plan(&plan, RenderOptions { color: out.color }));
    }
    crate::cli::outputs::show_planned(&session.config, &plan, &session.state, out);
    if let Some(path) = &args.out {
        SavedPlan::new(plan.clone())
            .write(path)
            .map_err(|e| CliError::runtime(e.to_string()))?;
        if !out.json {
            out.line(&format!(
                "\nSaved the plan to {}. To perform exactly these actions, run: cdnform apply {}",
                path.display(),
                path.display()
            ));
        }
    }
    // With -refresh-only, drift is the change an apply would make (to the state).
    let changes = plan.has_changes() || (mode == PlanMode::RefreshOnly && !plan.drift.is_empty());
    Ok(if args.detailed_exitcode && changes {
        2
    } else {
        0
    })
}

pub async fn compute(
    session: &Session,
    run: &crate::cli::args::RunArgs,
    mode: PlanMode,
) -> Result<Plan, CliError> {
    let options = PlanOptions {
        mode,
        parallelism: run.parallelism as usize,
        refresh: true,
        replace: run.replace.clone(),
        targets: run.targets.clone(),
        excludes: run.excludes.clone(),
        unprotect: run.unprotect.clone(),
    };
    let progress = &session.providers.progress;
    let plan = make_plan(
        &session.config,
        &session.state,
        &session.providers.set,
        &options,
        if run.json {
            Arc::new(json_view::JsonPlanHook) as Arc<dyn crate::plan::PlanHook>
        } else {
            Arc::new(ProgressPlanHook(progress.clone()))
        },
    )
    .await;
    // A refresh cut short by an error leaves its line: clear it before the error.
    progress.end();
    let plan = plan?;
    let max_percent = session
        .config
        .settings()
        .max_destroy_percent
        .map_or(DEFAULT_MAX_PERCENT, |n| n as usize);
    if let Some(going) = mass_change(&plan, max_percent).filter(|_| !run.allow_mass_change) {
        return Err(CliError::user(message(
            &going,
            plan.refreshed.resources.len(),
            max_percent,
        )));
    }
    Ok(plan)
}
