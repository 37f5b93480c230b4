//! floe-alert-webhook: a signed `CloudEvent` delivered to the loopback receiver; a forced
//! failure to a closed port whose URL path and signing key are the planted secret.

#[path = "../../../../plugins/floe-alert-webhook/tests/it/peer.rs"]
mod peer;

use contract_tests::Row;
use floe_alert_webhook::{WebhookAlertPlugin, WebhookConfig};
use floe_core::plugin::categories::AlertChannel as _;
use floe_otel_testkit::fixtures::contract_violation;
use floe_otel_testkit::peers::closed_port;

use super::block_on;

pub(crate) const ROW: Row = Row { package: "floe-alert-webhook", succeed, fail };

fn succeed() {
    let receiver = peer::Receiver::start(Some("contract-signing-key"), &[]);
    let config = WebhookConfig::new(receiver.url()).with_signing_secret("contract-signing-key");
    let plugin = WebhookAlertPlugin::new(config).expect("a valid config");
    block_on(plugin.send(&contract_violation())).expect("delivered");
    assert_eq!(receiver.events().len(), 1);
}

fn fail(secret: &str) {
    let url = format!("http://{}/hooks/{secret}", closed_port());
    let mut config = WebhookConfig::new(url).with_signing_secret(secret);
    config.max_attempts = 1;
    let plugin = WebhookAlertPlugin::new(config).expect("a valid config");
    block_on(plugin.send(&contract_violation())).expect_err("nothing listens");
}
