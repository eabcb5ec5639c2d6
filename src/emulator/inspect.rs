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
