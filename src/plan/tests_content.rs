//! Purges and preloads through the engine over the in-memory provider
//! (3 items and 2 hosts per call, 10 a day): first run, unchanged and
//! changed triggers, ordering after domain changes, the quota check,
//! forgetting without a call.

use super::tests::*;
use crate::apply::content::check_quotas;
use crate::plan::render::{render_plan, RenderOptions};
use crate::plan::{Action, PlanMode};
use crate::provider::memory::MemoryProvider;
use serde_json::json;
use std::sync::Arc;

fn purge(urls: &[&str], version: &str) -> Decl {
    Decl {
        name: "cdn_purge.release",
        value: json!({"urls": urls, "triggers": {"version": version}, "wait": true, "timeout": "1m"}),
        origin_from: None,
        depends_on: vec![],
        lifecycle: Default::default(),
    }
}

fn content_calls(p: &MemoryProvider) -> Vec<String> {
    p.calls()
        .into_iter()
        .filter(|c| c.starts_with("content:"))
        .collect()
}

#[tokio::test]
async fn runs_once_per_trigger_change_in_batches() {
    let p = Arc::new(MemoryProvider::new());
    let urls: Vec<String> = (0..7)
        .map(|i| format!("https://static.example.com/{i}.js"))
        .collect();
    let mut with_dup: Vec<&str> = urls.iter().map(String::as_str).collect();
    with_dup.push(urls[0].as_str());
    let first = FakeDesired::new(vec![purge(&with_dup, "41")]);
    let plan1 = plan(&first, &empty_state(), &p, PlanMode::Normal).await;
    assert_eq!(plan1.summary().run, 1);
    let text = render_plan(&plan1, RenderOptions::default());
    assert!(
        text.contains("# cdn_purge.release will be executed (first run: 7 URLs)"),
        "{text}"
    );
    assert!(text.contains("Plan: 1 to run, 0 to add"), "{text}");
    let (state, report, _) = apply(&plan1, &p).await;
    assert!(report.is_success(), "{report:?}");
    // 7 distinct URLs at 3 per call: 3 calls.
    assert_eq!(content_calls(&p).len(), 3, "{:?}", p.calls());
    let rec = state.get(&addr("cdn_purge.release")).unwrap();
    assert_eq!(rec.attributes["outcome"], "complete");
    assert_eq!(rec.attributes["task_ids"].as_array().unwrap().len(), 3);

    // Unchanged triggers: nothing runs.
    let again = plan(&first, &state, &p, PlanMode::Normal).await;
    assert!(!again.has_changes());
    // Changed triggers: runs exactly once more.
    let next = FakeDesired::new(vec![purge(&with_dup, "42")]);
    let plan2 = plan(&next, &state, &p, PlanMode::Normal).await;
    let c = plan2.change(&addr("cdn_purge.release")).unwrap();
    assert_eq!(c.action, Action::Replace);
    let text = render_plan(&plan2, RenderOptions::default());
    assert!(
        text.contains("will be executed (triggers changed: version \"41\" -> \"42\"; 7 URLs)"),
        "{text}"
    );
    let (state, report, _) = apply(&plan2, &p).await;
    assert!(report.is_success(), "{report:?}");
    assert_eq!(content_calls(&p).len(), 6);
    // Removing it forgets it without a call.
    let none = FakeDesired::new(vec![]);
    let plan3 = plan(&none, &state, &p, PlanMode::Normal).await;
    assert!(render_plan(&plan3, RenderOptions::default()).contains("will be forgotten"));
    let (state, report, _) = apply(&plan3, &p).await;
    assert!(report.is_success());
    assert!(state.resources.is_empty());
    assert_eq!(content_calls(&p).len(), 6);
}

#[tokio::test]
async fn runs_after_the_domain_its_urls_are_on() {
    let p = Arc::new(MemoryProvider::new());
    let desired = FakeDesired::new(vec![
        Decl {
            name: "static",
            value: domain("static.example.com", "192.0.2.1"),
            origin_from: None,
            depends_on: vec![],
            lifecycle: Default::default(),
        },
        purge(
            &[
                "https://static.example.com/app.js",
                "https://other.example.net/x",
            ],
            "1",
        ),
    ]);
    let first = plan(&desired, &empty_state(), &p, PlanMode::Normal).await;
    let c = first.change(&addr("cdn_purge.release")).unwrap();
    assert_eq!(c.depends_on, vec![addr("static")]);
    assert_eq!(first.warnings.len(), 1);
    assert!(first.warnings[0]
        .detail
        .as_deref()
        .unwrap()
        .contains("other.example.net"));
    let (_, report, _) = apply(&first, &p).await;
    assert!(report.is_success(), "{report:?}");
    let calls = p.calls();
    let created = calls
        .iter()
        .position(|c| c == "create:static.example.com")
        .unwrap();
    let purged = calls
        .iter()
        .position(|c| c.starts_with("content:"))
        .unwrap();
    assert!(created < purged, "{calls:?}");
    // Two hosts fit one call (2 hosts per call).
    assert_eq!(content_calls(&p).len(), 1);
}

#[tokio::test]
async fn quota_counts_what_the_state_ran_today() {
    let p = Arc::new(MemoryProvider::new());
    let nine: Vec<String> = (0..9)
        .map(|i| format!("https://static.example.com/{i}"))
        .collect();
    let nine: Vec<&str> = nine.iter().map(String::as_str).collect();
    let desired = FakeDesired::new(vec![purge(&nine, "1")]);
    let first = plan(&desired, &empty_state(), &p, PlanMode::Normal).await;
    check_quotas(&first, &providers(&p), &first.refreshed)
        .await
        .unwrap();
    let (state, report, _) = apply(&first, &p).await;
    assert!(report.is_success());
    // 9 ran today; 3 more would pass the 10 a day.
    let more = FakeDesired::new(vec![purge(&nine[..3], "2")]);
    let second = plan(&more, &state, &p, PlanMode::Normal).await;
    let err = check_quotas(&second, &providers(&p), &second.refreshed)
        .await
        .unwrap_err();
    assert!(err.contains("needs 3 URL(s) but only 1 remain"), "{err}");
    assert!(err.contains("Nothing was sent"), "{err}");
}
