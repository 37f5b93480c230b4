use floe_telemetry::traced;

const TRACER_NAME: &str = "floe.ui";

struct Credentials;

#[traced(name = "ui.work", fields(credentials))]
fn work(credentials: &Credentials) {
    let _ = credentials;
}

fn main() {
    work(&Credentials);
}
