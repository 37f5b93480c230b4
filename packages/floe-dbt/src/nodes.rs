//! One `dbt.node` span per node of a finished command, so a trace shows which model or
//! test failed and how long each took.

use floe_core::telemetry::{Context, KeyValue};

use floe_core::plugin::categories::{DbtCommand, DbtCommandResult, DbtNodeResult};
use floe_core::telemetry::ops::DbtOp;
use floe_core::telemetry::{DomainSpan, SanitizedMessage, attr};

/// Whether a failing test is an error of the command or a result to report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestFailures {
    /// A failing test fails the command, and its node span is an error (a dbt runner:
    /// `dbt test` that finds bad rows failed).
    Fail,
    /// A failing test is a result: the command and the test's node span end `Ok`, with
    /// the status and failing rows recorded (a quality provider, for which failed checks
    /// are data). Nodes that error still end as errors.
    Report,
}

/// Emits one `dbt.node` span per node of `result` as children of `parent`, in the order
/// of `result.nodes` (sorted by unique id, so traces and snapshots are stable).
///
/// The spans are recorded after the command finished, from what `run_results.json` says:
/// `dbt.node.unique_id`, `dbt.node.status`, `dbt.node.execution_time` and, for tests,
/// `dbt.node.failures`. A node with status `error` ends as an error whose description is
/// the first line of dbt's message (already sanitized in `result`); a failing test too,
/// unless `failures` is [`TestFailures::Report`]; a linted file with violations always.
pub fn record_nodes(
    tracer_name: &str,
    parent: &Context,
    result: &DbtCommandResult,
    failures: TestFailures,
) {
    for node in &result.nodes {
        let mut attributes = vec![
            KeyValue::new(attr::DBT_NODE_UNIQUE_ID, node.unique_id.clone()),
            KeyValue::new(attr::DBT_NODE_STATUS, node.status.clone()),
            KeyValue::new(attr::DBT_NODE_EXECUTION_TIME, node.execution_time),
        ];
        if let Some(count) = node.failures {
            attributes.push(KeyValue::new(
                attr::DBT_NODE_FAILURES,
                i64::try_from(count).unwrap_or(i64::MAX),
            ));
        }
        let span = DomainSpan::start_in(parent, tracer_name, DbtOp::Node, attributes);
        match node.status.as_str() {
            "error" | "runtime error" => {
                span.fail_soft("dbt_node_error", reason(node, "the node errored"));
            }
            "fail" if result.command == DbtCommand::Lint => {
                span.fail_soft("lint_violation", reason(node, "the file has violations"));
            }
            "fail" if failures == TestFailures::Fail => {
                span.fail_soft("dbt_test_failure", reason(node, "the test failed"));
            }
            _ => span.succeed(),
        }
    }
}

/// The node's message (sanitized when the result was built), or `fallback`.
fn reason(node: &DbtNodeResult, fallback: &'static str) -> SanitizedMessage {
    node.message.as_deref().map_or_else(
        || SanitizedMessage::from_static(fallback),
        floe_core::telemetry::sanitize_error_message,
    )
}
