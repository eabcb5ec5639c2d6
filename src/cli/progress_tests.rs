//! The progress line and summary as text (fixed clock values), and the log
//! ticker under paused tokio time.

use super::*;
use std::sync::Mutex;

fn at(base: Instant, secs: f64) -> Instant {
    base + Duration::from_secs_f64(secs)
}

/// `n` calls spread evenly over the `span` seconds before `now`.
fn calls(now: Instant, n: usize, span: f64) -> VecDeque<Instant> {
    (0..n)
        .map(|i| now - Duration::from_secs_f64(span * (n - i) as f64 / n as f64))
        .collect()
}

#[test]
fn thousands_separators() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1_000), "1,000");
    assert_eq!(thousands(1_240), "1,240");
    assert_eq!(thousands(50_000), "50,000");
    assert_eq!(thousands(1_234_567), "1,234,567");
}

#[test]
fn durations_read_like_a_clock() {
    let d = Duration::from_secs_f64;
    assert_eq!(duration_text(d(0.0)), "0.0s");
    assert_eq!(duration_text(d(0.43)), "0.4s");
    assert_eq!(duration_text(d(9.96)), "9.9s");
    assert_eq!(duration_text(d(10.0)), "10s");
    assert_eq!(duration_text(d(59.9)), "59s");
    assert_eq!(duration_text(d(60.0)), "1m00s");
    assert_eq!(duration_text(d(130.0)), "2m10s");
    assert_eq!(duration_text(d(3_723.0)), "1h02m03s");
}

#[test]
fn the_issue_example_line() {
    let base = Instant::now();
    let now = at(base, 130.0);
    let mut s = Snapshot::new(Phase::Refresh, 5_000, base);
    s.done = 1_240;
    s.vendors.insert(
        "aliyun".into(),
        VendorActivity {
            calls: calls(now, 2_100, 5.0),
            waiting_until: None,
        },
    );
    s.vendors.insert(
        "baishan".into(),
        VendorActivity {
            calls: calls(now, 30, 60.0),
            waiting_until: Some(at(now, 11.2)),
        },
    );
    assert_eq!(
        progress_line(&s, now),
        "Refreshing 1,240/5,000 domains (aliyun 420/s, baishan waiting 12s on rate limit)"
    );
    // A second later a fifth of aliyun's calls left the window, and the
    // wait counts down; once over, the vendor shows its rate again.
    assert_eq!(
        progress_line(&s, at(now, 1.0)),
        "Refreshing 1,240/5,000 domains (aliyun 336/s, baishan waiting 11s on rate limit)"
    );
    assert_eq!(
        progress_line(&s, at(now, 11.2)),
        "Refreshing 1,240/5,000 domains (aliyun idle, baishan idle)"
    );
    s.record_call("baishan", at(now, 11.5));
    assert!(progress_line(&s, at(now, 12.0)).ends_with("baishan 0.2/s)"));
}

#[test]
fn vendors_sorted_by_name_with_idle_ones() {
    let base = Instant::now();
    let now = at(base, 60.0);
    let mut s = Snapshot::new(Phase::Refresh, 3, base);
    s.done = 2;
    for (name, n, span) in [("ctg", 12, 3.0), ("aliyun", 64, 5.0)] {
        s.vendors.insert(
            name.into(),
            VendorActivity {
                calls: calls(now, n, span),
                waiting_until: None,
            },
        );
    }
    // Called, but not within the window.
    s.vendors.insert(
        "baishan".into(),
        VendorActivity {
            calls: [at(base, 10.0)].into(),
            waiting_until: Some(at(base, 20.0)),
        },
    );
    assert_eq!(
        progress_line(&s, now),
        "Refreshing 2/3 domains (aliyun 13/s, baishan idle, ctg 2.4/s)"
    );
}

#[test]
fn the_rate_early_on_counts_at_least_a_second() {
    let base = Instant::now();
    let mut s = Snapshot::new(Phase::Refresh, 1, base);
    s.vendors.insert(
        "aliyun".into(),
        VendorActivity {
            calls: [base, base, base].into(),
            waiting_until: None,
        },
    );
    assert_eq!(
        progress_line(&s, at(base, 0.2)),
        "Refreshing 0/1 domain (aliyun 3.0/s)"
    );
    assert_eq!(
        progress_line(&s, at(base, 2.0)),
        "Refreshing 0/1 domain (aliyun 1.5/s)"
    );
    assert_eq!(
        progress_line(&Snapshot::new(Phase::Refresh, 0, base), base),
        "Refreshing 0/0 domains"
    );
}

#[test]
fn failures_show_in_the_line_and_the_summary() {
    let base = Instant::now();
    let mut s = Snapshot::new(Phase::Refresh, 5_000, base);
    s.done = 5_000;
    assert_eq!(
        summary_line(&s, Duration::from_secs(130)),
        "Refreshed 5,000 domains in 2m10s"
    );
    s.failed = 2;
    assert_eq!(
        progress_line(&s, base),
        "Refreshing 5,000/5,000 domains, 2 failed"
    );
    assert_eq!(
        summary_line(&s, Duration::from_secs(130)),
        "Refreshed 4,998 of 5,000 domains in 2m10s (2 failed)"
    );
    let mut one = Snapshot::new(Phase::Refresh, 1, base);
    one.done = 1;
    assert_eq!(
        summary_line(&one, Duration::from_millis(420)),
        "Refreshed 1 domain in 0.4s"
    );
    let mut check = Snapshot::new(Phase::CheckNew, 2, base);
    assert_eq!(progress_line(&check, base), "Checking 0/2 new domain names");
    check.done = 2;
    assert_eq!(
        summary_line(&check, Duration::from_millis(120)),
        "Checked 2 new domain names in 0.1s"
    );
}

