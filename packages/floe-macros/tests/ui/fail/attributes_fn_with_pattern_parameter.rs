use floe_telemetry::traced;

const TRACER_NAME: &str = "floe.ui";

fn attributes(_: &u8) -> Vec<floe_telemetry::__private::KeyValue> {
    Vec::new()
}

#[traced(name = "ui.work", attributes_fn = attributes)]
fn work((a, _b): (u8, u8)) -> u8 {
    a
}

fn main() {
    work((1, 2));
}
