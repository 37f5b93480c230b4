//! [`OtlpSpanExporter`]: the OTLP exporter [`init_telemetry`](super::init_telemetry)
//! builds, usable on its own: a telemetry backend's connection check exports an empty
//! batch with it, and tests export spans they captured.

use std::sync::Arc;
use std::time::Duration;

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
    timeout: Duration,
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
        let timeout = config.timeout();
        Ok(Self { inner: Arc::new(Inner { exporter, runtime, endpoint, timeout }) })
    }

    /// Exports `batch` (an empty one too: the collector still gets a request) and waits for
    /// the answer, bounded by the configured timeout as a whole, whatever the transport
    /// does (the HTTP one bounds itself the same way, `otlp_http::BoundedClient`).
    ///
    /// The export runs on a thread of its own, outside any async runtime: the HTTP
    /// transport blocks, and the gRPC one runs on the exporter's own runtime. When the
    /// time is up the wait ends; that thread ends when the transport gives up.
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
        let timeout = inner.timeout;
        let started = std::time::Instant::now();
        let exporting = tokio::task::spawn_blocking(move || {
            std::thread::spawn(move || {
                #[cfg(feature = "otlp-grpc")]
                let _entered = inner.runtime.as_ref().map(tokio::runtime::Runtime::enter);
                futures_executor::block_on(inner.exporter.export(batch))
            })
            .join()
        });
        let exported = tokio::time::timeout(timeout, exporting)
            .await
            .map_err(|_| fail(&format!("the collector did not answer within {timeout:?}")))?
            .map_err(|_| fail("the export task was cancelled"))?
            .map_err(|_| fail("the export thread panicked"))?;
        exported.map_err(|e| {
            // The transport's own timeout fires about when ours does, and the exporter
            // reports it as a bare `network error`: an error once the time is spent is
            // the time running out.
            if started.elapsed() >= timeout {
                fail(&format!("the collector did not answer within {timeout:?}: {e}"))
            } else {
                fail(&e.to_string())
            }
        })
    }
}
