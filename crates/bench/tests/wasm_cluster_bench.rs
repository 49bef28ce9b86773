//! The cluster benchmarks in headless Chromium. Ignored by default (speed is
//! never a test); `cargo xtask bench` runs them with `--include-ignored`. A test
//! binary of its own, so that its wasm instance's linear memory starts small:
//! the append benchmarks grow it by hundreds of MB, which later allocations
//! would reuse without growing it, hiding what the cluster costs.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn clock() -> impl Fn() -> f64 {
    let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).expect("performance");
    let now: js_sys::Function = js_sys::Reflect::get(&performance, &"now".into()).expect("now").into();
    move || {
        now.call0(&performance)
            .expect("performance.now()")
            .as_f64()
            .expect("a number")
    }
}

/// The size of wasm's linear memory. It grows in 64 KiB pages and never
/// shrinks, and freed blocks are reused before it grows, so differences of it
/// are coarse: an upper bound on what was allocated in between, not what is live.
fn memory_bytes() -> Option<u64> {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    let buffer: js_sys::ArrayBuffer = memory.buffer().unchecked_into();
    Some(buffer.byte_length() as u64)
}

/// One test, so the scale case (with the memory probe) runs first, on a fresh
/// instance, and the speed case after it.
#[wasm_bindgen_test::wasm_bindgen_test]
#[ignore]
fn cluster_simulation() {
    let now_ms = clock();
    for m in kafkaplay_bench::cluster::scale(&now_ms, &memory_bytes) {
        wasm_bindgen_test::console_log!("{}", m.line("wasm"));
    }
    for m in kafkaplay_bench::cluster::speed(&now_ms, 2.0) {
        wasm_bindgen_test::console_log!("{}", m.line("wasm"));
    }
}

/// Its own test: the runner's requests time out while one test holds the page
/// for 20 s.
#[wasm_bindgen_test::wasm_bindgen_test]
#[ignore]
fn cluster_image() {
    let now_ms = clock();
    for m in kafkaplay_bench::cluster::image(&now_ms) {
        wasm_bindgen_test::console_log!("{}", m.line("wasm"));
    }
}
