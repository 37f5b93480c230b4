//! The testkit's assertions, derived from its source rather than listed by hand: every
//! `pub fn assert_*` of `floe-otel-testkit` (methods of `Capture` and `CapturedSpans`,
//! `leak::assert_text_clean`, and whatever the testkit adds, including the `pub fn`s a
//! `macro_rules!` body defines for several types, such as the attribute matchers of span
//! and event expectations) and every `#[macro_export] macro_rules! assert_*`
//! (`assert_span_tree!`).
//!
//! An assertion whose name starts with `assert_no` (`assert_none`, `assert_no_secret`,
//! `assert_nothing_escaped`) checks an absence: it counts as an assertion of the test, but
//! the span expectations passed to it never count as asserting an operation.
//!
//! The same source gives [`Assertions::api`], every public function name of the testkit,
//! against which a test checks the method names of every fix hint.

use std::collections::BTreeSet;

use crate::workspace::Workspace;

/// The package the assertions come from.
pub(crate) const TESTKIT: &str = "floe-otel-testkit";

/// The testkit's assertion names and public API.
#[derive(Debug, Default)]
pub(crate) struct Assertions {
    /// `pub fn assert_*` (methods and free functions).
    pub(crate) functions: BTreeSet<String>,
    /// `#[macro_export] macro_rules! assert_*`.
    pub(crate) macros: BTreeSet<String>,
    /// Every `pub fn` name and exported macro.
    pub(crate) api: BTreeSet<String>,
}

impl Assertions {
    /// The assertions of the workspace's testkit (none when it has no testkit).
    pub(crate) fn of(workspace: &Workspace) -> Self {
        let files = workspace
            .member(TESTKIT)
            .into_iter()
            .flat_map(|m| m.files.iter().filter(|f| !f.test_code))
            .filter_map(|f| f.syntax());
        Self::of_files(files)
    }

    /// The assertions defined in `files`.
    pub(crate) fn of_files<'a>(files: impl IntoIterator<Item = &'a syn::File>) -> Self {
        let mut out = Self::default();
        for file in files {
            out.items(&file.items);
        }
        out
    }

    fn items(&mut self, items: &[syn::Item]) {
        for item in items {
            match item {
                syn::Item::Fn(f) if is_pub(&f.vis) => self.function(&f.sig.ident),
                syn::Item::Impl(i) => {
                    for item in &i.items {
                        if let syn::ImplItem::Fn(f) = item
                            && is_pub(&f.vis)
                        {
                            self.function(&f.sig.ident);
                        }
                    }
                }
                syn::Item::Mod(m) if !crate::workspace::is_cfg_test(&m.attrs) => {
                    if let Some((_, inner)) = &m.content {
                        self.items(inner);
                    }
                }
                syn::Item::Macro(m) if m.mac.path.is_ident("macro_rules") => {
                    // methods a macro defines for several types (the testkit's
                    // `attribute_methods!`): `pub fn NAME` anywhere in its body
                    self.macro_body(m.mac.tokens.clone());
                    if !m.attrs.iter().any(|a| a.path().is_ident("macro_export")) {
                        continue;
                    }
                    if let Some(name) = &m.ident {
                        let name = name.to_string();
                        if name.starts_with("assert_") {
                            self.macros.insert(name.clone());
                        }
                        self.api.insert(name);
                    }
                }
                _ => {}
            }
        }
    }

    /// Every `pub fn NAME` in a `macro_rules!` body (its rules nest in groups).
    fn macro_body(&mut self, tokens: proc_macro2::TokenStream) {
        let tokens: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
        for (i, token) in tokens.iter().enumerate() {
            match token {
                proc_macro2::TokenTree::Group(group) => self.macro_body(group.stream()),
                proc_macro2::TokenTree::Ident(vis) if vis == "pub" => {
                    if let (
                        Some(proc_macro2::TokenTree::Ident(kw)),
                        Some(proc_macro2::TokenTree::Ident(name)),
                    ) = (tokens.get(i + 1), tokens.get(i + 2))
                        && kw == "fn"
                    {
                        self.function(name);
                    }
                }
                _ => {}
            }
        }
    }

    fn function(&mut self, ident: &syn::Ident) {
        let name = ident.to_string();
        if name.starts_with("assert_") {
            self.functions.insert(name.clone());
        }
        self.api.insert(name);
    }

    /// Whether `name` is an assertion function or method.
    pub(crate) fn is_function(&self, name: &str) -> bool {
        self.functions.contains(name)
    }

    /// Whether `name` is an assertion macro.
    pub(crate) fn is_macro(&self, name: &str) -> bool {
        self.macros.contains(name)
    }
}

/// Whether an assertion checks an absence, so its expectations assert no operation.
pub(crate) fn is_absence(name: &str) -> bool {
    name.starts_with("assert_no")
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

/// The method and function names a fix hint calls: `.name(`, `expect::name(`,
/// `Capture::name(` and `leak::name(`.
#[cfg(test)]
pub(crate) fn hint_calls(hint: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes: Vec<char> = hint.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let prefix = [".", "expect::", "Capture::", "leak::"]
            .iter()
            .find(|p| bytes[i..].starts_with(&p.chars().collect::<Vec<_>>()))
            .map(|p| p.chars().count());
        if let Some(skip) = prefix {
            let start = i + skip;
            let end = (start..bytes.len())
                .find(|&j| !(bytes[j].is_ascii_alphanumeric() || bytes[j] == '_'))
                .unwrap_or(bytes.len());
            if end > start && bytes.get(end) == Some(&'(') {
                out.push(bytes[start..end].iter().collect());
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
pub(super) mod tests {
    use std::path::{Path, PathBuf};

    use super::{Assertions, hint_calls};

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The real testkit's assertions, parsed from `floe-otel-testkit/src`.
    pub(crate) fn real_testkit() -> Assertions {
        let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../floe-otel-testkit/src");
        let mut paths = Vec::new();
        rust_files(&src, &mut paths);
        let files: Vec<syn::File> = paths
            .iter()
            .map(|p| syn::parse_file(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect();
        Assertions::of_files(&files)
    }

    #[test]
    fn the_assertions_are_the_testkits_public_assert_functions_and_macros() {
        let assertions = real_testkit();
        for name in [
            "assert_one",
            "assert_count",
            "assert_some",
            "assert_none",
            "assert_exactly",
            "assert_tree",
            "assert_no_secret",
            "assert_secret_nowhere",
            "assert_redacted",
            "assert_conforms",
            "assert_conforms_in",
            "assert_nothing_escaped",
            "assert_text_clean",
            "assert_trace_exactly",
            "assert_metric",
        ] {
            assert!(assertions.is_function(name), "{name} missing from {:?}", assertions.functions);
        }
        assert!(assertions.is_macro("assert_span_tree"), "{:?}", assertions.macros);
        // defined by the testkit's `attribute_methods!` for spans and events
        for name in ["attr", "attr_contains", "has_attr"] {
            assert!(assertions.api.contains(name), "{name} missing from {:?}", assertions.api);
        }
        assert!(!assertions.is_function("check_span"), "a crate-private function is no assertion");
    }

    #[test]
    fn hint_calls_are_read_from_method_and_path_calls() {
        assert_eq!(
            hint_calls(
                "`capture.assert_one(expect::span(\"a\").attr(k, v))` then leak::assert_text_clean(..)"
            ),
            ["assert_one", "span", "attr", "assert_text_clean"]
        );
    }
}
