//! Every exemption from an `audit-coverage` or `tidy` rule, in one list, each with its
//! reason. A check asks [`is_exempt`]; nothing else decides that a rule does not apply.

/// What an exemption covers.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Scope {
    /// Every file of the package with this name.
    Package(&'static str),
    /// Files whose workspace-relative path starts with this (a file or a `dir/`).
    Path(&'static str),
    /// One function (by name) in one file.
    Item {
        /// The workspace-relative file.
        file: &'static str,
        /// The function's name.
        item: &'static str,
    },
    /// Test code: files under a package's `tests/` or `benches/`, and `#[cfg(test)]`
    /// modules.
    TestCode,
    /// One operation (span name) of one tracer, for `operation-ok`, `operation-error`
    /// and `registry-coverage`.
    Operation {
        /// The tracer (`floe.orchestrator.dagster`).
        tracer: &'static str,
        /// The span name.
        span: &'static str,
    },
    /// One failure mode of one operation of one tracer, for `failure-mode`: the mode is
    /// a `fail_soft` reason (`unhealthy`), `Enum::Variant`, or `key=value`.
    FailureMode {
        /// The tracer.
        tracer: &'static str,
        /// The span name.
        span: &'static str,
        /// The mode.
        mode: &'static str,
    },
}

/// One exemption: the rules it lifts, where, and why.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Exemption {
    /// Rule ids; `*` lifts every rule (the files are not even read).
    pub(crate) rules: &'static [&'static str],
    /// Where.
    pub(crate) scope: Scope,
    /// Why; printed by `audit-coverage` for policy exclusions.
    pub(crate) reason: &'static str,
}

/// Telemetry backends: not traced by policy (SC-001 in docs/requirements.md).
const BACKEND_REASON: &str = "telemetry backend: it is the telemetry pipeline, and tracing the exporter would loop; excluded by policy (SC-001 counts 19 of 21 plugins), so it has no tracer, no telemetry.rs and no tracing test";

/// Spans of the Dagster plugin that its generated Python code emits.
const DAGSTER_PYTHON_REASON: &str = "emitted by the Python definitions the plugin generates, inside the Dagster run, and exported over OTLP: no Rust capture can see them, so tests/it/tracing/runs.rs checks them (names, parents, attributes) through an OTLP receiver, and no coverage record is written for them";

/// Security generators that cannot fail.
const INFALLIBLE_GENERATOR_REASON: &str = "cannot fail: builds a fixed document from the already validated config and ends its span with `succeed()` (or `in_span` with an `Infallible` error); no error reaches the span";

/// What floe-quality-dbt never does with dbt.
const QUALITY_DBT_NODE_REASON: &str = "floe-quality-dbt runs `dbt test` with `TestFailures::Report` (a failing test is a result: its node span ends Ok with the failure count) and never lints, so floe-dbt's `dbt_test_failure` and `lint_violation` soft failures cannot happen under its tracer";

/// Why no dbt plugin gets `DbtError::NotADbtCommand`.
const DBT_LINT_ROUTED_REASON: &str = "floe-dbt's `DbtCli` returns NotADbtCommand only when handed `DbtCommand::Lint`; the dbt runners send lint to `Sqlfluff::lint` before reaching `DbtCli::execute`, and floe-quality-dbt only runs `test` and `show`, so no plugin's `dbt.run_command` can end with it";

/// Why the dbt runners never get `DbtError::NoPreview`.
const DBT_RUNNER_NO_PREVIEW_REASON: &str = "NoPreview is returned only by `DbtCli::show_inline`, which the dbt runners never call: their `DbtRunner::execute` runs every dbt command (`show` included) through `DbtCli::execute`, which returns the command's results and reads no preview";

/// `serde_json::to_value` of a typed `k8s-openapi` object: it fails only for a map with a
/// non-string key or a failing `Serialize` impl, and these types have neither.
const TYPED_MANIFEST_SERIALIZE_REASON: &str = "serializing a typed k8s-openapi document to JSON cannot fail (string-keyed maps, derived Serialize impls); the variant exists so the `?` has a typed error instead of an unwrap";

