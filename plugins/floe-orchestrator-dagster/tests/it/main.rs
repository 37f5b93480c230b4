//! Integration tests of the Dagster orchestrator plugin: generated definitions loaded by
//! the pinned Dagster, a real webserver answering GraphQL, and an in-process run whose
//! spans (exported over OTLP/HTTP) continue the trace of the span that launched it.

mod definitions;
mod peer;
mod receiver;
mod tracing;
