//! `floe plugins`: the registered plugins.

use std::fmt::Write as _;
use std::process::ExitCode;

use floe_core::plugin::PluginDescriptor;

use crate::Io;
use crate::output::Format;
use floe_core::text::table;

/// Arguments of `floe plugins`.
#[derive(Debug, clap::Args)]
pub(crate) struct PluginsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub(crate) fn run(
    args: &PluginsArgs,
    registry: &[&'static PluginDescriptor],
    io: &mut Io<'_>,
) -> Result<ExitCode, String> {
    let text = match args.format {
        Format::Json => {
            let all: Vec<_> = registry.iter().map(|d| d.metadata).collect();
            serde_json::to_string_pretty(&all)
                .map_err(|e| format!("encoding the plugin list: {e}"))?
                + "\n"
        }
        Format::Table => {
            let rows: Vec<Vec<String>> = registry
                .iter()
                .map(|d| {
                    let m = d.metadata;
                    let tracer = match (m.tracer_name(), m.category.excluded_from_tracing()) {
                        (Some(t), _) => t.to_owned(),
                        (None, true) => "none (excluded by policy)".to_owned(),
                        (None, false) => "none".to_owned(),
                    };
                    vec![
                        m.category.to_string(),
                        m.name.to_owned(),
                        m.version.to_owned(),
                        tracer,
                        m.package.to_owned(),
                    ]
                })
                .collect();
            let mut text = table(&["category", "name", "version", "tracer", "package"], &rows);
            let _ = writeln!(text, "{} plugins registered", registry.len());
            text
        }
    };
    io.out.write_all(text.as_bytes()).map_err(|e| format!("writing standard output: {e}"))?;
    Ok(ExitCode::SUCCESS)
}
