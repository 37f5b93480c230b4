//! floe-telemetry-jaeger: Jaeger as floe's telemetry backend, over OTLP.
//!
//! Jaeger's collector receives OTLP directly (gRPC on 4317, HTTP/protobuf on 4318), so the
//! plugin's job is the exporter configuration every floe process uses (endpoint from the
//! config or `OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT`, protocol, insecure flag, secret
//! headers, timeout), the Helm values that point the platform's workloads at the same
//! collector, and a connection check: a TCP connect with a timeout, then a real OTLP export
//! of an empty batch with floe-core's [`OtlpSpanExporter`], so a collector that accepts
//! connections but refuses OTLP (wrong port, missing API key) fails the check.
//!
//! Like every telemetry backend it is excluded from tracing by policy: it declares no
//! tracer and emits no span of its own, because tracing the exporter would loop.

pub mod config;

use std::time::Duration;

use floe_core::http::safe_destination;
use floe_core::plugin::categories::TelemetryBackend;
use floe_core::plugin::{
    HealthStatus, Lifecycle, Plugin, PluginCategory, PluginError, PluginErrorKind, PluginMetadata,
    ResolvedConfig,
};
use floe_core::telemetry::{
    EnvSource, ExporterConfig, OtlpConfig, OtlpProtocol, OtlpSpanExporter, ProcessEnv,
    SanitizedMessage, TelemetryConfig, describe_error,
};

pub use config::JaegerConfig;

/// The plugin's metadata: no tracer name (telemetry backends are excluded by policy).
pub static METADATA: PluginMetadata = PluginMetadata::new(
    env!("CARGO_PKG_NAME"),
    "jaeger",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::TelemetryBackend,
    "Jaeger over OTLP (gRPC or HTTP/protobuf): exporter configuration, Helm values, connection check",
)
.with_config_schema(config::schema);

fn construct(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    let config: JaegerConfig = config.decode("telemetry_backend/jaeger")?;
    let plugin = JaegerTelemetryPlugin::with_env(config, &ProcessEnv)?;
    Ok(Box::new(plugin))
}

floe_core::register_plugin!(METADATA, construct);

