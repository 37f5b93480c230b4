//! Token-level reading of Rust source: calls, paths and functions found in a token stream,
//! inside macro invocations and attribute arguments too (where `syn` sees only tokens).
//!
//! Comments are not tokens, and string literals are single tokens, so neither can be
//! mistaken for code here.

use std::str::FromStr as _;

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

use crate::finding::line_of;

/// The tokens of a whole file, or `None` when it does not tokenize.
pub(crate) fn of_text(text: &str) -> Option<TokenStream> {
    TokenStream::from_str(text).ok()
}

/// How something is called.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Form {
    /// `receiver.name(..)`.
    Method,
    /// `qualifier::name(..)`; the qualifier is the segment just before the name, when it
    /// is an identifier.
    Path(Option<String>),
    /// `name(..)`.
    Bare,
    /// `name!(..)`, `name![..]`, `name! {..}`.
    Macro,
}

/// A call found in tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Call {
    /// The called name (the last path segment, or the method).
    pub(crate) name: String,
    /// How.
    pub(crate) form: Form,
    /// The 1-based line of the name.
    pub(crate) line: usize,
}

fn is_punct(tree: Option<&TokenTree>, c: char) -> bool {
    matches!(tree, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

/// Every call in `tokens`, nested groups included. Function definitions (`fn name(`) are
/// not calls.
pub(crate) fn calls(tokens: &TokenStream) -> Vec<Call> {
    let mut out = Vec::new();
    collect_calls(tokens, &mut out);
    out
}

fn collect_calls(tokens: &TokenStream, out: &mut Vec<Call>) {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Group(group) => collect_calls(&group.stream(), out),
            TokenTree::Ident(ident) => {
                let next = trees.get(i + 1);
                let prev = i.checked_sub(1).and_then(|p| trees.get(p));
                let name = ident.to_string();
                let line = line_of(ident.span());
                let bang = matches!(next, Some(TokenTree::Punct(p)) if p.as_char() == '!' && p.spacing() == Spacing::Alone);
                if bang && matches!(trees.get(i + 2), Some(TokenTree::Group(_))) {
                    out.push(Call { name, form: Form::Macro, line });
                    continue;
                }
                let paren = matches!(next, Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis);
                if !paren || matches!(prev, Some(TokenTree::Ident(p)) if p == "fn") {
                    continue;
                }
                let form = if is_punct(prev, '.') {
                    Form::Method
                } else if is_punct(prev, ':') {
                    let qualifier = i.checked_sub(3).and_then(|q| match trees.get(q) {
                        Some(TokenTree::Ident(q)) => Some(q.to_string()),
                        _ => None,
                    });
                    Form::Path(qualifier)
                } else {
                    Form::Bare
                };
                out.push(Call { name, form, line });
            }
            _ => {}
        }
    }
}

/// A path (`A::B::c`) found in tokens, with the line of its first segment.
pub(crate) fn paths(tokens: &TokenStream) -> Vec<(Vec<String>, usize)> {
    let mut out = Vec::new();
    collect_paths(tokens, &mut out);
    out
}

fn collect_paths(tokens: &TokenStream, out: &mut Vec<(Vec<String>, usize)>) {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let mut i = 0;
    while i < trees.len() {
        match &trees[i] {
            TokenTree::Group(group) => collect_paths(&group.stream(), out),
            TokenTree::Ident(first) => {
                let mut segments = vec![first.to_string()];
                let line = line_of(first.span());
                while is_punct(trees.get(i + 1), ':') && is_punct(trees.get(i + 2), ':') {
                    let Some(TokenTree::Ident(next)) = trees.get(i + 3) else { break };
                    segments.push(next.to_string());
                    i += 3;
                }
                out.push((segments, line));
            }
            _ => {}
        }
        i += 1;
    }
}

/// Every identifier in `tokens`, with its line.
pub(crate) fn idents(tokens: &TokenStream) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for tree in tokens.clone() {
        match tree {
            TokenTree::Ident(ident) => out.push((ident.to_string(), line_of(ident.span()))),
            TokenTree::Group(group) => out.extend(idents(&group.stream())),
            _ => {}
        }
    }
    out
}

