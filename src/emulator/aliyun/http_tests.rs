//! End-to-end tests over HTTP on 127.0.0.1, with a tiny signer written here from the seed's
//! "Signature Mechanism" (test code of the emulator, not the client's signer).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::Value;

use crate::emulator::{start, EmulatorConfig, Refusal, RequestHook, RequestInfo};

/// RFC 3986 encoding, by hand.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Signs `params` for `method` and returns the full query (`...&Signature=...`).
fn signed_query(method: &str, secret: &str, params: &[(&str, &str)]) -> String {
    let mut sorted: Vec<(String, String)> = params.iter().map(|(k, v)| (enc(k), enc(v))).collect();
    sorted.sort();
    let canonical: Vec<String> = sorted.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let canonical = canonical.join("&");
    let sts = format!("{method}&%2F&{}", enc(&canonical));
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes()).unwrap();
    mac.update(sts.as_bytes());
    let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    format!("{canonical}&Signature={}", enc(&sig))
}

fn common(action: &'static str, nonce: &str, ts: &str) -> Vec<(&'static str, String)> {
    vec![
        ("Action", action.to_string()),
        ("Version", "2018-05-10".into()),
        ("Format", "JSON".into()),
        ("AccessKeyId", "testid".into()),
        ("SignatureMethod", "HMAC-SHA1".into()),
        ("SignatureVersion", "1.0".into()),
        ("SignatureNonce", nonce.into()),
        ("Timestamp", ts.into()),
        ("SignatureType", String::new()),
        ("RegionId", "cn-hangzhou".into()),
    ]
}

fn now_ts() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn localhost() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

async fn get(url: &str) -> (u16, Value) {
    let r = reqwest::get(url).await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

#[tokio::test]
async fn signed_requests_over_http_add_and_list() {
    let emu = start(
        EmulatorConfig {
            configuring_delay: Duration::from_millis(50),
            ..Default::default()
        },
        localhost(),
    )
    .await
    .unwrap();
    assert!(emu.url().starts_with("http://127.0.0.1:"));

    // AddCdnDomain as a POST with a form body whose spaces are `+` (the newer SDK's way).
    let ts = now_ts();
    let mut p = common("AddCdnDomain", "n-add", &ts);
    p.push(("DomainName", "www.example.com".into()));
    p.push(("CdnType", "web".into()));
    p.push((
        "Sources",
        r#"[{"content":"10.0.0.1","type":"ipaddr","port":80,"priority":"20","weight":"10"}]"#
            .into(),
    ));
    p.push(("Description", "a b".into()));
    let refs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let body = signed_query("POST", "testsecret", &refs).replace("a%20b", "a+b");
    let r = reqwest::Client::new()
        .post(format!("{}/?Action=AddCdnDomain", emu.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["RequestId"].as_str().unwrap().len(), 36);

    // DescribeUserDomains as a GET with everything in the query.
    let p = common("DescribeUserDomains", "n-list", &ts);
    let refs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, v) = get(&format!(
        "{}/?{}",
        emu.url(),
        signed_query("GET", "testsecret", &refs)
    ))
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["TotalCount"], 1);
    let d = &v["Domains"]["PageData"][0];
    assert_eq!(d["DomainName"], "www.example.com");
    assert_eq!(d["Cname"], "www.example.com.w.kunlunsl.com");
    assert_eq!(d["DomainStatus"], "configuring");

    tokio::time::sleep(Duration::from_millis(80)).await;
    let world = emu.aliyun_domains();
    assert_eq!(world[0]["DomainStatus"], "online");
    assert_eq!(world[0]["Sources"][0]["content"], "10.0.0.1");
    emu.shutdown().await;
}

#[tokio::test]
async fn wrong_signature_is_403_over_http() {
    let emu = start(EmulatorConfig::default(), localhost()).await.unwrap();
    let p = common("DescribeUserDomains", "n1", &now_ts());
    let refs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, v) = get(&format!(
        "{}/?{}",
        emu.url(),
        signed_query("GET", "not-the-secret", &refs)
    ))
    .await;
    assert_eq!(status, 403);
    assert_eq!(v["Code"], "SignatureDoesNotMatch");
    assert_eq!(v["HostId"], "cdn.aliyuncs.com");
    // Signed with the right secret but sent as POST: the method is part of the signature.
    let p = common("DescribeUserDomains", "n2", &now_ts());
    let refs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = reqwest::Client::new()
        .post(format!(
            "{}/?{}",
            emu.url(),
            signed_query("GET", "testsecret", &refs)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    emu.shutdown().await;
}

struct ThrottleAdds;
impl RequestHook for ThrottleAdds {
    fn on_request(&self, r: &RequestInfo<'_>) -> Option<Refusal> {
        (r.action == "AddCdnDomain").then(|| Refusal {
            status: 503,
            code: "Throttling".into(),
            message: "Request was denied due to request throttling.".into(),
        })
    }
}

#[tokio::test]
async fn hooks_refuse_in_the_vendor_envelope_and_world_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = EmulatorConfig {
        data_file: Some(dir.path().join("w.json")),
        configuring_delay: Duration::ZERO,
        ..Default::default()
    };
    let emu = start(config.clone(), localhost()).await.unwrap();
    let add = |nonce: &'static str| {
        let mut p = common("AddCdnDomain", nonce, &now_ts());
        p.push(("DomainName", "keep.example.com".into()));
        p.push(("CdnType", "download".into()));
        p.push((
            "Sources",
            r#"[{"content":"origin.example.org","type":"domain"}]"#.into(),
        ));
        let refs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
        signed_query("GET", "testsecret", &refs)
    };
    let (status, _) = get(&format!("{}/?{}", emu.url(), add("a1"))).await;
    assert_eq!(status, 200);
    emu.add_hook(Arc::new(ThrottleAdds));
    let (status, v) = get(&format!("{}/?{}", emu.url(), add("a2"))).await;
    assert_eq!((status, v["Code"].as_str()), (503, Some("Throttling")));
    emu.shutdown().await;

    let emu = start(config, localhost()).await.unwrap();
    let world = emu.aliyun_domains();
    assert_eq!(world.as_array().unwrap().len(), 1);
    assert_eq!(world[0]["DomainName"], "keep.example.com");
    emu.shutdown().await;
}

