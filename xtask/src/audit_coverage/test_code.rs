//! A plugin's test code as the tracing rules read it: its tracing tests (the test
//! functions of `tests/it/tracing.rs` and of the modules it declares, inline modules and
//! `proptest! {}` blocks included), and the helpers, constants and imports of every file
//! under `tests/`.
//!
//! A tracing test that cannot run or cannot fail is a `tracing-test` finding, and it
//! never counts: `#[should_panic]` (a test that passes when its assertion panics),
//! `#[cfg(..)]` or `#[cfg_attr(..)]` on the test or on an enclosing module (no cfg is
//! evaluated: any of them may compile the test out), and `#[path]` or `#[cfg]` on
//! `mod tracing` or on a module it declares (the file the rule reads would not be the
//! one compiled).

use std::collections::BTreeMap;

use proc_macro2::{TokenStream, TokenTree};
use syn::parse::Parser as _;

use super::RULE_TRACING_TEST as TEST;
use crate::finding::{Finding, line_of};
use crate::tokens;
use crate::workspace::Member;

/// One test function of the tracing tests.
pub(crate) struct TestFn {
    /// Its name.
    pub(crate) name: String,
    /// The workspace-relative file.
    pub(crate) path: String,
    /// The line of its name.
    pub(crate) line: usize,
    /// The module it is in (its file stem), for resolving helpers.
    pub(crate) module: String,
    /// Its body, parsed.
    pub(crate) body: Vec<syn::Stmt>,
    /// Its body's tokens.
    pub(crate) tokens: TokenStream,
    /// Whether it runs and can fail (no `#[should_panic]`, not compiled out).
    pub(crate) counts: bool,
}

/// What a helper is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A free or associated function.
    Function,
    /// A method (first parameter `self`).
    Method,
    /// A `macro_rules!` macro.
    Macro,
}

/// A function or macro of the plugin's `tests/` tree.
pub(crate) struct Helper {
    /// The module (file stem) it is in.
    pub(crate) module: String,
    /// Its name.
    pub(crate) name: String,
    /// What it is.
    pub(crate) kind: Kind,
    /// Parameter names after `self`.
    pub(crate) params: Vec<String>,
    /// The body, parsed (functions whose body parses).
    pub(crate) body: Vec<syn::Stmt>,
    /// The body's tokens.
    pub(crate) tokens: TokenStream,
}

/// The helpers, constants and imports of a plugin's `tests/` tree.
#[derive(Default)]
pub(crate) struct TestTree {
    /// Every function and `macro_rules!`.
    pub(crate) helpers: Vec<Helper>,
    /// `const NAME: &str = ".."`.
    pub(crate) consts: BTreeMap<String, String>,
    /// `use a::b::c;` (and `as d`): the name in scope → the imported path.
    pub(crate) imports: BTreeMap<String, Vec<String>>,
}

impl TestTree {
    /// The tree of `plugin`.
    pub(crate) fn of(plugin: &Member) -> Self {
        let mut tree = Self::default();
        for file in plugin.files.iter().filter(|f| f.local.starts_with("tests/")) {
            let module = module_of(&file.local);
            if let Some(stream) = tokens::of_text(&file.text) {
                for f in tokens::functions(&stream) {
                    let kind = if f.is_method { Kind::Method } else { Kind::Function };
                    tree.helpers.push(Helper {
                        module: module.clone(),
                        name: f.name,
                        kind,
                        params: f.params,
                        body: parse_body(&f.body),
                        tokens: f.body,
                    });
                }
                for (name, _, body) in tokens::macro_rules(&stream) {
                    tree.helpers.push(Helper {
                        module: module.clone(),
                        name,
                        kind: Kind::Macro,
                        params: Vec::new(),
                        body: Vec::new(),
                        tokens: body,
                    });
                }
            }
            if let Some(ast) = file.syntax() {
                tree.items(&ast.items);
            }
        }
        tree
    }

