//! Provider set-up from a [`TelemetryConfig`], and shutdown with flush.

use opentelemetry::KeyValue;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};

use super::attributes::FloeSpanAttributes;
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
use super::config::OtlpConfig;
use super::config::{ExporterConfig, OtlpProtocol, SamplerKind, TelemetryConfig};
use super::console::ConsoleExporter;
use super::factory::TracerFactory;
use super::sanitize::sanitize_error_message;

/// Telemetry could not be started.
#[derive(Debug, thiserror::Error)]
pub enum TracerInitError {
    /// The OTLP exporter could not be built (the message is sanitized).
    #[error("cannot build the OTLP {protocol} exporter for {endpoint}: {reason}")]
    Exporter {
        /// `grpc` or `http/protobuf`.
        protocol: &'static str,
        /// The endpoint, which never carries credentials (validation rejects them).
        endpoint: String,
        /// Why, sanitized.
        reason: String,
    },
    /// The background runtime the gRPC exporter needs could not start.
    #[error("cannot start the runtime of the gRPC exporter")]
    Runtime(#[source] std::io::Error),
    /// The configuration asks for an OTLP transport this build of floe-telemetry left out.
    #[error(
        "the OTLP {protocol} exporter is not built in: enable the `{feature}` feature of floe-telemetry"
    )]
    Unsupported {
        /// `grpc` or `http/protobuf`.
        protocol: &'static str,
        /// The crate feature that builds it.
        feature: &'static str,
    },
}

/// The runtime an exporter's connection lives on (the gRPC one; none otherwise).
#[cfg(feature = "otlp-grpc")]
pub(crate) type ExporterRuntime = tokio::runtime::Runtime;
/// No exporter of this build needs a runtime.
#[cfg(not(feature = "otlp-grpc"))]
pub(crate) type ExporterRuntime = std::convert::Infallible;

/// Keeps telemetry running; flushes and shuts the provider down when dropped.
#[derive(Debug)]
#[must_use = "telemetry stops when the guard is dropped"]
pub struct TelemetryGuard {
    factory: &'static TracerFactory,
    provider: Option<SdkTracerProvider>,
    // The gRPC exporter's connection lives on this runtime; it must outlive the provider.
    #[cfg_attr(
        not(feature = "otlp-grpc"),
        expect(dead_code, reason = "only the gRPC exporter has a runtime to keep")
    )]
    runtime: Option<ExporterRuntime>,
}

impl TelemetryGuard {
    /// Whether spans are exported.
    pub fn is_enabled(&self) -> bool {
        self.provider.is_some()
    }

    /// Exports every finished span now.
    ///
    /// # Errors
    /// The exporter's error, sanitized into the message.
    pub fn flush(&self) -> Result<(), String> {
        match &self.provider {
            Some(provider) => provider
                .force_flush()
                .map_err(|e| sanitize_error_message(&e.to_string()).into_string()),
            None => Ok(()),
        }
    }

    /// Flushes, shuts the provider down and switches the factory back to no-op.
    ///
    /// # Errors
    /// The exporter's error, sanitized into the message.
    pub fn shutdown(mut self) -> Result<(), String> {
        self.stop()
    }

    fn stop(&mut self) -> Result<(), String> {
        let Some(provider) = self.provider.take() else {
            return Ok(());
        };
        self.factory.disable();
        let flushed = provider.force_flush();
        let shut = provider.shutdown();
        #[cfg(feature = "otlp-grpc")]
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
        flushed.and(shut).map_err(|e| sanitize_error_message(&e.to_string()).into_string())
    }
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        // Errors at exit cannot be reported anywhere useful; `shutdown` returns them.
        let _ = self.stop();
    }
}

/// Starts telemetry as `config` says and installs the provider in the global
/// [`TracerFactory`]; also sets the process-default [`FloeSpanAttributes`].
///
/// With telemetry disabled, or exporter `none`, nothing is installed and every tracer
/// stays a no-op.
///
/// Call once per process, at start-up. Tests do not call this: they capture spans with
/// the testkit, which installs its own provider.
///
/// # Errors
/// [`TracerInitError`] when the exporter cannot be built.
pub fn init_telemetry(config: &TelemetryConfig) -> Result<TelemetryGuard, TracerInitError> {
    FloeSpanAttributes::set_process_default(span_attributes(config));
    init_telemetry_in(TracerFactory::global(), config)
}

