//! `floe compile`: LOAD, VALIDATE, RESOLVE, ENFORCE, COMPILE and GENERATE a platform
//! manifest into compiled artifacts, each stage a span under one `floe.compile` span.

mod artifacts;
mod manifest;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use opentelemetry::KeyValue;

pub use artifacts::{CompiledArtifacts, ResolvedPlugin};
pub use manifest::{
    MANIFEST_API_VERSION, PlatformInfo, PlatformManifest, PluginSpec, Selection,
    read_telemetry_section,
};

use crate::audit::{AuditReport, verify_plugin_instrumentation};
use crate::plugin::{
    EnvSecrets, Plugin, PluginCategory, PluginDescriptor, PluginError, SecretSource,
    resolve_references,
};
use crate::secret::Secret;
use crate::telemetry::ops::{CompileOp, FloeOp};
use crate::telemetry::{
    EnvSource, SanitizedMessage, SpanRecorder, attr, in_span, sanitize_error_message,
};

/// The tracer of floe-core's own operations.
pub const TRACER_NAME: &str = "floe.core";

/// Why a compilation stopped. Messages point at the manifest path and key.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// The manifest could not be read or parsed.
    #[error("cannot load {path}: {reason}")]
    Load {
        /// The manifest file.
        path: PathBuf,
        /// Why (sanitized).
        reason: SanitizedMessage,
    },
    /// A manifest value is not acceptable.
    #[error("{path}: {key}: {reason}")]
    Invalid {
        /// The manifest file.
        path: PathBuf,
        /// The key (`plugins.compute.type`).
        key: String,
        /// Why (sanitized).
        reason: SanitizedMessage,
    },
    /// A plugin could not be built from its config.
    #[error("{path}: {source}")]
    Plugin {
        /// The manifest file.
        path: PathBuf,
        /// The plugin's error (names the key).
        #[source]
        source: PluginError,
    },
    /// The artifacts could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The output file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// What to compile, and with which environment.
pub struct CompileRequest<'a> {
    /// The manifest file.
    pub manifest: &'a Path,
    /// Where the artifacts go; `None` skips writing.
    pub output: Option<&'a Path>,
    /// The plugins available (normally [`crate::plugin::registered`]).
    pub registry: &'a [&'static PluginDescriptor],
    /// Environment for `${env:...}` references and `FLOE_SECRET_*` secrets.
    pub env: &'a dyn EnvSource,
}

impl std::fmt::Debug for CompileRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompileRequest")
            .field("manifest", &self.manifest)
            .field("output", &self.output)
            .finish_non_exhaustive()
    }
}

/// A finished compilation.
#[derive(Debug)]
pub struct CompileOutcome {
    /// The artifacts.
    pub artifacts: CompiledArtifacts,
    /// Where they were written.
    pub written_to: Option<PathBuf>,
}

impl CompileOutcome {
    /// The ENFORCE stage's audit report.
    pub fn audit(&self) -> &AuditReport {
        &self.artifacts.audit
    }
}

/// Compiles a manifest, tracing every stage.
///
/// # Errors
/// [`CompileError`] from the first stage that fails; its span ends as an error.
pub fn compile(request: &CompileRequest<'_>) -> Result<CompileOutcome, CompileError> {
    let path = request.manifest;
    in_span(
        TRACER_NAME,
        FloeOp::Compile,
        [KeyValue::new(attr::FLOE_COMPILE_MANIFEST, file_name(path))],
        |root| {
            let manifest = in_span(TRACER_NAME, CompileOp::Load, [], |_| load(path))?;
            in_span(TRACER_NAME, CompileOp::Validate, [], |_| validate(path, &manifest))?;
            root.set_attribute(KeyValue::new(
                attr::FLOE_NAMESPACE,
                manifest.platform.namespace.clone(),
            ));
            let plugins = in_span(TRACER_NAME, CompileOp::Resolve, [], |span| {
                resolve(request, &manifest, span)
            })?;
            let audit = in_span(TRACER_NAME, CompileOp::Enforce, [], |span| {
                Ok::<_, CompileError>(enforce(&plugins, span))
            })?;
            let artifacts = in_span(TRACER_NAME, CompileOp::Compile, [], |_| {
                CompiledArtifacts::assemble(path, &manifest, &plugins, audit)
            })?;
            let written_to = match request.output {
                Some(output) => Some(in_span(TRACER_NAME, CompileOp::Generate, [], |_| {
                    artifacts.write(output)
                })?),
                None => None,
            };
            Ok(CompileOutcome { artifacts, written_to })
        },
    )
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

fn load(path: &Path) -> Result<PlatformManifest, CompileError> {
    let load_error = |reason: &str| CompileError::Load {
        path: path.to_owned(),
        reason: sanitize_error_message(reason),
    };
    let text = std::fs::read_to_string(path).map_err(|e| load_error(&e.to_string()))?;
    serde_saphyr::from_str(&text).map_err(|e| load_error(&e.to_string()))
}

fn invalid(path: &Path, key: impl Into<String>, reason: &str) -> CompileError {
    CompileError::Invalid {
        path: path.to_owned(),
        key: key.into(),
        reason: sanitize_error_message(reason),
    }
}

fn validate(path: &Path, manifest: &PlatformManifest) -> Result<(), CompileError> {
    if manifest.api_version != MANIFEST_API_VERSION {
        return Err(invalid(
            path,
            "api_version",
            &format!("expected {MANIFEST_API_VERSION:?}, found {:?}", manifest.api_version),
        ));
    }
    if manifest.platform.name.trim().is_empty() {
        return Err(invalid(path, "platform.name", "must not be empty"));
    }
    manifest.telemetry.validate().map_err(|e| match e {
        crate::telemetry::ConfigError::Invalid { key, reason } => invalid(path, key, &reason),
        crate::telemetry::ConfigError::Yaml(reason) => invalid(path, "telemetry", &reason),
    })?;
    for key in manifest.plugins.keys() {
        if PluginCategory::from_manifest_key(key).is_none() {
            let known: Vec<&str> = PluginCategory::ALL.iter().map(|c| c.manifest_key()).collect();
            return Err(invalid(
                path,
                format!("plugins.{key}"),
                &format!("unknown category; expected one of {}", known.join(", ")),
            ));
        }
    }
    Ok(())
}

/// Plugins built by RESOLVE, with their descriptors.
type ResolvedPlugins = Vec<(&'static PluginDescriptor, Box<dyn Plugin>)>;

/// Secrets for references: `FLOE_SECRET_*` variables first, then the manifest's secrets file.
struct Secrets<'a> {
    env: EnvSecrets<'a>,
    file: BTreeMap<String, Secret<String>>,
}

impl SecretSource for Secrets<'_> {
    fn secret(&self, name: &str) -> Option<Secret<String>> {
        self.env.secret(name).or_else(|| self.file.secret(name))
    }
}

