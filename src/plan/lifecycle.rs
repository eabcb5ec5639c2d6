//! The `lifecycle` block in the plan: `ignore_changes` (the prior value
//! wins for those attributes), `prevent_destroy` (a plan that deletes or
//! replaces a protected resource is refused — the protection recorded in the
//! state outlives the resource block) and `create_before_destroy` (possible
//! only when the replacement has another domain name).

use crate::model::{Address, BlockSchema, Desired, Diagnostic, IgnoreChanges, PlannedValue};
use crate::plan::{Action, ResourceChange};
use crate::state::State;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// Keep the prior value of every ignored attribute in `desired`.
pub fn ignore_changes(
    ignore: &IgnoreChanges,
    schema: &BlockSchema,
    desired: &mut PlannedValue,
    prior: &Json,
) {
    let pointers: Vec<String> = match ignore {
        IgnoreChanges::None => return,
        IgnoreChanges::All => schema
            .config_keys()
            .map(|k| format!("/{}", crate::model::value::pointer_segment(k)))
            .collect(),
        IgnoreChanges::Some(p) => p.clone(),
    };
    for ptr in pointers {
        desired
            .unknown
            .retain(|p, _| !(p == &ptr || p.starts_with(&format!("{ptr}/"))));
        desired
            .sensitive
            .retain(|p| !(p == &ptr || p.starts_with(&format!("{ptr}/"))));
        set_pointer(&mut desired.value, &ptr, prior.pointer(&ptr).cloned());
    }
}

/// Set (or with `None`, remove) the value at a pointer of objects, creating
/// parent objects as needed.
fn set_pointer(root: &mut Json, ptr: &str, value: Option<Json>) {
    let segs: Vec<String> = ptr
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let Some((last, parents)) = segs.split_last() else {
        return;
    };
    let mut at = root;
    for s in parents {
        if !at.is_object() {
            return;
        }
        let next = at
            .as_object_mut()
            .expect("checked")
            .entry(s.clone())
            .or_insert_with(|| Json::Object(Default::default()));
        if next.is_null() {
            *next = Json::Object(Default::default());
        }
        at = next;
    }
    let Some(obj) = at.as_object_mut() else {
        return;
    };
    match value {
        Some(v) => {
            obj.insert(last.clone(), v);
        }
        None => {
            obj.remove(last);
        }
    }
}

/// Errors for every delete or replace of a protected resource. A resource
/// in the configuration is protected by its `prevent_destroy`; one that left
/// the configuration by the protection recorded in the state, unless named
/// in `unprotect`.
pub fn protection_errors(
    changes: &[ResourceChange],
    desired: &dyn Desired,
    prior: &State,
    unprotect: &[Address],
) -> Vec<Diagnostic> {
    let declared: BTreeMap<&Address, bool> = desired
        .resources()
        .iter()
        .map(|r| (&r.address, r.lifecycle.prevent_destroy))
        .collect();
    let mut out = Vec::new();
    for c in changes {
        if !matches!(c.action, Action::Delete | Action::Replace) {
            continue;
        }
        let verb = if c.action == Action::Delete {
            "destroy"
        } else {
            "replace"
        };
        let detail = match declared.get(&c.address) {
            Some(true) => format!(
                "{} has lifecycle.prevent_destroy set, but this plan would {verb} it. \
                 To allow it, remove prevent_destroy from its lifecycle block (or change the plan so it is not {verb}ed).",
                c.address
            ),
            Some(false) => continue,
            None => {
                let recorded = prior.get(&c.address).is_some_and(|r| r.protected);
                if !recorded || unprotect.iter().any(|u| u.contains(&c.address)) {
                    continue;
                }
                format!(
                    "{} was applied with lifecycle.prevent_destroy and the state still protects it, \
                     though it is no longer in the configuration; this plan would {verb} it. \
                     To destroy it deliberately, run again with -unprotect '{}'; to stop managing it \
                     without deleting it, run cdnform state rm '{}'.",
                    c.address, c.address, c.address
                )
            }
        };
        let at = desired.locate(&c.address, "");
        out.push(
            Diagnostic::error("Instance cannot be destroyed")
                .with_detail(detail)
                .at(at),
        );
    }
    out
}

/// `create_before_destroy` needs the new domain to exist beside the old
/// one, which no vendor allows under the same name.
pub fn create_before_destroy_errors(
    changes: &[ResourceChange],
    prior: &State,
    desired: &dyn Desired,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for c in changes {
        if c.action != Action::Replace || !c.lifecycle.create_before_destroy {
            continue;
        }
        let old = prior.get(&c.address).map(|r| r.vendor_id.as_str());
        let new = c
            .after
            .as_ref()
            .and_then(|a| a.value.get("name"))
            .and_then(Json::as_str);
        if old.is_some() && old == new {
            out.push(
                Diagnostic::error("Cannot create before destroy")
                    .with_detail(format!(
                        "{} must be replaced ({}), and lifecycle.create_before_destroy asks for the new domain first, \
                         but it keeps the name {}: a vendor account holds a domain name once. \
                         Remove create_before_destroy to replace it in place (delete, then create).",
                        c.address,
                        c.replace_because.join(", "),
                        new.unwrap_or_default()
                    ))
                    .at(desired.locate(&c.address, "")),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn set_pointer_sets_creates_and_removes() {
        let mut v = json!({"a": 1});
        set_pointer(&mut v, "/https/http2", Some(json!(true)));
        assert_eq!(v, json!({"a": 1, "https": {"http2": true}}));
        set_pointer(&mut v, "/a", None);
        assert_eq!(v, json!({"https": {"http2": true}}));
        set_pointer(&mut v, "/x~1y", Some(json!(2)));
        assert_eq!(v["x/y"], json!(2));
    }

    #[test]
    fn ignored_attributes_take_the_prior_value() {
        let schema = crate::model::schema::resource_schema("cdn_domain")
            .unwrap()
            .block;
        let mut desired =
            PlannedValue::known(json!({"name": "a", "origin_host": "new", "ipv6": true}));
        desired
            .unknown
            .insert("/origin_host".into(), crate::model::Unknown::Computed);
        let prior = json!({"name": "a", "origin_host": "old"});
        ignore_changes(
            &IgnoreChanges::Some(vec!["/origin_host".into(), "/ipv6".into()]),
            schema,
            &mut desired,
            &prior,
        );
        assert_eq!(desired.value, json!({"name": "a", "origin_host": "old"}));
        assert!(desired.unknown.is_empty());
    }
}
