//! Span-tree snapshots with `insta`, stored where the calling crate keeps its snapshots.
//!
//! [`assert_span_tree!`](crate::assert_span_tree) needs only the testkit as a
//! dev-dependency (it reaches `insta` through the testkit). Where the `.snap` file lives
//! follows `insta`'s conventions for the crate that calls it: a `snapshots/` directory
//! beside the test's source file, the file named `<module path>__<name>.snap`, and
//! `cargo insta review` works as for any other snapshot.
//!
//! With the `floe` feature (floe's own workspace), the reviewed snapshots live in the
//! top-level `snapshots/` directory of the caller's workspace instead, named `<name>.snap`
//! without a module prefix, so one review covers every plugin.

use std::path::{Path, PathBuf};

/// The `insta` settings [`assert_span_tree!`](crate::assert_span_tree) binds for a test of
/// the crate whose manifest directory is `manifest_dir` (the macro passes the caller's
/// `env!("CARGO_MANIFEST_DIR")`): `insta`'s current settings, plus, with the `floe`
/// feature, the workspace's top-level `snapshots/` directory without a module prefix.
///
/// ```no_run
/// let _settings = floe_otel_testkit::snapshot::settings_for(env!("CARGO_MANIFEST_DIR")).bind_to_scope();
/// // insta::assert_snapshot!("alert_slack_send", rendered);
/// ```
pub fn settings_for(manifest_dir: &str) -> insta::Settings {
    let settings = insta::Settings::clone_current();
    #[cfg(feature = "floe")]
    let settings = {
        let mut settings = settings;
        settings.set_snapshot_path(workspace_directory(Path::new(manifest_dir)));
        settings.set_prepend_module_to_snapshot(false);
        settings
    };
    #[cfg(not(feature = "floe"))]
    let _ = manifest_dir;
    settings
}

/// The top-level `snapshots/` directory of the workspace that holds `manifest_dir`, where
/// floe's workspace keeps its reviewed snapshots (used with the `floe` feature).
pub fn workspace_directory(manifest_dir: &Path) -> PathBuf {
    crate::paths::workspace_root_of(manifest_dir).join("snapshots")
}

/// Asserts a span-tree snapshot named `name` of `spans` (a [`CapturedSpans`]), rendered
/// by [`render::span_tree`] (or [`render::span_tree_with`] when `options` are given).
///
/// The snapshot file is where `insta` puts it for the calling crate (see the
/// [`snapshot`](crate::snapshot) module); no `insta` dependency is needed.
///
/// ```no_run
/// # let capture = floe_otel_testkit::Capture::start();
/// floe_otel_testkit::assert_span_tree!("checkout_flow", capture.spans());
/// ```
///
/// [`CapturedSpans`]: crate::CapturedSpans
/// [`render::span_tree`]: crate::render::span_tree
/// [`render::span_tree_with`]: crate::render::span_tree_with
#[macro_export]
macro_rules! assert_span_tree {
    ($name:expr, $spans:expr $(,)?) => {{
        let _settings =
            $crate::snapshot::settings_for(::core::env!("CARGO_MANIFEST_DIR")).bind_to_scope();
        $crate::__insta::assert_snapshot!($name, $crate::render::span_tree(&$spans));
    }};
    ($name:expr, $spans:expr, $options:expr $(,)?) => {{
        let _settings =
            $crate::snapshot::settings_for(::core::env!("CARGO_MANIFEST_DIR")).bind_to_scope();
        $crate::__insta::assert_snapshot!(
            $name,
            $crate::render::span_tree_with(&$spans, &$options)
        );
    }};
}
