//! Which assertion calls a test really reaches, and what they expect.
//!
//! The walk starts at the test's body and follows the code that runs, statement by
//! statement, into the helpers of the plugin's `tests/` tree it calls (with their
//! arguments bound to their parameters). An assertion counts only when the walk reaches
//! it. Not reached:
//! - a function defined in the test (or anywhere) that nothing reached calls;
//! - an `async` block that is never awaited, passed to a call, or bound and then awaited
//!   or passed on (`let _ = async { .. };` and `async { .. };` never run);
//! - a closure never called: one bound to a name that is never called or passed on, or
//!   one written as a statement; a closure or `async` block passed to a function that is
//!   not a helper of the tests (`capture.in_scope(|| ..)`, `block_on(async { .. })`,
//!   `tokio::spawn`) is taken to run, one passed to a helper runs if the helper runs it;
//! - the branch of `if false` / `if true { } else { .. }` (a literal condition, also
//!   behind `!` and parentheses) and the body of `while false`;
//! - the statements after `return`, `break`, `continue`, `panic!`/`unreachable!`/
//!   `todo!`/`unimplemented!`, `std::process::exit(..)` or a `loop` without `break`;
//! - a statement or expression carrying `#[cfg(..)]` (never evaluated, so never trusted).
//!
//! Macro arguments are read as expressions (or statements); a `macro_rules!` helper of
//! the tests counts as asserting when its body calls an assertion or an asserting helper
//! (its expectations are not read). Limits: conditions other than literals are taken to
//! go both ways (`if 1 > 2`, `for _ in 0..0` run); a helper is resolved by name, not by
//! type (see `tracing_tests`); a closure handed to a non-helper function is assumed to
//! run; a macro whose arguments are neither expressions nor statements is not read.

use std::collections::{BTreeMap, BTreeSet};

use syn::visit::Visit as _;
use syn::{Expr, Stmt};

use super::assertions::Assertions;
use super::expectation::{Expectation, Value};
use super::test_code::TestTree;

mod calls;
mod syntax;

use syntax::{Patterns, diverges, expr_attrs, has_cfg, literal_bool, segments, stmt_attrs};

/// What the walk needs to know besides the code.
pub(crate) struct Context<'a> {
    /// The plugin's test tree.
    pub(crate) tree: &'a TestTree,
    /// The testkit's assertions.
    pub(crate) assertions: &'a Assertions,
    /// `(XOp, Variant)` → span name.
    pub(crate) ops: &'a BTreeMap<(String, String), String>,
    /// Attribute constant name → key.
    pub(crate) keys: &'a BTreeMap<String, String>,
    /// Crate identifier (`floe_dbt_core`) → its `TRACER_NAME`.
    pub(crate) tracers: &'a BTreeMap<String, String>,
    /// The plugin's `TRACER_NAME`.
    pub(crate) own_tracer: Option<&'a str>,
}

/// What a test reaches.
#[derive(Default)]
pub(crate) struct Reached {
    /// Assertion calls: name and line.
    pub(crate) assertions: Vec<(String, usize)>,
    /// The span expectations passed to reached assertions that check a presence.
    pub(crate) expectations: Vec<Expectation>,
    /// The paths of reached patterns (`matches!(e, E::V { .. })`, `match`, `let .. else`).
    pub(crate) patterns: BTreeSet<Vec<String>>,
}

/// Walks a test body written in `module`.
pub(crate) fn walk(cx: &Context<'_>, module: &str, body: &[Stmt]) -> Reached {
    let mut walker = Walker {
        cx,
        scopes: Vec::new(),
        module: module.to_owned(),
        stack: Vec::new(),
        reached: Reached::default(),
        returned: Vec::new(),
    };
    walker.block(body);
    walker.reached
}

struct Walker<'a> {
    cx: &'a Context<'a>,
    scopes: Vec<Vec<(String, Value)>>,
    module: String,
    stack: Vec<usize>,
    reached: Reached,
    returned: Vec<Value>,
}