/// The exemptions.
pub(crate) const EXEMPTIONS: &[Exemption] = &[
    Exemption {
        rules: &["*"],
        scope: Scope::Path("xtask/test_data/"),
        reason: "fixture trees of xtask's own tests: each breaks a rule on purpose",
    },
    Exemption {
        rules: &["raw-error-recording"],
        scope: Scope::Item {
            file: "packages/floe-telemetry/src/span.rs",
            item: "record_failure_on",
        },
        reason: "the one writer of error statuses and exception events (behind `record_failure` and the domain span's endings); its message is a SanitizedMessage, so nothing unsanitized reaches either",
    },
    Exemption {
        rules: &["raw-error-recording", "span-wrapper"],
        scope: Scope::TestCode,
        reason: "tests and benches build raw spans and statuses to test the instrumentation itself; they never ship",
    },
    Exemption {
        rules: &["span-wrapper"],
        scope: Scope::Package("floe-telemetry"),
        reason: "defines TracerFactory and the domain span (DomainSpan, in_span, in_span_async) that everything else uses",
    },
    Exemption {
        rules: &["span-wrapper"],
        scope: Scope::Package("floe-core"),
        reason: "the platform's shared span shapes (AlertTarget's alert.send, quality::run_checks, the compile stages) run a category's work in domain spans for every plugin of that category",
    },
    Exemption {
        rules: &["span-wrapper"],
        scope: Scope::Package("floe-macros"),
        reason: "defines #[traced], the one instrumentation attribute macro",
    },
    Exemption {
        rules: &["span-wrapper"],
        scope: Scope::Package("floe-otel-testkit"),
        reason: "the capture installs the process provider and bridges `tracing` spans; it observes instrumentation, it is not any",
    },
    Exemption {
        rules: &["tracing-test", "tracing-assertion", "tracer-name"],
        scope: Scope::Package("floe-telemetry-console"),
        reason: BACKEND_REASON,
    },
    Exemption {
        rules: &["tracing-test", "tracing-assertion", "tracer-name"],
        scope: Scope::Package("floe-telemetry-jaeger"),
        reason: BACKEND_REASON,
    },
    Exemption {
        rules: &["operation-ok", "operation-error", "registry-coverage"],
        scope: Scope::Operation {
            tracer: "floe.orchestrator.dagster",
            span: "orchestrator.asset_execution",
        },
        reason: DAGSTER_PYTHON_REASON,
    },
    Exemption {
        rules: &["operation-ok", "operation-error", "registry-coverage"],
        scope: Scope::Operation {
            tracer: "floe.orchestrator.dagster",
            span: "orchestrator.io_load",
        },
        reason: DAGSTER_PYTHON_REASON,
    },
    Exemption {
        rules: &["operation-ok", "operation-error", "registry-coverage"],
        scope: Scope::Operation {
            tracer: "floe.orchestrator.dagster",
            span: "orchestrator.io_store",
        },
        reason: DAGSTER_PYTHON_REASON,
    },
    Exemption {
        rules: &["operation-error"],
        scope: Scope::Operation {
            tracer: "floe.security.network",
            span: "security.generate_pss_labels",
        },
        reason: INFALLIBLE_GENERATOR_REASON,
    },
    Exemption {
        rules: &["operation-error"],
        scope: Scope::Operation {
            tracer: "floe.security.network",
            span: "security.generate_security_context",
        },
        reason: INFALLIBLE_GENERATOR_REASON,
    },
    Exemption {
        rules: &["operation-error"],
        scope: Scope::Operation {
            tracer: "floe.security.rbac",
            span: "security.generate_security_context",
        },
        reason: INFALLIBLE_GENERATOR_REASON,
    },
    Exemption {
        rules: &["failure-mode"],
        scope: Scope::FailureMode {
            tracer: "floe.quality.dbt",
            span: "dbt.node",
            mode: "dbt_test_failure",
        },
        reason: QUALITY_DBT_NODE_REASON,
    },
    Exemption {
        rules: &["failure-mode"],
        scope: Scope::FailureMode {
            tracer: "floe.quality.dbt",
            span: "dbt.node",
            mode: "lint_violation",
        },
        reason: QUALITY_DBT_NODE_REASON,
    },
    Exemption {
        rules: &["failure-mode"],
        scope: Scope::FailureMode {
            tracer: "floe.dbt.core",
            span: "dbt.run_command",
            mode: "DbtError::NotADbtCommand",
        },
        reason: DBT_LINT_ROUTED_REASON,
    },
    Exemption {
        rules: &["failure-mode"],
        scope: Scope::FailureMode {
            tracer: "floe.dbt.fusion",
            span: "dbt.run_command",
            mode: "DbtError::NotADbtCommand",
        },
        reason: DBT_LINT_ROUTED_REASON,
    },
    Exemption {
        rules: &["failure-mode"],
        scope: Scope::FailureMode {
            tracer: "floe.quality.dbt",
            span: "dbt.run_command",
            mode: "DbtError::NotADbtCommand",
        },
        reason: DBT_LINT_ROUTED_REASON,
    },
    Exemption {
        rules: &["failure-mode"],
        scope: Scope::FailureMode {
            tracer: "floe.dbt.core",
            span: "dbt.run_command",
            mode: "DbtError::NoPreview",
        },
        reason: DBT_RUNNER_NO_PREVIEW_REASON,
    },
    Exemption {
        rules: &["failure-mode"],
        scope: Scope::FailureMode {
            tracer: "floe.dbt.fusion",
            span: "dbt.run_command",
            mode: "DbtError::NoPreview",
        },
        reason: DBT_RUNNER_NO_PREVIEW_REASON,
    },
    Exemption {
        rules: &["failure-mode"],
        scope: Scope::FailureMode {
            tracer: "floe.quality.dbt",
            span: "dbt.run_command",
            mode: "DbtError::Report",
        },
        reason: "Report is returned only by `Sqlfluff::lint` (SQLFluff's JSON report), and floe-quality-dbt never lints: it runs `dbt test` and `dbt show` through `DbtCli`, which reads no report",
    },
    Exemption {
        rules: &["failure-mode"],
        scope: Scope::FailureMode {
            tracer: "floe.security.network",
            span: "security.generate_network_policies",
            mode: "NetworkSecurityError::Serialize",
        },
        reason: TYPED_MANIFEST_SERIALIZE_REASON,
    },
    Exemption {
        rules: &["failure-mode"],
        scope: Scope::FailureMode {
            tracer: "floe.security.rbac",
            span: "security.generate_rbac",
            mode: "RbacError::Serialize",
        },
        reason: TYPED_MANIFEST_SERIALIZE_REASON,
    },
    Exemption {
        rules: &["failure-mode"],
        scope: Scope::FailureMode {
            tracer: "floe.quality.gx",
            span: "quality.run_checks",
            mode: "QualityGxError::Task",
        },
        reason: "the blocking DuckDB task's JoinError: it happens only when the evaluation panics or the runtime shuts down under it, neither of which a test can cause without faking the runtime",
    },
    Exemption {
        rules: &["operation-error"],
        scope: Scope::Operation { tracer: "floe.ingestion.dlt", span: "egress.list_sinks" },
        reason: "cannot fail: it copies the in-memory sink table (a poisoned lock is recovered with `PoisonError::into_inner`) and returns Ok; no driver runs and no error reaches the span",
    },
    Exemption {
        rules: &["failure-mode"],
        scope: Scope::FailureMode {
            tracer: "floe.ingestion.dlt",
            span: "ingestion.health_check",
            mode: "DriverError::Process",
        },
        reason: "misattributed: the audit follows `floe_core::process::run`'s ProcessError to DriverError's `#[from]`, but health_check never runs the driver and maps that ProcessError into DltError::Unhealthy (asserted in tests/it/tracing.rs), so no DriverError reaches its span",
    },
    Exemption {
        rules: &["failure-mode"],
        scope: Scope::FailureMode {
            tracer: "floe.compute.duckdb",
            span: "compute.validate_connection",
            mode: "DuckDbComputeError::Task",
        },
        reason: "the JoinError of the blocking task running `check_connection`: it arises only when that code panics (it has no unwrap, expect or indexing, and every duckdb failure is a Result mapped to Open/Query) or when the runtime shuts down before the task starts, which drops the awaiting span too; no test can cause either without faking the runtime",
    },
    Exemption {
        rules: &["failure-mode"],
        scope: Scope::FailureMode {
            tracer: "floe.semantic.cube",
            span: "semantic.generate_schema",
            mode: "CubeError::Yaml",
        },
        reason: "serializing the plugin's own plain structs (string keys, derived Serialize) to YAML cannot fail; the variant exists so the `?` has a typed error instead of an unwrap",
    },
    Exemption {
        rules: &["failure-mode"],
        scope: Scope::FailureMode {
            tracer: "floe.alert.email",
            span: "alert.send",
            mode: "EmailAlertError::Build",
        },
        reason: "lettre builds a message only failing without a sender or a recipient (MissingFrom, MissingTo, TooManyFrom); EmailAlertPlugin::new refuses an empty `to` and parses exactly one `from` before a plugin exists, so no send can meet it",
    },
    Exemption {
        rules: &["testkit-dependency"],
        scope: Scope::Package("contract-tests"),
        reason: "test-only crate: the contract suite is built on the testkit and ships nothing",
    },
    Exemption {
        rules: &["file-size"],
        scope: Scope::Path("packages/floe-telemetry/src/registry.rs"),
        reason: "generated by `cargo xtask codegen`: one table row per registry entry, reviewed through the YAML",
    },
    Exemption {
        rules: &["doc-header", "parse"],
        scope: Scope::Path("packages/floe-macros/tests/ui/"),
        reason: "trybuild cases: each file is one program that must fail to compile (some on purpose do not parse), named for what it checks, and its .stderr pins line numbers",
    },
];

