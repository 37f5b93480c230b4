//! Kubernetes documents judged by the JSON schemas of a pinned Kubernetes version, with
//! `kubernetes-validate` (from `PyPI`, installed by `scripts/setup validators`), not by the
//! `k8s-openapi` types that built them.
//!
//! A round trip through `k8s-openapi` cannot disagree with the plugin that used the same
//! types, and its `Deserialize` skips unknown fields, so a misplaced or misspelt field
//! passes it. The schemas here are the API server's own (strict: unknown fields refused).
//!
//! They check structure and types; they do not check every enum (a bad
//! `NetworkPolicyPort.protocol` passes), formats (`int32` ranges), or anything the API
//! server validates in code (label syntax, CIDR containment). Tests assert those
//! themselves.
//!
//! What the validator cannot select by `kind` (a `Status`, a JSON merge patch) is judged
//! against a definition named by the caller: [`KubernetesSchemas::judge_named`].
//!
//! One validator process judges a whole batch (it costs about half a second to start):
//! hand every document of a test to one [`KubernetesSchemas::judge_json`] or
//! [`KubernetesSchemas::judge_yaml`] call.
//!
//! ```no_run
//! use floe_otel_testkit::kubernetes::{KubernetesSchemas, Verdict};
//!
//! let schemas = KubernetesSchemas::installed().expect("scripts/setup validators");
//! let policy = serde_json::json!({
//!     "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
//!     "metadata": { "name": "deny" }, "spec": { "podSelector": "all" },
//! });
//! let verdicts = schemas.judge_json(&[policy]).unwrap();
//! assert!(matches!(&verdicts[0], Verdict::Invalid { path, .. } if path == "spec.podSelector"));
//! ```

mod named;

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub use named::{NamedSchema, Reading, STATUS};

use crate::peers::validators_bin;

/// The Kubernetes version whose schemas judge (the `k8s-openapi` feature of the
/// workspace, `v1_33`, is the same version).
pub const KUBERNETES_VERSION: &str = "1.33";

/// The validator and its pinned version (`scripts/python/validators-requirements.txt`).
pub const VALIDATOR: &str = "kubernetes-validate 1.37.0";

/// The longest one validator run may take, whatever the batch.
const RUN_LIMIT_SECS: u32 = 120;

/// The validator is missing, cannot run, or answered something this module cannot read
/// (the message quotes its output).
#[derive(Debug)]
pub struct ValidatorError(String);

impl fmt::Display for ValidatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ValidatorError {}

/// What the schemas say of one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The document validates against the schema of its kind and `apiVersion`.
    Valid {
        /// `kind/name`, as the validator names it (`networkpolicy/default-deny-all`).
        resource: String,
    },
    /// The schema refuses the document.
    Invalid {
        /// `kind/name`, as the validator names it.
        resource: String,
        /// Where, dotted (`spec.podSelector`, `rules.0.verbs`); empty for the document.
        path: String,
        /// The schema's complaint (`'all' is not of type 'object', 'null'`).
        message: String,
    },
    /// The validator could not judge it: no schema for its kind and `apiVersion` at
    /// [`KUBERNETES_VERSION`], or not a Kubernetes object at all.
    Unjudged {
        /// The validator's words.
        reason: String,
    },
}

impl Verdict {
    /// Whether the document validated.
    pub fn is_valid(&self) -> bool {
        matches!(self, Self::Valid { .. })
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Valid { resource } => write!(f, "{resource}: valid"),
            Self::Invalid { resource, path, message } => {
                write!(f, "{resource}: refused at {path:?}: {message}")
            }
            Self::Unjudged { reason } => write!(f, "not judged: {reason}"),
        }
    }
}

/// The installed validator, judging at [`KUBERNETES_VERSION`] with unknown fields refused.
#[derive(Clone, Debug)]
pub struct KubernetesSchemas {
    program: PathBuf,
}

