use floe_telemetry::traced;

const TRACER_NAME: &str = "floe.ui";

#[traced(name = "ui.work", attributes("catalog.table" = "orders"))]
fn work() {}

fn main() {
    work();
}
