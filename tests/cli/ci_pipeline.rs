//! `tests/ci/pipeline.sh` end to end: what a CI pipeline does (saved plan
//! as an artifact, apply without a prompt, stale plans refused, drift exit
//! codes), run by bash against the emulator. Between its two phases the
//! test changes a domain on the emulator behind cdnform's back.

use crate::common::{aliyun_client, domain_block, provider_block, Emu, Project};
use cdnform::provider::Provider;
use std::path::Path;
use std::process::{Command, Stdio};

fn pipeline(project: &Path, artifacts: &Path, phase: &str) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ci/pipeline.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg(phase)
        .env("CDNFORM", env!("CARGO_BIN_EXE_cdnform"))
        .env("PROJECT", project)
        .env("ARTIFACTS", artifacts)
        .env_remove("ALIBABA_CLOUD_ACCESS_KEY_ID")
        .env_remove("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
        .stdin(Stdio::null())
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "pipeline.sh {phase} exited {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn ci_pipeline_script_passes_against_the_emulator() {
    let emu = Emu::start();
    let p = Project::new();
    let artifacts = tempfile::tempdir().unwrap();
    p.write(
        "main.hcl",
        &format!(
            "{}\n{}\n{}",
            provider_block(&emu.url()),
            domain_block("web", "www.example.com", "web", "192.0.2.10"),
            domain_block("img", "img.example.com", "web", "192.0.2.20")
        ),
    );

    pipeline(p.path(), artifacts.path(), "deploy");
    assert!(
        artifacts.path().join("plan.bin").exists(),
        "the artifact is kept"
    );
    let names: Vec<String> = emu
        .domains()
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["DomainName"].as_str().unwrap_or_default().to_string())
        .collect();
    for name in ["www.example.com", "img.example.com", "ci-extra.example.com"] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }

    // Outside cdnform: the web domain is stopped.
    let client = aliyun_client(&emu);
    emu.runtime
        .block_on(client.set_enabled("www.example.com", false))
        .unwrap();

    pipeline(p.path(), artifacts.path(), "drift");
}
