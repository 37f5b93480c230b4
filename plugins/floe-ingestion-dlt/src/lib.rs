//! floe-ingestion-dlt: ingestion pipelines run by dlt (pinned, in a Python virtualenv)
//! from a declared source (`filesystem` CSV/JSONL files, `rest_api`, `sql_database`) into
//! DuckDB or a filesystem destination, and sinks that rows are written out to.
//!
//! Each operation runs `driver.py` in the configured interpreter, which prints dlt's load
//! info as one JSON line (rows, bytes, duration, load id) or a failure with its category:
//! transient failures (connection refused, timeouts, 429/5xx) are retried a bounded number
//! of times, permanent ones are not. Source credentials reach the driver through its
//! environment only, and are removed from every message it returns.

mod config;
mod driver;
mod error;
pub mod telemetry;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use floe_core::KeyValue;
use floe_core::plugin::categories::{Ingestion, LoadInfo, PipelineSpec, SinkSpec, WriteReport};
use floe_core::plugin::{
    HealthStatus, Lifecycle, Plugin, PluginCategory, PluginError, PluginErrorKind, PluginMetadata,
    ResolvedConfig, check_range,
};
use floe_core::telemetry::{SpanRecorder, attr, describe_error, in_span_async};
use floe_core::text::is_snake_case_identifier as is_identifier;
use serde_json::json;

pub use config::DltConfig;
pub use driver::{DriverError, ErrorCategory};
use driver::{Loaded, Outcome};
pub use error::DltError;
use telemetry::{EgressOp, IngestionOp, TRACER_NAME};

static METADATA: PluginMetadata = PluginMetadata::new(
    env!("CARGO_PKG_NAME"),
    "dlt",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::Ingestion,
    "Runs dlt ingestion pipelines into DuckDB or a filesystem, and writes rows to sinks",
)
.with_tracer_name(TRACER_NAME)
.with_config_schema(config::schema);

const SOURCE_TYPES: [&str; 3] = ["filesystem", "rest_api", "sql_database"];
const DESTINATIONS: [&str; 2] = ["duckdb", "filesystem"];

/// The dlt ingestion plugin.
#[derive(Debug)]
pub struct DltPlugin {
    config: DltConfig,
    pipelines_dir: PathBuf,
    duckdb_path: PathBuf,
    sinks: Mutex<BTreeMap<String, SinkSpec>>,
}

fn invalid(what: impl Into<String>, reason: impl Into<String>) -> DltError {
    DltError::Invalid { what: what.into(), reason: reason.into() }
}

impl DltPlugin {
    /// A plugin for `config`.
    ///
    /// # Errors
    /// When a setting is out of range or a path cannot be made absolute.
    pub fn new(config: DltConfig) -> Result<Self, DltError> {
        check_range("timeout_secs", config.timeout_secs, 1..=86_400)?;
        check_range("max_attempts", config.max_attempts.into(), 1..=10)?;
        check_range("retry_delay_ms", config.retry_delay_ms, 0..=60_000)?;
        let setting = |key: &str, reason: &str| {
            Err(DltError::Config { key: key.to_owned(), reason: reason.to_owned() })
        };
        if config.python.trim().is_empty() {
            return setting("python", "must not be empty");
        }
        for (key, path) in
            [("pipelines_dir", &config.pipelines_dir), ("duckdb_path", &config.duckdb_path)]
        {
            if path.trim().is_empty() {
                return setting(key, "must not be empty");
            }
        }
        if let Some(url) = &config.filesystem_url
            && !url.split_once("://").is_some_and(|(scheme, _)| is_identifier(scheme))
        {
            return setting(
                "filesystem_url",
                "must be a bucket URL such as file:///data or s3://bucket",
            );
        }
        if let Some(name) = config.credentials.keys().find(|name| !is_identifier(name)) {
            return setting(
                &format!("credentials.{name}"),
                "is not a pipeline name (a lower-case identifier)",
            );
        }
        let absolute = |path: &str, key: &str| {
            std::path::absolute(path).map_err(|e| invalid("config", format!("{key}: {e}")))
        };
        Ok(Self {
            pipelines_dir: absolute(&config.pipelines_dir, "pipelines_dir")?,
            duckdb_path: absolute(&config.duckdb_path, "duckdb_path")?,
            sinks: Mutex::new(BTreeMap::new()),
            config,
        })
    }

