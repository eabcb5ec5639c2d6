//! `cdnform purge [-provider NAME] [-preload [-area A]] URL...`: a one-off
//! purge or preload for people at a terminal, with the same batching,
//! quota check and waiting as the `cdn_purge` resource, and a progress bar
//! on a terminal. Nothing is recorded in the state.

use crate::apply::content::{self, batches, check_need, Need};
use crate::cli::args::PurgeArgs;
use crate::cli::error::CliError;
use crate::cli::output::Output;
use crate::cli::providers::build_providers;
use crate::cli::session::load_config;
use crate::config::url_host;
use crate::model::{Address, ProviderAddr};
use crate::plan::content::items;
use crate::state::State;
use serde_json::json;
use std::io::IsTerminal;
use std::path::Path;

pub async fn run(args: PurgeArgs, out: &Output) -> Result<i32, CliError> {
    for u in &args.urls {
        url_host(u).map_err(|why| CliError::user(format!("{u:?} {why}")))?;
    }
    let config = load_config(&args.vars, out)?;
    let runtime = build_providers(&config, Path::new("state"), out.json).await?;
    let addr: ProviderAddr = match &args.provider {
        Some(name) => name
            .parse()
            .map_err(|e| CliError::user(format!("-provider: {e}")))?,
        None => {
            let all: Vec<&ProviderAddr> = runtime.set.keys().collect();
            match all.as_slice() {
                [only] => (*only).clone(),
                [] => return Err(CliError::user("the configuration declares no provider")),
                _ => {
                    return Err(CliError::user(format!(
                        "several providers are configured ({}); choose one with -provider",
                        all.iter()
                            .map(|a| a.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )))
                }
            }
        }
    };
    let provider = runtime
        .set
        .get(&addr)
        .ok_or_else(|| CliError::user(format!("no provider configuration named {addr}")))?
        .clone();
    let (resource_type, value) = if args.preload {
        (
            "cdn_preload",
            json!({"urls": args.urls, "area": args.area, "wait": !args.no_wait,
                   "timeout": humantime::format_duration(args.timeout).to_string()}),
        )
    } else {
        let (dirs, urls): (Vec<&String>, Vec<&String>) =
            args.urls.iter().partition(|u| u.ends_with('/'));
        (
            "cdn_purge",
            json!({"urls": urls, "directories": dirs, "wait": !args.no_wait,
                   "timeout": humantime::format_duration(args.timeout).to_string()}),
        )
    };
    let address = Address::new(resource_type, "command_line");
    let limits = provider.content_limits();
    let all = items(resource_type, &value);
    for kind in all.keys() {
        if !limits.supports(*kind) {
            return Err(CliError::user(format!(
                "{} has no {} tasks",
                provider.vendor(),
                kind.noun()
            )));
        }
    }
    let mut need: Need = Need::new();
    for (kind, list) in &all {
        need.entry(addr.clone())
            .or_default()
            .insert(*kind, list.len() as u64);
    }
    check_need(need, &runtime.set, &State::new())
        .await
        .map_err(CliError::user)?;
    let calls = batches(&all, &limits).len();
    let bar = (std::io::stderr().is_terminal() && !out.json).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let progress = |m: &str| match &bar {
        Some(b) => b.set_message(m.to_string()),
        None => out.progress(&format!("{addr}: {m}")),
    };
    let result = content::run(&address, &value, provider.as_ref(), &progress).await;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let attrs = result.map_err(|e| CliError::runtime(e.to_string()))?;
    let counts: Vec<String> = all
        .iter()
        .map(|(k, l)| format!("{} {}(s)", l.len(), k.noun()))
        .collect();
    let verb = if args.preload { "Preloaded" } else { "Purged" };
    let outcome = attrs["outcome"].as_str().unwrap_or_default();
    let tasks: Vec<&str> = attrs["task_ids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
        .collect();
    if out.json {
        out.line(
            &json!({"type": "content_result", "provider": addr.to_string(), "calls": calls,
                    "task_ids": tasks, "outcome": outcome})
            .to_string(),
        );
    } else {
        out.line(&format!(
            "{verb} {} on {addr} in {calls} call(s): task(s) {} ({outcome}).",
            counts.join(", "),
            tasks.join(", ")
        ));
    }
    Ok(0)
}
