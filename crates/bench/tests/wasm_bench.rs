//! The same benchmark in headless Chromium. Ignored by default (speed is never a
//! test); `cargo xtask bench` runs it with `--include-ignored`.
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test::wasm_bindgen_test]
#[ignore]
fn append_throughput() {
    // performance.now(): sub-millisecond, unlike Date.now(), whose 1 ms steps
    // showed in short cases.
    let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).expect("performance");
    let now: js_sys::Function = js_sys::Reflect::get(&performance, &"now".into()).expect("now").into();
    let now_ms = move || {
        now.call0(&performance)
            .expect("performance.now()")
            .as_f64()
            .expect("a number")
    };
    for m in kafkaplay_bench::run_all(&now_ms, 3) {
        wasm_bindgen_test::console_log!("{}", m.line("wasm"));
    }
}
