//! Turning `provider` blocks into provider clients: credentials from the
//! block or the environment, and `endpoint = "embedded"` resolved here by
//! starting the emulator in-process (the provider only sees a loopback URL).

use crate::cli::error::CliError;
use crate::cli::hooks::HumanCallObserver;
use crate::config::{Config, ProviderConfig};
use crate::emulator::{self, EmulatorConfig, EmulatorHandle};
use crate::model::Secret;
use crate::provider::aliyun::{AliyunConfig, AliyunProvider};
use crate::provider::baishan::{
    BaishanConfig, BaishanProvider, DEFAULT_ENDPOINT as BAISHAN_DEFAULT_ENDPOINT,
};
use crate::provider::ctg::{CtgConfig, CtgProvider, DEFAULT_ENDPOINT as CTG_DEFAULT_ENDPOINT};
use crate::provider::retry::RetryPolicy;
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
) -> Result<ProviderRuntime, CliError> {
    let mut runtime = ProviderRuntime {
        set: ProviderSet::new(),
        observer: Arc::new(HumanCallObserver::default()),
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

async fn aliyun(
    p: &ProviderConfig,
    state_dir: &Path,
    runtime: &mut ProviderRuntime,
) -> Result<AliyunProvider, CliError> {
    let endpoint = setting(p, "endpoint").unwrap_or_else(|| ALIYUN_DEFAULT_ENDPOINT.to_string());
    let embedded = endpoint == EMBEDDED;
    let endpoint = if embedded {
        embedded_url(state_dir, runtime).await?
    } else {
        endpoint
    };
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let (id, secret) = match (setting(p, "access_key_id"), setting(p, "access_key_secret")) {
        (Some(id), Some(secret)) => (id, secret),
        (id, secret) if embedded => (
            id.unwrap_or_else(|| EMBEDDED_KEY_ID.into()),
            secret.unwrap_or_else(|| EMBEDDED_KEY_SECRET.into()),
        ),
        (id, secret) => {
            let id = id.or_else(|| env("ALIBABA_CLOUD_ACCESS_KEY_ID"));
            let secret = secret.or_else(|| env("ALIBABA_CLOUD_ACCESS_KEY_SECRET"));
            match (id, secret) {
                (Some(id), Some(secret)) => (id, secret),
                _ => {
                    return Err(CliError::user(format!(
                        "provider {}: no credentials: set access_key_id and access_key_secret in the provider block \
                         or ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET in the environment",
                        p.addr
                    )))
                }
            }
        }
    };
    AliyunProvider::new(AliyunConfig {
        endpoint,
        access_key_id: id,
        access_key_secret: Secret::new(secret),
        retry: RetryPolicy::default(),
        observer: Some(runtime.observer.clone()),
    })
    .map_err(|e| CliError::user(format!("provider {}: {e}", p.addr)))
}

async fn baishan(
    p: &ProviderConfig,
    state_dir: &Path,
    runtime: &mut ProviderRuntime,
) -> Result<BaishanProvider, CliError> {
    let endpoint = setting(p, "endpoint").unwrap_or_else(|| BAISHAN_DEFAULT_ENDPOINT.to_string());
    let embedded = endpoint == EMBEDDED;
    let endpoint = if embedded {
        format!("{}/v2", embedded_url(state_dir, runtime).await?)
    } else {
        endpoint
    };
    let token = match setting(p, "token") {
        Some(t) => t,
        None if embedded => EMBEDDED_BAISHAN_TOKEN.to_string(),
        None => std::env::var("BAISHAN_TOKEN").ok().filter(|t| !t.is_empty()).ok_or_else(|| {
            CliError::user(format!(
                "provider {}: no credentials: set token in the provider block or BAISHAN_TOKEN in the environment",
                p.addr
            ))
        })?,
    };
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
    let endpoint = setting(p, "endpoint").unwrap_or_else(|| CTG_DEFAULT_ENDPOINT.to_string());
    let embedded = endpoint == EMBEDDED;
    let endpoint = if embedded {
        embedded_url(state_dir, runtime).await?
    } else {
        endpoint
    };
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let (key, secret) = match (setting(p, "access_key"), setting(p, "secret_key")) {
        (Some(k), Some(s)) => (k, s),
        (k, s) if embedded => (
            k.unwrap_or_else(|| EMBEDDED_KEY_ID.into()),
            s.unwrap_or_else(|| EMBEDDED_KEY_SECRET.into()),
        ),
        (k, s) => match (
            k.or_else(|| env("CTG_ACCESS_KEY")),
            s.or_else(|| env("CTG_SECRET_KEY")),
        ) {
            (Some(k), Some(s)) => (k, s),
            _ => {
                return Err(CliError::user(format!(
                "provider {}: no credentials: set access_key and secret_key in the provider block \
                     or CTG_ACCESS_KEY and CTG_SECRET_KEY in the environment",
                p.addr
            )))
            }
        },
    };
    CtgProvider::new(CtgConfig {
        endpoint,
        observer: Some(runtime.observer.clone()),
        ..CtgConfig::new(key, Secret::new(secret))
    })
    .map_err(|e| CliError::user(format!("provider {}: {e}", p.addr)))
}
