use floe_telemetry::traced;

#[traced(name = "ui.work")]
struct Work {
    rows: u32,
}

fn main() {
    let _ = Work { rows: 1 }.rows;
}
