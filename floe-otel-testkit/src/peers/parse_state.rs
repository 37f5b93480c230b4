//! The saved parse of the example dbt project that every
//! [`DbtProject`](super::DbtProject) copy starts with.
//!
//! dbt-core keeps what it parsed in `target/partial_parse.msgpack` and, on the next
//! command, re-parses only the files whose checksums changed ("partial parsing", on by
//! default): a user's project has that file from its previous run. A fresh copy without it
//! makes every dbt command parse the whole project and dbt's own macros again, measured
//! here at 3.5 of the 9.4 CPU seconds of a `dbt test` on the example project (6.0 with the
//! saved parse). So each copy gets the file from one `dbt parse` of the same files, run
//! once per set of files and virtualenv and kept in the peer cache
//! (`<cache>/dbt-parse-state/`, see [`make`]).
//!
//! dbt itself decides whether the saved parse still holds: a different dbt version, other
//! `--vars`, another profile or target, a changed `dbt_project.yml` or changed
//! env vars read by it, and it parses everything again; a changed, added or removed model,
//! test, macro or seed, and it re-parses that file. What a test plants in its copy is
//! therefore parsed as it would be in a user's project. One thing the saved parse carries
//! over: dbt-duckdb loads a seed whose file did not change from the project directory the
//! saved parse was made in (the seed node's `root_path`), so the parse is made where it
//! stays: a directory of the cache, holding the same files.
//!
//! Anything that keeps the saved parse from being made (no virtualenv, dbt failing) leaves
//! the copy without it, and dbt parses everything, as before; the reason goes to stderr.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::{cache_dir, copy_tree, dbt_command, venv};

/// The file dbt-core reads its saved parse from, under the target path.
pub(super) const PARTIAL_PARSE_FILE: &str = "partial_parse.msgpack";

/// The saved parse of `source` (the example project), made once per process at most.
pub(super) fn saved_parse(source: &Path) -> Option<&'static Path> {
    static SAVED: OnceLock<Option<PathBuf>> = OnceLock::new();
    SAVED
        .get_or_init(|| match make(source) {
            Ok(file) => Some(file),
            Err(reason) => {
                eprintln!("floe-otel-testkit: dbt copies start without a saved parse: {reason}");
                None
            }
        })
        .as_deref()
}

/// The saved parse's path, from the cache or from a `dbt parse` run now.
///
/// The parse is made in `<key>.<pid>/`, where it stays: the saved parse names that
/// directory as the seeds' `root_path`. `<key>.ready` names the directory whose parse is
/// complete; it is written last, by a rename, so a test binary running beside this one
/// either reads a complete parse or makes its own.
fn make(source: &Path) -> Result<PathBuf, String> {
    let venv = venv().map_err(|e| e.to_string())?;
    let key = cache_key(source, &venv).map_err(|e| format!("reading {}: {e}", source.display()))?;
    let root = cache_dir().join("dbt-parse-state");
    let ready = root.join(format!("{key:016x}.ready"));
    let saved = |dir: &Path| dir.join("target").join(PARTIAL_PARSE_FILE);
    if let Ok(name) = std::fs::read_to_string(&ready) {
        let file = saved(&root.join(name.trim()));
        if file.is_file() {
            return Ok(file);
        }
    }
    let name = format!("{key:016x}.{}", std::process::id());
    let dir = root.join(&name);
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(source, &dir).map_err(|e| format!("copying {}: {e}", source.display()))?;
    if let Err(reason) = parse(&dir) {
        let _ = std::fs::remove_dir_all(&dir);
        return Err(reason);
    }
    let file = saved(&dir);
    if !file.is_file() {
        return Err(format!("dbt parse did not write {}", file.display()));
    }
    let written = root.join(format!("{name}.ready"));
    std::fs::write(&written, &name)
        .and_then(|()| std::fs::rename(&written, &ready))
        .map_err(|e| format!("writing {}: {e}", ready.display()))?;
    Ok(file)
}

/// `dbt parse` of the project in `dir`, as [`super::DbtProject::dbt`] runs dbt.
fn parse(dir: &Path) -> Result<(), String> {
    let output = dbt_command(dir, &["parse"])
        .map_err(|e| e.to_string())?
        .env_remove("FLOE_DUCKDB_PATH")
        .env_remove("DBT_TARGET_PATH")
        .output()
        .map_err(|e| format!("running dbt parse: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "dbt parse exited with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stdout).lines().last().unwrap_or_default()
        ))
    }
}

/// FNV-1a of every file of the project (relative path and contents, in name order) and of
/// the virtualenv's stamp (`scripts/setup` rewrites it whenever it rebuilds the
/// virtualenv): a new key for any other set of files or another dbt.
fn cache_key(source: &Path, venv: &Path) -> std::io::Result<u64> {
    let mut hash = Fnv::default();
    hash.write(venv.as_os_str().as_encoded_bytes());
    hash.write(&std::fs::read(venv.join(".floe-stamp")).unwrap_or_default());
    hash_tree(source, Path::new(""), &mut hash)?;
    Ok(hash.0)
}

fn hash_tree(dir: &Path, relative: &Path, hash: &mut Fnv) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let name = entry.file_name();
        if name == "target" || name == "logs" {
            continue;
        }
        let path = relative.join(&name);
        hash.write(path.as_os_str().as_encoded_bytes());
        hash.write(&[0]);
        if entry.file_type()?.is_dir() {
            hash_tree(&entry.path(), &path, hash)?;
        } else {
            let contents = std::fs::read(entry.path())?;
            hash.write(&(contents.len() as u64).to_le_bytes());
            hash.write(&contents);
        }
    }
    Ok(())
}

/// 64-bit FNV-1a: a cache key stable across processes and Rust versions (`DefaultHasher`
/// promises neither).
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}
