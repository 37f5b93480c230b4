//! The telemetry inventory of `--format json`: per plugin, its tracer name, the span
//! names its non-test code can emit and the attribute keys it references.
//!
//! Read at token level against the telemetry registry: a span is a path
//! `<Prefix>Op::<Variant>` naming a registry span (the enums `cargo xtask codegen`
//! generates), or the `name = ".."` of a `#[traced(..)]`; an attribute is an identifier
//! equal to a generated `attr` constant. Every span also carries the `floe.*` identity
//! attributes the domain span adds, which are not listed.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{TokenStream, TokenTree};
use serde::Serialize;

use crate::codegen::{camel, const_name};
use crate::exemptions::package_exemption;
use crate::facts::Facts;
use crate::registry::Registry;
use crate::tokens;
use crate::workspace::{Member, Workspace};

use super::RULE_TRACER_NAME;

/// One plugin's telemetry.
#[derive(Debug, Serialize)]
pub(crate) struct PluginTelemetry {
    /// The package.
    pub(crate) package: String,
    /// Its `TRACER_NAME`, if declared as a literal.
    pub(crate) tracer_name: Option<String>,
    /// Why it has no tracer, when excluded by policy.
    pub(crate) excluded: Option<&'static str>,
    /// Span names its code refers to, sorted.
    pub(crate) spans: Vec<String>,
    /// Attribute keys its code refers to, sorted.
    pub(crate) attributes: Vec<String>,
}

/// The inventory of every plugin.
pub(crate) fn inventory(workspace: &Workspace, registry: &Registry) -> Vec<PluginTelemetry> {
    let mut ops: BTreeMap<(String, String), String> = BTreeMap::new();
    for span in registry.spans.values() {
        if let Some((prefix, rest)) = span.name.split_once('.') {
            ops.insert((format!("{}Op", camel(prefix)), camel(rest)), span.name.clone());
        }
    }
    let keys: BTreeMap<String, String> = registry
        .attributes
        .values()
        .filter(|a| !a.never_record)
        .map(|a| (const_name(&a.key), a.key.clone()))
        .collect();
    workspace.plugins().map(|plugin| of_plugin(plugin, &ops, &keys)).collect()
}

fn of_plugin(
    plugin: &Member,
    ops: &BTreeMap<(String, String), String>,
    keys: &BTreeMap<String, String>,
) -> PluginTelemetry {
    let mut spans = BTreeSet::new();
    let mut attributes = BTreeSet::new();
    for file in plugin.files.iter().filter(|f| !f.test_code) {
        let Some(stream) = tokens::of_text(&file.text) else { continue };
        for (segments, _) in tokens::paths(&stream) {
            if let [.., owner, variant] = segments.as_slice()
                && let Some(name) = ops.get(&(owner.clone(), variant.clone()))
            {
                spans.insert(name.clone());
            }
        }
        for (ident, _) in tokens::idents(&stream) {
            if let Some(key) = keys.get(&ident) {
                attributes.insert(key.clone());
            }
        }
        if let Some(ast) = file.syntax() {
            for attr in Facts::of(ast).attributes.iter().filter(|a| a.last() == "traced") {
                spans.extend(traced_name(&attr.tokens));
            }
        }
    }
    PluginTelemetry {
        package: plugin.name.clone(),
        tracer_name: super::tracer::tracer_name(plugin),
        excluded: package_exemption(RULE_TRACER_NAME, &plugin.name).map(|e| e.reason),
        spans: spans.into_iter().collect(),
        attributes: attributes.into_iter().collect(),
    }
}

/// The `name = ".."` of `#[traced(..)]` arguments.
fn traced_name(arguments: &TokenStream) -> Option<String> {
    let trees: Vec<TokenTree> = arguments.clone().into_iter().collect();
    trees.windows(3).find_map(|w| match w {
        [TokenTree::Ident(key), TokenTree::Punct(eq), TokenTree::Literal(value)]
            if key == "name" && eq.as_char() == '=' =>
        {
            let text = value.to_string();
            Some(text.trim_matches('"').to_owned())
        }
        _ => None,
    })
}
