//! `TelemetryConfig`: what the platform manifest's `telemetry:` section says, overridable by
//! the standard `OTEL_*` environment variables.

mod env;

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::secret::Secret;

pub use env::{EnvSource, ProcessEnv};

/// Telemetry settings of a platform.
///
/// # Examples
/// ```
/// use floe_telemetry::{ExporterConfig, TelemetryConfig};
///
/// let yaml = "service_name: floe-demo\nnamespace: analytics\nexporter: { kind: console }\n";
/// let config = TelemetryConfig::from_yaml(yaml).unwrap();
/// assert_eq!(config.namespace.as_deref(), Some("analytics"));
/// assert!(matches!(config.exporter, ExporterConfig::Console { .. }));
/// ```
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct TelemetryConfig {
    /// Whether spans are produced at all; `false` makes every tracer a no-op.
    pub enabled: bool,
    /// `service.name` of the resource.
    pub service_name: String,
    /// `service.version` of the resource; defaults to the floe version.
    pub service_version: Option<String>,
    /// `floe.namespace`: the data namespace this platform serves.
    pub namespace: Option<String>,
    /// `floe.product.name` and `floe.product.version`.
    pub product: ProductIdentity,
    /// `floe.mode` (for example `dev` or `prod`).
    pub mode: Option<String>,
    /// Where spans go.
    pub exporter: ExporterConfig,
    /// Which traces are kept.
    pub sampling: SamplingConfig,
    /// Extra resource attributes.
    pub resource_attributes: BTreeMap<String, String>,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            service_name: "floe".to_owned(),
            service_version: None,
            namespace: None,
            product: ProductIdentity::default(),
            mode: None,
            exporter: ExporterConfig::None,
            sampling: SamplingConfig::default(),
            resource_attributes: BTreeMap::new(),
        }
    }
}

/// The data product a platform run belongs to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProductIdentity {
    /// `floe.product.name`.
    pub name: Option<String>,
    /// `floe.product.version`.
    pub version: Option<String>,
}

/// The span exporter.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ExporterConfig {
    /// No exporter: spans are not produced.
    #[default]
    None,
    /// One readable line per finished span.
    Console {
        /// Which stream the lines go to.
        #[serde(default)]
        target: ConsoleTarget,
    },
    /// OTLP over gRPC or HTTP/protobuf.
    Otlp(OtlpConfig),
}

/// Stream of the console exporter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsoleTarget {
    /// Standard error, so command output on standard output stays parseable.
    #[default]
    Stderr,
    /// Standard output.
    Stdout,
}

/// OTLP exporter settings.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct OtlpConfig {
    /// Transport.
    pub protocol: OtlpProtocol,
    /// Collector endpoint, for example `http://127.0.0.1:4317`.
    pub endpoint: String,
    /// Request headers (often an API key): values are [`Secret`]s.
    pub headers: BTreeMap<String, Secret<String>>,
    /// Allow a plain-text connection to a non-loopback endpoint.
    pub insecure: bool,
    /// Export timeout in milliseconds.
    pub timeout_ms: u64,
}

impl Default for OtlpConfig {
    fn default() -> Self {
        Self {
            protocol: OtlpProtocol::Grpc,
            endpoint: String::new(),
            headers: BTreeMap::new(),
            insecure: false,
            timeout_ms: 10_000,
        }
    }
}

impl OtlpConfig {
    /// The endpoint to use: the configured one, or the protocol's default on loopback.
    pub fn effective_endpoint(&self) -> &str {
        if self.endpoint.is_empty() {
            match self.protocol {
                OtlpProtocol::Grpc => "http://127.0.0.1:4317",
                OtlpProtocol::HttpProtobuf => "http://127.0.0.1:4318",
            }
        } else {
            &self.endpoint
        }
    }

    /// The export timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}

/// OTLP transport.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum OtlpProtocol {
    /// gRPC (port 4317 by convention).
    #[default]
    #[serde(rename = "grpc")]
    Grpc,
    /// HTTP with protobuf bodies (port 4318 by convention).
    #[serde(rename = "http/protobuf")]
    HttpProtobuf,
}

/// Sampler settings, named like `OTEL_TRACES_SAMPLER`.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SamplingConfig {
    /// The sampler.
    pub sampler: SamplerKind,
    /// The ratio for the `traceidratio` samplers, in `[0, 1]`.
    pub ratio: f64,
}

impl Default for SamplingConfig {
    fn default() -> Self {
        Self { sampler: SamplerKind::ParentbasedAlwaysOn, ratio: 1.0 }
    }
}

/// The samplers of the OpenTelemetry specification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
#[expect(missing_docs, reason = "the variants are the specification's sampler names")]
pub enum SamplerKind {
    AlwaysOn,
    AlwaysOff,
    Traceidratio,
    ParentbasedAlwaysOn,
    ParentbasedAlwaysOff,
    ParentbasedTraceidratio,
}

impl SamplerKind {
    /// Parses an `OTEL_TRACES_SAMPLER` value.
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "always_on" => Self::AlwaysOn,
            "always_off" => Self::AlwaysOff,
            "traceidratio" => Self::Traceidratio,
            "parentbased_always_on" => Self::ParentbasedAlwaysOn,
            "parentbased_always_off" => Self::ParentbasedAlwaysOff,
            "parentbased_traceidratio" => Self::ParentbasedTraceidratio,
            _ => return None,
        })
    }
}

