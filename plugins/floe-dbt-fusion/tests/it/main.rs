//! Tests of the Fusion runner: the fallback against the real dbt-core, the Fusion path
//! against a documented contract (`peer::documented_fusion`, following dbt Fusion
//! 2.0.0-preview.176's documented CLI, clearly not the real Fusion). The dbt runs are
//! shared (`scenario`).

mod behaviour;
mod fusion_contract;
mod peer;
mod scenario;
mod tracing;
