//! Per-vendor capability table: which attributes of the neutral schema a
//! vendor can express, and its documented limits. Using an unsupported
//! attribute is a plan-time error naming the vendor and the attribute.

use crate::model::BlockSchema;

/// What a vendor supports. `attributes` lists JSON pointers in schema form
/// with `*` for list indexes (`/origins/*/weight`).
#[derive(Debug)]
pub struct Capabilities {
    pub vendor: &'static str,
    pub resource_types: &'static [&'static str],
    pub attributes: &'static [&'static str],
    /// Largest number of origins a domain may have.
    pub max_origins: usize,
    /// Attributes (schema pointers with `*`) restricted to some values,
    /// e.g. `("/cache_rules/*/match", &["extension", "directory"])`.
    pub allowed_values: &'static [(&'static str, &'static [&'static str])],
    /// Longest lists the vendor accepts, e.g. `("/referer/list", 100)`.
    pub max_items: &'static [(&'static str, usize)],
}

impl Capabilities {
    /// Is the attribute at `pointer` (concrete indexes allowed) supported?
    pub fn supports(&self, pointer: &str) -> bool {
        let general = Self::general(pointer);
        self.attributes
            .iter()
            .any(|a| *a == general || general.starts_with(&format!("{a}/")))
    }

    /// Is any attribute inside the block at `pointer` supported?
    pub fn supports_block(&self, pointer: &str) -> bool {
        let general = Self::general(pointer);
        self.attributes
            .iter()
            .any(|a| *a == general || a.starts_with(&format!("{general}/")))
    }

    /// The allowed values of the attribute at `pointer`, if restricted.
    pub fn allowed_values(&self, pointer: &str) -> Option<&'static [&'static str]> {
        let general = Self::general(pointer);
        self.allowed_values
            .iter()
            .find(|(p, _)| *p == general)
            .map(|(_, v)| *v)
    }

    /// The most items the list at `pointer` may hold, if limited.
    pub fn max_items(&self, pointer: &str) -> Option<usize> {
        let general = Self::general(pointer);
        self.max_items
            .iter()
            .find(|(p, _)| *p == general)
            .map(|(_, n)| *n)
    }

    /// The schema attributes this vendor cannot express (sorted), after
    /// checking that it lists nothing the schema lacks. Each vendor's test
    /// pins this list, so a new schema attribute fails there until the vendor
    /// maps it or declares it unsupported.
    pub fn unsupported_in(&self, schema: &BlockSchema) -> Vec<String> {
        let all = schema.attribute_pointers();
        for a in self.attributes {
            assert!(
                all.iter()
                    .any(|p| p == a || p.starts_with(&format!("{a}/"))),
                "{}: {a} is not in the schema",
                self.vendor
            );
        }
        let mut out: Vec<String> = all
            .into_iter()
            .filter(|p| !self.supports(&p.replace('*', "0")))
            .collect();
        out.sort();
        out
    }

    /// `/origins/3/port` -> `/origins/*/port`.
    fn general(pointer: &str) -> String {
        pointer
            .split('/')
            .map(|seg| {
                if !seg.is_empty() && seg.chars().all(|c| c.is_ascii_digit()) {
                    "*"
                } else {
                    seg
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supports_with_indexes() {
        let c = Capabilities {
            vendor: "x",
            resource_types: &["cdn_domain"],
            attributes: &["/name", "/origins/*/port"],
            max_origins: 1,
            allowed_values: &[("/origins/*/type", &["ip"])],
            max_items: &[("/origins", 2)],
        };
        assert_eq!(c.allowed_values("/origins/0/type"), Some(&["ip"][..]));
        assert_eq!(c.max_items("/origins"), Some(2));
        assert!(c.supports("/name"));
        assert!(c.supports("/origins/3/port"));
        assert!(!c.supports("/origins/3/weight"));
    }
}
