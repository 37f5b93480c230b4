//! The workspace description every check runs on: members, their manifests and their Rust
//! files, each parsed once with `syn`.
//!
//! Real runs build it from `cargo metadata` ([`Workspace::load`]); tests build it from a
//! fixture tree (`Workspace::from_fixture`: every directory holding a `Cargo.toml` with
//! a `[package]` is a member). Either way the checks are pure functions of a [`Workspace`].

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use crate::exemptions;
use crate::manifest::{self, DepKind, Dependency};
use crate::registry::{self, Registry};

/// A workspace: its members, sorted by directory, and its telemetry registry.
#[derive(Debug)]
pub(crate) struct Workspace {
    /// The members.
    pub(crate) members: Vec<Member>,
    /// The telemetry registry (`packages/floe-telemetry/registry`), empty when the
    /// workspace has none.
    pub(crate) registry: Registry,
}

/// One workspace member.
#[derive(Debug)]
pub(crate) struct Member {
    /// The package name.
    pub(crate) name: String,
    /// The directory relative to the workspace root, `/`-separated.
    pub(crate) dir: String,
    /// The text of its `Cargo.toml`.
    pub(crate) manifest: String,
    /// Its dependencies.
    pub(crate) dependencies: Vec<Dependency>,
    /// Its Rust files, sorted by path.
    pub(crate) files: Vec<SourceFile>,
}

/// One Rust file.
pub(crate) struct SourceFile {
    /// The path relative to the workspace root (`plugins/floe-x/src/lib.rs`).
    pub(crate) path: String,
    /// The path relative to the member (`src/lib.rs`).
    pub(crate) local: String,
    /// The text.
    pub(crate) text: String,
    /// Under `tests/` or `benches/`, or the file of a `#[cfg(test)]` module.
    pub(crate) test_code: bool,
    /// The syntax tree, or the line and message of the parse error.
    pub(crate) ast: Result<syn::File, (usize, String)>,
}

impl Workspace {
    /// The workspace at `root`, members from `cargo metadata`.
    ///
    /// # Errors
    /// When `cargo metadata` fails or a file cannot be read.
    pub(crate) fn load(root: &Path) -> Result<Self> {
        let metadata = cargo_metadata::MetadataCommand::new()
            .manifest_path(root.join("Cargo.toml"))
            .no_deps()
            .exec()
            .context("running cargo metadata")?;
        let root = root.canonicalize().with_context(|| format!("resolving {}", root.display()))?;
        let mut members = Vec::new();
        for package in metadata.workspace_packages() {
            let manifest_path = package.manifest_path.as_std_path();
            let manifest = read(manifest_path)?;
            let dependencies = package
                .dependencies
                .iter()
                .filter_map(|d| {
                    let kind = match d.kind {
                        cargo_metadata::DependencyKind::Normal => DepKind::Normal,
                        cargo_metadata::DependencyKind::Development => DepKind::Dev,
                        cargo_metadata::DependencyKind::Build => DepKind::Build,
                        _ => return None,
                    };
                    let key = d.rename.as_deref().unwrap_or(&d.name);
                    let line = manifest::dependency_line(&manifest, key, kind);
                    Some(Dependency { name: d.name.clone(), kind, line })
                })
                .collect();
            let dir = manifest_path.parent().context("a manifest has a parent directory")?;
            members.push(Member::read(
                &root,
                dir,
                package.name.to_string(),
                manifest,
                dependencies,
            )?);
        }
        members.sort_by(|a, b| a.dir.cmp(&b.dir));
        Ok(Self { members, registry: load_registry(&root)? })
    }

    /// The fixture workspace at `root`: every directory (up to three levels down) whose
    /// `Cargo.toml` has a `[package]` is a member.
    ///
    /// # Errors
    /// When a file cannot be read.
    #[cfg(test)]
    pub(crate) fn from_fixture(root: &Path) -> Result<Self> {
        let mut manifests = Vec::new();
        find_manifests(root, 0, &mut manifests)?;
        let mut members = Vec::new();
        for path in manifests {
            let manifest = read(&path)?;
            let Some(name) = manifest::package_name(&manifest) else { continue };
            let dependencies = manifest::dependencies(&manifest);
            let dir = path.parent().context("a manifest has a parent directory")?;
            members.push(Member::read(root, dir, name, manifest, dependencies)?);
        }
        members.sort_by(|a, b| a.dir.cmp(&b.dir));
        Ok(Self { members, registry: load_registry(root)? })
    }

