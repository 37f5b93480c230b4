//! Span sites in syntax: the calls that start a span (`in_span*`, `DomainSpan::start*`),
//! `#[traced]` functions, and calls of span helpers.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenTree;
use syn::visit::{self, Visit};

use crate::audit_coverage::code::{CallForm, CallRef, Code, FnDef, Mentions};
use crate::finding::line_of;

/// What starts a span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum OpRef {
    /// A registry span, by name.
    Fixed(String),
    /// The enclosing function's parameter (index after `self`).
    Param(usize),
    /// Something else.
    Unknown,
}

/// Where a span's code is.
#[derive(Clone)]
pub(super) enum Runs<'w> {
    /// The arguments of the call that starts it.
    Args(Vec<&'w syn::Expr>),
    /// The whole enclosing function.
    Body,
}

#[derive(Clone)]
pub(super) struct Site<'w> {
    pub(super) function: usize,
    pub(super) op: OpRef,
    /// The tracer comes from the caller (not the package's own `TRACER_NAME`).
    pub(super) callers_tracer: bool,
    pub(super) runs: Runs<'w>,
    pub(super) line: usize,
    /// For a call of a span helper: the helper's own site.
    pub(super) helper: Option<usize>,
    /// The identifiers of the result type, when a `let` annotates it (`let checked:
    /// Result<HealthStatus, KeycloakError> = in_span_async(..)`); else the function's
    /// return type is the site's.
    pub(super) result: Option<BTreeSet<String>>,
    /// Whether an error can end the span: `in_span*` (unless its error type is
    /// `Infallible`), `DomainSpan::start*` in a function that calls `.fail(..)` or
    /// `.end_with(..)`, `#[traced]` on a function returning a `Result`, and a call of a
    /// helper whose site carries errors.
    pub(super) carries_errors: bool,
}

pub(super) fn path_of(expr: &syn::Expr) -> Option<Vec<String>> {
    match expr {
        syn::Expr::Path(p) => Some(p.path.segments.iter().map(|s| s.ident.to_string()).collect()),
        syn::Expr::Reference(r) => path_of(&r.expr),
        _ => None,
    }
}

/// The operation an argument names, in function `def`.
pub(super) fn op_ref(
    arg: Option<&syn::Expr>,
    def: &FnDef<'_>,
    ops: &BTreeMap<(String, String), String>,
) -> OpRef {
    match arg.and_then(path_of).as_deref() {
        Some([.., owner, variant]) => ops
            .get(&(owner.clone(), variant.clone()))
            .map_or(OpRef::Unknown, |name| OpRef::Fixed(name.clone())),
        Some([name]) => {
            def.params.iter().position(|(p, _)| p == name).map_or(OpRef::Unknown, OpRef::Param)
        }
        _ => OpRef::Unknown,
    }
}

pub(super) struct SiteFinder<'a, 'w> {
    pub(super) function: usize,
    pub(super) def: &'a FnDef<'w>,
    pub(super) ops: &'a BTreeMap<(String, String), String>,
    pub(super) found: Vec<Site<'w>>,
    /// The call a typed `let` initializes, and the identifiers of the type.
    pub(super) annotated: Option<(*const syn::ExprCall, BTreeSet<String>)>,
}

/// The call an initializer is, through `.await`, `?` and parentheses.
pub(super) fn init_call(expr: &syn::Expr) -> Option<&syn::ExprCall> {
    match expr {
        syn::Expr::Call(call) => Some(call),
        syn::Expr::Await(a) => init_call(&a.base),
        syn::Expr::Try(t) => init_call(&t.expr),
        syn::Expr::Paren(p) => init_call(&p.expr),
        _ => None,
    }
}

/// Every identifier of a type.
#[derive(Default)]
pub(super) struct TypeIdents(BTreeSet<String>);

impl Visit<'_> for TypeIdents {
    fn visit_ident(&mut self, ident: &syn::Ident) {
        self.0.insert(ident.to_string());
    }
}

