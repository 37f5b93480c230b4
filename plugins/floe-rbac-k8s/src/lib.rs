//! floe-rbac-k8s: the platform's Kubernetes RBAC.
//!
//! Generates namespaces labelled with their Pod Security Standards level, one service
//! account per workload (API token not mounted unless asked), a least-privilege `Role`
//! per account (no wildcard, no privileged verb, Secrets only by name, unless
//! `allow_wildcards`; no exec into pods, service account token or workload creation
//! unless the rule says `allow_privileged`), its `RoleBinding`, and the pod security
//! context, as typed `k8s-openapi` documents. Every generator is a `security.*` span of
//! tracer [`telemetry::TRACER_NAME`] with the real number of documents it produced; the
//! registered constructor runs the same check, so `floe compile` names the manifest key
//! of a refused rule.

mod check;
pub mod config;
mod error;
mod manifests;
pub mod telemetry;

use floe_core::KeyValue;
use floe_core::plugin::categories::{GeneratedManifests, Rbac, restricted_pod_security_context};
use floe_core::plugin::{Plugin, PluginCategory, PluginError, PluginMetadata, ResolvedConfig};
use floe_core::telemetry::{DomainSpan, attr, in_span};

pub use config::RbacConfig;
pub use error::RbacError;
use telemetry::{SecurityOp, TRACER_NAME};

/// The plugin's metadata.
pub static METADATA: PluginMetadata = PluginMetadata::new(
    env!("CARGO_PKG_NAME"),
    "k8s",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::Rbac,
    "Kubernetes namespaces with PSS labels, service accounts, least-privilege roles and bindings",
)
.with_tracer_name(TRACER_NAME)
.with_config_schema(config::schema);

/// Decodes and checks the config, so `floe compile` refuses a rule that is not allowed
/// naming its manifest key (`plugins.rbac.config.service_accounts[0].rules[1]`).
fn construct(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    let typed: RbacConfig = config.decode(PLUGIN)?;
    check::check(&typed).map_err(|refusal| config.invalid(PLUGIN, &refusal.key, refusal.error))?;
    Ok(Box::new(RbacPlugin::new(typed)))
}

/// The plugin, as errors name it.
const PLUGIN: &str = "rbac/k8s";

floe_core::register_plugin!(METADATA, construct);

/// The platform's RBAC, from its config. Rules are checked when manifests are generated,
/// so a rule that is not allowed is a traced error (and, through the registry, when the
/// plugin is built from a manifest).
#[derive(Debug)]
pub struct RbacPlugin {
    config: RbacConfig,
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl RbacPlugin {
    /// The plugin for `config`.
    pub fn new(config: RbacConfig) -> Self {
        Self { config }
    }
}

impl Plugin for RbacPlugin {
    fn metadata(&self) -> &'static PluginMetadata {
        &METADATA
    }

    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        let manifests = self.rbac_manifests()?;
        Ok(serde_json::json!({
            "manifests": manifests.documents,
            "pod_security_context": self.pod_security_context(),
        }))
    }
}

impl Rbac for RbacPlugin {
    type Error = RbacError;

    fn rbac_manifests(&self) -> Result<GeneratedManifests, RbacError> {
        let attributes = [
            KeyValue::new(attr::SECURITY_POLICY_TYPE, "rbac"),
            KeyValue::new(attr::SECURITY_NAMESPACE_COUNT, count(self.config.namespaces.len())),
        ];
        in_span(TRACER_NAME, SecurityOp::GenerateRbac, attributes, |span| {
            let generated = manifests::generate(&self.config);
            let produced = generated.as_ref().map_or(0, Vec::len);
            span.set_attribute(KeyValue::new(attr::SECURITY_RESOURCE_COUNT, count(produced)));
            generated.map(|documents| GeneratedManifests { documents })
        })
    }

    fn pod_security_context(&self) -> serde_json::Value {
        let span = DomainSpan::start_with(
            TRACER_NAME,
            SecurityOp::GenerateSecurityContext,
            [
                KeyValue::new(attr::SECURITY_POLICY_TYPE, "security_context"),
                KeyValue::new(attr::SECURITY_RESOURCE_COUNT, 1_i64),
            ],
        );
        let config = &self.config;
        let context = restricted_pod_security_context(
            config.run_as_user,
            config.run_as_group,
            config.fs_group,
        );
        span.succeed();
        context
    }
}
