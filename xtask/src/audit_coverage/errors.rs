//! `raw-error-recording` (SC-004): no code writes an error status or an exception event
//! except `record_failure` in `packages/floe-telemetry/src/span.rs`, whose message
//! parameter is a `SanitizedMessage`.
//!
//! Flagged in every member's non-test code, macro arguments included:
//! - any method call named `record_error` (OpenTelemetry's `Span::record_error` records
//!   the raw `Display` text);
//! - `add_event(..)` / `add_event_with_timestamp(..)` whose first argument is the
//!   literal `"exception"` or a path ending in `EXCEPTION_EVENT`;
//! - building an error status: a call of a path ending `Status::error`, or a
//!   `Status::Error { .. }` struct expression (patterns that read a status are fine);
//! - `set_status(x)` where `x` is not `Status::Ok`, `Status::Unset` or one of the two
//!   forms above (a status held in a variable cannot be proven harmless).
//!
//! Known limits: a name is matched, not a type, so a method of an unrelated type named
//! `record_error` is flagged (rename it), and an event named by a constant other than
//! `EXCEPTION_EVENT` that holds `"exception"` is not.

use crate::exemptions::{Site, is_exempt};
use crate::facts::{Arg, At, Facts};
use crate::finding::Finding;
use crate::workspace::Workspace;

use super::RULE_RAW_ERROR as RULE;

const FIX: &str = "end the span through the domain span (floe-telemetry, re-exported by floe-core): `DomainSpan::fail(&err)`, `end_with(&result)` or `fail_soft(type, sanitize_error_message(..))`, or return the error from `in_span`/`in_span_async`/a `#[traced]` fn; those sanitize the text and are the only writers of error statuses and exception events";

fn is_error_status(arg: &Arg) -> bool {
    match arg {
        Arg::Call(path) => path.ends_with(&["Status".to_owned(), "error".to_owned()]),
        Arg::Struct(path) => path.ends_with(&["Status".to_owned(), "Error".to_owned()]),
        _ => false,
    }
}

fn is_harmless_status(arg: &Arg) -> bool {
    matches!(arg, Arg::Path(p) if p.len() >= 2
        && p[p.len() - 2] == "Status"
        && matches!(p[p.len() - 1].as_str(), "Ok" | "Unset"))
}

/// The findings.
pub(super) fn check(workspace: &Workspace) -> Vec<Finding> {
    let mut out = Vec::new();
    for member in &workspace.members {
        for file in &member.files {
            let Some(ast) = file.syntax() else { continue };
            let facts = Facts::of(ast);
            let mut flag = |at: &At, message: String| {
                let site = Site {
                    package: &member.name,
                    path: &file.path,
                    test_code: file.test_code || at.in_test,
                    item: at.item.as_deref(),
                };
                if !is_exempt(RULE, site) {
                    out.push(Finding::new(file.path.clone(), at.line, RULE, message, FIX));
                }
            };
            for call in &facts.method_calls {
                match call.name.as_str() {
                    "record_error" => flag(
                        &call.at,
                        "`record_error` records the error's raw text on the span (SC-004)".to_owned(),
                    ),
                    "add_event" | "add_event_with_timestamp"
                        if matches!(&call.first_arg, Some(Arg::Str(name)) if name == "exception")
                            || matches!(&call.first_arg, Some(Arg::Path(p)) if p.last().is_some_and(|l| l == "EXCEPTION_EVENT")) =>
                    {
                        flag(
                            &call.at,
                            format!("`{}` writes an exception event by hand (SC-004)", call.name),
                        );
                    }
                    "set_status" => match &call.first_arg {
                        Some(arg) if is_error_status(arg) || is_harmless_status(arg) => {}
                        _ => flag(
                            &call.at,
                            "`set_status` with a status not provably `Status::Ok` or `Status::Unset` (SC-004)"
                                .to_owned(),
                        ),
                    },
                    _ => {}
                }
            }
            for call in facts.calls.iter().filter(|c| c.ends_with(&["Status", "error"])) {
                flag(
                    &call.at,
                    "`Status::error(..)` builds an error status by hand (SC-004)".to_owned(),
                );
            }
            for expr in facts.structs.iter().filter(|s| s.ends_with(&["Status", "Error"])) {
                flag(
                    &expr.at,
                    "`Status::Error { .. }` builds an error status by hand (SC-004)".to_owned(),
                );
            }
        }
    }
    out
}
