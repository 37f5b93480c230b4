//! What the walk reads from syntax alone: `#[cfg]` attributes, literal conditions,
//! statements that end a block, and the paths a pattern names.

use std::collections::BTreeSet;

use syn::visit::{self, Visit};
use syn::{Expr, Stmt};

use crate::audit_coverage::test_code::TestTree;

/// Macros that never return.
pub(super) const PANICS: &[&str] = &["panic", "unreachable", "todo", "unimplemented"];
/// Macros whose arguments after the first are a pattern.
pub(super) const PATTERN_MACROS: &[&str] = &["matches", "assert_matches", "debug_assert_matches"];

pub(super) fn has_cfg(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("cfg") || a.path().is_ident("cfg_attr"))
}

pub(super) fn stmt_attrs(stmt: &Stmt) -> &[syn::Attribute] {
    match stmt {
        Stmt::Local(l) => &l.attrs,
        Stmt::Macro(m) => &m.attrs,
        Stmt::Expr(e, _) => expr_attrs(e),
        Stmt::Item(_) => &[],
    }
}

pub(super) fn expr_attrs(expr: &Expr) -> &[syn::Attribute] {
    match expr {
        Expr::Call(e) => &e.attrs,
        Expr::MethodCall(e) => &e.attrs,
        Expr::Macro(e) => &e.attrs,
        Expr::Block(e) => &e.attrs,
        Expr::If(e) => &e.attrs,
        Expr::Async(e) => &e.attrs,
        Expr::Await(e) => &e.attrs,
        Expr::Closure(e) => &e.attrs,
        _ => &[],
    }
}

pub(super) fn literal_bool(expr: &Expr) -> Option<bool> {
    match expr {
        Expr::Lit(syn::ExprLit { lit: syn::Lit::Bool(b), .. }) => Some(b.value),
        Expr::Paren(p) => literal_bool(&p.expr),
        Expr::Group(g) => literal_bool(&g.expr),
        Expr::Unary(syn::ExprUnary { op: syn::UnOp::Not(_), expr, .. }) => {
            literal_bool(expr).map(|b| !b)
        }
        _ => None,
    }
}

pub(super) fn macro_name(mac: &syn::Macro) -> String {
    mac.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default()
}

pub(super) fn segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

/// Whether a statement ends the block: nothing after it runs.
pub(super) fn diverges(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Expr(expr, _) => expr_diverges(expr),
        Stmt::Macro(m) => PANICS.contains(&macro_name(&m.mac).as_str()),
        _ => false,
    }
}

fn expr_diverges(expr: &Expr) -> bool {
    match expr {
        Expr::Return(_) | Expr::Break(_) | Expr::Continue(_) => true,
        Expr::Macro(m) => PANICS.contains(&macro_name(&m.mac).as_str()),
        Expr::Call(c) => {
            matches!(&*c.func, Expr::Path(p) if segments(&p.path).ends_with(&["process".to_owned(), "exit".to_owned()]))
        }
        Expr::Loop(l) => {
            let mut breaks = Breaks(false);
            breaks.visit_block(&l.body);
            !breaks.0
        }
        _ => false,
    }
}

struct Breaks(bool);

impl Visit<'_> for Breaks {
    fn visit_expr_break(&mut self, _: &syn::ExprBreak) {
        self.0 = true;
    }
}

/// Collects the paths of a pattern.
pub(super) struct Patterns<'a>(pub(super) &'a mut BTreeSet<Vec<String>>, pub(super) &'a TestTree);

impl Patterns<'_> {
    fn path(&mut self, path: &syn::Path) {
        let segs = segments(path);
        let full = match segs.as_slice() {
            [one] => self.1.imports.get(one).cloned().unwrap_or(segs),
            _ => segs,
        };
        self.0.insert(full);
    }
}

impl Visit<'_> for Patterns<'_> {
    fn visit_expr_path(&mut self, p: &syn::ExprPath) {
        // In a pattern, a unit variant (`E::V`) is a path expression.
        self.path(&p.path);
    }
    fn visit_pat_tuple_struct(&mut self, p: &syn::PatTupleStruct) {
        self.path(&p.path);
        visit::visit_pat_tuple_struct(self, p);
    }
    fn visit_pat_struct(&mut self, p: &syn::PatStruct) {
        self.path(&p.path);
        visit::visit_pat_struct(self, p);
    }
}
