//! The spans of the webhook plugin, driven against the loopback receiver.

use floe_alert_webhook::{WebhookAlertError, WebhookAlertPlugin, WebhookConfig};
use floe_core::SpanKind;
use floe_core::plugin::Lifecycle as _;
use floe_core::plugin::categories::AlertChannel as _;
use floe_core::telemetry::attr;
use floe_otel_testkit::fixtures::{contract_violation, planted_secret};
use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::peers::closed_port;
use floe_otel_testkit::{Capture, expect};

use crate::peer::{HOOK_PATH, Receiver};
use crate::plugin;

fn send_span(status: &str) -> floe_otel_testkit::expect::SpanExpectation {
    expect::span("alert.send")
        .root()
        .scope("floe.alert.webhook")
        .kind(SpanKind::Client)
        .floe_attributes()
        .attr(attr::ALERT_CHANNEL, "webhook")
        .attr(attr::ALERT_SEVERITY, "critical")
        .attr(attr::ALERT_CONTRACT_NAME, "orders_contract")
        .attr(attr::ALERT_DELIVERY_STATUS, status.to_owned())
}

#[tokio::test]
async fn a_delivered_event_is_an_ok_send_span_that_names_only_the_host() {
    let secret = planted_secret();
    let receiver = Receiver::start(Some(&secret), &[]);
    let plugin = plugin(&receiver.url(), Some(&secret));
    let capture = Capture::start();

    let report = plugin.send(&contract_violation()).await.expect("delivered");

    let host = receiver.server.addr().to_string();
    assert_eq!((report.destination.as_str(), report.attempts), (host.as_str(), 1));
    capture.assert_one(
        send_span("delivered")
            .ok()
            .attr(attr::ALERT_DESTINATION, host)
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 202_i64)
            .no_event("alert.retry")
            .without_text(HOOK_PATH),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
    assert_eq!(receiver.events().len(), 1);
}

#[tokio::test]
async fn a_rejected_event_ends_the_span_as_an_error_with_status_rejected() {
    let receiver = Receiver::start(None, &[422]);
    let plugin = plugin(&receiver.url(), None);
    let capture = Capture::start();

    let error = plugin.send(&contract_violation()).await.unwrap_err();

    assert!(matches!(error, WebhookAlertError::Delivery(_)), "{error:?}");
    assert_text_clean("the error", &error.to_string(), HOOK_PATH);
    capture.assert_one(
        send_span("rejected")
            .error_containing("rejected the alert with status 422")
            .exception("WebhookAlertError")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 422_i64)
            .without_text(HOOK_PATH),
    );
    capture.assert_conforms();
}

#[tokio::test]
async fn a_refusal_quoting_a_gateway_key_is_sanitized_on_the_span_and_in_the_error() {
    let receiver = Receiver::start(None, &[401]);
    let plugin = plugin(&receiver.url(), None);
    let capture = Capture::start();

    let error = plugin.send(&contract_violation()).await.unwrap_err();

    let key = "FLOETEST-gw-k3y-9Qz7wX";
    assert!(error.to_string().contains("status 401: unauthorized: api_key="), "{error}");
    capture.assert_one(
        send_span("rejected")
            .error_containing("status 401: unauthorized: api_key=<REDACTED>")
            .exception("WebhookAlertError")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 401_i64),
    );
    capture.assert_secret_nowhere(key, &[&error.to_string(), &format!("{error:?}")]);
}

#[tokio::test]
async fn a_server_error_is_a_failed_delivery_and_is_not_retried() {
    let receiver = Receiver::start(None, &[500]);
    let plugin = plugin(&receiver.url(), None);
    let capture = Capture::start();

    plugin.send(&contract_violation()).await.unwrap_err();

    capture.assert_one(
        send_span("failed")
            .error_containing("failed to take the alert with status 500")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 500_i64)
            .no_event("alert.retry"),
    );
    assert_eq!(receiver.server.requests().len(), 1, "a 500 is not retried");
}

