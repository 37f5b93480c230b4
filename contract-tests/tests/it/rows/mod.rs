//! One module per plugin: its contract row.

pub(crate) mod alert_alertmanager;
pub(crate) mod alert_email;
pub(crate) mod alert_slack;
pub(crate) mod alert_webhook;
pub(crate) mod catalog_polaris;
pub(crate) mod compute_duckdb;
pub(crate) mod dbt_core;
pub(crate) mod dbt_fusion;
pub(crate) mod identity_keycloak;
pub(crate) mod ingestion_dlt;
pub(crate) mod lineage_marquez;
pub(crate) mod network_security_k8s;
pub(crate) mod orchestrator_dagster;
pub(crate) mod quality_dbt;
pub(crate) mod quality_gx;
pub(crate) mod rbac_k8s;
pub(crate) mod secrets_infisical;
pub(crate) mod secrets_k8s;
pub(crate) mod semantic_cube;
pub(crate) mod telemetry_console;
pub(crate) mod telemetry_jaeger;

/// Runs `future` to completion on the calling thread, so spans it makes belong to the
/// capture attached there.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime")
        .block_on(future)
}
