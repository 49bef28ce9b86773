//! `kafkaplay-web`: the kafkaplay site, a Yew app (client-side rendering) that runs
//! a Kafka partition log (`kafkaplay-log`) in the page.
//!
//! - [`model`]: partition `demo-0` on one broker, the forms, and plain-data views
//!   of the log; no browser API, tested natively.
//! - [`i18n`]: all UI text in English and Korean.
//! - [`app`]: the Yew component that renders the model and turns input into messages.
//! - [`browser`]: the clock, the language, downloads; the only js-sys/web-sys user.
//! - [`terminal`]: the terminal component over the learner's shell
//!   (`kafkaplay-shell`): its scrollback and line editor are tested natively.
//!
//! Built for the browser with Trunk (`index.html` at the repository root). A
//! native build compiles everything and its `main` does nothing, so
//! `cargo test --workspace` runs the model's tests natively.

// Natively only the model's tests run; the UI code is compiled but not called.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

mod app;
mod browser;
mod i18n;
mod model;
mod terminal;

#[cfg(target_arch = "wasm32")]
fn main() {
    yew::Renderer::<app::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    // The page only runs in a browser; see index.html and `cargo xtask build`.
}
