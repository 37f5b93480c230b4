//! Integration tests of the webhook alert plugin against a loopback CloudEvents receiver.

mod config;
mod envelope;
mod peer;
mod tracing;

use floe_alert_webhook::{WebhookAlertPlugin, WebhookConfig};

/// A plugin sending to `url`, signing with `secret` when given, with fast settings.
fn plugin(url: &str, secret: Option<&str>) -> WebhookAlertPlugin {
    let mut config = WebhookConfig::new(url);
    if let Some(secret) = secret {
        config = config.with_signing_secret(secret);
    }
    config.timeout_secs = 5;
    WebhookAlertPlugin::new(config).expect("a valid config")
}
