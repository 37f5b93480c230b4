//! floe-semantic-cube: Cube as floe's semantic layer.
//!
//! Generates Cube's data model (one YAML file per dbt model under `model/cubes/`, Cube's
//! YAML data-model syntax as Cube 1.x reads it) from a dbt `manifest.json`: a dimension per
//! column typed from its `data_type`, measures from the columns' `meta.cube.measure` tags,
//! joins and segments from the model's `meta.cube`, and a `cube.js` whose `queryRewrite`
//! filters every cube a query references on the caller's tenant claim. It also produces the
//! data-source environment, the security context, the API endpoints and a Helm values
//! override, and checks the server with `GET /readyz`. Every operation is a `semantic.*`
//! span of tracer [`telemetry::TRACER_NAME`]; secrets are only ever referenced.

pub mod config;
mod deploy;
mod error;
mod schema;
pub mod telemetry;
mod tenant;

use std::time::Duration;

use floe_core::KeyValue;
use floe_core::http::{
    Peer, PeerRequest, RetryEvents, RetryPolicy, UrlCredentials, safe_destination, split_user_info,
};
use floe_core::plugin::categories::{GeneratedFiles, SemanticLayer};
use floe_core::plugin::{
    HealthStatus, Lifecycle, Plugin, PluginCategory, PluginError, PluginMetadata, ResolvedConfig,
};
use floe_core::telemetry::{attr, describe_error, in_span, in_span_async};
use url::Url;

pub use config::{CubeConfig, DatasourceConfig, SecretRef, SecurityConfig};
pub use error::CubeError;
pub use tenant::CONFIG_FILE;

use crate::telemetry::{PROVIDER, SemanticOp, TRACER_NAME};

/// The plugin's metadata.
pub static METADATA: PluginMetadata = PluginMetadata::new(
    env!("CARGO_PKG_NAME"),
    "cube",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::SemanticLayer,
    "Cube semantic layer: data model from the dbt manifest, deployment config, readiness",
)
.with_tracer_name(TRACER_NAME)
.with_config_schema(config::schema);

fn construct(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    let config: CubeConfig = config.decode("semantic_layer/cube")?;
    Ok(Box::new(CubePlugin::new(config)?))
}

floe_core::register_plugin!(METADATA, construct);

/// The Cube semantic layer.
#[derive(Debug)]
pub struct CubePlugin {
    config: CubeConfig,
    /// The server URL without user info, path or query.
    base: Url,
    /// `/readyz` goes through floe-core's peer-call path: one time budget, a bounded
    /// body, no redirect, the answer scrubbed of the user info sent.
    peer: Peer,
    /// The server URL's user info, sent as basic auth (for a proxy that asks).
    credentials: Option<UrlCredentials>,
}

impl CubePlugin {
    /// Checks `config` and builds the HTTP client; makes no call.
    ///
    /// # Errors
    /// [`CubeError::Config`] naming the key that is not usable; a `server_url` with user
    /// info must be `https`, plain `http` to loopback, or set `allow_insecure_http`.
    pub fn new(config: CubeConfig) -> Result<Self, CubeError> {
        let invalid = |reason: &str| CubeError::Config { reason: reason.to_owned() };
        let (url, credentials) =
            split_user_info(&config.server_url).map_err(|_| invalid("server_url is not a URL"))?;
        let url = Url::parse(&url).map_err(|_| invalid("server_url is not a URL"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(invalid("server_url must be an http:// or https:// URL with a host"));
        }
        let mut base = url.clone();
        base.set_query(None);
        base.set_fragment(None);
        base.set_path("/");
        if !config.api_base_path.starts_with('/') {
            return Err(invalid("api_base_path must start with /"));
        }
        if config.datasource.kind.trim().is_empty() || config.datasource.database.trim().is_empty()
        {
            return Err(invalid("datasource.type and datasource.database must not be empty"));
        }
        if config.timeout_secs == 0 {
            return Err(invalid("timeout_secs must be at least 1"));
        }
        // Plain http is refused only when the URL's user info would travel over it.
        let insecure_ok = config.allow_insecure_http || credentials.is_none();
        let events = RetryEvents::new(attr::SEMANTIC_RETRY_EVENT, attr::SEMANTIC_ATTEMPT);
        let peer = Peer::builder(base.as_str(), insecure_ok, events)
            .map_err(|e| invalid(&format!("server_url: {}", describe_error(&e))))?
            .timeout(Duration::from_secs(config.timeout_secs))
            .max_body(READYZ_BODY_LIMIT)
            .build()
            .map_err(|e| invalid(&describe_error(&e).into_string()))?;
        Ok(Self { config, base, peer, credentials })
    }

    /// Uses `retry` for `/readyz` from now on (tests keep backoffs short).
    #[must_use]
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.peer.set_retry_policy(retry);
        self
    }

