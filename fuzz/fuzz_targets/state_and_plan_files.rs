#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cdnform::state::parse_snapshot(data, std::path::Path::new("fuzz.json"));
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = cdnform::plan::saved::SavedPlan::from_text(text);
    }
});
