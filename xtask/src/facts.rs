//! What the rules read from a parsed file: calls, method calls, struct expressions,
//! imports, attributes, macro invocations and functions, each with its line, the
//! function it sits in, and whether it is inside a `#[cfg(test)]` item.
//!
//! Macro invocations are read too: their tokens are parsed as comma-separated
//! expressions, or else as statements, and visited like any other code. Tokens that are
//! neither (`tokio::select!`, `macro_rules!` bodies) are not read here.

use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser as _};
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::{Expr, Token};

use crate::finding::line_of;
use crate::workspace::is_cfg_test;

/// An expression passed as an argument, reduced to what the rules compare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Arg {
    /// A string literal's value.
    Str(String),
    /// A path (`TRACER_NAME`, `attr::EXCEPTION_EVENT`, `Status::Ok`).
    Path(Vec<String>),
    /// A call of a path (`Status::error(..)`).
    Call(Vec<String>),
    /// A struct expression (`Status::Error { .. }`).
    Struct(Vec<String>),
    /// Anything else.
    Other,
}

/// Where a fact sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct At {
    /// The 1-based line.
    pub(crate) line: usize,
    /// The innermost enclosing function.
    pub(crate) item: Option<String>,
    /// Inside a `#[cfg(test)]` item.
    pub(crate) in_test: bool,
}

/// `receiver.name(args)`.
#[derive(Clone, Debug)]
pub(crate) struct MethodCall {
    /// The method.
    pub(crate) name: String,
    /// Identifiers in the receiver expression.
    pub(crate) receiver: Vec<String>,
    /// The first argument.
    pub(crate) first_arg: Option<Arg>,
    /// Where.
    pub(crate) at: At,
}

/// `a::b::c(args)`, `path { fields }`, `#[path]`, `path!(..)` or `use path`.
#[derive(Clone, Debug)]
pub(crate) struct PathUse {
    /// The segments (`*` for a glob import; the original name for a renamed import).
    pub(crate) segments: Vec<String>,
    /// The first argument of a call; fields of a struct expression as `(name, value)`.
    pub(crate) args: Vec<(String, Arg)>,
    /// The tokens of a macro invocation.
    pub(crate) tokens: TokenStream,
    /// Where.
    pub(crate) at: At,
}

impl PathUse {
    /// Whether the path ends with `suffix`.
    pub(crate) fn ends_with(&self, suffix: &[&str]) -> bool {
        self.segments.len() >= suffix.len()
            && self.segments[self.segments.len() - suffix.len()..]
                .iter()
                .zip(suffix)
                .all(|(a, b)| a == b)
    }

    /// The last segment.
    pub(crate) fn last(&self) -> &str {
        self.segments.last().map_or("", String::as_str)
    }
}

/// A function with a body.
#[derive(Clone, Debug)]
pub(crate) struct Function {
    /// Its name.
    pub(crate) name: String,
    /// Whether a generic bound or parameter type names a closure or future trait (`Fn`,
    /// `FnOnce`, `FnMut`, the `AsyncFn` traits, `Future`, `IntoFuture`).
    pub(crate) takes_closure: bool,
    /// Where.
    pub(crate) at: At,
}

/// Everything the rules read from one file.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    /// Method calls.
    pub(crate) method_calls: Vec<MethodCall>,
    /// Calls of a path.
    pub(crate) calls: Vec<PathUse>,
    /// Struct expressions (not patterns).
    pub(crate) structs: Vec<PathUse>,
    /// Imported paths, one per leaf of each `use` tree.
    pub(crate) imports: Vec<PathUse>,
    /// Attribute paths.
    pub(crate) attributes: Vec<PathUse>,
    /// Macro invocations (not `macro_rules!` definitions).
    pub(crate) macros: Vec<PathUse>,
    /// Functions and methods with bodies.
    pub(crate) functions: Vec<Function>,
    /// `const` items: name, value, where.
    pub(crate) consts: Vec<(String, Arg, At)>,
}

impl Facts {
    /// The facts of `file`.
    pub(crate) fn of(file: &syn::File) -> Self {
        let mut collector = Collector { facts: Self::default(), items: Vec::new(), test_depth: 0 };
        collector.visit_file(file);
        collector.facts
    }
}

struct Collector {
    facts: Facts,
    items: Vec<String>,
    test_depth: usize,
}

fn segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

fn arg(expr: &Expr) -> Arg {
    match expr {
        Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Arg::Str(s.value()),
        Expr::Path(p) => Arg::Path(segments(&p.path)),
        Expr::Call(call) => match &*call.func {
            Expr::Path(p) => Arg::Call(segments(&p.path)),
            _ => Arg::Other,
        },
        Expr::Struct(s) => Arg::Struct(segments(&s.path)),
        Expr::Reference(r) => arg(&r.expr),
        Expr::Paren(p) => arg(&p.expr),
        _ => Arg::Other,
    }
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// Identifiers of every path in a signature's generics, parameters and where clause.
#[derive(Default)]
struct PathIdents(Vec<String>);

impl Visit<'_> for PathIdents {
    fn visit_path_segment(&mut self, segment: &syn::PathSegment) {
        self.0.push(segment.ident.to_string());
        visit::visit_path_segment(self, segment);
    }
}

/// Macros whose arguments after the first are a pattern, not an expression.
const PATTERN_MACROS: &[&str] = &["matches", "assert_matches", "debug_assert_matches"];

const CLOSURE_TRAITS: &[&str] =
    &["Fn", "FnOnce", "FnMut", "AsyncFn", "AsyncFnOnce", "AsyncFnMut", "Future", "IntoFuture"];

