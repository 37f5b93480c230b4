//! The compile stages as spans, the link-time registry, and audit warnings as `tracing`
//! events.

use floe_core::compile::{CompileRequest, compile};
use floe_core::plugin::{
    Plugin, PluginCategory, PluginError, PluginMetadata, ResolvedConfig, find, registered,
};
use floe_core::telemetry::attr;
use floe_otel_testkit::{Capture, expect};

static TEST_ALERT: PluginMetadata = PluginMetadata::new(
    "floe-core-tests",
    "registered",
    "9.9.9",
    PluginCategory::AlertChannel,
    "registered in a test",
);

#[derive(Debug)]
struct Registered;

impl Plugin for Registered {
    fn metadata(&self) -> &'static PluginMetadata {
        &TEST_ALERT
    }
}

#[expect(clippy::unnecessary_wraps, reason = "the signature is the registry's Constructor")]
fn construct(_: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    Ok(Box::new(Registered))
}

floe_core::register_plugin!(TEST_ALERT, construct);

fn manifest(plugins: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("manifest.yaml");
    let text = format!(
        "api_version: floe/v1\nplatform: {{ name: p, namespace: spans-ns }}\nplugins:\n{plugins}"
    );
    std::fs::write(&path, text).expect("write manifest");
    (dir, path)
}

#[test]
fn a_plugin_crate_registers_itself_at_link_time() {
    let found =
        find(PluginCategory::AlertChannel, "registered").expect("registered through inventory");
    assert_eq!(found.metadata.version, "9.9.9");
    assert!(registered().iter().any(|d| d.metadata.package == "floe-core-tests"));
    assert!(find(PluginCategory::Compute, "registered").is_none());
}

#[test]
fn compile_traces_each_stage_under_one_root_with_audit_findings_as_events() {
    let (dir, path) = manifest("  alert_channel: { type: registered }\n");
    let output = dir.path().join("artifacts.json");
    let registry = registered();
    let capture = Capture::start();
    let outcome = compile(&CompileRequest {
        manifest: &path,
        output: Some(&output),
        registry: &registry,
        env: &|_: &str| None,
    })
    .expect("compiles");
    assert_eq!(outcome.audit().warnings().count(), 1);
    let stage =
        |name: &str| expect::tree(expect::span(name).ok().scope("floe.core").floe_attributes());
    capture.assert_tree(
        expect::tree(
            expect::span("floe.compile")
                .root()
                .ok()
                .attr(attr::FLOE_COMPILE_MANIFEST, "manifest.yaml")
                .attr(attr::FLOE_NAMESPACE, "spans-ns"),
        )
        .child(stage("compile.load"))
        .child(stage("compile.validate"))
        .child(expect::tree(expect::span("compile.resolve").attr(attr::FLOE_PLUGIN_COUNT, 1_i64)))
        .child(expect::tree(
            expect::span("compile.enforce").attr(attr::FLOE_AUDIT_WARNINGS, 1_i64).event(
                expect::event("audit.finding")
                    .attr(attr::FLOE_AUDIT_RULE, "FLOE-OTEL-001")
                    .attr(attr::FLOE_PLUGIN, "alert_channel/registered"),
            ),
        ))
        .child(stage("compile.compile"))
        .child(stage("compile.generate"))
        .in_order()
        .exact(),
    );
    capture.assert_conforms();
    let logs = capture.logs();
    assert!(
        logs.iter().any(|l| l.starts_with("WARN ")
            && l.contains("plugin=alert_channel/registered")
            && l.contains("rule=FLOE-OTEL-001")
            && l.contains("remediation=")),
        "the audit warning is a structured tracing event: {logs:?}"
    );
}

#[test]
fn a_failing_stage_ends_its_span_and_the_root_as_errors_and_stops() {
    let (_dir, path) =
        manifest("  compute: { type: nope, config: { password: \"FLOETEST-never-shown\" } }\n");
    let registry = registered();
    let capture = Capture::start();
    let err = compile(&CompileRequest {
        manifest: &path,
        output: None,
        registry: &registry,
        env: &|_: &str| None,
    })
    .unwrap_err();
    assert!(err.to_string().contains("plugins.compute.type: unknown plugin \"nope\""), "{err}");
    capture.assert_one(
        expect::span("compile.resolve")
            .error_containing("unknown plugin \"nope\"")
            .exception("CompileError"),
    );
    capture.assert_one(expect::span("floe.compile").root().error());
    capture.assert_none(expect::span("compile.enforce"));
    capture.assert_no_secret("FLOETEST-never-shown");
}

static STRICT_ALERT: PluginMetadata = PluginMetadata::new(
    "floe-core-tests",
    "strict",
    "9.9.9",
    PluginCategory::AlertChannel,
    "refuses a url that is not https, naming the key",
);

/// Refuses any `url` that is not https, as a plugin does after decoding its config.
fn construct_strict(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    #[derive(serde::Deserialize)]
    struct Strict {
        url: String,
    }
    let strict: Strict = config.decode("alert_channel/strict")?;
    if !strict.url.starts_with("https://") {
        // A careless reason quoting the value: the secret in it is scrubbed.
        let reason = format!("{} must use https", strict.url);
        return Err(config.invalid("alert_channel/strict", "url", reason));
    }
    Ok(Box::new(Registered))
}

floe_core::register_plugin!(STRICT_ALERT, construct_strict);

#[test]
fn a_plugin_refusing_a_decoded_value_is_a_compile_error_naming_the_manifest_key() {
    let (_dir, path) = manifest(
        "  alert_channel:\n    - { type: registered }\n    - { type: strict, config: { url: \"http://h/${secret:hook}\" } }\n",
    );
    let registry = registered();
    let env = |name: &str| (name == "FLOE_SECRET_HOOK").then(|| "FLOETEST-hook-path".to_owned());

    let err =
        compile(&CompileRequest { manifest: &path, output: None, registry: &registry, env: &env })
            .unwrap_err();

    let text = err.to_string();
    assert!(
        text.ends_with(
            "plugin alert_channel/strict: plugins.alert_channel[1].config.url: http://h/<redacted> must use https"
        ),
        "{text}"
    );
    floe_otel_testkit::leak::assert_text_clean("compile error", &text, "FLOETEST-hook-path");
}
