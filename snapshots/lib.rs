//! Reviewed span-tree snapshots (`*.snap`) live beside this file; the crate only exists so that cargo-insta scans this directory.
