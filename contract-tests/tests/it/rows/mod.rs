//! One module per plugin: its contract row.

pub(crate) mod secrets_infisical;
pub(crate) mod secrets_k8s;
