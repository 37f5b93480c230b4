//! floe-alert-slack: a Block Kit message delivered to the loopback incoming webhook; a
//! forced failure to a closed port whose webhook path is the planted secret.

#[path = "../../../../plugins/floe-alert-slack/tests/it/peer.rs"]
mod peer;

use contract_tests::Row;
use floe_alert_slack::{SlackAlertPlugin, SlackConfig};
use floe_core::plugin::categories::AlertChannel as _;
use floe_otel_testkit::fixtures::contract_violation;
use floe_otel_testkit::peers::closed_port;

use super::block_on;

pub(crate) const ROW: Row = Row { package: "floe-alert-slack", succeed, fail };

fn succeed() {
    let webhook = peer::SlackWebhook::start(&[]);
    let config = SlackConfig::new(webhook.url()).with_channel("#data-alerts");
    let plugin = SlackAlertPlugin::new(config).expect("a valid config");
    block_on(plugin.send(&contract_violation())).expect("delivered");
    assert_eq!(webhook.messages().len(), 1);
}

fn fail(secret: &str) {
    let mut config = SlackConfig::new(format!("http://{}/services/T0/B0/{secret}", closed_port()));
    config.max_attempts = 1;
    let plugin = SlackAlertPlugin::new(config).expect("a valid config");
    block_on(plugin.send(&contract_violation())).expect_err("nothing listens");
}
