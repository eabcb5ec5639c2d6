//! End-to-end tests of Baishan over HTTP on 127.0.0.1 with reqwest.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{json, Value};

use crate::emulator::{start, BaishanLimits, EmulatorConfig};

fn localhost() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn create_configure_list_and_throttle_over_http() {
    let emu = start(
        EmulatorConfig {
            configuring_delay: Duration::from_millis(50),
            baishan_limits: BaishanLimits {
                requests_per_window: 6,
                window: Duration::from_secs(60),
                config_per_minute: 30,
                config_window: Duration::from_secs(60),
            },
            ..Default::default()
        },
        localhost(),
    )
    .await
    .unwrap();
    let base = format!("{}/v2", emu.url());
    let client = reqwest::Client::new();

    // Create with the token in the body, as the seed's examples send it.
    let r = client
        .post(format!("{base}/domain"))
        .json(
            &json!({"token": "testtoken", "domain": "www.example.com", "type": "download",
                      "config": {"origin": {"default_master": "10.0.0.1"}}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(header(&r, "content-type").starts_with("application/json"));
    assert_eq!(header(&r, "x-ratelimit-grad"), "minute");
    assert_eq!(header(&r, "x-ratelimit-limit"), "6");
    assert_eq!(header(&r, "x-ratelimit-remaining"), "5");
    assert!(!header(&r, "x-retry-after").is_empty());
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["data"]["status"], "deploying");

    // Configure with the token in the query.
    let r = client
        .post(format!("{base}/domain/config?token=testtoken"))
        .json(&json!({"domains": "www.example.com",
                      "config": {"referer": {"type": 2, "list": ["*.example.com"]}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(header(&r, "x-ratelimit-limit"), "30");

    // Read back with config[] in the query.
    let r = client
        .get(format!(
            "{base}/domain/config?token=testtoken&domains=www.example.com&config[]=referer"
        ))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["data"][0]["config"]["referer"]["list"][0],
        "*.example.com"
    );

    tokio::time::sleep(Duration::from_millis(80)).await;
    let r = client
        .get(format!("{base}/domain/list?token=testtoken&page_size=10"))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], 0);
    assert_eq!(v["data"]["list"][0]["status"], "serving");
    assert_eq!(v["data"]["list"][0]["type"], "download");

    // Unauthorised and unknown URLs answer in the envelope too.
    let r = client
        .get(format!("{base}/domain/list"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(header(&r, "x-ratelimit-remaining"), "6");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], 401);
    let r = client
        .get(format!("{}/v2?token=testtoken", emu.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);

    // Two more calls use up the six; the next is throttled.
    for _ in 0..2 {
        let r = client
            .get(format!(
                "{base}/domain?token=testtoken&domains=www.example.com"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
    }
    let r = client
        .delete(format!(
            "{base}/domain?token=testtoken&domains=www.example.com"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(header(&r, "x-ratelimit-remaining"), "0");
    let retry: u64 = header(&r, "x-retry-after").parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], 429);
    assert_eq!(emu.baishan_calls("DELETE /v2/domain"), 1);
    assert_eq!(emu.baishan_calls("POST /v2/domain/config"), 1);

    let world = emu.baishan_domains();
    assert_eq!(world.as_array().unwrap().len(), 1);
    assert_eq!(world[0]["domain"], "www.example.com");
    assert_eq!(world[0]["config"]["origin"]["default_master"], "10.0.0.1");
    emu.reset_calls();
    assert_eq!(emu.baishan_calls("DELETE /v2/domain"), 0);
    emu.shutdown().await;
}
