//! Accessors of `EmulatorHandle` for integration tests: the purge/preload tasks of each
//! vendor and the use of its daily quotas, which tests may also set.

use chrono::{DateTime, Utc};

use super::content::{
    ContentKind, ContentTask, DailyQuotas, QuotaUsage, StatusWords, TaskBook, Vendor,
};
use super::server::Shared;
use super::store::World;
use super::{aliyun, baishan, ctg, EmulatorError, EmulatorHandle};

fn book(world: &World, vendor: Vendor) -> &TaskBook {
    match vendor {
        Vendor::Aliyun => &world.aliyun.content,
        Vendor::Baishan => &world.baishan.content,
        Vendor::Ctg => &world.ctg.content,
    }
}

fn book_mut(world: &mut World, vendor: Vendor) -> &mut TaskBook {
    match vendor {
        Vendor::Aliyun => &mut world.aliyun.content,
        Vendor::Baishan => &mut world.baishan.content,
        Vendor::Ctg => &mut world.ctg.content,
    }
}

fn quotas(shared: &Shared, vendor: Vendor) -> &DailyQuotas {
    match vendor {
        Vendor::Aliyun => &shared.config.aliyun_quotas,
        Vendor::Baishan => &shared.config.baishan_quotas,
        Vendor::Ctg => &shared.config.ctg_quotas,
    }
}

fn words(vendor: Vendor) -> StatusWords {
    match vendor {
        Vendor::Aliyun => aliyun::content_actions::STATUS_WORDS,
        Vendor::Baishan => baishan::content::STATUS_WORDS,
        Vendor::Ctg => ctg::content::STATUS_WORDS,
    }
}

/// Every kept task of `vendor` at `now`, oldest first.
pub(crate) fn tasks(shared: &Shared, vendor: Vendor, now: DateTime<Utc>) -> Vec<ContentTask> {
    let world = shared.snapshot();
    book(&world, vendor)
        .tasks
        .values()
        .map(|t| {
            let phase = t.phase(now);
            ContentTask {
                vendor,
                id: t.id.to_string(),
                kind: t.kind,
                urls: t.urls(),
                failed_urls: t.failed_urls(),
                phase,
                status: words(vendor).word(phase),
                created: t.created,
            }
        })
        .collect()
}

pub(crate) fn quota(
    shared: &Shared,
    vendor: Vendor,
    kind: ContentKind,
    now: DateTime<Utc>,
) -> QuotaUsage {
    let world = shared.snapshot();
    let usage = &book(&world, vendor).usage;
    let q = quotas(shared, vendor);
    QuotaUsage {
        vendor,
        kind,
        day: now.date_naive(),
        limit: q.limit(kind),
        used: usage.used(kind, now),
        remaining: usage.remaining(q, kind, now),
    }
}

pub(crate) fn set_remaining(
    shared: &Shared,
    vendor: Vendor,
    kind: ContentKind,
    remaining: u64,
    now: DateTime<Utc>,
) -> Result<(), EmulatorError> {
    let used = quotas(shared, vendor).limit(kind).saturating_sub(remaining);
    shared.transact(|w| {
        book_mut(w, vendor).usage.set_used(kind, used, now);
        Ok::<_, EmulatorError>(((), true))
    })
}

pub(crate) fn reset(shared: &Shared, vendor: Vendor) -> Result<(), EmulatorError> {
    shared.transact(|w| {
        book_mut(w, vendor).usage = Default::default();
        Ok::<_, EmulatorError>(((), true))
    })
}

impl EmulatorHandle {
    /// Every purge/preload task `vendor` keeps (the last 7 days), oldest first, with its
    /// phase and the vendor's status word as of now. Each Alibaba task is listed on its own:
    /// a `RefreshObjectCaches` call that answered `RefreshTaskId` `"a,b"` made two.
    pub fn content_tasks(&self, vendor: Vendor) -> Vec<ContentTask> {
        tasks(&self.shared, vendor, Utc::now())
    }

    /// Today's (UTC) use of `vendor`'s daily quota of `kind` (for a kind the vendor does not
    /// have, e.g. Baishan `Regex`, the limit is 0).
    pub fn content_quota(&self, vendor: Vendor, kind: ContentKind) -> QuotaUsage {
        quota(&self.shared, vendor, kind, Utc::now())
    }

    /// Makes `remaining` of `vendor`'s quota of `kind` remain today (at most the limit:
    /// larger values give the full limit). Persisted like any change of the world.
    pub fn set_quota_remaining(
        &self,
        vendor: Vendor,
        kind: ContentKind,
        remaining: u64,
    ) -> Result<(), EmulatorError> {
        set_remaining(&self.shared, vendor, kind, remaining, Utc::now())
    }

