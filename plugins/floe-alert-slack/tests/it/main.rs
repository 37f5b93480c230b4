//! Integration tests of the Slack alert plugin against a loopback incoming webhook.

mod config;
mod payload;
mod peer;
mod tracing;

use floe_alert_slack::{SlackAlertPlugin, SlackConfig};

/// A plugin posting to `url` (and naming `channel` when given).
fn plugin(url: &str, channel: Option<&str>) -> SlackAlertPlugin {
    let mut config = SlackConfig::new(url);
    config.channel = channel.map(str::to_owned);
    config.timeout_secs = 5;
    SlackAlertPlugin::new(config).expect("a valid config")
}
