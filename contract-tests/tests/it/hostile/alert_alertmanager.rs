//! floe-alert-alertmanager against the hostile peer. The credential is the bearer token
//! (or, for `send_basic`, the basic-auth password); every request goes to the peer.
//!
//! Alertmanager's answer to an alert is not read, so the JSON behaviours apply only to
//! the health check, which reads `/api/v2/status` ([`status_json`]).

use std::time::Duration;

use floe_alert_alertmanager::{AlertmanagerConfig, AlertmanagerPlugin};
use floe_core::plugin::Lifecycle as _;
use floe_core::plugin::categories::AlertChannel as _;
use floe_otel_testkit::fixtures::contract_violation;
use floe_otel_testkit::hostile::{Behaviour, When};

use super::{CREDENTIAL_REF, Op, RETRY, Row, Run, health, hostile_rows, outcome};

pub(crate) const ROW: Row = Row {
    plugin: "alert-alertmanager",
    category: "alert_channel",
    kind: "alertmanager",
    config: |url| serde_json::json!({ "url": url, "bearer_token": CREDENTIAL_REF, "timeout_secs": 2 }),
    timeout: Duration::from_secs(2),
    ops: &[
        op("send", "alert.send", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.send(&contract_violation()).await) })
        }),
        op("send_basic", "alert.send", |mut config, _| {
            let password = config["bearer_token"].take();
            config["basic_auth"] = serde_json::json!({ "username": "floe", "password": password });
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.send(&contract_violation()).await) })
        }),
        op("health_check", "alert.health_check", health_check),
        // validate_config talks to no peer.
    ],
};

const fn op(
    name: &'static str,
    span: &'static str,
    run: fn(serde_json::Value, String) -> Run,
) -> Op {
    Op { name, span, when: When::Always, normal: None, run }
}

fn plugin(mut config: serde_json::Value) -> AlertmanagerPlugin {
    if config["bearer_token"].is_null() {
        config.as_object_mut().expect("an object").remove("bearer_token");
    }
    let config: AlertmanagerConfig =
        serde_json::from_value(config).expect("the row's config decodes");
    AlertmanagerPlugin::new(config).expect("the row's config is valid").with_retry_policy(RETRY)
}

fn health_check(config: serde_json::Value, _: String) -> Run {
    let plugin = plugin(config);
    Box::pin(async move { health(plugin.health_check().await) })
}

hostile_rows!(ROW;
    echo_unauthorized => Behaviour::Echo { status: 401 },
    echo_forbidden_as_text => Behaviour::EchoText { status: 403 },
    echo_refused => Behaviour::Echo { status: 400 },
    echo_failed => Behaviour::Echo { status: 500 },
    echo_unavailable_after_retries => Behaviour::Echo { status: 503 },
    redirect_found_elsewhere => Behaviour::Redirect { status: 302 },
    redirect_temporary_elsewhere => Behaviour::Redirect { status: 307 },
    huge_body_declared => Behaviour::HugeBody { status: 200, declared: true },
    huge_body_streamed => Behaviour::HugeBody { status: 200, declared: false },
    huge_error_body => Behaviour::HugeBody { status: 500, declared: false },
    dribble_past_the_timeout => Behaviour::Dribble,
    stall_past_the_timeout => Behaviour::Stall,
    close_mid_answer => Behaviour::CloseMidAnswer,
);

/// The health check against broken JSON: `/-/healthy` takes any 200, `/api/v2/status`
/// must parse.
mod status_json {
    use std::time::Duration;

    use floe_otel_testkit::hostile::Behaviour;

    use super::super::{Row, hostile_rows};

    const ROW: Row = Row {
        ops: &[super::op("health_check", "alert.health_check", super::health_check)],
        timeout: Duration::from_secs(2),
        ..super::ROW
    };

    hostile_rows!(cases: ROW;
        malformed_json => Behaviour::MalformedJson,
        truncated_json => Behaviour::TruncatedJson,
        wrong_shape_json => Behaviour::WrongShapeJson,
    );
}
