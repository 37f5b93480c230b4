//! The contract suite over every registered plugin: one row per plugin in `rows/`.

mod hostile;
mod otlp_roundtrip;
mod rows;

contract_tests::contract_suite! {
    alert_alertmanager => crate::rows::alert_alertmanager::ROW,
    alert_email => crate::rows::alert_email::ROW,
    alert_slack => crate::rows::alert_slack::ROW,
    alert_webhook => crate::rows::alert_webhook::ROW,
    catalog_polaris => crate::rows::catalog_polaris::ROW,
    compute_duckdb => crate::rows::compute_duckdb::ROW,
    dbt_core => crate::rows::dbt_core::ROW,
    dbt_fusion => crate::rows::dbt_fusion::ROW,
    identity_keycloak => crate::rows::identity_keycloak::ROW,
    ingestion_dlt => crate::rows::ingestion_dlt::ROW,
    lineage_marquez => crate::rows::lineage_marquez::ROW,
    network_security_k8s => crate::rows::network_security_k8s::ROW,
    orchestrator_dagster => crate::rows::orchestrator_dagster::ROW,
    quality_dbt => crate::rows::quality_dbt::ROW,
    quality_gx => crate::rows::quality_gx::ROW,
    rbac_k8s => crate::rows::rbac_k8s::ROW,
    secrets_infisical => crate::rows::secrets_infisical::ROW,
    secrets_k8s => crate::rows::secrets_k8s::ROW,
    semantic_cube => crate::rows::semantic_cube::ROW,
    telemetry_console => crate::rows::telemetry_console::ROW,
    telemetry_jaeger => crate::rows::telemetry_jaeger::ROW,
}
