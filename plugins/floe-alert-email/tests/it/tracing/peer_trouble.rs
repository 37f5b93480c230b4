//! A real SMTP server (aiosmtpd) that is busy, quotes the password it was sent, or quotes
//! the credentials of the smarthost it relays through; and a server that never answers.

use floe_alert_email::{EmailAlertError, EmailAlertPlugin, EmailConfig, TlsMode};
use floe_core::SpanKind;
use floe_core::plugin::categories::{AlertChannel as _, DeliveryFailure as _, DeliveryStatus};
use floe_core::plugin::{HealthStatus, Lifecycle as _};
use floe_core::telemetry::attr;
use floe_otel_testkit::fixtures::{contract_violation, planted_secret};
use floe_otel_testkit::{Capture, expect};

use super::{RECIPIENT, send_span};
use crate::config;
use crate::peer::{SmtpOptions, SmtpServer};

#[tokio::test]
async fn a_server_that_is_up_but_defers_work_is_a_degraded_health_check() {
    let server = SmtpServer::start(SmtpOptions { busy: true, ..SmtpOptions::default() });
    let plugin = EmailAlertPlugin::new(config(&server, &[RECIPIENT])).unwrap();
    let capture = Capture::start();

    let status = plugin.health_check().await;

    let HealthStatus::Degraded { reason } = &status else { panic!("not degraded: {status:?}") };
    assert!(reason.contains("is up but defers mail"), "{reason}");
    assert!(reason.contains("421"), "{reason}");
    capture.assert_one(
        expect::span("alert.health_check")
            .root()
            .scope("floe.alert.email")
            .kind(SpanKind::Client)
            .floe_attributes()
            .attr(attr::ALERT_CHANNEL, "email")
            .attr(attr::ALERT_DESTINATION, server.addr().to_string())
            .error_containing("is up but defers mail")
            .exception("degraded")
            .attr(attr::ERROR_TYPE, "degraded"),
    );
    capture.assert_conforms();
}

#[tokio::test]
async fn a_server_quoting_the_password_it_refused_never_gets_it_into_a_span_or_error() {
    let secret = planted_secret();
    let server = SmtpServer::start(SmtpOptions {
        auth: Some(("floe", "the-right-password")),
        echo_auth: true,
        ..SmtpOptions::default()
    });
    let mut config = config(&server, &[RECIPIENT]);
    config.username = Some("floe".to_owned());
    config.password = Some(secret.clone().into());
    let plugin = EmailAlertPlugin::new(config).unwrap();
    let capture = Capture::start();

    let error = plugin.send(&contract_violation()).await.unwrap_err();

    assert!(matches!(error, EmailAlertError::Rejected { .. }), "{error:?}");
    assert_eq!(error.delivery_status(), DeliveryStatus::Rejected);
    let text = error.to_string();
    assert!(text.contains("535") && text.contains("no account floe with password"), "{text}");
    capture.assert_one(
        send_span("rejected")
            .error_containing("no account floe with password")
            .exception("EmailAlertError"),
    );
    capture.assert_secret_nowhere(&secret, &[&text, &format!("{error:?}")]);
}

#[tokio::test]
async fn a_relay_quoting_its_smarthost_credentials_is_a_rejected_span_with_them_redacted() {
    // The relay's own login, which the plugin never sent: only the sanitizer stands
    // between the 554 reply and the span.
    let secret = planted_secret();
    let relay_url = format!("smtp://relay-user:{secret}@smtp.upstream.example.com:587");
    let server =
        SmtpServer::start(SmtpOptions { relay_url: Some(&relay_url), ..SmtpOptions::default() });
    let plugin = EmailAlertPlugin::new(config(&server, &[RECIPIENT])).unwrap();
    let capture = Capture::start();

    let error = plugin.send(&contract_violation()).await.unwrap_err();

    assert!(matches!(error, EmailAlertError::Rejected { .. }), "{error:?}");
    assert_eq!(error.delivery_status(), DeliveryStatus::Rejected);
    let redacted = "permanent error (554): 5.7.0 cannot relay through \
                    smtp://<REDACTED>@smtp.upstream.example.com:587: smarthost authentication failed";
    let text = error.to_string();
    assert!(text.contains(redacted), "{text}");
    capture.assert_one(
        send_span("rejected")
            .error_containing(format!("rejected the mail: {redacted}"))
            .exception("EmailAlertError")
            .no_event("alert.retry"),
    );
    capture.assert_secret_nowhere(&secret, &[&text, &format!("{error:?}")]);
}

#[tokio::test]
async fn a_server_that_never_answers_is_a_timed_out_send_span_within_the_timeout() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut config = EmailConfig::new("127.0.0.1", "alerts@floe.example.com", &[RECIPIENT]);
    config.port = Some(silent.local_addr().unwrap().port());
    config.tls = TlsMode::None;
    config.timeout_secs = 1;
    let plugin = EmailAlertPlugin::new(config).unwrap();
    let capture = Capture::start();
    let started = std::time::Instant::now();

    let error = plugin.send(&contract_violation()).await.unwrap_err();

    assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
    assert!(matches!(error, EmailAlertError::TimedOut { .. }), "{error:?}");
    assert_eq!(error.delivery_status(), DeliveryStatus::Failed);
    capture.assert_one(
        send_span("failed")
            .error_containing("did not answer in time")
            .exception("EmailAlertError")
            .no_event("alert.retry"),
    );
}