    fn items(&mut self, items: &[syn::Item]) {
        for item in items {
            match item {
                syn::Item::Const(c) => {
                    if let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) = &*c.expr {
                        self.consts.insert(c.ident.to_string(), s.value());
                    }
                }
                syn::Item::Use(u) => {
                    let mut leaves = Vec::new();
                    flatten_use(&u.tree, &mut Vec::new(), &mut leaves);
                    for (name, path) in leaves {
                        self.imports.insert(name, path);
                    }
                }
                syn::Item::Mod(m) => {
                    if let Some((_, inner)) = &m.content {
                        self.items(inner);
                    }
                }
                _ => {}
            }
        }
    }
}

fn flatten_use(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(String, Vec<String>)>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten_use(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            out.push((n.ident.to_string(), [prefix.clone(), vec![n.ident.to_string()]].concat()));
        }
        syn::UseTree::Rename(r) => {
            out.push((r.rename.to_string(), [prefix.clone(), vec![r.ident.to_string()]].concat()));
        }
        syn::UseTree::Glob(_) => {}
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                flatten_use(tree, prefix, out);
            }
        }
    }
}

/// The file stem of a `tests/` file: its module name.
pub(crate) fn module_of(local: &str) -> String {
    let name = local.rsplit('/').next().unwrap_or(local).trim_end_matches(".rs");
    name.to_owned()
}

/// The statements of a body, or none when it does not parse.
pub(crate) fn parse_body(body: &TokenStream) -> Vec<syn::Stmt> {
    (|input: syn::parse::ParseStream<'_>| syn::Block::parse_within(input))
        .parse2(body.clone())
        .unwrap_or_default()
}

/// The tracing tests of `plugin` (from `tests/it/tracing.rs` and the modules it
/// declares) and the `tracing-test` findings about how they are compiled.
pub(crate) fn tracing_tests(plugin: &Member, out: &mut Vec<Finding>) -> Vec<TestFn> {
    let mut tests = Vec::new();
    let mut gated = false;
    if let Some(main) = plugin.file("tests/it/main.rs").and_then(|m| m.syntax()) {
        for item in &main.items {
            if let syn::Item::Mod(m) = item
                && m.ident == "tracing"
                && m.content.is_none()
            {
                gated |=
                    !module_attributes(plugin, "tests/it/main.rs", &m.attrs, "mod tracing", out);
            }
        }
    }
    if let Some(ast) = plugin.file("tests/it/tracing.rs").and_then(|f| f.syntax()) {
        let mut reader = Reader { plugin, out, tests: &mut tests };
        reader.items("tests/it/tracing.rs", "tests/it/tracing", "tracing", &ast.items, gated);
    }
    tests
}

/// `#[path]` or `#[cfg]` on a module declaration of the tracing tests.
fn module_attributes(
    plugin: &Member,
    local: &str,
    attrs: &[syn::Attribute],
    what: &str,
    out: &mut Vec<Finding>,
) -> bool {
    let mut clean = true;
    for attr in attrs {
        let name = attr.path().segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
        let problem = match name.as_str() {
            "path" => "is behind `#[path]`, so the file the audit reads is not the one compiled",
            "cfg" | "cfg_attr" => "is behind a `#[cfg]`, so its tests may never be compiled",
            _ => continue,
        };
        clean = false;
        out.push(Finding::new(
            plugin.path_of(local),
            line_of(attr.pound_token.span),
            TEST,
            format!("{}: `{what}` {problem}", plugin.name),
            "declare the tracing tests plainly: `mod tracing;` in tests/it/main.rs for tests/it/tracing.rs, and `mod name;` there for tests/it/tracing/name.rs",
        ));
    }
    clean
}

struct Reader<'a> {
    plugin: &'a Member,
    out: &'a mut Vec<Finding>,
    tests: &'a mut Vec<TestFn>,
}

