//! The `tracing` side of capture: `tracing` spans become OpenTelemetry spans of the capture
//! provider, and `tracing` events become log lines of the capture whose trace is current.

use std::fmt::Write as _;
use std::sync::{OnceLock, PoisonError};

use opentelemetry::Context;
use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
use tracing::field::{Field, Visit};
use tracing::{Subscriber, dispatcher};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::LookupSpan;

use super::router::{ROUTER, TRACING_TRACER, ensure_provider};

/// Whether the testkit's subscriber became the global `tracing` default.
static GLOBAL_SET: OnceLock<bool> = OnceLock::new();

/// Installs the bridge as the global `tracing` subscriber, once, unless the test binary
/// already set one; [`diagnose`] then tells the next assertion.
pub(super) fn ensure_installed() {
    GLOBAL_SET.get_or_init(|| {
        let subscriber = tracing_subscriber::registry().with(layer());
        tracing::subscriber::set_global_default(subscriber).is_ok()
    });
}

/// The testkit's `tracing` layer: `tracing` spans become spans of the capture provider
/// (through `tracing-opentelemetry`) and events become the capture's log lines.
///
/// The first [`Capture`](crate::Capture) installs it as the global `tracing` subscriber.
/// A test binary that sets a subscriber of its own (for log output, say) adds this layer
/// to it, before any capture starts, so `tracing` stays captured:
///
/// ```
/// use tracing_subscriber::layer::SubscriberExt as _;
///
/// let subscriber = tracing_subscriber::registry().with(floe_otel_testkit::tracing_layer());
/// tracing::subscriber::set_global_default(subscriber).expect("the first subscriber");
///
/// let capture = floe_otel_testkit::Capture::start();
/// tracing::info_span!("checkout.pay").in_scope(|| tracing::info!("paid"));
/// capture.assert_one(floe_otel_testkit::expect::span("checkout.pay"));
/// ```
pub fn layer<S>() -> impl Layer<S> + Send + Sync + 'static
where
    S: Subscriber + for<'span> LookupSpan<'span> + Send + Sync,
{
    let tracer = ensure_provider().tracer(TRACING_TRACER);
    tracing_opentelemetry::layer().with_tracer(tracer).and_then(LogLayer)
}

/// Why `tracing` is not captured on this thread, if it is not: the subscriber current here
/// does not hold the testkit's layer.
pub(crate) fn diagnose() -> Option<String> {
    if dispatcher::get_default(tracing::Dispatch::is::<LogLayer>) {
        return None;
    }
    let how = if GLOBAL_SET.get().copied().unwrap_or(false) {
        "the `tracing` subscriber current on this thread is not the testkit's: code set one \
         with `tracing::subscriber::set_default` or `with_default`"
    } else {
        "a `tracing` subscriber was already the global default when the first capture \
         started (`tracing_subscriber::fmt().init()`, `set_global_default`, a logging \
         helper), so the testkit could not install its own"
    };
    Some(format!(
        "{how}; `tracing` spans and events are not captured. Add the testkit's layer to that \
         subscriber, before any capture starts: \
         `tracing_subscriber::registry().with(floe_otel_testkit::tracing_layer()).with(..)`; \
         or set no subscriber in tests"
    ))
}

/// Records each event as one line in the capture that owns the current trace: the level
/// first (`WARN my_lib::sync: retried attempt=2`), so failure output can filter by it.
struct LogLayer;

impl<S: Subscriber> Layer<S> for LogLayer {
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
