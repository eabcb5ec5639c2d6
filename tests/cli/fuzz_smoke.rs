//! A brief, deterministic fuzz run on stable Rust, for CI: each parser
//! that reads untrusted bytes (HCL files, the three vendors' answers, state
//! and plan files) gets a few thousand mutations of the real samples in
//! `testdata/` and `examples/` and must never panic. The same entry points
//! are libFuzzer targets in `fuzz/` for longer runs (`cargo +nightly fuzz
//! run hcl_config`).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::path::Path;

const ROUNDS: usize = 5000;
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    "${",
    "}",
    "=",
    "\n",
    "null",
    "true",
    "-1",
    "1e309",
    "0x",
    "<",
    "</",
    ">",
    "\\u0000",
    "\u{1F600}",
    "resource",
    "for_each",
    "each.key",
    "count.index",
    "\"data\":",
    "\"code\":1",
    "<?xml",
    "%{",
    "*",
    "//",
];

fn samples(paths: &[&str]) -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for p in paths {
        let path = root.join(p);
        if path.is_dir() {
            let mut entries: Vec<_> = std::fs::read_dir(&path)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.is_file())
                .collect();
            entries.sort();
            out.extend(entries.iter().map(|e| std::fs::read(e).unwrap()));
        } else {
            out.push(std::fs::read(&path).unwrap());
        }
    }
    assert!(!out.is_empty(), "no samples in {paths:?}");
    out
}

/// One mutation of a sample: byte flips, inserted tokens, deletions,
/// duplications, truncation, or a splice with another sample.
fn mutate(rng: &mut StdRng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut v = seeds[rng.random_range(0..seeds.len())].clone();
    for _ in 0..rng.random_range(1..6) {
        let len = v.len().max(1);
        let at = rng.random_range(0..len).min(v.len());
        match rng.random_range(0..6) {
            0 if !v.is_empty() => {
                let i = rng.random_range(0..v.len());
                v[i] ^= 1 << rng.random_range(0..8);
            }
            1 => {
                let t = TOKENS[rng.random_range(0..TOKENS.len())].as_bytes();
                v.splice(at..at, t.iter().copied());
            }
            2 => {
                let end = (at + rng.random_range(0..32)).min(v.len());
                v.drain(at..end);
            }
            3 => {
                let end = (at + rng.random_range(0..64)).min(v.len());
                let chunk = v[at..end].to_vec();
                v.splice(at..at, chunk);
            }
            4 => v.truncate(at),
            _ => {
                let other = &seeds[rng.random_range(0..seeds.len())];
                let from = rng.random_range(0..other.len().max(1)).min(other.len());
                v.truncate(at);
                v.extend_from_slice(&other[from..]);
            }
        }
    }
    v
}

fn fuzz(name: &str, seeds: &[Vec<u8>], target: impl Fn(&str)) {
    let mut rng = StdRng::seed_from_u64(0xcdf0_2026);
    for seed in seeds {
        target(&String::from_utf8_lossy(seed));
    }
    for i in 0..ROUNDS {
        let input = mutate(&mut rng, seeds);
        let text = String::from_utf8_lossy(&input).into_owned();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| target(&text)));
        assert!(result.is_ok(), "{name}: input {i} panicked:\n{text:?}");
    }
}

#[test]
fn hcl_loader_never_panics() {
    let seeds = samples(&[
        "testdata/config/valid",
        "testdata/config/valid_features",
        "testdata/config/invalid",
        "examples/quickstart/main.hcl",
    ]);
    fuzz("hcl", &seeds, cdnform::config::fuzz_load);
}

#[test]
fn vendor_answer_parsers_never_panic() {
    let aliyun = samples(&["testdata/aliyun/responses"]);
    fuzz("aliyun", &aliyun, cdnform::provider::aliyun::fuzz_answer);
    let baishan = samples(&["testdata/baishan"]);
    fuzz("baishan", &baishan, cdnform::provider::baishan::fuzz_answer);
    let ctg = samples(&["testdata/ctg/feature-answers.json"]);
    fuzz("ctg", &ctg, cdnform::provider::ctg::fuzz_answer);
}

#[test]
fn state_and_plan_file_parsers_never_panic() {
    let states = samples(&["testdata/state"]);
    fuzz("state", &states, |t| {
        let _ = cdnform::state::parse_snapshot(t.as_bytes(), Path::new("fuzz.json"));
    });
    fuzz("plan", &states, |t| {
        let _ = cdnform::plan::saved::SavedPlan::from_text(t);
    });
}