/// Where a piece of code sits, for [`is_exempt`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Site<'a> {
    /// The package.
    pub(crate) package: &'a str,
    /// The workspace-relative file.
    pub(crate) path: &'a str,
    /// Whether the file or item is test code.
    pub(crate) test_code: bool,
    /// The enclosing function, if known.
    pub(crate) item: Option<&'a str>,
}

/// The exemption lifting `rule` at `site`, if any.
pub(crate) fn exemption(rule: &str, site: Site<'_>) -> Option<&'static Exemption> {
    EXEMPTIONS.iter().find(|e| {
        (e.rules.contains(&rule) || e.rules.contains(&"*"))
            && match e.scope {
                Scope::Package(name) => name == site.package,
                Scope::Path(prefix) => site.path.starts_with(prefix),
                Scope::Item { file, item } => file == site.path && site.item == Some(item),
                Scope::TestCode => site.test_code,
                Scope::Operation { .. } | Scope::FailureMode { .. } => false,
            }
    })
}

/// Whether `rule` does not apply at `site`.
pub(crate) fn is_exempt(rule: &str, site: Site<'_>) -> bool {
    exemption(rule, site).is_some()
}

/// Whether a path is skipped altogether (an exemption from every rule).
pub(crate) fn is_skipped(path: &str) -> bool {
    EXEMPTIONS
        .iter()
        .any(|e| e.rules == ["*"] && matches!(e.scope, Scope::Path(p) if path.starts_with(p)))
}

/// The exemption lifting `rule` for operation `span` of `tracer` (or for its failure
/// mode `mode`), if any.
pub(crate) fn operation_exemption(
    rule: &str,
    tracer: &str,
    span: &str,
    mode: Option<&str>,
) -> Option<&'static Exemption> {
    EXEMPTIONS.iter().find(|e| {
        e.rules.contains(&rule)
            && match (e.scope, mode) {
                (Scope::Operation { tracer: t, span: s }, _) => t == tracer && s == span,
                (Scope::FailureMode { tracer: t, span: s, mode: m }, Some(mode)) => {
                    t == tracer && s == span && m == mode
                }
                _ => false,
            }
    })
}

