//! Request parameters: decoding the query string and the form body and merging them.
//!
//! Alibaba's RPC gateway takes parameters from the query and, for POST, from an
//! `application/x-www-form-urlencoded` body; the signature covers both together (API-NOTES).
//! Both are decoded the form way: `+` is a space and `%XY` a byte, so `+` and `%20` mean the
//! same thing; a literal plus must arrive as `%2B`.

use std::collections::BTreeMap;

use super::errors::AliError;

/// The decoded parameters of one request, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    map: BTreeMap<String, String>,
}

impl Params {
    /// Query first, then body. MODELLED: when a name occurs twice (in the query and the body,
    /// or twice in one of them) the later value wins; the seeds do not say.
    pub fn merge(query: Option<&str>, body: Option<&str>) -> Result<Params, AliError> {
        let mut map = BTreeMap::new();
        for source in [query, body].into_iter().flatten() {
            for (name, value) in decode_form(source)? {
                map.insert(name, value);
            }
        }
        Ok(Params { map })
    }

    /// Builds parameters directly (tests).
    #[cfg(test)]
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Params {
        Params {
            map: pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(String::as_str)
    }

    /// A present and non-empty value; an empty value counts as missing, as Alibaba's
    /// "mandatory ... is not supplied" suggests (MODELLED).
    pub fn require(&self, name: &str) -> Result<&str, AliError> {
        match self.get(name) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(AliError::missing_parameter(name)),
        }
    }

    /// An optional value; empty counts as absent.
    pub fn optional(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// All parameters in name order (what the canonical string is built from).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// Decodes `a=1&b=x+y&c` into pairs; a name without `=` has the empty value (so
/// `SignatureType=` and `SignatureType` are the same parameter with an empty value).
pub fn decode_form(input: &str) -> Result<Vec<(String, String)>, AliError> {
    let mut out = Vec::new();
    for piece in input.split('&') {
        if piece.is_empty() {
            continue;
        }
        let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
        let name = decode_component(name)?;
        if name.is_empty() {
            continue;
        }
        out.push((name, decode_component(value)?));
    }
    Ok(out)
}

/// One form-encoded component: `+` → space, then percent-decoding, then UTF-8.
fn decode_component(raw: &str) -> Result<String, AliError> {
    let spaced = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .map(|c| c.into_owned())
        // MODELLED: bytes that are not UTF-8 are refused as an invalid parameter (the seeds
        // only say that requests are UTF-8).
        .map_err(|_| AliError::invalid_value("encoding"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plus_and_percent_twenty_are_both_spaces() {
        let p = Params::merge(Some("A=x+y&B=x%20y&C=x%2By"), None).unwrap();
        assert_eq!(p.get("A"), Some("x y"));
        assert_eq!(p.get("B"), Some("x y"));
        assert_eq!(p.get("C"), Some("x+y"));
    }

    #[test]
    fn query_and_body_merge_and_body_wins() {
        let p = Params::merge(Some("Action=X&Same=q"), Some("DomainName=a.com&Same=b")).unwrap();
        assert_eq!(p.get("Action"), Some("X"));
        assert_eq!(p.get("DomainName"), Some("a.com"));
        assert_eq!(p.get("Same"), Some("b"));
    }

    #[test]
    fn empty_values_are_kept_but_count_as_missing() {
        let p = Params::merge(Some("SignatureType=&RegionId&&=x"), None).unwrap();
        assert_eq!(p.get("SignatureType"), Some(""));
        assert_eq!(p.get("RegionId"), Some(""));
        assert_eq!(p.iter().count(), 2);
        assert_eq!(
            p.require("SignatureType").unwrap_err().code,
            "MissingParameter"
        );
    }

    #[test]
    fn invalid_utf8_is_refused() {
        assert!(Params::merge(Some("A=%FF"), None).is_err());
    }
}
