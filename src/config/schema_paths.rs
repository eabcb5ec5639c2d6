//! Attribute paths into a resource's schema JSON (`origins`, `0`,
//! `address`; `https`, `certificate`, `id` through single blocks): which
//! paths exist, for the validation lookup and for
//! "Unsupported attribute" suggestions.

use super::diagnostics::did_you_mean;
use crate::model::schema::{resource_schema, AttrType, BlockSchema};
use crate::model::{Address, Lookup};

/// The index of the first segment of `path` the schema of `ty` does not
/// have, and a did-you-mean hint for it.
pub fn unsupported_segment(ty: &str, path: &[String]) -> (usize, String) {
    let Some(schema) = resource_schema(ty) else {
        return (0, String::new());
    };
    match walk(schema.block, path) {
        Ok(()) => (path.len().saturating_sub(1), String::new()),
        Err((i, names)) => (i, did_you_mean(&path[i], names.iter().copied())),
    }
}

/// A lookup that knows nothing but the schema: every existing attribute
/// is unknown. Used to validate configurations before any plan.
pub fn schema_lookup(address: &Address, path: &[String]) -> Lookup {
    match resource_schema(&address.resource_type).map(|s| walk(s.block, path)) {
        Some(Ok(())) => Lookup::Unknown,
        _ => Lookup::NoSuchAttribute,
    }
}

/// Keys of a block's JSON object: attribute names and nested block lists.
pub fn json_keys(block: &BlockSchema) -> Vec<&'static str> {
    block
        .attributes
        .iter()
        .map(|a| a.name)
        .chain(block.blocks.iter().map(|b| b.json_name))
        .collect()
}

fn walk(block: &BlockSchema, path: &[String]) -> Result<(), (usize, Vec<&'static str>)> {
    let mut block = block;
    let mut i = 0;
    while i < path.len() {
        let seg = path[i].as_str();
        if let Some(a) = block.attribute(seg) {
            // Below a list or map attribute any index is plausible.
            return match a.ty {
                AttrType::List(_) | AttrType::Map(_) => Ok(()),
                _ if i + 1 == path.len() => Ok(()),
                _ => Err((i + 1, Vec::new())),
            };
        }
        let Some(nested) = block.blocks.iter().find(|b| b.json_name == seg) else {
            return Err((i, json_keys(block)));
        };
        if nested.single {
            // `https.certificate.id`: no index below a single block.
            block = nested.block;
            i += 1;
            continue;
        }
        if i + 1 == path.len() {
            return Ok(());
        }
        if path[i + 1].parse::<usize>().is_err() {
            return Err((i + 1, Vec::new()));
        }
        block = nested.block;
        i += 2;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn schema_paths() {
        let a = Address::new("cdn_domain", "x");
        assert_eq!(schema_lookup(&a, &p(&["cname"])), Lookup::Unknown);
        assert_eq!(
            schema_lookup(&a, &p(&["origins", "0", "address"])),
            Lookup::Unknown
        );
        assert_eq!(
            schema_lookup(&a, &p(&["origins", "0", "adress"])),
            Lookup::NoSuchAttribute
        );
        assert_eq!(schema_lookup(&a, &p(&["cnam"])), Lookup::NoSuchAttribute);
        let (i, hint) = unsupported_segment("cdn_domain", &p(&["origins", "0", "adress"]));
        assert_eq!((i, hint.as_str()), (2, " Did you mean \"address\"?"));
        for ok in [
            &["https"][..],
            &["https", "http2"],
            &["https", "certificate", "id"],
            &["referer", "list", "2"],
            &["cache_rules", "0", "ttl"],
        ] {
            assert_eq!(schema_lookup(&a, &p(ok)), Lookup::Unknown, "{ok:?}");
        }
        assert_eq!(
            schema_lookup(&a, &p(&["https", "0", "http2"])),
            Lookup::NoSuchAttribute
        );
        let (i, hint) = unsupported_segment("cdn_domain", &p(&["https", "htp2"]));
        assert_eq!((i, hint.as_str()), (1, " Did you mean \"http2\"?"));
        let (i, hint) =
            unsupported_segment("cdn_domain", &p(&["https", "certificate", "privte_pem"]));
        assert_eq!((i, hint.as_str()), (2, " Did you mean \"private_pem\"?"));
    }
}
