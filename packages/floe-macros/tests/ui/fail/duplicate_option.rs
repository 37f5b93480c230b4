use floe_telemetry::traced;

const TRACER_NAME: &str = "floe.ui";

#[traced(name = "ui.work", tracer = "a", tracer = "b")]
fn work() {}

fn main() {
    work();
}
