//! The spans of the Alertmanager plugin, driven against a real Alertmanager.

use floe_alert_alertmanager::{
    AlertmanagerConfig, AlertmanagerError, AlertmanagerPlugin, BasicAuth,
};
use floe_core::SpanKind;
use floe_core::plugin::categories::AlertChannel as _;
use floe_core::plugin::{HealthStatus, Lifecycle as _};
use floe_core::telemetry::attr;
use floe_otel_testkit::fixtures::{contract_violation, planted_secret};
use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::peers::closed_port;
use floe_otel_testkit::{Capture, expect};

use crate::peer::Alertmanager;
use crate::plugin;

fn send_span(status: &str) -> floe_otel_testkit::expect::SpanExpectation {
    expect::span("alert.send")
        .root()
        .scope("floe.alert.alertmanager")
        .kind(SpanKind::Client)
        .floe_attributes()
        .attr(attr::ALERT_CHANNEL, "alertmanager")
        .attr(attr::ALERT_SEVERITY, "critical")
        .attr(attr::ALERT_CONTRACT_NAME, "orders_contract")
        .attr(attr::ALERT_DELIVERY_STATUS, status.to_owned())
}

/// A plugin whose requests carry `secret` as a bearer token.
fn with_token(url: &str, secret: &str) -> AlertmanagerPlugin {
    let mut config = AlertmanagerConfig::new(url);
    config.bearer_token = Some(secret.to_owned().into());
    config.max_attempts = 2;
    AlertmanagerPlugin::new(config).expect("a valid config")
}

#[tokio::test]
async fn a_delivered_alert_is_an_ok_send_span_naming_host_and_port() {
    let alertmanager = Alertmanager::start();
    let secret = planted_secret();
    let plugin = with_token(&alertmanager.url(), &secret);
    let capture = Capture::start();

    plugin.send(&contract_violation()).await.expect("delivered");

    capture.assert_one(
        send_span("delivered")
            .ok()
            .attr(
                attr::ALERT_DESTINATION,
                alertmanager.url().trim_start_matches("http://").to_owned(),
            )
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64)
            .no_event("alert.retry"),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[tokio::test]
async fn a_400_from_alertmanager_is_a_rejected_error_span() {
    let alertmanager = Alertmanager::start();
    let mut config = AlertmanagerConfig::new(alertmanager.url());
    config.labels.insert("bad-label".to_owned(), "x".to_owned());
    let plugin = AlertmanagerPlugin::new(config).unwrap();
    let capture = Capture::start();

    plugin.send(&contract_violation()).await.unwrap_err();

    capture.assert_one(
        send_span("rejected")
            .error_containing("rejected the alert with status 400")
            .exception("AlertmanagerError")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 400_i64),
    );
    capture.assert_conforms();
}

#[tokio::test]
async fn alertmanagers_refusal_quoting_a_pasted_credential_is_sanitized_on_the_span() {
    // A static label whose name is a pasted `api_key=...`: Alertmanager refuses the name
    // and quotes it in its 400, so only the sanitizer keeps the key off the span.
    let key = "FLOETESTam9Qz7wXk3y";
    let alertmanager = Alertmanager::start();
    let mut config = AlertmanagerConfig::new(alertmanager.url());
    config.labels.insert(format!("api_key={key}"), "x".to_owned());
    let plugin = AlertmanagerPlugin::new(config).unwrap();
    let capture = Capture::start();

    let error = plugin.send(&contract_violation()).await.unwrap_err();

    capture.assert_one(
        send_span("rejected")
            .error_containing("api_key=<REDACTED>")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 400_i64),
    );
    capture.assert_secret_nowhere(key, &[&error.to_string(), &format!("{error:?}")]);
}

