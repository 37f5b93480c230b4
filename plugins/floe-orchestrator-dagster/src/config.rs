//! The Dagster plugin's typed config.

use floe_core::secret::Secret;
use serde::Deserialize;

/// How the generated dbt resource runs dbt.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DbtSettings {
    /// The dbt executable.
    #[serde(default = "default_dbt")]
    pub executable: String,
    /// The dbt project directory.
    pub project_dir: String,
    /// The directory holding `profiles.yml`.
    pub profiles_dir: String,
    /// Seconds one `dbt run` may take.
    #[serde(default = "default_dbt_timeout")]
    pub timeout_secs: u64,
}

/// A schedule: a cron expression and the assets it materializes.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleConfig {
    /// Schedule name (an identifier); its job is `<name>_job`.
    pub name: String,
    /// Five-field cron expression, UTC.
    pub cron: String,
    /// Asset names; empty for every asset.
    #[serde(default)]
    pub assets: Vec<String>,
}

/// A sensor requesting a run whenever a file changes.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensorConfig {
    /// Sensor name (an identifier); its job is `<name>_job`.
    pub name: String,
    /// The file watched.
    pub path: String,
    /// Asset names; empty for every asset.
    #[serde(default)]
    pub assets: Vec<String>,
}

/// `orchestrator: { type: dagster, config: ... }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DagsterConfig {
    /// The webserver's base URL (GraphQL at `{url}/graphql`). A secret: it may carry user
    /// info.
    pub webserver_url: Secret<String>,
    /// Sent as `Dagster-Cloud-Api-Token` when set.
    #[serde(default)]
    pub api_token: Option<Secret<String>>,
    /// Allows plain `http` to hosts other than loopback.
    #[serde(default)]
    pub allow_insecure_http: bool,
    /// Seconds before a GraphQL request is abandoned.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// The Python interpreter with Dagster installed, for in-process runs.
    #[serde(default = "default_python")]
    pub python: String,
    /// Seconds an in-process run may take.
    #[serde(default = "default_run_timeout")]
    pub run_timeout_secs: u64,
    /// Where the generated IO manager stores asset values.
    #[serde(default = "default_io_dir")]
    pub io_dir: String,
    /// The dbt project the assets run.
    pub dbt: DbtSettings,
    /// Schedules.
    #[serde(default)]
    pub schedules: Vec<ScheduleConfig>,
    /// File sensors.
    #[serde(default)]
    pub sensors: Vec<SensorConfig>,
    /// OTLP/HTTP endpoint the generated code exports spans to during in-process runs
    /// (`OTEL_EXPORTER_OTLP_ENDPOINT`); none leaves the environment's.
    #[serde(default)]
    pub otlp_endpoint: Option<String>,
}

fn default_dbt() -> String {
    "dbt".to_owned()
}

const fn default_dbt_timeout() -> u64 {
    3600
}

const fn default_timeout_secs() -> u64 {
    10
}

fn default_python() -> String {
    "python3".to_owned()
}

const fn default_run_timeout() -> u64 {
    3600
}

fn default_io_dir() -> String {
    ".floe/dagster-io".to_owned()
}

impl DagsterConfig {
    /// A config for the webserver at `url` running the dbt project in `project_dir`.
    pub fn new(url: impl Into<String>, project_dir: impl Into<String>) -> Self {
        let project_dir = project_dir.into();
        Self {
            webserver_url: Secret::new(url.into()),
            api_token: None,
            allow_insecure_http: false,
            timeout_secs: default_timeout_secs(),
            python: default_python(),
            run_timeout_secs: default_run_timeout(),
            io_dir: default_io_dir(),
            dbt: DbtSettings {
                executable: default_dbt(),
                profiles_dir: project_dir.clone(),
                project_dir,
                timeout_secs: default_dbt_timeout(),
            },
            schedules: Vec::new(),
            sensors: Vec::new(),
            otlp_endpoint: None,
        }
    }
}

