//! Integration tests of the Alertmanager plugin against a real Alertmanager on loopback.

mod config;
mod delivery;
mod peer;
mod tracing;

use floe_alert_alertmanager::{AlertmanagerConfig, AlertmanagerPlugin};

/// A plugin posting to the Alertmanager at `url`, with a generator URL and a team label.
fn plugin(url: &str) -> AlertmanagerPlugin {
    let mut config = AlertmanagerConfig::new(url);
    config.generator_url = Some("https://floe.example.com/contracts".to_owned());
    config.labels.insert("team".to_owned(), "data".to_owned());
    config.timeout_secs = 5;
    AlertmanagerPlugin::new(config).expect("a valid config")
}
