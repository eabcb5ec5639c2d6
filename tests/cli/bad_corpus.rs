//! The bad-input corpus, `testdata/bad/NNN-name/`: every case runs the real
//! binary on a copy of its directory, must fail with its expected exit code
//! and messages, and must write nothing (no file of the directory created,
//! changed or removed; no domain or purge task added on the emulator).
//!
//! A case is its input files plus `case.json`:
//!
//! ```json
//! {
//!   "about": "what is wrong with the input",
//!   "command": ["apply", "plan.bin"],       // after `-chdir=DIR`; `-no-color` is appended
//!   "exit": 1,                              // default 1
//!   "expect": ["substring", "main.hcl:3:5"],// each must be in stdout + stderr
//!   "reject": ["s3cret"],                   // none may be (optional)
//!   "env": {"NAME": "value"},               // optional
//!   "setup": [                              // optional, run before the snapshot
//!     {"run": ["plan", "-out", "plan.bin"]},            // must exit 0
//!     {"run_in": {"dir": "seed", "args": ["apply", "-auto-approve"]}},
//!     {"copy": {"from": "next.hcl.txt", "to": "main.hcl"}},
//!     {"replace": {"file": "plan.bin", "from": "\"serial\": 0", "to": "\"serial\": 9"}},
//!     {"truncate": {"file": "state/cdnform.state.json", "len": 40}}
//!   ],
//!   "emulator": {                           // optional: start one, put its URL in
//!     "vendor": "aliyun",                   // place of EMULATOR_URL in the files, and
//!     "action": "DescribeCdnDomainDetail",  // after the setup answer that call with
//!     "answer": {"status": 200, "content_type": "application/json", "body": "{not json"},
//!     "refuse": {"status": 400, "code": "InvalidParameter", "message": "..."},
//!     "max_domains": 0
//!   }
//! }
//! ```
//!
//! Files a later setup step puts in place are kept under names the binary
//! does not read (`next.hcl.txt`). Only files count as written: a command
//! may leave the empty `state/` directory it locks in. A case's
//! `state/cdnform.state.json.lock` is held (its OS lock) by the runner while
//! the binary runs: it stands for a live holder.
//!
//! Expected text is matched with every run of whitespace taken as one space
//! (long details wrap). `BAD_CORPUS_CASE=substring` runs only the matching cases and
//! `BAD_CORPUS_SHOW=1` prints every output (for writing expectations).

use crate::common::{Emu, Run};
use cdnform::emulator::{RawAnswer, Refusal, RequestHook, RequestInfo, Vendor};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// The corpus may grow, never shrink unnoticed.
const MIN_CASES: usize = 60;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    about: String,
    command: Vec<String>,
    #[serde(default = "exit_one")]
    exit: i32,
    expect: Vec<String>,
    #[serde(default)]
    reject: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(default)]
    setup: Vec<Step>,
    emulator: Option<EmulatorSpec>,
}

