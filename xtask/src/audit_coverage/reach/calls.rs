//! Calls in the walk: helpers of the tests (run with their arguments), testkit
//! assertions (recorded with the span expectations they are given), the testkit's
//! expectation builders, and macros.

use syn::Expr;

use super::Walker;
use super::syntax::{PATTERN_MACROS, macro_name, segments};
use crate::audit_coverage::assertions::is_absence;
use crate::audit_coverage::expectation::{self, Value};
use crate::audit_coverage::test_code::Kind;
use crate::finding::line_of;
use crate::tokens::{self, Form};

impl Walker<'_> {
    pub(super) fn helper_index(&self, name: &str, form: &Form) -> Option<usize> {
        let helpers = &self.cx.tree.helpers;
        let named = |kind: Kind| {
            helpers.iter().enumerate().filter(move |(_, h)| h.name == name && h.kind == kind)
        };
        let found = match form {
            Form::Macro => named(Kind::Macro).next(),
            Form::Method => named(Kind::Method).next(),
            Form::Bare => named(Kind::Function)
                .find(|(_, h)| h.module == self.module)
                .or_else(|| named(Kind::Function).next()),
            Form::Path(qualifier) => {
                let qualifier = qualifier.as_deref().unwrap_or_default();
                named(Kind::Function).find(|(_, h)| h.module == qualifier).or_else(|| {
                    match qualifier {
                        "self" | "super" | "crate" | "Self" => {
                            named(Kind::Function).find(|(_, h)| h.module == self.module)
                        }
                        _ => None,
                    }
                })
            }
        };
        found.map(|(i, _)| i)
    }

    /// Walks helper `index` with `args` bound to its parameters; its value.
    pub(super) fn helper(&mut self, index: usize, args: Vec<Value>, line: usize) -> Value {
        if self.stack.contains(&index) || self.stack.len() >= 16 {
            return Value::Unknown;
        }
        let helper = &self.cx.tree.helpers[index];
        self.stack.push(index);
        let value = if helper.kind == Kind::Macro || helper.body.is_empty() {
            self.token_helper(index, line);
            Value::Unknown
        } else {
            let bound = helper
                .params
                .iter()
                .cloned()
                .zip(args.into_iter().chain(std::iter::repeat(Value::Unknown)))
                .collect();
            let scopes = std::mem::replace(&mut self.scopes, vec![bound]);
            let module = std::mem::replace(&mut self.module, helper.module.clone());
            let returned = std::mem::take(&mut self.returned);
            let mut value = self.block(&helper.body);
            for r in std::mem::replace(&mut self.returned, returned) {
                value = value.join(r);
            }
            self.scopes = scopes;
            self.module = module;
            value
        };
        self.stack.pop();
        value
    }

    /// A macro helper (or a body that does not parse): asserts when its tokens call an
    /// assertion or a helper that asserts.
    fn token_helper(&mut self, index: usize, line: usize) {
        let tokens = self.cx.tree.helpers[index].tokens.clone();
        for call in tokens::calls(&tokens) {
            if let Some(inner) = self.helper_index(&call.name, &call.form) {
                self.helper(inner, Vec::new(), line);
                continue;
            }
            let assertion = match call.form {
                Form::Macro => self.cx.assertions.is_macro(&call.name),
                _ => self.cx.assertions.is_function(&call.name),
            };
            if assertion {
                self.reached.assertions.push((call.name, line));
            }
        }
    }

    fn assertion(&mut self, name: &str, line: usize, args: &[Value], zero_count: bool) {
        self.reached.assertions.push((name.to_owned(), line));
        if is_absence(name) || zero_count {
            return;
        }
        for arg in args {
            if let Value::Spans(spans) = arg {
                self.reached.expectations.extend(spans.iter().cloned());
            }
        }
    }

    pub(super) fn call(&mut self, call: &syn::ExprCall) -> Value {
        let Expr::Path(func) = &*call.func else {
            let callee = self.expr(&call.func);
            for arg in self.exprs(&call.args) {
                self.consume(arg);
            }
            return self.consume(callee);
        };
        let segs = segments(&func.path);
        let line = func.path.segments.last().map_or(1, |s| line_of(s.ident.span()));
        let name = segs.last().cloned().unwrap_or_default();
        let args = self.exprs(&call.args);
        if let [one] = segs.as_slice()
            && let Some(Value::Closure(closure)) = self.local(one)
        {
            for arg in args {
                self.consume(arg);
            }
            return self.call_closure(&closure);
        }
        let form = match segs.as_slice() {
            [.., q, _] => Form::Path(Some(q.clone())),
            _ => Form::Bare,
        };
        if let Some(index) = self.helper_index(&name, &form) {
            return self.helper(index, args, line);
        }
        if self.cx.assertions.is_function(&name) {
            self.assertion(&name, line, &args, false);
            return Value::Unknown;
        }
        let from_expect =
            segs.len() == 1 || segs.iter().rev().nth(1).is_some_and(|q| q == "expect");
        match name.as_str() {
            "span" if from_expect => {
                expectation::span(args.first().unwrap_or(&Value::Unknown), line)
            }
            "tree" if from_expect => args.into_iter().next().unwrap_or(Value::Unknown),
            _ => {
                for arg in args {
                    self.consume(arg);
                }
                Value::Unknown
            }
        }
    }

    pub(super) fn method(&mut self, call: &syn::ExprMethodCall) -> Value {
        let receiver = self.expr(&call.receiver);
        let name = call.method.to_string();
        let line = line_of(call.method.span());
        let args = self.exprs(&call.args);
        if let Some(index) = self.helper_index(&name, &Form::Method) {
            return self.helper(index, args, line);
        }
        if self.cx.assertions.is_function(&name) {
            let zero = name == "assert_count"
                && matches!(call.args.iter().nth(1), Some(Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(n), .. })) if n.base10_digits() == "0");
            self.assertion(&name, line, &args, zero);
            return Value::Unknown;
        }
        match receiver {
            Value::Spans(spans) => Value::Spans(expectation::apply(spans, &name, &args)),
            Value::Op(op) if name == "span_name" || name == "name" => Value::text(op),
            text @ (Value::Text { .. } | Value::Choice(_))
                if matches!(
                    name.as_str(),
                    "to_owned" | "to_string" | "into" | "clone" | "as_str" | "as_ref"
                ) =>
            {
                text
            }
            other => {
                if matches!(other, Value::Future(_))
                    && matches!(
                        name.as_str(),
                        "boxed" | "into_future" | "with_context" | "instrument"
                    )
                {
                    return other;
                }
                for arg in args {
                    self.consume(arg);
                }
                Value::Unknown
            }
        }
    }

    pub(super) fn mac(&mut self, mac: &syn::Macro) -> Value {
        use syn::parse::Parser as _;
        let name = macro_name(mac);
        let line = mac.path.segments.last().map_or(1, |s| line_of(s.ident.span()));
        if let Some(index) = self.helper_index(&name, &Form::Macro) {
            self.helper(index, Vec::new(), line);
        } else if self.cx.assertions.is_macro(&name) {
            self.reached.assertions.push((name.clone(), line));
        }
        if PATTERN_MACROS.contains(&name.as_str()) {
            let mut parts = mac.tokens.clone().into_iter();
            let expr: proc_macro2::TokenStream = parts
                .by_ref()
                .take_while(
                    |t| !matches!(t, proc_macro2::TokenTree::Punct(p) if p.as_char() == ','),
                )
                .collect();
            if let Ok(expr) = syn::parse2::<Expr>(expr) {
                self.expr(&expr);
            }
            let rest: proc_macro2::TokenStream = parts.collect();
            if let Ok(pat) = syn::Pat::parse_multi_with_leading_vert.parse2(rest.clone()) {
                self.pattern(&pat);
            } else if let Some(pat) = split_guard(rest) {
                self.pattern(&pat);
            }
            return Value::Unknown;
        }
        if name == "format" || name == "format_args" {
            if let Some(proc_macro2::TokenTree::Literal(lit)) =
                mac.tokens.clone().into_iter().next()
                && let Ok(syn::Lit::Str(s)) =
                    syn::parse2::<syn::Lit>(proc_macro2::TokenTree::Literal(lit).into())
            {
                let pieces = expectation::format_pieces(&s.value());
                let exact = !s.value().contains('{');
                return Value::Text { pieces: if exact { vec![s.value()] } else { pieces }, exact };
            }
            return Value::Unknown;
        }
        let exprs = syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated
            .parse2(mac.tokens.clone());
        if let Ok(exprs) = exprs {
            return self.list(exprs.iter());
        }
        let stmts = crate::audit_coverage::test_code::parse_body(&mac.tokens);
        self.block(&stmts)
    }
}

/// The pattern of `pattern if guard`.
fn split_guard(tokens: proc_macro2::TokenStream) -> Option<syn::Pat> {
    use syn::parse::Parser as _;
    let trees: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
    let cut =
        trees.iter().position(|t| matches!(t, proc_macro2::TokenTree::Ident(i) if i == "if"))?;
    syn::Pat::parse_multi_with_leading_vert.parse2(trees[..cut].iter().cloned().collect()).ok()
}
