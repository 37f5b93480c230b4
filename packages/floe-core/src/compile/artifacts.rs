//! Compiled artifacts: what GENERATE writes.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{CompileError, PlatformInfo, PlatformManifest};
use crate::audit::AuditReport;
use crate::plugin::{Plugin, PluginCategory, PluginDescriptor};
use crate::telemetry::TelemetryConfig;

/// A plugin as compiled: identity, tracer and generated configuration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResolvedPlugin {
    /// Category.
    pub category: PluginCategory,
    /// Plugin name.
    pub name: String,
    /// Rust package.
    pub package: String,
    /// Version.
    pub version: String,
    /// Tracer name, if instrumented.
    pub tracer_name: Option<String>,
    /// Generated configuration (never a secret value).
    pub config: serde_json::Value,
}

/// Everything a compilation produced, written as JSON.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CompiledArtifacts {
    /// The floe version that compiled.
    pub floe_version: String,
    /// The manifest file name.
    pub manifest: String,
    /// The platform.
    pub platform: PlatformInfo,
    /// Telemetry settings (header values print as `<redacted>`).
    pub telemetry: TelemetryConfig,
    /// Resolved plugins, in category order.
    pub plugins: Vec<ResolvedPlugin>,
    /// The ENFORCE stage's audit.
    pub audit: AuditReport,
}

impl CompiledArtifacts {
    pub(super) fn assemble(
        path: &Path,
        manifest: &PlatformManifest,
        plugins: &[(&'static PluginDescriptor, Box<dyn Plugin>)],
        audit: AuditReport,
    ) -> Result<Self, CompileError> {
        let mut resolved = Vec::with_capacity(plugins.len());
        for (descriptor, plugin) in plugins {
            let metadata = descriptor.metadata;
            let config = plugin
                .generated_config()
                .map_err(|source| CompileError::Plugin { path: path.to_owned(), source })?;
            resolved.push(ResolvedPlugin {
                category: metadata.category,
                name: metadata.name.to_owned(),
                package: metadata.package.to_owned(),
                version: metadata.version.to_owned(),
                tracer_name: metadata.tracer_name().map(str::to_owned),
                config,
            });
        }
        Ok(Self {
            floe_version: env!("CARGO_PKG_VERSION").to_owned(),
            manifest: path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            platform: manifest.platform.clone(),
            telemetry: manifest.telemetry.clone(),
            plugins: resolved,
            audit,
        })
    }

    /// Writes the artifacts as pretty JSON, creating the directory.
    ///
    /// # Errors
    /// [`CompileError::Write`] naming the file.
    pub fn write(&self, output: &Path) -> Result<PathBuf, CompileError> {
        let write_error = |source| CompileError::Write { path: output.to_owned(), source };
        if let Some(dir) = output.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(write_error)?;
        }
        let json = serde_json::to_string_pretty(self)
            .map_err(|e| write_error(std::io::Error::other(e)))?;
        std::fs::write(output, json + "\n").map_err(write_error)?;
        Ok(output.to_owned())
    }
}
