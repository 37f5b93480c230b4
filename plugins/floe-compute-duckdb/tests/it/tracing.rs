//! The plugin's spans, from real operations on a real DuckDB database.

use std::collections::BTreeMap;

use floe_compute_duckdb::telemetry::TRACER_NAME;
use floe_compute_duckdb::{DuckDbCompute, DuckDbComputeError, DuckDbConfig};
use floe_core::SpanKind;
use floe_core::plugin::categories::{CatalogAttachment, Compute};
use floe_core::plugin::{HealthStatus, Lifecycle};
use floe_core::secret::Secret;
use floe_core::telemetry::attr;
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::{Capture, expect};

use crate::peer::Warehouse;

fn plugin(config: DuckDbConfig) -> DuckDbCompute {
    DuckDbCompute::new(config).expect("a valid test config")
}

#[tokio::test]
async fn validate_connection_is_a_client_span_naming_the_file_and_the_version() {
    let warehouse = Warehouse::create();
    let compute = plugin(DuckDbConfig::new(warehouse.path_setting()));
    let capture = Capture::start();
    let report = compute.validate_connection().await.unwrap();
    assert_eq!(report.engine_version, "v1.5.6");
    capture.assert_one(
        expect::span("compute.validate_connection")
            .root()
            .kind(SpanKind::Client)
            .scope(TRACER_NAME)
            .floe_attributes()
            .ok()
            .attr(attr::COMPUTE_ENGINE, "duckdb")
            .attr(attr::COMPUTE_DB_PATH, "warehouse.duckdb")
            .attr(attr::COMPUTE_ENGINE_VERSION, "v1.5.6")
            .without_text(warehouse.directory().to_string_lossy()),
    );
    capture.assert_conforms();
}

