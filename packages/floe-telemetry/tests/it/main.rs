//! Integration tests of floe-telemetry, capturing spans with the testkit: the domain span,
//! `#[traced]` through `floe_telemetry::traced` (this crate does not depend on floe-core),
//! the tracer factory, fault injection, provider set-up and the sanitizer's properties.

mod domain_span;
mod factory;
mod fault;
mod provider;
mod sanitize_corpus;
mod sanitize_props;
mod traced;
