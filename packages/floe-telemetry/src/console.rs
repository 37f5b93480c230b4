//! A console span exporter: one readable line per finished span.

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::Duration;

use opentelemetry::trace::Status;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};

use super::config::ConsoleTarget;

/// Writes `span <name> [<status>] <duration> trace=<id> span=<id> parent=<id> k=v ...`.
///
/// Attribute values are printed as recorded: spans carry only sanitized or safe values,
/// which is what the rest of floe guarantees.
#[derive(Debug, Clone, Copy)]
pub struct ConsoleExporter {
    target: ConsoleTarget,
}

impl ConsoleExporter {
    /// An exporter writing to `target`.
    pub fn new(target: ConsoleTarget) -> Self {
        Self { target }
    }

    /// Formats one span the way it is printed.
    pub fn format_span(span: &SpanData) -> String {
        let mut line = format!("span {}", span.name);
        let status = match &span.status {
            Status::Unset => "unset".to_owned(),
            Status::Ok => "ok".to_owned(),
            Status::Error { description } => format!("error: {description}"),
        };
        let duration = span.end_time.duration_since(span.start_time).unwrap_or(Duration::ZERO);
        let _ = write!(
            line,
            " [{status}] {:.3}ms trace={} span={}",
            duration.as_secs_f64() * 1000.0,
            span.span_context.trace_id(),
            span.span_context.span_id()
        );
        if span.parent_span_id != opentelemetry::trace::SpanId::INVALID {
            let _ = write!(line, " parent={}", span.parent_span_id);
        }
        let mut attributes: Vec<_> = span.attributes.iter().collect();
        attributes.sort_by(|a, b| a.key.as_str().cmp(b.key.as_str()));
        for kv in attributes {
            let _ = write!(line, " {}={}", kv.key, kv.value);
        }
        line
    }
}

impl SpanExporter for ConsoleExporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let mut text = String::new();
        for span in &batch {
            text.push_str(&Self::format_span(span));
            text.push('\n');
        }
        let result = match self.target {
            ConsoleTarget::Stderr => std::io::stderr().lock().write_all(text.as_bytes()),
            ConsoleTarget::Stdout => std::io::stdout().lock().write_all(text.as_bytes()),
        };
        result.map_err(|e| opentelemetry_sdk::error::OTelSdkError::InternalFailure(e.to_string()))
    }
}
