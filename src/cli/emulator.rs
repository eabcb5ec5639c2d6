//! `cdnform emulator`: serve the vendor APIs on a loopback port until Ctrl-C.

use crate::cli::args::EmulatorArgs;
use crate::cli::error::CliError;
use crate::cli::output::Output;
use crate::emulator::{self, EmulatorConfig};

pub async fn run(args: EmulatorArgs, out: &Output) -> Result<i32, CliError> {
    let config = EmulatorConfig {
        aliyun_keys: vec![(args.aliyun_key_id.clone(), args.aliyun_key_secret)],
        configuring_delay: args.configuring_delay,
        max_domains: args.max_domains,
        data_file: Some(args.data.clone()),
        baishan_tokens: vec![args.baishan_token.clone()],
        ctg_keys: vec![(args.ctg_access_key.clone(), args.ctg_secret_key.clone())],
        ctg_token_lifetime: args.ctg_token_lifetime,
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
    let _ = tokio::signal::ctrl_c().await;
    handle.shutdown().await;
    Ok(0)
}
