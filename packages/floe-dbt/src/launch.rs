//! How a dbt command is started: its arguments, and where they go.
//!
//! The command line of a process is readable by every local user (`/proc/<pid>/cmdline`),
//! and `--vars` may hold values a project treats as confidential. dbt-core 1.11 reads
//! `--vars` only from its arguments (the option has no environment variable, and there is
//! no vars file), so when the configured `dbt` is the Python entry point of a dbt-core
//! installation (a `#!/…/python` script importing `dbt.cli.main`), floe starts that
//! interpreter with a short launcher and hands it the arguments as JSON on standard input:
//! dbt then runs in the same way, and no argument is on the command line. Any other
//! executable (Fusion, a shell wrapper) gets its arguments on the command line; see the
//! README for what that means for `--vars`.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use floe_core::plugin::categories::{DbtCommand, DbtOptions};
use floe_core::process::is_executable;

use super::cli::Engine;

/// Runs dbt-core's CLI with the arguments read from standard input (a JSON array), exactly
/// as the `dbt` entry point does with its command line.
pub(crate) const LAUNCHER: &str = "import json, sys\n\
args = json.loads(sys.stdin.read())\n\
sys.argv = ['dbt']\n\
from dbt.cli.main import cli\n\
cli.main(args=args, prog_name='dbt')\n";

/// What the entry point of a pip-installed dbt-core imports.
const ENTRY_POINT_MARK: &str = "from dbt.cli.main import cli";

/// The arguments of `command` with `options` (and, for `show`, an inline query).
pub(crate) fn arguments(
    command: DbtCommand,
    options: &DbtOptions,
    inline: Option<&str>,
) -> Vec<String> {
    let mut args = vec![command.as_str().to_owned()];
    let mut push = |flag: &str, value: &str| {
        args.push(flag.to_owned());
        args.push(value.to_owned());
    };
    push("--project-dir", &options.project_dir.to_string_lossy());
    if let Some(dir) = &options.profiles_dir {
        push("--profiles-dir", &dir.to_string_lossy());
    }
    if let Some(target) = &options.target {
        push("--target", target);
    }
    if let Some(vars) = &options.vars {
        push("--vars", vars);
    }
    if let Some(sql) = inline {
        push("--inline", sql);
    }
    if command == DbtCommand::Show {
        push("--output", "json");
    }
    // One JSON event per line from either engine (Fusion documents `--log-format json`
    // as dbt-core-compatible events): errors and previews are read from it.
    push("--log-format", "json");
    if !options.select.is_empty() {
        args.push("--select".to_owned());
        args.extend(options.select.iter().cloned());
    }
    args
}

/// How the process is started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Launch {
    /// `program` with the arguments on its command line.
    Direct,
    /// This Python interpreter running [`LAUNCHER`], the arguments on standard input.
    Python(PathBuf),
}

/// The launch for `program` running `engine`.
pub(crate) fn launch_for(program: &Path, engine: Engine) -> Launch {
    match engine {
        Engine::Core => python_entry_point(program).map_or(Launch::Direct, Launch::Python),
        Engine::Fusion => Launch::Direct,
    }
}

/// The interpreter of `program` when it is dbt-core's Python entry point: a script whose
/// first line is `#!<absolute path to python…>` and which imports `dbt.cli.main`.
fn python_entry_point(program: &Path) -> Option<PathBuf> {
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(program).ok()?.take(4096).read_to_end(&mut head).ok()?;
    let text = String::from_utf8_lossy(&head);
    let shebang = text.lines().next()?.strip_prefix("#!")?;
    let interpreter = PathBuf::from(shebang.split_whitespace().next()?);
    let is_python =
        interpreter.file_name().is_some_and(|n| n.to_string_lossy().starts_with("python"));
    (interpreter.is_absolute()
        && is_python
        && is_executable(&interpreter)
        && text.contains(ENTRY_POINT_MARK))
    .then_some(interpreter)
}
