//! Output formats shared by the commands.

/// How a command prints its result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// Readable tables.
    #[default]
    Table,
    /// JSON on standard output.
    Json,
}