/// A telemetry setting that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// A key has a value that cannot be used; `key` is the manifest path or the
    /// environment variable, and `reason` never repeats a header value.
    #[error("invalid telemetry setting {key}: {reason}")]
    Invalid {
        /// The manifest key (`telemetry.sampling.ratio`) or environment variable.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// The YAML could not be read as a telemetry section.
    #[error("invalid telemetry section: {0}")]
    Yaml(String),
}

impl ConfigError {
    pub(crate) fn invalid(key: &str, reason: impl Into<String>) -> Self {
        Self::Invalid { key: key.to_owned(), reason: reason.into() }
    }
}

impl TelemetryConfig {
    /// Reads a `telemetry:` section written as YAML, then [`validate`](Self::validate)s it.
    ///
    /// # Errors
    /// [`ConfigError::Yaml`] when the text is not a valid section (unknown keys included),
    /// [`ConfigError::Invalid`] when a value is out of range.
    pub fn from_yaml(yaml: &str) -> Result<Self, ConfigError> {
        let config: Self = serde_saphyr::from_str(yaml).map_err(|e| {
            ConfigError::Yaml(crate::sanitize_error_message(&e.to_string()).into_string())
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Applies the standard `OTEL_*` environment variables on top of this configuration.
    ///
    /// Supported: `OTEL_SDK_DISABLED`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`,
    /// `OTEL_TRACES_EXPORTER`, `OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT`,
    /// `OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL`, `OTEL_EXPORTER_OTLP_[TRACES_]HEADERS`,
    /// `OTEL_EXPORTER_OTLP_[TRACES_]INSECURE`, `OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT`,
    /// `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`. The signal-specific
    /// `TRACES_` form wins over the general one.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming the variable whose value cannot be used.
    ///
    /// # Examples
    /// ```
    /// use floe_telemetry::{ExporterConfig, OtlpProtocol, TelemetryConfig};
    ///
    /// let env = |key: &str| match key {
    ///     "OTEL_EXPORTER_OTLP_ENDPOINT" => Some("http://127.0.0.1:4318".to_owned()),
    ///     "OTEL_EXPORTER_OTLP_PROTOCOL" => Some("http/protobuf".to_owned()),
    ///     _ => None,
    /// };
    /// let config = TelemetryConfig::default().with_env(&env).unwrap();
    /// let ExporterConfig::Otlp(otlp) = config.exporter else { panic!("otlp expected") };
    /// assert_eq!(otlp.protocol, OtlpProtocol::HttpProtobuf);
    /// ```
    pub fn with_env(self, env: &dyn EnvSource) -> Result<Self, ConfigError> {
        let config = env::apply(self, env)?;
        config.validate()?;
        Ok(config)
    }

    /// Checks values serde cannot check: the sampling ratio and the OTLP endpoint.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming the manifest key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let ratio = self.sampling.ratio;
        if !(0.0..=1.0).contains(&ratio) {
            return Err(ConfigError::invalid(
                "telemetry.sampling.ratio",
                format!("{ratio} is outside [0, 1]"),
            ));
        }
        if self.service_name.trim().is_empty() {
            return Err(ConfigError::invalid("telemetry.service_name", "must not be empty"));
        }
        if let ExporterConfig::Otlp(otlp) = &self.exporter {
            validate_endpoint(otlp)?;
            validate_headers(otlp)?;
        }
        Ok(())
    }
}

/// Header names must be HTTP tokens and values printable: errors name the header, never
/// its value.
fn validate_headers(otlp: &OtlpConfig) -> Result<(), ConfigError> {
    for (name, value) in &otlp.headers {
        let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        if name.is_empty() || !name.chars().all(token) {
            return Err(ConfigError::invalid(
                "telemetry.exporter.headers",
                format!("{name:?} is not a valid header name"),
            ));
        }
        if value.expose().chars().any(|c| c != '\t' && (c.is_control() || !c.is_ascii())) {
            return Err(ConfigError::invalid(
                &format!("telemetry.exporter.headers.{name}"),
                "the value holds control or non-ASCII characters",
            ));
        }
    }
    Ok(())
}

fn validate_endpoint(otlp: &OtlpConfig) -> Result<(), ConfigError> {
    const KEY: &str = "telemetry.exporter.endpoint";
    let endpoint = otlp.effective_endpoint();
    let Some((scheme, rest)) = endpoint.split_once("://") else {
        return Err(ConfigError::invalid(KEY, "must start with http:// or https://"));
    };
    if rest.contains('@') {
        return Err(ConfigError::invalid(
            KEY,
            "must not carry credentials in the URL; put them in headers",
        ));
    }
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    let host_only = host.rsplit_once(':').map_or(host, |(h, _)| h);
    let loopback = matches!(host_only, "127.0.0.1" | "localhost" | "[::1]");
    match scheme {
        "https" => Ok(()),
        "http" if loopback || otlp.insecure => Ok(()),
        "http" => Err(ConfigError::invalid(
            KEY,
            "plain http to a non-loopback host needs `insecure: true`",
        )),
        _ => Err(ConfigError::invalid(KEY, "must start with http:// or https://")),
    }
}

#[cfg(test)]
mod tests;
