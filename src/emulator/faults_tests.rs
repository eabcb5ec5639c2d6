//! Tests of the fault plan's decisions: matching, rates, seeds, limits, counts, serde.

use std::time::Duration;

use super::faults::{Decision, FaultBook, FaultKind, FaultPlan, FaultRule, FaultVendor};

fn decide_many(plan: &FaultPlan, vendor: &'static str, action: &str, n: usize) -> Vec<Decision> {
    let mut book = FaultBook::new(plan.clone());
    (0..n).map(|_| book.decide(vendor, action)).collect()
}

#[test]
fn no_plan_no_fault_no_latency() {
    let mut book = FaultBook::new(FaultPlan::none());
    for _ in 0..100 {
        let d = book.decide("aliyun", "AddCdnDomain");
        assert_eq!(d.fault, None);
        assert!(d.latency.is_zero());
    }
    assert_eq!(book.counts().total(), 0);
    assert_eq!(book.counts().delayed, 0);
    assert!(FaultPlan::none().is_none());
}

#[test]
fn the_rate_is_a_fraction_of_requests() {
    let plan = FaultPlan::uniform(7, 0.2, &FaultKind::ALL);
    let ds = decide_many(&plan, "baishan", "GET /v2/domain", 5000);
    let faulted = ds.iter().filter(|d| d.fault.is_some()).count();
    assert!((850..1150).contains(&faulted), "{faulted} of 5000");
    // Every kind turns up, each about a sixth of the faults.
    for kind in FaultKind::ALL {
        let n = ds.iter().filter(|d| d.fault == Some(kind)).count();
        assert!((100..250).contains(&n), "{kind}: {n}");
    }
    assert!(!plan.is_none());
    // Rate 1 faults everything, rate 0 nothing.
    let all = FaultPlan::uniform(1, 1.0, &[FaultKind::Lost]);
    assert!(decide_many(&all, "ctg", "x", 50)
        .iter()
        .all(|d| d.fault == Some(FaultKind::Lost)));
    let none = FaultPlan::uniform(1, 0.0, &FaultKind::ALL);
    assert!(none.is_none());
    assert!(decide_many(&none, "ctg", "x", 50)
        .iter()
        .all(|d| d.fault.is_none()));
}

#[test]
fn the_same_seed_gives_the_same_faults_another_seed_others() {
    let plan = FaultPlan::uniform(42, 0.3, &FaultKind::ALL);
    let a = decide_many(&plan, "aliyun", "AddCdnDomain", 200);
    let b = decide_many(&plan, "aliyun", "AddCdnDomain", 200);
    assert_eq!(a, b);
    let other = FaultPlan::uniform(43, 0.3, &FaultKind::ALL);
    assert_ne!(a, decide_many(&other, "aliyun", "AddCdnDomain", 200));
}

#[test]
fn each_action_draws_from_its_own_stream() {
    // Requests to other actions in between do not shift an action's faults.
    let plan = FaultPlan::uniform(9, 0.5, &FaultKind::ALL);
    let alone = decide_many(&plan, "aliyun", "AddCdnDomain", 50);
    let mut book = FaultBook::new(plan);
    let mixed: Vec<Decision> = (0..50)
        .map(|i| {
            for _ in 0..(i % 3) {
                book.decide("aliyun", "DescribeCdnDomainDetail");
                book.decide("ctg", "GET /API/domain");
            }
            book.decide("aliyun", "AddCdnDomain")
        })
        .collect();
    assert_eq!(alone, mixed);
}

#[test]
fn rules_match_by_vendor_and_action_first_match_wins() {
    let plan = FaultPlan::none()
        .with_rule(FaultRule {
            vendor: FaultVendor::Aliyun,
            action: "AddCdnDomain".into(),
            rate: 1.0,
            kinds: vec![FaultKind::Lost],
            ..FaultRule::default()
        })
        .with_rule(FaultRule {
            vendor: FaultVendor::Ctg,
            rate: 1.0,
            kinds: vec![FaultKind::Throttle],
            ..FaultRule::default()
        });
    let mut book = FaultBook::new(plan);
    assert_eq!(
        book.decide("aliyun", "AddCdnDomain").fault,
        Some(FaultKind::Lost)
    );
    assert_eq!(book.decide("aliyun", "DescribeUserDomains").fault, None);
    assert_eq!(
        book.decide("ctg", "POST /API/domain").fault,
        Some(FaultKind::Throttle)
    );
    assert_eq!(book.decide("baishan", "POST /v2/domain").fault, None);
    let c = book.counts();
    assert_eq!((c.lost, c.throttled, c.total()), (1, 1, 2));
    assert_eq!(book.counts_for("aliyun", "AddCdnDomain").lost, 1);
    assert_eq!(book.counts_for("aliyun", "AddCdnDomain").total(), 1);
    assert_eq!(book.counts_for("ctg", "POST /API/domain").throttled, 1);
    assert_eq!(book.counts_for("aliyun", "DescribeUserDomains").total(), 0);
}

