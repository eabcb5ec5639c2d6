//! The three vendor clients' purge/preload calls against the emulator on a
//! loopback port (the library, not the binary): create a domain through
//! the provider, purge a URL, preload one, poll the tasks until done, read
//! the quota where the vendor has a quota API, and spend the day's
//! directory quota to see the refusal mapped as a quota error.

use cdnform::emulator::{self, EmulatorConfig, EmulatorHandle};
use cdnform::model::{CdnType, Domain, Origin, OriginType, Secret};
use cdnform::provider::aliyun::{AliyunConfig, AliyunProvider};
use cdnform::provider::baishan::{BaishanConfig, BaishanProvider};
use cdnform::provider::content::{ContentKind, TaskState};
use cdnform::provider::ctg::{CtgConfig, CtgProvider};
use cdnform::provider::Provider;
use std::time::{Duration, Instant};

async fn start() -> EmulatorHandle {
    let config = EmulatorConfig {
        task_delay: Duration::from_millis(50),
        configuring_delay: Duration::from_millis(50),
        ..Default::default()
    };
    emulator::start(config, ([127, 0, 0, 1], 0).into())
        .await
        .expect("emulator starts")
}

fn domain(name: &str) -> Domain {
    Domain::new(
        name,
        CdnType::Web,
        vec![Origin {
            origin_type: OriginType::Ip,
            address: "203.0.113.10".into(),
            port: 80,
            priority: 20,
            weight: 10,
        }],
    )
}

/// Poll until every task is finished (a few seconds at most).
async fn wait_done(p: &dyn Provider, kind: ContentKind, ids: &[String]) {
    let started = Instant::now();
    loop {
        let got = p.content_status(kind, ids).await.expect("status");
        assert_eq!(got.len(), ids.len());
        if got.iter().all(|s| s.state.is_finished()) {
            for s in &got {
                assert_eq!(s.state, TaskState::Done, "{s:?}");
            }
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "tasks never finished: {got:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Purge as many directories as one call takes (the whole day's quota for
/// every vendor), then one more: refused as a quota error.
async fn spend_directory_quota(p: &dyn Provider, name: &str) {
    let limits = p.content_limits();
    let per_call = limits.per_call[&ContentKind::Directory];
    assert_eq!(per_call as u64, limits.daily[&ContentKind::Directory]);
    let dirs: Vec<String> = (0..per_call)
        .map(|i| format!("http://{name}/d{i}/"))
        .collect();
    let s = p
        .submit_content(ContentKind::Directory, &dirs, None)
        .await
        .expect("a day's directories");
    wait_done(p, ContentKind::Directory, &s.task_ids).await;
    let one = vec![format!("http://{name}/late/")];
    let e = p
        .submit_content(ContentKind::Directory, &one, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, cdnform::provider::ErrorKind::Quota, "{e}");
}

/// Create `name`, purge one of its URLs and preload another, and wait for
/// both tasks.
async fn purge_and_preload(p: &dyn Provider, name: &str, area: Option<&str>) {
    p.create_domain(&domain(name)).await.expect("create");
    let purge = vec![format!("http://{name}/a.png")];
    let s = p
        .submit_content(ContentKind::Url, &purge, None)
        .await
        .expect("purge");
    assert!(!s.task_ids.is_empty(), "{s:?}");
    assert!(s.rejected.is_empty(), "{s:?}");
    wait_done(p, ContentKind::Url, &s.task_ids).await;
    let preload = vec![format!("http://{name}/big.bin")];
    let s = p
        .submit_content(ContentKind::Preload, &preload, area)
        .await
        .expect("preload");
    assert!(!s.task_ids.is_empty(), "{s:?}");
    wait_done(p, ContentKind::Preload, &s.task_ids).await;
}

#[tokio::test]
async fn aliyun_purge_preload_status_and_quota() {
    let emu = start().await;
    let p = AliyunProvider::new(AliyunConfig {
        endpoint: emu.url(),
        ..AliyunConfig::new("testid", Secret::new("testsecret"))
    })
    .unwrap();
    purge_and_preload(&p, "content.example.com", Some("domestic")).await;
    let regex = vec!["http://content.example.com/img/.*\\.png".to_string()];
    let s = p
        .submit_content(ContentKind::Regex, &regex, None)
        .await
        .expect("regex purge");
    wait_done(&p, ContentKind::Regex, &s.task_ids).await;
    spend_directory_quota(&p, "content.example.com").await;
    let limits = p.content_limits();
    let q = p.content_quota().await.unwrap().expect("a quota API");
    assert_eq!(q[&ContentKind::Url], limits.daily[&ContentKind::Url] - 1);
    assert_eq!(q[&ContentKind::Directory], 0);
    assert_eq!(
        q[&ContentKind::Preload],
        limits.daily[&ContentKind::Preload] - 1
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn baishan_purge_preload_status_and_quota() {
    let emu = start().await;
    let mut config = BaishanConfig::new(Secret::new("testtoken"));
    config.endpoint = format!("{}/v2", emu.url());
    let p = BaishanProvider::new(config).unwrap();
    purge_and_preload(&p, "content.example.com", None).await;
    spend_directory_quota(&p, "content.example.com").await;
    let q = p.content_quota().await.unwrap().expect("a quota API");
    assert_eq!(q, [(ContentKind::Preload, 10_000 - 1)].into());
    emu.shutdown().await;
}

#[tokio::test]
async fn ctg_purge_preload_status_and_no_quota_api() {
    let emu = start().await;
    let mut config = CtgConfig::new("testid", Secret::new("testsecret"));
    config.endpoint = emu.url();
    let p = CtgProvider::new(config).unwrap();
    purge_and_preload(&p, "content.example.com", None).await;
    spend_directory_quota(&p, "content.example.com").await;
    assert_eq!(p.content_quota().await.unwrap(), None);
    emu.shutdown().await;
}
