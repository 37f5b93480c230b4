//! The `tracing` side of capture: `tracing` spans become OpenTelemetry spans of the capture
//! provider, and `tracing` events become log lines of the capture whose trace is current.

use std::fmt::Write as _;
use std::sync::PoisonError;

use opentelemetry::Context;
use opentelemetry::trace::TraceContextExt as _;
use opentelemetry_sdk::trace::SdkTracer;
use tracing::field::{Field, Visit};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::SubscriberExt as _;

use super::router::ROUTER;

/// Installs the bridge as the global `tracing` subscriber unless the test binary already
/// set one (then `tracing` spans are not captured, and the testkit does not fight it).
pub(super) fn install(tracer: SdkTracer) {
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(tracer))
        .with(LogLayer);
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// Records each event as one line in the capture that owns the current trace.
struct LogLayer;

impl<S: tracing::Subscriber> Layer<S> for LogLayer {
    fn on_event(
        &self,
        event: &tracing::Event<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let trace_id = Context::map_current(|cx| cx.span().span_context().trace_id());
        let Some(bucket) = ROUTER.bucket(trace_id) else { return };
        let meta = event.metadata();
        let mut line = format!("{} {}:", meta.level(), meta.target());
        event.record(&mut LineVisitor(&mut line));
        bucket.logs.lock().unwrap_or_else(PoisonError::into_inner).push(line);
    }
}

struct LineVisitor<'a>(&'a mut String);

impl Visit for LineVisitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, " {value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            let _ = write!(self.0, " {value}");
        } else {
            let _ = write!(self.0, " {}={value}", field.name());
        }
    }
}
