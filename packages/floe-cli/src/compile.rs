//! `floe compile`: the main command.

use std::path::PathBuf;
use std::process::ExitCode;

use floe_core::compile::{CompileRequest, compile, read_telemetry_section};
use floe_core::plugin::PluginDescriptor;
use floe_core::telemetry::{
    ConsoleTarget, ExporterConfig, OtlpConfig, OtlpProtocol, ProcessEnv, TelemetryConfig,
    init_telemetry,
};

use crate::Io;
use crate::audit::{print_report, strict_exit};
use crate::output::Format;

/// Arguments of `floe compile`.
#[derive(Debug, clap::Args)]
pub(crate) struct CompileArgs {
    /// The platform manifest.
    manifest: PathBuf,
    /// Where the compiled artifacts go.
    #[arg(long, default_value = "target/floe/compiled_artifacts.json")]
    output: PathBuf,
    /// Output format of the summary and the audit.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Exit non-zero when the instrumentation audit has a warning.
    #[arg(long)]
    strict: bool,
    /// Where compile's own spans go: `console` (standard error), `none`, or an OTLP
    /// endpoint URL. Overrides the manifest's telemetry section and `OTEL_*` variables.
    #[arg(long, value_name = "console|none|URL")]
    trace: Option<String>,
    /// OTLP transport for `--trace URL`.
    #[arg(long, value_enum, default_value_t = TraceProtocol::Grpc)]
    trace_protocol: TraceProtocol,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum TraceProtocol {
    Grpc,
    #[value(name = "http/protobuf")]
    HttpProtobuf,
}

/// The telemetry settings for compile's own spans: the manifest's section, then `OTEL_*`,
/// then `--trace`.
fn telemetry(args: &CompileArgs) -> Result<TelemetryConfig, String> {
    let base = read_telemetry_section(&args.manifest).unwrap_or_default();
    let mut config = base.with_env(&ProcessEnv).map_err(|e| e.to_string())?;
    match args.trace.as_deref() {
        None => {}
        Some("none") => config.exporter = ExporterConfig::None,
        Some("console") => {
            config.enabled = true;
            config.exporter = ExporterConfig::Console { target: ConsoleTarget::Stderr };
        }
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
            config.enabled = true;
            let protocol = match args.trace_protocol {
                TraceProtocol::Grpc => OtlpProtocol::Grpc,
                TraceProtocol::HttpProtobuf => OtlpProtocol::HttpProtobuf,
            };
            config.exporter = ExporterConfig::Otlp(OtlpConfig {
                protocol,
                endpoint: url.to_owned(),
                insecure: true,
                ..OtlpConfig::default()
            });
            config.validate().map_err(|e| format!("--trace: {e}"))?;
        }
        Some(other) => {
            return Err(format!(
                "--trace: expected console, none or an http(s):// URL, got {other:?}"
            ));
        }
    }
    Ok(config)
}

pub(crate) fn run(
    args: &CompileArgs,
    registry: &[&'static PluginDescriptor],
    io: &mut Io<'_>,
) -> Result<ExitCode, String> {
    let guard = init_telemetry(&telemetry(args)?).map_err(|e| e.to_string())?;
    let outcome = compile(&CompileRequest {
        manifest: &args.manifest,
        output: Some(&args.output),
        registry,
        env: &ProcessEnv,
    });
    // Flush compile's spans before anything else, success or not.
    let flushed = guard.shutdown();
    let outcome = outcome.map_err(|e| e.to_string())?;
    if let Err(message) = flushed {
        let _ = writeln!(io.err, "warning: exporting compile's spans failed: {message}");
    }
    let artifacts = &outcome.artifacts;
    match args.format {
        Format::Table => {
            let mut text = format!(
                "compiled {} ({} plugins) -> {}\n\nENFORCE: instrumentation audit\n",
                artifacts.platform.name,
                artifacts.plugins.len(),
                args.output.display()
            );
            text.push_str(&artifacts.audit.to_table());
            io.out
                .write_all(text.as_bytes())
                .map_err(|e| format!("writing standard output: {e}"))?;
        }
        Format::Json => print_report(&artifacts.audit, Format::Json, io)?,
    }
    Ok(strict_exit(&artifacts.audit, args.strict, io))
}
