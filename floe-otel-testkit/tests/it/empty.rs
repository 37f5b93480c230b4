//! Absence checks refuse an empty capture unless the test declared that no span is the
//! expected outcome; a capture declared empty fails them once it holds a span.

use floe_otel_testkit::{Capture, expect};
use opentelemetry::trace::Status;

use crate::support::{failure_message, span};

/// An assertion by name, and a call of it.
type Check<'a> = (&'static str, Box<dyn Fn() + 'a>);

const GUARD: &str = "on a capture that holds no span at all: it would pass whatever the code did";

#[test]
fn every_absence_check_fails_on_an_empty_capture() {
    let capture = Capture::start();
    let checks: Vec<Check<'_>> = vec![
        ("assert_none", Box::new(|| capture.assert_none(expect::span("a.b")))),
        ("assert_nothing_escaped", Box::new(|| capture.assert_nothing_escaped())),
        ("assert_no_secret", Box::new(|| capture.assert_no_secret("FLOETEST-s3cret"))),
        (
            "assert_secret_nowhere",
            Box::new(|| capture.assert_secret_nowhere("FLOETEST-s3cret", &["ok"])),
        ),
        #[cfg(feature = "floe")]
        ("assert_conforms", Box::new(|| capture.assert_conforms())),
    ];
    for (name, check) in checks {
        let message = failure_message(check);
        assert!(message.contains(&format!("{name} {GUARD}")), "{name}: {message}");
        assert!(message.contains("capture.expect_no_spans()"), "{message}");
    }
}

#[test]
fn declaring_no_spans_lets_the_absence_checks_pass_on_an_empty_capture() {
    let capture = Capture::start();
    capture.expect_no_spans();
    capture.assert_none(expect::span("a.b"));
    capture.assert_nothing_escaped();
    capture.assert_no_secret("FLOETEST-s3cret");
    capture.assert_secret_nowhere("FLOETEST-s3cret", &["ok"]);
    #[cfg(feature = "floe")]
    capture.assert_conforms();
}

#[test]
fn a_capture_declared_empty_fails_every_assertion_once_it_holds_a_span() {
    let capture = Capture::start();
    capture.expect_no_spans();
    span("a.b", vec![], vec![], Status::Ok);
    for message in [
        failure_message(|| capture.assert_none(expect::span("x.y"))),
        failure_message(|| capture.assert_no_secret("FLOETEST-s3cret")),
        failure_message(|| capture.assert_nothing_escaped()),
        failure_message(|| {
            capture.assert_one(expect::span("a.b"));
        }),
    ] {
        assert!(
            message.contains(
                "declared `expect_no_spans()`, but the capture holds 1 span(s): [\"a.b\"]"
            ),
            "{message}"
        );
    }
}

#[test]
fn a_capture_with_spans_needs_no_declaration() {
    let capture = Capture::start();
    span("a.b", vec![], vec![], Status::Ok);
    capture.assert_none(expect::span("x.y"));
    capture.assert_no_secret("FLOETEST-s3cret");
    capture.assert_nothing_escaped();
}
