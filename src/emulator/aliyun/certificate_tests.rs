//! Certificate tests: PEM shapes, expiry from the certificate, on/off with upload, cas and
//! free, the private key never stored, `DescribeDomainCertificateInfo` and the domain detail.

use serde_json::Value;

use super::super::test_support::*;
use super::*;
use crate::emulator::server::Shared;
use crate::emulator::store::Store;

const CERT: &str = include_str!("../../../testdata/emulator/test-cert.pem");
const KEY: &str = include_str!("../../../testdata/emulator/test-key.pem");

#[test]
fn pem_shapes() {
    assert!(check_public(CERT).is_ok());
    assert!(check_public(&format!("{CERT}\n{CERT}")).is_ok(), "a chain");
    assert!(check_private(KEY).is_ok());
    let rsa = "-----BEGIN RSA PRIVATE KEY-----\nQUJD\n-----END RSA PRIVATE KEY-----\n";
    assert!(check_private(rsa).is_ok());
    for bad in [
        "",
        "MIIB",
        KEY,
        "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----",
        "-----BEGIN CERTIFICATE-----\nQUJD\n",
        "-----BEGIN CERTIFICATE-----\nQU JD!\n-----END CERTIFICATE-----",
        "-----BEGIN CERTIFICATE-----\nQUJD\n-----END PRIVATE KEY-----",
    ] {
        let e = check_public(bad).unwrap_err();
        assert_eq!(
            e.message, "The specified value of parameter SSLPub is not valid.",
            "{bad}"
        );
    }
    let enc = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nQUJD\n-----END ENCRYPTED PRIVATE KEY-----";
    for bad in [CERT, enc, &format!("{KEY}{KEY}"), "key"] {
        assert!(check_private(bad).is_err(), "{bad}");
    }
}

#[test]
fn expiry_comes_from_the_certificate() {
    let blocks = pem_blocks(CERT).unwrap();
    assert_eq!(
        expiry(&blocks).map(gmt).as_deref(),
        Some("2036-11-20T03:11:24Z")
    );
    // Looks like a certificate but is not one: no expiry, yet accepted.
    let fake = pem_blocks("-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----");
    assert_eq!(expiry(&fake.unwrap()), None);
}

fn set_ssl(s: &Shared, params: &[(&str, &str)]) -> (u16, Value) {
    call_at(s, t0(), V18, "SetCdnDomainSSLCertificate", params)
}

fn cert_infos(s: &Shared, domain: &str) -> Value {
    let (st, v) = call_at(
        s,
        t0(),
        V18,
        "DescribeDomainCertificateInfo",
        &[("DomainName", domain)],
    );
    assert_eq!(st, 200, "{v}");
    v["CertInfos"]["CertInfo"].clone()
}