impl Reader<'_> {
    fn items(&mut self, local: &str, dir: &str, module: &str, items: &[syn::Item], gated: bool) {
        for item in items {
            match item {
                syn::Item::Fn(f) if f.attrs.iter().any(is_test_attr) => {
                    let attrs: Vec<TokenStream> = f.attrs.iter().map(attr_tokens).collect();
                    let tokens = f.block.stmts.iter().map(quote_stmt).collect();
                    self.test(
                        local,
                        module,
                        &f.sig.ident.to_string(),
                        line_of(f.sig.ident.span()),
                        &attrs,
                        f.block.stmts.clone(),
                        tokens,
                        gated,
                    );
                }
                syn::Item::Mod(m) => {
                    let gated = gated
                        || m.attrs.iter().any(|a| is_named(a, "cfg") || is_named(a, "cfg_attr"));
                    let name = m.ident.to_string();
                    if let Some((_, inner)) = &m.content {
                        if gated {
                            module_attributes(
                                self.plugin,
                                local,
                                &m.attrs,
                                &format!("mod {name}"),
                                self.out,
                            );
                        }
                        self.items(local, &format!("{dir}/{name}"), module, inner, gated);
                    } else {
                        {
                            let clean = module_attributes(
                                self.plugin,
                                local,
                                &m.attrs,
                                &format!("mod {name}"),
                                self.out,
                            );
                            let child =
                                [format!("{dir}/{name}.rs"), format!("{dir}/{name}/mod.rs")]
                                    .into_iter()
                                    .find(|c| self.plugin.file(c).is_some());
                            if let Some(child) = child
                                && let Some(ast) = self.plugin.file(&child).and_then(|f| f.syntax())
                            {
                                self.items(
                                    &child,
                                    &format!("{dir}/{name}"),
                                    &name,
                                    &ast.items,
                                    gated || !clean,
                                );
                            }
                        }
                    }
                }
                syn::Item::Macro(m) if !m.mac.path.is_ident("macro_rules") => {
                    for f in tokens::functions(&m.mac.tokens)
                        .into_iter()
                        .filter(tokens::Function::is_test)
                    {
                        let body = parse_body(&f.body);
                        self.test(
                            local,
                            module,
                            &f.name,
                            f.line,
                            &f.attributes,
                            body,
                            f.body.clone(),
                            gated,
                        );
                    }
                }
                _ => {}
            }
        }
    }

    #[expect(clippy::too_many_arguments, reason = "one call site per way a test is written")]
    fn test(
        &mut self,
        local: &str,
        module: &str,
        name: &str,
        line: usize,
        attrs: &[TokenStream],
        body: Vec<syn::Stmt>,
        tokens: TokenStream,
        gated: bool,
    ) {
        let path = self.plugin.path_of(local);
        let mut counts = !gated;
        for attr in attrs {
            let Some(TokenTree::Ident(first)) = attr.clone().into_iter().next() else { continue };
            let (problem, fix) = match first.to_string().as_str() {
                "should_panic" => (
                    "is `#[should_panic]`: it passes whenever something panics, so its assertions cannot fail it",
                    "remove `#[should_panic]`: call the operation, match the returned error (`matches!(error, PluginError::Variant { .. })`) and assert its span with `.error_containing(..)`",
                ),
                "cfg" | "cfg_attr" => (
                    "is behind a `#[cfg]`, so it may never be compiled or run",
                    "remove the `#[cfg]`: a tracing test runs in every build of the tests",
                ),
                _ => continue,
            };
            counts = false;
            self.out.push(Finding::new(
                path.clone(),
                line,
                TEST,
                format!("{}: tracing test `{name}` {problem}", self.plugin.name),
                fix,
            ));
        }
        self.tests.push(TestFn {
            name: name.to_owned(),
            path,
            line,
            module: module.to_owned(),
            body,
            tokens,
            counts,
        });
    }
}

fn is_named(attr: &syn::Attribute, name: &str) -> bool {
    attr.path().segments.last().is_some_and(|s| s.ident == name)
}

fn is_test_attr(attr: &syn::Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "test" || s.ident == "rstest" || s.ident == "test_case")
}

/// An attribute's path and arguments as tokens (`should_panic`, `cfg(x)`).
fn attr_tokens(attr: &syn::Attribute) -> TokenStream {
    let mut out = TokenStream::new();
    for (i, segment) in attr.path().segments.iter().enumerate() {
        if i > 0 {
            out.extend(tokens::of_text("::"));
        }
        out.extend([TokenTree::Ident(segment.ident.clone())]);
    }
    out
}

/// A statement's tokens (for finding the assertions it holds).
fn quote_stmt(stmt: &syn::Stmt) -> TokenStream {
    use quote::ToTokens as _;
    stmt.to_token_stream()
}
