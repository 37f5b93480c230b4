use floe_telemetry::traced;

const TRACER_NAME: &str = "floe.ui";

fn returns_a_string(_table: &&str) -> String {
    String::new()
}

fn takes_a_number(_rows: &u64) -> Vec<floe_telemetry::__private::KeyValue> {
    Vec::new()
}

#[traced(name = "ui.work", attributes_fn = returns_a_string)]
fn work(table: &str) -> usize {
    table.len()
}

#[traced(name = "ui.count", attributes_fn = takes_a_number)]
fn count(table: &str) -> usize {
    table.len()
}

fn main() {
    work("orders");
    count("orders");
}
