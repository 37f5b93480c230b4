//! Lineage backends: receive OpenLineage run events.

use std::time::SystemTime;

use serde::Serialize;

use super::CategoryError;

/// The run state transitions of OpenLineage spec 2-0-2 (`RunEvent.eventType`): one `Start`
/// and one of `Complete`, `Abort` or `Fail` per run, `Running` for a run in progress, and
/// `Other` for metadata sent beside them (after the run completed, say).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
#[expect(missing_docs, reason = "the variants are OpenLineage's event types")]
pub enum RunEventType {
    Start,
    Running,
    Complete,
    Abort,
    Fail,
    Other,
}

impl RunEventType {
    /// Every event type, in the order the spec lists them.
    pub const ALL: [Self; 6] =
        [Self::Start, Self::Running, Self::Complete, Self::Abort, Self::Fail, Self::Other];

    /// The spec's name: `START`, `RUNNING`, `COMPLETE`, `ABORT`, `FAIL` or `OTHER`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Start => "START",
            Self::Running => "RUNNING",
            Self::Complete => "COMPLETE",
            Self::Abort => "ABORT",
            Self::Fail => "FAIL",
            Self::Other => "OTHER",
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
    /// The run state transition.
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