fn takes_closure(sig: &syn::Signature) -> bool {
    let mut idents = PathIdents::default();
    idents.visit_generics(&sig.generics);
    for input in &sig.inputs {
        idents.visit_fn_arg(input);
    }
    idents.0.iter().any(|i| CLOSURE_TRAITS.contains(&i.as_str()))
}

fn flatten_use(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten_use(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => out.push([prefix.clone(), vec![n.ident.to_string()]].concat()),
        syn::UseTree::Rename(r) => out.push([prefix.clone(), vec![r.ident.to_string()]].concat()),
        syn::UseTree::Glob(_) => out.push([prefix.clone(), vec!["*".to_owned()]].concat()),
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                flatten_use(tree, prefix, out);
            }
        }
    }
}

impl Collector {
    fn at(&self, span: proc_macro2::Span) -> At {
        At { line: line_of(span), item: self.items.last().cloned(), in_test: self.test_depth > 0 }
    }

    fn path_use(&self, path: &syn::Path, args: Vec<(String, Arg)>, tokens: TokenStream) -> PathUse {
        let span =
            path.segments.last().map_or_else(proc_macro2::Span::call_site, |s| s.ident.span());
        PathUse { segments: segments(path), args, tokens, at: self.at(span) }
    }

    fn function(&mut self, name: &syn::Ident, sig: &syn::Signature, body: impl FnOnce(&mut Self)) {
        let at = self.at(name.span());
        self.facts.functions.push(Function {
            name: name.to_string(),
            takes_closure: takes_closure(sig),
            at,
        });
        self.items.push(name.to_string());
        body(self);
        self.items.pop();
    }

    fn with_test_scope(&mut self, attrs: &[syn::Attribute], body: impl FnOnce(&mut Self)) {
        let test = is_cfg_test(attrs);
        self.test_depth += usize::from(test);
        body(self);
        self.test_depth -= usize::from(test);
    }
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        self.with_test_scope(item_attrs(item), |this| visit::visit_item(this, item));
    }

    fn visit_impl_item_fn(&mut self, method: &'ast syn::ImplItemFn) {
        self.with_test_scope(&method.attrs, |this| {
            this.function(&method.sig.ident, &method.sig, |this| {
                visit::visit_impl_item_fn(this, method);
            });
        });
    }

    fn visit_item_fn(&mut self, function: &'ast syn::ItemFn) {
        self.function(&function.sig.ident, &function.sig, |this| {
            visit::visit_item_fn(this, function);
        });
    }

    fn visit_trait_item_fn(&mut self, method: &'ast syn::TraitItemFn) {
        if method.default.is_some() {
            self.function(&method.sig.ident, &method.sig, |this| {
                visit::visit_trait_item_fn(this, method);
            });
        }
    }

    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        let at = self.at(item.ident.span());
        self.facts.consts.push((item.ident.to_string(), arg(&item.expr), at));
        visit::visit_item_const(self, item);
    }

    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        let tokens = attr.meta.require_list().map(|l| l.tokens.clone()).unwrap_or_default();
        let path_use = self.path_use(attr.path(), Vec::new(), tokens);
        self.facts.attributes.push(path_use);
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let mut leaves = Vec::new();
        flatten_use(&item.tree, &mut Vec::new(), &mut leaves);
        let at = self.at(item.use_token.span);
        for leaf in leaves {
            self.facts.imports.push(PathUse {
                segments: leaf,
                args: Vec::new(),
                tokens: TokenStream::new(),
                at: at.clone(),
            });
        }
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let mut receiver = PathIdents::default();
        receiver.visit_expr(&call.receiver);
        let at = self.at(call.method.span());
        self.facts.method_calls.push(MethodCall {
            name: call.method.to_string(),
            receiver: receiver.0,
            first_arg: call.args.first().map(arg),
            at,
        });
        visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let Expr::Path(func) = &*call.func {
            let args = call.args.first().map(|a| (String::new(), arg(a))).into_iter().collect();
            let path_use = self.path_use(&func.path, args, TokenStream::new());
            self.facts.calls.push(path_use);
        }
        visit::visit_expr_call(self, call);
    }

    fn visit_expr_struct(&mut self, expr: &'ast syn::ExprStruct) {
        let fields = expr
            .fields
            .iter()
            .filter_map(|f| match &f.member {
                syn::Member::Named(name) => Some((name.to_string(), arg(&f.expr))),
                syn::Member::Unnamed(_) => None,
            })
            .collect();
        let path_use = self.path_use(&expr.path, fields, TokenStream::new());
        self.facts.structs.push(path_use);
        visit::visit_expr_struct(self, expr);
    }

    fn visit_item_macro(&mut self, item: &'ast syn::ItemMacro) {
        if item.mac.path.is_ident("macro_rules") {
            return;
        }
        visit::visit_item_macro(self, item);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let path_use = self.path_use(&mac.path, Vec::new(), mac.tokens.clone());
        let pattern_macro = PATTERN_MACROS.contains(&path_use.last());
        self.facts.macros.push(path_use);
        if pattern_macro {
            // `matches!(expr, pattern)`: only the expression is code; the rest is a pattern.
            let expr = mac.tokens.clone().into_iter().take_while(
                |t| !matches!(t, proc_macro2::TokenTree::Punct(p) if p.as_char() == ','),
            );
            if let Ok(expr) = syn::parse2::<Expr>(expr.collect()) {
                self.visit_expr(&expr);
            }
            return;
        }
        let exprs = Punctuated::<Expr, Token![,]>::parse_terminated.parse2(mac.tokens.clone());
        if let Ok(exprs) = exprs {
            for expr in &exprs {
                self.visit_expr(expr);
            }
        } else if let Ok(stmts) =
            (|input: ParseStream<'_>| syn::Block::parse_within(input)).parse2(mac.tokens.clone())
        {
            for stmt in &stmts {
                self.visit_stmt(stmt);
            }
        }
    }
}
