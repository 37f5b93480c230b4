//! The plugin model: metadata, categories, the link-time registry and the common
//! lifecycle every plugin implements.
//!
//! A plugin crate registers a [`PluginDescriptor`] with [`register_plugin!`](crate::register_plugin): metadata
//! available without constructing the plugin, and a constructor from validated config.
//! The registry is collected at link time (`inventory`): there is no hand-kept list, and
//! the audit never needs a plugin to start.

pub mod categories;
mod config;
mod error;

use std::fmt;

use serde::Serialize;

pub use config::{
    ConfigReferenceError, EnvSecrets, OutOfRange, ResolvedConfig, SecretSource, check_range,
    decode_config, resolve_references,
};
pub use error::{PluginError, PluginErrorKind};

/// The floe plugin API version this build implements.
pub const FLOE_API_VERSION: &str = "1.0";

/// The kinds of plugin a platform is assembled from.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PluginCategory {
    /// Delivers contract-violation alerts (Slack, e-mail, webhooks, Alertmanager).
    AlertChannel,
    /// An Iceberg catalog.
    Catalog,
    /// The compute engine dbt runs on.
    Compute,
    /// Runs dbt.
    Dbt,
    /// Identity provider (OIDC).
    Identity,
    /// Loads data into the lakehouse.
    Ingestion,
    /// Receives OpenLineage events.
    LineageBackend,
    /// Kubernetes network policies.
    NetworkSecurity,
    /// Orchestrates runs (Dagster).
    Orchestrator,
    /// Runs data-quality checks.
    Quality,
    /// Kubernetes RBAC manifests.
    Rbac,
    /// Reads and writes secrets.
    Secrets,
    /// Semantic layer (Cube).
    SemanticLayer,
    /// Where telemetry goes (console, OTLP/Jaeger).
    TelemetryBackend,
}

impl PluginCategory {
    /// Every category, in manifest order.
    pub const ALL: [Self; 14] = [
        Self::AlertChannel,
        Self::Catalog,
        Self::Compute,
        Self::Dbt,
        Self::Identity,
        Self::Ingestion,
        Self::LineageBackend,
        Self::NetworkSecurity,
        Self::Orchestrator,
        Self::Quality,
        Self::Rbac,
        Self::Secrets,
        Self::SemanticLayer,
        Self::TelemetryBackend,
    ];

    /// The key of the category in a platform manifest's `plugins:` section.
    pub const fn manifest_key(self) -> &'static str {
        match self {
            Self::AlertChannel => "alert_channel",
            Self::Catalog => "catalog",
            Self::Compute => "compute",
            Self::Dbt => "dbt",
            Self::Identity => "identity",
            Self::Ingestion => "ingestion",
            Self::LineageBackend => "lineage_backend",
            Self::NetworkSecurity => "network_security",
            Self::Orchestrator => "orchestrator",
            Self::Quality => "quality",
            Self::Rbac => "rbac",
            Self::Secrets => "secrets",
            Self::SemanticLayer => "semantic_layer",
            Self::TelemetryBackend => "telemetry_backend",
        }
    }

    /// The category from its manifest key.
    pub fn from_manifest_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.manifest_key() == key)
    }

    /// The middle segment of tracer names (`floe.<segment>.<impl>`) and the prefix of
    /// span names and attribute keys for this category. Network security and RBAC share
    /// `security`.
    pub const fn telemetry_prefix(self) -> &'static str {
        match self {
            Self::AlertChannel => "alert",
            Self::Catalog => "catalog",
            Self::Compute => "compute",
            Self::Dbt => "dbt",
            Self::Identity => "identity",
            Self::Ingestion => "ingestion",
            Self::LineageBackend => "lineage",
            Self::NetworkSecurity | Self::Rbac => "security",
            Self::Orchestrator => "orchestrator",
            Self::Quality => "quality",
            Self::Secrets => "secrets",
            Self::SemanticLayer => "semantic",
            Self::TelemetryBackend => "telemetry",
        }
    }

    /// Whether plugins of this category are excluded from tracing by policy: they are the
    /// telemetry pipeline, and tracing them would loop.
    pub const fn excluded_from_tracing(self) -> bool {
        matches!(self, Self::TelemetryBackend)
    }
}

impl fmt::Display for PluginCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.manifest_key())
    }
}

/// What a plugin is, known without constructing it (FR-015).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct PluginMetadata {
    /// The implementation name selected in a manifest (`slack`, `duckdb`, `k8s`).
    pub name: &'static str,
    /// The crate version.
    pub version: &'static str,
    /// The floe plugin API version it was built for.
    pub api_version: &'static str,
    /// Its category.
    pub category: PluginCategory,
    /// One sentence on what it does.
    pub description: &'static str,
    /// The Rust package that provides it (`floe-alert-slack`).
    pub package: &'static str,
    #[serde(skip)]
    config_schema: fn() -> serde_json::Value,
    tracer_name: Option<&'static str>,
}

fn empty_schema() -> serde_json::Value {
    serde_json::json!({ "type": "object", "additionalProperties": false })
}

