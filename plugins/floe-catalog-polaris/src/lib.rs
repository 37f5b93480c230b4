//! floe-catalog-polaris: Apache Polaris as floe's Iceberg catalog.
//!
//! Built on floe-iceberg's REST catalog client: this crate adds what Polaris needs on top
//! of the Iceberg REST protocol. A principal's `OAuth2` client credentials are exchanged
//! for a bearer token at `{uri}/v1/oauth/tokens` (or a configured token endpoint), cached
//! until shortly before it expires, and fetched again when it expired or the catalog
//! answered 401 (the call is then sent once more). The warehouse is the Polaris catalog;
//! table loads ask for vended storage credentials with `X-Iceberg-Access-Delegation`.
//!
//! Every operation is a `catalog.*` span of tracer [`telemetry::TRACER_NAME`] around the
//! floe-iceberg span of its REST call; credentials never reach a span or an error.

pub mod config;
mod error;
mod oauth;
mod ops;
pub mod telemetry;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use floe_core::http::{EndpointError, RetryPolicy, parse_base_endpoint};
use floe_core::plugin::categories::{
    Catalog, CatalogInfo, TableIdent, TableSpec, VendedCredentials,
};
use floe_core::plugin::{
    HealthStatus, Lifecycle, Plugin, PluginCategory, PluginError, PluginMetadata, ResolvedConfig,
};
use floe_iceberg::{CatalogConfig, RestCatalog};
use url::Url;

pub use config::PolarisConfig;
pub use error::PolarisError;

use crate::error::PLUGIN;

use crate::oauth::{ClientCredentials, SharedCredentials};

/// The header that asks Polaris to vend storage credentials with table loads.
pub const ACCESS_DELEGATION: (&str, &str) = ("X-Iceberg-Access-Delegation", "vended-credentials");

/// The plugin's metadata.
pub static METADATA: PluginMetadata = PluginMetadata::new(
    env!("CARGO_PKG_NAME"),
    "polaris",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::Catalog,
    "Apache Polaris Iceberg REST catalog: OAuth2 client credentials, namespaces, tables, vended credentials",
)
.with_tracer_name(telemetry::TRACER_NAME)
.with_config_schema(config::schema);

fn construct(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    let typed: PolarisConfig = config.decode(PLUGIN)?;
    let plugin = PolarisPlugin::new(&typed).map_err(|error| error.in_config(config))?;
    Ok(Box::new(plugin))
}

floe_core::register_plugin!(METADATA, construct);

/// An Apache Polaris catalog.
#[derive(Debug)]
pub struct PolarisPlugin {
    config: CatalogConfig,
    credentials: Arc<ClientCredentials>,
    token_host: String,
    vending: bool,
    connected: Mutex<Option<Arc<RestCatalog>>>,
}

