//! The peers of the Fusion runner's tests (shared with its contract row):
//! - for the fallback, the real dbt-core of the test virtualenv on a scratch copy of the
//!   example project;
//! - for the Fusion path, a DOCUMENTED CONTRACT, not the real Fusion CLI (which cannot be
//!   installed here): `tests/fusion/dbtf.py`, a stand-in `dbtf` following dbt Fusion
//!   2.0.0-preview.176's documented command line (flags, `--log-format json` events,
//!   artifact layout; its header cites the doc pages and source files). It runs the
//!   project with the virtualenv's dbt-core in process, so results are real.

use std::path::PathBuf;

use floe_core::secret::Secret;
use floe_dbt::DbtSettings;
use floe_dbt_fusion::DbtFusionConfig;
use floe_otel_testkit::fixtures::write_executable;
use floe_otel_testkit::peers::dbt::python_bytecode_cache;
use floe_otel_testkit::peers::{DbtProject, venv, venv_bin};

/// The stand-in, run by the virtualenv's Python (which has dbt-core).
const DOCUMENTED_FUSION: &str = include_str!("../fusion/dbtf.py");

/// The Fusion version whose documented contract the stand-in follows.
pub(crate) const FUSION_VERSION: &str = "2.0.0-preview.176";

/// The dbt settings of the copied project: the virtualenv's dbt-core for the fallback.
pub(crate) fn dbt_settings(project: &DbtProject) -> DbtSettings {
    let mut settings = DbtSettings::new(project.path());
    settings.profiles_dir = Some(project.path().to_owned());
    settings.target = Some("dev".to_owned());
    settings.venv = Some(venv().expect("scripts/setup installs dbt-core into the test virtualenv"));
    settings.timeout_secs = 300;
    for (name, value) in python_bytecode_cache() {
        settings.env.insert(name.to_owned(), Secret::new(value));
    }
    settings
}

/// Writes the documented-contract `dbtf` into the project copy and returns its path.
pub(crate) fn documented_fusion(project: &DbtProject) -> PathBuf {
    let python = venv_bin("python").expect("scripts/setup installs the test virtualenv");
    let bin = project.path().join("fusion-bin");
    std::fs::create_dir_all(&bin).expect("creating the stand-in's directory");
    let path = bin.join("dbtf");
    write_executable(&path, &format!("#!{}\n{DOCUMENTED_FUSION}", python.display()))
        .expect("writing the stand-in dbtf");
    path
}

/// Configuration that runs the documented-contract Fusion CLI.
pub(crate) fn fusion_config(project: &DbtProject) -> DbtFusionConfig {
    DbtFusionConfig {
        fusion_executable: Some(documented_fusion(project)),
        dbt: dbt_settings(project),
    }
}

/// Configuration whose Fusion CLI is missing: dbt-core runs instead.
pub(crate) fn fallback_config(project: &DbtProject) -> DbtFusionConfig {
    DbtFusionConfig {
        fusion_executable: Some(project.path().join("no-fusion").join("dbtf")),
        dbt: dbt_settings(project),
    }
}

/// Fusion configuration whose profile cannot open its database: the path is a
/// libpq-style connection string whose password the profile reads from
/// `FLOE_WAREHOUSE_PASSWORD` (handed to the CLI as a secret), so the error the CLI prints
/// as a JSON event quotes the password back.
pub(crate) fn failing_fusion_config(project: &DbtProject, secret: &str) -> DbtFusionConfig {
    let profiles = project.path().join("broken-profile");
    std::fs::create_dir_all(&profiles).expect("creating the broken profile's directory");
    std::fs::write(
        profiles.join("profiles.yml"),
        "floe_demo:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \
         \"/nonexistent/host=db user=floe password={{ env_var('FLOE_WAREHOUSE_PASSWORD') }} dbname=demo\"\n",
    )
    .expect("writing the broken profile");
    let mut config = fusion_config(project);
    config.dbt.profiles_dir = Some(profiles);
    config.dbt.env.insert("FLOE_WAREHOUSE_PASSWORD".to_owned(), Secret::new(secret.to_owned()));
    config
}
