use floe_core::traced;

trait Work {
    #[traced(name = "ui.work")]
    fn work(&self);
}

fn main() {}
