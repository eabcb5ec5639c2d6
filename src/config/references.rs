//! Static references in expressions (`var.x`, `local.y`, `cdn_domain.z`),
//! found without evaluating: for dependencies, cycles and early
//! "undeclared" errors even in branches an evaluation would not take.

use crate::model::schema::resource_schema;
use crate::model::Address;
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::Body;
use hcl_edit::visit::{self, Visit};
use hcl_edit::Span;
use std::ops::Range;

#[derive(Clone, Debug, PartialEq)]
pub enum RefKind {
    Var(String),
    Local(String),
    Resource(Address),
}

#[derive(Clone, Debug)]
pub struct StaticRef {
    pub kind: RefKind,
    /// Span of the whole traversal.
    pub span: Option<Range<usize>>,
}

#[derive(Default)]
struct Collector {
    refs: Vec<StaticRef>,
}

impl Visit for Collector {
    fn visit_expr(&mut self, expr: &Expression) {
        if let Expression::Traversal(t) = expr {
            if let (Expression::Variable(root), Some(first)) = (&t.expr, t.operators.first()) {
                if let TraversalOperator::GetAttr(name) = first.value() {
                    let name = name.as_str().to_string();
                    let kind = match root.as_str() {
                        "var" => Some(RefKind::Var(name)),
                        "local" => Some(RefKind::Local(name)),
                        ty if resource_schema(ty).is_some() => {
                            Some(RefKind::Resource(Address::new(ty, name)))
                        }
                        _ => None,
                    };
                    if let Some(kind) = kind {
                        self.refs.push(StaticRef {
                            kind,
                            span: expr.span(),
                        });
                    }
                }
            }
        }
        visit::visit_expr(self, expr);
    }
}

pub fn refs_in_expr(e: &Expression) -> Vec<StaticRef> {
    let mut c = Collector::default();
    c.visit_expr(e);
    c.refs
}

/// References in every attribute of `body` (nested blocks included),
/// except the top-level attributes named in `skip` (meta-arguments).
pub fn refs_in_body(body: &Body, skip: &[&str]) -> Vec<StaticRef> {
    let mut c = Collector::default();
    for s in body.iter() {
        match s {
            hcl_edit::structure::Structure::Attribute(a) if skip.contains(&a.key.as_str()) => {}
            other => c.visit_structure(other),
        }
    }
    c.refs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_references_everywhere() {
        let body = hcl_edit::parser::parse_body(
            "a = \"${var.x}-${local.y}\"\nb = f(cdn_domain.z.cname[var.i])\nc = foo.bar\ndepends_on = [cdn_domain.q]\n",
        )
        .unwrap();
        let kinds: Vec<RefKind> = refs_in_body(&body, &["depends_on"])
            .into_iter()
            .map(|r| r.kind)
            .collect();
        assert_eq!(
            kinds,
            vec![
                RefKind::Var("x".into()),
                RefKind::Local("y".into()),
                RefKind::Resource(Address::new("cdn_domain", "z")),
                RefKind::Var("i".into()),
            ]
        );
    }
}
