//! The spans of the Slack plugin, driven against the loopback webhook.

use floe_alert_slack::{SlackAlertError, SlackAlertPlugin, SlackConfig};
use floe_core::SpanKind;
use floe_core::plugin::Lifecycle as _;
use floe_core::plugin::categories::AlertChannel as _;
use floe_core::telemetry::attr;
use floe_otel_testkit::fixtures::{contract_violation, planted_secret};
use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::peers::closed_port;
use floe_otel_testkit::{Capture, expect};

use crate::peer::{HOOK_PATH, SlackWebhook};
use crate::plugin;

fn send_span(status: &str) -> floe_otel_testkit::expect::SpanExpectation {
    expect::span("alert.send")
        .root()
        .scope("floe.alert.slack")
        .kind(SpanKind::Client)
        .floe_attributes()
        .attr(attr::ALERT_CHANNEL, "slack")
        .attr(attr::ALERT_SEVERITY, "critical")
        .attr(attr::ALERT_CONTRACT_NAME, "orders_contract")
        .attr(attr::ALERT_DELIVERY_STATUS, status.to_owned())
        .without_text(HOOK_PATH)
}

#[tokio::test]
async fn a_delivered_message_is_an_ok_send_span_naming_the_channel() {
    let webhook = SlackWebhook::start(&[]);
    let capture = Capture::start();

    let report =
        plugin(&webhook.url(), Some("#data-alerts")).send(&contract_violation()).await.unwrap();

    assert_eq!(report.destination, "#data-alerts");
    capture.assert_one(
        send_span("delivered")
            .ok()
            .attr(attr::ALERT_DESTINATION, "#data-alerts")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64)
            .no_event("alert.retry"),
    );
    capture.assert_conforms();
}

#[tokio::test]
async fn without_a_channel_the_destination_is_the_webhook_host_only() {
    let webhook = SlackWebhook::start(&[]);
    let capture = Capture::start();

    plugin(&webhook.url(), None).send(&contract_violation()).await.unwrap();

    capture.assert_one(
        send_span("delivered")
            .ok()
            .attr(attr::ALERT_DESTINATION, webhook.server.addr().to_string()),
    );
}

#[tokio::test]
async fn a_channel_slack_does_not_know_is_a_rejected_error_span() {
    let webhook = SlackWebhook::start(&[404]);
    let capture = Capture::start();

    let error =
        plugin(&webhook.url(), Some("#gone")).send(&contract_violation()).await.unwrap_err();

    assert!(matches!(error, SlackAlertError::Delivery(_)));
    assert!(error.to_string().contains("status 404: channel_not_found"), "{error}");
    assert_text_clean("the error", &format!("{error} {error:?}"), HOOK_PATH);
    capture.assert_one(
        send_span("rejected")
            .error_containing("status 404: channel_not_found")
            .exception("SlackAlertError")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 404_i64),
    );
    capture.assert_conforms();
}

#[tokio::test]
async fn a_refusal_quoting_a_bot_token_is_sanitized_on_the_span_and_in_the_error() {
    let webhook = SlackWebhook::start(&[403]);
    let capture = Capture::start();

    let error =
        plugin(&webhook.url(), Some("#data-alerts")).send(&contract_violation()).await.unwrap_err();

    let token = "xoxb-FLOETEST-281734-q9ZkVbN3LmP4";
    assert!(error.to_string().contains("status 403: invalid_auth"), "{error}");
    capture.assert_one(
        send_span("rejected")
            .error_containing("status 403: invalid_auth: token <REDACTED>")
            .exception("SlackAlertError")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 403_i64),
    );
    capture.assert_secret_nowhere(token, &[&error.to_string(), &format!("{error:?}")]);
}

#[tokio::test]
async fn a_rate_limit_is_retried_and_recorded_as_an_event() {
    let webhook = SlackWebhook::start(&[429]);
    let capture = Capture::start();

    let report = plugin(&webhook.url(), None).send(&contract_violation()).await.unwrap();

    assert_eq!(report.attempts, 2);
    capture.assert_one(
        send_span("delivered").ok().event(
            expect::event("alert.retry")
                .attr(attr::ALERT_ATTEMPT, 1_i64)
                .attr(attr::HTTP_RESPONSE_STATUS_CODE, 429_i64),
        ),
    );
}

#[tokio::test]
async fn an_unreachable_webhook_is_a_failed_error_span_without_the_url() {
    let secret = planted_secret();
    let url = format!("http://{}/services/T0/B0/{secret}", closed_port());
    let capture = Capture::start();

    let error = plugin(&url, None).send(&contract_violation()).await.unwrap_err();

    assert!(matches!(error, SlackAlertError::Delivery(_)), "{error:?}");
    assert_text_clean("the error", &format!("{error} {error:?}"), &secret);
    capture.assert_one(
        send_span("failed")
            .error_containing("cannot connect to 127.0.0.1")
            .exception("SlackAlertError")
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
    let plugin = plugin(&format!("https://hooks.slack.com/services/T0/B0/{secret}"), None);
    let capture = Capture::start();

    plugin.validate_config().unwrap();
    assert!(plugin.health_check().await.is_healthy());

    capture.assert_count(
        expect::span("alert.validate_config")
            .root()
            .scope("floe.alert.slack")
            .kind(SpanKind::Internal)
            .ok()
            .attr(attr::ALERT_CHANNEL, "slack")
            .exact_attrs()
            .floe_attributes(),
        2,
    );
    capture.assert_no_secret(&secret);
}

fn refusal_span(message: &str) -> floe_otel_testkit::expect::SpanExpectation {
    expect::span("alert.validate_config")
        .root()
        .scope("floe.alert.slack")
        .floe_attributes()
        .exception("SlackAlertError")
        .attr(attr::ALERT_CHANNEL, "slack")
        .error_containing(message)
}

#[test]
fn a_refused_config_is_an_error_validate_config_span_without_the_url() {
    let secret = planted_secret();
    let url = format!("https://hooks.slack.com/services/T0/B0/{secret}");
    let capture = Capture::start();

    let plain =
        SlackAlertPlugin::new(SlackConfig::new(url.replace("https:", "http:"))).unwrap_err();
    let mut config = SlackConfig::new(&url);
    config.max_attempts = 0;
    let range = SlackAlertPlugin::new(config).unwrap_err();
    let channel =
        SlackAlertPlugin::new(SlackConfig::new(&url).with_channel("#data alerts")).unwrap_err();

    assert!(matches!(plain, SlackAlertError::Endpoint { .. }), "{plain:?}");
    assert!(matches!(range, SlackAlertError::OutOfRange { .. }), "{range:?}");
    assert!(matches!(channel, SlackAlertError::Channel { .. }), "{channel:?}");
    capture
        .assert_one(refusal_span("slack webhook_url: the url of hooks.slack.com uses plain http"));
    capture.assert_one(refusal_span("max_attempts must be between 1 and 10, found 0"));
    capture.assert_one(refusal_span("slack channel \"#data alerts\" is not a channel name"));
    for error in [&plain, &range, &channel] {
        assert_text_clean("the error", &format!("{error} {error:?}"), &secret);
    }
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}
