use floe_telemetry::traced;

const TRACER_NAME: &str = "floe.ui";

struct Client;

impl Client {
    #[traced(name = "ui.work", fields(self))]
    fn work(&self) {}
}

fn main() {
    Client.work();
}
