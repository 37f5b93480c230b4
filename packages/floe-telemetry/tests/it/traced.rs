//! `#[traced]`: span names, parents, attributes, truthful status and sanitized errors, for
//! sync and async functions, methods, generics, panics and cancellation.

mod asynchronous;
mod options;
mod sync;

use floe_telemetry::Operation;
use opentelemetry::trace::SpanKind;

/// The tracer every traced function of these tests uses by default.
const TRACER_NAME: &str = "floe.test.traced";

/// A password planted in errors and arguments; it must never reach a span.
const PLANTED: &str = "FLOETEST-tr4ced-p4ss";

#[derive(Clone, Copy, Debug)]
#[expect(clippy::enum_variant_names, reason = "the spans are named after catalog operations")]
enum CatalogOp {
    CreateTable,
    LoadTable,
    CommitTable,
}

impl Operation for CatalogOp {
    fn span_name(self) -> &'static str {
        match self {
            Self::CreateTable => "catalog.create_table",
            Self::LoadTable => "catalog.load_table",
            Self::CommitTable => "catalog.commit_table",
        }
    }

    fn span_kind(self) -> SpanKind {
        SpanKind::Client
    }
}

/// An error whose message and source both carry the planted password.
#[derive(Debug, thiserror::Error)]
#[error("cannot reach catalog at {url}")]
struct Unreachable {
    url: String,
    #[source]
    source: std::io::Error,
}

fn unreachable() -> Unreachable {
    Unreachable {
        url: format!("https://floe:{PLANTED}@catalog.internal:8181/api"),
        source: std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            format!("connect: password={PLANTED}"),
        ),
    }
}

/// The sanitized description of [`unreachable`].
const UNREACHABLE_DESCRIPTION: &str = "cannot reach catalog at https://<REDACTED>@catalog.internal:8181/api: connect: password=<REDACTED>";
