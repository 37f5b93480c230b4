//! The SDK's floor for a row: the spans one run of the operation emits, recorded once, then
//! replayed as raw SDK spans (a held `SdkTracer` per instrumentation scope, the recorded
//! name, kind, attributes, events and status, cloned per span as the SDK takes them by
//! value) on the bench's provider. What the row adds over its run without telemetry is
//! compared with this for operations too short for a ratio to mean anything.

use std::borrow::Cow;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use floe_core::telemetry::TracerFactory;
use opentelemetry::trace::{Span as _, SpanKind, Status, Tracer as _, TracerProvider as _};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider, Span, SpanData, SpanProcessor};

/// Keeps every ended span.
#[derive(Debug, Default, Clone)]
struct Keep(Arc<Mutex<Vec<SpanData>>>);

impl SpanProcessor for Keep {
    fn on_start(&self, _span: &mut Span, _cx: &Context) {}

    fn on_end(&self, span: SpanData) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }
}

/// One recorded span, ready to be replayed.
struct Recorded {
    tracer: SdkTracer,
    name: Cow<'static, str>,
    kind: SpanKind,
    attributes: Vec<KeyValue>,
    events: Vec<(Cow<'static, str>, Vec<KeyValue>)>,
    status: Status,
}

/// The spans of one run of an operation, as raw SDK spans on `provider`.
pub(crate) struct RawSpans(Vec<Recorded>);

impl RawSpans {
    /// Runs `op` once with a provider that keeps its spans, and prepares them for replay on
    /// `provider` (in the order they started: parents before children).
    pub(crate) fn record(op: &mut dyn FnMut(), provider: &SdkTracerProvider) -> Self {
        let keep = Keep::default();
        let recording = SdkTracerProvider::builder().with_span_processor(keep.clone()).build();
        TracerFactory::global().install(recording.clone());
        op();
        TracerFactory::global().disable();
        let _ = recording.shutdown();
        let mut spans = std::mem::take(&mut *keep.0.lock().unwrap_or_else(PoisonError::into_inner));
        spans.sort_by_key(|s| s.start_time);
        Self(
            spans
                .into_iter()
                .map(|span| Recorded {
                    tracer: provider.tracer_with_scope(span.instrumentation_scope.clone()),
                    name: span.name,
                    kind: span.span_kind,
                    attributes: span.attributes,
                    events: span
                        .events
                        .events
                        .into_iter()
                        .map(|e| (e.name, e.attributes))
                        .collect(),
                    status: span.status,
                })
                .collect(),
        )
    }

    /// How many spans one run emits.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Emits the recorded spans once.
    pub(crate) fn replay(&self) {
        for recorded in &self.0 {
            let mut span = recorded
                .tracer
                .span_builder(recorded.name.clone())
                .with_kind(recorded.kind.clone())
                .with_attributes(recorded.attributes.clone())
                .start(&recorded.tracer);
            for (name, attributes) in &recorded.events {
                span.add_event(name.clone(), attributes.clone());
            }
            span.set_status(recorded.status.clone());
            span.end();
        }
    }
}
