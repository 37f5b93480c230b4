//! The telemetry inventory of `--format json`: per plugin, its tracer name, the span
//! names it can emit and the attribute keys its code references.
//!
//! Read at token level against the telemetry registry: a span is a path
//! `<Prefix>Op::<Variant>` naming a registry span (the enums `cargo xtask codegen`
//! generates), or the `name = ".."` of a `#[traced(..)]`, in the plugin's non-test code,
//! or a registry span whose `tracers` annotation names the plugin's tracer (the alert,
//! dbt and quality plugins' spans start in floe-core and floe-dbt, so only the registry
//! names them); an attribute is an identifier equal to a generated `attr` constant. Every
//! span also carries the `floe.*` identity attributes the domain span adds, which are not
//! listed.

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

/// `(XOp, Variant)` → span name, for every registry span (the generated `ops` enums).
pub(crate) fn ops(registry: &Registry) -> BTreeMap<(String, String), String> {
    let mut ops = BTreeMap::new();
    for span in registry.spans.values() {
        if let Some((prefix, rest)) = span.name.split_once('.') {
            ops.insert((format!("{}Op", camel(prefix)), camel(rest)), span.name.clone());
        }
    }
    ops
}

/// Generated `attr` constant name → attribute key, for every recordable attribute.
pub(crate) fn keys(registry: &Registry) -> BTreeMap<String, String> {
    registry
        .attributes
        .values()
        .filter(|a| !a.never_record)
        .map(|a| (const_name(&a.key), a.key.clone()))
        .collect()
}

/// The inventory of every plugin.
pub(crate) fn inventory(workspace: &Workspace) -> Vec<PluginTelemetry> {
    let registry = &workspace.registry;
    let (ops, keys) = (ops(registry), keys(registry));
    workspace
        .plugins()
        .map(|plugin| {
            let mut telemetry = of_plugin(plugin, &ops, &keys);
            if let Some(tracer) = &telemetry.tracer_name {
                let declared = registry
                    .spans
                    .values()
                    .filter(|s| s.tracers.contains(tracer))
                    .map(|s| s.name.clone());
                let spans: BTreeSet<String> = telemetry.spans.drain(..).chain(declared).collect();
                telemetry.spans = spans.into_iter().collect();
            }
            telemetry
        })
        .collect()
}

/// The span names `plugin`'s non-test code refers to.
pub(crate) fn code_spans(
    plugin: &Member,
    ops: &BTreeMap<(String, String), String>,
) -> BTreeSet<String> {
    of_plugin(plugin, ops, &BTreeMap::new()).spans.into_iter().collect()
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
