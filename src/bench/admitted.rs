//! Counting the calls the emulator admitted past its rate limits: a request
//! hook runs once per request after the vendor's rate limit let it through,
//! so its counts are the calls the lower bound is made of (a refused call
//! uses nothing of a window, only a round trip of the client's).

use crate::emulator::{Refusal, RequestHook, RequestInfo};
use std::collections::BTreeMap;
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct Admitted {
    counts: Mutex<BTreeMap<(&'static str, String), usize>>,
}

impl Admitted {
    /// The counts of `vendor` since the last take, by call; they start again from zero.
    pub fn take(&self, vendor: &str) -> BTreeMap<String, usize> {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let (mine, rest) = std::mem::take(&mut *counts)
            .into_iter()
            .partition::<BTreeMap<_, _>, _>(|((v, _), _)| *v == vendor);
        *counts = rest;
        mine.into_iter().map(|((_, call), n)| (call, n)).collect()
    }
}

impl RequestHook for Admitted {
    fn on_request(&self, request: &RequestInfo<'_>) -> Option<Refusal> {
        *self
            .counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((request.vendor, request.action.to_string()))
            .or_default() += 1;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_vendor_and_call() {
        let a = Admitted::default();
        let call = |vendor, action| {
            a.on_request(&RequestInfo {
                vendor,
                action,
                caller: "x",
            })
        };
        assert_eq!(call("aliyun", "AddCdnDomain"), None);
        call("aliyun", "AddCdnDomain");
        call("ctg", "GET /API/domain");
        assert_eq!(a.take("aliyun").get("AddCdnDomain"), Some(&2));
        assert!(a.take("aliyun").is_empty());
        assert_eq!(a.take("ctg").get("GET /API/domain"), Some(&1));
    }
}