#[test]
fn old_calls_leave_the_window() {
    let base = Instant::now();
    let mut s = Snapshot::new(Phase::Refresh, 1, base);
    for t in [0.0, 1.0, 2.0, 6.5, 7.0] {
        s.record_call("aliyun", at(base, t));
    }
    assert_eq!(s.vendors["aliyun"].calls.len(), 3, "{s:?}");
    s.record_wait("baishan", at(base, 9.0));
    s.record_wait("baishan", at(base, 8.0));
    assert_eq!(s.vendors["baishan"].waiting_until, Some(at(base, 9.0)));
}

#[test]
fn the_log_interval_comes_from_the_environment_value() {
    assert_eq!(interval_from(None), Some(DEFAULT_INTERVAL));
    assert_eq!(interval_from(Some("")), Some(DEFAULT_INTERVAL));
    assert_eq!(interval_from(Some("30")), Some(Duration::from_secs(30)));
    assert_eq!(interval_from(Some("0.05")), Some(Duration::from_millis(50)));
    assert_eq!(interval_from(Some("0")), None);
    assert_eq!(interval_from(Some("soon")), Some(DEFAULT_INTERVAL));
    assert_eq!(interval_from(Some("-3")), Some(DEFAULT_INTERVAL));
}

fn collecting(every: Option<Duration>) -> (Arc<Progress>, Arc<Mutex<Vec<String>>>) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    let progress = Progress::lines(
        every,
        Arc::new(move |l: &str| sink.lock().unwrap().push(l.to_string())),
    );
    (progress, lines)
}

fn taken(lines: &Mutex<Vec<String>>) -> Vec<String> {
    std::mem::take(&mut *lines.lock().unwrap())
}

/// Move the paused clock on and let the ticker run.
async fn pass(secs: u64) {
    tokio::time::advance(Duration::from_secs(secs)).await;
    for _ in 0..5 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_log_gets_the_line_every_interval_then_the_summary() {
    let (progress, lines) = collecting(Some(Duration::from_secs(10)));
    let hook = ProgressPlanHook(progress.clone());
    let addr: Address = "cdn_domain.a".parse().unwrap();
    hook.refresh_begin(3);
    pass(8).await;
    for _ in 0..4 {
        progress.call("aliyun");
    }
    hook.refresh_done(&addr, Ok(true));
    assert_eq!(taken(&lines), Vec::<String>::new(), "nothing before 10 s");
    pass(2).await;
    assert_eq!(taken(&lines), ["Refreshing 1/3 domains (aliyun 0.8/s)"]);
    progress.rate_limit_wait("baishan", Duration::from_secs(12));
    pass(10).await;
    assert_eq!(
        taken(&lines),
        ["Refreshing 1/3 domains (aliyun idle, baishan waiting 2s on rate limit)"]
    );
    hook.refresh_done(&addr, Ok(false));
    hook.refresh_done(&addr, Err("boom".into()));
    assert_eq!(
        taken(&lines),
        ["Refreshed 2 of 3 domains in 20s (1 failed)"]
    );
    pass(60).await;
    assert_eq!(taken(&lines), Vec::<String>::new(), "the ticker stopped");
    // Reads after the run (imports) count nowhere.
    hook.refresh_done(&addr, Ok(true));
    assert_eq!(taken(&lines), Vec::<String>::new());
}

#[tokio::test(start_paused = true)]
async fn interval_zero_prints_only_the_summary_and_nothing_for_no_reads() {
    let (progress, lines) = collecting(None);
    progress.begin(Phase::Refresh, 0);
    pass(60).await;
    assert_eq!(taken(&lines), Vec::<String>::new());
    progress.begin(Phase::CheckNew, 1);
    pass(60).await;
    progress.finished_one(true);
    assert_eq!(taken(&lines), ["Checked 1 new domain name in 1m00s"]);
}

#[tokio::test(start_paused = true)]
async fn a_run_cut_short_stops_without_a_summary() {
    let (progress, lines) = collecting(Some(Duration::from_secs(1)));
    progress.begin(Phase::Refresh, 5);
    pass(1).await;
    assert_eq!(taken(&lines), ["Refreshing 0/5 domains"]);
    progress.end();
    pass(10).await;
    progress.finished_one(true);
    assert_eq!(taken(&lines), Vec::<String>::new());
}

#[test]
fn off_reports_nothing_and_needs_no_runtime() {
    let progress = Progress::off();
    progress.begin(Phase::Refresh, 2);
    progress.call("aliyun");
    progress.finished_one(true);
    progress.finished_one(true);
    assert!(progress.lock().current.is_none());
}