    /// The members under `plugins/`.
    pub(crate) fn plugins(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(|m| m.is_plugin())
    }

    /// The member named `name`.
    pub(crate) fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name == name)
    }
}

impl Member {
    fn read(
        root: &Path,
        dir: &Path,
        name: String,
        manifest: String,
        dependencies: Vec<Dependency>,
    ) -> Result<Self> {
        let rel_dir = relative(root, dir);
        let mut paths = Vec::new();
        rust_files(root, dir, true, &mut paths)?;
        paths.sort();
        let mut files = Vec::new();
        for path in paths {
            let text = read(&path)?;
            let local = relative(dir, &path);
            let test_code = local.starts_with("tests/") || local.starts_with("benches/");
            let ast = syn::parse_file(&text).map_err(|e| (e.span().start().line, e.to_string()));
            files.push(SourceFile { path: relative(root, &path), local, text, test_code, ast });
        }
        mark_cfg_test_modules(&mut files);
        Ok(Self { name, dir: rel_dir, manifest, dependencies, files })
    }

    /// Whether the member is a plugin (its directory is under `plugins/`).
    pub(crate) fn is_plugin(&self) -> bool {
        self.dir.starts_with("plugins/")
    }

    /// The file at `local` (relative to the member).
    pub(crate) fn file(&self, local: &str) -> Option<&SourceFile> {
        self.files.iter().find(|f| f.local == local)
    }

    /// The workspace-relative path of `local`.
    pub(crate) fn path_of(&self, local: &str) -> String {
        if self.dir.is_empty() { local.to_owned() } else { format!("{}/{local}", self.dir) }
    }

    /// Whether the member depends on `name` in section `kind`.
    pub(crate) fn depends_on(&self, name: &str, kind: DepKind) -> Option<&Dependency> {
        self.dependencies.iter().find(|d| d.name == name && d.kind == kind)
    }
}

impl std::fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceFile")
            .field("path", &self.path)
            .field("test_code", &self.test_code)
            .field("parsed", &self.ast.is_ok())
            .finish_non_exhaustive()
    }
}

impl SourceFile {
    /// The parsed file, if it parsed.
    pub(crate) fn syntax(&self) -> Option<&syn::File> {
        self.ast.as_ref().ok()
    }
}

