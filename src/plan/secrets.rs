//! Write-only attributes (a certificate's private key): the vendor accepts
//! them but never returns them, and they must never reach the state, a plan
//! file or the output. The planner swaps each value for a `sha256:` digest
//! (so a changed key still plans an update) and keeps the value itself in
//! memory only, for the applier to send.

use crate::model::value::pointer_segment;
use crate::model::{Address, AttrSchema, BlockSchema, PlannedValue, Secret};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Write-only values of this run, by resource and JSON pointer. Never
/// serialised.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Secrets(BTreeMap<(Address, String), Secret>);

impl Secrets {
    pub fn get(&self, address: &Address, pointer: &str) -> Option<&Secret> {
        self.0.get(&(address.clone(), pointer.to_string()))
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

pub fn digest(value: &str) -> String {
    let hash = Sha256::digest(value.as_bytes());
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Visit every attribute present in `value`, with its schema and pointer.
pub fn visit(
    schema: &BlockSchema,
    value: &Json,
    ptr: &str,
    f: &mut dyn FnMut(&AttrSchema, &str, &Json),
) {
    visit_where(schema, value, ptr, &|_| true, f)
}

/// `visit`, only for the attributes `wanted` selects: a pointer is made for
/// those alone, and blocks holding none of them are not entered (a plan
/// looks for the few write-only attributes of every resource twice).
pub fn visit_where(
    schema: &BlockSchema,
    value: &Json,
    ptr: &str,
    wanted: &dyn Fn(&AttrSchema) -> bool,
    f: &mut dyn FnMut(&AttrSchema, &str, &Json),
) {
    for attr in schema.attributes.iter().filter(|a| wanted(a)) {
        if let Some(v) = value.get(attr.name) {
            f(attr, &format!("{ptr}/{}", pointer_segment(attr.name)), v);
        }
    }
    for nb in schema.blocks {
        if !holds(nb.block, wanted) {
            continue;
        }
        let p = format!("{ptr}/{}", pointer_segment(nb.json_name));
        match value.get(nb.json_name) {
            Some(Json::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    visit_where(nb.block, item, &format!("{p}/{i}"), wanted, f);
                }
            }
            Some(obj @ Json::Object(_)) => visit_where(nb.block, obj, &p, wanted, f),
            _ => {}
        }
    }
}

/// Does `schema` (or a block nested in it) have an attribute `wanted` selects?
fn holds(schema: &BlockSchema, wanted: &dyn Fn(&AttrSchema) -> bool) -> bool {
    schema.attributes.iter().any(wanted) || schema.blocks.iter().any(|nb| holds(nb.block, wanted))
}

/// Mark schema-sensitive attributes sensitive, and replace each known
/// write-only value by its digest, keeping the value in `secrets`.
pub fn protect(
    schema: &BlockSchema,
    address: &Address,
    planned: &mut PlannedValue,
    secrets: &mut Secrets,
) {
    let mut found = Vec::new();
    visit_where(
        schema,
        &planned.value,
        "",
        &|a| a.sensitive,
        &mut |attr, ptr, v| {
            if attr.sensitive {
                found.push((
                    ptr.to_string(),
                    attr.write_only,
                    v.as_str().map(str::to_string),
                ));
            }
        },
    );
    for (ptr, write_only, text) in found {
        planned.sensitive.insert(ptr.clone());
        if let (true, Some(text)) = (write_only, text) {
            if planned.unknown.contains_key(&ptr) || text.starts_with("sha256:") {
                continue;
            }
            if let Some(slot) = planned.value.pointer_mut(&ptr) {
                *slot = Json::String(digest(&text));
            }
            secrets.0.insert((address.clone(), ptr), Secret::new(text));
        }
    }
}

/// The vendor never returns write-only values: carry the digests recorded in
/// the state over into the freshly read value, where the enclosing block
/// still exists.
pub fn carry_over(schema: &BlockSchema, recorded: &Json, live: &mut Json) {
    let mut keep = Vec::new();
    let write_only = |a: &AttrSchema| a.write_only;
    visit_where(schema, recorded, "", &write_only, &mut |attr, ptr, v| {
        if attr.write_only && !v.is_null() {
            keep.push((ptr.to_string(), v.clone()));
        }
    });
    for (ptr, v) in keep {
        let (parent, key) = ptr.rsplit_once('/').expect("pointers start with /");
        if let Some(Json::Object(m)) = live.pointer_mut(parent) {
            if m.get(key).is_none_or(Json::is_null) {
                m.insert(key.replace("~1", "/").replace("~0", "~"), v);
            }
        }
    }
}

/// Put the real write-only values back, for the vendor call.
pub fn reveal(schema: &BlockSchema, address: &Address, value: &mut Json, secrets: &Secrets) {
    let mut ptrs = Vec::new();
    let write_only = |a: &AttrSchema| a.write_only;
    visit_where(schema, value, "", &write_only, &mut |attr, ptr, _| {
        if attr.write_only {
            ptrs.push(ptr.to_string());
        }
    });
    for ptr in ptrs {
        if let (Some(secret), Some(slot)) = (secrets.get(address, &ptr), value.pointer_mut(&ptr)) {
            *slot = Json::String(secret.expose().to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::CDN_DOMAIN;
    use serde_json::json;

    fn value() -> Json {
        json!({"name": "a.example.com", "https": {"certificate": {"public_pem": "CERT", "private_pem": "KEY-1"}, "http2": true}})
    }

    #[test]
    fn protect_replaces_the_key_by_its_digest() {
        let address = Address::new("cdn_domain", "a");
        let mut planned = PlannedValue::known(value());
        let mut secrets = Secrets::default();
        protect(CDN_DOMAIN.block, &address, &mut planned, &mut secrets);
        let stored = planned
            .value
            .pointer("/https/certificate/private_pem")
            .unwrap()
            .as_str()
            .unwrap();
        assert_eq!(stored, digest("KEY-1"));
        assert!(!planned.value.to_string().contains("KEY-1"));
        assert!(planned.is_sensitive_at("/https/certificate/private_pem"));
        assert_eq!(
            secrets
                .get(&address, "/https/certificate/private_pem")
                .unwrap()
                .expose(),
            "KEY-1"
        );
        assert!(!format!("{secrets:?}").contains("KEY-1"));

        let mut call = planned.value.clone();
        reveal(CDN_DOMAIN.block, &address, &mut call, &secrets);
        assert_eq!(call, value());
    }

    #[test]
    fn carry_over_fills_the_digest_the_vendor_does_not_return() {
        let recorded =
            json!({"https": {"certificate": {"public_pem": "CERT", "private_pem": "sha256:ab"}}});
        let mut live = json!({"https": {"certificate": {"public_pem": "CERT"}}});
        carry_over(CDN_DOMAIN.block, &recorded, &mut live);
        assert_eq!(live, recorded);
        let mut gone = json!({"https": null});
        carry_over(CDN_DOMAIN.block, &recorded, &mut gone);
        assert_eq!(gone, json!({"https": null}));
    }

    #[test]
    fn visit_where_sees_only_the_wanted_attributes() {
        let v = json!({"name": "a.example.com", "origins": [{"address": "192.0.2.1"}],
                       "https": {"http2": true, "certificate": {"private_pem": "K", "id": "7"}}});
        let mut seen = Vec::new();
        visit_where(
            CDN_DOMAIN.block,
            &v,
            "",
            &|a| a.write_only,
            &mut |_, ptr, _| seen.push(ptr.to_string()),
        );
        assert_eq!(seen, ["/https/certificate/private_pem"]);
        let mut all = Vec::new();
        visit(CDN_DOMAIN.block, &v, "", &mut |_, ptr, _| {
            all.push(ptr.to_string())
        });
        assert!(all.contains(&"/origins/0/address".to_string()), "{all:?}");
        assert!(all.contains(&"/https/certificate/private_pem".to_string()));
    }
}
