//! Every generator is traced with its policy type and the real number of documents, and
//! every way a config is refused ends `security.generate_rbac` as an error naming it.

use floe_core::SpanKind;
use floe_core::plugin::Plugin as _;
use floe_core::plugin::categories::Rbac as _;
use floe_core::telemetry::attr;
use floe_otel_testkit::{Capture, expect};
use floe_rbac_k8s::RbacError;
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

/// `platform_config` with `value` at `path`.
fn with(path: &[&str], value: serde_json::Value) -> serde_json::Value {
    let mut config = platform_config();
    let mut target = &mut config;
    for key in path {
        target = match key.parse::<usize>() {
            Ok(index) => &mut target[index],
            Err(_) => &mut target[*key],
        };
    }
    *target = value;
    config
}

/// A config, the start of the message it is refused with, and whether an error is the
/// variant for it.
type Refusal = (serde_json::Value, &'static str, fn(&RbacError) -> bool);

#[test]
fn every_refusal_ends_the_span_as_an_error_with_nothing_generated() {
    let rule = |value: serde_json::Value| with(&["service_accounts", "0", "rules", "0"], value);
    let cases: [Refusal; 9] = [
        (
            with(&["namespaces", "0", "name"], json!("Floe")),
            "namespace \"Floe\" is not a DNS-1123 label",
            |e| matches!(e, RbacError::InvalidName { what: "namespace", .. }),
        ),
        (
            with(&["namespaces", "1", "name"], json!("floe-platform")),
            "namespace floe-platform is defined twice",
            |e| matches!(e, RbacError::Duplicate { what: "namespace", .. }),
        ),
        (
            with(&["service_accounts", "0", "namespace"], json!("other")),
            "service account other/job-runner is in namespace other",
            |e| matches!(e, RbacError::UnknownNamespace { .. }),
        ),
        (
            rule(json!({ "api_groups": [""], "resources": [], "verbs": ["get"] })),
            "rule 0 of floe-jobs/job-runner needs at least one verb",
            |e| matches!(e, RbacError::EmptyRule { rule: 0, .. }),
        ),
        (
            rule(json!({ "api_groups": [""], "resources": ["pods"], "verbs": ["*"] })),
            "rule 0 of floe-jobs/job-runner uses * in its verbs",
            |e| matches!(e, RbacError::Wildcard { field: "verbs", rule: 0, .. }),
        ),
        (
            rule(json!({ "api_groups": [""], "resources": ["users"], "verbs": ["impersonate"] })),
            "rule 0 of floe-jobs/job-runner uses verb impersonate",
            |e| matches!(e, RbacError::PrivilegedVerb { verb, .. } if verb == "impersonate"),
        ),
        (
            rule(json!({ "api_groups": [""], "resources": ["secrets"], "verbs": ["get"] })),
            "rule 0 of floe-jobs/job-runner grants secrets without resource names",
            |e| matches!(e, RbacError::UnscopedSecrets { rule: 0, .. }),
        ),
        (
            rule(
                json!({ "api_groups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"] }),
            ),
            "rule 0 of floe-jobs/job-runner grants create on serviceaccounts/token",
            |e| matches!(e, RbacError::PrivilegedResource { rule: 0, .. }),
        ),
        (with(&["fs_group"], json!(0)), "fs_group must be a non-root id (1 or more), got 0", |e| {
            matches!(e, RbacError::RootId { what: "fs_group", value: 0 })
        }),
    ];
    for (config, message, is_variant) in cases {
        let capture = Capture::start();

        let error = plugin(config).rbac_manifests().unwrap_err();

        assert!(is_variant(&error), "{error:?} is not the variant for {message}");
        assert!(error.to_string().starts_with(message), "{error}");
        capture.assert_one(
            span("security.generate_rbac")
                .error_containing(message)
                .exception("RbacError")
                .attr(attr::SECURITY_POLICY_TYPE, "rbac")
                .attr(attr::SECURITY_NAMESPACE_COUNT, 2_i64)
                .attr(attr::SECURITY_RESOURCE_COUNT, 0_i64),
        );
        capture.spans().assert_conforms();
    }
}

#[test]
fn the_pod_security_context_and_the_compiled_config_are_traced() {
    let capture = Capture::start();

    let generated = plugin(platform_config()).generated_config().unwrap();

    assert_eq!(generated["manifests"].as_array().map(Vec::len), Some(6));
    assert_eq!(generated["pod_security_context"]["runAsNonRoot"], true);
    capture
        .assert_one(span("security.generate_rbac").ok().attr(attr::SECURITY_RESOURCE_COUNT, 6_i64));
    capture.assert_one(
        span("security.generate_security_context")
            .ok()
            .attr(attr::SECURITY_POLICY_TYPE, "security_context")
            .attr(attr::SECURITY_RESOURCE_COUNT, 1_i64),
    );
    capture.spans().assert_conforms();
}

#[test]
fn a_refused_config_fails_the_compiled_config_after_one_error_span() {
    let capture = Capture::start();

    let error = plugin(with(&["run_as_user"], json!(0))).generated_config().unwrap_err();

    assert!(error.to_string().contains("run_as_user must be a non-root id"), "{error}");
    capture.assert_one(
        span("security.generate_rbac")
            .error_containing("run_as_user must be a non-root id")
            .attr(attr::SECURITY_RESOURCE_COUNT, 0_i64),
    );
    capture.assert_none(expect::span("security.generate_security_context"));
}
