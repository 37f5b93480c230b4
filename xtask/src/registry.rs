//! The telemetry registry: OpenTelemetry semantic-convention YAML, read and checked.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use serde::Deserialize;

/// Where the registry lives, relative to the workspace root.
pub(crate) const REGISTRY_DIR: &str = "packages/floe-telemetry/registry";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    groups: Vec<Group>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    brief: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    span_kind: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    stability: Option<String>,
    #[serde(default)]
    attributes: Vec<AttrOrRef>,
    #[serde(default)]
    annotations: Option<Annotations>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum AttrOrRef {
    Ref {
        #[serde(rename = "ref")]
        reference: String,
        #[serde(default)]
        requirement_level: Option<String>,
    },
    Attr(Box<RawAttribute>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAttribute {
    id: String,
    #[serde(rename = "type")]
    ty: RawType,
    brief: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    examples: Option<serde_saphyr_value::Any>,
    #[serde(default)]
    requirement_level: Option<String>,
    stability: String,
    #[serde(default)]
    annotations: Option<Annotations>,
}

/// Examples are free-form; only their presence matters here.
mod serde_saphyr_value {
    use serde::Deserialize;

    #[derive(Debug)]
    pub(super) struct Any;

    impl<'de> Deserialize<'de> for Any {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            serde::de::IgnoredAny::deserialize(deserializer).map(|_| Any)
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawType {
    Simple(String),
    Enum { members: Vec<Member> },
}

#[derive(Debug, Deserialize)]
struct Member {
    #[expect(dead_code, reason = "read to check the member is well formed")]
    id: String,
    value: String,
    #[serde(default)]
    #[expect(dead_code, reason = "read to check the member is well formed")]
    brief: Option<String>,
    #[serde(default)]
    #[expect(dead_code, reason = "read to check the member is well formed")]
    stability: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Annotations {
    #[serde(default)]
    floe: Option<FloeAnnotations>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FloeAnnotations {
    #[serde(default)]
    span_name: Option<String>,
    #[serde(default)]
    tracers: Vec<String>,
    #[serde(default)]
    never_record: bool,
    #[serde(default)]
    volatile: bool,
}

/// An attribute's type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AttrType {
    /// `string`, `int`, `double`, `boolean`, or an array of them (`string[]`).
    Simple(String),
    /// A string enum with these values.
    Enum(Vec<String>),
}

/// A declared attribute.
#[derive(Clone, Debug)]
pub(crate) struct Attribute {
    pub(crate) key: String,
    pub(crate) ty: AttrType,
    pub(crate) brief: String,
    pub(crate) requirement: String,
    pub(crate) never_record: bool,
    pub(crate) volatile: bool,
    pub(crate) tracers: Vec<String>,
    pub(crate) group: String,
    pub(crate) file: String,
}

/// A declared span.
#[derive(Clone, Debug)]
pub(crate) struct Span {
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) brief: String,
    pub(crate) tracers: Vec<String>,
    /// Referenced attributes with their requirement level on this span.
    pub(crate) attributes: Vec<(String, String)>,
    pub(crate) group: String,
    pub(crate) file: String,
}

/// A declared event.
#[derive(Clone, Debug)]
pub(crate) struct Event {
    pub(crate) name: String,
    pub(crate) brief: String,
    pub(crate) attributes: Vec<String>,
    pub(crate) group: String,
    pub(crate) file: String,
}

/// The whole registry.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    pub(crate) attributes: BTreeMap<String, Attribute>,
    pub(crate) spans: BTreeMap<String, Span>,
    pub(crate) events: BTreeMap<String, Event>,
}

const SIMPLE_TYPES: [&str; 8] =
    ["string", "int", "double", "boolean", "string[]", "int[]", "double[]", "boolean[]"];
const REQUIREMENTS: [&str; 4] = ["required", "conditionally_required", "recommended", "opt_in"];
const STABILITIES: [&str; 5] =
    ["development", "experimental", "stable", "release_candidate", "deprecated"];
const SPAN_KINDS: [&str; 5] = ["client", "server", "internal", "producer", "consumer"];

/// Reads every `*.yaml` of `dir` and checks the registry is consistent.
pub(crate) fn load(dir: &Path) -> Result<Registry> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut registry = Registry::default();
    let mut refs: Vec<(String, String, String)> = Vec::new();
    for path in &files {
        let name = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let file: File =
            serde_saphyr::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        for group in file.groups {
            add_group(&mut registry, &mut refs, group, &name)?;
        }
    }
    for (owner, reference, file) in refs {
        if !registry.attributes.contains_key(&reference) {
            bail!("{file}: {owner} refers to undeclared attribute {reference:?}");
        }
        if registry.attributes[&reference].never_record {
            bail!("{file}: {owner} refers to never-record attribute {reference:?}");
        }
    }
    Ok(registry)
}

fn add_group(
    registry: &mut Registry,
    refs: &mut Vec<(String, String, String)>,
    group: Group,
    file: &str,
) -> Result<()> {
    let _ = (&group.note, &group.stability);
    let floe = group.annotations.and_then(|a| a.floe).unwrap_or_default();
    match group.kind.as_str() {
        "attribute_group" => {
            for item in group.attributes {
                let AttrOrRef::Attr(raw) = item else {
                    bail!(
                        "{file}: {}: attribute groups declare attributes, they do not refer to them",
                        group.id
                    );
                };
                let attribute = attribute(*raw, &group.id, file)?;
                if let Some(previous) = registry.attributes.get(&attribute.key) {
                    bail!(
                        "{file}: attribute {:?} is already declared in {}",
                        attribute.key,
                        previous.file
                    );
                }
                registry.attributes.insert(attribute.key.clone(), attribute);
            }
        }
        "span" => {
            let name = floe.span_name.clone().with_context(|| {
                format!("{file}: {}: span groups need annotations.floe.span_name", group.id)
            })?;
            check_dotted(&name).with_context(|| format!("{file}: {}: span name", group.id))?;
            let kind = group
                .span_kind
                .clone()
                .with_context(|| format!("{file}: {}: span groups need span_kind", group.id))?;
            if !SPAN_KINDS.contains(&kind.as_str()) {
                bail!("{file}: {}: span_kind {kind:?} is not one of {SPAN_KINDS:?}", group.id);
            }
            if floe.tracers.is_empty() {
                bail!("{file}: {}: annotations.floe.tracers names no tracer", group.id);
            }
            let mut attributes = Vec::new();
            for item in group.attributes {
                let AttrOrRef::Ref { reference, requirement_level } = item else {
                    bail!("{file}: {}: span groups refer to attributes with `ref`", group.id);
                };
                let level = requirement_level.unwrap_or_else(|| "recommended".to_owned());
                if !REQUIREMENTS.contains(&level.as_str()) {
                    bail!("{file}: {}: requirement_level {level:?} of {reference}", group.id);
                }
                refs.push((group.id.clone(), reference.clone(), file.to_owned()));
                attributes.push((reference, level));
            }
            if registry.spans.contains_key(&name) {
                bail!("{file}: span {name:?} is declared twice");
            }
            let span = Span {
                name: name.clone(),
                kind,
                brief: group.brief,
                tracers: floe.tracers,
                attributes,
                group: group.id,
                file: file.to_owned(),
            };
            registry.spans.insert(name, span);
        }
        "event" => {
            let name = group
                .name
                .clone()
                .with_context(|| format!("{file}: {}: event groups need a name", group.id))?;
            let mut attributes = Vec::new();
            for item in group.attributes {
                let AttrOrRef::Ref { reference, .. } = item else {
                    bail!("{file}: {}: event groups refer to attributes with `ref`", group.id);
                };
                refs.push((group.id.clone(), reference.clone(), file.to_owned()));
                attributes.push(reference);
            }
            registry.events.insert(
                name.clone(),
                Event {
                    name,
                    brief: group.brief,
                    attributes,
                    group: group.id,
                    file: file.to_owned(),
                },
            );
        }
        other => bail!("{file}: {}: unsupported group type {other:?}", group.id),
    }
    Ok(())
}

fn attribute(raw: RawAttribute, group: &str, file: &str) -> Result<Attribute> {
    let _ = (&raw.note, &raw.examples);
    if !STABILITIES.contains(&raw.stability.as_str()) {
        bail!(
            "{file}: attribute {:?} has stability {:?}, expected one of {STABILITIES:?}",
            raw.id,
            raw.stability
        );
    }
    check_dotted(&raw.id).with_context(|| format!("{file}: attribute {:?}", raw.id))?;
    let floe = raw.annotations.and_then(|a| a.floe).unwrap_or_default();
    let ty = match raw.ty {
        RawType::Simple(name) if SIMPLE_TYPES.contains(&name.as_str()) => AttrType::Simple(name),
        RawType::Simple(name) => {
            bail!("{file}: attribute {:?} has unsupported type {name:?}", raw.id)
        }
        RawType::Enum { members } => AttrType::Enum(members.into_iter().map(|m| m.value).collect()),
    };
    if !floe.never_record && raw.requirement_level.is_none() {
        bail!("{file}: attribute {:?} needs a requirement_level", raw.id);
    }
    if floe.never_record && floe.tracers.is_empty() {
        bail!(
            "{file}: never-record attribute {:?} names no tracer in annotations.floe.tracers",
            raw.id
        );
    }
    Ok(Attribute {
        key: raw.id,
        ty,
        brief: raw.brief.trim().to_owned(),
        requirement: raw.requirement_level.unwrap_or_else(|| "never".to_owned()),
        never_record: floe.never_record,
        volatile: floe.volatile,
        tracers: floe.tracers,
        group: group.to_owned(),
        file: file.to_owned(),
    })
}

/// Dotted lower-case identifiers: `alert.delivery_status`.
fn check_dotted(name: &str) -> Result<()> {
    let ok = name.split('.').count() >= 2
        && name.split('.').all(|part| {
            part.starts_with(|c: char| c.is_ascii_lowercase())
                && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        });
    if !ok {
        bail!("{name:?} is not dotted lower-case identifiers");
    }
    Ok(())
}

impl Registry {
    /// Every tracer any span or never-record attribute names.
    pub(crate) fn tracers(&self) -> BTreeSet<String> {
        self.spans
            .values()
            .flat_map(|s| s.tracers.iter().cloned())
            .chain(self.attributes.values().flat_map(|a| a.tracers.iter().cloned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    fn fixture(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test_data/registry").join(name)
    }

    fn error(name: &str) -> String {
        format!("{:#}", super::load(&fixture(name)).unwrap_err())
    }

    #[test]
    fn a_consistent_registry_loads() {
        let registry = super::load(&fixture("good")).unwrap();
        assert_eq!(
            registry.spans["demo.run"].attributes,
            [("demo.name".to_owned(), "required".to_owned())]
        );
        assert!(registry.attributes["demo.password"].never_record);
        assert_eq!(registry.tracers().into_iter().collect::<Vec<_>>(), ["floe.demo.x"]);
    }

    #[test]
    fn a_reference_to_an_undeclared_attribute_is_an_error() {
        assert_eq!(
            error("undeclared_ref"),
            "a.yaml: span.demo.run refers to undeclared attribute \"demo.missing\""
        );
    }

    #[test]
    fn a_span_cannot_require_a_never_record_attribute() {
        assert_eq!(
            error("never_record_ref"),
            "a.yaml: span.demo.run refers to never-record attribute \"demo.password\""
        );
    }

    #[test]
    fn a_span_group_needs_a_span_name() {
        assert_eq!(
            error("missing_span_name"),
            "a.yaml: span.demo.run: span groups need annotations.floe.span_name"
        );
    }
}
