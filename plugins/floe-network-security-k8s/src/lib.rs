//! floe-network-security-k8s: the platform's Kubernetes network security.
//!
//! Generates `NetworkPolicies` (a default deny for every namespace, then DNS, the platform,
//! the Kubernetes API, HTTPS over IPv4 and IPv6, and custom egress allowances), Pod
//! Security Standards namespace labels, and pod and container security contexts, as typed
//! `k8s-openapi` documents. Every generator is a `security.*` span of tracer
//! [`telemetry::TRACER_NAME`] with the real number of documents it produced; the
//! registered constructor runs the same check, so `floe compile` names the manifest key of
//! a refused rule.

mod check;
mod cidr;
pub mod config;
mod error;
mod policies;
pub mod telemetry;

use std::collections::BTreeMap;

use floe_core::KeyValue;
use floe_core::plugin::categories::{
    GeneratedManifests, NetworkSecurity, PodSecurityLevel, restricted_container_security_context,
    restricted_pod_security_context,
};
use floe_core::plugin::{Plugin, PluginCategory, PluginError, PluginMetadata, ResolvedConfig};
use floe_core::telemetry::{DomainSpan, attr, in_span};

pub use config::NetworkSecurityConfig;
pub use error::NetworkSecurityError;
use telemetry::{SecurityOp, TRACER_NAME};

/// The plugin's metadata.
pub static METADATA: PluginMetadata = PluginMetadata::new(
    env!("CARGO_PKG_NAME"),
    "k8s",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::NetworkSecurity,
    "Kubernetes NetworkPolicies, Pod Security Standards labels and security contexts",
)
.with_tracer_name(TRACER_NAME)
.with_config_schema(config::schema);

/// Decodes and checks the config, so `floe compile` refuses a rule that is not allowed
/// naming its manifest key (`plugins.network_security.config.egress_rules[0].except[1]`).
fn construct(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    let typed: NetworkSecurityConfig = config.decode(PLUGIN)?;
    check::check(&typed).map_err(|refusal| config.invalid(PLUGIN, &refusal.key, refusal.error))?;
    Ok(Box::new(NetworkSecurityPlugin::new(typed)))
}

/// The plugin, as errors name it.
const PLUGIN: &str = "network_security/k8s";

floe_core::register_plugin!(METADATA, construct);

/// The platform's network security, from its config. Rules are checked when policies are
/// generated, so a rule that is not allowed is a traced error (and, through the registry,
/// when the plugin is built from a manifest).
#[derive(Debug)]
pub struct NetworkSecurityPlugin {
    config: NetworkSecurityConfig,
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl NetworkSecurityPlugin {
    /// The plugin for `config`.
    pub fn new(config: NetworkSecurityConfig) -> Self {
        Self { config }
    }

    /// Builds a security context inside its span (one document).
    fn context_span(build: impl FnOnce() -> serde_json::Value) -> serde_json::Value {
        let attributes = [
            KeyValue::new(attr::SECURITY_POLICY_TYPE, "security_context"),
            KeyValue::new(attr::SECURITY_RESOURCE_COUNT, 1_i64),
        ];
        let traced: Result<_, std::convert::Infallible> =
            in_span(TRACER_NAME, SecurityOp::GenerateSecurityContext, attributes, |_| Ok(build()));
        match traced {
            Ok(context) => context,
        }
    }
}

impl Plugin for NetworkSecurityPlugin {
    fn metadata(&self) -> &'static PluginMetadata {
        &METADATA
    }

    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        let manifests = self.network_policies()?;
        Ok(serde_json::json!({
            "network_policies": manifests.documents,
            "namespace_labels": self.pss_labels(self.config.pss_level),
            "pod_security_context": self.pod_security_context(),
            "container_security_context": self.container_security_context(),
        }))
    }
}

impl NetworkSecurity for NetworkSecurityPlugin {
    type Error = NetworkSecurityError;

    fn network_policies(&self) -> Result<GeneratedManifests, NetworkSecurityError> {
        let attributes = [
            KeyValue::new(attr::SECURITY_POLICY_TYPE, "network_policy"),
            KeyValue::new(attr::SECURITY_NAMESPACE_COUNT, count(self.config.namespaces.len())),
        ];
        // A leaf: nothing below starts a span, so this one is not made current. Ended as the
        // SDK made it, it costs what a raw SDK span does; the context a current span needs
        // (two allocations, a copy of the span, a lock per write) cost more than the span
        // itself in `cargo bench -p contract-tests --bench overhead`.
        let span =
            DomainSpan::start_with(TRACER_NAME, SecurityOp::GenerateNetworkPolicies, attributes);
        let generated = policies::generate(&self.config).and_then(|policies| {
            policies
                .iter()
                .map(|p| {
                    serde_json::to_value(p).map_err(|source| NetworkSecurityError::Serialize {
                        kind: "NetworkPolicy",
                        source,
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        });
        let produced = generated.as_ref().map_or(0, Vec::len);
        span.set_attribute(KeyValue::new(attr::SECURITY_RESOURCE_COUNT, count(produced)));
        let result = generated.map(|documents| GeneratedManifests { documents });
        span.end_with(&result);
        result
    }

    fn pss_labels(&self, level: PodSecurityLevel) -> BTreeMap<String, String> {
        let labels = level.namespace_labels();
        let span = DomainSpan::start_with(
            TRACER_NAME,
            SecurityOp::GeneratePssLabels,
            [
                KeyValue::new(attr::SECURITY_POLICY_TYPE, "pss_labels"),
                KeyValue::new(attr::SECURITY_PSS_LEVEL, level.as_str()),
                KeyValue::new(attr::SECURITY_RESOURCE_COUNT, count(labels.len())),
            ],
        );
        span.succeed();
        labels
    }

    fn pod_security_context(&self) -> serde_json::Value {
        let config = &self.config;
        Self::context_span(|| {
            restricted_pod_security_context(
                config.run_as_user,
                config.run_as_group,
                config.fs_group,
            )
        })
    }

    fn container_security_context(&self) -> serde_json::Value {
        Self::context_span(restricted_container_security_context)
    }
}
