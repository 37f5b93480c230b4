use floe_telemetry::traced;

const TRACER_NAME: &str = "floe.ui";

#[traced(name = "ui.work", fields(tabel))]
fn work(table: &str) -> usize {
    table.len()
}

fn main() {
    work("orders");
}
