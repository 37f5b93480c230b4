//! The plugin's configuration (`plugins.dbt.config` in a platform manifest): where
//! dbt-core is, which project it runs, and the environment its profile reads.
//!
//! ```yaml
//! dbt:
//!   type: core
//!   config:
//!     project_dir: examples/dbt-project
//!     profiles_dir: examples/dbt-project
//!     venv: /opt/dbt-venv              # or executable: /usr/local/bin/dbt (default: dbt on PATH)
//!     env: { DBT_ENV_SECRET_PASSWORD: "${secret:warehouse_password}" }
//! ```
//!
//! Unknown keys are rejected; `env` values are secrets.

/// The configuration: floe's shared dbt settings, the same section the other dbt plugins
/// use.
pub type DbtCoreConfig = floe_dbt::DbtSettings;