/// The policy exemption of a whole package from `rule`, if any (for reporting).
pub(crate) fn package_exemption(rule: &str, package: &str) -> Option<&'static Exemption> {
    EXEMPTIONS.iter().find(|e| {
        e.rules.contains(&rule) && matches!(e.scope, Scope::Package(name) if name == package)
    })
}

/// A telemetry fault that `cargo xtask faults` may miss for a package, because no test of
/// it could catch the fault (for example a generator whose spans never carry peer text
/// cannot notice a bypassed sanitizer). A gap that a test could close is not exempted.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FaultExemption {
    /// The package (a row of the fault matrix).
    pub(crate) package: &'static str,
    /// The `FLOE_FAULT` name (a column).
    pub(crate) fault: &'static str,
    /// Why no test can catch it.
    pub(crate) reason: &'static str,
}

/// The fault matrix's exemptions.
pub(crate) const FAULT_EXEMPTIONS: &[FaultExemption] = &[
    FaultExemption {
        package: "floe-iceberg",
        fault: "drop-soft-failure",
        reason: "floe-iceberg marks no span soft-failed: it has no health check and no rejected \
             delivery, every failure is an error returned through #[traced], so dropping soft \
             failures changes none of its spans (floe-catalog-polaris's unhealthy health check \
             catches the fault on the plugin)",
    },
    FaultExemption {
        package: "floe-alert-slack",
        fault: "drop-soft-failure",
        reason: "the plugin has no soft failure: an incoming webhook cannot be probed without \
             posting, so its health check is the config check, whose refusal fails the \
             alert.validate_config span; a rejected delivery is an Err that fails alert.send",
    },
    FaultExemption {
        package: "floe-alert-webhook",
        fault: "drop-soft-failure",
        reason: "the plugin has no soft failure: its health check is the config check, whose \
             refusal fails the alert.validate_config span; a rejected delivery is an Err that \
             fails alert.send",
    },
    FaultExemption {
        package: "floe-compute-duckdb",
        fault: "drop-soft-failure",
        reason: "the plugin has no soft failure: its health check is validate_connection, whose \
             Err fails the compute.validate_connection span through end_with",
    },
    FaultExemption {
        package: "floe-ingestion-dlt",
        fault: "drop-soft-failure",
        reason: "the plugin has no soft failure: the health check's failed import is an Err of \
             in_span_async, and a failed load or write is an Err of its operation",
    },
    FaultExemption {
        package: "floe-network-security-k8s",
        fault: "drop-soft-failure",
        reason: "a generator: a refused rule is an Err of the generation, nothing is soft-failed",
    },
    FaultExemption {
        package: "floe-network-security-k8s",
        fault: "sanitizer-bypass",
        reason: "a generator with no peer and no credential: its spans carry only refusals of \
             its own configuration (keys, CIDR blocks), text the sanitizer leaves unchanged",
    },
    FaultExemption {
        package: "floe-orchestrator-dagster",
        fault: "drop-soft-failure",
        reason: "the plugin has no soft failure: its health check is validate_connection, whose \
             Err fails the orchestrator.validate_connection span, and a failed run is an Err \
             of orchestrator.materialize",
    },
    FaultExemption {
        package: "floe-rbac-k8s",
        fault: "drop-soft-failure",
        reason: "a generator: a refused rule is an Err of the generation, nothing is soft-failed",
    },
    FaultExemption {
        package: "floe-rbac-k8s",
        fault: "sanitizer-bypass",
        reason: "a generator with no peer and no credential: its spans carry only refusals of \
             its own configuration (rules, verbs, resources), text the sanitizer leaves \
             unchanged",
    },
    FaultExemption {
        package: "floe-semantic-cube",
        fault: "drop-soft-failure",
        reason: "the plugin has no soft failure: its health check is readyz, whose Err fails the \
             semantic.health_check span, and the generators fail through Errs",
    },
    FaultExemption {
        package: "floe-lineage-marquez",
        fault: "drop-soft-failure",
        reason: "the plugin has no soft failure: an unhealthy Marquez is the connection check's \
             Err, which fails the span through end_with, so fail_soft never runs in it",
    },
];
