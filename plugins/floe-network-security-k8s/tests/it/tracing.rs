//! Every generator is traced with its policy type and the real number of documents.

use floe_core::SpanKind;
use floe_core::plugin::Plugin as _;
use floe_core::plugin::categories::{NetworkSecurity as _, PodSecurityLevel};
use floe_core::telemetry::attr;
use floe_network_security_k8s::NetworkSecurityError;
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
            .attr(attr::SECURITY_POLICY_TYPE, "network_policy")
            .attr(attr::SECURITY_NAMESPACE_COUNT, 2_i64)
            .attr(attr::SECURITY_RESOURCE_COUNT, 0_i64),
    );
    capture.spans().assert_conforms();
}

/// A config, the start of the message it is refused with, and whether an error is the
/// variant for it.
type Refusal = (serde_json::Value, &'static str, fn(&NetworkSecurityError) -> bool);

/// `full_config` with `key` set to `value`.
fn with(key: &str, value: serde_json::Value) -> serde_json::Value {
    let mut config = full_config();
    config[key] = value;
    config
}

/// `full_config` with one egress rule, `r`, with `fields` over a valid base.
fn rule(fields: &serde_json::Value) -> serde_json::Value {
    let mut rule = json!({ "name": "r", "cidr": "10.1.0.0/16", "ports": [{ "port": 1 }] });
    for (k, v) in fields.as_object().into_iter().flatten() {
        rule[k] = v.clone();
    }
    with("egress_rules", json!([rule]))
}

#[test]
fn every_refusal_ends_the_span_as_an_error_with_nothing_generated() {
    let cases: [Refusal; 9] = [
        (
            with("namespaces", json!(["floe-platform", "Jobs"])),
            "namespace \"Jobs\" is not a DNS-1123 label",
            |e| matches!(e, NetworkSecurityError::InvalidName { what: "namespace", .. }),
        ),
        (
            with("platform_namespace", json!("elsewhere")),
            "the platform namespace elsewhere must be one of the configured namespaces",
            |e| matches!(e, NetworkSecurityError::PlatformNamespace { .. }),
        ),
        (
            rule(&json!({ "namespaces": ["other"] })),
            "r names namespace other, which is not one of the configured namespaces",
            |e| matches!(e, NetworkSecurityError::UnknownNamespace { rule, .. } if rule == "r"),
        ),
        (
            with(
                "egress_rules",
                json!([{ "name": "twice", "cidr": "10.0.0.1/32", "ports": [{ "port": 1 }] },
                                         { "name": "twice", "cidr": "10.0.0.2/32", "ports": [{ "port": 1 }] }]),
            ),
            "egress rule twice is defined twice",
            |e| matches!(e, NetworkSecurityError::DuplicateRule { .. }),
        ),
        (rule(&json!({ "cidr": "10.1.0.0" })), "r: \"10.1.0.0\" is not a CIDR block", |e| {
            matches!(e, NetworkSecurityError::InvalidCidr { .. })
        }),
        (
            rule(&json!({ "except": ["10.2.0.0/24"] })),
            "egress rule r: except block 10.2.0.0/24 is not strictly inside 10.1.0.0/16",
            |e| matches!(e, NetworkSecurityError::ExceptOutside { .. }),
        ),
        (
            rule(&json!({ "except": ["fd00::/64"] })),
            "egress rule r: except block fd00::/64 is IPv6 but 10.1.0.0/16 is IPv4",
            |e| {
                matches!(
                    e,
                    NetworkSecurityError::ExceptFamily {
                        family: "IPv4",
                        except_family: "IPv6",
                        ..
                    }
                )
            },
        ),
        (
            rule(&json!({ "ports": [{ "port": 0 }] })),
            "egress rule r needs ports between 1 and 65535",
            |e| matches!(e, NetworkSecurityError::InvalidPort { .. }),
        ),
        (
            with("run_as_group", json!(0)),
            "run_as_group must be a non-root id (1 or more), got 0",
            |e| matches!(e, NetworkSecurityError::RootId { what: "run_as_group", value: 0 }),
        ),
    ];
    for (config, message, is_variant) in cases {
        let capture = Capture::start();

        let error = plugin(config).network_policies().unwrap_err();

        assert!(is_variant(&error), "{error:?} is not the variant for {message}");
        assert!(error.to_string().starts_with(message), "{error}");
        capture.assert_one(
            span("security.generate_network_policies")
                .error_containing(message)
                .exception("NetworkSecurityError")
                .attr(attr::SECURITY_POLICY_TYPE, "network_policy")
                .attr(attr::SECURITY_RESOURCE_COUNT, 0_i64),
        );
        capture.spans().assert_conforms();
    }
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
    capture.assert_one(
        span("security.generate_network_policies").ok().attr(attr::SECURITY_RESOURCE_COUNT, 11_i64),
    );
    capture.assert_one(
        span("security.generate_pss_labels").ok().attr(attr::SECURITY_PSS_LEVEL, "restricted"),
    );
    capture.assert_count(span("security.generate_security_context").ok(), 2);
    capture.spans().assert_conforms();
}

#[test]
fn a_refused_config_fails_the_compiled_config_after_one_error_span() {
    let capture = Capture::start();

    let error = plugin(with("https_egress", json!(["nowhere"]))).generated_config().unwrap_err();

    assert!(error.to_string().contains("https_egress names namespace nowhere"), "{error}");
    capture.assert_one(
        span("security.generate_network_policies")
            .error_containing("https_egress names namespace nowhere")
            .attr(attr::SECURITY_RESOURCE_COUNT, 0_i64),
    );
    capture.assert_none(expect::span("security.generate_pss_labels"));
}
