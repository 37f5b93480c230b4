use floe_telemetry::traced;

trait Work {
    #[traced(name = "ui.work")]
    fn work(&self);
}

fn main() {}
