//! The spans of the e-mail plugin, driven against the loopback SMTP server.

mod peer_trouble;
mod refusals;

use floe_alert_email::{EmailAlertPlugin, EmailConfig, TlsMode};
use floe_core::SpanKind;
use floe_core::plugin::Lifecycle as _;
use floe_core::plugin::categories::AlertChannel as _;
use floe_core::telemetry::attr;
use floe_otel_testkit::fixtures::{contract_violation, planted_secret};
use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::peers::closed_port;
use floe_otel_testkit::{Capture, expect};

use crate::peer::{SmtpOptions, SmtpServer};
use crate::{config, plugin};

pub(crate) const RECIPIENT: &str = "oncall-7f3k@data.example.com";

pub(crate) fn send_span(status: &str) -> floe_otel_testkit::expect::SpanExpectation {
    expect::span("alert.send")
        .root()
        .scope("floe.alert.email")
        .kind(SpanKind::Client)
        .floe_attributes()
        .attr(attr::ALERT_CHANNEL, "email")
        .attr(attr::ALERT_SEVERITY, "critical")
        .attr(attr::ALERT_CONTRACT_NAME, "orders_contract")
        .attr(attr::ALERT_DELIVERY_STATUS, status.to_owned())
        .without_text("oncall-7f3k")
        .without_text("alerts@floe")
}

#[tokio::test]
async fn a_delivered_mail_is_an_ok_send_span_with_a_recipient_count_not_addresses() {
    let secret = planted_secret();
    let server = SmtpServer::start(SmtpOptions {
        auth: Some(("floe", &secret)),
        starttls: false,
        ..SmtpOptions::default()
    });
    let mut config = config(&server, &[RECIPIENT, "lead@data.example.com"]);
    config.username = Some("floe".to_owned());
    config.password = Some(secret.clone().into());
    let plugin = EmailAlertPlugin::new(config).unwrap();
    let capture = Capture::start();

    plugin.send(&contract_violation()).await.expect("delivered");

    capture.assert_one(
        send_span("delivered")
            .ok()
            .attr(attr::ALERT_DESTINATION, server.addr().to_string())
            .attr(attr::ALERT_RECIPIENT_COUNT, 2_i64)
            .no_event("alert.retry"),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[tokio::test]
async fn a_refused_recipient_is_a_rejected_error_span_without_the_address() {
    let server = SmtpServer::start(SmtpOptions::default());
    let capture = Capture::start();

    plugin(&server, &["oncall-7f3k@rejected.invalid"])
        .send(&contract_violation())
        .await
        .unwrap_err();

    capture.assert_one(
        send_span("rejected")
            .error_containing("rejected the mail")
            .exception("EmailAlertError")
            .attr(attr::ALERT_RECIPIENT_COUNT, 1_i64),
    );
    capture.assert_conforms();
}

#[tokio::test]
async fn a_transient_refusal_is_retried_with_an_event_per_retry_then_failed() {
    let server = SmtpServer::start(SmtpOptions::default());
    let mut config = config(&server, &["oncall-7f3k@busy.invalid"]);
    config.max_attempts = 2;
    let capture = Capture::start();

    EmailAlertPlugin::new(config).unwrap().send(&contract_violation()).await.unwrap_err();

    capture.assert_one(
        send_span("failed")
            .error_containing("deferred the mail")
            .event(expect::event("alert.retry").attr(attr::ALERT_ATTEMPT, 1_i64)),
    );
}

#[tokio::test]
async fn an_unreachable_server_is_a_failed_span_and_nothing_leaks() {
    let secret = planted_secret();
    let mut config = EmailConfig::new("127.0.0.1", "alerts@floe.example.com", &[RECIPIENT]);
    config.port = Some(closed_port().port());
    config.tls = TlsMode::None;
    config.username = Some("floe".to_owned());
    config.password = Some(secret.clone().into());
    config.max_attempts = 2;
    let capture = Capture::start();

    let error =
        EmailAlertPlugin::new(config).unwrap().send(&contract_violation()).await.unwrap_err();

    assert_text_clean("the error", &format!("{error} {error:?}"), &secret);
    assert!(!error.to_string().contains("oncall-7f3k"));
    capture.assert_one(
        send_span("failed")
            .error_containing("cannot deliver through 127.0.0.1")
            .event(expect::event("alert.retry").attr(attr::ALERT_ATTEMPT, 1_i64)),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
    for line in capture.logs() {
        assert_text_clean("a log line", &line, &secret);
    }
}

#[tokio::test]
async fn the_health_check_says_noop_worked_or_why_not() {
    let server = SmtpServer::start(SmtpOptions::default());
    let mut down = config(&server, &[RECIPIENT]);
    down.port = Some(closed_port().port());
    let capture = Capture::start();

    assert!(plugin(&server, &[RECIPIENT]).health_check().await.is_healthy());
    assert!(!EmailAlertPlugin::new(down).unwrap().health_check().await.is_healthy());

    capture.assert_one(
        expect::span("alert.health_check")
            .root()
            .scope("floe.alert.email")
            .ok()
            .attr(attr::ALERT_DESTINATION, server.addr().to_string()),
    );
    capture.assert_one(
        expect::span("alert.health_check")
            .error_containing("cannot deliver through 127.0.0.1")
            .attr(attr::ERROR_TYPE, "unhealthy"),
    );
    capture.assert_conforms();
}

#[tokio::test]
async fn validate_config_is_traced() {
    let server = SmtpServer::start(SmtpOptions::default());
    let capture = Capture::start();
    plugin(&server, &[RECIPIENT]).validate_config().unwrap();
    // One when the plugin is built, one for `validate_config`.
    capture.assert_count(
        expect::span("alert.validate_config")
            .root()
            .scope("floe.alert.email")
            .kind(SpanKind::Internal)
            .floe_attributes()
            .ok()
            .attr(attr::ALERT_CHANNEL, "email")
            .without_text("oncall-7f3k"),
        2,
    );
}
