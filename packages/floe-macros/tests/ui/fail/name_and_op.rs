use floe_core::traced;

const TRACER_NAME: &str = "floe.ui";

#[traced(name = "ui.work", op = floe_core::__private::Named("ui.other"))]
fn work() {}

fn main() {
    work();
}
