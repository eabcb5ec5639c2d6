//! `cdnform emulator`: serve the vendor APIs on a loopback port until Ctrl-C, with the fault
//! plan its flags describe.

use crate::cli::args::EmulatorArgs;
use crate::cli::error::CliError;
use crate::cli::output::Output;
use crate::emulator::{self, EmulatorConfig, FaultPlan, FaultRule};

pub async fn run(args: EmulatorArgs, out: &Output) -> Result<i32, CliError> {
    let faults = fault_plan(&args);
    let config = EmulatorConfig {
        aliyun_keys: vec![(args.aliyun_key_id.clone(), args.aliyun_key_secret.clone())],
        configuring_delay: args.configuring_delay,
        max_domains: args.max_domains,
        data_file: Some(args.data.clone()),
        baishan_tokens: vec![args.baishan_token.clone()],
        ctg_keys: vec![(args.ctg_access_key.clone(), args.ctg_secret_key.clone())],
        ctg_token_lifetime: args.ctg_token_lifetime,
        faults: faults.clone(),
        ..EmulatorConfig::default()
    };
    let handle = emulator::start(config, args.listen)
        .await
        .map_err(|e| CliError::runtime(format!("emulator: {e}")))?;
    out.line(&format!(
        "cdnform emulator listening on {} (Alibaba Cloud CDN at /?Action=..., key id {}; Baishan at /v2/...; CTG at /API/...), data in {}",
        handle.url(),
        args.aliyun_key_id,
        args.data.display()
    ));
    if !faults.is_none() {
        out.line(&describe(&args, &faults));
    }
    let _ = tokio::signal::ctrl_c().await;
    if !faults.is_none() {
        out.line(&format!("faults injected: {}", handle.faults_injected()));
    }
    handle.shutdown().await;
    Ok(0)
}

/// One rule for the requests `--fault-vendor` and `--fault-action` select.
fn fault_plan(args: &EmulatorArgs) -> FaultPlan {
    FaultPlan {
        seed: args.fault_seed.unwrap_or_else(rand::random),
        hold: args.fault_hold,
        ..FaultPlan::none()
    }
    .with_rule(FaultRule {
        vendor: args.fault_vendor,
        action: args.fault_action.clone(),
        rate: args.fault_rate,
        kinds: args.fault_kinds.clone(),
        latency: args.latency,
        jitter: args.latency_jitter,
        max_faults: None,
    })
}

fn describe(args: &EmulatorArgs, plan: &FaultPlan) -> String {
    let kinds: Vec<&str> = args.fault_kinds.iter().map(|k| k.name()).collect();
    format!(
        "faults: rate {} of {} {} requests ({}), latency {} + up to {}, timeouts held {}, seed {}",
        args.fault_rate,
        args.fault_vendor.name(),
        args.fault_action,
        kinds.join(","),
        humantime::format_duration(args.latency),
        humantime::format_duration(args.latency_jitter),
        humantime::format_duration(plan.hold),
        plan.seed
    )
}