fn detail_ssl(s: &Shared, domain: &str) -> String {
    let (_, v) = call_at(
        s,
        t0(),
        V18,
        "DescribeCdnDomainDetail",
        &[("DomainName", domain)],
    );
    v["GetDomainDetailModel"]["ServerCertificateStatus"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn upload_then_off_and_the_key_never_reaches_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("world.json");
    let s = shared_with(1000, 10, Some(Store::new(&path)));
    assert_eq!(add18(&s, t0(), "www.example.com").0, 200);
    assert_eq!(cert_infos(&s, "www.example.com"), serde_json::json!([]));
    assert_eq!(detail_ssl(&s, "www.example.com"), "off");

    let (st, v) = set_ssl(
        &s,
        &[
            ("DomainName", "www.example.com"),
            ("SSLProtocol", "on"),
            ("CertName", "my-cert"),
            ("CertType", "upload"),
            ("SSLPub", CERT),
            ("SSLPri", KEY),
        ],
    );
    assert_eq!(st, 200, "{v}");
    // A certificate write is allowed on a configuring domain and leaves its status alone.
    assert_eq!(status_of(&s, t0(), "www.example.com"), "configuring");
    assert_eq!(detail_ssl(&s, "www.example.com"), "on");
    let info = &cert_infos(&s, "www.example.com")[0];
    assert_eq!(info["CertName"], "my-cert");
    assert_eq!(info["CertType"], "upload");
    assert_eq!(info["ServerCertificateStatus"], "on");
    assert_eq!(info["ServerCertificate"], CERT);
    assert_eq!(info["CertExpireTime"], "2036-11-20T03:11:24Z");
    assert_eq!(info["Status"], "success");
    let (_, list) = call_at(&s, t0(), V18, "DescribeUserDomains", &[]);
    assert_eq!(list["Domains"]["PageData"][0]["SslProtocol"], "on");

    let file = std::fs::read_to_string(&path).unwrap();
    let key_line = KEY.lines().nth(1).unwrap();
    assert!(
        !file.contains(key_line),
        "private key text in the data file"
    );
    assert!(!file.contains("PRIVATE KEY"));
    let digest = format!("{:x}", Sha256::digest(KEY.as_bytes()));
    assert!(file.contains(&digest));
    // Nor in the answer.
    let (_, v) = call_at(
        &s,
        t0(),
        V18,
        "DescribeDomainCertificateInfo",
        &[("DomainName", "www.example.com")],
    );
    assert!(!v.to_string().contains(key_line));

    let off = [("DomainName", "www.example.com"), ("SSLProtocol", "off")];
    assert_eq!(set_ssl(&s, &off).0, 200);
    assert_eq!(cert_infos(&s, "www.example.com"), serde_json::json!([]));
    assert_eq!(detail_ssl(&s, "www.example.com"), "off");
    // Off again is fine.
    assert_eq!(set_ssl(&s, &off).0, 200);
}

#[test]
fn cas_and_free_and_the_rules() {
    let s = shared_with(0, 10, None);
    assert_eq!(add18(&s, t0(), "a.com").0, 200);
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut p = vec![("DomainName", "a.com"), ("SSLProtocol", "on")];
        p.extend_from_slice(extra);
        set_ssl(&s, &p)
    };
    let (st, v) = with(&[("CertType", "cas")]);
    assert_eq!((st, code(&v)), (400, "MissingParameter"));
    assert!(v["Message"].as_str().unwrap().contains("CertName"));
    assert_eq!(with(&[("CertType", "cas"), ("CertName", "cas-123")]).0, 200);
    let info = &cert_infos(&s, "a.com")[0];
    assert_eq!(
        (
            &info["CertName"],
            &info["CertType"],
            &info["ServerCertificate"]
        ),
        (&"cas-123".into(), &"cas".into(), &"".into())
    );
    assert_eq!(info["CertExpireTime"], "2025-05-01T12:00:00Z");

    // Upload (the default type) needs both PEMs, each well formed.
    let (st, v) = with(&[("SSLPri", KEY)]);
    assert_eq!((st, code(&v)), (400, "MissingParameter"));
    assert!(v["Message"].as_str().unwrap().contains("SSLPub"));
    let (_, v) = with(&[("SSLPub", CERT)]);
    assert!(v["Message"].as_str().unwrap().contains("SSLPri"));
    let (_, v) = with(&[("SSLPub", KEY), ("SSLPri", KEY)]);
    assert!(v["Message"].as_str().unwrap().contains("SSLPub"));
    let (_, v) = with(&[("SSLPub", CERT), ("SSLPri", CERT)]);
    assert!(v["Message"].as_str().unwrap().contains("SSLPri"));
    // The failed uploads left the cas certificate in place.
    assert_eq!(cert_infos(&s, "a.com")[0]["CertType"], "cas");

    let (st, v) = with(&[("CertType", "self")]);
    assert_eq!((st, code(&v)), (400, "InvalidParameter"));
    let (st, v) = set_ssl(&s, &[("DomainName", "a.com"), ("SSLProtocol", "maybe")]);
    assert!(st == 400 && v["Message"].as_str().unwrap().contains("SSLProtocol"));
    let (st, v) = set_ssl(&s, &[("DomainName", "a.com")]);
    assert_eq!((st, code(&v)), (400, "MissingParameter"));

    assert_eq!(with(&[("CertType", "free")]).0, 200);
    let info = &cert_infos(&s, "a.com")[0];
    assert_eq!(
        (&info["CertType"], &info["CertName"]),
        (&"free".into(), &"a.com".into())
    );

    let (st, v) = set_ssl(&s, &[("DomainName", "none.com"), ("SSLProtocol", "on")]);
    assert_eq!((st, code(&v)), (404, "InvalidDomain.NotFound"));
    let (st, v) = call_at(
        &s,
        t0(),
        V18,
        "DescribeDomainCertificateInfo",
        &[("DomainName", "none.com")],
    );
    assert_eq!((st, code(&v)), (404, "InvalidDomain.NotFound"));
    let (st, v) = call_at(
        &s,
        t0(),
        V14,
        "SetCdnDomainSSLCertificate",
        &[("DomainName", "a.com"), ("SSLProtocol", "off")],
    );
    assert_eq!((st, code(&v)), (400, "UnsupportedOperation"));

    // Deleting the domain removes its certificate.
    assert_eq!(
        call_at(&s, t0(), V18, "DeleteCdnDomain", &[("DomainName", "a.com")]).0,
        200
    );
    assert_eq!(add18(&s, t0(), "a.com").0, 200);
    assert_eq!(cert_infos(&s, "a.com"), serde_json::json!([]));
}
