//! Every generator is traced with its policy type and the real number of documents.

use floe_core::SpanKind;
use floe_core::plugin::Plugin as _;
use floe_core::plugin::categories::Rbac as _;
use floe_core::telemetry::attr;
use floe_otel_testkit::{Capture, expect};
use serde_json::json;

use crate::{platform_config, plugin};

fn span(name: &str) -> floe_otel_testkit::expect::SpanExpectation {
    expect::span(name).root().scope("floe.security.rbac").kind(SpanKind::Internal).floe_attributes()
}

#[test]
fn generating_rbac_records_the_real_document_and_namespace_counts() {
    let capture = Capture::start();

    let manifests = plugin(platform_config()).rbac_manifests().unwrap();

    // 2 namespaces, job-runner: account, role, binding; dashboard: account only.
    assert_eq!(manifests.documents.len(), 6);
    capture.assert_one(
        span("security.generate_rbac")
            .ok()
            .attr(attr::SECURITY_POLICY_TYPE, "rbac")
            .attr(attr::SECURITY_RESOURCE_COUNT, 6_i64)
            .attr(attr::SECURITY_NAMESPACE_COUNT, 2_i64),
    );
    capture.spans().assert_conforms();
}

#[test]
fn a_wildcard_that_was_not_allowed_ends_the_span_as_an_error_with_nothing_generated() {
    let mut config = platform_config();
    config["service_accounts"][0]["rules"][0]["verbs"] = json!(["*"]);
    let capture = Capture::start();

    let error = plugin(config).rbac_manifests().unwrap_err();

    assert!(error.to_string().contains("uses * in its verbs"), "{error}");
    capture.assert_one(
        span("security.generate_rbac")
            .error_containing("a rule of floe-jobs/job-runner uses * in its verbs")
            .exception("RbacError")
            .attr(attr::SECURITY_RESOURCE_COUNT, 0_i64),
    );
    capture.spans().assert_conforms();
}

#[test]
fn the_pod_security_context_and_the_compiled_config_are_traced() {
    let capture = Capture::start();

    let generated = plugin(platform_config()).generated_config().unwrap();

    assert_eq!(generated["manifests"].as_array().map(Vec::len), Some(6));
    assert_eq!(generated["pod_security_context"]["runAsNonRoot"], true);
    capture.assert_one(span("security.generate_rbac").ok());
    capture.assert_one(
        span("security.generate_security_context")
            .ok()
            .attr(attr::SECURITY_POLICY_TYPE, "security_context")
            .attr(attr::SECURITY_RESOURCE_COUNT, 1_i64),
    );
    capture.spans().assert_conforms();
}
