//! `kafkaplay-web`: the kafkaplay site, a Yew app (client-side rendering) that runs
//! a simulated Kafka cluster (`kafkaplay-cluster`) in the page: the playground.
//!
//! - [`playground`]: the playground's model: the simulation, its clock, faults,
//!   topics, the producer and plain-data views; no browser API, tested natively.
//! - [`app`]: the playground page, the Yew component over [`playground`].
//! - [`log_lab`] and [`model`]: the log lab, one partition log (`kafkaplay-log`)
//!   up close: batches, segments, index entries, Kafka's files.
//! - [`i18n`] (log lab) and [`i18n_play`] (playground): all UI text in English
//!   and Korean.
//! - [`browser`]: the clock, the timer, the language, the address, downloads;
//!   the only js-sys/web-sys user besides the components' event targets.
//! - [`persistence`] and [`persist_ui`]: the playground saved in IndexedDB
//!   (`kafkaplay-storage-idb`): restore on load, commits on a timer and when
//!   hidden, one writer tab, the playground menu.
//! - [`memory`]: the global allocator, dlmalloc with the wasm memory grown in
//!   steps (fewer garbage collections while the logs grow).
//! - [`terminal`]: the terminal component over the learner's shell
//!   (`kafkaplay-shell`): its scrollback and line editor are tested natively.
//!
//! Built for the browser with Trunk (`index.html` at the repository root). A
//! native build compiles everything and its `main` does nothing, so
//! `cargo test --workspace` runs the model's tests natively.

// Natively only the model's tests run; the UI code is compiled but not called.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

mod app;
mod browse;
mod browser;
mod cluster_view;
mod flow;
mod groups_panel;
mod i18n;
mod i18n_play;
mod journal;
mod lessons;
mod log_lab;
mod memo;
mod memory;
mod model;
mod persist_ui;
mod persistence;
mod playground;
mod terminal;
mod timeline;

#[cfg(target_arch = "wasm32")]
fn main() {
    yew::Renderer::<app::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    // The page only runs in a browser; see index.html and `cargo xtask build`.
}
