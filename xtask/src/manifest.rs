//! A line-based reader for the parts of `Cargo.toml` the checks look at: section headers,
//! their keys, and the line each sits on.
//!
//! It is not a TOML parser. It understands what member manifests of this workspace
//! contain: `[section]` headers, `key = value` lines and `key.workspace = true`. Multi-line
//! values are read as their first line, which is enough to know a key is there.

/// One `[section]` of a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Section {
    /// The header without brackets (`lints`, `dependencies`, `target.'cfg(unix)'.dependencies`).
    pub(crate) name: String,
    /// The 1-based line of the header.
    pub(crate) line: usize,
    /// The keys, in order.
    pub(crate) entries: Vec<Entry>,
}

/// A `key = value` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The key; for `serde.workspace = true` this is `serde.workspace`.
    pub(crate) key: String,
    /// The raw value text, trimmed.
    pub(crate) value: String,
    /// The 1-based line.
    pub(crate) line: usize,
}

/// The sections of `text`; keys before the first header are dropped.
pub(crate) fn sections(text: &str) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    let mut depth = 0_i32;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.split('#').next().unwrap_or_default().trim();
        if depth > 0 {
            depth += bracket_balance(trimmed);
            continue;
        }
        if trimmed.starts_with('[') && trimmed.ends_with(']') {
            let name = trimmed.trim_start_matches('[').trim_end_matches(']').trim().to_owned();
            out.push(Section { name, line, entries: Vec::new() });
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=') else { continue };
        depth = bracket_balance(value);
        if let Some(section) = out.last_mut() {
            section.entries.push(Entry {
                key: key.trim().trim_matches('"').to_owned(),
                value: value.trim().to_owned(),
                line,
            });
        }
    }
    out
}

/// Open minus closed brackets and braces on a line (for values spanning lines).
fn bracket_balance(text: &str) -> i32 {
    text.chars().fold(0, |n, c| match c {
        '[' | '{' => n + 1,
        ']' | '}' => n - 1,
        _ => n,
    })
}

/// `name = "..."` of the `[package]` section.
#[cfg(test)]
pub(crate) fn package_name(text: &str) -> Option<String> {
    sections(text)
        .into_iter()
        .find(|s| s.name == "package")?
        .entries
        .into_iter()
        .find(|e| e.key == "name")
        .map(|e| e.value.trim_matches('"').to_owned())
}

/// What a dependency section is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum DepKind {
    /// `[dependencies]`: linked into the crate itself.
    Normal,
    /// `[dev-dependencies]`: tests, benches and examples only.
    Dev,
    /// `[build-dependencies]`: the build script.
    Build,
}

/// A dependency declared in a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Dependency {
    /// The package depended on (the `package = ".."` of a renamed dependency).
    pub(crate) name: String,
    /// Which section.
    pub(crate) kind: DepKind,
    /// The 1-based line declaring it, 1 when unknown.
    pub(crate) line: usize,
}

/// The dependency kind a section header declares, if it is a dependency section.
fn dep_kind(section: &str) -> Option<(DepKind, Option<&str>)> {
    // `dependencies`, `target.'cfg(x)'.dependencies`, and `dependencies.serde`.
    let parts: Vec<&str> = section.rsplitn(2, '.').collect();
    let kind_of = |word: &str| match word {
        "dependencies" => Some(DepKind::Normal),
        "dev-dependencies" => Some(DepKind::Dev),
        "build-dependencies" => Some(DepKind::Build),
        _ => None,
    };
    if let Some(kind) = kind_of(parts[0]) {
        return Some((kind, None));
    }
    let [name, head] = parts[..] else { return None };
    let head_word = head.rsplit('.').next().unwrap_or(head);
    kind_of(head_word).map(|kind| (kind, Some(name)))
}

/// Every dependency `text` declares.
#[cfg(test)]
pub(crate) fn dependencies(text: &str) -> Vec<Dependency> {
    let mut out = Vec::new();
    for section in sections(text) {
        let Some((kind, table_name)) = dep_kind(&section.name) else { continue };
        if let Some(name) = table_name {
            let renamed = section.entries.iter().find(|e| e.key == "package");
            out.push(Dependency {
                name: renamed.map_or(name, |e| e.value.trim_matches('"')).to_owned(),
                kind,
                line: section.line,
            });
            continue;
        }
        for entry in &section.entries {
            let key = entry.key.split('.').next().unwrap_or_default().trim_matches('"');
            out.push(Dependency {
                name: renamed_package(&entry.value).unwrap_or(key).to_owned(),
                kind,
                line: entry.line,
            });
        }
    }
    out
}

/// The `package = ".."` inside an inline table, if any.
#[cfg(test)]
fn renamed_package(value: &str) -> Option<&str> {
    let start = value.find("package")?;
    let rest = value[start + "package".len()..].trim_start().strip_prefix('=')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    rest.split('"').next()
}

/// The line declaring dependency `key` (as written, possibly a rename) of `kind`, or 1.
pub(crate) fn dependency_line(text: &str, key: &str, kind: DepKind) -> usize {
    sections(text)
        .iter()
        .filter(|s| dep_kind(&s.name).is_some_and(|(k, _)| k == kind))
        .find_map(|s| match dep_kind(&s.name) {
            Some((_, Some(name))) if name == key => Some(s.line),
            _ => s.entries.iter().find(|e| e.key.split('.').next() == Some(key)).map(|e| e.line),
        })
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::{DepKind, dependencies, package_name, sections};

    const MANIFEST: &str = r#"[package]
name = "floe-alert-demo"
version.workspace = true

[dependencies]
floe-core = { workspace = true }
kit = { package = "floe-otel-testkit", path = "../x" }
serde.workspace = true
tokio = { workspace = true, features = [
  "rt",
] }

[dev-dependencies]
floe-otel-testkit = { workspace = true }

[target.'cfg(unix)'.build-dependencies]
cc = "1"

[dependencies.regex]
version = "1"

[lints]
workspace = true
"#;

    #[test]
    fn reads_sections_with_their_lines() {
        let found = sections(MANIFEST);
        let lints = found.iter().find(|s| s.name == "lints").unwrap();
        assert_eq!(lints.line, 22);
        assert_eq!(lints.entries.len(), 1);
        assert_eq!(lints.entries[0].key, "workspace");
        assert_eq!(package_name(MANIFEST).as_deref(), Some("floe-alert-demo"));
    }

    #[test]
    fn reads_dependencies_of_every_kind_and_form() {
        let deps: Vec<(String, DepKind, usize)> =
            dependencies(MANIFEST).into_iter().map(|d| (d.name, d.kind, d.line)).collect();
        assert_eq!(
            deps,
            [
                ("floe-core".to_owned(), DepKind::Normal, 6),
                ("floe-otel-testkit".to_owned(), DepKind::Normal, 7),
                ("serde".to_owned(), DepKind::Normal, 8),
                ("tokio".to_owned(), DepKind::Normal, 9),
                ("floe-otel-testkit".to_owned(), DepKind::Dev, 14),
                ("cc".to_owned(), DepKind::Build, 17),
                ("regex".to_owned(), DepKind::Normal, 19),
            ]
        );
    }
}