fn read_secrets_file(
    path: &Path,
    manifest: &PlatformManifest,
) -> Result<BTreeMap<String, Secret<String>>, CompileError> {
    let Some(file) = &manifest.secrets_file else { return Ok(BTreeMap::new()) };
    let full = path.parent().unwrap_or_else(|| Path::new(".")).join(file);
    let text = std::fs::read_to_string(&full).map_err(|e| {
        invalid(path, "secrets_file", &format!("cannot read {}: {e}", full.display()))
    })?;
    // Only the error's position is reported: a secrets file's text must not reach a message.
    serde_saphyr::from_str(&text).map_err(|_| {
        invalid(
            path,
            "secrets_file",
            &format!("{} is not a YAML map of names to strings", full.display()),
        )
    })
}

fn resolve(
    request: &CompileRequest<'_>,
    manifest: &PlatformManifest,
    span: &SpanRecorder,
) -> Result<ResolvedPlugins, CompileError> {
    let path = request.manifest;
    let secrets =
        Secrets { env: EnvSecrets(request.env), file: read_secrets_file(path, manifest)? };
    let mut resolved = Vec::new();
    for (category_key, selection) in &manifest.plugins {
        let category = PluginCategory::from_manifest_key(category_key)
            .ok_or_else(|| invalid(path, format!("plugins.{category_key}"), "unknown category"))?;
        for (index, spec) in selection.specs() {
            let at = match index {
                Some(i) => format!("plugins.{category_key}[{i}]"),
                None => format!("plugins.{category_key}"),
            };
            let Some(descriptor) = request
                .registry
                .iter()
                .copied()
                .find(|d| d.metadata.category == category && d.metadata.name == spec.kind)
            else {
                let known: Vec<&str> = request
                    .registry
                    .iter()
                    .filter(|d| d.metadata.category == category)
                    .map(|d| d.metadata.name)
                    .collect();
                let hint = if known.is_empty() {
                    "no plugin of this category is registered".to_owned()
                } else {
                    format!("registered: {}", known.join(", "))
                };
                return Err(invalid(
                    path,
                    format!("{at}.type"),
                    &format!("unknown plugin {:?} for category {category_key}; {hint}", spec.kind),
                ));
            };
            let config =
                resolve_references(&format!("{at}.config"), &spec.config, &secrets, request.env)
                    .map_err(|e| {
                        invalid(
                            path,
                            e.path.clone(),
                            &format!("cannot resolve ${{{}:{}}}: {}", e.kind, e.name, e.reason),
                        )
                    })?;
            let plugin = (descriptor.construct)(&config)
                .map_err(|source| CompileError::Plugin { path: path.to_owned(), source })?;
            resolved.push((descriptor, plugin));
        }
    }
    span.set_attribute(KeyValue::new(
        attr::FLOE_PLUGIN_COUNT,
        i64::try_from(resolved.len()).unwrap_or(i64::MAX),
    ));
    Ok(resolved)
}

/// The audit of the resolved plugins; each finding is also an event of the span.
fn enforce(
    plugins: &[(&'static PluginDescriptor, Box<dyn Plugin>)],
    span: &SpanRecorder,
) -> AuditReport {
    let report = verify_plugin_instrumentation(plugins.iter().map(|(d, _)| d.metadata));
    for finding in &report.findings {
        span.add_event(
            "audit.finding",
            vec![
                KeyValue::new(attr::FLOE_AUDIT_RULE, finding.rule_id),
                KeyValue::new(attr::FLOE_PLUGIN, finding.plugin.clone()),
                KeyValue::new(attr::FLOE_AUDIT_WARNING, finding.rule.is_warning()),
            ],
        );
    }
    span.set_attribute(KeyValue::new(
        attr::FLOE_AUDIT_WARNINGS,
        i64::try_from(report.warnings().count()).unwrap_or(i64::MAX),
    ));
    report
}
