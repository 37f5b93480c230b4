use floe_core::traced;

#[traced(name = "ui.work")]
fn work() {}

fn main() {
    work();
}
