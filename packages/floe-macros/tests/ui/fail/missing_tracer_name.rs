use floe_telemetry::traced;

#[traced(name = "ui.work")]
fn work() {}

fn main() {
    work();
}
