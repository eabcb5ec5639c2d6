//! The expression evaluator over hcl-edit's AST: literals, collections,
//! templates, references (`var.`, `local.`, `TYPE.NAME.attr...`),
//! conditionals, operators and function calls, keeping spans for
//! diagnostics, sensitivity taint and unknown values.
//!
//! Limitation: an unknown value (another resource's attribute known only
//! after apply) can be deferred only as a string template over references
//! (`Unknown::Expr`): it may be used directly, inside `"...${}..."`, or
//! placed in a list or object. Functions, operators and conditions on it
//! cannot be deferred and are reported as "X is known only after apply and
//! cannot be used in Y".

use super::diagnostics::{did_you_mean, EvalError};
use super::expand::{Expansion, Instance};
use super::functions;
use super::source::SourceFile;
use super::types::{convert, TypeC};
use super::value::{as_string, describe_unknown, type_name, Val, V};
use crate::model::{Address, Lookup, Part};
use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, UnaryOperator};
use hcl_edit::template::{Element, Template};
use hcl_edit::Span;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A `locals` entry.
#[derive(Clone, Debug)]
pub struct LocalDecl {
    pub file: Arc<SourceFile>,
    pub expr: Expression,
    /// Span of the whole `name = expr` attribute.
    pub span: Option<std::ops::Range<usize>>,
}

pub type LookupFn<'a> = &'a dyn Fn(&Address, &[String]) -> Lookup;

/// What an expression may refer to.
pub struct Scope<'a> {
    pub vars: &'a BTreeMap<String, V>,
    pub locals: &'a BTreeMap<String, LocalDecl>,
    pub resources: &'a BTreeSet<Address>,
    /// `None`: resource references are not allowed here (`context` says
    /// where, for the message).
    pub lookup: Option<LookupFn<'a>>,
    pub context: &'static str,
    /// How many instances each resource has (`None`: all single, as in
    /// scopes where resources cannot be referenced anyway).
    pub expansions: Option<&'a BTreeMap<Address, Expansion>>,
    /// `each`/`count` of the resource instance being evaluated.
    pub instance: Option<Instance>,
    pub(super) cache: RefCell<BTreeMap<String, Result<V, EvalError>>>,
    pub(super) visiting: RefCell<BTreeSet<String>>,
}

pub(super) type R = Result<V, EvalError>;

