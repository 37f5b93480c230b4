//! Conformance to the telemetry registry.

use floe_otel_testkit::{Capture, expect};
use floe_telemetry::ops::AlertOp;
use floe_telemetry::{DomainSpan, attr};
use opentelemetry::KeyValue;

use crate::support::failure_message;

const SLACK: &str = "floe.alert.slack";

fn conforming_send() -> [KeyValue; 3] {
    [
        KeyValue::new(attr::ALERT_CHANNEL, "slack"),
        KeyValue::new(attr::ALERT_SEVERITY, "critical"),
        KeyValue::new(attr::ALERT_DELIVERY_STATUS, "delivered"),
    ]
}

#[test]
fn a_span_with_declared_name_kind_and_attributes_conforms() {
    let capture = Capture::start();
    DomainSpan::start_with(SLACK, AlertOp::Send, conforming_send()).succeed();
    capture.assert_one(expect::span("alert.send").ok());
    capture.assert_conforms();
}

#[test]
fn an_undeclared_attribute_fails_naming_span_and_key() {
    let capture = Capture::start();
    let span = DomainSpan::start_with(SLACK, AlertOp::Send, conforming_send());
    span.set_attribute(KeyValue::new("alert.colour", "red"));
    span.succeed();
    let message = failure_message(|| capture.assert_conforms());
    assert!(
        message.contains(
            "span \"alert.send\": attribute \"alert.colour\" is not declared in the registry"
        ),
        "{message}"
    );
}

#[test]
fn a_never_record_attribute_fails_naming_the_registry_entry() {
    let capture = Capture::start();
    let span = DomainSpan::start_with(SLACK, AlertOp::Send, conforming_send());
    span.set_attribute(KeyValue::new("alert.webhook_url", "https://hooks.slack.com/services/x"));
    span.succeed();
    let message = failure_message(|| capture.assert_conforms());
    assert!(
        message.contains("span \"alert.send\": attribute \"alert.webhook_url\" must never be recorded (registry alert.yaml group registry.alert)"),
        "{message}"
    );
}

#[test]
fn wrong_types_enum_values_missing_required_attributes_and_foreign_tracers_fail() {
    let capture = Capture::start();
    let span = DomainSpan::start_with(
        "floe.alert.pager",
        AlertOp::Send,
        [KeyValue::new(attr::ALERT_CHANNEL, "pager")],
    );
    span.set_attribute(KeyValue::new(attr::ALERT_DELIVERY_STATUS, "success"));
    span.set_attribute(KeyValue::new(attr::ALERT_RECIPIENT_COUNT, "3"));
    span.succeed();
    let message = failure_message(|| capture.assert_conforms());
    for expected in [
        "attribute \"alert.delivery_status\" = \"success\" does not have the declared type enum [\"delivered\", \"rejected\", \"failed\"] (registry alert.yaml group registry.alert)",
        "attribute \"alert.recipient_count\" = \"3\" does not have the declared type int",
        "required attribute \"alert.severity\" is missing (registry alert.yaml group span.alert.send)",
        "comes from tracer \"floe.alert.pager\", which registry alert.yaml group span.alert.send does not list",
    ] {
        assert!(message.contains(expected), "missing {expected:?} in:\n{message}");
    }
}

#[test]
fn an_undeclared_span_name_and_event_fail() {
    let capture = Capture::start();
    crate::support::span(
        "alert.page",
        vec![KeyValue::new(attr::FLOE_NAMESPACE, "n")],
        vec![("paged", vec![])],
        opentelemetry::trace::Status::Ok,
    );
    let message = failure_message(|| capture.assert_conforms());
    assert!(
        message.contains("span \"alert.page\": the span name is not declared in the registry"),
        "{message}"
    );
    assert!(
        message.contains("span \"alert.page\": event \"paged\" is not declared in the registry"),
        "{message}"
    );
}

#[test]
fn conforms_in_checks_one_tracer_and_fails_on_its_violations_or_its_absence() {
    use opentelemetry::trace::{Span as _, Tracer as _};
    let capture = Capture::start();
    // a test's own step: undeclared, and not the tracer under test
    floe_telemetry::TracerFactory::global().tracer("floe.test.caller").start("my.test.step").end();
    DomainSpan::start_with(SLACK, AlertOp::Send, conforming_send()).succeed();
    capture.assert_conforms_in(SLACK);
    let message = failure_message(|| capture.assert_conforms());
    assert!(message.contains("span \"my.test.step\""), "{message}");
    let message = failure_message(|| capture.assert_conforms_in("floe.alert.email"));
    assert!(message.contains("no span of the tracer \"floe.alert.email\""), "{message}");

    let capture = Capture::start();
    let span = DomainSpan::start_with(SLACK, AlertOp::Send, conforming_send());
    span.set_attribute(KeyValue::new("alert.colour", "red"));
    span.succeed();
    let message = failure_message(|| capture.assert_conforms_in(SLACK));
    assert!(message.contains("attribute \"alert.colour\" is not declared"), "{message}");
}

#[test]
fn an_attribute_declared_for_another_operation_fails_on_this_one() {
    let capture = Capture::start();
    let span = DomainSpan::start_with(
        SLACK,
        AlertOp::ValidateConfig,
        [KeyValue::new(attr::ALERT_CHANNEL, "slack")],
    );
    // declared in the registry (for alert.send), but not an attribute of validate_config
    span.set_attribute(KeyValue::new(attr::ALERT_SEVERITY, "critical"));
    span.succeed();
    let message = failure_message(|| capture.assert_conforms());
    assert!(
        message.contains(
            "span \"alert.validate_config\": attribute \"alert.severity\" (declared in registry alert.yaml group registry.alert) is not one of this span's attributes: registry alert.yaml group span.alert.validate_config does not reference it"
        ),
        "{message}"
    );
}

#[derive(Debug, thiserror::Error)]
#[error("the webhook url is missing")]
struct MissingUrl;

#[test]
fn floe_span_attributes_and_error_type_conform_on_every_span() {
    let capture = Capture::start();
    let span = DomainSpan::start_with(
        SLACK,
        AlertOp::ValidateConfig,
        [KeyValue::new(attr::ALERT_CHANNEL, "slack"), KeyValue::new(attr::FLOE_MODE, "test")],
    );
    span.fail(&MissingUrl);
    capture.assert_one(expect::span("alert.validate_config").error().has_attr(attr::ERROR_TYPE));
    capture.assert_conforms();
}

#[test]
fn an_event_attribute_is_checked_against_the_event_s_group() {
    let capture = Capture::start();
    let span = DomainSpan::start_with(SLACK, AlertOp::Send, conforming_send());
    span.add_event("alert.retry", vec![KeyValue::new(attr::ALERT_ATTEMPT, 1_i64)]);
    span.add_event("alert.retry", vec![KeyValue::new(attr::ALERT_CHANNEL, "slack")]);
    span.succeed();
    let message = failure_message(|| capture.assert_conforms());
    assert!(
        message.contains(
            "event \"alert.retry\" attribute \"alert.channel\" (declared in registry alert.yaml group registry.alert) is not one of this event's attributes: registry alert.yaml group event.alert.retry does not reference it"
        ),
        "{message}"
    );
    assert!(!message.contains("\"alert.attempt\""), "{message}");
}
