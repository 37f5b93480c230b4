//! The peer of the dbt-core runner's tests (shared with its contract row): the real
//! dbt-core and dbt-duckdb of the test virtualenv (`scripts/setup`), on a scratch copy of
//! `examples/dbt-project`.

use floe_core::secret::Secret;
use floe_dbt::DbtSettings;
use floe_otel_testkit::peers::dbt::python_bytecode_cache;
use floe_otel_testkit::peers::{DbtProject, venv};

/// Settings that run the copied project with the virtualenv's dbt, target `dev`.
pub(crate) fn settings(project: &DbtProject) -> DbtSettings {
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

/// Settings whose profile cannot open its database: the path is a libpq-style connection
/// string whose password dbt reads from `FLOE_WAREHOUSE_PASSWORD` (handed to dbt as a
/// secret), so dbt's error quotes the password back.
pub(crate) fn broken_settings(project: &DbtProject, secret: &str) -> DbtSettings {
    let profiles = project.path().join("broken-profile");
    std::fs::create_dir_all(&profiles).expect("creating the broken profile's directory");
    std::fs::write(
        profiles.join("profiles.yml"),
        "floe_demo:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \
         \"/nonexistent/host=db user=floe password={{ env_var('FLOE_WAREHOUSE_PASSWORD') }} dbname=demo\"\n",
    )
    .expect("writing the broken profile");
    let mut settings = settings(project);
    settings.profiles_dir = Some(profiles);
    settings.env.insert("FLOE_WAREHOUSE_PASSWORD".to_owned(), Secret::new(secret.to_owned()));
    settings
}

/// Settings whose artifacts go where `DBT_TARGET_PATH` (handed to dbt in `env`) says,
/// `artifacts-from-env` in the project; the database file sits in the project root.
pub(crate) fn env_target_settings(project: &DbtProject) -> DbtSettings {
    let mut settings = settings(project);
    settings.env.insert("DBT_TARGET_PATH".to_owned(), Secret::new(ENV_TARGET.to_owned()));
    settings.env.insert("FLOE_DUCKDB_PATH".to_owned(), Secret::new(database(project)));
    settings
}

/// The target path [`env_target_settings`] sets, relative to the project.
pub(crate) const ENV_TARGET: &str = "artifacts-from-env";

/// The target path [`yml_target_settings`] writes into `dbt_project.yml`.
pub(crate) const YML_TARGET: &str = "build/dbt-artifacts";

/// Settings for a project whose `dbt_project.yml` sets `target-path: build/dbt-artifacts`.
pub(crate) fn yml_target_settings(project: &DbtProject) -> DbtSettings {
    project.set_target_path(YML_TARGET).expect("setting target-path in dbt_project.yml");
    let mut settings = settings(project);
    settings.env.insert("FLOE_DUCKDB_PATH".to_owned(), Secret::new(database(project)));
    settings
}

/// A database file in the project's root (the profile's default lies under `target/`,
/// which a project with another target path never creates).
fn database(project: &DbtProject) -> String {
    project.path().join("floe_demo.duckdb").display().to_string()
}
