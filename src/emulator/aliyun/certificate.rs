//! HTTPS certificates of Alibaba CDN 2018-05-10: `SetCdnDomainSSLCertificate` (API-NOTES)
//! and the MODELLED read `DescribeDomainCertificateInfo`.
//!
//! The private key is checked for shape and then dropped: only its SHA-256 is stored, so it is
//! never in memory past the request, nor in the data file (API-NOTES: "The private key is never
//! read back: store only a digest of it").

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::actions::{existing, found, ActionCtx, Outcome};
use super::errors::AliError;
use super::model::{gmt, AliyunWorld, Certificate};

/// `on` while the domain has a certificate, else `off` (`ServerCertificateStatus`,
/// `SslProtocol`).
pub fn ssl_status(world: &AliyunWorld, domain: &str) -> &'static str {
    if world.certificates.contains_key(domain) {
        "on"
    } else {
        "off"
    }
}

/// The PEM blocks of `raw` as (label, base64 body); `None` unless the whole text is one or
/// more well-formed blocks (`-----BEGIN L-----`, base64 lines, `-----END L-----`).
fn pem_blocks(raw: &str) -> Option<Vec<(String, String)>> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in raw.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match open.take() {
            None => {
                let label = line.strip_prefix("-----BEGIN ")?.strip_suffix("-----")?;
                open = Some((label.to_string(), String::new()));
            }
            Some((label, body)) => {
                if let Some(end) = line.strip_prefix("-----END ") {
                    if end.strip_suffix("-----")? != label || body.is_empty() {
                        return None;
                    }
                    blocks.push((label, body));
                } else {
                    let base64_line = line
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b));
                    if !base64_line {
                        return None;
                    }
                    open = Some((label, body + line));
                }
            }
        }
    }
    (open.is_none() && !blocks.is_empty()).then_some(blocks)
}

/// `SSLPub`: one or more `CERTIFICATE` blocks (MODELLED: a chain, leaf first, is accepted).
fn check_public(raw: &str) -> Result<Vec<(String, String)>, AliError> {
    pem_blocks(raw)
        .filter(|b| b.iter().all(|(label, _)| label == "CERTIFICATE"))
        .ok_or_else(|| AliError::invalid_value("SSLPub"))
}

/// `SSLPri`: exactly one `PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY` block.
/// MODELLED: an `ENCRYPTED PRIVATE KEY` is refused (the CDN could not use it), and whether the
/// key matches the certificate is not checked.
fn check_private(raw: &str) -> Result<(), AliError> {
    match pem_blocks(raw).as_deref() {
        Some([(label, _)])
            if ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"].contains(&label.as_str()) =>
        {
            Ok(())
        }
        _ => Err(AliError::invalid_value("SSLPri")),
    }
}

/// One DER element: (tag, contents, rest).
fn der(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | *b as usize);
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// `notAfter` of an X.509 certificate in DER: Certificate → tbsCertificate → [version],
/// serialNumber, signature, issuer, validity → notAfter (UTCTime or GeneralizedTime).
fn not_after(cert_der: &[u8]) -> Option<DateTime<Utc>> {
    let (_, cert, _) = der(cert_der).filter(|(t, _, _)| *t == 0x30)?;
    let (_, mut tbs, _) = der(cert).filter(|(t, _, _)| *t == 0x30)?;
    if tbs.first() == Some(&0xa0) {
        tbs = der(tbs)?.2;
    }
    let (_, _, rest) = der(tbs)?; // serialNumber
    let (_, _, rest) = der(rest)?; // signature
    let (_, _, rest) = der(rest)?; // issuer
    let (_, validity, _) = der(rest).filter(|(t, _, _)| *t == 0x30)?;
    let (_, _, rest) = der(validity)?; // notBefore
    let (tag, time, _) = der(rest)?;
    let text = std::str::from_utf8(time).ok()?;
    let full = match tag {
        // UTCTime YYMMDDHHMMSSZ: years 50..99 are 19xx (RFC 5280 4.1.2.5.1).
        0x17 => {
            let yy: u32 = text.get(..2)?.parse().ok()?;
            format!("{}{text}", if yy >= 50 { "19" } else { "20" })
        }
        0x18 => text.to_string(),
        _ => return None,
    };
    NaiveDateTime::parse_from_str(full.strip_suffix('Z')?, "%Y%m%d%H%M%S")
        .ok()
        .map(|t| t.and_utc())
}