impl Walker<'_> {
    fn bind(&mut self, name: String, value: Value) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.push((name, value));
        }
    }

    fn local(&self, name: &str) -> Option<Value> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    fn pattern(&mut self, pat: &syn::Pat) {
        Patterns(&mut self.reached.patterns, self.cx.tree).visit_pat(pat);
    }

    fn block(&mut self, stmts: &[Stmt]) -> Value {
        self.scopes.push(Vec::new());
        let mut last = Value::Unknown;
        for (index, stmt) in stmts.iter().enumerate() {
            if has_cfg(stmt_attrs(stmt)) {
                continue;
            }
            let value = match stmt {
                Stmt::Local(local) => {
                    self.let_statement(local);
                    Value::Unknown
                }
                Stmt::Item(_) => Value::Unknown,
                Stmt::Expr(expr, _) => self.expr(expr),
                Stmt::Macro(m) => self.mac(&m.mac),
            };
            let tail = index + 1 == stmts.len() && matches!(stmt, Stmt::Expr(_, None));
            last = if tail { value } else { Value::Unknown };
            if diverges(stmt) {
                break;
            }
        }
        self.scopes.pop();
        last
    }

    fn let_statement(&mut self, local: &syn::Local) {
        let value = match &local.init {
            Some(init) => {
                let value = self.expr(&init.expr);
                if let Some((_, otherwise)) = &init.diverge {
                    self.expr(otherwise);
                }
                value
            }
            None => Value::Unknown,
        };
        self.pattern(&local.pat);
        let mut pat = &local.pat;
        if let syn::Pat::Type(typed) = pat {
            pat = &typed.pat;
        }
        match pat {
            syn::Pat::Ident(id) => self.bind(id.ident.to_string(), value),
            // `let _ = ..` drops a closure or future unrun.
            syn::Pat::Wild(_) => {}
            _ => drop(self.consume(value)),
        }
    }

    /// Runs a value that is passed on where it is taken to run: a closure is called, a
    /// future awaited.
    fn consume(&mut self, value: Value) -> Value {
        match value {
            Value::Closure(closure) => self.call_closure(&closure),
            Value::Future(block) => self.block(&block.stmts),
            other => other,
        }
    }

    fn call_closure(&mut self, closure: &syn::ExprClosure) -> Value {
        self.scopes.push(Vec::new());
        for input in &closure.inputs {
            self.pattern(input);
            if let syn::Pat::Ident(id) = input {
                self.bind(id.ident.to_string(), Value::Unknown);
            }
        }
        let value = self.expr(&closure.body);
        self.scopes.pop();
        value
    }

    fn exprs(
        &mut self,
        exprs: impl IntoIterator<Item = impl std::borrow::Borrow<Expr>>,
    ) -> Vec<Value> {
        exprs.into_iter().map(|e| self.expr(e.borrow())).collect()
    }

    #[expect(clippy::too_many_lines, reason = "one arm per expression kind")]
    fn expr(&mut self, expr: &Expr) -> Value {
        if has_cfg(expr_attrs(expr)) {
            return Value::Unknown;
        }
        match expr {
            Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Value::text(s.value()),
            Expr::Path(p) => self.path_value(&segments(&p.path)),
            Expr::Closure(c) => Value::Closure(Box::new(c.clone())),
            Expr::Async(a) => Value::Future(Box::new(a.block.clone())),
            Expr::Await(a) => {
                let value = self.expr(&a.base);
                match value {
                    Value::Future(_) => self.consume(value),
                    _ => Value::Unknown,
                }
            }
            Expr::Call(call) => self.call(call),
            Expr::MethodCall(call) => self.method(call),
            Expr::Macro(m) => self.mac(&m.mac),
            Expr::Block(b) => self.block(&b.block.stmts),
            Expr::Unsafe(b) => self.block(&b.block.stmts),
            Expr::Const(b) => self.block(&b.block.stmts),
            Expr::TryBlock(b) => self.block(&b.block.stmts),
            Expr::If(i) => {
                self.expr(&i.cond);
                let literal = literal_bool(&i.cond);
                let mut value = Value::Unknown;
                if literal != Some(false) {
                    value = self.block(&i.then_branch.stmts);
                }
                if literal != Some(true)
                    && let Some((_, otherwise)) = &i.else_branch
                {
                    value = value.join(self.expr(otherwise));
                }
                value
            }
            Expr::While(w) => {
                self.expr(&w.cond);
                if literal_bool(&w.cond) != Some(false) {
                    self.block(&w.body.stmts);
                }
                Value::Unknown
            }
            Expr::ForLoop(f) => {
                let items = self.expr(&f.expr);
                self.pattern(&f.pat);
                self.scopes.push(Vec::new());
                if let Value::Rows(rows) = &items {
                    self.bind_columns(&f.pat, rows);
                } else {
                    self.consume(items);
                }
                self.block(&f.body.stmts);
                self.scopes.pop();
                Value::Unknown
            }
            Expr::Loop(l) => {
                self.block(&l.body.stmts);
                Value::Unknown
            }
            Expr::Match(m) => {
                self.expr(&m.expr);
                let mut value = Value::Unknown;
                for arm in &m.arms {
                    self.pattern(&arm.pat);
                    if let Some((_, guard)) = &arm.guard {
                        self.expr(guard);
                    }
                    let arm_value = self.expr(&arm.body);
                    value = value.join(arm_value);
                }
                value
            }
            Expr::Let(l) => {
                self.pattern(&l.pat);
                self.expr(&l.expr)
            }
            Expr::Return(r) => {
                if let Some(e) = &r.expr {
                    let value = self.expr(e);
                    self.returned.push(value);
                }
                Value::Unknown
            }
            Expr::Break(b) => b.expr.as_ref().map_or(Value::Unknown, |e| self.expr(e)),
            Expr::Reference(r) => self.expr(&r.expr),
            Expr::Paren(p) => self.expr(&p.expr),
            Expr::Group(g) => self.expr(&g.expr),
            Expr::Try(t) => self.expr(&t.expr),
            Expr::Cast(c) => self.expr(&c.expr),
            Expr::Field(f) => {
                self.expr(&f.base);
                Value::Unknown
            }
            Expr::Array(a) => match self.rows(a) {
                Some(rows) => Value::Rows(rows),
                None => self.list(a.elems.iter()),
            },
            Expr::Tuple(t) => self.list(t.elems.iter()),
            Expr::Binary(b) => {
                self.expr(&b.left);
                self.expr(&b.right);
                Value::Unknown
            }
            Expr::Unary(u) => {
                self.expr(&u.expr);
                Value::Unknown
            }
            Expr::Assign(a) => {
                let value = self.expr(&a.right);
                self.consume(value);
                self.expr(&a.left);
                Value::Unknown
            }
            Expr::Index(i) => {
                self.expr(&i.expr);
                self.expr(&i.index);
                Value::Unknown
            }
            Expr::Range(r) => {
                for e in [&r.start, &r.end].into_iter().flatten() {
                    self.expr(e);
                }
                Value::Unknown
            }
            Expr::Repeat(r) => self.expr(&r.expr),
            Expr::Struct(s) => {
                for field in &s.fields {
                    let value = self.expr(&field.expr);
                    self.consume(value);
                }
                if let Some(rest) = &s.rest {
                    self.expr(rest);
                }
                Value::Unknown
            }
            _ => Value::Unknown,
        }
    }

    /// The rows of an array literal of tuples or of string literals (walked).
    fn rows(&mut self, array: &syn::ExprArray) -> Option<Vec<Vec<Value>>> {
        let tuples = array.elems.iter().all(|e| matches!(e, Expr::Tuple(_)));
        let strings = array
            .elems
            .iter()
            .all(|e| matches!(e, Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(_), .. })));
        if array.elems.is_empty() || !(tuples || strings) {
            return None;
        }
        let mut rows = Vec::new();
        for elem in &array.elems {
            match elem {
                Expr::Tuple(t) => rows.push(t.elems.iter().map(|e| self.expr(e)).collect()),
                other => rows.push(vec![self.expr(other)]),
            }
        }
        Some(rows)
    }

    /// Binds each name of a `for` pattern to the choice of its column's strings.
    fn bind_columns(&mut self, pat: &syn::Pat, rows: &[Vec<Value>]) {
        let column = |i: usize| {
            Value::Choice(
                rows.iter()
                    .filter_map(|r| r.get(i).and_then(Value::exact))
                    .map(str::to_owned)
                    .collect(),
            )
        };
        match pat {
            syn::Pat::Tuple(tuple) => {
                for (i, p) in tuple.elems.iter().enumerate() {
                    if let syn::Pat::Ident(id) = p {
                        self.bind(id.ident.to_string(), column(i));
                    }
                }
            }
            syn::Pat::Ident(id) => self.bind(id.ident.to_string(), column(0)),
            _ => {}
        }
    }

    /// The elements of an array, tuple or `vec!`: expectations are joined, closures and
    /// futures taken to run (`join_all(vec![..])`).
    fn list<'e>(&mut self, elems: impl Iterator<Item = &'e Expr>) -> Value {
        let mut value = Value::Unknown;
        for e in elems {
            let element = self.expr(e);
            let element = match element {
                Value::Closure(_) | Value::Future(_) => {
                    self.consume(element);
                    Value::Unknown
                }
                other => other,
            };
            value = value.join(element);
        }
        value
    }

    fn path_value(&self, segs: &[String]) -> Value {
        if let [one] = segs {
            if let Some(value) = self.local(one) {
                return value;
            }
            if let Some(text) = self.cx.tree.consts.get(one) {
                return Value::text(text.clone());
            }
        }
        let full = match segs {
            [one] => self.cx.tree.imports.get(one).cloned().unwrap_or_else(|| segs.to_vec()),
            _ => segs.to_vec(),
        };
        match full.as_slice() {
            [.., last] if last == "TRACER_NAME" => {
                let tracer = match full.as_slice() {
                    [krate, _, ..] => self.cx.tracers.get(krate).map(String::as_str),
                    _ => None,
                };
                tracer.or(self.cx.own_tracer).map_or(Value::Unknown, Value::text)
            }
            [.., owner, variant] if self.cx.ops.contains_key(&(owner.clone(), variant.clone())) => {
                Value::Op(self.cx.ops[&(owner.clone(), variant.clone())].clone())
            }
            [.., last] if self.cx.keys.contains_key(last) => Value::Key(self.cx.keys[last].clone()),
            _ => Value::Unknown,
        }
    }
}