#[test]
fn max_faults_limits_a_rule() {
    let plan = FaultPlan::none().with_rule(FaultRule {
        rate: 1.0,
        kinds: vec![FaultKind::Reset],
        max_faults: Some(2),
        ..FaultRule::default()
    });
    let ds = decide_many(&plan, "baishan", "POST /v2/domain", 5);
    let faults: Vec<_> = ds.iter().map(|d| d.fault).collect();
    assert_eq!(
        faults,
        [
            Some(FaultKind::Reset),
            Some(FaultKind::Reset),
            None,
            None,
            None
        ]
    );
}

#[test]
fn latency_is_fixed_plus_jitter_and_counted() {
    let plan = FaultPlan::none().with_rule(FaultRule {
        latency: Duration::from_millis(20),
        jitter: Duration::from_millis(10),
        ..FaultRule::default()
    });
    assert!(!plan.is_none());
    let mut book = FaultBook::new(plan);
    let ds: Vec<Decision> = (0..200)
        .map(|_| book.decide("ctg", "GET /API/domain"))
        .collect();
    assert!(ds.iter().all(|d| d.fault.is_none()));
    assert!(ds
        .iter()
        .all(|d| d.latency >= Duration::from_millis(20) && d.latency <= Duration::from_millis(30)));
    assert!(ds.iter().any(|d| d.latency > Duration::from_millis(25)));
    assert!(ds.iter().any(|d| d.latency < Duration::from_millis(25)));
    assert_eq!(book.counts().delayed, 200);
}

#[test]
fn a_new_plan_starts_afresh_and_keeps_the_counts() {
    let plan = FaultPlan::uniform(5, 0.5, &FaultKind::ALL);
    let mut book = FaultBook::new(plan.clone());
    let first: Vec<Decision> = (0..20).map(|_| book.decide("aliyun", "A")).collect();
    let counted = book.counts().total();
    assert!(counted > 0);
    book.set_plan(plan);
    let again: Vec<Decision> = (0..20).map(|_| book.decide("aliyun", "A")).collect();
    assert_eq!(first, again);
    assert_eq!(book.counts().total(), 2 * counted);
    book.reset_counts();
    assert_eq!(book.counts().total(), 0);
}

#[test]
fn kinds_and_vendors_parse_by_name() {
    for k in FaultKind::ALL {
        assert_eq!(k.name().parse::<FaultKind>(), Ok(k));
    }
    assert_eq!("THROTTLE".parse::<FaultKind>(), Ok(FaultKind::Throttle));
    assert!("504".parse::<FaultKind>().unwrap_err().contains("500, 503"));
    assert_eq!("*".parse::<FaultVendor>(), Ok(FaultVendor::Any));
    assert_eq!("any".parse::<FaultVendor>(), Ok(FaultVendor::Any));
    assert_eq!("ctg".parse::<FaultVendor>(), Ok(FaultVendor::Ctg));
    assert!("akamai".parse::<FaultVendor>().is_err());
}

#[test]
fn plans_round_trip_through_json_with_readable_durations() {
    let plan = FaultPlan {
        seed: 3,
        hold: Duration::from_secs(2),
        ..FaultPlan::none()
    }
    .with_rule(FaultRule {
        vendor: FaultVendor::Baishan,
        action: "POST /v2/domain".into(),
        rate: 0.25,
        kinds: vec![FaultKind::InternalError, FaultKind::Lost],
        latency: Duration::from_millis(20),
        jitter: Duration::ZERO,
        max_faults: Some(3),
    });
    let text = serde_json::to_value(&plan).unwrap();
    assert_eq!(
        text,
        serde_json::json!({"seed": 3, "hold": "2s", "rules": [{
            "vendor": "baishan", "action": "POST /v2/domain", "rate": 0.25,
            "kinds": ["500", "lost"], "latency": "20ms", "jitter": "0", "max_faults": 3}]})
    );
    assert_eq!(
        serde_json::from_value::<FaultPlan>(text).unwrap(),
        plan.clone()
    );
    // Everything has a default.
    let short: FaultPlan =
        serde_json::from_str(r#"{"rules": [{"rate": 0.1, "latency": "5ms"}]}"#).unwrap();
    assert_eq!(short.hold, Duration::from_secs(60));
    assert_eq!(short.rules[0].kinds, FaultKind::ALL.to_vec());
    assert_eq!(short.rules[0].action, "*");
    assert_eq!(short.rules[0].latency, Duration::from_millis(5));
}

#[test]
fn rates_outside_zero_to_one_are_refused() {
    assert!(FaultPlan::uniform(0, 1.5, &FaultKind::ALL)
        .validate()
        .is_err());
    assert!(FaultPlan::uniform(0, -0.1, &FaultKind::ALL)
        .validate()
        .is_err());
    assert!(FaultPlan::uniform(0, f64::NAN, &FaultKind::ALL)
        .validate()
        .is_err());
    assert!(FaultPlan::uniform(0, 0.2, &FaultKind::ALL)
        .validate()
        .is_ok());
}
