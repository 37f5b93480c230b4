//! Integration tests of the e-mail plugin against a real SMTP server (aiosmtpd) on loopback.

mod config;
mod delivery;
mod peer;
mod tracing;

use floe_alert_email::{EmailAlertPlugin, EmailConfig, TlsMode};

use crate::peer::SmtpServer;

/// A plugin sending plain SMTP to `server`, from alerts@ to `to`, with fast settings.
fn plugin(server: &SmtpServer, to: &[&str]) -> EmailAlertPlugin {
    EmailAlertPlugin::new(config(server, to)).expect("a valid config")
}

fn config(server: &SmtpServer, to: &[&str]) -> EmailConfig {
    let mut config = EmailConfig::new("127.0.0.1", "Floe Alerts <alerts@floe.example.com>", to);
    config.port = Some(server.addr().port());
    config.tls = TlsMode::None;
    config.timeout_secs = 10;
    config
}
