//! Audit rules on small sets of plugin metadata.

use super::{Rule, is_well_formed, verify_plugin_instrumentation};
use crate::plugin::{PluginCategory, PluginMetadata};

fn plugin(
    name: &'static str,
    category: PluginCategory,
    tracer: Option<&'static str>,
) -> PluginMetadata {
    let metadata = PluginMetadata::new("floe-test", name, "0.1.0", category, "test plugin");
    match tracer {
        Some(tracer) => metadata.with_tracer_name(tracer),
        None => metadata,
    }
}

fn rules(report: &super::AuditReport) -> Vec<(String, Rule)> {
    report.findings.iter().map(|f| (f.plugin.clone(), f.rule)).collect()
}

#[test]
fn all_instrumented_gives_a_clean_report() {
    let a = plugin("slack", PluginCategory::AlertChannel, Some("floe.alert.slack"));
    let b = plugin("k8s", PluginCategory::Secrets, Some("floe.secrets.k8s"));
    let c = plugin("network", PluginCategory::NetworkSecurity, Some("floe.security.network"));
    let report = verify_plugin_instrumentation([&a, &b, &c]);
    assert!(report.is_clean());
    assert!(report.findings.is_empty());
    assert_eq!(report.instrumented.len(), 3);
    assert_eq!(report.instrumented["secrets/k8s"], "floe.secrets.k8s");
}

#[test]
fn a_missing_tracer_name_is_a_warning_with_a_remediation() {
    let a = plugin("email", PluginCategory::AlertChannel, None);
    let report = verify_plugin_instrumentation([&a]);
    assert_eq!(rules(&report), [("alert_channel/email".to_owned(), Rule::MissingTracerName)]);
    let finding = &report.findings[0];
    assert_eq!(finding.rule_id, "FLOE-OTEL-001");
    assert!(
        finding.remediation.contains("TRACER_NAME: &str = \"floe.alert.email\""),
        "{}",
        finding.remediation
    );
    assert!(!report.is_clean());
}

#[test]
fn malformed_tracer_names_are_warnings() {
    for bad in [
        "SlackTracer",
        "floe.slack",
        "floe.alert.Slack",
        "floe.catalog.slack",
        "floe.alert.slack.extra",
        "acme.alert.slack",
    ] {
        let a = plugin("slack", PluginCategory::AlertChannel, Some(bad));
        let report = verify_plugin_instrumentation([&a]);
        assert_eq!(
            rules(&report),
            [("alert_channel/slack".to_owned(), Rule::MalformedTracerName)],
            "{bad}"
        );
    }
    assert!(is_well_formed(PluginCategory::Rbac, "floe.security.rbac"));
    assert!(is_well_formed(PluginCategory::LineageBackend, "floe.lineage.marquez"));
    assert!(!is_well_formed(PluginCategory::Rbac, "floe.rbac.k8s"));
}

#[test]
fn a_duplicate_tracer_name_is_reported_on_both_plugins() {
    let a = plugin("slack", PluginCategory::AlertChannel, Some("floe.alert.chat"));
    let b = plugin("teams", PluginCategory::AlertChannel, Some("floe.alert.chat"));
    let report = verify_plugin_instrumentation([&a, &b]);
    assert_eq!(
        rules(&report),
        [
            ("alert_channel/slack".to_owned(), Rule::DuplicateTracerName),
            ("alert_channel/teams".to_owned(), Rule::DuplicateTracerName)
        ]
    );
    assert!(report.findings[0].message.contains("alert_channel/teams"));
    assert!(report.instrumented.is_empty());
}

#[test]
fn telemetry_backends_are_reported_as_excluded_not_as_warnings() {
    let console = plugin("console", PluginCategory::TelemetryBackend, None);
    let jaeger = plugin("jaeger", PluginCategory::TelemetryBackend, Some("floe.telemetry.jaeger"));
    let report = verify_plugin_instrumentation([&console, &jaeger]);
    assert_eq!(
        rules(&report),
        [
            ("telemetry_backend/console".to_owned(), Rule::ExcludedByPolicy),
            ("telemetry_backend/jaeger".to_owned(), Rule::ExcludedPluginDeclaresTracer)
        ]
    );
    let only_console = verify_plugin_instrumentation([&console]);
    assert!(only_console.is_clean(), "an exclusion is information, not a warning");
    assert!(only_console.to_table().contains("info   FLOE-OTEL-004  telemetry_backend/console"));
}

#[test]
fn an_empty_input_gives_an_empty_clean_report() {
    let report = verify_plugin_instrumentation([]);
    assert!(report.is_clean());
    assert_eq!(report.audited, 0);
    assert_eq!(
        report.to_table(),
        "audit: 0 plugins, 0 instrumented, 0 warnings, 0 excluded by policy\n"
    );
}