impl DagsterConfig {
    /// Checks what decoding cannot: names that become Python identifiers, unique schedule
    /// and sensor names, five-field cron expressions, non-empty paths.
    ///
    /// # Errors
    /// The key (relative to the config, `schedules[0].cron`) and what is wrong with it,
    /// never the value.
    pub(crate) fn validate(&self) -> Result<(), (String, String)> {
        let invalid = |key: String, reason: &str| Err((key, reason.to_owned()));
        if self.python.trim().is_empty() {
            return invalid("python".to_owned(), "must not be empty");
        }
        if self.io_dir.trim().is_empty() {
            return invalid("io_dir".to_owned(), "must not be empty");
        }
        if self.dbt.timeout_secs == 0 {
            return invalid("dbt.timeout_secs".to_owned(), "must be at least 1");
        }
        let mut names = std::collections::BTreeSet::new();
        let schedules = self.schedules.iter().map(|s| ("schedules", &s.name, &s.assets));
        let sensors = self.sensors.iter().map(|s| ("sensors", &s.name, &s.assets));
        let mut index = std::collections::BTreeMap::<&str, usize>::new();
        for (list, name, assets) in schedules.chain(sensors) {
            let i = *index.entry(list).and_modify(|i| *i += 1).or_insert(0);
            if !floe_core::text::is_snake_case_identifier(name) {
                return invalid(format!("{list}[{i}].name"), "must be a lower-case identifier");
            }
            if !names.insert(name.as_str()) {
                return invalid(
                    format!("{list}[{i}].name"),
                    "is already the name of another schedule or sensor",
                );
            }
            for (j, asset) in assets.iter().enumerate() {
                if !floe_core::text::is_snake_case_identifier(asset) {
                    return invalid(format!("{list}[{i}].assets[{j}]"), "is not a dbt model name");
                }
            }
        }
        for (i, schedule) in self.schedules.iter().enumerate() {
            if !is_cron(&schedule.cron) {
                return invalid(
                    format!("schedules[{i}].cron"),
                    "is not a five-field cron expression",
                );
            }
        }
        Ok(())
    }
}

/// Whether `cron` has five fields of cron characters.
pub(crate) fn is_cron(cron: &str) -> bool {
    let fields: Vec<&str> = cron.split_whitespace().collect();
    let allowed = |f: &&str| f.chars().all(|c| c.is_ascii_alphanumeric() || "*/,-?".contains(c));
    fields.len() == 5 && fields.iter().all(allowed)
}

/// The JSON schema of the config.
pub(crate) fn schema() -> serde_json::Value {
    let selection = serde_json::json!({ "type": "array", "items": { "type": "string" } });
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["webserver_url", "dbt"],
        "properties": {
            "webserver_url": { "type": "string", "description": "webserver base URL (secret)" },
            "api_token": { "type": "string", "description": "Dagster-Cloud-Api-Token (secret)" },
            "allow_insecure_http": { "type": "boolean", "default": false },
            "timeout_secs": { "type": "integer", "minimum": 1, "maximum": 300, "default": 10 },
            "python": { "type": "string", "default": "python3" },
            "run_timeout_secs": { "type": "integer", "minimum": 1, "maximum": 86400, "default": 3600 },
            "io_dir": { "type": "string", "default": ".floe/dagster-io" },
            "dbt": {
                "type": "object", "additionalProperties": false, "required": ["project_dir", "profiles_dir"],
                "properties": {
                    "executable": { "type": "string", "default": "dbt" },
                    "project_dir": { "type": "string" },
                    "profiles_dir": { "type": "string" },
                    "timeout_secs": { "type": "integer", "minimum": 1, "default": 3600 }
                }
            },
            "schedules": { "type": "array", "items": {
                "type": "object", "additionalProperties": false, "required": ["name", "cron"],
                "properties": { "name": { "type": "string" }, "cron": { "type": "string" }, "assets": selection }
            } },
            "sensors": { "type": "array", "items": {
                "type": "object", "additionalProperties": false, "required": ["name", "path"],
                "properties": { "name": { "type": "string" }, "path": { "type": "string" }, "assets": selection }
            } },
            "otlp_endpoint": { "type": "string" }
        }
    })
}
