use floe_core::traced;

const TRACER_NAME: &str = "floe.ui";

#[traced(name = 42)]
fn work() {}

fn main() {
    work();
}
