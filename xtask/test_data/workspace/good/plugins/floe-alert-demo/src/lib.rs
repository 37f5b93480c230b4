//! A demo alert plugin: a traced delivery, a traced configuration check, and the health
//! check floe-core traces for it.

pub mod telemetry;

use floe_core::plugin::{PluginCategory, PluginMetadata};
use floe_core::telemetry::{DomainSpan, SpanRecorder, attr, in_span};
use opentelemetry::KeyValue;

use crate::telemetry::{AlertOp, TRACER_NAME};

/// What the plugin is.
pub static METADATA: PluginMetadata = PluginMetadata::new(
    "floe-alert-demo",
    "demo",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::AlertChannel,
    "Delivers alerts nowhere.",
)
.with_tracer_name(TRACER_NAME);

floe_core::register_plugin!(METADATA, DemoPlugin::from_config);

/// A failed operation of the demo plugin.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The receiver answered and refused the alert.
    #[error("the receiver rejected the alert with status {status}")]
    Rejected {
        /// The HTTP status.
        status: u16,
    },
    /// The receiver could not be reached.
    #[error("cannot reach the receiver at {0}")]
    Unreachable(String),
    /// The configuration is not usable.
    #[error("invalid configuration: {0}")]
    Config(&'static str),
}

/// How the wire failed, before it becomes a [`DemoError`]: never what a span records.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// The receiver closed the connection.
    #[error("the receiver closed the connection")]
    Closed,
}

/// The plugin.
pub struct DemoPlugin {
    channel: String,
    receiver: String,
    status: u16,
}

impl floe_core::plugin::categories::AlertChannel for DemoPlugin {
    type Error = DemoError;

    /// Sends an alert; the span's error type is `Self::Error`.
    fn send(&self, text: &str) -> Result<(), Self::Error> {
        let channel = KeyValue::new(attr::ALERT_CHANNEL, self.channel.clone());
        in_span(TRACER_NAME, AlertOp::Send, [channel], |span: &SpanRecorder| {
            let outcome = self.deliver(text);
            let status = match &outcome {
                Ok(()) => "delivered",
                Err(DemoError::Rejected { .. }) => "rejected",
                Err(_) => "failed",
            };
            span.set_attribute(KeyValue::new(attr::ALERT_DELIVERY_STATUS, status));
            outcome
        })
    }
}

impl DemoPlugin {
    fn deliver(&self, text: &str) -> Result<(), DemoError> {
        let _ = format!("{text}");
        let answered = self.answer().map_err(|e| DemoError::Unreachable(e.to_string()))?;
        match answered {
            0 => Err(DemoError::Unreachable(self.receiver.clone())),
            200..=299 => Ok(()),
            status => Err(DemoError::Rejected { status }),
        }
    }

    fn answer(&self) -> Result<u16, WireError> {
        if self.status == 1 { Err(WireError::Closed) } else { Ok(self.status) }
    }

    /// Checks the configuration.
    pub fn validate_config(&self) -> Result<(), DemoError> {
        in_span(TRACER_NAME, AlertOp::ValidateConfig, [], |_| self.check())
    }

    fn check(&self) -> Result<(), DemoError> {
        if self.channel.is_empty() { Err(DemoError::Config("channel")) } else { Ok(()) }
    }

    /// Asks the receiver whether it is up, in floe-core's `alert.health_check` span.
    pub fn health_check(&self) -> floe_core::alert::HealthStatus {
        floe_core::alert::health_check(TRACER_NAME, || (self.status == 0).then(|| "no answer".to_owned()))
    }

    /// A helper that passes a closure on to `in_span` is not a span runner of its own.
    fn traced<T>(op: AlertOp, body: impl FnOnce(&SpanRecorder) -> Result<T, std::io::Error>) -> Result<T, std::io::Error> {
        in_span(TRACER_NAME, op, [], body)
    }

    /// Returning a started span with the plugin's attributes is allowed.
    fn validation_span(&self) -> DomainSpan {
        DomainSpan::start_with(TRACER_NAME, AlertOp::ValidateConfig, [])
    }

    /// `start` of something else, in a file that does not import `Tracer`.
    fn start_timer(&self) {
        let timer = Timer::default();
        timer.start();
        let range = 0..3;
        let _ = range.start;
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry::trace::Tracer as _;

    #[test]
    fn unit_tests_may_build_raw_spans() {
        let tracer = floe_core::telemetry::TracerFactory::global().tracer("t");
        let mut span = tracer.start("x.y");
        span.record_error(&std::io::Error::other("boom"));
    }
}
