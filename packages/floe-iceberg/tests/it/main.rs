//! Integration tests of floe-iceberg: a loopback catalog that checks request shapes, the
//! real lakana catalog, and the spans of every operation.

mod avro;
mod catalog;
mod lakana;
#[expect(dead_code, reason = "the OAuth and credential-vending parts serve floe-catalog-polaris")]
mod server;
mod tracing;
