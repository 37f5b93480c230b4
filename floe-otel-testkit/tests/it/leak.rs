//! The secret-leak checker finds a planted secret wherever a span can carry text.

use floe_otel_testkit::{Capture, expect, fixtures::planted_secret};
use floe_telemetry::TracerFactory;
use opentelemetry::trace::{
    Link, Span as _, SpanContext, Status, TraceContextExt as _, Tracer as _,
};
use opentelemetry::{Array, KeyValue, StringValue, Value};

use crate::support::{TRACER, failure_message, span};

fn leaked_message(capture: &Capture, secret: &str) -> String {
    failure_message(|| capture.assert_no_secret(secret))
}

#[test]
fn a_clean_capture_passes() {
    let secret = planted_secret();
    let capture = Capture::start();
    span("alert.send", vec![KeyValue::new("alert.channel", "#ops")], vec![], Status::Ok);
    capture.assert_no_secret(&secret);
}

#[test]
fn a_secret_in_an_event_attribute_is_caught() {
    let secret = planted_secret();
    let capture = Capture::start();
    span(
        "alert.send",
        vec![],
        vec![("retry", vec![KeyValue::new("http.url", format!("https://u:{secret}@h"))])],
        Status::Ok,
    );
    let message = leaked_message(&capture, &secret);
    assert!(
        message.contains("span \"alert.send\" event \"retry\" attribute http.url"),
        "{message}"
    );
}

#[test]
fn a_secret_in_the_status_description_is_caught() {
    let secret = planted_secret();
    let capture = Capture::start();
    span("alert.send", vec![], vec![], Status::error(format!("login failed with {secret}")));
    let message = leaked_message(&capture, &secret);
    assert!(message.contains("span \"alert.send\" status description"), "{message}");
}

#[test]
fn a_secret_in_an_array_attribute_is_caught() {
    let secret = planted_secret();
    let capture = Capture::start();
    let array = Value::Array(Array::String(vec![
        StringValue::from("ok"),
        StringValue::from(secret.clone()),
    ]));
    span("alert.send", vec![KeyValue::new("alert.recipients", array)], vec![], Status::Ok);
    let message = leaked_message(&capture, &secret);
    assert!(message.contains("attribute alert.recipients"), "{message}");
}

#[test]
fn an_eight_character_fragment_is_caught() {
    let secret = "FLOETEST-correct-horse-battery";
    let capture = Capture::start();
    span("alert.send", vec![KeyValue::new("note", "prefix rect-hor suffix")], vec![], Status::Ok);
    let message = leaked_message(&capture, secret);
    assert!(message.contains("attribute note: contains \"rect-hor\""), "{message}");
}

#[test]
fn encoded_forms_are_caught() {
    let secret = "p@ss/w0rd";
    let capture = Capture::start();
    span("alert.send", vec![KeyValue::new("url", "https://u:p%40ss%2Fw0rd@h")], vec![], Status::Ok);
    let message = leaked_message(&capture, secret);
    assert!(message.contains("contains \"p%40ss%2Fw0rd\""), "{message}");
}

#[test]
fn secrets_in_span_names_links_and_logs_are_caught() {
    let secret = planted_secret();
    let capture = Capture::start();
    let tracer = TracerFactory::global().tracer(TRACER);
    let other = SpanContext::new(
        opentelemetry::trace::TraceId::from(7_u128),
        opentelemetry::trace::SpanId::from(9_u64),
        opentelemetry::trace::TraceFlags::SAMPLED,
        true,
        opentelemetry::trace::TraceState::default(),
    );
    let mut span = tracer
        .span_builder(format!("get {secret}"))
        .with_links(vec![Link::new(other, vec![KeyValue::new("why", secret.clone())], 0)])
        .start(&tracer);
    span.end();
    let cx = opentelemetry::Context::current_with_span(tracer.start("logging.op"));
    {
        let _attached = cx.clone().attach();
        tracing::error!(token = %secret, "refresh failed");
    }
    cx.span().end();
    let message = leaked_message(&capture, &secret);
    assert!(message.contains(&format!("span \"get {secret}\" name")), "{message}");
    assert!(message.contains("link attribute why"), "{message}");
    assert!(message.contains("log line 1"), "{message}");
}

#[test]
fn assert_redacted_passes_only_when_the_attribute_is_present_and_redacted() {
    let secret = planted_secret();
    let capture = Capture::start();
    span(
        "secrets.get_secret",
        vec![KeyValue::new("secrets.value", "<REDACTED>")],
        vec![],
        Status::Ok,
    );
    span("secrets.set_secret", vec![], vec![], Status::Ok);
    span("secrets.list", vec![KeyValue::new("secrets.value", secret.clone())], vec![], Status::Ok);
    capture.assert_redacted(expect::span("secrets.get_secret"), "secrets.value", &secret);
    let vanished = failure_message(|| {
        capture.assert_redacted(expect::span("secrets.set_secret"), "secrets.value", &secret);
    });
    assert!(
        vanished.contains("attribute secrets.value is absent on span \"secrets.set_secret\""),
        "{vanished}"
    );
    let clear = failure_message(|| {
        capture.assert_redacted(expect::span("secrets.list"), "secrets.value", &secret);
    });
    assert!(
        clear.contains("attribute secrets.value on span \"secrets.list\" is not redacted"),
        "{clear}"
    );
}

#[test]
fn text_outside_spans_is_checked_too() {
    let secret = planted_secret();
    floe_otel_testkit::leak::assert_text_clean("error", "connection refused", &secret);
    let message = failure_message(|| {
        floe_otel_testkit::leak::assert_text_clean(
            "error message",
            &format!("bad token {secret}"),
            &secret,
        );
    });
    assert!(message.starts_with("error message leaks the planted secret"), "{message}");
}

#[test]
fn a_secret_is_looked_for_in_the_capture_and_in_the_given_texts() {
    let secret = planted_secret();
    let capture = Capture::start();
    span("alert.send", vec![KeyValue::new("alert.channel", "#ops")], vec![], Status::Ok);
    capture.assert_secret_nowhere(&secret, &["connection refused", "Rejected { status: 403 }"]);

    let in_text = failure_message(|| {
        capture.assert_secret_nowhere(&secret, &["ok", &format!("token={secret}")]);
    });
    assert!(in_text.starts_with("text 2 leaks the planted secret"), "{in_text}");
    span(
        "alert.send",
        vec![KeyValue::new("url", format!("https://u:{secret}@h"))],
        vec![],
        Status::Ok,
    );
    let on_span = failure_message(|| capture.assert_secret_nowhere(&secret, &[]));
    assert!(on_span.contains("the planted secret leaked"), "{on_span}");
}
