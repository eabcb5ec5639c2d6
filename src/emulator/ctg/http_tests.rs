//! End-to-end test of CTG over HTTP on 127.0.0.1 with reqwest: a token, a domain, a config
//! write and read, and the handle's views.

use std::net::SocketAddr;
use std::time::Duration;

use chrono::Utc;
use serde_json::{json, Value};

use super::auth::{signature, DATE_FORMAT};
use crate::emulator::{start, EmulatorConfig};

#[tokio::test]
async fn token_then_config_write_and_read_over_http() {
    let emu = start(
        EmulatorConfig {
            configuring_delay: Duration::from_millis(50),
            ..Default::default()
        },
        "127.0.0.1:0".parse::<SocketAddr>().unwrap(),
    )
    .await
    .unwrap();
    let base = format!("{}/API", emu.url());
    let client = reqwest::Client::new();

    let date = Utc::now().format(DATE_FORMAT).to_string();
    let r = client
        .post(format!("{base}/OAuth/token"))
        .header("x-request-date", &date)
        .json(&json!({"access_key": "testid",
                      "signature": signature(&date, "testid", "testsecret")}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], 1);
    let token = v["data"]["token"].as_str().unwrap().to_string();
    assert!(v["data"]["expire"].as_i64().unwrap() > Utc::now().timestamp() + 7000);

    // Without the token: 401 in the error format.
    let r = client
        .get(format!("{base}/domain/list"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"error": "invalid token"})
    );

    let r = client
        .post(format!("{base}/domain"))
        .bearer_auth(&token)
        .json(&json!({"domain": "www.example.com", "product": "web",
                      "origin": [{"address": "10.0.0.1", "type": "ip", "port": 80,
                                  "priority": 1, "weight": 10}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));

    let rules = json!([{"type": "ext", "patterns": ["css"], "ttl": 3600, "ignore_query": false,
                        "honor_no_cache": true, "priority": 5}]);
    let r = client
        .put(format!("{base}/domain/cache_policy"))
        .bearer_auth(&token)
        .json(&json!({"domain": "www.example.com", "rules": rules}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);

    let r = client
        .get(format!("{base}/domain/cache_policy?domain=www.example.com"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v,
        json!({"code": 1, "message": "OK",
               "data": {"domain": "www.example.com", "rules": rules}})
    );

    assert_eq!(emu.ctg_calls("POST /API/OAuth/token"), 1);
    assert_eq!(emu.ctg_calls("PUT /API/domain/cache_policy"), 1);
    assert_eq!(emu.ctg_calls("GET /API/domain/list"), 0);
    let domains = emu.ctg_domains();
    assert_eq!(domains[0]["domain"], "www.example.com");
    assert_eq!(domains[0]["status"], "configuring");
    assert_eq!(domains[0]["config"]["cache_policy"]["rules"], rules);
    tokio::time::sleep(Duration::from_millis(80)).await;
    assert_eq!(emu.ctg_domains()[0]["status"], "online");
    emu.reset_calls();
    assert_eq!(emu.ctg_calls("POST /API/OAuth/token"), 0);
    emu.shutdown().await;
}
