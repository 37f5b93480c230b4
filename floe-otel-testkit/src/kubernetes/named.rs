//! Documents judged against one named definition of the pinned schemas, for what
//! `kubernetes-validate` cannot select by `kind` and `apiVersion`: a `Status` (its schema
//! is stored as `status-meta-v1.json`, not the `status-v1.json` the validator looks for),
//! the discovery document `APIVersions`, and a JSON merge patch, which has no `kind`.
//!
//! The definitions are those of the validator's strict schemas for
//! [`KUBERNETES_VERSION`](super::KUBERNETES_VERSION) (its `_definitions.json`, named as in
//! the `OpenAPI` document: `io.k8s.apimachinery.pkg.apis.meta.v1.Status`), checked with the
//! same `jsonschema` Draft 2020-12 validator the validator uses, unknown fields refused.
//!
//! A [`NamedSchema::merge_patch`] reads a document as an RFC 7396 merge patch of the
//! definition: a partial object. Checked: every member it names exists in the definition
//! (unknown fields refused at every depth) and has the definition's type, recursively
//! through objects and maps; array items (a merge patch replaces an array whole) are
//! checked as whole objects, `required` members included. Relaxed: `required` members of
//! objects (a patch names only what changes), and `null` is accepted for every member (it
//! removes the member). Not checked, because it needs the object the patch applies to:
//! whether the patched object is valid (a `null` can remove what the object requires),
//! immutable fields, and everything the API server validates in code. Formats (`byte` for
//! base64 `data`) are not asserted, as for the whole-document judge.

use std::process::{Command, Stdio};

use super::{KubernetesSchemas, RUN_LIMIT_SECS, ScratchDir, VALIDATOR, ValidatorError, Verdict};

/// The definition of a `Status`, the body of a failure answer (and of some deletes).
pub const STATUS: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";

/// The checker run by the validators' Python.
const SCRIPT: &str = include_str!("named.py");

/// How a document is read against its definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// A whole object.
    Object,
    /// A JSON merge patch of one (see the module documentation for what is relaxed).
    MergePatch,
}

/// A definition of the pinned schemas, by name, and how to read a document against it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedSchema {
    definition: String,
    reading: Reading,
}

impl NamedSchema {
    /// `definition` (`io.k8s.api.core.v1.Secret`) for a whole object.
    pub fn object(definition: impl Into<String>) -> Self {
        Self { definition: definition.into(), reading: Reading::Object }
    }

    /// `definition` for a JSON merge patch of one.
    pub fn merge_patch(definition: impl Into<String>) -> Self {
        Self { definition: definition.into(), reading: Reading::MergePatch }
    }

    /// The definition's name.
    pub fn definition(&self) -> &str {
        &self.definition
    }

    /// How documents are read against it.
    pub fn reading(&self) -> Reading {
        self.reading
    }

    /// What a verdict names: `status`, `secret/db`, `secret merge patch`.
    fn resource(&self, document: &serde_json::Value) -> String {
        let short = self.definition.rsplit('.').next().unwrap_or_default().to_ascii_lowercase();
        let short = match self.reading {
            Reading::Object => short,
            Reading::MergePatch => format!("{short} merge patch"),
        };
        match document["metadata"]["name"].as_str() {
            Some(name) => format!("{short}/{name}"),
            None => short,
        }
    }
}

impl KubernetesSchemas {
    /// Judges each document against its named definition, one verdict per document, in
    /// order, from one run. A definition the schemas do not have is
    /// [`Verdict::Unjudged`], never a pass.
    ///
    /// # Errors
    /// When the validators' Python cannot run, or its output does not account for every
    /// document.
    pub fn judge_named(
        &self,
        documents: &[(NamedSchema, serde_json::Value)],
    ) -> Result<Vec<Verdict>, ValidatorError> {
        if documents.is_empty() {
            return Ok(Vec::new());
        }
        let python = self.program.with_file_name("python");
        if !python.exists() {
            return Err(ValidatorError(format!(
                "{} is missing: run scripts/setup validators",
                python.display()
            )));
        }
        let rows: Vec<serde_json::Value> = documents
            .iter()
            .map(|(schema, document)| {
                let reading = match schema.reading {
                    Reading::Object => "object",
                    Reading::MergePatch => "merge-patch",
                };
                serde_json::json!([schema.definition, reading, document])
            })
            .collect();
        let schemas = format!("v{}.0-local-strict", super::KUBERNETES_VERSION);
        let request = serde_json::json!({ "schemas": schemas, "documents": rows });
        let dir = ScratchDir::new()?;
        let file = dir.path().join("request.json");
        std::fs::write(&file, request.to_string())
            .map_err(|e| ValidatorError(format!("writing {}: {e}", file.display())))?;
        let output = Command::new("timeout")
            .arg("--kill-after=5")
            .arg(RUN_LIMIT_SECS.to_string())
            .arg(&python)
            .args(["-c", SCRIPT])
            .arg(&file)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| ValidatorError(format!("running {}: {e}", python.display())))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let failed = |why: &str| {
            ValidatorError(format!(
                "{VALIDATOR}'s schemas by name ({}): {why}\nstdout:\n{stdout}\nstderr:\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ))
        };
        let lines: Vec<serde_json::Value> = stdout
            .lines()
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()
            .map_err(|e| failed(&format!("a line that is not JSON: {e}")))?;
        if let Some(fatal) = lines.iter().find_map(|line| line["fatal"].as_str()) {
            return Err(failed(fatal));
        }
        if lines.len() != documents.len() {
            return Err(failed(&format!(
                "{} verdicts for {} documents",
                lines.len(),
                documents.len()
            )));
        }
        lines
            .iter()
            .zip(documents)
            .map(|(line, (schema, document))| {
                let resource = schema.resource(document);
                if line["valid"] == true {
                    Ok(Verdict::Valid { resource })
                } else if let Some(reason) = line["unjudged"].as_str() {
                    Ok(Verdict::Unjudged { reason: reason.to_owned() })
                } else if let (Some(path), Some(message)) =
                    (line["path"].as_str(), line["message"].as_str())
                {
                    Ok(Verdict::Invalid {
                        resource,
                        path: path.to_owned(),
                        message: message.to_owned(),
                    })
                } else {
                    Err(failed(&format!("an unexpected verdict {line}")))
                }
            })
            .collect()
    }

    /// Asserts that every document validates against its named definition, listing each
    /// one that does not (an unjudged one included).
    ///
    /// # Panics
    /// When one does not validate, or the validators' Python cannot run.
    #[track_caller]
    pub fn assert_valid_named(&self, documents: &[(NamedSchema, serde_json::Value)]) {
        let verdicts = self.judge_named(documents).unwrap_or_else(|e| panic!("{e}"));
        super::assert_all_valid(&verdicts);
    }
}