#[tokio::test]
async fn a_secret_setting_duckdb_echoes_back_is_removed_from_span_error_and_logs() {
    let secret = planted_secret();
    // DuckDB answers `Could not convert string '<value>' to INT64`: the value comes back.
    let echoed = duckdb::Connection::open_in_memory()
        .unwrap()
        .execute_batch(&format!("SET threads = '{secret}'"))
        .unwrap_err()
        .to_string();
    assert!(echoed.contains(&secret), "DuckDB no longer echoes the value: {echoed}");

    let warehouse = Warehouse::create();
    let mut config = DuckDbConfig::new(warehouse.path_setting());
    config.secret_settings = BTreeMap::from([("threads".to_owned(), Secret::new(secret.clone()))]);
    let compute = plugin(config);
    let capture = Capture::start();
    let err = compute.validate_connection().await.unwrap_err();
    assert!(matches!(err, DuckDbComputeError::Query { .. }), "{err:?}");
    let text = floe_core::telemetry::describe_error(&err);
    assert!(
        text.as_str()
            .contains("applying setting threads failed on the DuckDB database warehouse.duckdb"),
        "{text}"
    );
    assert!(text.as_str().contains("Could not convert string '<redacted>'"), "{text}");
    assert_text_clean("error message", &format!("{err} {err:?} {text}"), &secret);
    capture.assert_one(
        expect::span("compute.validate_connection")
            .error_containing("applying setting threads")
            .exception("DuckDbComputeError")
            .no_attr(attr::COMPUTE_ENGINE_VERSION),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[tokio::test]
async fn a_connection_string_duckdb_quotes_from_a_plain_setting_reaches_the_span_redacted() {
    // A libpq connection string put in a plain setting by mistake: DuckDB quotes it back
    // when no schema has that name. Only secret settings are scrubbed, so the sanitizer
    // alone keeps its password off the span.
    let secret = planted_secret();
    let warehouse = Warehouse::create();
    let mut config = DuckDbConfig::new(warehouse.path_setting());
    config.settings = BTreeMap::from([(
        "search_path".to_owned(),
        format!("host=db.internal dbname=warehouse user=floe password={secret}"),
    )]);
    let compute = plugin(config);
    let capture = Capture::start();

    let err = compute.validate_connection().await.unwrap_err();

    assert!(matches!(err, DuckDbComputeError::Query { .. }), "{err:?}");
    let expected = "applying setting search_path failed on the DuckDB database warehouse.duckdb: \
                    Catalog Error: SET search_path: No catalog + schema named \
                    \"host=db.internal dbname=warehouse user=floe password=<REDACTED>\" found.";
    let text = floe_core::telemetry::describe_error(&err);
    assert_eq!(text.as_str(), expected);
    capture.assert_one(
        expect::span("compute.validate_connection")
            .root()
            .scope(TRACER_NAME)
            .kind(SpanKind::Client)
            .error_description(expected)
            .exception("DuckDbComputeError")
            .attr(attr::COMPUTE_DB_PATH, "warehouse.duckdb")
            .no_attr(attr::COMPUTE_ENGINE_VERSION),
    );
    capture.assert_secret_nowhere(&secret, &[&err.to_string(), &format!("{err:?}")]);
    capture.assert_conforms();
}

#[tokio::test]
async fn a_missing_database_file_is_unhealthy_and_is_not_created() {
    let warehouse = Warehouse::create();
    let missing = warehouse.directory().join("lake.duckdb");
    let compute = plugin(DuckDbConfig::new(missing.to_string_lossy()));
    let capture = Capture::start();
    let health = compute.health_check().await;
    let HealthStatus::Unhealthy { reason } = health else {
        panic!("expected unhealthy, got {health:?}")
    };
    assert_eq!(reason, "the DuckDB database lake.duckdb does not exist");
    assert!(!missing.exists(), "the health check created the database file");
    let err = compute.validate_connection().await.unwrap_err();
    assert!(matches!(err, DuckDbComputeError::NotFound { .. }), "{err:?}");
    assert!(!missing.exists());
    capture.assert_count(
        expect::span("compute.validate_connection")
            .root()
            .scope(TRACER_NAME)
            .kind(SpanKind::Client)
            .floe_attributes()
            .error_description("the DuckDB database lake.duckdb does not exist")
            .exception("DuckDbComputeError")
            .attr(attr::COMPUTE_ENGINE, "duckdb")
            .attr(attr::COMPUTE_DB_PATH, "lake.duckdb")
            .no_attr(attr::COMPUTE_ENGINE_VERSION)
            .without_text(warehouse.directory().to_string_lossy()),
        2,
    );
    capture.assert_conforms();
}

#[tokio::test]
async fn a_file_that_is_not_a_duckdb_database_fails_to_open_without_its_directory() {
    let warehouse = Warehouse::create();
    let bogus = warehouse.directory().join("notes.duckdb");
    std::fs::write(&bogus, "these are notes, not a database\n".repeat(512)).unwrap();
    let compute = plugin(DuckDbConfig::new(bogus.to_string_lossy()));
    let capture = Capture::start();
    let health = compute.health_check().await;
    let HealthStatus::Unhealthy { reason } = health else {
        panic!("expected unhealthy, got {health:?}")
    };
    assert!(reason.starts_with("cannot open the DuckDB database notes.duckdb: "), "{reason}");
    assert!(!reason.contains(&*warehouse.directory().to_string_lossy()), "{reason}");
    let err = compute.validate_connection().await.unwrap_err();
    assert!(matches!(err, DuckDbComputeError::Open { .. }), "{err:?}");
    capture.assert_count(
        expect::span("compute.validate_connection")
            .root()
            .error_containing("cannot open the DuckDB database notes.duckdb")
            .exception("DuckDbComputeError")
            .attr(attr::COMPUTE_DB_PATH, "notes.duckdb")
            .without_text(warehouse.directory().to_string_lossy()),
        2,
    );
    capture.assert_conforms();
}

#[test]
fn a_credential_in_the_database_path_is_refused_without_being_quoted() {
    let secret = planted_secret();
    let err = DuckDbCompute::new(DuckDbConfig::new(format!("md:lake?motherduck_token={secret}")))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid duckdb config: path must not hold a query string: put credentials in secret_settings (motherduck_token)"
    );
    assert_text_clean("error message", &format!("{err:?}"), &secret);
}

#[test]
fn generate_profile_records_target_and_file_and_keeps_secret_settings_out() {
    let secret = planted_secret();
    let mut config = DuckDbConfig::new("/data/lake/warehouse.duckdb");
    config.secret_settings =
        BTreeMap::from([("s3_secret_access_key".to_owned(), Secret::new(secret.clone()))]);
    let compute = plugin(config);
    let capture = Capture::start();
    let profile = compute.generate_profile("prod").unwrap();
    assert_text_clean("generated profile", &profile.to_string(), &secret);
    capture.assert_one(
        expect::span("compute.generate_profile")
            .root()
            .kind(SpanKind::Internal)
            .ok()
            .floe_attributes()
            .attr(attr::COMPUTE_ENGINE, "duckdb")
            .attr(attr::COMPUTE_TARGET, "prod")
            .attr(attr::COMPUTE_DB_PATH, "warehouse.duckdb")
            .without_text("/data/lake"),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[test]
fn a_bad_target_ends_generate_profile_as_an_error() {
    let compute = plugin(DuckDbConfig::new(":memory:"));
    let capture = Capture::start();
    let err = compute.generate_profile("dev; rm -rf").unwrap_err();
    assert!(
        matches!(err, DuckDbComputeError::Config { ref key, .. } if key == "target"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "invalid duckdb config: target is not a target name");
    capture.assert_one(
        expect::span("compute.generate_profile")
            .root()
            .scope(TRACER_NAME)
            .error_containing("invalid duckdb config: target is not a target name")
            .exception("DuckDbComputeError")
            .attr(attr::COMPUTE_TARGET, "dev; rm -rf"),
    );
    capture.assert_conforms();
}

fn option_names(names: &[&'static str]) -> floe_core::telemetry::Array {
    names.iter().map(|n| floe_core::telemetry::StringValue::from(*n)).collect::<Vec<_>>().into()
}

fn catalog(options: &[(&str, &str)]) -> CatalogAttachment {
    CatalogAttachment {
        alias: "lake".to_owned(),
        uri: "https://catalog.example:8181/api/catalog".to_owned(),
        warehouse: "analytics".to_owned(),
        options: options.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
    }
}

#[test]
fn attach_catalog_records_alias_and_option_names_never_values_or_sql() {
    let secret = planted_secret();
    let compute = plugin(DuckDbConfig::new(":memory:"));
    let capture = Capture::start();
    let statements = compute
        .attach_catalog_sql(&catalog(&[
            ("client_id", "floe"),
            ("client_secret", &secret),
            ("oauth2_server_uri", "https://idp.example/token"),
        ]))
        .unwrap();
    assert!(
        statements.last().unwrap().contains(&secret),
        "the SQL carries the credential for DuckDB"
    );
    capture.assert_one(
        expect::span("compute.attach_catalog")
            .root()
            .ok()
            .attr(attr::COMPUTE_ENGINE, "duckdb")
            .attr(attr::COMPUTE_CATALOG_ALIAS, "lake")
            .attr(
                attr::COMPUTE_OPTION_NAMES,
                floe_core::Value::Array(option_names(&[
                    "CLIENT_ID",
                    "CLIENT_SECRET",
                    "OAUTH2_SERVER_URI",
                ])),
            )
            .without_text("ATTACH")
            .without_text("idp.example"),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[test]
fn an_option_outside_the_allow_list_ends_attach_catalog_as_an_error_without_its_value() {
    let secret = planted_secret();
    let compute = plugin(DuckDbConfig::new(":memory:"));
    let capture = Capture::start();
    let err = compute
        .attach_catalog_sql(&catalog(&[("client_id", "floe"), ("init_sql", &secret)]))
        .unwrap_err();
    assert_eq!(err.to_string(), "attach option \"init_sql\" is not allowed");
    assert_text_clean("error message", &format!("{err:?}"), &secret);
    capture.assert_one(
        expect::span("compute.attach_catalog")
            .error_description("attach option \"init_sql\" is not allowed")
            .exception("DuckDbComputeError")
            .no_attr(attr::COMPUTE_OPTION_NAMES),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[test]
fn a_bad_alias_or_option_value_ends_attach_catalog_as_an_error_naming_it() {
    let secret = planted_secret();
    let compute = plugin(DuckDbConfig::new(":memory:"));
    let capture = Capture::start();
    let mut bad_alias = catalog(&[("client_secret", &secret)]);
    bad_alias.alias = "lake\" (TYPE duckdb); --".to_owned();
    let alias = compute.attach_catalog_sql(&bad_alias).unwrap_err();
    assert!(matches!(alias, DuckDbComputeError::InvalidAlias { .. }), "{alias:?}");
    let value =
        compute.attach_catalog_sql(&catalog(&[("stage_create_tables", &secret)])).unwrap_err();
    assert!(matches!(value, DuckDbComputeError::InvalidOptionValue { .. }), "{value:?}");
    assert_eq!(value.to_string(), "attach option STAGE_CREATE_TABLES must be true or false");
    assert_text_clean("errors", &format!("{alias} {alias:?} {value} {value:?}"), &secret);
    capture.assert_one(
        expect::span("compute.attach_catalog")
            .root()
            .scope(TRACER_NAME)
            .floe_attributes()
            .error_containing("is not a SQL identifier")
            .exception("DuckDbComputeError")
            .no_attr(attr::COMPUTE_OPTION_NAMES),
    );
    capture.assert_one(
        expect::span("compute.attach_catalog")
            .root()
            .error_description("attach option STAGE_CREATE_TABLES must be true or false")
            .exception("DuckDbComputeError")
            .attr(attr::COMPUTE_CATALOG_ALIAS, "lake"),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}