/// A function found in tokens.
#[derive(Clone, Debug)]
pub(crate) struct Function {
    /// Its name.
    pub(crate) name: String,
    /// The 1-based line of the name.
    pub(crate) line: usize,
    /// The contents of each outer attribute (`test`, `tokio::test(flavor = ..)`).
    pub(crate) attributes: Vec<TokenStream>,
    /// Whether its first parameter is `self` (`&self`, `mut self`, ..).
    pub(crate) is_method: bool,
    /// The names of its parameters after `self` (`_` for a pattern); `x in strategy`
    /// parameters of `proptest!` count too.
    pub(crate) params: Vec<String>,
    /// The body.
    pub(crate) body: TokenStream,
}

impl Function {
    /// Whether an attribute marks it as a test: `#[test]`, `#[tokio::test]` (any path
    /// ending in `test`), `#[rstest]` or `#[test_case(..)]`.
    pub(crate) fn is_test(&self) -> bool {
        self.attributes.iter().any(|attr| {
            let last = attr
                .clone()
                .into_iter()
                .take_while(|t| matches!(t, TokenTree::Ident(_) | TokenTree::Punct(_)))
                .filter_map(|t| match t {
                    TokenTree::Ident(i) => Some(i.to_string()),
                    _ => None,
                })
                .last();
            matches!(last.as_deref(), Some("test" | "rstest" | "test_case"))
        })
    }
}

/// Every function with a body in `tokens`, nested ones (in modules, impls, macro
/// invocations, other bodies) included, each once.
pub(crate) fn functions(tokens: &TokenStream) -> Vec<Function> {
    let mut out = Vec::new();
    collect_functions(tokens, &mut out);
    out
}

fn collect_functions(tokens: &TokenStream, out: &mut Vec<Function>) {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let mut pending_attrs: Vec<TokenStream> = Vec::new();
    let mut i = 0;
    while i < trees.len() {
        match &trees[i] {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                if let Some(TokenTree::Group(g)) = trees.get(i + 1)
                    && g.delimiter() == Delimiter::Bracket
                {
                    pending_attrs.push(g.stream());
                    i += 2;
                    continue;
                }
            }
            TokenTree::Ident(kw) if kw == "fn" => {
                if let Some(TokenTree::Ident(name)) = trees.get(i + 1) {
                    let signature: Vec<&TokenTree> =
                        trees[i + 2..].iter().take_while(|t| !is_punct(Some(t), ';')).collect();
                    let group = |delimiter: Delimiter| {
                        signature.iter().find_map(|t| match t {
                            TokenTree::Group(g) if g.delimiter() == delimiter => Some(g),
                            _ => None,
                        })
                    };
                    let is_method = group(Delimiter::Parenthesis).is_some_and(|params| {
                        params
                            .stream()
                            .into_iter()
                            .take_while(|t| !is_punct(Some(t), ','))
                            .any(|t| matches!(t, TokenTree::Ident(i) if i == "self"))
                    });
                    if let Some(body) = group(Delimiter::Brace) {
                        let mut params = group(Delimiter::Parenthesis)
                            .map(|g| params(&g.stream()))
                            .unwrap_or_default();
                        if is_method && !params.is_empty() {
                            params.remove(0);
                        }
                        out.push(Function {
                            name: name.to_string(),
                            line: line_of(name.span()),
                            attributes: std::mem::take(&mut pending_attrs),
                            is_method,
                            params,
                            body: body.stream(),
                        });
                    }
                }
            }
            TokenTree::Group(group) => collect_functions(&group.stream(), out),
            _ => {}
        }
        if !keeps_attributes(&trees[i]) {
            pending_attrs.clear();
        }
        i += 1;
    }
}

