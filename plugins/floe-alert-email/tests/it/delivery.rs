//! What the SMTP server receives, read back from it: subject, both parts, recipients;
//! authentication, STARTTLS, and the server's refusals.

use floe_alert_email::{EmailAlertError, EmailAlertPlugin, TlsMode};
use floe_core::plugin::categories::{AlertChannel as _, DeliveryFailure as _, DeliveryStatus};
use floe_otel_testkit::fixtures::contract_violation;

use crate::peer::{SmtpOptions, SmtpServer};
use crate::{config, plugin};

#[tokio::test]
async fn the_mail_has_the_subject_both_parts_and_every_recipient() {
    let server = SmtpServer::start(SmtpOptions::default());
    let mut config = config(&server, &["oncall@data.example.com", "lead@data.example.com"]);
    config.cc = vec!["audit@data.example.com".to_owned()];
    let mut violation = contract_violation();
    violation.message = "amount <b>changed</b> & broke".to_owned();

    let report = EmailAlertPlugin::new(config).unwrap().send(&violation).await.expect("delivered");

    assert_eq!(report.attempts, 1);
    let received = server.received();
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    assert_eq!(mail["mail_from"], "alerts@floe.example.com");
    assert_eq!(
        mail["rcpt_tos"],
        serde_json::json!([
            "oncall@data.example.com",
            "lead@data.example.com",
            "audit@data.example.com"
        ])
    );
    let headers = &mail["headers"];
    assert_eq!(headers["subject"], "[CRITICAL] Contract Violation: orders_contract");
    assert_eq!(headers["from"], "Floe Alerts <alerts@floe.example.com>");
    assert_eq!(headers["to"], "oncall@data.example.com, lead@data.example.com");
    assert_eq!(headers["cc"], "audit@data.example.com");
    assert_eq!(mail["content_type"], "multipart/alternative");
    let parts = mail["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0]["content_type"], "text/plain");
    let text = parts[0]["text"].as_str().unwrap();
    assert!(text.contains("amount <b>changed</b> & broke"), "{text}");
    assert!(text.contains("Contract: orders_contract v2.1.0\n"), "{text}");
    assert!(text.contains("Model: fct_orders\n") && text.contains("column: amount\n"), "{text}");
    assert_eq!(parts[1]["content_type"], "text/html");
    let html = parts[1]["text"].as_str().unwrap();
    assert!(html.contains("<p>amount &lt;b&gt;changed&lt;/b&gt; &amp; broke</p>"), "{html}");
    assert!(html.contains("<th align=\"left\">Severity</th><td>critical</td>"), "{html}");
}

#[tokio::test]
async fn the_plugin_authenticates_when_the_server_requires_it() {
    let server = SmtpServer::start(SmtpOptions {
        auth: Some(("floe", "s3cret-pw")),
        starttls: false,
        ..SmtpOptions::default()
    });
    let mut config = config(&server, &["oncall@data.example.com"]);
    config.username = Some("floe".to_owned());
    config.password = Some("s3cret-pw".to_owned().into());

    EmailAlertPlugin::new(config).unwrap().send(&contract_violation()).await.expect("delivered");

    assert_eq!(server.received()[0]["authenticated_as"], "floe");
}

#[tokio::test]
async fn a_wrong_password_is_a_rejected_delivery() {
    let server = SmtpServer::start(SmtpOptions {
        auth: Some(("floe", "right")),
        starttls: false,
        ..SmtpOptions::default()
    });
    let mut config = config(&server, &["oncall@data.example.com"]);
    config.username = Some("floe".to_owned());
    config.password = Some("wrong".to_owned().into());

    let error =
        EmailAlertPlugin::new(config).unwrap().send(&contract_violation()).await.unwrap_err();

    assert!(matches!(error, EmailAlertError::Rejected { .. }), "{error:?}");
    assert!(error.to_string().contains("535"), "{error}");
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn starttls_is_negotiated_and_the_server_certificate_verified() {
    let server = SmtpServer::start(SmtpOptions {
        auth: Some(("floe", "pw")),
        starttls: true,
        ..SmtpOptions::default()
    });
    let mut config = config(&server, &["oncall@data.example.com"]);
    config.tls = TlsMode::Starttls;
    config.ca_certificate = Some(server.certificate().display().to_string());
    config.username = Some("floe".to_owned());
    config.password = Some("pw".to_owned().into());

    EmailAlertPlugin::new(config).unwrap().send(&contract_violation()).await.expect("delivered");

    let mail = &server.received()[0];
    assert_eq!(
        (mail["tls"].as_bool(), mail["authenticated_as"].as_str()),
        (Some(true), Some("floe"))
    );
}

#[tokio::test]
async fn starttls_to_a_server_with_an_unknown_certificate_fails() {
    let server =
        SmtpServer::start(SmtpOptions { auth: None, starttls: true, ..SmtpOptions::default() });
    let mut config = config(&server, &["oncall@data.example.com"]);
    config.tls = TlsMode::Starttls;

    let error =
        EmailAlertPlugin::new(config).unwrap().send(&contract_violation()).await.unwrap_err();

    assert!(matches!(error, EmailAlertError::Transport { .. }), "{error:?}");
    assert_eq!(error.delivery_status(), DeliveryStatus::Failed);
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn a_recipient_the_server_refuses_is_rejected_without_the_address_in_the_error() {
    let server = SmtpServer::start(SmtpOptions::default());
    let error = plugin(&server, &["nobody@rejected.invalid"])
        .send(&contract_violation())
        .await
        .unwrap_err();

    assert_eq!(error.delivery_status(), DeliveryStatus::Rejected);
    let text = error.to_string();
    assert!(text.contains("550"), "{text}");
    assert!(!text.contains("nobody@"), "the address's local part is redacted: {text}");
}

#[tokio::test]
async fn a_transient_refusal_is_retried_then_deferred() {
    let server = SmtpServer::start(SmtpOptions::default());
    let mut config = config(&server, &["oncall@busy.invalid"]);
    config.max_attempts = 2;

    let error =
        EmailAlertPlugin::new(config).unwrap().send(&contract_violation()).await.unwrap_err();

    assert!(matches!(error, EmailAlertError::Deferred { .. }), "{error:?}");
    assert_eq!(error.delivery_status(), DeliveryStatus::Failed);
    assert!(error.to_string().contains("451"), "{error}");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_within_the_bound() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut config = floe_alert_email::EmailConfig::new(
        "127.0.0.1",
        "alerts@floe.example.com",
        &["oncall@data.example.com"],
    );
    config.port = Some(silent.local_addr().unwrap().port());
    config.tls = TlsMode::None;
    config.timeout_secs = 1;
    let started = std::time::Instant::now();

    let error =
        EmailAlertPlugin::new(config).unwrap().send(&contract_violation()).await.unwrap_err();

    assert!(matches!(error, EmailAlertError::TimedOut { .. }), "{error:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}
