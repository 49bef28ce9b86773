//! The kafkaplay page's binary: Trunk builds it (`index.html`); the app itself is
//! the library (`src/lib.rs`).

#[cfg(target_arch = "wasm32")]
fn main() {
    kafkaplay_web::start_app();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    // The page only runs in a browser; see index.html and `cargo xtask build`.
}
