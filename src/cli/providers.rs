//! Turning `provider` blocks into provider clients: credentials from the
//! block or the environment, and `endpoint = "embedded"` resolved here by
//! starting the emulator in-process (the provider only sees a loopback URL).

use crate::cli::error::CliError;
use crate::cli::hooks::{HumanCallObserver, QuietCallObserver};
use crate::cli::progress::Progress;
use crate::config::{Config, ProviderConfig};
use crate::emulator::{self, EmulatorConfig, EmulatorHandle};
use crate::model::Secret;
use crate::provider::aliyun::{AliyunConfig, AliyunProvider};
use crate::provider::baishan::{
    BaishanConfig, BaishanProvider, DEFAULT_ENDPOINT as BAISHAN_DEFAULT_ENDPOINT,
};
use crate::provider::ctg::{CtgConfig, CtgProvider, DEFAULT_ENDPOINT as CTG_DEFAULT_ENDPOINT};
use crate::provider::{CallObserver, Provider, ProviderSet};
use std::path::Path;
use std::sync::Arc;

pub const EMBEDDED: &str = "embedded";
const ALIYUN_DEFAULT_ENDPOINT: &str = "https://cdn.aliyuncs.com";
/// Credentials the embedded emulator accepts (the vendor docs' example keys).
const EMBEDDED_KEY_ID: &str = "testid";
const EMBEDDED_KEY_SECRET: &str = "testsecret";
/// The token the embedded emulator accepts for Baishan.
const EMBEDDED_BAISHAN_TOKEN: &str = "testtoken";

pub struct ProviderRuntime {
    pub set: ProviderSet,
    /// Reports rate-limit waits and retries of every provider.
    pub observer: Arc<dyn CallObserver>,
    /// The refresh's progress line, fed by `observer` and the plan hook.
    pub progress: Arc<Progress>,
    /// The in-process emulator, when a provider asked for it.
    pub emulator: Option<EmulatorHandle>,
}

fn setting(p: &ProviderConfig, name: &str) -> Option<String> {
    p.settings
        .get(name)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

pub async fn build_providers(
    config: &Config,
    state_dir: &Path,
    json: bool,
) -> Result<ProviderRuntime, CliError> {
    let (observer, progress): (Arc<dyn CallObserver>, _) = if json {
        (Arc::new(QuietCallObserver), Progress::off())
    } else {
        let progress = Progress::for_stderr();
        (
            Arc::new(HumanCallObserver::new(
                crate::cli::hooks::debug_logging(),
                progress.clone(),
            )),
            progress,
        )
    };
    let mut runtime = ProviderRuntime {
        set: ProviderSet::new(),
        observer,
        progress,
        emulator: None,
    };
    for p in config.providers() {
        let provider: Arc<dyn Provider> = match p.addr.vendor.as_str() {
            "aliyun" => Arc::new(aliyun(p, state_dir, &mut runtime).await?),
            "baishan" => Arc::new(baishan(p, state_dir, &mut runtime).await?),
            "ctg" => Arc::new(ctg(p, state_dir, &mut runtime).await?),
            other => {
                return Err(CliError::user(format!(
                    "provider {other:?} is not supported"
                )))
            }
        };
        runtime.set.insert(p.addr.clone(), provider);
    }
    Ok(runtime)
}

async fn embedded_url(state_dir: &Path, runtime: &mut ProviderRuntime) -> Result<String, CliError> {
    if runtime.emulator.is_none() {
        let config = EmulatorConfig {
            data_file: Some(state_dir.join("emulator.json")),
            ..EmulatorConfig::default()
        };
        let handle = emulator::start(config, ([127, 0, 0, 1], 0).into())
            .await
            .map_err(|e| CliError::runtime(format!("cannot start the embedded emulator: {e}")))?;
        runtime.emulator = Some(handle);
    }
    Ok(runtime.emulator.as_ref().expect("started above").url())
}

/// Where a provider's calls go: its `endpoint` setting (or the vendor's
/// default), or for `"embedded"` the in-process emulator's URL plus `path`.
async fn endpoint(
    p: &ProviderConfig,
    default: &str,
    path: &str,
    state_dir: &Path,
    runtime: &mut ProviderRuntime,
) -> Result<(String, bool), CliError> {
    let endpoint = setting(p, "endpoint").unwrap_or_else(|| default.to_string());
    if endpoint == EMBEDDED {
        Ok((
            format!("{}{path}", embedded_url(state_dir, runtime).await?),
            true,
        ))
    } else {
        Ok((endpoint, false))
    }
}

/// Credentials from the provider block, else the embedded emulator's test
/// values, else the environment; an error naming both places when missing.
fn credentials<const N: usize>(
    p: &ProviderConfig,
    embedded: bool,
    wanted: [(&str, &str, &str); N], // (setting, env var, embedded value)
) -> Result<[String; N], CliError> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let found: Vec<Option<String>> = wanted
        .iter()
        .map(|(name, var, test_value)| {
            setting(p, name).or_else(|| {
                if embedded {
                    Some(test_value.to_string())
                } else {
                    env(var)
                }
            })
        })
        .collect();
    if found.iter().all(Option::is_some) {
        let values: Vec<String> = found.into_iter().flatten().collect();
        return Ok(values.try_into().expect("one value per credential"));
    }
    let names: Vec<&str> = wanted.iter().map(|w| w.0).collect();
    let vars: Vec<&str> = wanted.iter().map(|w| w.1).collect();
    Err(CliError::user(format!(
        "provider {}: no credentials: set {} in the provider block or {} in the environment",
        p.addr,
        names.join(" and "),
        vars.join(" and ")
    )))
}

