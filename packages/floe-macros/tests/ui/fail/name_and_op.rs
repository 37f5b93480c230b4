use floe_telemetry::traced;

const TRACER_NAME: &str = "floe.ui";

#[traced(name = "ui.work", op = floe_telemetry::__private::Named("ui.other"))]
fn work() {}

fn main() {
    work();
}