impl KubernetesSchemas {
    /// The validator `scripts/setup validators` installed.
    ///
    /// # Errors
    /// When it is missing; the message says how to install it.
    pub fn installed() -> Result<Self, ValidatorError> {
        let program =
            validators_bin("kubernetes-validate").map_err(|e| ValidatorError(e.to_string()))?;
        Ok(Self { program })
    }

    /// Judges JSON documents (JSON is YAML, so the validator reads them as written), one
    /// verdict per document, in order, from one validator run.
    ///
    /// # Errors
    /// When the validator cannot run or its output does not account for every document.
    pub fn judge_json(
        &self,
        documents: &[serde_json::Value],
    ) -> Result<Vec<Verdict>, ValidatorError> {
        let texts: Vec<String> = documents
            .iter()
            .map(|d| serde_json::to_string_pretty(d).map(|text| text + "\n"))
            .collect::<Result<_, _>>()
            .map_err(|e| ValidatorError(format!("writing a document as JSON: {e}")))?;
        self.judge_yaml(&texts)
    }

    /// Judges YAML texts, each holding exactly one document (`---` first is fine), one
    /// verdict per text, in order, from one validator run.
    ///
    /// # Errors
    /// When the validator cannot run, or its output does not account for every text with
    /// exactly one verdict (a text holding several documents, or none).
    pub fn judge_yaml<S: AsRef<str>>(
        &self,
        documents: &[S],
    ) -> Result<Vec<Verdict>, ValidatorError> {
        if documents.is_empty() {
            return Ok(Vec::new());
        }
        let dir = ScratchDir::new()?;
        let names: Vec<String> = (0..documents.len()).map(|i| format!("doc-{i:05}.yaml")).collect();
        for (name, text) in names.iter().zip(documents) {
            std::fs::write(dir.path().join(name), text.as_ref())
                .map_err(|e| ValidatorError(format!("writing {name}: {e}")))?;
        }
        let output = Command::new("timeout")
            .arg("--kill-after=5")
            .arg(RUN_LIMIT_SECS.to_string())
            .arg(&self.program)
            .args(["-k", KUBERNETES_VERSION, "--strict"])
            .args(&names)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .output()
            .map_err(|e| ValidatorError(format!("running {}: {e}", self.program.display())))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let failed = |why: String| {
            ValidatorError(format!(
                "{VALIDATOR} ({}): {why}\nstdout:\n{stdout}\nstderr:\n{stderr}",
                output.status
            ))
        };
        let mut verdicts: Vec<Vec<Verdict>> = vec![Vec::new(); names.len()];
        for (file, verdict) in parse(&stdout).map_err(failed)? {
            let index = names.iter().position(|n| *n == file).ok_or_else(|| {
                failed(format!("a verdict for {file}, which is not one of the documents"))
            })?;
            verdicts[index].push(verdict);
        }
        verdicts
            .into_iter()
            .zip(&names)
            .map(|(mut found, name)| match found.len() {
                1 => Ok(found.remove(0)),
                n => {
                    Err(failed(format!("{n} verdicts for {name}; each text must be one document")))
                }
            })
            .collect()
    }

    /// Asserts that every JSON document validates, listing each one that does not.
    ///
    /// # Panics
    /// When one does not validate, or the validator cannot run.
    #[track_caller]
    pub fn assert_valid_json(&self, documents: &[serde_json::Value]) {
        let verdicts = self.judge_json(documents).unwrap_or_else(|e| panic!("{e}"));
        assert_all_valid(&verdicts);
    }

    /// Asserts that every YAML text (one document each) validates, listing each one that
    /// does not.
    ///
    /// # Panics
    /// When one does not validate, or the validator cannot run.
    #[track_caller]
    pub fn assert_valid_yaml<S: AsRef<str>>(&self, documents: &[S]) {
        let verdicts = self.judge_yaml(documents).unwrap_or_else(|e| panic!("{e}"));
        assert_all_valid(&verdicts);
    }
}