/// Like [`init_telemetry`], installing the provider in `factory` instead of the global
/// one and leaving the process-default attributes alone: for a host that manages its
/// own factory, and for tests that must not disturb the global one.
///
/// # Errors
/// [`TracerInitError`] when the exporter cannot be built.
pub fn init_telemetry_in(
    factory: &'static TracerFactory,
    config: &TelemetryConfig,
) -> Result<TelemetryGuard, TracerInitError> {
    if !config.enabled || matches!(config.exporter, ExporterConfig::None) {
        return Ok(TelemetryGuard { factory, provider: None, runtime: None });
    }
    let builder =
        SdkTracerProvider::builder().with_resource(resource(config)).with_sampler(sampler(config));
    let (provider, runtime) = match &config.exporter {
        ExporterConfig::None => unreachable!("handled above"),
        ExporterConfig::Console { target } => {
            (builder.with_simple_exporter(ConsoleExporter::new(*target)).build(), None)
        }
        ExporterConfig::Otlp(otlp) => {
            if let Some(refused) = Transports::BUILT.refuse(otlp.protocol) {
                return Err(refused);
            }
            #[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
            {
                let (exporter, runtime) = otlp_exporter(otlp)?;
                (builder.with_batch_exporter(exporter).build(), runtime)
            }
            #[cfg(not(any(feature = "otlp-grpc", feature = "otlp-http")))]
            unreachable!("`Transports::BUILT` refuses every protocol of a build without OTLP")
        }
    };
    factory.install(provider.clone());
    Ok(TelemetryGuard { factory, provider: Some(provider), runtime })
}

/// The [`FloeSpanAttributes`] a configuration implies.
pub fn span_attributes(config: &TelemetryConfig) -> FloeSpanAttributes {
    FloeSpanAttributes {
        namespace: config.namespace.clone().unwrap_or_else(|| "default".to_owned()),
        product_name: config.product.name.clone(),
        product_version: config.product.version.clone(),
        mode: config.mode.clone(),
    }
}

/// The resource of a configuration: service name and version, `floe.*` identity, extras.
pub fn resource(config: &TelemetryConfig) -> Resource {
    let version =
        config.service_version.clone().unwrap_or_else(|| env!("CARGO_PKG_VERSION").to_owned());
    let mut attributes = vec![KeyValue::new("service.version", version)];
    attributes.extend(span_attributes(config).to_key_values());
    attributes.extend(
        config.resource_attributes.iter().map(|(k, v)| KeyValue::new(k.clone(), v.clone())),
    );
    Resource::builder_empty()
        .with_service_name(config.service_name.clone())
        .with_attributes(attributes)
        .build()
}

fn sampler(config: &TelemetryConfig) -> Sampler {
    let ratio = config.sampling.ratio;
    match config.sampling.sampler {
        SamplerKind::AlwaysOn => Sampler::AlwaysOn,
        SamplerKind::AlwaysOff => Sampler::AlwaysOff,
        SamplerKind::Traceidratio => Sampler::TraceIdRatioBased(ratio),
        SamplerKind::ParentbasedAlwaysOn => Sampler::ParentBased(Box::new(Sampler::AlwaysOn)),
        SamplerKind::ParentbasedAlwaysOff => Sampler::ParentBased(Box::new(Sampler::AlwaysOff)),
        SamplerKind::ParentbasedTraceidratio => {
            Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(ratio)))
        }
    }
}

/// Which OTLP transports a build of this crate has (its `otlp-grpc` and `otlp-http`
/// features).
#[derive(Clone, Copy, Debug)]
struct Transports {
    grpc: bool,
    http: bool,
}

impl Transports {
    /// The transports of this build.
    const BUILT: Self =
        Self { grpc: cfg!(feature = "otlp-grpc"), http: cfg!(feature = "otlp-http") };

    /// The error for `protocol` when this build left its transport out.
    fn refuse(self, protocol: OtlpProtocol) -> Option<TracerInitError> {
        let built = match protocol {
            OtlpProtocol::HttpProtobuf => self.http,
            OtlpProtocol::Grpc => self.grpc,
        };
        (!built).then(|| unsupported(protocol))
    }
}

/// The error for a protocol whose transport is not built in.
fn unsupported(protocol: OtlpProtocol) -> TracerInitError {
    match protocol {
        OtlpProtocol::HttpProtobuf => {
            TracerInitError::Unsupported { protocol: "http/protobuf", feature: "otlp-http" }
        }
        OtlpProtocol::Grpc => {
            TracerInitError::Unsupported { protocol: "grpc", feature: "otlp-grpc" }
        }
    }
}

