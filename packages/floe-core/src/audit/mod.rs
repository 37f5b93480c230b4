//! The instrumentation audit (FR-016, FR-017): which plugins declare no tracer, a
//! malformed one, or one another plugin already uses.
//!
//! The audit never fails: it returns an [`AuditReport`] whose findings are data, and it
//! also emits each finding as a structured `tracing` event.

mod report;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::plugin::{PluginCategory, PluginMetadata};

/// What a finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// The plugin declares no tracer name.
    MissingTracerName,
    /// The tracer name is not `floe.<category>.<impl>`.
    MalformedTracerName,
    /// Another plugin declares the same tracer name.
    DuplicateTracerName,
    /// A telemetry backend: not traced on purpose (tracing the exporter would loop).
    ExcludedByPolicy,
    /// A telemetry backend declares a tracer although it must not emit spans.
    ExcludedPluginDeclaresTracer,
}

impl Rule {
    /// The stable rule id.
    pub const fn id(self) -> &'static str {
        match self {
            Self::MissingTracerName => "FLOE-OTEL-001",
            Self::MalformedTracerName => "FLOE-OTEL-002",
            Self::DuplicateTracerName => "FLOE-OTEL-003",
            Self::ExcludedByPolicy => "FLOE-OTEL-004",
            Self::ExcludedPluginDeclaresTracer => "FLOE-OTEL-005",
        }
    }

    /// Whether the finding is a warning (an instrumentation gap) or only information.
    pub const fn is_warning(self) -> bool {
        !matches!(self, Self::ExcludedByPolicy)
    }
}

/// One finding about one plugin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// `category/name` of the plugin.
    pub plugin: String,
    /// The Rust package providing it.
    pub package: String,
    /// Its category.
    pub category: PluginCategory,
    /// The rule.
    pub rule: Rule,
    /// The rule id (`FLOE-OTEL-001`).
    pub rule_id: &'static str,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub remediation: String,
}

/// The audit's result.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    /// How many plugins were audited.
    pub audited: usize,
    /// Plugins with a well-formed, unique tracer name: `category/name` to tracer name.
    pub instrumented: BTreeMap<String, String>,
    /// Every finding, warnings and information, in plugin order.
    pub findings: Vec<Finding>,
}

impl AuditReport {
    /// The findings that are instrumentation gaps.
    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.rule.is_warning())
    }

    /// Whether there is no warning (exclusions by policy are not warnings).
    pub fn is_clean(&self) -> bool {
        self.warnings().next().is_none()
    }
}

/// Whether `tracer` is `floe.<prefix>.<impl>` for `category`.
pub fn is_well_formed(category: PluginCategory, tracer: &str) -> bool {
    let mut parts = tracer.split('.');
    let (Some("floe"), Some(prefix), Some(implementation), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let identifier = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    prefix == category.telemetry_prefix() && identifier(implementation)
}

/// Audits `plugins` (FR-016): a warning for each plugin without a tracer name, with a
/// malformed one, or sharing one with another plugin; an information entry for each
/// telemetry backend, excluded by policy. Each finding is also a `tracing` event.
///
/// # Examples
/// ```
/// use floe_core::audit::{Rule, verify_plugin_instrumentation};
/// use floe_core::plugin::{PluginCategory, PluginMetadata};
///
/// let slack = PluginMetadata::new("floe-alert-slack", "slack", "0.1.0", PluginCategory::AlertChannel, "Slack")
///     .with_tracer_name("floe.alert.slack");
/// let bare = PluginMetadata::new("floe-alert-x", "x", "0.1.0", PluginCategory::AlertChannel, "X");
/// let report = verify_plugin_instrumentation([&slack, &bare]);
/// assert_eq!(report.findings.len(), 1);
/// assert_eq!(report.findings[0].rule, Rule::MissingTracerName);
/// ```
pub fn verify_plugin_instrumentation<'a>(
    plugins: impl IntoIterator<Item = &'a PluginMetadata>,
) -> AuditReport {
    let plugins: Vec<&PluginMetadata> = plugins.into_iter().collect();
    let mut users: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for plugin in &plugins {
        if let Some(tracer) = plugin.tracer_name() {
            users.entry(tracer).or_default().push(id(plugin));
        }
    }
    let mut report = AuditReport { audited: plugins.len(), ..AuditReport::default() };
    for plugin in &plugins {
        let finding = |rule: Rule, message: String, remediation: String| Finding {
            plugin: id(plugin),
            package: plugin.package.to_owned(),
            category: plugin.category,
            rule,
            rule_id: rule.id(),
            message,
            remediation,
        };
        let expected = format!(
            "floe.{}.{}",
            plugin.category.telemetry_prefix(),
            plugin.name.replace('-', "_")
        );
        let found = match (plugin.category.excluded_from_tracing(), plugin.tracer_name()) {
            (true, None) => vec![finding(
                Rule::ExcludedByPolicy,
                "telemetry backend: excluded from tracing by policy (tracing the exporter would loop)".to_owned(),
                "nothing to do".to_owned(),
            )],
            (true, Some(tracer)) => vec![finding(
                Rule::ExcludedPluginDeclaresTracer,
                format!("telemetry backend declares tracer {tracer:?} but must not emit spans"),
                "remove tracer_name() from the telemetry backend's metadata".to_owned(),
            )],
            (false, None) => vec![finding(
                Rule::MissingTracerName,
                "declares no tracer name, so its operations are invisible in traces".to_owned(),
                format!(
                    "add src/telemetry.rs with `pub const TRACER_NAME: &str = \"{expected}\";` and \
                     return it from the metadata with .with_tracer_name(TRACER_NAME)"
                ),
            )],
            (false, Some(tracer)) => {
                let mut found = Vec::new();
                if !is_well_formed(plugin.category, tracer) {
                    found.push(finding(
                        Rule::MalformedTracerName,
                        format!("tracer name {tracer:?} is not floe.{}.<impl>", plugin.category.telemetry_prefix()),
                        format!("rename it, for example to {expected:?}"),
                    ));
                }
                let sharers = &users[tracer];
                if sharers.len() > 1 {
                    let others: Vec<&String> = sharers.iter().filter(|p| **p != id(plugin)).collect();
                    found.push(finding(
                        Rule::DuplicateTracerName,
                        format!("tracer name {tracer:?} is also declared by {others:?}"),
                        "give each plugin its own tracer name, floe.<category>.<impl>".to_owned(),
                    ));
                }
                if found.is_empty() {
                    report.instrumented.insert(id(plugin), tracer.to_owned());
                }
                found
            }
        };
        for f in &found {
            emit(f);
        }
        report.findings.extend(found);
    }
    report
}

fn id(plugin: &PluginMetadata) -> String {
    format!("{}/{}", plugin.category, plugin.name)
}

/// The structured warning (FR-016) for one finding.
fn emit(finding: &Finding) {
    if finding.rule.is_warning() {
        tracing::warn!(
            plugin = %finding.plugin,
            package = %finding.package,
            category = %finding.category,
            rule = finding.rule_id,
            remediation = %finding.remediation,
            "uninstrumented plugin: {}",
            finding.message
        );
    } else {
        tracing::info!(
            plugin = %finding.plugin,
            category = %finding.category,
            rule = finding.rule_id,
            "{}",
            finding.message
        );
    }
}

#[cfg(test)]
mod tests;
