//! floe-alert-email: a mail delivered to a real SMTP server (aiosmtpd) on loopback and read
//! back; a forced failure to a closed port with the planted secret as SMTP password.

#[path = "../../../../plugins/floe-alert-email/tests/it/peer.rs"]
#[expect(dead_code, reason = "the row needs no STARTTLS, so not the peer's certificate")]
mod peer;

use contract_tests::Row;
use floe_alert_email::{EmailAlertPlugin, EmailConfig, TlsMode};
use floe_core::plugin::categories::AlertChannel as _;
use floe_otel_testkit::fixtures::contract_violation;
use floe_otel_testkit::peers::closed_port;

use super::block_on;

pub(crate) const ROW: Row = Row { package: "floe-alert-email", succeed, fail };

fn config(port: u16) -> EmailConfig {
    let mut config =
        EmailConfig::new("127.0.0.1", "alerts@floe.example.com", &["oncall@data.example.com"]);
    config.port = Some(port);
    config.tls = TlsMode::None;
    config
}

fn succeed() {
    let server = peer::SmtpServer::start(peer::SmtpOptions::default());
    let plugin = EmailAlertPlugin::new(config(server.addr().port())).expect("a valid config");
    block_on(plugin.send(&contract_violation())).expect("delivered");
    assert_eq!(server.received().len(), 1);
}

fn fail(secret: &str) {
    let mut config = config(closed_port().port());
    config.username = Some("floe".to_owned());
    config.password = Some(secret.to_owned().into());
    config.max_attempts = 1;
    let plugin = EmailAlertPlugin::new(config).expect("a valid config");
    block_on(plugin.send(&contract_violation())).expect_err("nothing listens");
}