    /// Where a destination kind loads to.
    fn target(&self, what: &str, destination: &str) -> Result<String, DltError> {
        match destination {
            "duckdb" => Ok(self.duckdb_path.display().to_string()),
            "filesystem" => self
                .config
                .filesystem_url
                .clone()
                .ok_or_else(|| invalid(what, "destination filesystem needs filesystem_url")),
            other => Err(invalid(what, format!("unknown destination {other} ({DESTINATIONS:?})"))),
        }
    }

    fn check_dataset(&self, what: &str, destination: &str, dataset: &str) -> Result<(), DltError> {
        if !is_identifier(dataset) {
            return Err(invalid(what, "dataset must be a lower-case identifier"));
        }
        let stem = self.duckdb_path.file_stem().map(|s| s.to_string_lossy().into_owned());
        if destination == "duckdb" && stem.as_deref() == Some(dataset) {
            return Err(invalid(what, "the DuckDB file must not be named like the dataset"));
        }
        Ok(())
    }

    /// The driver request for `spec`, after checking it.
    fn request(&self, op: &str, spec: &PipelineSpec) -> Result<serde_json::Value, DltError> {
        let what = format!("pipeline {}", spec.name);
        if !is_identifier(&spec.name) {
            return Err(invalid(what, "the name must be a lower-case identifier"));
        }
        if !SOURCE_TYPES.contains(&spec.source_type.as_str()) {
            return Err(invalid(what, format!("source_type must be one of {SOURCE_TYPES:?}")));
        }
        if !spec.source.is_object() {
            return Err(invalid(what, "source must be a mapping"));
        }
        self.check_dataset(&what, &spec.destination, &spec.dataset)?;
        Ok(json!({
            "op": op,
            "pipeline": spec.name,
            "destination": spec.destination,
            "target": self.target(&what, &spec.destination)?,
            "dataset": spec.dataset,
            "pipelines_dir": self.pipelines_dir.display().to_string(),
            "source_type": spec.source_type,
            "source": spec.source,
        }))
    }

    /// Runs `request` for `pipeline`, retrying transient failures when `retry` is set.
    async fn drive(
        &self,
        span: &SpanRecorder,
        pipeline: &str,
        request: &serde_json::Value,
        retry: bool,
    ) -> Result<(Option<Loaded>, u32), DltError> {
        std::fs::create_dir_all(&self.pipelines_dir)
            .map_err(|e| invalid("config", format!("pipelines_dir: {e}")))?;
        let credential = self.config.credentials.get(pipeline);
        let timeout = Duration::from_secs(self.config.timeout_secs);
        let max_attempts = if retry { self.config.max_attempts } else { 1 };
        let mut attempt = 1;
        loop {
            let outcome = driver::invoke(
                &self.config.python,
                &self.pipelines_dir,
                request,
                credential,
                timeout,
            )
            .await
            .map_err(|source| DltError::Driver { pipeline: pipeline.to_owned(), source })?;
            match outcome {
                Outcome::Done(loaded) => return Ok((loaded, attempt)),
                Outcome::Failed { category, .. }
                    if category == ErrorCategory::Transient && attempt < max_attempts =>
                {
                    span.add_event(
                        attr::INGESTION_RETRY_EVENT,
                        vec![
                            KeyValue::new(attr::INGESTION_ATTEMPTS, i64::from(attempt)),
                            KeyValue::new(attr::INGESTION_ERROR_CATEGORY, category.as_str()),
                        ],
                    );
                    let delay = self.config.retry_delay_ms.saturating_mul(attempt.into());
                    tokio::time::sleep(Duration::from_millis(delay)).await;
                    attempt += 1;
                }
                Outcome::Failed { category, message } => {
                    return Err(DltError::Failed {
                        pipeline: pipeline.to_owned(),
                        category,
                        attempts: attempt,
                        message,
                    });
                }
            }
        }
    }

    fn sink(&self, name: &str) -> Result<SinkSpec, DltError> {
        let sinks = self.sinks.lock().unwrap_or_else(PoisonError::into_inner);
        sinks.get(name).cloned().ok_or_else(|| DltError::UnknownSink(name.to_owned()))
    }

