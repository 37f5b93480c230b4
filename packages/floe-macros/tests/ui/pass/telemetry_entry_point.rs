//! The entry point for crates that depend on floe-telemetry and not on floe-core: every
//! path of its expansion goes through `::floe_telemetry`, with only the macro in scope.
#![deny(warnings)]

use floe_telemetry::traced;
use floe_telemetry::{FloeSpanAttributes, Operation, attr};

const TRACER_NAME: &str = "floe.ui.telemetry";

#[derive(Clone, Copy)]
enum Op {
    Load,
}

impl Operation for Op {
    fn span_name(self) -> &'static str {
        match self {
            Self::Load => "ui.load",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("failed")]
struct Failed;

#[traced(
    op = Op::Load,
    attributes(attr::CATALOG_WAREHOUSE = "lake"),
    floe_attributes = FloeSpanAttributes::new("ui"),
    fields(table),
)]
fn load(table: &str) -> Result<usize, Failed> {
    if table.is_empty() { Err(Failed) } else { Ok(table.len()) }
}

#[traced(name = "ui.fetch")]
async fn fetch(a: u8, b: u8) -> Result<u8, Failed> {
    a.checked_add(b).ok_or(Failed)
}

fn main() {
    let _ = load("orders");
    let _ = fetch(1, 2);
}
