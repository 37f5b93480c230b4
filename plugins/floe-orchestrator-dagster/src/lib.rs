//! floe-orchestrator-dagster: Dagster definitions code generated from the compiled
//! artifacts (one asset per dbt model, the dbt resource, a JSON IO manager, schedules, file
//! sensors), in-process runs of those definitions, and a GraphQL connection check on the
//! webserver.
//!
//! The generated code traces asset execution and IO-manager store/load with the same
//! tracer name; its spans continue the trace of the span that launched the run (FR-006):
//! [`DagsterPlugin::materialize`] passes its W3C `traceparent` as the `floe/traceparent`
//! run tag and the `TRACEPARENT` environment variable.

mod config;
mod error;
mod generate;
pub mod telemetry;

use std::path::Path;
use std::time::Duration;

use floe_core::KeyValue;
use floe_core::http::{
    Peer, PeerAnswer, PeerRequest, RetryEvents, RetryPolicy, UrlCredentials, parse_endpoint,
    safe_destination, split_user_info,
};
use floe_core::plugin::categories::{GeneratedFiles, Orchestrator};
use floe_core::plugin::{
    HealthStatus, Lifecycle, Plugin, PluginCategory, PluginError, PluginErrorKind, PluginMetadata,
    ResolvedConfig, check_range,
};
use floe_core::telemetry::{attr, describe_error, in_span, in_span_async, sanitize_error_message};
use serde::Deserialize;

pub use config::{DagsterConfig, DbtSettings, ScheduleConfig, SensorConfig};
pub use error::DagsterError;
use telemetry::{OrchestratorOp, TRACER_NAME};

static METADATA: PluginMetadata = PluginMetadata::new(
    env!("CARGO_PKG_NAME"),
    "dagster",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::Orchestrator,
    "Generates Dagster definitions from compiled artifacts and checks the webserver",
)
.with_tracer_name(TRACER_NAME)
.with_config_schema(config::schema);

/// The in-process run script.
const MATERIALIZE: &str = include_str!("materialize.py");
const RESULT_PREFIX: &str = "FLOE_DAGSTER_RESULT ";

/// What an in-process run did.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct RunReport {
    /// Dagster's run id.
    pub run_id: String,
    /// The asset keys materialized, sorted.
    pub materialized: Vec<String>,
}

#[derive(Deserialize)]
struct RunOutcome {
    ok: bool,
    #[serde(default)]
    error: String,
    #[serde(flatten)]
    report: RunReport,
}

/// The Dagster orchestrator.
#[derive(Debug)]
pub struct DagsterPlugin {
    config: DagsterConfig,
    /// The webserver, without the URL's user info: the connection check goes through
    /// floe-core's peer-call path (one time budget, a bounded body, no redirect, the
    /// answer scrubbed of every credential sent).
    peer: Peer,
    /// The webserver URL's user info, sent as basic auth.
    credentials: Option<UrlCredentials>,
    destination: String,
    address: String,
    port: u16,
}

/// The most of a GraphQL answer the connection check reads (`{ version }` is tiny).
const MAX_ANSWER_BYTES: usize = 64 << 10;

impl DagsterPlugin {
    /// A plugin for `config`.
    ///
    /// # Errors
    /// When the webserver URL cannot be used or a setting is out of range.
    pub fn new(config: DagsterConfig) -> Result<Self, DagsterError> {
        // User info in the URL is sent as basic auth, never as part of a URL.
        let (base, credentials) = split_user_info(config.webserver_url.expose())?;
        let url = parse_endpoint(&base, config.allow_insecure_http)?;
        check_range("timeout_secs", config.timeout_secs, 1..=300)?;
        check_range("run_timeout_secs", config.run_timeout_secs, 1..=86_400)?;
        config.validate().map_err(|(key, reason)| DagsterError::Config { key, reason })?;
        let events = RetryEvents::new(attr::ORCHESTRATOR_RETRY_EVENT, attr::ORCHESTRATOR_ATTEMPT);
        let peer = Peer::builder(&base, config.allow_insecure_http, events)?
            .timeout(Duration::from_secs(config.timeout_secs))
            .max_body(MAX_ANSWER_BYTES)
            .build()
            .map_err(DagsterError::Client)?;
        Ok(Self {
            destination: safe_destination(&base),
            address: url.host_str().unwrap_or_default().to_owned(),
            port: url.port_or_known_default().unwrap_or(443),
            peer,
            credentials,
            config,
        })
    }