/// The leaf certificate's expiry, when the PEM decodes to a parseable X.509 certificate.
pub fn expiry(blocks: &[(String, String)]) -> Option<DateTime<Utc>> {
    use base64::Engine as _;
    let (_, body) = blocks.first()?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body)
        .ok()?;
    not_after(&bytes)
}

/// `DomainName`, `SSLProtocol` on|off (required), `CertName`, `CertType` upload|cas|free,
/// `SSLPub`, `SSLPri`. `off` removes the certificate (MODELLED: also when there is none).
/// MODELLED: `CertType` defaults to `upload`; a missing `CertName` is the domain name for
/// upload and free; cas certificates and free ones carry no PEM here and expire a year after
/// they are set; an uploaded certificate expires at its `notAfter`, or has no
/// `CertExpireTime` ("") when the emulator cannot decode it (it only has to look like a PEM
/// certificate). Like the other configuration writes it is allowed in any domain status and
/// does not put the domain into `configuring`.
pub fn set(ctx: &ActionCtx, world: &mut AliyunWorld) -> Result<Outcome, AliError> {
    let p = ctx.params;
    let domain = existing(ctx, world)?.name.clone();
    match p.require("SSLProtocol")? {
        "off" => {
            world.certificates.remove(&domain);
            return Ok(Outcome::wrote());
        }
        "on" => {}
        _ => return Err(AliError::invalid_value("SSLProtocol")),
    }
    let kind = p.optional("CertType").unwrap_or("upload");
    let cert = match kind {
        "upload" => {
            let blocks = check_public(p.require("SSLPub")?)?;
            let key = p.require("SSLPri")?;
            check_private(key)?;
            Certificate {
                name: p.optional("CertName").unwrap_or(&domain).to_string(),
                kind: kind.to_string(),
                public_pem: p.require("SSLPub")?.to_string(),
                private_key_sha256: format!("{:x}", Sha256::digest(key.as_bytes())),
                expires: expiry(&blocks),
                set_at: ctx.now,
            }
        }
        "cas" | "free" => Certificate {
            name: match kind {
                "cas" => p.require("CertName")?,
                _ => p.optional("CertName").unwrap_or(&domain),
            }
            .to_string(),
            kind: kind.to_string(),
            public_pem: String::new(),
            private_key_sha256: String::new(),
            expires: Some(ctx.now + TimeDelta::days(365)),
            set_at: ctx.now,
        },
        _ => return Err(AliError::invalid_value("CertType")),
    };
    world.certificates.insert(domain, cert);
    Ok(Outcome::wrote())
}

/// MODELLED `DescribeDomainCertificateInfo`: `DomainName` → `CertInfos.CertInfo` with the
/// domain's certificate, or an empty list when it has none.
pub fn describe(ctx: &ActionCtx, world: &AliyunWorld) -> Result<Outcome, AliError> {
    let domain = found(ctx, world)?.name.clone();
    let infos: Vec<_> = world
        .certificates
        .get(&domain)
        .map(|c| {
            json!({
                "DomainName": domain,
                "CertName": c.name,
                "CertType": c.kind,
                "ServerCertificateStatus": "on",
                "ServerCertificate": c.public_pem,
                "CertExpireTime": c.expires.map(gmt).unwrap_or_default(),
                "Status": "success",
            })
        })
        .into_iter()
        .collect();
    Ok(Outcome::read(json!({"CertInfos": {"CertInfo": infos}})))
}

#[cfg(test)]
#[path = "certificate_tests.rs"]
mod tests;