#[tokio::test]
async fn a_closed_port_is_retried_then_a_failed_error_span_without_credentials() {
    let secret = planted_secret();
    let plugin = with_token(&format!("http://{}", closed_port()), &secret);
    let capture = Capture::start();

    let error = plugin.send(&contract_violation()).await.unwrap_err();

    assert!(matches!(error, AlertmanagerError::Delivery(_)), "{error:?}");
    assert_text_clean("the error", &format!("{error} {error:?}"), &secret);
    capture.assert_one(
        send_span("failed")
            .error_containing("cannot connect to 127.0.0.1")
            .exception("AlertmanagerError")
            .event(expect::event("alert.retry").attr(attr::ALERT_ATTEMPT, 1_i64)),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
    for line in capture.logs() {
        assert_text_clean("a log line", &line, &secret);
    }
}

#[tokio::test]
async fn the_health_check_is_ok_for_a_live_alertmanager_and_an_error_for_a_closed_port() {
    let alertmanager = Alertmanager::start();
    let secret = planted_secret();
    let capture = Capture::start();

    assert!(plugin(&alertmanager.url()).health_check().await.is_healthy());
    let down = with_token(&format!("http://{}", closed_port()), &secret).health_check().await;
    assert!(!down.is_healthy());

    capture.assert_one(
        expect::span("alert.health_check")
            .root()
            .kind(SpanKind::Client)
            .ok()
            .attr(attr::ALERT_CHANNEL, "alertmanager")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64),
    );
    capture.assert_one(
        expect::span("alert.health_check")
            .root()
            .error_containing("cannot connect to 127.0.0.1")
            .exception("unhealthy")
            .attr(attr::ERROR_TYPE, "unhealthy"),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[tokio::test]
async fn a_cluster_that_has_not_settled_is_a_degraded_health_check() {
    // A real Alertmanager in HA mode whose gossip has not settled: it is up and takes
    // alerts, but holds notifications until the cluster settles.
    let alertmanager = Alertmanager::start_with(true);
    let secret = planted_secret();
    let plugin = with_token(&alertmanager.url(), &secret);
    let capture = Capture::start();

    let status = plugin.health_check().await;

    let HealthStatus::Degraded { reason } = &status else { panic!("not degraded: {status:?}") };
    assert!(
        reason.ends_with("is up but its cluster is settling: notifications wait until it settles"),
        "{reason}"
    );
    capture.assert_one(
        expect::span("alert.health_check")
            .root()
            .scope("floe.alert.alertmanager")
            .kind(SpanKind::Client)
            .floe_attributes()
            .error_containing("cluster is settling")
            .exception("degraded")
            .attr(attr::ERROR_TYPE, "degraded")
            .attr(attr::ALERT_CHANNEL, "alertmanager")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[tokio::test]
async fn validate_config_is_traced() {
    let capture = Capture::start();
    plugin("https://alertmanager.example.com").validate_config().unwrap();
    capture.assert_count(
        expect::span("alert.validate_config")
            .root()
            .scope("floe.alert.alertmanager")
            .kind(SpanKind::Internal)
            .floe_attributes()
            .ok()
            .attr(attr::ALERT_CHANNEL, "alertmanager"),
        2,
    );
}

fn refused(config: AlertmanagerConfig) -> AlertmanagerError {
    AlertmanagerPlugin::new(config).expect_err("a config the plugin refuses")
}

fn refusal_span(message: &str) -> floe_otel_testkit::expect::SpanExpectation {
    expect::span("alert.validate_config")
        .root()
        .scope("floe.alert.alertmanager")
        .floe_attributes()
        .exception("AlertmanagerError")
        .attr(attr::ALERT_CHANNEL, "alertmanager")
        .error_containing(message)
}

#[test]
fn a_refused_config_is_an_error_validate_config_span_naming_the_problem() {
    let secret = planted_secret();
    let url = "https://alertmanager.example.com";
    let capture = Capture::start();

    let plain =
        refused(AlertmanagerConfig::new(format!("http://alertmanager.example.com/{secret}")));
    let user_info = refused(AlertmanagerConfig::new(format!("https://am:{secret}@am.example.com")));
    let mut config = AlertmanagerConfig::new(url);
    config.generator_url = Some("contracts/orders".to_owned());
    let generator = refused(config);
    let mut config = AlertmanagerConfig::new(url);
    config.timeout_secs = 0;
    let range = refused(config);
    let mut config = AlertmanagerConfig::new(url);
    config.alertname = String::new();
    let empty = refused(config);
    let mut config = AlertmanagerConfig::new(url);
    config.bearer_token = Some(secret.clone().into());
    config.basic_auth =
        Some(BasicAuth { username: "floe".to_owned(), password: secret.clone().into() });
    let two = refused(config);

    assert!(matches!(plain, AlertmanagerError::Endpoint { .. }), "{plain:?}");
    assert!(matches!(user_info, AlertmanagerError::Endpoint { .. }), "{user_info:?}");
    assert!(matches!(generator, AlertmanagerError::GeneratorUrl { .. }), "{generator:?}");
    assert!(matches!(range, AlertmanagerError::OutOfRange { .. }), "{range:?}");
    assert!(matches!(empty, AlertmanagerError::Empty { .. }), "{empty:?}");
    assert!(matches!(two, AlertmanagerError::TwoCredentials), "{two:?}");
    capture.assert_one(refusal_span(
        "alertmanager url: the url of alertmanager.example.com uses plain http",
    ));
    capture
        .assert_one(refusal_span("alertmanager url: the url of am.example.com carries user info"));
    capture.assert_one(refusal_span("generator_url is not an absolute URL"));
    capture.assert_one(refusal_span("timeout_secs must be between 1 and 300, found 0"));
    capture.assert_one(refusal_span("alertname must not be empty"));
    capture.assert_one(refusal_span("set bearer_token or basic_auth, not both"));
    for error in [&plain, &user_info, &generator, &range, &empty, &two] {
        assert_text_clean("the error", &format!("{error} {error:?}"), &secret);
    }
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}
