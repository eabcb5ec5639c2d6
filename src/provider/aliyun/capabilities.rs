//! What Alibaba Cloud CDN can express of the neutral schema, and its limits.

use super::validate::MAX_IP_ORIGINS;
use crate::provider::Capabilities;

pub static CAPABILITIES: Capabilities = Capabilities {
    vendor: "aliyun",
    resource_types: &["cdn_domain"],
    attributes: &[
        "/name",
        "/cdn_type",
        "/enabled",
        // Not "/origins" itself: `supports` would then accept any attribute
        // under it, including ones added to the schema later.
        "/origins/*/type",
        "/origins/*/address",
        "/origins/*/port",
        "/origins/*/priority",
        "/origins/*/weight",
        "/cname",
        "/https_cname",
        "/status",
        "/created_at",
        "/modified_at",
    ],
    max_origins: MAX_IP_ORIGINS,
    allowed_values: &[],
    max_items: &[],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::CDN_DOMAIN;

    /// Every attribute of the current `cdn_domain` schema is supported: a
    /// new attribute added to the schema fails here until it is mapped.
    #[test]
    fn covers_the_whole_schema() {
        let block = CDN_DOMAIN.block;
        for a in block.attributes {
            let p = format!("/{}", a.name);
            assert!(CAPABILITIES.supports(&p), "{p}");
        }
        for nested in block.blocks {
            for a in nested.block.attributes {
                let p = format!("/{}/0/{}", nested.json_name, a.name);
                assert!(CAPABILITIES.supports(&p), "{p}");
            }
        }
        assert!(!CAPABILITIES.supports("/origins/0/unknown"));
        assert_eq!(CAPABILITIES.max_origins, 20);
    }
}
