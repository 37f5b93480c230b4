//! Every generator is traced with its policy type and the real number of documents.

use floe_core::SpanKind;
use floe_core::plugin::Plugin as _;
use floe_core::plugin::categories::{NetworkSecurity as _, PodSecurityLevel};
use floe_core::telemetry::attr;
use floe_otel_testkit::{Capture, expect};
use serde_json::json;

use crate::{full_config, plugin};

const SCOPE: &str = "floe.security.network";

fn span(name: &str) -> floe_otel_testkit::expect::SpanExpectation {
    expect::span(name).root().scope(SCOPE).kind(SpanKind::Internal).floe_attributes()
}

#[test]
fn generating_policies_records_the_real_document_and_namespace_counts() {
    let capture = Capture::start();

    let manifests = plugin(full_config()).network_policies().unwrap();

    // floe-platform: deny, dns, platform, api, syslog; floe-jobs: deny, dns, platform,
    // https, warehouse, syslog.
    assert_eq!(manifests.documents.len(), 11);
    capture.assert_one(
        span("security.generate_network_policies")
            .ok()
            .attr(attr::SECURITY_POLICY_TYPE, "network_policy")
            .attr(attr::SECURITY_RESOURCE_COUNT, 11_i64)
            .attr(attr::SECURITY_NAMESPACE_COUNT, 2_i64),
    );
    capture.spans().assert_conforms();
}

#[test]
fn a_rule_opening_every_address_ends_the_span_as_an_error_with_nothing_generated() {
    let mut config = full_config();
    config["egress_rules"] =
        json!([{ "name": "anywhere", "cidr": "0.0.0.0/0", "ports": [{ "port": 80 }] }]);
    let capture = Capture::start();

    let error = plugin(config).network_policies().unwrap_err();

    assert_eq!(
        error.to_string(),
        "egress rule anywhere opens 0.0.0.0/0 (every address); set allow_any_destination: true if that is meant"
    );
    capture.assert_one(
        span("security.generate_network_policies")
            .error_containing("egress rule anywhere opens 0.0.0.0/0")
            .exception("NetworkSecurityError")
            .attr(attr::SECURITY_RESOURCE_COUNT, 0_i64),
    );
    capture.spans().assert_conforms();
}

#[test]
fn pss_labels_and_security_contexts_are_traced_with_their_counts() {
    let plugin = plugin(full_config());
    let capture = Capture::start();

    let labels = plugin.pss_labels(PodSecurityLevel::Baseline);
    plugin.pod_security_context();
    plugin.container_security_context();

    assert_eq!(labels.len(), 6);
    capture.assert_one(
        span("security.generate_pss_labels")
            .ok()
            .attr(attr::SECURITY_POLICY_TYPE, "pss_labels")
            .attr(attr::SECURITY_PSS_LEVEL, "baseline")
            .attr(attr::SECURITY_RESOURCE_COUNT, 6_i64),
    );
    capture.assert_count(
        span("security.generate_security_context")
            .ok()
            .attr(attr::SECURITY_POLICY_TYPE, "security_context")
            .attr(attr::SECURITY_RESOURCE_COUNT, 1_i64),
        2,
    );
    capture.spans().assert_conforms();
}

#[test]
fn the_compiled_config_runs_every_generator_once() {
    let capture = Capture::start();

    let generated = plugin(full_config()).generated_config().unwrap();

    assert_eq!(generated["network_policies"].as_array().map(Vec::len), Some(11));
    assert_eq!(generated["namespace_labels"]["pod-security.kubernetes.io/enforce"], "restricted");
    capture.assert_one(span("security.generate_network_policies").ok());
    capture.assert_one(
        span("security.generate_pss_labels").ok().attr(attr::SECURITY_PSS_LEVEL, "restricted"),
    );
    capture.assert_count(span("security.generate_security_context").ok(), 2);
}
