//! floe-alert-alertmanager: an alert posted to a real Alertmanager on loopback and read
//! back; a forced failure to a closed port with the planted secret as bearer token.

#[path = "../../../../plugins/floe-alert-alertmanager/tests/it/peer.rs"]
mod peer;

use contract_tests::Row;
use floe_alert_alertmanager::{AlertmanagerConfig, AlertmanagerPlugin};
use floe_core::plugin::categories::AlertChannel as _;
use floe_otel_testkit::fixtures::contract_violation;
use floe_otel_testkit::peers::closed_port;

use super::block_on;

pub(crate) const ROW: Row = Row { package: "floe-alert-alertmanager", succeed, fail };

fn succeed() {
    let alertmanager = peer::Alertmanager::start();
    let plugin = AlertmanagerPlugin::new(AlertmanagerConfig::new(alertmanager.url()))
        .expect("a valid config");
    block_on(plugin.send(&contract_violation())).expect("delivered");
    assert_eq!(alertmanager.alerts().len(), 1);
}

fn fail(secret: &str) {
    let mut config = AlertmanagerConfig::new(format!("http://{}", closed_port()));
    config.bearer_token = Some(secret.to_owned().into());
    config.max_attempts = 1;
    let plugin = AlertmanagerPlugin::new(config).expect("a valid config");
    block_on(plugin.send(&contract_violation())).expect_err("nothing listens");
}