impl PluginMetadata {
    /// Metadata with no tracer name and an empty config schema.
    pub const fn new(
        package: &'static str,
        name: &'static str,
        version: &'static str,
        category: PluginCategory,
        description: &'static str,
    ) -> Self {
        Self {
            name,
            version,
            api_version: FLOE_API_VERSION,
            category,
            description,
            package,
            config_schema: empty_schema,
            tracer_name: None,
        }
    }

    /// Declares the tracer the plugin's spans come from (`floe.<category>.<impl>`).
    #[must_use]
    pub const fn with_tracer_name(mut self, tracer_name: &'static str) -> Self {
        self.tracer_name = Some(tracer_name);
        self
    }

    /// Declares the JSON schema of the plugin's config.
    #[must_use]
    pub const fn with_config_schema(mut self, schema: fn() -> serde_json::Value) -> Self {
        self.config_schema = schema;
        self
    }

    /// The tracer name, if the plugin is instrumented; `None` by default.
    pub const fn tracer_name(&self) -> Option<&'static str> {
        self.tracer_name
    }

    /// The JSON schema of the plugin's config.
    pub fn config_schema(&self) -> serde_json::Value {
        (self.config_schema)()
    }
}

/// The health of a plugin's peer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum HealthStatus {
    /// The peer answered as expected.
    Healthy,
    /// The peer answered but is not fully working.
    Degraded {
        /// Why (sanitized).
        reason: String,
    },
    /// The peer did not answer or answered with a failure.
    Unhealthy {
        /// Why (sanitized).
        reason: String,
    },
}

impl HealthStatus {
    /// Whether the status is [`HealthStatus::Healthy`].
    pub fn is_healthy(&self) -> bool {
        matches!(self, Self::Healthy)
    }
}

/// What every constructed plugin offers the compiler, object-safe so a platform can hold
/// plugins of every category side by side.
pub trait Plugin: Send + Sync + fmt::Debug {
    /// The plugin's metadata.
    fn metadata(&self) -> &'static PluginMetadata;

    /// Configuration the compiler writes into the compiled artifacts for this plugin
    /// (a dbt profile, exporter settings, ...). Never holds a secret value: secrets
    /// appear as references (`${secret:name}`) or not at all.
    ///
    /// # Errors
    /// When the configuration cannot be generated.
    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        Ok(serde_json::Value::Null)
    }
}

/// Start-up, shutdown and health of a plugin's connection to its peer.
pub trait Lifecycle {
    /// Connects or validates whatever the plugin needs before its first operation.
    ///
    /// # Errors
    /// When the peer cannot be reached or rejects the plugin's credentials.
    fn startup(&self) -> impl Future<Output = Result<(), PluginError>> + Send {
        async { Ok(()) }
    }

    /// Releases connections.
    ///
    /// # Errors
    /// When releasing fails.
    fn shutdown(&self) -> impl Future<Output = Result<(), PluginError>> + Send {
        async { Ok(()) }
    }

    /// Asks the peer whether it is healthy. An unhealthy answer is traced as an error.
    fn health_check(&self) -> impl Future<Output = HealthStatus> + Send;
}

/// Builds a plugin from its resolved config.
pub type Constructor = fn(&ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError>;

/// A registered plugin: its metadata, and how to build it.
#[derive(Debug)]
pub struct PluginDescriptor {
    /// The metadata.
    pub metadata: &'static PluginMetadata,
    /// The constructor.
    pub construct: Constructor,
}

inventory::collect!(PluginDescriptor);

/// Every plugin linked into this binary, sorted by category then name.
pub fn registered() -> Vec<&'static PluginDescriptor> {
    let mut all: Vec<_> = inventory::iter::<PluginDescriptor>.into_iter().collect();
    all.sort_by_key(|d| (d.metadata.category, d.metadata.name));
    all
}

/// The registered plugin of `category` named `name`.
pub fn find(category: PluginCategory, name: &str) -> Option<&'static PluginDescriptor> {
    registered().into_iter().find(|d| d.metadata.category == category && d.metadata.name == name)
}

/// Registers a plugin with the link-time registry.
///
/// ```
/// use floe_core::plugin::{Plugin, PluginCategory, PluginError, PluginMetadata, ResolvedConfig};
///
/// static METADATA: PluginMetadata =
///     PluginMetadata::new("floe-compute-demo", "demo", "0.1.0", PluginCategory::Compute, "a demo")
///         .with_tracer_name("floe.compute.demo");
///
/// #[derive(Debug)]
/// struct Demo;
/// impl Plugin for Demo {
///     fn metadata(&self) -> &'static PluginMetadata { &METADATA }
/// }
///
/// fn construct(_config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
///     Ok(Box::new(Demo))
/// }
///
/// floe_core::register_plugin!(METADATA, construct);
///
/// # fn main() {
/// let found = floe_core::plugin::find(PluginCategory::Compute, "demo").unwrap();
/// assert_eq!(found.metadata.tracer_name(), Some("floe.compute.demo"));
/// # }
/// ```
#[macro_export]
macro_rules! register_plugin {
    ($metadata:expr, $construct:expr) => {
        $crate::__private_inventory::submit! {
            $crate::plugin::PluginDescriptor { metadata: &$metadata, construct: $construct }
        }
    };
}
