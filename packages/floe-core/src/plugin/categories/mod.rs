//! One trait per plugin category, with the domain types its operations take and return.
//!
//! Operations that do I/O are `async` (they return `impl Future + Send`); each trait names
//! the plugin's own error type, so plugins keep typed errors (`SlackAlertError`) and
//! callers that hold several plugins convert them to [`PluginError`](super::PluginError).
//! Every operation is traced by the implementing plugin as `<category>.<operation>`.

mod alert;
mod catalog;
mod compute;
mod dbt;
mod identity;
mod ingestion;
mod lineage;
mod orchestrator;
mod quality;
mod secrets;
mod security;
mod semantic;
mod telemetry;

pub use alert::{
    ALERT_RETRY_EVENTS, AlertChannel, AlertPeerError, AlertTarget, ContractViolation,
    DeliveryFailure, DeliveryReport, DeliveryStatus, HttpDeliveryError, Severity, WebhookUrl,
    alert_peer, deliver_http, http_delivery_status,
};
pub use catalog::{Catalog, CatalogInfo, TableIdent, TableSpec, VendedCredentials};
pub use compute::{CatalogAttachment, Compute, ConnectionReport, DbtPackage, ResourceRequirements};
pub use dbt::{DbtCommand, DbtCommandResult, DbtNodeResult, DbtOptions, DbtRunner};
pub use identity::{IdentityProvider, TokenClaims, TokenGrant, TokenResponse, UserInfo};
pub use ingestion::{Ingestion, LoadInfo, PipelineSpec, SinkSpec, WriteReport};
pub use lineage::{LineageBackend, LineageDataset, RunEvent, RunEventType};
pub use orchestrator::{GeneratedFiles, Orchestrator};
pub use quality::{CheckResult, CheckSpec, QualityProvider, QualityReport, QualitySuite};
pub use secrets::SecretsProvider;
pub use security::{
    GeneratedManifests, NetworkSecurity, PodSecurityLevel, Rbac, is_dns1123_label,
    restricted_container_security_context, restricted_pod_security_context,
};
pub use semantic::SemanticLayer;
pub use telemetry::TelemetryBackend;

/// The error type every category trait asks for.
pub trait CategoryError: std::error::Error + Send + Sync + 'static {}

impl<E: std::error::Error + Send + Sync + 'static> CategoryError for E {}
