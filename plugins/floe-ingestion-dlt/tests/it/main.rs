//! Integration tests of the dlt ingestion plugin, driving the pinned dlt of the test
//! virtualenv into a scratch DuckDB file that the tests read back.

mod config;
mod driver;
mod peer;
mod pipelines;
mod postgres;
mod refusals;
mod tracing;

use floe_ingestion_dlt::DltPlugin;

use crate::peer::Dlt;

/// A plugin for `dlt`'s directory.
fn plugin(dlt: &Dlt) -> DltPlugin {
    DltPlugin::new(dlt.config()).expect("a valid config")
}
