//! The contract suite over every registered plugin: one row per plugin in `rows/`.

mod rows;

contract_tests::contract_suite! {
    catalog_polaris => crate::rows::catalog_polaris::ROW,
    identity_keycloak => crate::rows::identity_keycloak::ROW,
    network_security_k8s => crate::rows::network_security_k8s::ROW,
    rbac_k8s => crate::rows::rbac_k8s::ROW,
    secrets_infisical => crate::rows::secrets_infisical::ROW,
    secrets_k8s => crate::rows::secrets_k8s::ROW,
    semantic_cube => crate::rows::semantic_cube::ROW,
    telemetry_console => crate::rows::telemetry_console::ROW,
}