fn exit_one() -> i32 {
    1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
enum Step {
    Run(Vec<String>),
    #[serde(rename = "run_in")]
    RunIn {
        dir: String,
        args: Vec<String>,
    },
    Copy {
        from: String,
        to: String,
    },
    Replace {
        file: String,
        from: String,
        to: String,
    },
    Truncate {
        file: String,
        len: u64,
    },
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EmulatorSpec {
    vendor: Option<String>,
    action: Option<String>,
    answer: Option<AnswerSpec>,
    refuse: Option<RefuseSpec>,
    max_domains: Option<usize>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerSpec {
    status: u16,
    #[serde(default)]
    content_type: String,
    body: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RefuseSpec {
    status: u16,
    code: String,
    message: String,
}

/// Answers (or refuses) one vendor action as the case says.
struct CaseHook {
    vendor: String,
    action: String,
    answer: Option<RawAnswer>,
    refusal: Option<Refusal>,
}

impl CaseHook {
    fn matches(&self, r: &RequestInfo<'_>) -> bool {
        r.vendor == self.vendor && r.action == self.action
    }
}

impl RequestHook for CaseHook {
    fn on_request(&self, r: &RequestInfo<'_>) -> Option<Refusal> {
        self.refusal.clone().filter(|_| self.matches(r))
    }

    fn replace_answer(&self, r: &RequestInfo<'_>) -> Option<RawAnswer> {
        self.answer.clone().filter(|_| self.matches(r))
    }
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/bad")
}

/// Runs `cdnform -chdir=DIR ARGS... -no-color` with stdin closed and no
/// credentials, variables or colours from the caller's environment.
fn run(dir: &Path, args: &[String], env: &BTreeMap<String, String>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cdnform"));
    cmd.arg(format!("-chdir={}", dir.display()));
    cmd.args(args);
    cmd.arg("-no-color");
    for (k, _) in std::env::vars() {
        let inherited_input = k.starts_with("CDNFORM_")
            || k.starts_with("ALIBABA_CLOUD_")
            || k.starts_with("BAISHAN_")
            || k.starts_with("CTG_")
            || k == "PG_CONN_STR";
        if inherited_input {
            cmd.env_remove(k);
        }
    }
    cmd.envs(env);
    cmd.stdin(Stdio::null());
    let out = cmd.output().expect("cdnform runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every file under `root`, by relative path, with its bytes.
fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// Puts `url` in place of `EMULATOR_URL` in every text file under `dir`;
/// returns whether any file had the placeholder.
fn fill_placeholder(dir: &Path, url: Option<&str>) -> Result<bool, String> {
    let mut found = false;
    for (rel, bytes) in files(dir) {
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        if text.contains("EMULATOR_URL") {
            found = true;
            let url = url.ok_or(format!("{rel} names EMULATOR_URL but there is no emulator"))?;
            std::fs::write(dir.join(&rel), text.replace("EMULATOR_URL", url)).unwrap();
        }
    }
    Ok(found)
}

/// What the emulator holds that a command could have written: every
/// vendor's domains and every purge/preload task (ids and URLs; the phase
/// moves on its own).
fn world(emu: &Emu) -> String {
    let h = emu.handle.as_ref().unwrap();
    let tasks = |v| {
        h.content_tasks(v)
            .into_iter()
            .map(|t| format!("{} {:?}", t.id, t.urls))
            .collect::<Vec<_>>()
    };
    format!(
        "aliyun {}\nbaishan {}\nctg {}\ntasks {:?} {:?} {:?}",
        h.aliyun_domains(),
        h.baishan_domains(),
        h.ctg_domains(),
        tasks(Vendor::Aliyun),
        tasks(Vendor::Baishan),
        tasks(Vendor::Ctg)
    )
}

fn start_emulator(spec: &EmulatorSpec) -> Emu {
    Emu::start_with(|c| {
        // No time-driven status changes between the two snapshots.
        c.configuring_delay = Duration::ZERO;
        c.task_delay = Duration::from_millis(10);
        if let Some(n) = spec.max_domains {
            c.max_domains = n;
        }
    })
}

fn install_hook(emu: &Emu, spec: &EmulatorSpec) -> Result<(), String> {
    if spec.answer.is_none() && spec.refuse.is_none() {
        return Ok(());
    }
    let (Some(vendor), Some(action)) = (&spec.vendor, &spec.action) else {
        return Err("an emulator answer or refusal needs `vendor` and `action`".into());
    };
    emu.handle.as_ref().unwrap().add_hook(Arc::new(CaseHook {
        vendor: vendor.clone(),
        action: action.clone(),
        answer: spec.answer.clone().map(|a| RawAnswer {
            status: a.status,
            content_type: a.content_type,
            body: a.body,
        }),
        refusal: spec.refuse.clone().map(|r| Refusal {
            status: r.status,
            code: r.code,
            message: r.message,
        }),
    }));
    Ok(())
}

fn setup_run(dir: &Path, args: &[String], env: &BTreeMap<String, String>) -> Result<(), String> {
    let r = run(dir, args, env);
    if r.code == 0 {
        Ok(())
    } else {
        Err(format!("setup step {args:?} failed: {r:?}"))
    }
}

fn setup(dir: &Path, case: &Case) -> Result<(), String> {
    let path = |rel: &str| dir.join(rel);
    for step in &case.setup {
        match step {
            Step::Run(args) => setup_run(dir, args, &case.env)?,
            Step::RunIn { dir: sub, args } => setup_run(&path(sub), args, &case.env)?,
            Step::Copy { from, to } => {
                std::fs::copy(path(from), path(to)).map_err(|e| format!("copy {from}: {e}"))?;
            }
            Step::Replace { file, from, to } => {
                let text = std::fs::read_to_string(path(file))
                    .map_err(|e| format!("replace in {file}: {e}"))?;
                if !text.contains(from.as_str()) {
                    return Err(format!("setup: {from:?} is not in {file}:\n{text}"));
                }
                std::fs::write(path(file), text.replace(from.as_str(), to)).unwrap();
            }
            Step::Truncate { file, len } => {
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(path(file))
                    .map_err(|e| format!("truncate {file}: {e}"))?;
                f.set_len(*len).unwrap();
            }
        }
    }
    Ok(())
}

fn describe_change(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
) -> String {
    let mut out = Vec::new();
    for (rel, bytes) in after {
        match before.get(rel) {
            None => out.push(format!("created {rel}")),
            Some(b) if b != bytes => out.push(format!("changed {rel}")),
            Some(_) => {}
        }
    }
    for rel in before.keys().filter(|r| !after.contains_key(*r)) {
        out.push(format!("removed {rel}"));
    }
    out.join(", ")
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Runs one case; `Err` says everything that went wrong.
fn check(name: &str, case_dir: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(case_dir.join("case.json"))
        .map_err(|e| format!("no case.json: {e}"))?;
    let case: Case =
        serde_json::from_str(&text).map_err(|e| format!("case.json is not valid: {e}"))?;
    if case.about.trim().is_empty() || case.expect.is_empty() {
        return Err("case.json needs `about` and at least one `expect`".into());
    }
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join(name);
    copy_dir(case_dir, &dir);
    std::fs::remove_file(dir.join("case.json")).unwrap();

    let emu = case.emulator.as_ref().map(start_emulator);
    let url = emu.as_ref().map(Emu::url);
    let used = fill_placeholder(&dir, url.as_deref())?;
    if emu.is_some() && !used {
        return Err("`emulator` is set but no file names EMULATOR_URL".into());
    }
    setup(&dir, &case)?;
    if let (Some(emu), Some(spec)) = (&emu, &case.emulator) {
        install_hook(emu, spec)?;
    }

    // A lock file in a case stands for a live holder: hold its OS lock
    // while the binary runs (a lock file nobody holds is a dead run's
    // leftover, which the binary takes over).
    let lock_path = dir.join("state/cdnform.state.json.lock");
    let _held = lock_path.exists().then(|| {
        let f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&lock_path)
            .unwrap();
        f.try_lock().expect("the case's lock file is free to hold");
        f
    });
    let files_before = files(&dir);
    let world_before = emu.as_ref().map(world);
    let r = run(&dir, &case.command, &case.env);
    if std::env::var_os("BAD_CORPUS_SHOW").is_some() {
        eprintln!("=== {name}\n{r:?}");
    }
    let mut files_after = files(&dir);
    let world_after = emu.as_ref().map(world);
    // A create that was attempted journals its intent first (so that a
    // crash right after the vendor accepted it is found by reading); that
    // write-ahead record, and the one closing it, change no state.
    let journal = "state/cdnform.state.json.journal";
    if !files_before.contains_key(journal) && only_intents(files_after.get(journal)) {
        files_after.remove(journal);
    }

    let mut problems = Vec::new();
    if r.code != case.exit {
        problems.push(format!("exit code {}, expected {}", r.code, case.exit));
    }
    // Long details wrap in the terminal rendering: compare with every run
    // of whitespace as one space.
    let all = squeeze(&r.all());
    for e in &case.expect {
        if !all.contains(&squeeze(e)) {
            problems.push(format!("missing {e:?}"));
        }
    }
    for e in case.reject.iter().map(String::as_str).chain(["panicked"]) {
        if all.contains(e) {
            problems.push(format!("must not print {e:?}"));
        }
    }
    if files_before != files_after {
        problems.push(format!(
            "files written: {}",
            describe_change(&files_before, &files_after)
        ));
    }
    if world_before != world_after {
        problems.push(format!(
            "the emulator's world changed:\n{}\n->\n{}",
            world_before.unwrap_or_default(),
            world_after.unwrap_or_default()
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\n  ({})\n{r:?}",
            problems.join("\n"),
            case.about
        ))
    }
}

#[test]
fn every_bad_input_fails_clearly_and_writes_nothing() {
    let only = std::env::var("BAD_CORPUS_CASE").ok();
    let mut names: Vec<String> = std::fs::read_dir(corpus_dir())
        .expect("testdata/bad exists")
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    if only.is_none() {
        assert!(
            names.len() >= MIN_CASES,
            "testdata/bad holds {} cases, fewer than {MIN_CASES}",
            names.len()
        );
    }
    let mut failures = Vec::new();
    let mut ran = 0;
    for name in &names {
        if only.as_ref().is_some_and(|o| !name.contains(o.as_str())) {
            continue;
        }
        ran += 1;
        if let Err(why) = check(name, &corpus_dir().join(name)) {
            failures.push(format!("=== testdata/bad/{name}: {why}"));
        }
    }
    assert!(ran > 0, "no case matches BAD_CORPUS_CASE={only:?}");
    assert!(
        failures.is_empty(),
        "{} of {ran} bad-input cases failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn case_names_are_numbered_and_unique() {
    let mut numbers = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(corpus_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let (number, rest) = name.split_once('-').unwrap_or(("", ""));
        assert!(
            number.len() == 3 && number.bytes().all(|b| b.is_ascii_digit()) && !rest.is_empty(),
            "testdata/bad/{name}: want NNN-short-name"
        );
        assert!(
            numbers.insert(number.to_string()),
            "number {number} used twice"
        );
    }
}

/// Whether a journal holds nothing but create intents and the removals
/// that close them.
fn only_intents(journal: Option<&Vec<u8>>) -> bool {
    let Some(bytes) = journal else { return false };
    String::from_utf8_lossy(bytes).lines().all(|line| {
        let rec: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
        let op = rec.pointer("/op/op").or_else(|| rec.get("op"));
        matches!(op.and_then(|o| o.as_str()), Some("intent" | "remove"))
    })
}
