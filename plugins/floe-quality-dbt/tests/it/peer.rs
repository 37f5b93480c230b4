//! The peer of the dbt quality provider's tests (shared with its contract row): the real
//! dbt-core and dbt-duckdb of the test virtualenv, on a scratch copy of
//! `examples/dbt-project` whose seeds and models are built first.

use floe_core::plugin::categories::{CheckSpec, QualitySuite};
use floe_core::secret::Secret;
use floe_dbt::DbtSettings;
use floe_otel_testkit::peers::dbt::python_bytecode_cache;
use floe_otel_testkit::peers::{DbtProject, venv};
use floe_quality_dbt::DbtQualityConfig;

/// A copy of the example project with its seeds loaded and models built (one
/// `dbt build` of seeds and models; the tests are what the provider runs).
pub(crate) fn built_project() -> DbtProject {
    let project = DbtProject::copy().expect("copying the example dbt project");
    let output = project
        .dbt(&["build", "--resource-type", "seed", "--resource-type", "model"])
        .expect("scripts/setup installs dbt-core into the test virtualenv")
        .output()
        .expect("running dbt build");
    assert!(
        output.status.success(),
        "dbt build failed:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
    project
}

/// The provider's configuration for `project`, with `vars` for every dbt command.
pub(crate) fn config(project: &DbtProject, vars: Option<&str>) -> DbtQualityConfig {
    let mut dbt = DbtSettings::new(project.path());
    dbt.profiles_dir = Some(project.path().to_owned());
    dbt.target = Some("dev".to_owned());
    dbt.vars = vars.map(str::to_owned);
    dbt.venv = Some(venv().expect("scripts/setup installs dbt-core into the test virtualenv"));
    dbt.timeout_secs = 300;
    for (name, value) in python_bytecode_cache() {
        dbt.env.insert(name.to_owned(), Secret::new(value));
    }
    DbtQualityConfig { dbt, custom_tests: Vec::new() }
}

/// Where [`env_target_config`] has dbt write its artifacts, relative to the project.
pub(crate) const ENV_TARGET: &str = "quality-artifacts";

/// [`config`] with `DBT_TARGET_PATH` handed to dbt: the provider must read the manifest and
/// the results there, not in `target/` (which holds the build's older ones).
pub(crate) fn env_target_config(project: &DbtProject, vars: Option<&str>) -> DbtQualityConfig {
    let mut config = config(project, vars);
    config.dbt.env.insert("DBT_TARGET_PATH".to_owned(), Secret::new(ENV_TARGET.to_owned()));
    config
}

/// A configuration whose profile cannot open its database; its path is a libpq-style
/// connection string with the password dbt reads from the environment.
pub(crate) fn broken_config(project: &DbtProject, secret: &str) -> DbtQualityConfig {
    let profiles = project.path().join("broken-profile");
    std::fs::create_dir_all(&profiles).expect("creating the broken profile's directory");
    std::fs::write(
        profiles.join("profiles.yml"),
        "floe_demo:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \
         \"/nonexistent/host=db user=floe password={{ env_var('FLOE_WAREHOUSE_PASSWORD') }} dbname=demo\"\n",
    )
    .expect("writing the broken profile");
    let mut config = config(project, None);
    config.dbt.profiles_dir = Some(profiles);
    config.dbt.env.insert("FLOE_WAREHOUSE_PASSWORD".to_owned(), Secret::new(secret.to_owned()));
    config
}

fn check(name: &str, kind: &str, column: &str, params: serde_json::Value) -> CheckSpec {
    CheckSpec {
        name: name.to_owned(),
        kind: kind.to_owned(),
        column: Some(column.to_owned()),
        params,
    }
}

/// Four checks on `stg_orders`; the last fails when `floe_fail_on_purpose` is on.
pub(crate) fn orders_suite() -> QualitySuite {
    QualitySuite {
        name: "orders".to_owned(),
        target: "stg_orders".to_owned(),
        checks: vec![
            check("order_id_not_null", "not_null", "order_id", serde_json::Value::Null),
            check("order_id_unique", "unique", "order_id", serde_json::Value::Null),
            check(
                "amount_at_most_1000",
                "dbt_expectations.expect_column_values_to_be_between",
                "amount",
                serde_json::json!({ "max_value": 1000 }),
            ),
            check(
                "amount_below_100",
                "expect_column_values_to_be_between",
                "amount",
                serde_json::json!({ "max_value": 100 }),
            ),
        ],
    }
}

/// Every test dbt runs on `stg_customers` (no checks listed).
pub(crate) fn customers_suite() -> QualitySuite {
    QualitySuite {
        name: "customers".to_owned(),
        target: "stg_customers".to_owned(),
        checks: Vec::new(),
    }
}
