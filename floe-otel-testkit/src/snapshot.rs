//! Span-tree snapshots stored in the workspace's top-level `snapshots/` directory.

use std::path::PathBuf;

/// The `snapshots/` directory at the workspace root.
pub fn directory() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("snapshots"), |root| root.join("snapshots"))
}

/// `insta` settings that store snapshots in [`directory`] without a module prefix.
/// Bind them for the duration of a test:
///
/// ```no_run
/// let _settings = floe_otel_testkit::snapshot::settings().bind_to_scope();
/// // insta::assert_snapshot!("alert_slack_send", rendered);
/// ```
pub fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(directory());
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// Asserts a span-tree snapshot named `name` in the top-level `snapshots/` directory.
///
/// ```no_run
/// # let capture = floe_otel_testkit::Capture::start();
/// floe_otel_testkit::assert_span_tree!("alert_slack_send", capture.spans());
/// ```
#[macro_export]
macro_rules! assert_span_tree {
    ($name:expr, $spans:expr) => {{
        let _settings = $crate::snapshot::settings().bind_to_scope();
        ::insta::assert_snapshot!($name, $crate::render::span_tree(&$spans));
    }};
    ($name:expr, $spans:expr, $options:expr) => {{
        let _settings = $crate::snapshot::settings().bind_to_scope();
        ::insta::assert_snapshot!($name, $crate::render::span_tree_with(&$spans, &$options));
    }};
}
