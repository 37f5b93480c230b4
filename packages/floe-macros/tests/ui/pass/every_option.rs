//! Every option together, on free functions, methods, generics and async functions, with
//! nothing but the macro in scope (no `opentelemetry` import needed for the expansion).
#![deny(warnings)]

use floe_telemetry::{FloeSpanAttributes, Operation, attr};
use floe_telemetry::traced;

const TRACER_NAME: &str = "floe.ui.pass";

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

fn attributes(table: &&str) -> [floe_telemetry::__private::KeyValue; 1] {
    [floe_telemetry::__private::KeyValue::new(attr::CATALOG_TABLE, (*table).to_owned())]
}

#[traced(
    op = Op::Load,
    tracer = "floe.ui.other",
    attributes(attr::CATALOG_WAREHOUSE = "lake", attr::CATALOG_NAMESPACE = Some(table.len())),
    floe_attributes = FloeSpanAttributes::new("ui"),
    attributes_fn = attributes,
    skip(token),
    fields(table),
)]
fn load(table: &str, token: &str) -> Result<usize, Failed> {
    if token.is_empty() { Err(Failed) } else { Ok(table.len()) }
}

#[traced(name = "ui.io", floe_attributes)]
fn io() -> std::io::Result<()> {
    Ok(())
}

#[traced(name = "ui.explicit_unit")]
fn explicit_unit() -> () {}

#[traced]
fn generic<T: Default>() -> T {
    T::default()
}

#[traced(name = "ui.impl_trait")]
fn numbers() -> impl Iterator<Item = u8> {
    [1, 2].into_iter()
}

struct Client(String);

impl Client {
    #[traced(name = "ui.name")]
    fn name(&self) -> &str {
        &self.0
    }

    #[traced(name = "ui.rename")]
    fn rename(&mut self, name: String) -> &mut String {
        self.0 = name;
        &mut self.0
    }

    #[traced(name = "ui.borrow", skip(self), fields(suffix))]
    async fn borrow(&self, suffix: &str) -> &str {
        &self.0[..self.0.len().min(suffix.len())]
    }

    #[traced(name = "ui.fetch")]
    async fn fetch(&self, (a, b): (u8, u8)) -> Result<u8, Failed> {
        a.checked_add(b).ok_or(Failed)
    }
}

fn main() {
    let _ = load("orders", "token");
    let _ = io();
    explicit_unit();
    let _: u8 = generic();
    let _ = numbers().count();
    let mut client = Client(String::new());
    let _ = client.name();
    client.rename("x".to_owned()).push('y');
    let _ = client.fetch((1, 2));
    let _ = client.borrow("x");
}
