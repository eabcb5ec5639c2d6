//! The domain's HTTPS certificate: `SetCdnDomainSSLCertificate` (SSLProtocol
//! on with an uploaded PEM pair or a `cas` certificate by name, or off) and
//! the MODELLED `DescribeDomainCertificateInfo` read. The private key is
//! held as a `Secret`, left out of every Debug/Display, and scrubbed from
//! error messages in case a server echoes it.

use super::config_map::is_digest;
use super::config_read;
use super::error::Effect;
use super::{idempotent_retry, AliyunProvider};
use crate::model::domain::Certificate;
use crate::model::Secret;
use crate::provider::{ErrorKind, ProviderError};
use std::fmt;

const SET: &str = "SetCdnDomainSSLCertificate";
/// MODELLED: DomainName -> `CertInfos.CertInfo[{CertName, CertType,
/// ServerCertificateStatus, ServerCertificate}]`.
const DESCRIBE: &str = "DescribeDomainCertificateInfo";

#[derive(Clone, PartialEq, Eq)]
enum Cert {
    Off,
    Cas {
        name: String,
    },
    Upload {
        public_pem: String,
        private_pem: Secret,
    },
}

/// One `SetCdnDomainSSLCertificate` call.
#[derive(Clone, PartialEq, Eq)]
pub struct CertRequest {
    domain: String,
    cert: Cert,
}

impl CertRequest {
    /// SSL on with `cert`: by id (`cas`), or uploaded (needs both PEMs and
    /// the real key, not the digest the state keeps).
    // The shared ProviderError is past clippy's size threshold (see
    // `client::parse_endpoint`).
    #[allow(clippy::result_large_err)]
    pub fn on(domain: &str, cert: &Certificate) -> Result<CertRequest, ProviderError> {
        let invalid = |why: &str| {
            ProviderError::new(
                super::error::VENDOR,
                SET,
                ErrorKind::Invalid,
                format!("domain {domain:?}: {why}"),
            )
        };
        let cert = match (&cert.id, &cert.public_pem, &cert.private_pem) {
            (Some(id), _, _) => Cert::Cas { name: id.clone() },
            (None, Some(_), Some(key)) if is_digest(key) => return Err(invalid(
                "the certificate must be uploaded again but only the digest of its private key \
                     is known; set https.certificate.private_pem",
            )),
            (None, Some(public), Some(key)) => Cert::Upload {
                public_pem: public.clone(),
                private_pem: Secret::new(key.clone()),
            },
            _ => {
                return Err(invalid(
                    "a certificate needs an id, or public_pem and private_pem to upload",
                ))
            }
        };
        Ok(CertRequest {
            domain: domain.to_string(),
            cert,
        })
    }

    pub fn off(domain: &str) -> CertRequest {
        CertRequest {
            domain: domain.to_string(),
            cert: Cert::Off,
        }
    }

    /// The call's parameters (the key in clear: for the wire only).
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut p = vec![("DomainName", self.domain.clone())];
        match &self.cert {
            Cert::Off => p.push(("SSLProtocol", "off".into())),
            Cert::Cas { name } => p.extend([
                ("SSLProtocol", "on".into()),
                ("CertType", "cas".into()),
                ("CertName", name.clone()),
            ]),
            Cert::Upload {
                public_pem,
                private_pem,
            } => p.extend([
                ("SSLProtocol", "on".into()),
                ("CertType", "upload".into()),
                ("SSLPub", public_pem.clone()),
                ("SSLPri", private_pem.expose().to_string()),
            ]),
        }
        p
    }

    /// Remove the private key from a message, should a server echo it.
    fn scrub(&self, mut e: ProviderError) -> ProviderError {
        if let Cert::Upload { private_pem, .. } = &self.cert {
            let key = private_pem.expose().trim();
            if !key.is_empty() && e.message.contains(key) {
                e.message = e.message.replace(key, "(sensitive value)");
            }
        }
        e
    }
}

impl fmt::Debug for CertRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("CertRequest");
        s.field("domain", &self.domain);
        match &self.cert {
            Cert::Off => s.field("ssl", &"off"),
            Cert::Cas { name } => s.field("cas", name),
            Cert::Upload { .. } => s
                .field("upload", &"(pem)")
                .field("private_pem", &"(sensitive value)"),
        };
        s.finish()
    }
}

impl fmt::Display for CertRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match &self.cert {
            Cert::Off => "SSL off".to_string(),
            Cert::Cas { name } => format!("certificate {name:?}"),
            Cert::Upload { .. } => "an uploaded certificate".to_string(),
        };
        write!(f, "{SET} {} with {what}", self.domain)
    }
}

/// Send the request; idempotent, so a lost answer may be repeated.
pub async fn set(p: &AliyunProvider, req: &CertRequest) -> Result<(), ProviderError> {
    p.client
        .call_if(SET, &req.params(), Effect::Write, idempotent_retry)
        .await
        .map(|_| ())
        .map_err(|e| req.scrub(e))
}

/// The domain's certificate as the vendor holds it (no private key).
pub async fn read(p: &AliyunProvider, domain: &str) -> Result<Certificate, ProviderError> {
    let params = [("DomainName", domain.to_string())];
    let answer = p.client.call(DESCRIBE, &params, Effect::Read).await?;
    Ok(config_read::certificate_from_info(&answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "-----BEGIN PRIVATE KEY-----\nTOPSECRETKEYMATERIAL\n-----END PRIVATE KEY-----\n";

    fn upload() -> Certificate {
        Certificate {
            id: None,
            public_pem: Some(
                "-----BEGIN CERTIFICATE-----\nPUB\n-----END CERTIFICATE-----\n".into(),
            ),
            private_pem: Some(KEY.into()),
        }
    }

    #[test]
    fn upload_params_and_redaction() {
        let r = CertRequest::on("a.example.com", &upload()).unwrap();
        let p = r.params();
        assert_eq!(p[1], ("SSLProtocol", "on".to_string()));
        assert_eq!(p[2], ("CertType", "upload".to_string()));
        assert_eq!(p[4], ("SSLPri", KEY.to_string()));
        for text in [format!("{r:?}"), format!("{r}")] {
            assert!(!text.contains("TOPSECRET"), "{text}");
        }
        let echoed = ProviderError::new(
            "aliyun",
            SET,
            ErrorKind::Invalid,
            format!("bad SSLPri {KEY}"),
        );
        let e = r.scrub(echoed);
        assert!(!format!("{e} {e:?}").contains("TOPSECRET"));
    }

    #[test]
    fn cas_off_and_digest() {
        let cas = Certificate {
            id: Some("cert-1".into()),
            public_pem: None,
            private_pem: None,
        };
        let p = CertRequest::on("a.example.com", &cas).unwrap().params();
        assert_eq!(
            p,
            vec![
                ("DomainName", "a.example.com".to_string()),
                ("SSLProtocol", "on".into()),
                ("CertType", "cas".into()),
                ("CertName", "cert-1".into())
            ]
        );
        assert_eq!(CertRequest::off("a.example.com").params()[1].1, "off");
        let mut digest = upload();
        digest.private_pem = Some("sha256:00ff".into());
        let e = CertRequest::on("a.example.com", &digest).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert!(e.message.contains("private_pem"), "{e}");
    }
}
