//! Generic attribute comparison over JSON values, guided by the schema:
//! which configured attributes differ, treating unordered block lists as
//! multisets.

use crate::model::{BlockSchema, PlannedValue};
use serde_json::Value as Json;

/// Are two values of top-level key `key` equal under the schema's rules?
pub fn key_equal(schema: &BlockSchema, key: &str, a: &Json, b: &Json) -> bool {
    let block = schema.block_by_json_name(key);
    // An absent list of blocks and an empty one mean the same.
    let empty = Json::Array(Vec::new());
    let as_list =
        |v: &'_ Json| -> bool { matches!((block, v), (Some(nb), Json::Null) if !nb.single) };
    let a = if as_list(a) { &empty } else { a };
    let b = if as_list(b) { &empty } else { b };
    // Equal as JSON (objects compare as maps) is equal under any rule; a
    // plan with no changes takes this path for every key, without copying.
    if a == b {
        return true;
    }
    match (block, a, b) {
        (Some(block), Json::Array(x), Json::Array(y)) if !block.ordered => {
            if x.len() != y.len() {
                return false;
            }
            let mut xs: Vec<String> = x.iter().map(canonical).collect();
            let mut ys: Vec<String> = y.iter().map(canonical).collect();
            xs.sort();
            ys.sort();
            xs == ys
        }
        _ => false,
    }
}

fn canonical(v: &Json) -> String {
    // serde_json keeps insertion order (preserve_order), so sort keys first.
    fn sort(v: &Json) -> Json {
        match v {
            Json::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                Json::Object(keys.into_iter().map(|k| (k.clone(), sort(&m[k]))).collect())
            }
            Json::Array(a) => Json::Array(a.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    sort(v).to_string()
}

/// Configured top-level keys whose desired value differs from `live`
/// (an unknown desired value counts as different).
pub fn changed_config_keys(
    schema: &BlockSchema,
    desired: &PlannedValue,
    live: &Json,
) -> Vec<String> {
    schema
        .config_keys()
        .filter(|key| {
            if !desired.unknown.is_empty() && desired.is_unknown_at(&format!("/{key}")) {
                return true;
            }
            let want = desired.value.get(*key).unwrap_or(&Json::Null);
            let have = live.get(*key).unwrap_or(&Json::Null);
            !key_equal(schema, key, want, have)
        })
        .map(str::to_string)
        .collect()
}

/// Configured top-level keys that differ between two recorded values (drift).
pub fn changed_between(schema: &BlockSchema, before: &Json, after: &Json) -> Vec<String> {
    schema
        .config_keys()
        .filter(|key| {
            let a = before.get(*key).unwrap_or(&Json::Null);
            let b = after.get(*key).unwrap_or(&Json::Null);
            !key_equal(schema, key, a, b)
        })
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::CDN_DOMAIN;
    use serde_json::json;

    #[test]
    fn origins_compare_as_multiset() {
        let a = json!([{"address": "1.1.1.1", "port": 80}, {"address": "2.2.2.2", "port": 80}]);
        let b = json!([{"port": 80, "address": "2.2.2.2"}, {"address": "1.1.1.1", "port": 80}]);
        assert!(key_equal(CDN_DOMAIN.block, "origins", &a, &b));
        let c = json!([{"address": "1.1.1.1", "port": 81}, {"address": "2.2.2.2", "port": 80}]);
        assert!(!key_equal(CDN_DOMAIN.block, "origins", &a, &c));
    }

    #[test]
    fn computed_keys_are_not_compared() {
        let desired = PlannedValue::known(
            json!({"name": "a.com", "cdn_type": "web", "enabled": true, "origins": []}),
        );
        let live = json!({"name": "a.com", "cdn_type": "web", "enabled": true, "origins": [], "cname": "x", "status": "online"});
        assert!(changed_config_keys(CDN_DOMAIN.block, &desired, &live).is_empty());
        let live2 = json!({"name": "a.com", "cdn_type": "video", "enabled": false, "origins": []});
        assert_eq!(
            changed_config_keys(CDN_DOMAIN.block, &desired, &live2),
            vec!["cdn_type", "enabled"]
        );
    }

    #[test]
    fn absent_and_empty_block_lists_are_equal() {
        let b = CDN_DOMAIN.block;
        assert!(key_equal(b, "cache_rules", &Json::Null, &json!([])));
        assert!(key_equal(b, "cache_rules", &json!([]), &Json::Null));
        assert!(!key_equal(
            b,
            "cache_rules",
            &Json::Null,
            &json!([{"match": "path"}])
        ));
        // A single block: absent is not an empty object.
        assert!(!key_equal(b, "https", &Json::Null, &json!({})));
        // Objects compare as maps, whatever their key order.
        assert!(key_equal(
            b,
            "https",
            &json!({"http2": true, "force_redirect": false}),
            &json!({"force_redirect": false, "http2": true})
        ));
        assert!(key_equal(b, "name", &json!("a"), &json!("a")));
        assert!(!key_equal(b, "name", &json!("a"), &json!("b")));
    }
}
