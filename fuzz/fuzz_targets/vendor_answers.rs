#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    cdnform::provider::aliyun::fuzz_answer(&text);
    cdnform::provider::baishan::fuzz_answer(&text);
    cdnform::provider::ctg::fuzz_answer(&text);
});
