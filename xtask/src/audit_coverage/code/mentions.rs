//! What a piece of code mentions: calls, expression paths, `fail_soft` reasons and
//! identifiers, patterns and nested items left out.

use std::collections::BTreeSet;

use syn::visit::{self, Visit};

use crate::finding::line_of;

/// How a call names what it calls.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum CallForm {
    /// `f(..)`.
    Bare,
    /// `Qualifier::f(..)`, or `Qualifier::f` passed as a value.
    Path(String),
    /// `.f(..)` with this many arguments.
    Method(usize),
}

/// A call found in code.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct CallRef {
    /// The called name.
    pub(crate) name: String,
    /// How.
    pub(crate) form: CallForm,
}

/// What a piece of code mentions, nested function items and patterns left out.
#[derive(Debug, Default)]
pub(crate) struct Mentions {
    /// Calls.
    pub(crate) calls: BTreeSet<CallRef>,
    /// Paths used as expressions (`E::V`, `E::V { .. }`, `E::V(..)`, `Self::V`).
    pub(crate) paths: BTreeSet<Vec<String>>,
    /// `fail_soft("reason", ..)`: the reason and the line.
    pub(crate) soft: Vec<(String, usize)>,
    /// Every identifier outside patterns.
    pub(crate) idents: BTreeSet<String>,
    /// Whether the code starts a span of its own (`DomainSpan::start*`).
    pub(crate) starts_span: bool,
    /// Inside the arguments of a nested `in_span*` call: `fail_soft` there is the nested
    /// span's.
    nested: usize,
}

impl Mentions {
    /// What `block` mentions.
    pub(crate) fn of_block(block: &syn::Block) -> Self {
        let mut m = Self::default();
        m.visit_block(block);
        m
    }

    /// What `expr` mentions.
    pub(crate) fn of_expr(expr: &syn::Expr) -> Self {
        let mut m = Self::default();
        m.visit_expr(expr);
        m
    }

    /// What the body of a called function mentions, as the caller's span sees it: a
    /// function that starts a span of its own keeps its `fail_soft` reasons for it.
    pub(crate) fn of_callee(block: &syn::Block) -> Self {
        let mut m = Self::of_block(block);
        if m.starts_span {
            m.soft.clear();
        }
        m
    }

    /// Adds what `other` mentions.
    pub(crate) fn extend(&mut self, other: Self) {
        self.calls.extend(other.calls);
        self.paths.extend(other.paths);
        self.soft.extend(other.soft);
        self.idents.extend(other.idents);
        self.starts_span |= other.starts_span;
    }

    fn path(&mut self, path: &syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if let [.., qualifier, name] = segments.as_slice() {
            self.calls
                .insert(CallRef { name: name.clone(), form: CallForm::Path(qualifier.clone()) });
        }
        self.paths.insert(segments);
    }
}

impl<'a> Visit<'a> for Mentions {
    fn visit_item(&mut self, _: &'a syn::Item) {}
    fn visit_pat(&mut self, _: &'a syn::Pat) {}

    fn visit_ident(&mut self, ident: &'a syn::Ident) {
        self.idents.insert(ident.to_string());
    }

    fn visit_expr_call(&mut self, call: &'a syn::ExprCall) {
        let mut nested = false;
        if let syn::Expr::Path(p) = &*call.func {
            if let Some(ident) = p.path.get_ident() {
                self.calls.insert(CallRef { name: ident.to_string(), form: CallForm::Bare });
            }
            let segments: Vec<String> =
                p.path.segments.iter().map(|s| s.ident.to_string()).collect();
            match segments.as_slice() {
                [.., last] if last == "in_span" || last == "in_span_async" => nested = true,
                [.., ty, start] if ty == "DomainSpan" && start.starts_with("start") => {
                    self.starts_span = true;
                }
                _ => {}
            }
        }
        self.nested += usize::from(nested);
        visit::visit_expr_call(self, call);
        self.nested -= usize::from(nested);
    }

    fn visit_expr_path(&mut self, expr: &'a syn::ExprPath) {
        self.path(&expr.path);
        visit::visit_expr_path(self, expr);
    }

    fn visit_expr_struct(&mut self, expr: &'a syn::ExprStruct) {
        self.path(&expr.path);
        visit::visit_expr_struct(self, expr);
    }

    fn visit_expr_method_call(&mut self, call: &'a syn::ExprMethodCall) {
        let name = call.method.to_string();
        if name == "fail_soft"
            && self.nested == 0
            && let Some(syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(reason), .. })) =
                call.args.first()
        {
            self.soft.push((reason.value(), line_of(call.method.span())));
        }
        self.calls.insert(CallRef { name, form: CallForm::Method(call.args.len()) });
        visit::visit_expr_method_call(self, call);
    }

    fn visit_macro(&mut self, mac: &'a syn::Macro) {
        use syn::parse::Parser as _;
        let exprs = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated
            .parse2(mac.tokens.clone());
        if let Ok(exprs) = exprs {
            for expr in &exprs {
                self.visit_expr(expr);
            }
        } else if let Ok(stmts) =
            (|input: syn::parse::ParseStream<'_>| syn::Block::parse_within(input))
                .parse2(mac.tokens.clone())
        {
            for stmt in &stmts {
                self.visit_stmt(stmt);
            }
        }
    }
}
