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

/// Telemetry backends: not traced by policy (MISSION section 3, spec clarification).
const BACKEND_REASON: &str = "telemetry backend: it is the telemetry pipeline, and tracing the exporter would loop; excluded by policy (SC-001 counts 19 of 21 plugins), so it has no tracer, no telemetry.rs and no tracing test";

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
            file: "packages/floe-core/src/telemetry/span.rs",
            item: "record_failure",
        },
        reason: "the one writer of error statuses and exception events; its message is a SanitizedMessage, so nothing unsanitized reaches either",
    },
    Exemption {
        rules: &["raw-error-recording", "span-wrapper"],
        scope: Scope::TestCode,
        reason: "tests and benches build raw spans and statuses to test the instrumentation itself; they never ship",
    },
    Exemption {
        rules: &["span-wrapper"],
        scope: Scope::Package("floe-core"),
        reason: "defines TracerFactory and the domain span (DomainSpan, in_span, in_span_async) that everything else uses",
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
        rules: &["parse"],
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

/// The policy exemption of a whole package from `rule`, if any (for reporting).
pub(crate) fn package_exemption(rule: &str, package: &str) -> Option<&'static Exemption> {
    EXEMPTIONS.iter().find(|e| {
        e.rules.contains(&rule) && matches!(e.scope, Scope::Package(name) if name == package)
    })
}
