//! The log crate's scenarios, one file per scenario family. The same binary runs
//! natively (`cargo test -p kafkaplay-log`) and in headless Chromium
//! (`cargo xtask test`, or `wasm-pack test --headless --chrome crates/log`).

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[macro_use]
mod support;

mod batch_roundtrip;
mod byte_vectors;
mod compaction;
mod decoder_never_panics;
mod export_kafka_format;
mod index_lookup;
mod leader_append;
mod leader_epochs;
mod read_fetch;
mod recovery_torn_tail;
mod retention;
mod segment_roll;
mod storage_conformance;
mod timestamp_lookup;
mod truncation;
