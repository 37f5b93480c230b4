use floe_telemetry::traced;

const TRACER_NAME: &str = "floe.ui";

#[traced(name = "ui.work")]
const fn work() -> u8 {
    1
}

fn main() {
    work();
}