async fn aliyun(
    p: &ProviderConfig,
    state_dir: &Path,
    runtime: &mut ProviderRuntime,
) -> Result<AliyunProvider, CliError> {
    let (endpoint, embedded) = endpoint(p, ALIYUN_DEFAULT_ENDPOINT, "", state_dir, runtime).await?;
    let [id, secret] = credentials(
        p,
        embedded,
        [
            (
                "access_key_id",
                "ALIBABA_CLOUD_ACCESS_KEY_ID",
                EMBEDDED_KEY_ID,
            ),
            (
                "access_key_secret",
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                EMBEDDED_KEY_SECRET,
            ),
        ],
    )?;
    AliyunProvider::new(AliyunConfig {
        endpoint,
        observer: Some(runtime.observer.clone()),
        ..AliyunConfig::new(id, Secret::new(secret))
    })
    .map_err(|e| CliError::user(format!("provider {}: {e}", p.addr)))
}

async fn baishan(
    p: &ProviderConfig,
    state_dir: &Path,
    runtime: &mut ProviderRuntime,
) -> Result<BaishanProvider, CliError> {
    let (endpoint, embedded) =
        endpoint(p, BAISHAN_DEFAULT_ENDPOINT, "/v2", state_dir, runtime).await?;
    let [token] = credentials(
        p,
        embedded,
        [("token", "BAISHAN_TOKEN", EMBEDDED_BAISHAN_TOKEN)],
    )?;
    BaishanProvider::new(BaishanConfig {
        endpoint,
        observer: Some(runtime.observer.clone()),
        ..BaishanConfig::new(Secret::new(token))
    })
    .map_err(|e| CliError::user(format!("provider {}: {e}", p.addr)))
}

async fn ctg(
    p: &ProviderConfig,
    state_dir: &Path,
    runtime: &mut ProviderRuntime,
) -> Result<CtgProvider, CliError> {
    let (endpoint, embedded) = endpoint(p, CTG_DEFAULT_ENDPOINT, "", state_dir, runtime).await?;
    let [key, secret] = credentials(
        p,
        embedded,
        [
            ("access_key", "CTG_ACCESS_KEY", EMBEDDED_KEY_ID),
            ("secret_key", "CTG_SECRET_KEY", EMBEDDED_KEY_SECRET),
        ],
    )?;
    CtgProvider::new(CtgConfig {
        endpoint,
        observer: Some(runtime.observer.clone()),
        ..CtgConfig::new(key, Secret::new(secret))
    })
    .map_err(|e| CliError::user(format!("provider {}: {e}", p.addr)))
}