#[track_caller]
fn assert_all_valid(verdicts: &[Verdict]) {
    assert!(!verdicts.is_empty(), "no document to validate: the assertion would pass on nothing");
    let refused: Vec<String> = verdicts
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.is_valid())
        .map(|(i, v)| format!("  document {i}: {v}"))
        .collect();
    assert!(
        refused.is_empty(),
        "{} of {} documents do not validate against the Kubernetes {KUBERNETES_VERSION} schemas:\n{}",
        refused.len(),
        verdicts.len(),
        refused.join("\n")
    );
}

/// A `v1` `Pod` carrying a pod security context and, on its one container, a container
/// security context: how a security context fragment is judged by the schemas.
pub fn pod_with_security_contexts(
    pod: &serde_json::Value,
    container: &serde_json::Value,
) -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": { "name": "security-context-probe" },
        "spec": {
            "securityContext": pod,
            "containers": [{ "name": "main", "image": "registry.invalid/probe:1", "securityContext": container }],
        },
    })
}

/// The validator's lines: `INFO <file> passed for resource <r> against version <v>`,
/// `ERROR <file> did not validate for resource <r> against version <v>: <path>: <message>`,
/// `ERROR <file> could not be validated: <why>`, `WARN <file> <why>`; any other line
/// continues the message before it. `FATAL` ends the run.
fn parse(stdout: &str) -> Result<Vec<(String, Verdict)>, String> {
    let mut out: Vec<(String, Verdict)> = Vec::new();
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("FATAL ") {
            return Err(rest.to_owned());
        }
        let (file, verdict) = if let Some(rest) = line.strip_prefix("INFO ") {
            let (file, rest) = split_file(rest)?;
            let resource = between(rest, "passed for resource ", " against version ")?;
            (file, Verdict::Valid { resource })
        } else if let Some(rest) = line.strip_prefix("ERROR ") {
            let (file, rest) = split_file(rest)?;
            if let Some(why) = rest.strip_prefix("could not be validated: ") {
                (file, Verdict::Unjudged { reason: why.to_owned() })
            } else {
                let resource =
                    between(rest, "did not validate for resource ", " against version ")?;
                let (_, after) = rest
                    .split_once(" against version ")
                    .and_then(|(_, v)| v.split_once(": "))
                    .ok_or_else(|| format!("unexpected line {line:?}"))?;
                let (path, message) = after.split_once(": ").unwrap_or(("", after));
                (
                    file,
                    Verdict::Invalid {
                        resource,
                        path: path.to_owned(),
                        message: message.to_owned(),
                    },
                )
            }
        } else if let Some(rest) = line.strip_prefix("WARN ") {
            let (file, why) = split_file(rest)?;
            (file, Verdict::Unjudged { reason: why.to_owned() })
        } else {
            match out.last_mut() {
                Some((
                    _,
                    Verdict::Invalid { message: text, .. } | Verdict::Unjudged { reason: text },
                )) => {
                    text.push('\n');
                    text.push_str(line);
                    continue;
                }
                _ if line.trim().is_empty() => continue,
                _ => return Err(format!("unexpected line {line:?}")),
            }
        };
        out.push((file, verdict));
    }
    Ok(out)
}

fn split_file(rest: &str) -> Result<(String, &str), String> {
    rest.split_once(' ')
        .map(|(file, rest)| (file.to_owned(), rest))
        .ok_or_else(|| format!("no file name in {rest:?}"))
}

fn between(text: &str, start: &str, end: &str) -> Result<String, String> {
    text.strip_prefix(start)
        .and_then(|rest| rest.split_once(end))
        .map(|(inner, _)| inner.to_owned())
        .ok_or_else(|| format!("unexpected verdict {text:?}"))
}

/// The batch's files, removed on drop.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new() -> Result<Self, ValidatorError> {
        use opentelemetry_sdk::trace::IdGenerator as _;
        let unique = opentelemetry_sdk::trace::RandomIdGenerator::default().new_span_id();
        let path = std::env::temp_dir().join(format!("floe-kubernetes-validate-{unique}"));
        std::fs::create_dir_all(&path)
            .map_err(|e| ValidatorError(format!("creating {}: {e}", path.display())))?;
        Ok(Self(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
