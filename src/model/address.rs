//! Resource and provider addresses: `cdn_domain.web`, `cdn_domain.web["k"]`,
//! `aliyun`, `aliyun.eu`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Address of one resource instance in the configuration and the state.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Address {
    pub resource_type: String,
    pub name: String,
    /// Instance key for `for_each` resources.
    pub key: Option<String>,
}

impl Address {
    pub fn new(resource_type: impl Into<String>, name: impl Into<String>) -> Self {
        Address {
            resource_type: resource_type.into(),
            name: name.into(),
            key: None,
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.resource_type, self.name)?;
        if let Some(key) = &self.key {
            write!(f, "[{}]", serde_json::Value::String(key.clone()))?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("invalid resource address {0:?}: expected TYPE.NAME or TYPE.NAME[\"KEY\"]")]
pub struct AddressParseError(pub String);

impl FromStr for Address {
    type Err = AddressParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || AddressParseError(s.to_string());
        let (head, key) = match s.find('[') {
            Some(i) => {
                let rest = s[i..].strip_prefix('[').and_then(|r| r.strip_suffix(']'));
                let key: String = rest
                    .and_then(|k| serde_json::from_str(k).ok())
                    .ok_or_else(err)?;
                (&s[..i], Some(key))
            }
            None => (s, None),
        };
        let (ty, name) = head.split_once('.').ok_or_else(err)?;
        let ident = |x: &str| {
            !x.is_empty()
                && x.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                && !x.starts_with(|c: char| c.is_ascii_digit())
        };
        if !ident(ty) || !ident(name) {
            return Err(err());
        }
        Ok(Address {
            resource_type: ty.to_string(),
            name: name.to_string(),
            key,
        })
    }
}

impl TryFrom<String> for Address {
    type Error = AddressParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Address> for String {
    fn from(a: Address) -> String {
        a.to_string()
    }
}

/// Which configured provider a resource uses: the vendor name plus an
/// optional alias (`aliyun`, `aliyun.eu`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProviderAddr {
    pub vendor: String,
    pub alias: Option<String>,
}

impl ProviderAddr {
    pub fn new(vendor: impl Into<String>, alias: Option<String>) -> Self {
        ProviderAddr {
            vendor: vendor.into(),
            alias,
        }
    }
}

impl fmt::Display for ProviderAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.alias {
            Some(a) => write!(f, "{}.{}", self.vendor, a),
            None => f.write_str(&self.vendor),
        }
    }
}

impl FromStr for ProviderAddr {
    type Err = AddressParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err(AddressParseError(s.to_string()));
        }
        Ok(match s.split_once('.') {
            Some((v, a)) => ProviderAddr::new(v, Some(a.to_string())),
            None => ProviderAddr::new(s, None),
        })
    }
}

impl TryFrom<String> for ProviderAddr {
    type Error = AddressParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<ProviderAddr> for String {
    fn from(a: ProviderAddr) -> String {
        a.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_round_trip() {
        for s in ["cdn_domain.web", "cdn_domain.web[\"a.example.com\"]"] {
            let a: Address = s.parse().unwrap();
            assert_eq!(a.to_string(), s);
        }
        assert!("cdn_domain".parse::<Address>().is_err());
        assert!("cdn_domain.web[x]".parse::<Address>().is_err());
        let p: ProviderAddr = "aliyun.eu".parse().unwrap();
        assert_eq!(p.alias.as_deref(), Some("eu"));
        assert_eq!(p.to_string(), "aliyun.eu");
    }
}
