//! Per-vendor capability table: which attributes of the neutral schema a
//! vendor can express, and its documented limits. Using an unsupported
//! attribute is a plan-time error naming the vendor and the attribute.

/// What a vendor supports. `attributes` lists JSON pointers in schema form
/// with `*` for list indexes (`/origins/*/weight`).
#[derive(Debug)]
pub struct Capabilities {
    pub vendor: &'static str,
    pub resource_types: &'static [&'static str],
    pub attributes: &'static [&'static str],
    /// Largest number of origins a domain may have.
    pub max_origins: usize,
}

impl Capabilities {
    /// Is the attribute at `pointer` (concrete indexes allowed) supported?
    pub fn supports(&self, pointer: &str) -> bool {
        let general: String = pointer
            .split('/')
            .map(|seg| {
                if !seg.is_empty() && seg.chars().all(|c| c.is_ascii_digit()) {
                    "*"
                } else {
                    seg
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        self.attributes
            .iter()
            .any(|a| *a == general || general.starts_with(&format!("{a}/")))
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
        };
        assert!(c.supports("/name"));
        assert!(c.supports("/origins/3/port"));
        assert!(!c.supports("/origins/3/weight"));
    }
}
