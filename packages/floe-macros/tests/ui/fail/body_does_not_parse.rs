use floe_telemetry::traced;

const TRACER_NAME: &str = "floe.ui";

#[traced(name = "ui.work")]
fn work() -> u8 {
    let x = ;
    1
}

fn main() {
    work();
}