#[tokio::test]
async fn a_429_is_retried_and_the_retry_is_a_span_event() {
    let receiver = Receiver::start(None, &[429]);
    let plugin = plugin(&receiver.url(), None);
    let capture = Capture::start();

    let report = plugin.send(&contract_violation()).await.expect("delivered on the retry");

    assert_eq!(report.attempts, 2);
    capture.assert_one(
        send_span("delivered").ok().attr(attr::HTTP_RESPONSE_STATUS_CODE, 202_i64).event(
            expect::event("alert.retry")
                .attr(attr::ALERT_ATTEMPT, 1_i64)
                .attr(attr::HTTP_RESPONSE_STATUS_CODE, 429_i64),
        ),
    );
    capture.assert_conforms();
}

#[tokio::test]
async fn a_refused_connection_is_retried_then_failed_without_the_url() {
    let secret = planted_secret();
    let url = format!("http://{}/hooks/{secret}", closed_port());
    let plugin = plugin(&url, Some(&secret));
    let capture = Capture::start();

    let error = plugin.send(&contract_violation()).await.unwrap_err();

    assert!(matches!(error, WebhookAlertError::Delivery(_)), "{error:?}");
    assert!(error.to_string().starts_with("cannot connect to 127.0.0.1:"), "{error}");
    assert_text_clean("the error", &format!("{error:?} {error}"), &secret);
    capture.assert_one(
        send_span("failed")
            .error_containing("cannot connect to 127.0.0.1")
            .exception("WebhookAlertError")
            .no_attr(attr::HTTP_RESPONSE_STATUS_CODE)
            .event(expect::event("alert.retry").attr(attr::ALERT_ATTEMPT, 1_i64))
            .event(expect::event("alert.retry").attr(attr::ALERT_ATTEMPT, 2_i64)),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
    for line in capture.logs() {
        assert_text_clean("a log line", &line, &secret);
    }
}

#[tokio::test]
async fn validate_config_and_health_check_are_traced() {
    let secret = planted_secret();
    let plugin = plugin(&format!("https://hooks.example.com/in/{secret}"), Some(&secret));
    let capture = Capture::start();

    plugin.validate_config().expect("a valid config");
    assert!(plugin.health_check().await.is_healthy());

    capture.assert_count(
        expect::span("alert.validate_config")
            .root()
            .scope("floe.alert.webhook")
            .kind(SpanKind::Internal)
            .ok()
            .attr(attr::ALERT_CHANNEL, "webhook")
            .exact_attrs()
            .floe_attributes(),
        2,
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

fn refusal_span(message: &str) -> floe_otel_testkit::expect::SpanExpectation {
    expect::span("alert.validate_config")
        .root()
        .scope("floe.alert.webhook")
        .kind(SpanKind::Internal)
        .floe_attributes()
        .exception("WebhookAlertError")
        .attr(attr::ALERT_CHANNEL, "webhook")
        .error_containing(message)
}

#[test]
fn a_refused_config_is_an_error_validate_config_span_without_the_url_or_secret() {
    let secret = planted_secret();
    let url = format!("https://hooks.example.com/in/{secret}");
    let capture = Capture::start();

    let plain =
        WebhookAlertPlugin::new(WebhookConfig::new(url.replace("https:", "http:"))).unwrap_err();
    let mut config = WebhookConfig::new(&url).with_signing_secret(&secret);
    config.timeout_secs = 0;
    let range = WebhookAlertPlugin::new(config).unwrap_err();
    let mut config = WebhookConfig::new(&url).with_signing_secret(&secret);
    config.source = " ".to_owned();
    let empty = WebhookAlertPlugin::new(config).unwrap_err();

    assert!(matches!(plain, WebhookAlertError::Endpoint { .. }), "{plain:?}");
    assert!(matches!(range, WebhookAlertError::OutOfRange { .. }), "{range:?}");
    assert!(matches!(empty, WebhookAlertError::Empty { .. }), "{empty:?}");
    capture.assert_one(refusal_span("webhook url: the url of hooks.example.com uses plain http"));
    capture.assert_one(refusal_span("timeout_secs must be between 1 and 300, found 0"));
    capture.assert_one(refusal_span("source must not be empty"));
    for error in [&plain, &range, &empty] {
        assert_text_clean("the error", &format!("{error} {error:?}"), &secret);
    }
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}