impl<'w> Visit<'w> for SiteFinder<'_, 'w> {
    fn visit_item(&mut self, _: &'w syn::Item) {}

    fn visit_local(&mut self, local: &'w syn::Local) {
        if let (syn::Pat::Type(typed), Some(init)) = (&local.pat, &local.init)
            && let Some(call) = init_call(&init.expr)
        {
            let mut idents = TypeIdents::default();
            idents.visit_type(&typed.ty);
            self.annotated = Some((std::ptr::from_ref(call), idents.0));
        }
        visit::visit_local(self, local);
    }

    fn visit_expr_call(&mut self, call: &'w syn::ExprCall) {
        if let Some(path) = path_of(&call.func) {
            let positions = match path.as_slice() {
                [.., last] if last == "in_span" || last == "in_span_async" => Some((0, 1, true)),
                [.., ty, start]
                    if ty == "DomainSpan" && (start == "start" || start == "start_with") =>
                {
                    Some((0, 1, false))
                }
                [.., ty, start] if ty == "DomainSpan" && start == "start_in" => Some((1, 2, false)),
                _ => None,
            };
            if let Some((tracer, op, args)) = positions {
                let args_vec: Vec<&syn::Expr> = call.args.iter().collect();
                let own = args_vec
                    .get(tracer)
                    .and_then(|t| path_of(t))
                    .is_some_and(|p| p.last().is_some_and(|l| l == "TRACER_NAME"));
                let result = match &self.annotated {
                    Some((ptr, idents)) if std::ptr::eq(*ptr, call) => Some(idents.clone()),
                    _ => None,
                };
                let carries_errors = if args {
                    !result.as_ref().is_some_and(|r| r.contains("Infallible"))
                } else {
                    let body = Mentions::of_block(self.def.body);
                    body.calls.iter().any(|c| {
                        matches!(c.form, CallForm::Method(_))
                            && (c.name == "fail" || c.name == "end_with")
                    })
                };
                self.found.push(Site {
                    function: self.function,
                    op: op_ref(args_vec.get(op).copied(), self.def, self.ops),
                    callers_tracer: !own,
                    runs: if args { Runs::Args(args_vec) } else { Runs::Body },
                    line: path_line(&call.func),
                    helper: None,
                    result,
                    carries_errors,
                });
            }
        }
        visit::visit_expr_call(self, call);
    }
}

pub(super) fn path_line(expr: &syn::Expr) -> usize {
    match expr {
        syn::Expr::Path(p) => p.path.segments.last().map_or(1, |s| line_of(s.ident.span())),
        _ => 1,
    }
}

pub(super) struct HelperCalls<'a, 'w> {
    pub(super) code: &'a Code<'w>,
    pub(super) sites: &'a [Site<'w>],
    pub(super) helpers: &'a [usize],
    pub(super) caller: usize,
    pub(super) ops: &'a BTreeMap<(String, String), String>,
    pub(super) found: Vec<Site<'w>>,
}

impl<'w> HelperCalls<'_, 'w> {
    fn call(&mut self, call: &CallRef, args: &[&'w syn::Expr], line: usize) {
        let caller = &self.code.fns[self.caller];
        for &helper in self.helpers {
            let site = &self.sites[helper];
            if site.function == self.caller {
                continue;
            }
            let f = &self.code.fns[site.function];
            let fits = f.name == call.name
                && match &call.form {
                    CallForm::Method(arity) => f.has_self && f.params.len() == *arity,
                    CallForm::Bare => {
                        !f.has_self && f.owner.is_none() && f.params.len() == args.len()
                    }
                    CallForm::Path(q) => {
                        !f.has_self
                            && f.params.len() == args.len()
                            && (f.owner.as_deref() == Some(q.as_str())
                                || (q == "Self" && f.owner == caller.owner)
                                || (f.owner.is_none() && q.starts_with(char::is_lowercase)))
                    }
                };
            if !fits {
                continue;
            }
            let op = match &site.op {
                OpRef::Param(index) => op_ref(args.get(*index).copied(), caller, self.ops),
                other => other.clone(),
            };
            self.found.push(Site {
                function: self.caller,
                op,
                callers_tracer: site.callers_tracer,
                runs: Runs::Args(args.to_vec()),
                line,
                helper: Some(helper),
                result: None,
                carries_errors: site.carries_errors,
            });
        }
    }
}

impl<'w> Visit<'w> for HelperCalls<'_, 'w> {
    fn visit_item(&mut self, _: &'w syn::Item) {}

    fn visit_expr_call(&mut self, call: &'w syn::ExprCall) {
        if let Some(path) = path_of(&call.func) {
            let form = match path.as_slice() {
                [_] => Some(CallForm::Bare),
                [.., q, _] => Some(CallForm::Path(q.clone())),
                [] => None,
            };
            if let (Some(form), Some(name)) = (form, path.last()) {
                let call_ref = CallRef { name: name.clone(), form };
                let args: Vec<&syn::Expr> = call.args.iter().collect();
                self.call(&call_ref, &args, path_line(&call.func));
            }
        }
        visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'w syn::ExprMethodCall) {
        let call_ref =
            CallRef { name: call.method.to_string(), form: CallForm::Method(call.args.len()) };
        let args: Vec<&syn::Expr> = call.args.iter().collect();
        self.call(&call_ref, &args, line_of(call.method.span()));
        visit::visit_expr_method_call(self, call);
    }
}

/// `op = XOp::Variant` or `name = ".."` of `#[traced(..)]`.
pub(super) fn traced_op(
    args: &proc_macro2::TokenStream,
    ops: &BTreeMap<(String, String), String>,
) -> Option<String> {
    let trees: Vec<TokenTree> = args.clone().into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        let TokenTree::Ident(key) = tree else { continue };
        if !matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '=') {
            continue;
        }
        if key == "name"
            && let Some(TokenTree::Literal(lit)) = trees.get(i + 2)
        {
            return Some(lit.to_string().trim_matches('"').to_owned());
        }
        if key == "op" {
            let path: Vec<String> = trees[i + 2..]
                .iter()
                .take_while(|t| !matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
                .filter_map(|t| match t {
                    TokenTree::Ident(i) => Some(i.to_string()),
                    _ => None,
                })
                .collect();
            if let [.., owner, variant] = path.as_slice() {
                return ops.get(&(owner.clone(), variant.clone())).cloned();
            }
        }
    }
    None
}
