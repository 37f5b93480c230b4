//! Tests of the Fusion runner: the fallback against the real dbt-core, the Fusion path
//! against a recorded CLI contract (`peer::fake_fusion`, clearly not the real Fusion).

mod behaviour;
mod fusion_contract;
mod peer;
mod tracing;
