//! Lineage backends: receive OpenLineage run events.

use std::time::SystemTime;

use serde::Serialize;

use super::CategoryError;

/// The OpenLineage event types floe emits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
#[expect(missing_docs, reason = "the variants are OpenLineage's event types")]
pub enum RunEventType {
    Start,
    Complete,
    Fail,
}

impl RunEventType {
    /// `START`, `COMPLETE` or `FAIL`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Start => "START",
            Self::Complete => "COMPLETE",
            Self::Fail => "FAIL",
        }
    }
}

/// An input or output dataset.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LineageDataset {
    /// Dataset namespace (`duckdb://warehouse`).
    pub namespace: String,
    /// Dataset name (`analytics.orders`).
    pub name: String,
    /// Dataset facets.
    pub facets: serde_json::Value,
}

/// One OpenLineage run event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunEvent {
    /// START, COMPLETE or FAIL.
    pub event_type: RunEventType,
    /// When.
    pub event_time: SystemTime,
    /// The run id (a UUID).
    pub run_id: String,
    /// The job's namespace.
    pub job_namespace: String,
    /// The job's name.
    pub job_name: String,
    /// Inputs.
    pub inputs: Vec<LineageDataset>,
    /// Outputs.
    pub outputs: Vec<LineageDataset>,
    /// Run facets (an object of facet name to facet; `null` for none).
    pub run_facets: serde_json::Value,
    /// Job facets (an object of facet name to facet; `null` for none).
    pub job_facets: serde_json::Value,
}

/// An OpenLineage backend.
pub trait LineageBackend {
    /// The plugin's error.
    type Error: CategoryError;

    /// Sends one event.
    fn emit(&self, event: &RunEvent) -> impl Future<Output = Result<(), Self::Error>> + Send;
    /// The transport configuration other emitters use (secrets as references only).
    fn transport_config(&self) -> serde_json::Value;
    /// Checks the backend answers.
    fn check_connection(&self) -> impl Future<Output = Result<(), Self::Error>> + Send;
}