impl<'a> Scope<'a> {
    pub fn new(
        vars: &'a BTreeMap<String, V>,
        locals: &'a BTreeMap<String, LocalDecl>,
        resources: &'a BTreeSet<Address>,
        lookup: Option<LookupFn<'a>>,
        context: &'static str,
    ) -> Scope<'a> {
        Scope {
            vars,
            locals,
            resources,
            lookup,
            context,
            expansions: None,
            instance: None,
            cache: RefCell::default(),
            visiting: RefCell::default(),
        }
    }

    pub fn eval(&self, e: &Expression, f: &SourceFile) -> R {
        let err =
            |summary: &str, detail: String| Err(EvalError::new(summary, detail, f.loc(e.span())));
        match e {
            Expression::Null(_) => Ok(V::null()),
            Expression::Bool(b) => Ok(V::bool(*b.value())),
            Expression::Number(n) => Ok(V::num(n.value().as_f64().unwrap_or(0.0))),
            Expression::String(s) => Ok(V::str(s.value().as_str())),
            Expression::Array(a) => {
                let items: Result<Vec<V>, EvalError> = a.iter().map(|x| self.eval(x, f)).collect();
                Ok(V::new(Val::List(items?)))
            }
            Expression::Object(o) => {
                let mut map = BTreeMap::new();
                for (k, v) in o.iter() {
                    let key = match k {
                        ObjectKey::Ident(id) => id.as_str().to_string(),
                        ObjectKey::Expression(ke) => {
                            let kv = self.eval(ke, f)?;
                            self.no_unknown(&kv, "an object key", f, ke)?;
                            match as_string(&kv.val) {
                                Some(s) => s,
                                None => return err("Invalid object key", format!("An object key must be a string, not a {}.", type_name(&kv.val))),
                            }
                        }
                    };
                    map.insert(key, self.eval(v.expr(), f)?);
                }
                Ok(V::new(Val::Map(map)))
            }
            Expression::StringTemplate(_) | Expression::HeredocTemplate(_) => {
                let mut t = e.as_template().cloned().unwrap_or_default();
                if let Expression::HeredocTemplate(h) = e {
                    if h.indent().is_some() {
                        let mut h = h.clone();
                        h.dedent();
                        t = h.template;
                    }
                }
                self.template(&t, f, e)
            }
            Expression::Parenthesis(p) => self.eval(p.inner(), f),
            Expression::Variable(v) => err(
                "Invalid reference",
                format!(
                    "A reference to \"{}\" needs an attribute: var.NAME, local.NAME or TYPE.NAME.{}",
                    v.as_str(),
                    did_you_mean(v.as_str(), self.roots())
                ),
            ),
            Expression::Conditional(c) => {
                let cond = self.eval(&c.cond_expr, f)?;
                self.no_unknown(&cond, "a condition", f, &c.cond_expr)?;
                let b = match convert(cond.clone(), &TypeC::Bool) {
                    Ok(V { val: Val::Bool(b), .. }) => b,
                    _ => return Err(EvalError::new("Invalid condition", format!("The condition must be a bool, but got {}.", cond.show()), f.loc(c.cond_expr.span()))),
                };
                let chosen = if b { &c.true_expr } else { &c.false_expr };
                Ok(self.eval(chosen, f)?.tainted(cond.any_sensitive()))
            }
            Expression::FuncCall(call) => {
                let name = call.name.name.as_str();
                if call.name.is_namespaced() || !functions::is_function(name) {
                    return Err(EvalError::new(
                        "Call to unknown function",
                        format!("There is no function named \"{name}\".{}", did_you_mean(name, functions::FUNCTIONS.iter().copied())),
                        f.loc(call.name.name.span()).or(f.loc(e.span())),
                    ));
                }
                let mut args = Vec::new();
                let n = call.args.len();
                for (i, a) in call.args.iter().enumerate() {
                    let v = self.eval(a, f)?;
                    self.no_unknown(&v, &format!("function {name}()"), f, a)?;
                    if i + 1 == n && call.args.expand_final() {
                        match v.val {
                            Val::List(items) => args.extend(items.into_iter().map(|x| x.tainted(v.sensitive))),
                            _ => return err("Invalid expanding argument", "The expanding argument (...) must be a list.".into()),
                        }
                    } else {
                        args.push(v);
                    }
                }
                let tainted = args.iter().any(V::any_sensitive);
                let base = std::path::Path::new(&f.name).parent().unwrap_or(std::path::Path::new("."));
                match functions::call(name, &args, base) {
                    Ok(val) => Ok(V::new(val).tainted(tainted)),
                    Err(msg) => err("Invalid function argument", msg),
                }
            }
            Expression::Traversal(t) => {
                let (mut v, rest) = match &t.expr {
                    Expression::Variable(root) => self.reference(root.as_str(), &t.operators, f, e)?,
                    other => (self.eval(other, f)?, &t.operators[..]),
                };
                for op in rest {
                    v = self.apply_op(v, op.value(), f, op.span())?;
                }
                Ok(v)
            }
            Expression::UnaryOp(u) => {
                let v = self.eval(&u.expr, f)?;
                let (what, ty) = match u.operator.value() {
                    UnaryOperator::Neg => ("an arithmetic operation", TypeC::Number),
                    UnaryOperator::Not => ("a logical operation", TypeC::Bool),
                };
                self.no_unknown(&v, what, f, &u.expr)?;
                let sens = v.any_sensitive();
                let c = convert(v, &ty).map_err(|m| EvalError::new("Invalid operand", format!("Unsuitable value for unary operator: {m}."), f.loc(u.expr.span())))?;
                Ok(V::new(match c.val {
                    Val::Num(n) => Val::Num(-n),
                    Val::Bool(b) => Val::Bool(!b),
                    other => other,
                })
                .tainted(sens))
            }
            Expression::BinaryOp(b) => self.binary(b, f),
            Expression::ForExpr(_) => err("Unsupported expression", "for expressions are not supported.".into()),
        }
    }

    /// Reject an unknown value where it cannot be deferred.
    pub(super) fn no_unknown(
        &self,
        v: &V,
        used_in: &str,
        f: &SourceFile,
        e: &Expression,
    ) -> Result<(), EvalError> {
        match v.first_unknown() {
            None => Ok(()),
            Some(parts) => Err(unknown_error(parts, used_in, f.loc(e.span()))),
        }
    }

    fn template(&self, t: &Template, f: &SourceFile, whole: &Expression) -> R {
        let elems: Vec<&Element> = t.iter().collect();
        if let [Element::Interpolation(i)] = elems.as_slice() {
            return self.eval(&i.expr, f);
        }
        let mut parts: Vec<Part> = Vec::new();
        let mut sensitive = false;
        let push_lit = |parts: &mut Vec<Part>, s: &str| match parts.last_mut() {
            Some(Part::Lit(l)) => l.push_str(s),
            _ => parts.push(Part::Lit(s.to_string())),
        };
        for el in elems {
            match el {
                Element::Literal(l) => push_lit(&mut parts, l.value()),
                Element::Interpolation(i) => {
                    let v = self.eval(&i.expr, f)?;
                    sensitive |= v.any_sensitive();
                    match &v.val {
                        Val::Unknown(p) => {
                            for part in p {
                                match part {
                                    Part::Lit(s) => push_lit(&mut parts, s),
                                    r => parts.push(r.clone()),
                                }
                            }
                        }
                        val => match as_string(val) {
                            Some(s) => push_lit(&mut parts, &s),
                            None => {
                                return Err(EvalError::new(
                                    "Invalid template interpolation value",
                                    format!(
                                        "Cannot include a {} in a string template.",
                                        type_name(val)
                                    ),
                                    f.loc(i.expr.span()),
                                ))
                            }
                        },
                    }
                }
                Element::Directive(_) => {
                    return Err(EvalError::new(
                        "Unsupported template directive",
                        "Template directives (%{if}, %{for}) are not supported.",
                        f.loc(whole.span()),
                    ))
                }
            }
        }
        let val = if parts.iter().any(|p| matches!(p, Part::Ref { .. })) {
            Val::Unknown(parts)
        } else {
            match parts.pop() {
                Some(Part::Lit(s)) => Val::Str(s),
                _ => Val::Str(String::new()),
            }
        };
        Ok(V::new(val).tainted(sensitive))
    }

    fn binary(&self, b: &hcl_edit::expr::BinaryOp, f: &SourceFile) -> R {
        use BinaryOperator::*;
        let op = *b.operator.value();
        let l = self.eval(&b.lhs_expr, f)?;
        let r = self.eval(&b.rhs_expr, f)?;
        let what = match op {
            Eq | NotEq | Less | LessEq | Greater | GreaterEq => "a comparison",
            And | Or => "a logical operation",
            _ => "an arithmetic operation",
        };
        self.no_unknown(&l, what, f, &b.lhs_expr)?;
        self.no_unknown(&r, what, f, &b.rhs_expr)?;
        let sens = l.any_sensitive() || r.any_sensitive();
        let operand = |v: &V, e: &Expression, ty: TypeC| {
            convert(v.clone(), &ty).map_err(|m| {
                EvalError::new(
                    "Invalid operand",
                    format!("Unsuitable value for the {} operator: {m}.", op.as_str()),
                    f.loc(e.span()),
                )
            })
        };
        let num = |v: &V, e: &Expression| match operand(v, e, TypeC::Number)?.val {
            Val::Num(n) => Ok(n),
            _ => Err(EvalError::new(
                "Invalid operand",
                format!("The {} operator needs a number, not null.", op.as_str()),
                f.loc(e.span()),
            )),
        };
        let boolean = |v: &V, e: &Expression| match operand(v, e, TypeC::Bool)?.val {
            Val::Bool(x) => Ok(x),
            _ => Err(EvalError::new(
                "Invalid operand",
                format!("The {} operator needs a bool, not null.", op.as_str()),
                f.loc(e.span()),
            )),
        };
        let (le, re) = (&b.lhs_expr, &b.rhs_expr);
        let val = match op {
            Eq => Val::Bool(l.to_plain_json() == r.to_plain_json()),
            NotEq => Val::Bool(l.to_plain_json() != r.to_plain_json()),
            Less => Val::Bool(num(&l, le)? < num(&r, re)?),
            LessEq => Val::Bool(num(&l, le)? <= num(&r, re)?),
            Greater => Val::Bool(num(&l, le)? > num(&r, re)?),
            GreaterEq => Val::Bool(num(&l, le)? >= num(&r, re)?),
            And => Val::Bool(boolean(&l, le)? && boolean(&r, re)?),
            Or => Val::Bool(boolean(&l, le)? || boolean(&r, re)?),
            Plus => Val::Num(num(&l, le)? + num(&r, re)?),
            Minus => Val::Num(num(&l, le)? - num(&r, re)?),
            Mul => Val::Num(num(&l, le)? * num(&r, re)?),
            Div | Mod => {
                let d = num(&r, re)?;
                if d == 0.0 {
                    return Err(EvalError::new(
                        "Division by zero",
                        "The right-hand side of / or % is zero.",
                        f.loc(re.span()),
                    ));
                }
                let n = num(&l, le)?;
                Val::Num(if op == Div { n / d } else { n % d })
            }
        };
        Ok(V::new(val).tainted(sens))
    }
}

pub(super) fn unknown_error(
    parts: &[Part],
    used_in: &str,
    at: Option<crate::model::Location>,
) -> EvalError {
    let what = describe_unknown(parts);
    EvalError {
        diag: Box::new(
            crate::model::Diagnostic::error("Value known only after apply")
                .with_detail(format!(
                    "{what} is known only after apply and cannot be used in {used_in}."
                ))
                .at(at),
        ),
        after_apply: true,
    }
}
