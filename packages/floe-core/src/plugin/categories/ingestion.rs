//! Ingestion: load data into the lakehouse, and write it out to sinks.

use serde::{Deserialize, Serialize};

use super::CategoryError;

/// A pipeline to create and run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PipelineSpec {
    /// Pipeline name.
    pub name: String,
    /// Source kind (`rest_api`, `sql_database`, `filesystem`).
    pub source_type: String,
    /// Source settings.
    pub source: serde_json::Value,
    /// Destination kind (`duckdb`, `filesystem`).
    pub destination: String,
    /// Dataset (schema) name.
    pub dataset: String,
}

/// What a load did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoadInfo {
    /// The load id.
    pub load_id: String,
    /// Rows loaded.
    pub rows_loaded: u64,
    /// Bytes loaded, if reported.
    pub bytes: Option<u64>,
    /// Seconds.
    pub duration_seconds: f64,
    /// Attempts it took.
    pub attempts: u32,
}

/// A sink to write to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SinkSpec {
    /// Sink name.
    pub name: String,
    /// Sink kind.
    pub kind: String,
    /// Sink settings.
    pub settings: serde_json::Value,
}

/// What a sink write did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WriteReport {
    /// Rows written.
    pub rows_written: u64,
}

/// Loads data into the lakehouse, and writes data out.
pub trait Ingestion {
    /// The plugin's error.
    type Error: CategoryError;

    /// Creates (validates and stores) a pipeline.
    fn create_pipeline(
        &self,
        spec: &PipelineSpec,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;
    /// Runs a pipeline, retrying transient failures a bounded number of times.
    fn run_pipeline(
        &self,
        spec: &PipelineSpec,
    ) -> impl Future<Output = Result<LoadInfo, Self::Error>> + Send;
    /// Lists the sinks.
    fn list_sinks(&self) -> impl Future<Output = Result<Vec<SinkSpec>, Self::Error>> + Send;
    /// Creates a sink.
    fn create_sink(&self, sink: &SinkSpec) -> impl Future<Output = Result<(), Self::Error>> + Send;
    /// Writes rows (JSON objects) to a sink.
    fn write(
        &self,
        sink: &str,
        rows: &[serde_json::Value],
    ) -> impl Future<Output = Result<WriteReport, Self::Error>> + Send;
}
