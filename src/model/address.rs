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
    /// Instance key for `for_each` (a string) and `count` (a number) resources.
    pub key: Option<InstanceKey>,
}

/// The key of one instance of a resource with `for_each` or `count`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InstanceKey {
    /// `count.index`: `cdn_domain.web[0]`.
    Int(u64),
    /// `each.key`: `cdn_domain.web["eu"]`.
    Str(String),
}

impl fmt::Display for InstanceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceKey::Int(i) => write!(f, "{i}"),
            InstanceKey::Str(s) => write!(f, "{}", serde_json::Value::String(s.clone())),
        }
    }
}

impl Address {
    pub fn new(resource_type: impl Into<String>, name: impl Into<String>) -> Self {
        Address {
            resource_type: resource_type.into(),
            name: name.into(),
            key: None,
        }
    }

    /// The instance `key` of this resource.
    pub fn with_key(&self, key: InstanceKey) -> Self {
        Address {
            key: Some(key),
            ..self.clone()
        }
    }

    /// The resource this instance belongs to (itself when it has no key).
    pub fn resource(&self) -> Self {
        Address {
            key: None,
            ..self.clone()
        }
    }

    /// Whether `self`, as a `-target`-style address, names `other`: equal,
    /// or `self` names the whole resource `other` is an instance of.
    pub fn contains(&self, other: &Address) -> bool {
        self == other || (self.key.is_none() && *self == other.resource())
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.resource_type, self.name)?;
        if let Some(key) = &self.key {
            write!(f, "[{key}]")?;
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
                let key = match rest.and_then(|k| serde_json::from_str(k).ok()) {
                    Some(serde_json::Value::String(k)) => InstanceKey::Str(k),
                    Some(serde_json::Value::Number(n)) => {
                        InstanceKey::Int(n.as_u64().ok_or_else(err)?)
                    }
                    _ => return Err(err()),
                };
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
        for s in [
            "cdn_domain.web",
            "cdn_domain.web[\"a.example.com\"]",
            "cdn_domain.web[3]",
        ] {
            let a: Address = s.parse().unwrap();
            assert_eq!(a.to_string(), s);
        }
        assert!("cdn_domain".parse::<Address>().is_err());
        assert!("cdn_domain.web[x]".parse::<Address>().is_err());
        assert!("cdn_domain.web[-1]".parse::<Address>().is_err());
        assert!("cdn_domain.web[1.5]".parse::<Address>().is_err());
        let whole: Address = "cdn_domain.web".parse().unwrap();
        assert!(whole.contains(&"cdn_domain.web[2]".parse().unwrap()));
        assert!(!whole.contains(&"cdn_domain.webx".parse().unwrap()));
        let one: Address = "cdn_domain.web[\"a\"]".parse().unwrap();
        assert!(!one.contains(&whole));
        let p: ProviderAddr = "aliyun.eu".parse().unwrap();
        assert_eq!(p.alias.as_deref(), Some("eu"));
        assert_eq!(p.to_string(), "aliyun.eu");
    }
}
