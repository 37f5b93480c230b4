//! One module per plugin: its contract row.
