//! A configuration the plugin refuses is an `alert.validate_config` error span naming
//! the problem, never an address or the password.

use floe_alert_email::{EmailAlertError, EmailAlertPlugin, EmailConfig, TlsMode};
use floe_core::SpanKind;
use floe_core::telemetry::attr;
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::{Capture, expect};

fn refusal_span(message: &str) -> expect::SpanExpectation {
    expect::span("alert.validate_config")
        .root()
        .scope("floe.alert.email")
        .kind(SpanKind::Internal)
        .floe_attributes()
        .exception("EmailAlertError")
        .attr(attr::ALERT_CHANNEL, "email")
        .error_containing(message)
        .without_text("oncall-x9q")
}

fn config() -> EmailConfig {
    EmailConfig::new("smtp.example.com", "alerts@example.com", &["oncall-x9q@example.com"])
}

#[test]
fn a_refused_config_is_an_error_validate_config_span_without_an_address_or_password() {
    let secret = planted_secret();
    let capture = Capture::start();

    let mut no_host = config();
    no_host.host = " ".to_owned();
    let no_host = EmailAlertPlugin::new(no_host).unwrap_err();
    let mut nobody = config();
    nobody.to.clear();
    let nobody = EmailAlertPlugin::new(nobody).unwrap_err();
    let mut address = config();
    address.to.push("oncall-x9q at example.com".to_owned());
    let address = EmailAlertPlugin::new(address).unwrap_err();
    let mut half = config();
    half.password = Some(secret.clone().into());
    let half = EmailAlertPlugin::new(half).unwrap_err();
    let mut insecure = config();
    insecure.tls = TlsMode::None;
    let insecure = EmailAlertPlugin::new(insecure).unwrap_err();
    let mut range = config();
    range.timeout_secs = 301;
    let range = EmailAlertPlugin::new(range).unwrap_err();
    let mut ca = config();
    ca.ca_certificate = Some("/nonexistent/floe-ca.pem".to_owned());
    let ca = EmailAlertPlugin::new(ca).unwrap_err();

    assert!(matches!(no_host, EmailAlertError::Empty { .. }), "{no_host:?}");
    assert!(matches!(nobody, EmailAlertError::Empty { .. }), "{nobody:?}");
    assert!(matches!(address, EmailAlertError::Address { .. }), "{address:?}");
    assert!(matches!(half, EmailAlertError::HalfCredentials), "{half:?}");
    assert!(matches!(insecure, EmailAlertError::Insecure { .. }), "{insecure:?}");
    assert!(matches!(range, EmailAlertError::OutOfRange { .. }), "{range:?}");
    assert!(matches!(ca, EmailAlertError::CaCertificate { .. }), "{ca:?}");
    capture.assert_one(refusal_span("host must not be empty"));
    capture.assert_one(refusal_span("to must not be empty"));
    capture.assert_one(refusal_span("to[1] is not a valid mailbox"));
    capture.assert_one(refusal_span("set both username and password, or neither"));
    capture.assert_one(refusal_span("tls: none to smtp.example.com:25 sends mail and password"));
    capture.assert_one(refusal_span("timeout_secs must be between 1 and 300, found 301"));
    capture.assert_one(refusal_span("cannot use ca_certificate /nonexistent/floe-ca.pem"));
    for error in [&no_host, &nobody, &address, &half, &insecure, &range, &ca] {
        let text = format!("{error} {error:?}");
        assert_text_clean("the error", &text, &secret);
        assert!(!text.contains("oncall-x9q"), "{text}");
    }
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}
