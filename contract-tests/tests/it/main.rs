//! The contract suite over every registered plugin: one row per plugin in `rows/`.

mod rows;

contract_tests::contract_suite! {
    identity_keycloak => crate::rows::identity_keycloak::ROW,
    network_security_k8s => crate::rows::network_security_k8s::ROW,
    rbac_k8s => crate::rows::rbac_k8s::ROW,
    secrets_infisical => crate::rows::secrets_infisical::ROW,
    secrets_k8s => crate::rows::secrets_k8s::ROW,
    alert_alertmanager => crate::rows::alert_alertmanager::ROW,
    alert_email => crate::rows::alert_email::ROW,
    alert_slack => crate::rows::alert_slack::ROW,
    alert_webhook => crate::rows::alert_webhook::ROW,
    lineage_marquez => crate::rows::lineage_marquez::ROW,
    ingestion_dlt => crate::rows::ingestion_dlt::ROW,
    orchestrator_dagster => crate::rows::orchestrator_dagster::ROW,
}
