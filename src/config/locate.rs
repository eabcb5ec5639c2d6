//! Mapping JSON pointers of an evaluated resource (`/name`,
//! `/origins/1/address`, `/https/certificate/id`, `/referer/list/2`) back to the attribute or block that set them,
//! falling back to the enclosing block and then the resource header.

use super::source::SourceFile;
use crate::model::schema::BlockSchema;
use crate::model::Location;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};
use hcl_edit::Span;
use std::ops::Range;

/// `resource "cdn_domain" "web"`: from the block's start to its last label.
pub fn header_span(block: &Block) -> Option<Range<usize>> {
    let start = block.ident.span()?.start;
    let end = block
        .labels
        .last()
        .and_then(|l| l.span())
        .or(block.ident.span())?
        .end;
    Some(start..end)
}

/// The span for `pointer` within a resource `block` of `schema`.
pub fn span_in_block(block: &Block, schema: &BlockSchema, pointer: &str) -> Option<Range<usize>> {
    let segs = segments(pointer);
    let fallback = header_span(block).or(block.span());
    Some(walk(&block.body, schema, &segs, false).unwrap_or(fallback?))
}

/// Like [`locate_in_block`], but an attribute's value rather than the
/// whole `name = value`: where a value check points.
pub fn locate_value_in_block(
    f: &SourceFile,
    block: &Block,
    schema: &BlockSchema,
    pointer: &str,
) -> Option<Location> {
    let segs = segments(pointer);
    let fallback = header_span(block).or(block.span());
    f.loc(walk(&block.body, schema, &segs, true).or(fallback))
}

fn segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .filter(|s| !s.is_empty())
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

pub fn locate_in_block(
    f: &SourceFile,
    block: &Block,
    schema: &BlockSchema,
    pointer: &str,
) -> Option<Location> {
    f.loc(span_in_block(block, schema, pointer))
}

/// `value`: an attribute's value span rather than the whole attribute.
fn walk(body: &Body, schema: &BlockSchema, segs: &[String], value: bool) -> Option<Range<usize>> {
    let first = segs.first()?;
    if let Some(attr) = body.get_attribute(first) {
        let whole = if value && segs.len() == 1 {
            attr.value.span().or(attr.span())
        } else {
            attr.span()
        };
        return Some(within_value(&attr.value, &segs[1..]).unwrap_or(whole?));
    }
    let nested = schema
        .blocks
        .iter()
        .find(|b| b.json_name == first.as_str())?;
    if nested.single {
        // `/https/certificate/private_pem`: no index below a single block.
        let block = body.get_blocks(nested.name).next()?;
        return Some(walk(&block.body, nested.block, &segs[1..], value).unwrap_or(block.span()?));
    }
    let Some(index) = segs.get(1).and_then(|i| i.parse::<usize>().ok()) else {
        // The whole list: point at its first block.
        return body.get_blocks(nested.name).next().and_then(|b| b.span());
    };
    let block = body.get_blocks(nested.name).nth(index)?;
    Some(walk(&block.body, nested.block, &segs[2..], value).unwrap_or(block.span()?))
}

/// Into a literal list or object value, as far as the path goes.
fn within_value(e: &Expression, segs: &[String]) -> Option<Range<usize>> {
    let first = segs.first()?;
    let inner = match e {
        Expression::Array(a) => a.get(first.parse().ok()?)?,
        Expression::Object(o) => o
            .iter()
            .find(|(k, _)| match k {
                hcl_edit::expr::ObjectKey::Ident(i) => i.as_str() == first,
                hcl_edit::expr::ObjectKey::Expression(x) => x.as_str() == Some(first.as_str()),
            })
            .map(|(_, v)| v.expr())?,
        _ => return None,
    };
    Some(within_value(inner, &segs[1..]).unwrap_or(inner.span()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::CDN_DOMAIN;

    #[test]
    fn pointers_to_spans() {
        let src = "resource \"cdn_domain\" \"a\" {\n  name = \"a.example.com\"\n  origin {\n    address = \"1.1.1.1\"\n  }\n  origin {\n    type = \"ip\"\n    address = \"2.2.2.2\"\n  }\n}\n";
        let f = SourceFile::new("m.hcl", src);
        let body = hcl_edit::parser::parse_body(src).unwrap();
        let block = body.blocks().next().unwrap();
        let at = |p: &str| {
            locate_in_block(&f, block, CDN_DOMAIN.block, p)
                .unwrap()
                .to_string()
        };
        assert_eq!(at("/name"), "m.hcl:2:3");
        assert_eq!(at("/origins/1"), "m.hcl:6:3");
        assert_eq!(at("/origins/1/address"), "m.hcl:8:5");
        assert_eq!(at("/origins/1/port"), "m.hcl:6:3");
        assert_eq!(at("/origins/0/type"), "m.hcl:3:3");
        assert_eq!(at("/cname"), "m.hcl:1:1");
        let l = locate_in_block(&f, block, CDN_DOMAIN.block, "/cname").unwrap();
        assert_eq!(
            &src[l.byte_range.0..l.byte_range.1],
            "resource \"cdn_domain\" \"a\""
        );
    }

    #[test]
    fn pointers_through_single_blocks() {
        let src = "resource \"cdn_domain\" \"a\" {\n  referer {\n    mode = \"allow\"\n    list = [\"a.example.com\", \"b.example.com\",\n      \"c.example.com\"]\n  }\n  https {\n    http2 = true\n    certificate {\n      private_pem = var.key\n    }\n  }\n  ip_filter {\n    list = concat([\"192.0.2.1\"])\n  }\n}\n";
        let f = SourceFile::new("m.hcl", src);
        let body = hcl_edit::parser::parse_body(src).unwrap();
        let block = body.blocks().next().unwrap();
        let at = |p: &str| {
            locate_in_block(&f, block, CDN_DOMAIN.block, p)
                .unwrap()
                .to_string()
        };
        assert_eq!(at("/https"), "m.hcl:7:3");
        assert_eq!(at("/https/http2"), "m.hcl:8:5");
        assert_eq!(at("/https/certificate"), "m.hcl:9:5");
        assert_eq!(at("/https/certificate/private_pem"), "m.hcl:10:7");
        assert_eq!(at("/https/certificate/id"), "m.hcl:9:5");
        assert_eq!(at("/referer/list/2"), "m.hcl:5:7");
        assert_eq!(at("/referer/list/1"), "m.hcl:4:30");
        // Not a literal list: the attribute.
        assert_eq!(at("/ip_filter/list/0"), "m.hcl:14:5");
        // Absent single block: the resource header.
        assert_eq!(at("/compression/min_size"), "m.hcl:1:1");
        let value = |p: &str| {
            locate_value_in_block(&f, block, CDN_DOMAIN.block, p)
                .unwrap()
                .to_string()
        };
        assert_eq!(value("/https/certificate/private_pem"), "m.hcl:10:21");
        assert_eq!(value("/referer/list/2"), "m.hcl:5:7");
        assert_eq!(value("/https/certificate"), "m.hcl:9:5");
        assert_eq!(value("/cname"), "m.hcl:1:1");
    }
}
