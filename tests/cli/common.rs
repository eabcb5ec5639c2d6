//! Shared harness: an emulator on a loopback port, a scratch directory with
//! a configuration, and the real `cdnform` binary run against them.

use cdnform::emulator::{self, EmulatorConfig, EmulatorHandle};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

pub struct Emu {
    pub runtime: tokio::runtime::Runtime,
    pub handle: Option<EmulatorHandle>,
}

impl Emu {
    pub fn start() -> Emu {
        Emu::start_with(|_| {})
    }

    /// Start with the default test settings changed by `adjust`.
    pub fn start_with(adjust: impl FnOnce(&mut EmulatorConfig)) -> Emu {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let mut config = EmulatorConfig {
            configuring_delay: Duration::from_millis(300),
            ..EmulatorConfig::default()
        };
        adjust(&mut config);
        let handle = runtime
            .block_on(emulator::start(config, ([127, 0, 0, 1], 0).into()))
            .expect("emulator starts");
        Emu {
            runtime,
            handle: Some(handle),
        }
    }

    pub fn url(&self) -> String {
        self.handle.as_ref().unwrap().url()
    }

    pub fn domains(&self) -> serde_json::Value {
        self.handle.as_ref().unwrap().aliyun_domains()
    }

    /// The names of the Alibaba domains on the account, in its order.
    pub fn domain_names(&self) -> Vec<String> {
        self.domains()
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["DomainName"].as_str().unwrap().to_string())
            .collect()
    }
}

impl Drop for Emu {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            self.runtime.block_on(h.shutdown());
        }
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// A scratch project directory.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new() -> Project {
        Project {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path().join(name), text).unwrap();
    }

    pub fn state_path(&self) -> PathBuf {
        self.path().join("state/cdnform.state.json")
    }

    pub fn state_bytes(&self) -> Option<Vec<u8>> {
        std::fs::read(self.state_path()).ok()
    }

    pub fn state_json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.state_bytes().expect("state file exists")).unwrap()
    }

    /// Run `cdnform -chdir=DIR ARGS... -no-color` with stdin closed.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cdnform"));
        cmd.arg(format!("-chdir={}", self.path().display()));
        cmd.args(args);
        cmd.arg("-no-color");
        cmd.env_remove("ALIBABA_CLOUD_ACCESS_KEY_ID");
        cmd.env_remove("ALIBABA_CLOUD_ACCESS_KEY_SECRET");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.stdin(Stdio::null());
        let out: Output = cmd.output().expect("cdnform runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// A provider block for the emulator at `url` with the docs' test keys.
pub fn provider_block(url: &str) -> String {
    format!(
        "provider \"aliyun\" {{\n  endpoint          = \"{url}\"\n  access_key_id     = \"testid\"\n  access_key_secret = \"testsecret\"\n}}\n"
    )
}

pub fn domain_block(label: &str, name: &str, cdn_type: &str, origin: &str) -> String {
    format!(
        "resource \"cdn_domain\" \"{label}\" {{\n  name     = \"{name}\"\n  cdn_type = \"{cdn_type}\"\n\n  origin {{\n    type    = \"ip\"\n    address = \"{origin}\"\n    port    = 80\n  }}\n}}\n"
    )
}

/// A Baishan provider block for the emulator at `url` with its test token.
pub fn baishan_block(url: &str) -> String {
    format!("provider \"baishan\" {{\n  endpoint = \"{url}/v2\"\n  token    = \"testtoken\"\n}}\n")
}

/// A client of the emulator's Alibaba API, for changes made behind
/// cdnform's back.
pub fn aliyun_client(emu: &Emu) -> cdnform::provider::aliyun::AliyunProvider {
    use cdnform::provider::aliyun::{AliyunConfig, AliyunProvider};
    AliyunProvider::new(AliyunConfig {
        endpoint: emu.url(),
        ..AliyunConfig::new("testid", cdnform::model::Secret::new("testsecret"))
    })
    .unwrap()
}