/// The OTLP exporter of `otlp`, and the runtime its connection lives on (gRPC only).
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) fn otlp_exporter(
    otlp: &OtlpConfig,
) -> Result<(opentelemetry_otlp::SpanExporter, Option<ExporterRuntime>), TracerInitError> {
    let endpoint = otlp.effective_endpoint().to_owned();
    let headers: std::collections::HashMap<String, String> =
        otlp.headers.iter().map(|(k, v)| (k.clone(), v.expose().clone())).collect();
    let fail = |protocol: &'static str, e: &dyn std::error::Error| TracerInitError::Exporter {
        protocol,
        endpoint: endpoint.clone(),
        reason: sanitize_error_message(&e.to_string()).into_string(),
    };
    match otlp.protocol {
        #[cfg(feature = "otlp-http")]
        OtlpProtocol::HttpProtobuf => {
            use opentelemetry_otlp::{WithExportConfig as _, WithHttpConfig as _};
            // The exporter builds a reqwest client, which panics without a TLS provider.
            crate::install_crypto_provider();
            let url = format!("{}/v1/traces", endpoint.trim_end_matches('/'));
            let timeout = otlp.timeout();
            // The exporter's own client follows redirects, resending the batch and the
            // configured headers (API keys) to wherever the answer points: build one that
            // follows none. A blocking client runs a runtime of its own, which cannot be
            // built inside an async context: build it on a thread of its own.
            let client = std::thread::spawn(move || {
                reqwest::blocking::Client::builder()
                    .timeout(timeout)
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
            })
            .join()
            .map_err(|_| TracerInitError::Exporter {
                protocol: "http/protobuf",
                endpoint: endpoint.clone(),
                reason: "building the HTTP client panicked".to_owned(),
            })?
            .map_err(|e| fail("http/protobuf", &e))?;
            let exporter = opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_http_client(crate::otlp_http::BoundedClient::new(client, timeout))
                .with_endpoint(url)
                .with_timeout(timeout)
                .with_headers(headers)
                .build()
                .map_err(|e| fail("http/protobuf", &e))?;
            Ok((exporter, None))
        }
        #[cfg(feature = "otlp-grpc")]
        OtlpProtocol::Grpc => {
            use opentelemetry_otlp::{WithExportConfig as _, WithTonicConfig as _};
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("floe-otlp")
                .enable_all()
                .build()
                .map_err(TracerInitError::Runtime)?;
            let mut metadata = tonic::metadata::MetadataMap::new();
            for (key, value) in &headers {
                let key = tonic::metadata::MetadataKey::from_bytes(key.as_bytes());
                let value = tonic::metadata::MetadataValue::try_from(value.as_str());
                if let (Ok(key), Ok(value)) = (key, value) {
                    metadata.insert(key, value);
                }
            }
            let exporter = {
                let _entered = runtime.enter();
                opentelemetry_otlp::SpanExporter::builder()
                    .with_tonic()
                    .with_endpoint(endpoint.clone())
                    .with_timeout(otlp.timeout())
                    .with_metadata(metadata)
                    .build()
                    .map_err(|e| fail("grpc", &e))?
            };
            Ok((exporter, Some(runtime)))
        }
        #[allow(
            unreachable_patterns,
            reason = "reached only when a protocol is left out of the build"
        )]
        protocol => Err(unsupported(protocol)),
    }
}

#[cfg(test)]
mod tests {
    use super::{TracerInitError, Transports, init_telemetry_in};
    use crate::{OtlpProtocol, TelemetryConfig, TracerFactory};

    // A build without a transport cannot be tested from this workspace (the dev-dependencies
    // turn every feature on), so the refusal is tested on the decision itself; CI builds the
    // crate without default features (`cargo clippy -p floe-telemetry --no-default-features`)
    // and checks its dependency tree holds no HTTP client.
    #[test]
    fn a_protocol_whose_transport_was_left_out_is_refused_naming_the_feature() {
        let none = Transports { grpc: false, http: false };
        let http = none.refuse(OtlpProtocol::HttpProtobuf).expect("http is left out");
        assert!(
            matches!(http, TracerInitError::Unsupported { feature: "otlp-http", .. }),
            "{http:?}"
        );
        assert_eq!(
            http.to_string(),
            "the OTLP http/protobuf exporter is not built in: enable the `otlp-http` feature of floe-telemetry"
        );
        let grpc = none.refuse(OtlpProtocol::Grpc).expect("grpc is left out");
        assert!(matches!(grpc, TracerInitError::Unsupported { feature: "otlp-grpc", .. }));
        let only_grpc = Transports { grpc: true, http: false };
        assert!(only_grpc.refuse(OtlpProtocol::Grpc).is_none());
        assert!(only_grpc.refuse(OtlpProtocol::HttpProtobuf).is_some());
    }

    #[test]
    fn a_configuration_without_an_exporter_starts_with_telemetry_off() {
        let factory: &'static TracerFactory = Box::leak(Box::new(TracerFactory::new()));
        let guard = init_telemetry_in(factory, &TelemetryConfig::default()).unwrap();
        assert!(!guard.is_enabled(), "no exporter configured: telemetry stays off");
        assert!(!factory.is_enabled());
    }
}
