//! Tests of the Infisical plugin against a loopback server speaking the Infisical API.

mod config;
mod peer;
mod protocol;
mod tracing;

use std::time::Duration;

use floe_core::http::RetryPolicy;
use floe_secrets_infisical::{InfisicalConfig, InfisicalPlugin};

/// Short backoffs, so retry tests stay fast.
const FAST: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    initial_backoff: Duration::from_millis(5),
    max_backoff: Duration::from_millis(20),
};

/// The plugin for `api`, logging in with `client_secret`.
fn plugin(api: &peer::InfisicalApi, client_secret: &str) -> InfisicalPlugin {
    let config: InfisicalConfig =
        serde_json::from_value(api.config(client_secret)).expect("the peer's config decodes");
    InfisicalPlugin::new(&config).expect("the peer's config is valid").with_retry_policy(FAST)
}