    /// Uses `retry` for the connection check from now on (tests keep backoffs short).
    #[must_use]
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.peer.set_retry_policy(retry);
        self
    }

    /// Materializes `assets` of the definitions generated into `dir`, in process (the
    /// configured Python), continuing the current trace; traced as
    /// `orchestrator.materialize`.
    ///
    /// # Errors
    /// When the run cannot start, times out, or fails (Dagster's message, sanitized).
    pub async fn materialize(
        &self,
        dir: &Path,
        assets: &[&str],
    ) -> Result<RunReport, DagsterError> {
        let attributes = [
            KeyValue::new(attr::ORCHESTRATOR_NAME, "dagster"),
            KeyValue::new(
                attr::ORCHESTRATOR_ASSETS_COUNT,
                i64::try_from(assets.len()).unwrap_or(i64::MAX),
            ),
        ];
        in_span_async(TRACER_NAME, OrchestratorOp::Materialize, attributes, |span| async move {
            let request = serde_json::json!({
                "definitions": dir.join("definitions.py").display().to_string(),
                "assets": assets,
            });
            let mut command = tokio::process::Command::new(&self.config.python);
            command
                .arg("-c")
                .arg(MATERIALIZE)
                .arg(request.to_string())
                .current_dir(dir)
                .env_remove("TRACEPARENT");
            if let Some(traceparent) = span.traceparent() {
                command.env("TRACEPARENT", traceparent);
            }
            if let Some(endpoint) = &self.config.otlp_endpoint {
                command.env("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint);
            }
            let timeout = Duration::from_secs(self.config.run_timeout_secs);
            let output = floe_core::process::run(command, timeout).await?;
            let line = output.stdout.lines().rev().find_map(|l| l.strip_prefix(RESULT_PREFIX));
            let Some(outcome) = line.and_then(|l| serde_json::from_str::<RunOutcome>(l).ok())
            else {
                return Err(DagsterError::NoResult {
                    status: output.status.to_string(),
                    tail: output.output_tail(5).as_str().to_owned(),
                });
            };
            if !outcome.report.run_id.is_empty() {
                span.set_attribute(KeyValue::new(
                    attr::ORCHESTRATOR_RUN_ID,
                    outcome.report.run_id.clone(),
                ));
            }
            if outcome.ok {
                Ok(outcome.report)
            } else {
                let message = sanitize_error_message(&outcome.error).as_str().to_owned();
                Err(DagsterError::RunFailed { run_id: outcome.report.run_id, message })
            }
        })
        .await
    }

    /// `request` with the URL's user info as basic auth and the API token as
    /// `Dagster-Cloud-Api-Token`, each recorded so the answer is scrubbed of it.
    fn authorized(&self, mut request: PeerRequest) -> PeerRequest {
        if let Some(credentials) = &self.credentials {
            request = request.basic(&credentials.user, &credentials.password);
        }
        match &self.config.api_token {
            Some(token) => request.header_secret("Dagster-Cloud-Api-Token", token),
            None => request,
        }
    }
}

impl Orchestrator for DagsterPlugin {
    type Error = DagsterError;

    fn generate_definitions(
        &self,
        artifacts: &serde_json::Value,
    ) -> Result<GeneratedFiles, Self::Error> {
        let attributes = [KeyValue::new(attr::ORCHESTRATOR_NAME, "dagster")];
        in_span(TRACER_NAME, OrchestratorOp::GenerateDefinitions, attributes, |span| {
            let (files, count) = generate::definitions(&self.config, artifacts)?;
            span.set_attribute(KeyValue::new(
                attr::ORCHESTRATOR_ASSETS_COUNT,
                i64::try_from(count).unwrap_or(i64::MAX),
            ));
            Ok(files)
        })
    }

    async fn validate_connection(&self) -> Result<(), Self::Error> {
        let attributes = [
            KeyValue::new(attr::ORCHESTRATOR_NAME, "dagster"),
            KeyValue::new(attr::SERVER_ADDRESS, self.address.clone()),
            KeyValue::new(attr::SERVER_PORT, i64::from(self.port)),
        ];
        in_span_async(
            TRACER_NAME,
            OrchestratorOp::ValidateConnection,
            attributes,
            |_span| async move {
                let query = serde_json::json!({ "query": "{ version }" });
                let request = self.authorized(PeerRequest::post("/graphql").json(&query));
                let failed = |source| DagsterError::Connection { source };
                let answer =
                    self.peer.send(request).await.and_then(PeerAnswer::success).map_err(failed)?;
                let body = answer.json::<serde_json::Value>().map_err(failed)?;
                let version = body.pointer("/data/version").and_then(|v| v.as_str());
                if version.is_some_and(|v| !v.is_empty()) {
                    Ok(())
                } else {
                    Err(DagsterError::NotDagster { destination: self.destination.clone() })
                }
            },
        )
        .await
    }
}

impl Lifecycle for DagsterPlugin {
    /// The connection check (traced as `orchestrator.validate_connection`).
    async fn health_check(&self) -> HealthStatus {
        match self.validate_connection().await {
            Ok(()) => HealthStatus::Healthy,
            Err(error) => HealthStatus::Unhealthy { reason: describe_error(&error).to_string() },
        }
    }
}

impl Plugin for DagsterPlugin {
    fn metadata(&self) -> &'static PluginMetadata {
        &METADATA
    }

    /// What the deployment needs: the webserver (no user info), the token by reference.
    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        Ok(serde_json::json!({
            "webserver": self.destination,
            "api_token": self.config.api_token.as_ref().map(|_| "${secret:dagster_api_token}"),
            "io_dir": self.config.io_dir,
            "schedules": self.config.schedules.iter().map(|s| &s.name).collect::<Vec<_>>(),
            "sensors": self.config.sensors.iter().map(|s| &s.name).collect::<Vec<_>>(),
        }))
    }
}

fn construct(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    let typed: DagsterConfig = config.decode(METADATA.name)?;
    DagsterPlugin::new(typed).map(|plugin| Box::new(plugin) as Box<dyn Plugin>).map_err(|error| {
        // `floe compile` names the manifest key of a value that decodes but is refused.
        let name = METADATA.name;
        match error {
            DagsterError::Config { key, reason } => config.invalid(name, &key, reason),
            DagsterError::OutOfRange(e) => config.invalid(
                name,
                e.setting,
                format!("must be between {} and {}, found {}", e.min, e.max, e.found),
            ),
            DagsterError::Endpoint(e) => {
                config.invalid(name, "webserver_url", describe_error(&e).into_string())
            }
            other => PluginError::from_error(name, PluginErrorKind::Config, other),
        }
    })
}

floe_core::register_plugin!(METADATA, construct);