#[tokio::test]
async fn corrupt_data_file_fails_start_and_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.json");
    std::fs::write(&path, "garbage").unwrap();
    let config = EmulatorConfig {
        data_file: Some(path.clone()),
        ..Default::default()
    };
    let err = start(config, localhost()).await.err().unwrap();
    assert!(
        matches!(err, crate::emulator::EmulatorError::DataFileCorrupt { .. }),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "garbage");
}

#[tokio::test]
async fn function_configs_over_http_with_call_counts() {
    let emu = start(
        EmulatorConfig {
            configuring_delay: Duration::from_millis(50),
            ..Default::default()
        },
        localhost(),
    )
    .await
    .unwrap();
    let url = |p: &[(&'static str, String)]| {
        let refs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
        format!(
            "{}/?{}",
            emu.url(),
            signed_query("GET", "testsecret", &refs)
        )
    };
    let mut p = common("AddCdnDomain", "c-add", &now_ts());
    p.push(("DomainName", "cfg.example.com".into()));
    p.push(("CdnType", "web".into()));
    p.push((
        "Sources",
        r#"[{"content":"10.0.0.1","type":"ipaddr"}]"#.into(),
    ));
    assert_eq!(get(&url(&p)).await.0, 200);
    emu.reset_calls();

    // BatchSetCdnDomainConfig as a POST with the parameters in a form body.
    let functions = r#"[{"functionName":"set_resp_header","functionArgs":[{"argName":"key","argValue":"Cache-Control"},{"argName":"value","argValue":"max-age=60, public"}]},{"functionName":"https_tls_version","functionArgs":[{"argName":"tls10","argValue":"off"},{"argName":"tls11","argValue":"off"},{"argName":"tls12","argValue":"on"},{"argName":"tls13","argValue":"on"}]}]"#;
    let mut p = common("BatchSetCdnDomainConfig", "c-set", &now_ts());
    p.push(("DomainNames", "cfg.example.com".into()));
    p.push(("Functions", functions.into()));
    let refs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = reqwest::Client::new()
        .post(format!("{}/", emu.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(signed_query("POST", "testsecret", &refs))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = r.json().await.unwrap();
    let models = v["DomainConfigList"]["DomainConfigModel"]
        .as_array()
        .unwrap();
    assert_eq!(models.len(), 2);
    let header_id = models[0]["ConfigId"].as_u64().unwrap();

    let mut p = common("DescribeCdnDomainConfigs", "c-get", &now_ts());
    p.push(("DomainName", "cfg.example.com".into()));
    p.push(("FunctionNames", "set_resp_header".into()));
    let (status, v) = get(&url(&p)).await;
    assert_eq!(status, 200, "{v}");
    let list = v["DomainConfigs"]["DomainConfig"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["ConfigId"], header_id.to_string());
    assert_eq!(list[0]["Status"], "configuring");
    let args = list[0]["FunctionArgs"]["FunctionArg"].as_array().unwrap();
    assert_eq!(args[1]["ArgValue"], "max-age=60, public");
    assert_eq!(args[2]["ArgName"], "aliyun_id");

    tokio::time::sleep(Duration::from_millis(80)).await;
    let mut p = common("DescribeCdnDomainConfigs", "c-get2", &now_ts());
    p.push(("DomainName", "cfg.example.com".into()));
    let (_, v) = get(&url(&p)).await;
    let list = v["DomainConfigs"]["DomainConfig"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|c| c["Status"] == "success"));

    assert_eq!(emu.aliyun_calls("BatchSetCdnDomainConfig"), 1);
    assert_eq!(emu.aliyun_calls("DescribeCdnDomainConfigs"), 2);
    assert_eq!(emu.aliyun_calls("AddCdnDomain"), 0);
    emu.shutdown().await;
}
