//! Running one `cdnform` command as a child process and measuring it: wall
//! time, CPU (user + system) and peak memory from `wait4`'s rusage, and the
//! bytes the run appended to the state journal (the journal is removed
//! when the run folds it into the snapshot, so it is opened while the run
//! is going and measured through that handle afterwards).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one child run cost.
#[derive(Clone, Debug)]
pub struct ChildRun {
    /// The exit code (128 + N when killed by signal N).
    pub code: i32,
    pub wall: Duration,
    /// User plus system CPU time of the child.
    pub cpu: Duration,
    /// Peak resident memory of the child, KiB.
    pub max_rss_kib: u64,
    /// Bytes the run appended to the state journal; `None` when it wrote
    /// none (or removed it before it could be opened).
    pub journal_bytes: Option<u64>,
    pub stdout: PathBuf,
    pub stderr: PathBuf,
}

impl ChildRun {
    /// The last `lines` lines of the run's stderr (for error messages).
    pub fn stderr_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

/// Run `binary -chdir=DIR ARGS... -no-color` with stdin closed and its
/// output in `logs` (`NAME.out`, `NAME.err`), holding on to `journal` as
/// soon as it appears.
pub fn run_measured(
    binary: &Path,
    dir: &Path,
    args: &[String],
    journal: &Path,
    logs: &Path,
    name: &str,
) -> std::io::Result<ChildRun> {
    std::fs::create_dir_all(logs)?;
    let stdout = logs.join(format!("{name}.out"));
    let stderr = logs.join(format!("{name}.err"));
    let mut command = Command::new(binary);
    command
        .arg(format!("-chdir={}", dir.display()))
        .args(args)
        .arg("-no-color")
        .stdin(Stdio::null())
        .stdout(File::create(&stdout)?)
        .stderr(File::create(&stderr)?);
    let started = Instant::now();
    let child = command.spawn()?;
    let done = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (done, journal) = (done.clone(), journal.to_path_buf());
        std::thread::spawn(move || hold_when_created(&journal, &done))
    };
    let waited = wait4(child.id() as libc::pid_t);
    let wall = started.elapsed();
    done.store(true, Ordering::SeqCst);
    let held = watcher.join().unwrap_or(None);
    let (code, usage) = waited?;
    let journal_bytes = held
        .and_then(|f| f.metadata().ok())
        .map(|m| m.len())
        .filter(|n| *n > 0);
    Ok(ChildRun {
        code,
        wall,
        cpu: cpu_time(&usage),
        max_rss_kib: usage.ru_maxrss.max(0) as u64,
        journal_bytes,
        stdout,
        stderr,
    })
}

/// Poll for `path` every millisecond until it exists (then open and return
/// it) or `done` is set.
fn hold_when_created(path: &Path, done: &AtomicBool) -> Option<File> {
    loop {
        if let Ok(f) = File::open(path) {
            return Some(f);
        }
        if done.load(Ordering::SeqCst) {
            return None;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Reap `pid` and return its exit code and resource usage.
fn wait4(pid: libc::pid_t) -> std::io::Result<(i32, libc::rusage)> {
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value of that plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `status` and `usage` are valid for writes for the call.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    Ok((code, usage))
}

/// User plus system time of `usage`.
pub fn cpu_time(usage: &libc::rusage) -> Duration {
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// The CPU time used so far by `who` (`RUSAGE_SELF`, `RUSAGE_THREAD`).
pub fn cpu_used(who: libc::c_int) -> Duration {
    // SAFETY: as in `wait4`.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is valid for writes; getrusage only fails on a bad `who`.
    if unsafe { libc::getrusage(who, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    cpu_time(&usage)
}

/// The peak resident memory of this process so far, KiB.
pub fn max_rss_self_kib() -> u64 {
    // SAFETY: as in `cpu_used`.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return 0;
    }
    usage.ru_maxrss.max(0) as u64
}
