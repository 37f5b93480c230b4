//! Tests of the Keycloak plugin against its real peer, oidc-provider serving Keycloak's
//! realm paths and token shape (`provider.rs`), and a spec-checked loopback OpenID Connect
//! server for what that provider cannot produce (`peer.rs`).

mod config;
mod hardening;
mod peer;
mod protocol;
mod provider;
mod tracing;

use std::time::Duration;

use floe_core::http::RetryPolicy;
use floe_identity_keycloak::{KeycloakConfig, KeycloakPlugin};

/// Short backoffs, so retry tests stay fast.
const FAST: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    initial_backoff: Duration::from_millis(5),
    max_backoff: Duration::from_millis(20),
};

/// The plugin for `server`'s realm `floe` with `client_secret`.
fn plugin(server: &peer::OidcServer, client_secret: &str) -> KeycloakPlugin {
    plugin_with(server.config(client_secret))
}

/// The plugin for a config.
fn plugin_with(config: serde_json::Value) -> KeycloakPlugin {
    let config: KeycloakConfig = serde_json::from_value(config).expect("the config decodes");
    KeycloakPlugin::new(&config).expect("the config is valid").with_retry_policy(FAST)
}