/// A failed Jaeger backend operation; messages name the collector by `host[:port]` only.
#[derive(Debug, thiserror::Error)]
pub enum JaegerError {
    /// The configuration is not usable.
    #[error("invalid configuration: {reason}")]
    Config {
        /// What is wrong (names the key or variable, never a header value).
        reason: String,
    },
    /// No TCP connection to the collector within the timeout.
    #[error("cannot connect to the collector at {destination}")]
    Unreachable {
        /// `host[:port]`.
        destination: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The TCP connection did not complete within the timeout.
    #[error("connecting to the collector at {destination} timed out after {timeout:?}")]
    Timeout {
        /// `host[:port]`.
        destination: String,
        /// The configured timeout.
        timeout: Duration,
    },
    /// The collector accepted a connection, but the OTLP export failed (refused, not
    /// answered in time, cut short).
    #[error("the OTLP export to the collector at {destination} failed: {reason}")]
    Export {
        /// `host[:port]`.
        destination: String,
        /// The exporter's reason, sanitized.
        reason: SanitizedMessage,
    },
}

impl JaegerError {
    /// The kind of failure.
    pub fn kind(&self) -> PluginErrorKind {
        match self {
            Self::Config { .. } => PluginErrorKind::Config,
            Self::Unreachable { .. } => PluginErrorKind::Unavailable,
            Self::Timeout { .. } => PluginErrorKind::Timeout,
            Self::Export { .. } => PluginErrorKind::Rejected,
        }
    }
}

impl From<JaegerError> for PluginError {
    fn from(error: JaegerError) -> Self {
        let kind = error.kind();
        PluginError::from_error("telemetry_backend/jaeger", kind, error)
    }
}

/// The Jaeger telemetry backend.
#[derive(Clone, Debug)]
pub struct JaegerTelemetryPlugin {
    otlp: OtlpConfig,
}

impl JaegerTelemetryPlugin {
    /// The backend for `config`, taking a missing endpoint from `env`'s
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT`.
    ///
    /// # Errors
    /// [`JaegerError::Config`] when the endpoint, a header or the timeout is not usable
    /// (the same checks telemetry start-up makes).
    pub fn with_env(config: JaegerConfig, env: &dyn EnvSource) -> Result<Self, JaegerError> {
        if config.timeout_ms == 0 {
            return Err(JaegerError::Config { reason: "timeout_ms must be at least 1".to_owned() });
        }
        let endpoint = config.endpoint.filter(|e| !e.trim().is_empty()).or_else(|| {
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"]
                .into_iter()
                .find_map(|key| env.var(key).filter(|v| !v.trim().is_empty()))
        });
        let otlp = OtlpConfig {
            protocol: config.protocol,
            endpoint: endpoint.unwrap_or_default().trim().to_owned(),
            headers: config.headers,
            insecure: config.insecure,
            timeout_ms: config.timeout_ms,
        };
        let telemetry =
            TelemetryConfig { exporter: ExporterConfig::Otlp(otlp), ..TelemetryConfig::default() };
        telemetry
            .validate()
            .map_err(|e| JaegerError::Config { reason: describe_error(&e).into_string() })?;
        let ExporterConfig::Otlp(otlp) = telemetry.exporter else {
            unreachable!("built as OTLP above")
        };
        Ok(Self { otlp })
    }

    /// The backend for `config`, reading the process environment.
    ///
    /// # Errors
    /// As [`with_env`](Self::with_env).
    pub fn new(config: JaegerConfig) -> Result<Self, JaegerError> {
        Self::with_env(config, &ProcessEnv)
    }

    /// The collector endpoint in use.
    pub fn endpoint(&self) -> &str {
        self.otlp.effective_endpoint()
    }

    /// `host[:port]` of the collector.
    pub fn destination(&self) -> String {
        safe_destination(self.endpoint())
    }

    /// An OTLP span exporter built from this configuration, as telemetry start-up builds
    /// it: what the connection check uses, and what a host can export captured spans with.
    ///
    /// # Errors
    /// [`JaegerError::Config`] when the exporter cannot be built.
    pub fn span_exporter(&self) -> Result<OtlpSpanExporter, JaegerError> {
        OtlpSpanExporter::new(&self.otlp)
            .map_err(|e| JaegerError::Config { reason: describe_error(&e).into_string() })
    }

    fn protocol_name(&self) -> &'static str {
        match self.otlp.protocol {
            OtlpProtocol::Grpc => "grpc",
            OtlpProtocol::HttpProtobuf => "http/protobuf",
        }
    }

    /// TCP connect to the collector's host and port, bounded by the timeout.
    async fn connect(&self) -> Result<(), JaegerError> {
        let destination = self.destination();
        let url = url::Url::parse(self.endpoint())
            .map_err(|_| JaegerError::Config { reason: "endpoint is not a URL".to_owned() })?;
        let host = url.host_str().unwrap_or_default().trim_matches(['[', ']']).to_owned();
        let port = url.port_or_known_default().unwrap_or(match self.otlp.protocol {
            OtlpProtocol::Grpc => 4317,
            OtlpProtocol::HttpProtobuf => 4318,
        });
        let timeout = self.otlp.timeout();
        match tokio::time::timeout(timeout, tokio::net::TcpStream::connect((host, port))).await {
            Ok(Ok(_stream)) => Ok(()),
            Ok(Err(source)) => Err(JaegerError::Unreachable { destination, source }),
            Err(_) => Err(JaegerError::Timeout { destination, timeout }),
        }
    }
}

impl Plugin for JaegerTelemetryPlugin {
    fn metadata(&self) -> &'static PluginMetadata {
        &METADATA
    }

    /// The exporter as the artifacts record it: header names only, never their values.
    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        let header_names: Vec<&String> = self.otlp.headers.keys().collect();
        Ok(serde_json::json!({
            "exporter": {
                "kind": "otlp",
                "protocol": self.protocol_name(),
                "endpoint": self.endpoint(),
                "insecure": self.otlp.insecure,
                "timeout_ms": self.otlp.timeout_ms,
                "header_names": header_names,
            }
        }))
    }
}

impl Lifecycle for JaegerTelemetryPlugin {
    async fn health_check(&self) -> HealthStatus {
        match self.validate_connection().await {
            Ok(()) => HealthStatus::Healthy,
            Err(error) => HealthStatus::Unhealthy { reason: describe_error(&error).into_string() },
        }
    }
}

impl TelemetryBackend for JaegerTelemetryPlugin {
    type Error = JaegerError;

    fn exporter_config(&self) -> ExporterConfig {
        ExporterConfig::Otlp(self.otlp.clone())
    }

    /// Workloads deployed by the platform's charts export to the same collector through
    /// the standard `OTEL_*` variables; header values are secrets and stay out of the
    /// values (a deployment mounts them from a Secret as `OTEL_EXPORTER_OTLP_HEADERS`).
    fn helm_values(&self) -> serde_json::Value {
        let mut env = vec![
            serde_json::json!({ "name": "OTEL_TRACES_EXPORTER", "value": "otlp" }),
            serde_json::json!({ "name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": self.endpoint() }),
            serde_json::json!({ "name": "OTEL_EXPORTER_OTLP_PROTOCOL", "value": self.protocol_name() }),
        ];
        if self.otlp.insecure {
            env.push(serde_json::json!({ "name": "OTEL_EXPORTER_OTLP_INSECURE", "value": "true" }));
        }
        serde_json::json!({
            "telemetry": { "exporter": "otlp", "backend": "jaeger", "env": env },
            "jaeger": {
                "collector": {
                    "service": {
                        "otlp": {
                            "grpc": { "name": "otlp-grpc", "port": 4317 },
                            "http": { "name": "otlp-http", "port": 4318 }
                        }
                    }
                }
            }
        })
    }

    /// A TCP connect within the timeout, then an OTLP export of an empty batch: the
    /// collector must answer it as OTLP, not just accept the connection.
    async fn validate_connection(&self) -> Result<(), JaegerError> {
        self.connect().await?;
        let exporter = self.span_exporter()?;
        exporter
            .export(Vec::new())
            .await
            .map_err(|e| JaegerError::Export { destination: self.destination(), reason: e.reason })
    }
}