    /// The driver request writing `rows` to `sink`, after checking the sink.
    fn write_request(
        &self,
        sink: &SinkSpec,
        rows: &[serde_json::Value],
    ) -> Result<serde_json::Value, DltError> {
        let what = format!("sink {}", sink.name);
        if !is_identifier(&sink.name) {
            return Err(invalid(what, "the name must be a lower-case identifier"));
        }
        let setting = |key: &str| sink.settings.get(key).and_then(serde_json::Value::as_str);
        let dataset =
            setting("dataset").ok_or_else(|| invalid(&what, "settings.dataset is required"))?;
        let table = setting("table").unwrap_or(&sink.name);
        if !is_identifier(table) {
            return Err(invalid(what, "settings.table must be a lower-case identifier"));
        }
        self.check_dataset(&what, &sink.kind, dataset)?;
        Ok(json!({
            "op": "write",
            "pipeline": format!("sink_{}", sink.name),
            "destination": sink.kind,
            "target": self.target(&what, &sink.kind)?,
            "dataset": dataset,
            "pipelines_dir": self.pipelines_dir.display().to_string(),
            "table": table,
            "rows": rows,
        }))
    }
}

fn pipeline_attributes(spec: &PipelineSpec) -> Vec<KeyValue> {
    vec![
        KeyValue::new(attr::INGESTION_PIPELINE, spec.name.clone()),
        KeyValue::new(attr::INGESTION_SOURCE_TYPE, spec.source_type.clone()),
        KeyValue::new(attr::INGESTION_DESTINATION, spec.destination.clone()),
    ]
}

