//! floe-secrets-k8s: Kubernetes Secrets as floe's secrets backend.
//!
//! Reads, writes, deletes and lists Secrets of one namespace through the Kubernetes API
//! (plain HTTPS with a bearer token: the configured one or the pod's service-account
//! token), and generates pod `env` specs that inject keys by `secretKeyRef`. Keys are
//! `<secret-name>/<data-key>`. Every operation is a `secrets.*` span of tracer
//! [`telemetry::TRACER_NAME`]; values and tokens never reach a span, an error or a log.
//!
//! The plugin speaks HTTP through floe-core's peer-call path (`floe_core::http::Peer`)
//! rather than the `kube` client: it needs six REST calls on one resource, and `kube`
//! would add its runtime, hyper stack and code generation to every clean build. The API
//! server must be `https`, plain `http` to this machine, or plain `http` with
//! `allow_insecure_http`; a failure's `Status` text is scrubbed of the token before it
//! is sanitized.

mod api;
pub mod config;
mod env;
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

pub use config::K8sSecretsConfig;
pub use error::K8sSecretsError;

/// The plugin's metadata.
pub static METADATA: PluginMetadata = PluginMetadata::new(
    env!("CARGO_PKG_NAME"),
    "k8s",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::Secrets,
    "Kubernetes Secrets over the Kubernetes API, and pod env specs that reference them",
)
.with_tracer_name(telemetry::TRACER_NAME)
.with_config_schema(config::schema);

fn construct(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    let typed: K8sSecretsConfig = config.decode(PLUGIN)?;
    let plugin = K8sSecretsPlugin::new(&typed).map_err(|error| error.in_config(config, PLUGIN))?;
    Ok(Box::new(plugin))
}

/// The plugin as errors name it.
const PLUGIN: &str = "secrets/k8s";

floe_core::register_plugin!(METADATA, construct);

/// Kubernetes Secrets of one namespace.
#[derive(Debug)]
pub struct K8sSecretsPlugin {
    api: api::Api,
    label_selector: Option<String>,
}

impl K8sSecretsPlugin {
    /// Checks `config` and builds the client; makes no call.
    ///
    /// # Errors
    /// [`K8sSecretsError::Config`] (naming the key) or [`K8sSecretsError::CaBundle`] for a
    /// bad config.
    pub fn new(config: &K8sSecretsConfig) -> Result<Self, K8sSecretsError> {
        Ok(Self { api: api::Api::new(config)?, label_selector: config.label_selector.clone() })
    }

    /// Uses `retry` for calls instead of the default (three attempts, 200 ms doubling,
    /// within each call's `timeout_secs`).
    #[must_use]
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.api.set_retry_policy(retry);
        self
    }

    /// The namespace the plugin works in.
    pub fn namespace(&self) -> &str {
        self.api.namespace()
    }
}

impl Plugin for K8sSecretsPlugin {
    fn metadata(&self) -> &'static PluginMetadata {
        &METADATA
    }

    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        Ok(serde_json::json!({
            "provider": telemetry::PROVIDER,
            "namespace": self.api.namespace(),
            "api_server": self.api.host(),
        }))
    }
}

impl Lifecycle for K8sSecretsPlugin {
    async fn startup(&self) -> Result<(), PluginError> {
        self.api.token().map(drop).map_err(PluginError::from)
    }

    async fn health_check(&self) -> HealthStatus {
        self.health().await
    }
}

impl SecretsProvider for K8sSecretsPlugin {
    type Error = K8sSecretsError;

    async fn get_secret(&self, key: &str) -> Result<Option<Secret<String>>, K8sSecretsError> {
        self.read(key, false).await
    }

    async fn require_secret(&self, key: &str) -> Result<Secret<String>, K8sSecretsError> {
        let found = self.read(key, true).await?;
        found.ok_or_else(|| K8sSecretsError::NotFound {
            key: key.to_owned(),
            namespace: self.api.namespace().to_owned(),
        })
    }

    async fn get_multi(
        &self,
        name: &str,
    ) -> Result<BTreeMap<String, Secret<String>>, K8sSecretsError> {
        self.read_all(name).await
    }

    async fn set_secret(&self, key: &str, value: &Secret<String>) -> Result<(), K8sSecretsError> {
        self.write(key, value).await
    }

    async fn delete_secret(&self, key: &str) -> Result<bool, K8sSecretsError> {
        self.delete(key).await
    }

    async fn list_secrets(&self, prefix: Option<&str>) -> Result<Vec<String>, K8sSecretsError> {
        self.list(prefix).await
    }

    fn pod_env_spec(&self, keys: &[&str]) -> Result<serde_json::Value, K8sSecretsError> {
        self.env_spec(keys)
    }
}
