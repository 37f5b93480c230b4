//! Build-script support for crates that link the prebuilt `libduckdb.so`.
//!
//! The `duckdb` crate is used without its `bundled` feature (building DuckDB from C++
//! source takes over 20 minutes here): `libduckdb-sys` links the library found in
//! `DUCKDB_LIB_DIR`, which `.cargo/config.toml` points at the `.duckdb/` directory that
//! `scripts/setup duckdb` fills. Linking is not enough to run, because the loader must
//! find the library too:
//!
//! - [`link_for_tests`], from the build script of every crate that depends on `duckdb`:
//!   symlinks the library into `$OUT_DIR` and adds that directory to the link search path.
//!   Cargo puts search paths inside its target directory on the loader path of
//!   `cargo test` and `cargo run`, for that crate and every crate depending on it.
//! - [`rpath_for_binaries`], from the build script of a binary that is started outside
//!   cargo (`floe`): records the library directory as the binaries' run path.
//!
//! An rpath in `[target] rustflags` is not used on purpose: any `RUSTFLAGS` in the
//! environment (CI often sets `-Dwarnings`) silently replaces it.
//!
//! A build script is the only caller, so failures panic with a message that says what to
//! run: cargo shows a build script's panic as the build error.
#![expect(
    clippy::print_stdout,
    reason = "cargo reads a build script's instructions from its standard output"
)]

use std::path::{Path, PathBuf};

/// The file name of the library on Linux.
pub const LIBRARY: &str = "libduckdb.so";

/// The environment variable naming the directory that holds [`LIBRARY`].
pub const LIB_DIR_VAR: &str = "DUCKDB_LIB_DIR";

/// What a crate needs that was not found.
#[derive(Debug, PartialEq, Eq)]
pub enum LinkError {
    /// `DUCKDB_LIB_DIR` is not set.
    NotConfigured,
    /// The directory holds no library.
    Missing(PathBuf),
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotConfigured => write!(
                f,
                "{LIB_DIR_VAR} is not set: build from the workspace (its .cargo/config.toml sets it) \
                 after running `scripts/setup duckdb`"
            ),
            Self::Missing(dir) => write!(
                f,
                "{} not found: run `scripts/setup duckdb` to fetch the prebuilt DuckDB library",
                dir.join(LIBRARY).display()
            ),
        }
    }
}

impl std::error::Error for LinkError {}

/// The absolute directory holding the library, from `lib_dir` (the value of
/// `DUCKDB_LIB_DIR`), made absolute against `base` when relative.
///
/// # Errors
/// [`LinkError`] when the variable is unset or the library is not there.
pub fn library_dir(lib_dir: Option<&Path>, base: &Path) -> Result<PathBuf, LinkError> {
    let dir = lib_dir.ok_or(LinkError::NotConfigured)?;
    let dir = if dir.is_absolute() { dir.to_owned() } else { base.join(dir) };
    if dir.join(LIBRARY).is_file() { Ok(dir) } else { Err(LinkError::Missing(dir)) }
}

/// The library directory as configured for this build script.
fn configured_dir() -> PathBuf {
    println!("cargo:rerun-if-env-changed={LIB_DIR_VAR}");
    let lib_dir = std::env::var_os(LIB_DIR_VAR).map(PathBuf::from);
    let manifest_dir =
        std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(PathBuf::new, PathBuf::from);
    match library_dir(lib_dir.as_deref(), &manifest_dir) {
        Ok(dir) => {
            println!("cargo:rerun-if-changed={}", dir.join(LIBRARY).display());
            dir
        }
        Err(error) => panic!("{error}"),
    }
}

/// For the build script of a crate that depends on `duckdb`: makes the library loadable by
/// `cargo test` and `cargo run` of this crate and of every crate that depends on it.
///
/// # Panics
/// With a message naming `scripts/setup duckdb` when the library is missing, or when the
/// symlink in `$OUT_DIR` cannot be made.
pub fn link_for_tests() {
    let dir = configured_dir();
    let out_dir =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR for build scripts"));
    let link = out_dir.join(LIBRARY);
    // Replace a link left by an earlier build that pointed elsewhere.
    let _ = std::fs::remove_file(&link);
    if let Err(error) = std::os::unix::fs::symlink(dir.join(LIBRARY), &link) {
        panic!("linking {} into {}: {error}", LIBRARY, out_dir.display());
    }
    println!("cargo:rustc-link-search=native={}", out_dir.display());
}

/// For the build script of a package whose binaries are started outside cargo: records
/// the library directory as their run path.
///
/// # Panics
/// With a message naming `scripts/setup duckdb` when the library is missing.
pub fn rpath_for_binaries() {
    let dir = configured_dir();
    println!("cargo:rustc-link-arg-bins=-Wl,-rpath,{}", dir.display());
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{LIBRARY, LinkError, library_dir};

    #[test]
    fn unset_variable_points_at_the_setup_script() {
        let error = library_dir(None, Path::new("/work")).unwrap_err();
        assert_eq!(error, LinkError::NotConfigured);
        assert!(error.to_string().contains("scripts/setup duckdb"), "{error}");
    }

    #[test]
    fn missing_library_names_the_file_and_the_setup_script() {
        let empty = std::env::temp_dir();
        let error = library_dir(Some(Path::new("no-such-duckdb-dir")), &empty).unwrap_err();
        let text = error.to_string();
        assert!(text.contains(&format!("no-such-duckdb-dir/{LIBRARY}")), "{text}");
        assert!(text.contains("scripts/setup duckdb"), "{text}");
    }

    #[test]
    fn relative_directory_is_resolved_against_the_base() {
        let base = std::env::temp_dir().join(format!("floe-duckdb-link-{}", std::process::id()));
        std::fs::create_dir_all(base.join("lib")).unwrap();
        std::fs::write(base.join("lib").join(LIBRARY), b"").unwrap();
        let found = library_dir(Some(Path::new("lib")), &base);
        std::fs::remove_dir_all(&base).unwrap();
        assert_eq!(found.unwrap(), base.join("lib"));
    }
}
