//! `kafkaplay-web`: the kafkaplay site, a Yew app (client-side rendering) that
//! runs a simulated Kafka cluster (`kafkaplay-cluster`) in the page: the playground.
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
//! Built for the browser with Trunk (`index.html` at the repository root; the
//! binary, `src/main.rs`, starts [`app::App`]). The embeddable widget
//! (`web/widget`, `kafkaplay-widget`) builds on this library: its model
//! ([`playground`]) and components ([`terminal`], [`cluster_view`]). Natively
//! everything compiles and `cargo test --workspace` runs the model's tests.

// Natively only the model's tests run; the UI code is compiled but not called.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

pub mod app;
pub mod browse;
pub mod browser;
pub mod cluster_view;
pub mod embed;
pub mod flow;
pub mod groups_panel;
pub mod i18n;
pub mod i18n_play;
pub mod journal;
pub mod lessons;
pub mod log_lab;
pub mod memo;
pub mod memory;
pub mod model;
pub mod persist_ui;
pub mod persistence;
pub mod playground;
pub mod scenario;
pub mod terminal;
pub mod timeline;

/// Starts the playground page in the document's body.
#[cfg(target_arch = "wasm32")]
pub fn start_app() {
    yew::Renderer::<app::App>::new().render();
}
