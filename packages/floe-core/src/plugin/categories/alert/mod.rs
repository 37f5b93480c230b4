//! Alert channels: deliver a contract violation to people or systems.

mod delivery;
mod http;

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::CategoryError;

pub use delivery::{AlertTarget, DeliveryFailure};
pub use http::{
    ALERT_RETRY_EVENTS, AlertPeerError, HttpDeliveryError, WebhookUrl, alert_peer, deliver_http,
    http_delivery_status,
};

/// How bad a violation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[expect(missing_docs, reason = "the variants are the usual severity names")]
pub enum Severity {
    Info,
    Warning,
    Error,
    Critical,
}

impl Severity {
    /// The lower-case name (`critical`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
            Self::Critical => "critical",
        }
    }
}

/// A data contract was violated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContractViolation {
    /// The contract's name.
    pub contract_name: String,
    /// The contract's version.
    pub contract_version: String,
    /// What kind of violation (`schema_drift`, `freshness`, `quality`).
    pub violation_type: String,
    /// How bad it is.
    pub severity: Severity,
    /// A human-readable message.
    pub message: String,
    /// The model the violation was found in.
    pub affected_model: Option<String>,
    /// When it was detected.
    pub timestamp: SystemTime,
    /// Extra details.
    pub details: BTreeMap<String, serde_json::Value>,
}

/// How a delivery attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// The peer accepted the alert.
    Delivered,
    /// The peer answered and refused it (4xx).
    Rejected,
    /// The peer could not be reached or failed (5xx, connection refused, timeout).
    Failed,
}

impl DeliveryStatus {
    /// The value of `alert.delivery_status`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Rejected => "rejected",
            Self::Failed => "failed",
        }
    }
}

/// A successful delivery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeliveryReport {
    /// The destination in a form safe to show (host or channel name, never a URL with
    /// its secret path or an address).
    pub destination: String,
    /// How many attempts it took.
    pub attempts: u32,
}

/// Delivers contract-violation alerts.
pub trait AlertChannel {
    /// The plugin's error.
    type Error: CategoryError;

    /// Checks the configuration without sending anything.
    ///
    /// # Errors
    /// When the configuration cannot work.
    fn validate_config(&self) -> Result<(), Self::Error>;

    /// Sends one alert; a rejected or failed delivery is an error.
    fn send(
        &self,
        violation: &ContractViolation,
    ) -> impl Future<Output = Result<DeliveryReport, Self::Error>> + Send;
}