    /// Forgets today's use of every quota of `vendor` (all remain in full).
    pub fn reset_quota_usage(&self, vendor: Vendor) -> Result<(), EmulatorError> {
        reset(&self.shared, vendor)
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::time::Duration;

    use chrono::TimeDelta;
    use serde_json::json;

    use super::*;
    use crate::emulator::aliyun::test_support as ali;
    use crate::emulator::content::TaskPhase;
    use crate::emulator::{ctg, start, AliyunLimits, EmulatorConfig};

    fn shared(delay_ms: u64) -> Shared {
        ali::shared_from(
            EmulatorConfig {
                configuring_delay: Duration::ZERO,
                task_delay: Duration::from_millis(delay_ms),
                aliyun_limits: AliyunLimits::unlimited(),
                ..EmulatorConfig::default()
            },
            None,
        )
    }

    #[test]
    fn tasks_are_listed_per_vendor_with_phase_and_status_word() {
        let s = shared(1000);
        let t0 = ali::t0();
        ali::add18(&s, t0, "a.com");
        let paths = "http://a.com/1\nhttp://b.com/2";
        let (_, v) = ali::call_at(
            &s,
            t0,
            ali::V18,
            "RefreshObjectCaches",
            &[("ObjectPath", paths)],
        );
        let id = v["RefreshTaskId"].as_str().unwrap();
        let c = ctg::test_support::Client::with(s);
        c.call_at(
            t0,
            "POST",
            "/API/content/prefetch",
            Some(json!({"urls": ["http://a.com/1"]})),
        );

        let ali_tasks = tasks(&c.s, Vendor::Aliyun, t0);
        assert_eq!(ali_tasks.len(), 1);
        let t = &ali_tasks[0];
        assert_eq!(
            (t.vendor, t.id.as_str(), t.kind),
            (Vendor::Aliyun, id, ContentKind::Url)
        );
        assert_eq!(t.urls, ["http://a.com/1", "http://b.com/2"]);
        assert_eq!(t.failed_urls, ["http://b.com/2"]);
        assert_eq!(
            (t.phase, t.status, t.created),
            (TaskPhase::Pending, "Pending", t0)
        );
        let later = t0 + TimeDelta::seconds(1);
        assert_eq!(tasks(&c.s, Vendor::Aliyun, later)[0].status, "Failed");
        let ctg_tasks = tasks(&c.s, Vendor::Ctg, later);
        assert_eq!(
            (ctg_tasks[0].kind, ctg_tasks[0].status),
            (ContentKind::Preload, "failed")
        );
        assert!(tasks(&c.s, Vendor::Baishan, later).is_empty());
    }

    #[test]
    fn quotas_can_be_read_set_and_reset() {
        let s = shared(0);
        let t0 = ali::t0();
        ali::add18(&s, t0, "a.com");
        ali::call_at(
            &s,
            t0,
            ali::V18,
            "PushObjectCache",
            &[("ObjectPath", "http://a.com/1")],
        );
        let q = quota(&s, Vendor::Aliyun, ContentKind::Preload, t0);
        assert_eq!((q.limit, q.used, q.remaining), (1_000, 1, 999));
        assert_eq!(q.day, t0.date_naive());
        set_remaining(&s, Vendor::Aliyun, ContentKind::Url, 1, t0).unwrap();
        let (st, v) = ali::call_at(&s, t0, ali::V18, "DescribeCdnUserQuota", &[]);
        assert_eq!((st, &v["RefreshUrlRemain"]), (200, &json!(1)));
        let two = [("ObjectPath", "http://a.com/1\nhttp://a.com/2")];
        let (_, v) = ali::call_at(&s, t0, ali::V18, "RefreshObjectCaches", &two);
        assert_eq!(v["Code"], "QuotaExceeded.Refresh");
        set_remaining(&s, Vendor::Aliyun, ContentKind::Url, 50_000, t0).unwrap();
        assert_eq!(
            quota(&s, Vendor::Aliyun, ContentKind::Url, t0).remaining,
            10_000
        );
        reset(&s, Vendor::Aliyun).unwrap();
        assert_eq!(quota(&s, Vendor::Aliyun, ContentKind::Preload, t0).used, 0);
        let none = quota(&s, Vendor::Baishan, ContentKind::Regex, t0);
        assert_eq!((none.limit, none.remaining), (0, 0));
    }

    #[tokio::test]
    async fn the_handle_accessors_over_http() {
        let emu = start(
            EmulatorConfig {
                configuring_delay: Duration::ZERO,
                task_delay: Duration::from_millis(20),
                ..Default::default()
            },
            "127.0.0.1:0".parse::<SocketAddr>().unwrap(),
        )
        .await
        .unwrap();
        let client = reqwest::Client::new();
        let url = |path: &str| format!("{}/v2/{path}?token=testtoken", emu.url());
        let domain = json!({"domain": "a.com", "type": "page",
                            "config": {"origin": {"default_master": "1.1.1.1"}}});
        client
            .post(url("domain"))
            .json(&domain)
            .send()
            .await
            .unwrap();
        emu.set_quota_remaining(Vendor::Baishan, ContentKind::Preload, 1)
            .unwrap();
        let body = json!({"urls": ["http://a.com/1", "http://a.com/2"]});
        let r = client
            .post(url("cache/prefetch"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403);
        let quota = emu.content_quota(Vendor::Baishan, ContentKind::Preload);
        assert_eq!((quota.used, quota.remaining), (9_999, 1));
        emu.reset_quota_usage(Vendor::Baishan).unwrap();
        let r = client
            .post(url("cache/prefetch"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(emu.baishan_calls("POST /v2/cache/prefetch"), 2);
        tokio::time::sleep(Duration::from_millis(30)).await;
        let tasks = emu.content_tasks(Vendor::Baishan);
        assert_eq!(tasks.len(), 1);
        assert_eq!(
            (tasks[0].phase, tasks[0].status),
            (TaskPhase::Done, "completed")
        );
        assert_eq!(
            emu.content_quota(Vendor::Baishan, ContentKind::Preload)
                .used,
            2
        );
        emu.shutdown().await;
    }
}