    /// `scheme://host[:port]`, never user info.
    fn base_url(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_owned()
    }

    fn server_host(&self) -> String {
        self.base.host_str().unwrap_or_default().to_owned()
    }

    fn server_port(&self) -> u16 {
        self.base.port_or_known_default().unwrap_or(4000)
    }

    /// `host[:port]` of the server, as spans record it.
    pub fn server(&self) -> String {
        safe_destination(self.base.as_str())
    }

    /// `GET /readyz`, the URL's user info sent as basic auth: ready is 200 with Cube's
    /// `{"health":"HEALTH"}`; Cube answers 500 `{"health":"DOWN"}` while its default
    /// data source does not answer.
    async fn readyz(&self) -> Result<(), CubeError> {
        let destination = self.server();
        let span_attributes = {
            let mut out = provider_attributes();
            out.push(KeyValue::new(attr::SEMANTIC_SERVER, destination.clone()));
            out
        };
        in_span_async(TRACER_NAME, SemanticOp::HealthCheck, span_attributes, |_span| async move {
            let mut request = PeerRequest::get("/readyz").accept_json();
            if let Some(credentials) = &self.credentials {
                request = request.basic(&credentials.user, &credentials.password);
            }
            let answer =
                self.peer.send(request).await.map_err(|source| CubeError::Readyz { source })?;
            if answer.status() != 200 {
                return Err(CubeError::NotReady {
                    destination,
                    status: answer.status(),
                    detail: answer.excerpt(),
                });
            }
            let health = serde_json::from_slice::<serde_json::Value>(answer.body()).ok().and_then(
                |answer| answer.get("health").and_then(|h| h.as_str()).map(str::to_owned),
            );
            if health.as_deref() == Some("HEALTH") {
                Ok(())
            } else {
                Err(CubeError::NotCube { destination })
            }
        })
        .await
    }
}

/// The most of a `/readyz` answer the check reads (Cube's is 19 bytes; a proxy's error
/// page fits): a larger answer is refused without being read past it.
const READYZ_BODY_LIMIT: usize = 64 << 10;

/// The attributes every span of the plugin starts with.
fn provider_attributes() -> Vec<KeyValue> {
    vec![KeyValue::new(attr::SEMANTIC_PROVIDER, PROVIDER)]
}

impl Plugin for CubePlugin {
    fn metadata(&self) -> &'static PluginMetadata {
        &METADATA
    }

    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        Ok(serde_json::json!({
            "provider": PROVIDER,
            "api": self.api_endpoints(),
            "datasource": self.datasource_env(),
            "security": self.security(),
            "helm_values": self.helm_values(),
        }))
    }
}

impl Lifecycle for CubePlugin {
    async fn health_check(&self) -> HealthStatus {
        match self.readyz().await {
            Ok(()) => HealthStatus::Healthy,
            Err(error) => HealthStatus::Unhealthy { reason: describe_error(&error).into_string() },
        }
    }
}

impl SemanticLayer for CubePlugin {
    type Error = CubeError;

    fn generate_schema(
        &self,
        dbt_manifest: &serde_json::Value,
    ) -> Result<GeneratedFiles, CubeError> {
        in_span(TRACER_NAME, SemanticOp::GenerateSchema, provider_attributes(), |span| {
            let cubes = schema::cubes(dbt_manifest, &self.config.include_tags)?;
            let mut files = GeneratedFiles::default();
            if let Some(text) = tenant::config_file(&self.config.security, &cubes) {
                files.files.insert(CONFIG_FILE.to_owned(), text);
            }
            let count = cubes.len();
            for cube in cubes {
                let name = cube.name.clone();
                let yaml = serde_saphyr::to_string(&schema::ModelFile { cubes: vec![cube] })
                    .map_err(|source| CubeError::Yaml { model: name.clone(), source })?;
                files.files.insert(format!("model/cubes/{name}.yml"), yaml);
            }
            span.set_attribute(KeyValue::new(
                attr::SEMANTIC_CUBES_COUNT,
                i64::try_from(count).unwrap_or(i64::MAX),
            ));
            Ok(files)
        })
    }

    fn security_context(&self) -> serde_json::Value {
        self.security()
    }

    fn datasource_config(&self) -> serde_json::Value {
        self.datasource_env()
    }

    async fn health(&self) -> Result<(), CubeError> {
        self.readyz().await
    }
}
