//! floe-secrets-infisical: Infisical as floe's secrets backend.
//!
//! A machine identity logs in with Universal Auth (client id and secret for an access
//! token, renewed before it expires, a fresh login when Infisical refuses it) and reads,
//! writes (get, then create or update), deletes and lists secrets of one project
//! environment over the REST API (`/api/v3/secrets/raw`). Keys are `NAME` or
//! `folder/.../NAME`, relative to the configured `secret_path`. Every operation is a
//! `secrets.*` span of tracer [`telemetry::TRACER_NAME`]; values, the client secret and
//! tokens never reach a span, an error or a log.
//!
//! Every call goes through floe-core's peer-call path (`floe_core::http::Peer`): the
//! instance must be `https`, plain `http` to this machine, or plain `http` with
//! `allow_insecure_http`, and Infisical's error message is scrubbed of every credential
//! the call sent before it is sanitized. A create that loses a race with another writer
//! ("already exists") becomes an update.

mod api;
pub mod config;
mod error;
mod ops;
pub mod telemetry;

use std::collections::BTreeMap;

use floe_core::http::RetryPolicy;
use floe_core::plugin::categories::SecretsProvider;
use floe_core::plugin::{
    HealthStatus, Lifecycle, Plugin, PluginCategory, PluginError, PluginMetadata, ResolvedConfig,
};
use floe_core::secret::Secret;

pub use config::InfisicalConfig;
pub use error::InfisicalError;

/// The plugin's metadata.
pub static METADATA: PluginMetadata = PluginMetadata::new(
    env!("CARGO_PKG_NAME"),
    "infisical",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::Secrets,
    "Infisical secrets over the REST API with a Universal Auth machine identity",
)
.with_tracer_name(telemetry::TRACER_NAME)
.with_config_schema(config::schema);

fn construct(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    let typed: InfisicalConfig = config.decode(PLUGIN)?;
    let plugin = InfisicalPlugin::new(&typed).map_err(|error| error.in_config(config, PLUGIN))?;
    Ok(Box::new(plugin))
}

/// The plugin as errors name it.
const PLUGIN: &str = "secrets/infisical";

floe_core::register_plugin!(METADATA, construct);

/// Secrets of one Infisical project environment.
#[derive(Debug)]
pub struct InfisicalPlugin {
    api: api::Infisical,
    project_id: String,
    environment: String,
    secret_path: String,
    managed_secret_name: Option<String>,
}

impl InfisicalPlugin {
    /// Checks `config` and builds the client; makes no call (the first operation logs in).
    ///
    /// # Errors
    /// [`InfisicalError::Config`] for a bad config.
    pub fn new(config: &InfisicalConfig) -> Result<Self, InfisicalError> {
        let secret_path = ops::normalize_path(&config.secret_path)?;
        for (key, value) in
            [("project_id", &config.project_id), ("environment", &config.environment)]
        {
            if value.trim().is_empty() {
                return Err(InfisicalError::Config { key, reason: "must not be empty".to_owned() });
            }
        }
        Ok(Self {
            api: api::Infisical::new(config)?,
            project_id: config.project_id.clone(),
            environment: config.environment.clone(),
            secret_path,
            managed_secret_name: config.managed_secret_name.clone(),
        })
    }

    /// Uses `retry` for calls instead of the default (three attempts, 200 ms doubling,
    /// within each call's `timeout_secs`).
    #[must_use]
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.api.set_retry_policy(retry);
        self
    }
}

impl Plugin for InfisicalPlugin {
    fn metadata(&self) -> &'static PluginMetadata {
        &METADATA
    }

    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        Ok(serde_json::json!({
            "provider": telemetry::PROVIDER,
            "site": self.api.host(),
            "project_id": self.project_id,
            "environment": self.environment,
            "secret_path": self.secret_path,
        }))
    }
}

impl Lifecycle for InfisicalPlugin {
    async fn startup(&self) -> Result<(), PluginError> {
        self.api.access_token().await.map(drop).map_err(PluginError::from)
    }

    async fn health_check(&self) -> HealthStatus {
        self.health().await
    }
}

impl SecretsProvider for InfisicalPlugin {
    type Error = InfisicalError;

    async fn get_secret(&self, key: &str) -> Result<Option<Secret<String>>, InfisicalError> {
        self.read(key, false).await
    }

    async fn require_secret(&self, key: &str) -> Result<Secret<String>, InfisicalError> {
        let found = self.read(key, true).await?;
        found.ok_or_else(|| InfisicalError::NotFound {
            key: key.to_owned(),
            environment: self.environment.clone(),
        })
    }

    async fn get_multi(
        &self,
        folder: &str,
    ) -> Result<BTreeMap<String, Secret<String>>, InfisicalError> {
        self.read_folder(folder).await
    }

    async fn set_secret(&self, key: &str, value: &Secret<String>) -> Result<(), InfisicalError> {
        self.write(key, value).await
    }

    async fn delete_secret(&self, key: &str) -> Result<bool, InfisicalError> {
        self.delete(key).await
    }

    async fn list_secrets(&self, prefix: Option<&str>) -> Result<Vec<String>, InfisicalError> {
        self.list(prefix).await
    }

    fn pod_env_spec(&self, keys: &[&str]) -> Result<serde_json::Value, InfisicalError> {
        self.env_spec(keys)
    }
}