fn record_category(span: &SpanRecorder, result: &Result<impl Sized, DltError>) {
    if let Err(DltError::Failed { category, attempts, .. }) = result {
        span.set_attribute(KeyValue::new(attr::INGESTION_ERROR_CATEGORY, category.as_str()));
        span.set_attribute(KeyValue::new(attr::INGESTION_ATTEMPTS, i64::from(*attempts)));
    }
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl Ingestion for DltPlugin {
    type Error = DltError;

    async fn create_pipeline(&self, spec: &PipelineSpec) -> Result<(), Self::Error> {
        in_span_async(
            TRACER_NAME,
            IngestionOp::CreatePipeline,
            pipeline_attributes(spec),
            |span| async move {
                let request = self.request("create", spec)?;
                // No category attributes: the registry gives them to runs only (a creation
                // is tried once, and its error text names the category).
                self.drive(&span, &spec.name, &request, false).await.map(|_| ())
            },
        )
        .await
    }

    async fn run_pipeline(&self, spec: &PipelineSpec) -> Result<LoadInfo, Self::Error> {
        in_span_async(TRACER_NAME, IngestionOp::Run, pipeline_attributes(spec), |span| async move {
            let request = self.request("run", spec)?;
            let result = self.drive(&span, &spec.name, &request, true).await;
            record_category(&span, &result);
            let (loaded, attempts) = result?;
            let loaded = loaded.unwrap_or_default();
            span.set_attributes([
                KeyValue::new(attr::INGESTION_ROWS_LOADED, to_i64(loaded.rows)),
                KeyValue::new(attr::INGESTION_BYTES_LOADED, to_i64(loaded.bytes)),
                KeyValue::new(attr::INGESTION_LOAD_ID, loaded.load_id.clone()),
                KeyValue::new(attr::INGESTION_ATTEMPTS, i64::from(attempts)),
            ]);
            Ok(LoadInfo {
                load_id: loaded.load_id,
                rows_loaded: loaded.rows,
                bytes: Some(loaded.bytes),
                duration_seconds: loaded.duration_seconds,
                attempts,
            })
        })
        .await
    }

    async fn list_sinks(&self) -> Result<Vec<SinkSpec>, Self::Error> {
        in_span_async(TRACER_NAME, EgressOp::ListSinks, [], |_span| async move {
            let sinks = self.sinks.lock().unwrap_or_else(PoisonError::into_inner);
            Ok(sinks.values().cloned().collect())
        })
        .await
    }

    async fn create_sink(&self, sink: &SinkSpec) -> Result<(), Self::Error> {
        let attributes = [
            KeyValue::new(attr::EGRESS_SINK, sink.name.clone()),
            KeyValue::new(attr::EGRESS_SINK_KIND, sink.kind.clone()),
        ];
        in_span_async(TRACER_NAME, EgressOp::CreateSink, attributes, |_span| async move {
            self.write_request(sink, &[])?;
            let mut sinks = self.sinks.lock().unwrap_or_else(PoisonError::into_inner);
            if sinks.contains_key(&sink.name) {
                return Err(invalid(format!("sink {}", sink.name), "a sink of that name exists"));
            }
            sinks.insert(sink.name.clone(), sink.clone());
            Ok(())
        })
        .await
    }

    /// Not retried: a write that failed after loading part of its rows would duplicate
    /// them when run again.
    async fn write(
        &self,
        sink: &str,
        rows: &[serde_json::Value],
    ) -> Result<WriteReport, Self::Error> {
        let mut attributes = vec![KeyValue::new(attr::EGRESS_SINK, sink.to_owned())];
        let found = self.sink(sink);
        if let Ok(spec) = &found {
            attributes.push(KeyValue::new(attr::EGRESS_SINK_KIND, spec.kind.clone()));
        }
        in_span_async(TRACER_NAME, EgressOp::Write, attributes, |span| async move {
            let spec = found?;
            let request = self.write_request(&spec, rows)?;
            let (loaded, _) = self.drive(&span, &format!("sink_{sink}"), &request, false).await?;
            let loaded = loaded.map_or((0, String::new()), |l| (l.rows, l.load_id));
            span.set_attributes([
                KeyValue::new(attr::EGRESS_ROWS_WRITTEN, to_i64(loaded.0)),
                KeyValue::new(attr::EGRESS_LOAD_ID, loaded.1),
            ]);
            Ok(WriteReport { rows_written: loaded.0 })
        })
        .await
    }
}

impl Lifecycle for DltPlugin {
    /// Imports dlt in the configured interpreter (traced as `ingestion.health_check`).
    async fn health_check(&self) -> HealthStatus {
        let checked =
            in_span_async(TRACER_NAME, IngestionOp::HealthCheck, [], |_span| async move {
                let mut command = tokio::process::Command::new(&self.config.python);
                command.args(["-c", "import dlt; print(dlt.__version__)"]);
                let python = std::path::Path::new(&self.config.python).file_name().map_or_else(
                    || "python".to_owned(),
                    |name| name.to_string_lossy().into_owned(),
                );
                let unhealthy =
                    |reason: String| DltError::Unhealthy { python: python.clone(), reason };
                let output = floe_core::process::run(command, Duration::from_mins(1))
                    .await
                    .map_err(|e| unhealthy(describe_error(&e).as_str().to_owned()))?;
                if output.status.success() {
                    Ok(())
                } else {
                    Err(unhealthy(output.output_tail(1).as_str().to_owned()))
                }
            })
            .await;
        match checked {
            Ok(()) => HealthStatus::Healthy,
            Err(error) => HealthStatus::Unhealthy { reason: describe_error(&error).to_string() },
        }
    }
}

impl Plugin for DltPlugin {
    fn metadata(&self) -> &'static PluginMetadata {
        &METADATA
    }

    /// Where pipelines load, and which pipelines have a credential (by name only).
    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        Ok(json!({
            "pipelines_dir": self.config.pipelines_dir,
            "destinations": { "duckdb": self.config.duckdb_path, "filesystem": self.config.filesystem_url },
            "credentials": self.config.credentials.keys().map(|name| (name.clone(), format!("${{secret:dlt_{name}}}"))).collect::<BTreeMap<_, _>>(),
        }))
    }
}

fn construct(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    let typed: DltConfig = config.decode(METADATA.name)?;
    DltPlugin::new(typed).map(|plugin| Box::new(plugin) as Box<dyn Plugin>).map_err(|error| {
        // `floe compile` names the manifest key of a value that decodes but is refused.
        match error {
            DltError::Config { key, reason } => config.invalid(METADATA.name, &key, reason),
            DltError::OutOfRange(e) => config.invalid(
                METADATA.name,
                e.setting,
                format!("must be between {} and {}, found {}", e.min, e.max, e.found),
            ),
            other => PluginError::from_error(METADATA.name, PluginErrorKind::Config, other),
        }
    })
}

floe_core::register_plugin!(METADATA, construct);
