//! floe-alert-webhook against the hostile peer. The credential is both the receiver
//! URL's secret path segment and the signing secret (the signature header is scrubbed
//! too); the only call is the delivery.
//!
//! The receiver's answer is never read as JSON, so the JSON behaviours do not apply; the
//! health check is the config check and calls no peer.

use std::time::Duration;

use floe_alert_webhook::{WebhookAlertPlugin, WebhookConfig};
use floe_core::plugin::categories::AlertChannel as _;
use floe_otel_testkit::fixtures::contract_violation;
use floe_otel_testkit::hostile::{Behaviour, When};

use super::{CREDENTIAL_REF, Op, RETRY, Row, hostile_rows, outcome};

pub(crate) const ROW: Row = Row {
    plugin: "alert-webhook",
    category: "alert_channel",
    kind: "webhook",
    config: |url| {
        serde_json::json!({
            "url": format!("{url}/hooks/{CREDENTIAL_REF}"),
            "signing_secret": CREDENTIAL_REF,
            "timeout_secs": 2,
        })
    },
    timeout: Duration::from_secs(2),
    ops: &[Op {
        name: "send",
        span: "alert.send",
        when: When::Always,
        normal: None,
        run: |config, _| {
            let config: WebhookConfig =
                serde_json::from_value(config).expect("the row's config decodes");
            let plugin = WebhookAlertPlugin::new(config)
                .expect("the row's config is valid")
                .with_retry_policy(RETRY);
            Box::pin(async move { outcome(plugin.send(&contract_violation()).await) })
        },
    }],
};

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
