//! The same benchmark in headless Chromium. Ignored by default (speed is never a
//! test); `cargo xtask bench` runs it with `--include-ignored`.
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test::wasm_bindgen_test]
#[ignore]
fn append_throughput() {
    let now_ms = || js_sys::Date::now();
    for m in kafkaplay_bench::run_all(&now_ms, 3) {
        wasm_bindgen_test::console_log!("{}", m.line("wasm"));
    }
}