/// The registry under `root`, or an empty one when there is no registry directory.
fn load_registry(root: &Path) -> Result<Registry> {
    let dir = root.join(registry::REGISTRY_DIR);
    if dir.is_dir() { registry::load(&dir) } else { Ok(Registry::default()) }
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// `path` relative to `base`, `/`-separated.
fn relative(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn is_walkable(name: &str) -> bool {
    !name.starts_with('.') && name != "target"
}

#[cfg(test)]
fn find_manifests(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<()> {
    let manifest = dir.join("Cargo.toml");
    if manifest.is_file() {
        out.push(manifest);
    }
    if depth == 3 {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry.with_context(|| format!("listing {}", dir.display()))?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if path.is_dir() && is_walkable(&name) {
            find_manifests(&path, depth + 1, out)?;
        }
    }
    Ok(())
}

/// The `.rs` files under `dir`, not descending into other packages, build output, hidden
/// directories or paths exempt from every rule.
fn rust_files(root: &Path, dir: &Path, top: bool, out: &mut Vec<PathBuf>) -> Result<()> {
    if !top && dir.join("Cargo.toml").is_file() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry.with_context(|| format!("listing {}", dir.display()))?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let rel = relative(root, &path);
        if !is_walkable(&name)
            || exemptions::is_skipped(&rel)
            || exemptions::is_skipped(&format!("{rel}/"))
        {
            continue;
        }
        if path.is_dir() {
            rust_files(root, &path, false, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// Whether `attrs` hold a `#[cfg(..)]` that requires `test` (`cfg(test)`,
/// `cfg(all(test, ..))`).
pub(crate) fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        if !attr.path().is_ident("cfg") {
            return false;
        }
        let Ok(list) = attr.meta.require_list() else { return false };
        requires_test(list.tokens.clone())
    })
}

fn requires_test(tokens: proc_macro2::TokenStream) -> bool {
    let trees: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
    match trees.as_slice() {
        [proc_macro2::TokenTree::Ident(ident)] => ident == "test",
        [proc_macro2::TokenTree::Ident(ident), proc_macro2::TokenTree::Group(group)]
            if ident == "all" =>
        {
            group
                .stream()
                .into_iter()
                .collect::<Vec<_>>()
                .split(|t| matches!(t, proc_macro2::TokenTree::Punct(p) if p.as_char() == ','))
                .any(|part| requires_test(part.iter().cloned().collect()))
        }
        _ => false,
    }
}

/// Marks the files of `#[cfg(test)] mod x;` declarations (and everything below them) as
/// test code.
fn mark_cfg_test_modules(files: &mut [SourceFile]) {
    let mut test_dirs: Vec<String> = Vec::new();
    let mut test_files: Vec<String> = Vec::new();
    for file in files.iter() {
        let Some(ast) = file.syntax() else { continue };
        let (dir, stem) = match file.local.rsplit_once('/') {
            Some((dir, name)) => (dir.to_owned(), name.trim_end_matches(".rs").to_owned()),
            None => (String::new(), file.local.trim_end_matches(".rs").to_owned()),
        };
        let owns_dir = matches!(stem.as_str(), "lib" | "main" | "mod") || file.local == "build.rs";
        let base = if owns_dir { dir } else { join(&dir, &stem) };
        collect_test_modules(&ast.items, &base, false, &mut test_files, &mut test_dirs);
    }
    for file in files.iter_mut() {
        if test_files.contains(&file.local)
            || test_dirs.iter().any(|d| file.local.starts_with(d.as_str()))
        {
            file.test_code = true;
        }
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() { name.to_owned() } else { format!("{dir}/{name}") }
}

fn collect_test_modules(
    items: &[syn::Item],
    base: &str,
    inside_test: bool,
    files: &mut Vec<String>,
    dirs: &mut Vec<String>,
) {
    for item in items {
        let syn::Item::Mod(module) = item else { continue };
        let test = inside_test || is_cfg_test(&module.attrs);
        let name = module.ident.to_string();
        match &module.content {
            Some((_, inner)) => collect_test_modules(inner, &join(base, &name), test, files, dirs),
            None if test => {
                files.push(format!("{}.rs", join(base, &name)));
                dirs.push(format!("{}/", join(base, &name)));
            }
            None => {}
        }
    }
}

/// Fixture workspaces for the checks' tests.
#[cfg(test)]
pub(crate) mod fixture {
    use std::path::{Path, PathBuf};

    use super::Workspace;

    fn data(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test_data/workspace").join(name)
    }

    fn copy_tree(from: &Path, to: &Path) {
        for entry in std::fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            let target = to.join(path.file_name().unwrap());
            if path.is_dir() {
                std::fs::create_dir_all(&target).unwrap();
                copy_tree(&path, &target);
            } else {
                std::fs::copy(&path, &target).unwrap();
            }
        }
    }

    /// `test_data/workspace/good` with the files of `test_data/workspace/<overlay>` laid
    /// over it, the files `remove` deleted and the files `add` written.
    pub(crate) fn workspace(
        overlay: Option<&str>,
        remove: &[&str],
        add: &[(&str, &str)],
    ) -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&data("good"), dir.path());
        if let Some(overlay) = overlay {
            copy_tree(&data(overlay), dir.path());
        }
        for path in remove {
            std::fs::remove_file(dir.path().join(path)).unwrap();
        }
        for (path, text) in add {
            std::fs::write(dir.path().join(path), text).unwrap();
        }
        Workspace::from_fixture(dir.path()).unwrap()
    }
}