impl PolarisPlugin {
    /// Checks `config` and prepares the client; makes no call.
    ///
    /// # Errors
    /// [`PolarisError::Config`] naming the key that is not usable: among others a `uri`
    /// or `token_url` over plain `http` to another machine without `allow_insecure_http`
    /// (the client secret and the tokens would cross the network in the clear).
    pub fn new(config: &PolarisConfig) -> Result<Self, PolarisError> {
        let invalid = |key, reason: &dyn std::fmt::Display| PolarisError::Config {
            key,
            reason: reason.to_string(),
        };
        if config.warehouse.trim().is_empty() {
            return Err(invalid("warehouse", &"must name a Polaris catalog"));
        }
        if config.client_id.trim().is_empty() {
            return Err(invalid("client_id", &"must not be empty"));
        }
        if config.client_secret.expose().is_empty() {
            return Err(invalid("client_secret", &"must not be empty"));
        }
        if config.timeout_secs == 0 {
            return Err(invalid("timeout_secs", &"must be at least 1"));
        }
        let insecure = config.allow_insecure_http;
        let uri = parse_base_endpoint(&config.uri, insecure).map_err(|e| invalid("uri", &e))?;
        let token_url = if let Some(url) = &config.token_url {
            parse_base_endpoint(url, insecure).map_err(|e| invalid("token_url", &e))?
        } else {
            // Polaris's default token endpoint, under the catalog URI.
            let base = uri.as_str().trim_end_matches('/');
            Url::parse(&format!("{base}/v1/oauth/tokens"))
                .map_err(|e| invalid("uri", &EndpointError::Invalid(e)))?
        };
        let timeout = Duration::from_secs(config.timeout_secs);
        let credentials = Arc::new(
            ClientCredentials::new(
                &token_url,
                insecure,
                timeout,
                config.client_id.clone(),
                config.client_secret.clone(),
                config.scope.clone(),
            )
            .map_err(|reason| invalid("token_url", &reason))?,
        );
        let catalog = CatalogConfig::new(uri.as_str())
            .map_err(|e| invalid("uri", &floe_core::telemetry::describe_error(&e)))?
            .with_warehouse(config.warehouse.clone())
            // Polaris's path prefix is the catalog's name; its `/v1/config` says so too,
            // and a catalog that does not (lakana) gets it from here.
            .with_prefix(config.warehouse.clone())
            .with_timeout(timeout)
            .allow_insecure_http(insecure)
            .with_token_provider(SharedCredentials(Arc::clone(&credentials)));
        let catalog = if config.credential_vending {
            catalog
                .with_header(ACCESS_DELEGATION.0, ACCESS_DELEGATION.1)
                .map_err(|e| invalid("credential_vending", &e))?
        } else {
            catalog
        };
        // One HTTP client for every connection of the plugin, built now.
        let catalog = catalog
            .prepared()
            .map_err(|e| invalid("uri", &floe_core::telemetry::describe_error(&e)))?;
        Ok(Self {
            config: catalog,
            credentials,
            token_host: floe_core::http::safe_destination(token_url.as_str()),
            vending: config.credential_vending,
            connected: Mutex::new(None),
        })
    }

    /// Uses `retry` for catalog and token calls instead of the default (three attempts,
    /// 200 ms doubling, within each call's `timeout_secs`).
    #[must_use]
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.credentials = Arc::new(self.credentials.with_retry_policy(retry));
        self.config = self
            .config
            .with_retry_policy(retry)
            .with_token_provider(SharedCredentials(Arc::clone(&self.credentials)));
        self
    }

    /// The catalog URI as spans record it (no user info, no query).
    pub fn uri(&self) -> &str {
        self.config.redacted_uri()
    }

    /// The Polaris catalog in use.
    pub fn warehouse(&self) -> &str {
        self.config.warehouse().unwrap_or_default()
    }
}

impl Plugin for PolarisPlugin {
    fn metadata(&self) -> &'static PluginMetadata {
        &METADATA
    }

    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        Ok(serde_json::json!({
            "type": "rest",
            "uri": self.uri(),
            "warehouse": self.warehouse(),
            "token_endpoint": self.token_host,
            "credential_vending": self.vending,
        }))
    }
}

impl Lifecycle for PolarisPlugin {
    async fn startup(&self) -> Result<(), PluginError> {
        self.connect().await.map(drop).map_err(PluginError::from)
    }

    async fn health_check(&self) -> HealthStatus {
        self.health().await
    }
}

impl Catalog for PolarisPlugin {
    type Error = PolarisError;

    async fn connect(&self) -> Result<CatalogInfo, PolarisError> {
        self.connect_traced().await
    }

    async fn create_namespace(&self, namespace: &[String]) -> Result<(), PolarisError> {
        self.namespace_create(namespace).await
    }

    async fn list_namespaces(
        &self,
        parent: Option<&[String]>,
    ) -> Result<Vec<Vec<String>>, PolarisError> {
        self.namespace_list(parent).await
    }

    async fn delete_namespace(&self, namespace: &[String]) -> Result<(), PolarisError> {
        self.namespace_drop(namespace).await
    }

    async fn create_table(&self, table: &TableIdent, spec: &TableSpec) -> Result<(), PolarisError> {
        self.table_create(table, spec).await
    }

    async fn list_tables(&self, namespace: &[String]) -> Result<Vec<TableIdent>, PolarisError> {
        self.table_list(namespace).await
    }

    async fn drop_table(&self, table: &TableIdent, purge: bool) -> Result<(), PolarisError> {
        self.table_drop(table, purge).await
    }

    async fn vend_credentials(
        &self,
        table: &TableIdent,
    ) -> Result<VendedCredentials, PolarisError> {
        self.credentials_for(table).await
    }
}
