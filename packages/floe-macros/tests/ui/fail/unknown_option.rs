use floe_telemetry::traced;

const TRACER_NAME: &str = "floe.ui";

#[traced(nmae = "ui.work")]
fn work() {}

fn main() {
    work();
}
