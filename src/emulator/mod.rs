//! TEMPORARY stand-in for the emulator being written on branch `emulator`.
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
pub struct EmulatorConfig {
    pub aliyun_keys: Vec<(String, String)>,
    pub configuring_delay: Duration,
    pub max_domains: usize,
    pub data_file: Option<PathBuf>,
}
impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            aliyun_keys: vec![("testid".into(), "testsecret".into())],
            configuring_delay: Duration::from_secs(1),
            max_domains: 500,
            data_file: None,
        }
    }
}
#[derive(Debug, thiserror::Error)]
#[error("emulator error")]
pub struct EmulatorError;
pub struct EmulatorHandle {
    addr: SocketAddr,
}
impl EmulatorHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub fn aliyun_domains(&self) -> serde_json::Value {
        serde_json::Value::Null
    }
    pub async fn shutdown(self) {}
}
pub async fn start(_c: EmulatorConfig, _l: SocketAddr) -> Result<EmulatorHandle, EmulatorError> {
    Err(EmulatorError)
}
