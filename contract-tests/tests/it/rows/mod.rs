//! One module per plugin: its contract row.

pub(crate) mod catalog_polaris;
pub(crate) mod identity_keycloak;
pub(crate) mod network_security_k8s;
pub(crate) mod rbac_k8s;
pub(crate) mod secrets_infisical;
pub(crate) mod secrets_k8s;
pub(crate) mod semantic_cube;
pub(crate) mod telemetry_console;
