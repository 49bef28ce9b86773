//! Links the widget's wasm with one data segment per constant
//! (`--no-merge-data-segments`): web/build/split-widget.mjs moves the
//! constants that only the rest of a split wasm uses into the rest
//! (`cargo xtask split-data`), and needs to see where each one starts and ends.
fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-cdylib=--no-merge-data-segments");
    }
}
