//! A demo alert plugin whose metadata never declares its tracer.

mod telemetry;

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
);

floe_core::register_plugin!(METADATA, DemoPlugin::from_config);

/// The plugin.
pub struct DemoPlugin {
    channel: String,
}

impl DemoPlugin {
    /// Sends an alert.
    pub fn send(&self, text: &str) -> Result<(), std::io::Error> {
        let channel = KeyValue::new(attr::ALERT_CHANNEL, self.channel.clone());
        in_span(TRACER_NAME, AlertOp::Send, [channel], |span: &SpanRecorder| {
            span.set_attribute(KeyValue::new(attr::ALERT_DELIVERY_STATUS, "sent"));
            let _ = format!("{text}");
            Ok(())
        })
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
