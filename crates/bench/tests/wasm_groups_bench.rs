//! The consumer group benchmarks in headless Chromium. Ignored by default
//! (speed is never a test); `cargo xtask bench` runs them with
//! `--include-ignored`. A test binary of its own, like the cluster's.
#![cfg(target_arch = "wasm32")]

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

#[wasm_bindgen_test::wasm_bindgen_test]
#[ignore]
fn consumer_groups() {
    let now_ms = clock();
    for m in kafkaplay_bench::groups::consume(&now_ms) {
        wasm_bindgen_test::console_log!("{}", m.line("wasm"));
    }
    for m in kafkaplay_bench::groups::rebalance(&now_ms) {
        wasm_bindgen_test::console_log!("{}", m.line("wasm"));
    }
}
