//! Integration tests of floe-iceberg: a loopback catalog that checks request shapes, the
//! real lakana catalog (`floe_otel_testkit::lakana`), a hostile peer, and the spans of
//! every operation.

mod avro;
mod catalog;
mod hostile;
#[expect(dead_code, reason = "the OAuth part serves floe-catalog-polaris")]
mod server;
mod tracing;
mod vending;
