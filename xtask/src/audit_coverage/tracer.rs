//! `tracer-name` (SC-001, FR-015): a plugin's `src/telemetry.rs` declares
//! `const TRACER_NAME: &str = "floe.<category>.<impl>";` as a string literal, and every
//! `.with_tracer_name(..)` in its non-test source passes that constant, at least once, so
//! `PluginMetadata::tracer_name()` returns it.
//!
//! Read from the syntax tree. Known limit: it does not follow the metadata value into
//! `register_plugin!`; the contract suite checks at run time that the registered
//! metadata reports the tracer.

use crate::exemptions::package_exemption;
use crate::facts::{Arg, Facts};
use crate::finding::Finding;
use crate::workspace::{Member, Workspace};

use super::RULE_TRACER_NAME as RULE;

const FIX_CONST: &str = "declare `pub const TRACER_NAME: &str = \"floe.<category>.<impl>\";` in src/telemetry.rs (the plugin module is `telemetry`, next to its operation enum and attribute keys)";

const FIX_METADATA: &str = "build the plugin's metadata as `PluginMetadata::new(..).with_tracer_name(telemetry::TRACER_NAME)` and register it with `floe_core::register_plugin!`";

/// The findings.
pub(super) fn check(workspace: &Workspace) -> Vec<Finding> {
    let mut out = Vec::new();
    for plugin in workspace.plugins() {
        if package_exemption(RULE, &plugin.name).is_none() {
            check_constant(plugin, &mut out);
            check_metadata(plugin, &mut out);
        }
    }
    out
}

/// Whether `name` is `floe.<segment>.<segment>` in lowercase ASCII, digits and `_`.
fn is_dotted_floe_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() == 3
        && parts[0] == "floe"
        && parts[1..].iter().all(|p| {
            !p.is_empty()
                && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
}

/// The `TRACER_NAME` literal of `plugin`'s `src/telemetry.rs`, if it has one.
pub(crate) fn tracer_name(plugin: &Member) -> Option<String> {
    let facts = Facts::of(plugin.file("src/telemetry.rs")?.syntax()?);
    facts.consts.into_iter().find_map(|(name, value, _)| match value {
        Arg::Str(text) if name == "TRACER_NAME" => Some(text),
        _ => None,
    })
}

fn check_constant(plugin: &Member, out: &mut Vec<Finding>) {
    let path = plugin.path_of("src/telemetry.rs");
    let Some(file) = plugin.file("src/telemetry.rs") else {
        out.push(Finding::new(
            path,
            1,
            RULE,
            format!(
                "{} has no src/telemetry.rs, so it declares no TRACER_NAME (SC-001)",
                plugin.name
            ),
            FIX_CONST,
        ));
        return;
    };
    let Some(ast) = file.syntax() else { return };
    let facts = Facts::of(ast);
    let Some((_, value, at)) =
        facts.consts.iter().find(|(name, _, at)| name == "TRACER_NAME" && !at.in_test)
    else {
        out.push(Finding::new(
            path,
            1,
            RULE,
            "src/telemetry.rs declares no `const TRACER_NAME` (SC-001)",
            FIX_CONST,
        ));
        return;
    };
    match value {
        Arg::Str(name) if is_dotted_floe_name(name) => {}
        Arg::Str(name) => out.push(Finding::new(
            path,
            at.line,
            RULE,
            format!("TRACER_NAME {name:?} is not `floe.<category>.<impl>`"),
            FIX_CONST,
        )),
        _ => out.push(Finding::new(
            path,
            at.line,
            RULE,
            "TRACER_NAME is not a string literal, so its value cannot be checked or listed",
            FIX_CONST,
        )),
    }
}

fn check_metadata(plugin: &Member, out: &mut Vec<Finding>) {
    let mut seen = 0;
    let mut metadata_line = None;
    for file in plugin.files.iter().filter(|f| !f.test_code) {
        let Some(ast) = file.syntax() else { continue };
        let facts = Facts::of(ast);
        if metadata_line.is_none()
            && let Some(new) = facts.calls.iter().find(|c| c.ends_with(&["PluginMetadata", "new"]))
        {
            metadata_line = Some((file.path.clone(), new.at.line));
        }
        for call in
            facts.method_calls.iter().filter(|c| c.name == "with_tracer_name" && !c.at.in_test)
        {
            seen += 1;
            match &call.first_arg {
                Some(Arg::Path(segments))
                    if segments.last().is_some_and(|s| s == "TRACER_NAME") => {}
                other => out.push(Finding::new(
                    file.path.clone(),
                    call.at.line,
                    RULE,
                    format!(
                        "`.with_tracer_name(..)` is given {} instead of the TRACER_NAME constant",
                        describe(other.as_ref())
                    ),
                    FIX_METADATA,
                )),
            }
        }
    }
    if seen == 0 {
        let (path, line) = metadata_line.unwrap_or_else(|| (plugin.path_of("src/lib.rs"), 1));
        out.push(Finding::new(
            path,
            line,
            RULE,
            format!(
                "{}'s metadata never calls `.with_tracer_name(TRACER_NAME)`, so `tracer_name()` does not return its TRACER_NAME (SC-001)",
                plugin.name
            ),
            FIX_METADATA,
        ));
    }
}

fn describe(arg: Option<&Arg>) -> String {
    match arg {
        Some(Arg::Str(text)) => format!("the literal {text:?}"),
        Some(Arg::Path(segments)) => format!("`{}`", segments.join("::")),
        _ => "an expression".to_owned(),
    }
}
