use floe_telemetry::traced;

const TRACER_NAME: &str = "floe.ui";

#[traced(name = 42)]
fn work() {}

fn main() {
    work();
}
