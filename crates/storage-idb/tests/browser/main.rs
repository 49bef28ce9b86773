//! The engine against the real IndexedDB of headless Chromium (no mocks):
//! `cargo xtask test-wasm kafkaplay-storage-idb`.
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[path = "../common/mod.rs"]
#[allow(dead_code)]
mod common;

mod cluster_reload;
mod conformance;
mod faults;
mod paced;
mod playgrounds;
mod tabs;

use kafkaplay_storage_idb::{delete_playground, Playground};
use wasm_bindgen::JsValue;

/// A fresh playground: deleted first (a previous run may have left it).
pub async fn fresh(name: &str) -> Playground {
    delete_playground(name).await.expect("delete");
    Playground::open(name).await.expect("open")
}

/// Waits `ms` on the browser's event loop (lets BroadcastChannel messages in).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let set_timeout: js_sys::Function = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("setTimeout"))
            .unwrap()
            .into();
        set_timeout.call2(&JsValue::NULL, &resolve, &JsValue::from(ms)).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}