/// The parameter names of a parameter list: the identifier before `:` (or `in`) of each
/// comma-separated part, `_` for anything else.
fn params(list: &TokenStream) -> Vec<String> {
    let trees: Vec<TokenTree> = list.clone().into_iter().collect();
    let mut parts: Vec<Vec<&TokenTree>> = vec![Vec::new()];
    let mut angle = 0_usize;
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Punct(p) if p.as_char() == '<' => angle += 1,
            TokenTree::Punct(p)
                if p.as_char() == '>'
                    && !is_punct(i.checked_sub(1).and_then(|j| trees.get(j)), '-') =>
            {
                angle = angle.saturating_sub(1);
            }
            TokenTree::Punct(p) if p.as_char() == ',' && angle == 0 => {
                parts.push(Vec::new());
                continue;
            }
            _ => {}
        }
        if let Some(part) = parts.last_mut() {
            part.push(tree);
        }
    }
    parts
        .into_iter()
        .filter(|part| !part.is_empty())
        .map(|part| {
            let words: Vec<&TokenTree> = part
                .into_iter()
                .skip_while(|t| {
                    matches!(t, TokenTree::Ident(i) if i == "mut" || i == "ref")
                        || is_punct(Some(t), '&')
                })
                .collect();
            match words.as_slice() {
                [TokenTree::Ident(name), TokenTree::Punct(p), ..] if p.as_char() == ':' => {
                    name.to_string()
                }
                [TokenTree::Ident(name), TokenTree::Ident(kw), ..] if kw == "in" => {
                    name.to_string()
                }
                [TokenTree::Ident(name)] => name.to_string(),
                _ => "_".to_owned(),
            }
        })
        .collect()
}

/// Whether attributes seen before `tree` still belong to the item after it: qualifiers
/// and visibility (`pub(crate) async fn`) sit between an attribute and `fn`.
fn keeps_attributes(tree: &TokenTree) -> bool {
    match tree {
        TokenTree::Ident(word) => {
            matches!(word.to_string().as_str(), "pub" | "async" | "const" | "unsafe" | "extern")
        }
        TokenTree::Group(group) => group.delimiter() == Delimiter::Parenthesis,
        _ => false,
    }
}

/// The `macro_rules!` definitions in `tokens`: name, line and body.
pub(crate) fn macro_rules(tokens: &TokenStream) -> Vec<(String, usize, TokenStream)> {
    let mut out = Vec::new();
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Ident(kw) if kw == "macro_rules" && is_punct(trees.get(i + 1), '!') => {
                if let (Some(TokenTree::Ident(name)), Some(TokenTree::Group(body))) =
                    (trees.get(i + 2), trees.get(i + 3))
                {
                    out.push((name.to_string(), line_of(name.span()), body.stream()));
                }
            }
            TokenTree::Group(group) => out.extend(macro_rules(&group.stream())),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Form, calls, functions, of_text};

    const SOURCE: &str = r#"
#[tokio::test(flavor = "multi_thread")]
async fn outer() {
    fn inner(&self) { capture.assert_one(x); }
    leak::assert_text_clean("a", "b", "c");
    assert_span_tree!("name", spans);
    let _ = "capture.assert_none(x)"; // capture.assert_some(x)
}
proptest::proptest! { #[test] fn generated(x in any()) { check(x); } }
"#;

    #[test]
    fn finds_each_function_once_with_its_test_attribute() {
        let found = functions(&of_text(SOURCE).unwrap());
        let names: Vec<(&str, bool, bool)> =
            found.iter().map(|f| (f.name.as_str(), f.is_test(), f.is_method)).collect();
        assert_eq!(
            names,
            [("outer", true, false), ("inner", false, true), ("generated", true, false)]
        );
    }

    #[test]
    fn finds_calls_by_form_and_never_in_comments_or_strings() {
        let found: Vec<(String, Form, usize)> = calls(&of_text(SOURCE).unwrap())
            .into_iter()
            .map(|c| (c.name, c.form, c.line))
            .collect();
        assert!(found.contains(&("assert_one".to_owned(), Form::Method, 4)), "{found:?}");
        assert!(found.contains(&(
            "assert_text_clean".to_owned(),
            Form::Path(Some("leak".to_owned())),
            5
        )));
        assert!(found.contains(&("assert_span_tree".to_owned(), Form::Macro, 6)));
        assert!(!found.iter().any(|(name, ..)| name == "assert_none" || name == "assert_some"));
        assert!(!found.iter().any(|(name, ..)| name == "inner" || name == "outer"), "{found:?}");
    }
}
