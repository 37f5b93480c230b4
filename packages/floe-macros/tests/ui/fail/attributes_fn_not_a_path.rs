use floe_telemetry::traced;

const TRACER_NAME: &str = "floe.ui";

#[traced(name = "ui.work", attributes_fn = "attributes")]
fn work() {}

fn main() {
    work();
}
