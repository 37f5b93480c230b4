//! [`OtlpSpanExporter`]: the OTLP exporter [`init_telemetry`](super::init_telemetry)
//! builds, usable on its own: a telemetry backend's connection check exports an empty
//! batch with it, and tests export spans they captured.

use std::sync::Arc;

use opentelemetry_sdk::trace::{SpanData, SpanExporter as _};

use super::config::{OtlpConfig, OtlpProtocol};
use super::provider::{ExporterRuntime, TracerInitError, otlp_exporter};
use super::sanitize::{SanitizedMessage, sanitize_error_message};

/// An export that did not succeed.
#[derive(Debug, thiserror::Error)]
#[error("OTLP export to {endpoint} failed: {reason}")]
pub struct ExportError {
    /// The endpoint (validation keeps credentials out of it).
    pub endpoint: String,
    /// Why, sanitized.
    pub reason: SanitizedMessage,
}

/// An OTLP span exporter (gRPC or HTTP/protobuf) built exactly as telemetry start-up
/// builds it: same endpoint, headers, timeout and transport.
///
/// # Examples
/// ```no_run
/// use floe_telemetry::{OtlpConfig, OtlpSpanExporter};
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let config = OtlpConfig { endpoint: "http://127.0.0.1:4317".into(), ..OtlpConfig::default() };
/// // An empty batch: does the collector accept OTLP from us?
/// OtlpSpanExporter::new(&config)?.export(Vec::new()).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct OtlpSpanExporter {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    exporter: opentelemetry_otlp::SpanExporter,
    // The gRPC channel lives on this runtime; it must outlive the exporter's use.
    #[cfg_attr(
        not(feature = "otlp-grpc"),
        expect(dead_code, reason = "only the gRPC exporter has a runtime to keep")
    )]
    runtime: Option<ExporterRuntime>,
    endpoint: String,
}

impl Drop for Inner {
    /// Stops the gRPC runtime without waiting: the last copy of the exporter may be
    /// dropped inside an async context, where dropping a runtime panics.
    fn drop(&mut self) {
        #[cfg(feature = "otlp-grpc")]
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl OtlpSpanExporter {
    /// Builds the exporter for `config`; connects lazily, on the first export.
    ///
    /// # Errors
    /// [`TracerInitError`] when the exporter cannot be built.
    pub fn new(config: &OtlpConfig) -> Result<Self, TracerInitError> {
        let (exporter, runtime) = otlp_exporter(config)?;
        debug_assert_eq!(runtime.is_some(), config.protocol == OtlpProtocol::Grpc);
        let endpoint = config.effective_endpoint().to_owned();
        Ok(Self { inner: Arc::new(Inner { exporter, runtime, endpoint }) })
    }

    /// Exports `batch` (an empty one too: the collector still gets a request) and waits for
    /// the answer, bounded by the configured timeout.
    ///
    /// The export runs on a thread of its own, outside any async runtime: the HTTP
    /// transport blocks, and the gRPC one runs on the exporter's own runtime.
    ///
    /// # Errors
    /// [`ExportError`] with the exporter's sanitized reason.
    pub async fn export(&self, batch: Vec<SpanData>) -> Result<(), ExportError> {
        let inner = Arc::clone(&self.inner);
        let endpoint = inner.endpoint.clone();
        let fail = |reason: &str| ExportError {
            endpoint: endpoint.clone(),
            reason: sanitize_error_message(reason),
        };
        let exported = tokio::task::spawn_blocking(move || {
            std::thread::spawn(move || {
                #[cfg(feature = "otlp-grpc")]
                let _entered = inner.runtime.as_ref().map(tokio::runtime::Runtime::enter);
                futures_executor::block_on(inner.exporter.export(batch))
            })
            .join()
        })
        .await
        .map_err(|_| fail("the export task was cancelled"))?
        .map_err(|_| fail("the export thread panicked"))?;
        exported.map_err(|e| fail(&e.to_string()))
    }
}
