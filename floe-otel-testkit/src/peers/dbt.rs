//! Faults planted in a copy of the example dbt project, shared by the tests of every
//! plugin that runs dbt (the dbt-core and Fusion runners, the dbt quality provider): each
//! makes dbt, SQLFluff or floe's reading of them fail, and fail fast (most before dbt
//! starts, the others on a command that selects nothing). The assertions stay in each
//! plugin's tests.

use std::path::PathBuf;

use super::{DbtProject, PeerError, cache_dir};

/// The environment that keeps dbt-core from writing its JSON artifacts (`--no-write-json`,
/// variable `DBT_WRITE_JSON`): a command that succeeds leaves no `run_results.json`.
pub const NO_JSON_ARTIFACTS: (&str, &str) = ("DBT_WRITE_JSON", "false");

/// The environment that silences every dbt-core log event (`--log-level none`, variable
/// `DBT_LOG_LEVEL`): `dbt show` succeeds and prints no preview.
pub const NO_LOG_EVENTS: (&str, &str) = ("DBT_LOG_LEVEL", "none");

/// The environment that has the Python of dbt-core (and of the Fusion stand-in) keep the
/// bytecode it compiles in the peer cache (`<cache>/python-bytecode`, Python's
/// `PYTHONPYCACHEPREFIX`) instead of compiling dbt-core, its adapter and their
/// dependencies again on every start: most of a short dbt command's CPU time when the
/// virtualenv holds no bytecode. `PYTHONDONTWRITEBYTECODE` is emptied, which Python reads
/// as unset (an environment that sets it would keep the cache from filling). The
/// virtualenv itself is never written; dbt behaves the same either way.
pub fn python_bytecode_cache() -> [(&'static str, String); 2] {
    let prefix = cache_dir().join("python-bytecode");
    [
        ("PYTHONPYCACHEPREFIX", prefix.display().to_string()),
        ("PYTHONDONTWRITEBYTECODE", String::new()),
    ]
}

/// A `--select` no node of the example project matches: dbt parses the project, runs
/// nothing, and succeeds.
pub const SELECTS_NOTHING: &str = "no_node_is_called_this";

/// A model the database refuses: it reads a table that does not exist.
pub const ERRORING_MODEL: &str = "select * from no_such_table_anywhere\n";

/// A model whose style SQLFluff rejects (select targets on one line, no space after a
/// comma): `LT09` at 1:1, `LT01` at 1:17.
pub const BADLY_STYLED_MODEL: &str = "select order_id,status from {{ ref('stg_orders') }}\n";

/// An ephemeral model with no tests: `dbt test --select` it succeeds without a database
/// table, and a query on `ref()` to it needs none either.
pub const EPHEMERAL_MODEL: &str = "{{ config(materialized='ephemeral') }}\nselect 1 as id\n";

/// A singular test on `probe` that the database refuses (it joins a table that does not
/// exist), so its node ends with status `error`.
pub const ERRORING_TEST: &str =
    "select probe.id from {{ ref('probe') }} as probe join no_such_table_anywhere using (id)\n";

/// A project override of dbt's preview macro (`get_limit_sql`, which dbt dispatches to the
/// root project first) whose previews hold no row: `dbt show` succeeds with an empty
/// preview.
pub const EMPTY_PREVIEW_MACRO: &str = "{% macro duckdb__get_limit_sql(sql, limit) %}\n\
    select * from ({{ sql }}) as previewed where false\n\
    {% endmacro %}\n";

/// What the Jinja library of [`DbtProject::add_printing_lint_library`] prints when
/// SQLFluff imports it.
pub const LINT_LIBRARY_OUTPUT: &str = "loading the project's jinja helpers";

/// A PostgreSQL URL with `password` in its user info (user `floe`, host `db.internal`,
/// database `warehouse`): what a user pastes into a dbt-duckdb profile's `path` when
/// they take it for a warehouse connection. DuckDB takes it for a file name and refuses it
/// quoting it whole, in dbt's error event: `IO Error: Cannot open file
/// "postgresql://floe:<password>@db.internal:5432/warehouse": No such file or directory`.
pub fn warehouse_url(password: &str) -> String {
    format!("postgresql://floe:{password}@db.internal:5432/warehouse")
}

impl DbtProject {
    /// Removes `dbt_project.yml`: the directory is no dbt project any more.
    ///
    /// # Errors
    /// When the file cannot be removed.
    pub fn remove_project_file(&self) -> Result<(), PeerError> {
        let file = self.path().join("dbt_project.yml");
        std::fs::remove_file(&file).map_err(|e| io_error("removing", "dbt_project.yml", &e))
    }

    /// Sets `target-path` in `dbt_project.yml` to `value` (a Jinja expression, or another
    /// directory than `target`).
    ///
    /// # Errors
    /// When the file cannot be rewritten or sets no `target-path: target`.
    pub fn set_target_path(&self, value: &str) -> Result<(), PeerError> {
        let file = self.path().join("dbt_project.yml");
        let text = std::fs::read_to_string(&file)
            .map_err(|e| io_error("reading", "dbt_project.yml", &e))?;
        if !text.contains("target-path: target\n") {
            return Err(PeerError("dbt_project.yml sets no `target-path: target`".to_owned()));
        }
        std::fs::write(
            &file,
            text.replace("target-path: target\n", &format!("target-path: {value}\n")),
        )
        .map_err(|e| io_error("writing", "dbt_project.yml", &e))
    }

    /// Makes `<target>/run_results.json` (`target` relative to the project) a directory:
    /// dbt cannot write the file there, and nothing can read it.
    ///
    /// # Errors
    /// When the directory cannot be created.
    pub fn block_run_results(&self, target: &str) -> Result<(), PeerError> {
        let dir = self.path().join(target).join("run_results.json");
        std::fs::create_dir_all(dir.join("in-the-way"))
            .map_err(|e| io_error("creating", "run_results.json/", &e))
    }

    /// Writes `models/<name>.sql`.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn write_model(&self, name: &str, sql: &str) -> Result<(), PeerError> {
        self.write_file(&format!("models/{name}.sql"), sql)
    }

    /// Writes the singular test `tests/<name>.sql`.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn write_singular_test(&self, name: &str, sql: &str) -> Result<(), PeerError> {
        self.write_file(&format!("tests/{name}.sql"), sql)
    }

    /// Writes `macros/<name>.sql`.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn write_macro(&self, name: &str, sql: &str) -> Result<(), PeerError> {
        self.write_file(&format!("macros/{name}.sql"), sql)
    }

    /// Writes a profile `floe_demo` (target `dev`, DuckDB) whose database `path` is
    /// spelled out in the file, not read with `env_var`, into `literal-profile/` of the
    /// project, and returns that directory (for `--profiles-dir`): whatever dbt quotes of
    /// `path` was never handed to floe as a secret.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn write_literal_profile(&self, path: &str) -> Result<PathBuf, PeerError> {
        let profile = format!(
            "floe_demo:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      \
             path: {path:?}\n"
        );
        self.write_file("literal-profile/profiles.yml", &profile)?;
        Ok(self.path().join("literal-profile"))
    }

    /// Points SQLFluff's Jinja templater at a library (`[sqlfluff:templater:jinja]
    /// library_path`, a documented SQLFluff setting) whose module prints
    /// [`LINT_LIBRARY_OUTPUT`] when imported, as dbt's templater prints its logs: SQLFluff
    /// still exits as usual, but its standard output is no longer its JSON report.
    ///
    /// # Errors
    /// When the files cannot be written.
    pub fn add_printing_lint_library(&self) -> Result<(), PeerError> {
        self.write_file("jinja_helpers/helpers.py", &format!("print({LINT_LIBRARY_OUTPUT:?})\n"))?;
        let file = self.path().join(".sqlfluff");
        let mut text =
            std::fs::read_to_string(&file).map_err(|e| io_error("reading", ".sqlfluff", &e))?;
        text.push_str("\n[sqlfluff:templater:jinja]\nlibrary_path = jinja_helpers\n");
        std::fs::write(&file, text).map_err(|e| io_error("writing", ".sqlfluff", &e))
    }

    fn write_file(&self, relative: &str, text: &str) -> Result<(), PeerError> {
        let path = self.path().join(relative);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io_error("creating", relative, &e))?;
        }
        std::fs::write(&path, text).map_err(|e| io_error("writing", relative, &e))
    }
}

fn io_error(action: &str, what: &str, error: &std::io::Error) -> PeerError {
    PeerError(format!("{action} {what} in the dbt project copy: {error}"))
}
