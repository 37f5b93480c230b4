//! The fixture's testkit: it bridges spans, so it may get a tracer from the factory.

use opentelemetry::trace::TracerProvider as _;

pub fn install() {
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
    let _bridge = provider.tracer("tracing");
    floe_core::telemetry::TracerFactory::global().install(provider);
}
