//! floe-dbt: driving dbt, shared by every plugin that runs it.
//!
//! Who depends on this: the dbt runners (`floe-dbt-core`, `floe-dbt-fusion`) and the dbt
//! quality provider (`floe-quality-dbt`). Plugins never depend on each other, so the
//! process, its artifacts and its node spans live in this package, the way
//! `floe-catalog-polaris` builds on `floe-iceberg`; it depends on floe-core only, so a
//! change here rebuilds the dbt plugins and nothing else.
//!
//! - [`DbtCli`] runs one command (`dbt-core` or Fusion) with a timeout, in a
//!   `dbt.run_command` span, reads `run_results.json` into a
//!   [`DbtCommandResult`](floe_core::plugin::categories::DbtCommandResult), and emits one
//!   `dbt.node` child span per node ([`record_nodes`]), so a trace shows which model
//!   failed. Text from dbt reaches a span or an error only scrubbed of the environment's
//!   secret values and sanitized.
//! - [`Sqlfluff`] lints the project (dbt has no lint command).
//! - [`RunResults`] and [`Manifest`] are dbt's artifacts, read into the fields floe uses.
//! - [`DbtSettings`] is how a manifest says where dbt and the project are.

mod artifacts;
mod cli;
mod error;
mod launch;
mod lint;
mod nodes;
mod output;
mod settings;
mod target;
#[cfg(test)]
mod tests;

pub use artifacts::{
    ArtifactError, DependsOn, Manifest, ManifestNode, RunResult, RunResults, TestMetadata,
};
pub use cli::{DEFAULT_TIMEOUT, DbtCli, Engine};
pub use error::DbtError;
pub use lint::Sqlfluff;
pub use nodes::{TestFailures, record_nodes};
pub use settings::{DbtSettings, InvalidSetting};
