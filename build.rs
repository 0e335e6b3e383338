//! Rebuilds the crate when migrations or bundled data change: `embed_migrations!` and
//! `include_bytes!` do not notice new files in a directory on their own.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=data");
}
