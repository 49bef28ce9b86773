//! Two tabs on one playground: one writer, held with the Web Locks API, and
//! readers that follow its commits through a `BroadcastChannel`.
//!
//! The writer holds the exclusive lock `kafkaplay/<name>` for as long as its
//! [`WriterLock`] lives (the browser also frees it when the tab closes). A tab
//! that cannot get it at once stays read-only and says so; it may try again
//! later (for instance when the writer's tab closed). After every commit the
//! writer posts the playground's name on the channel `kafkaplay/<name>`;
//! a [`ChangeFeed`] counts those messages, so a reader knows to reload.
//!
//! `web-sys` gates Web Locks behind its unstable-API flag, so the lock is
//! reached with `Reflect` calls on `navigator.locks` (no build flag needed).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::db::js_error;
use crate::error::{ErrorKind, IdbError};

fn lock_name(playground: &str) -> String {
    format!("kafkaplay/{playground}")
}

/// The exclusive right to write a playground. Dropping it releases the lock.
pub struct WriterLock {
    release: Rc<RefCell<Option<Function>>>,
    _callback: Closure<dyn FnMut(JsValue) -> JsValue>,
}

impl WriterLock {
    /// Takes the writer lock if no other tab holds it (never waits).
    pub async fn try_acquire(playground: &str) -> Result<Option<WriterLock>, IdbError> {
        let navigator = Reflect::get(&js_sys::global(), &JsValue::from_str("navigator")).unwrap_or(JsValue::UNDEFINED);
        let locks = Reflect::get(&navigator, &JsValue::from_str("locks")).unwrap_or(JsValue::UNDEFINED);
        let request: Function = Reflect::get(&locks, &JsValue::from_str("request"))
            .ok()
            .and_then(|f| f.dyn_into().ok())
            .ok_or_else(|| IdbError::new(ErrorKind::Unavailable, "the Web Locks API is not available here"))?;
        let release: Rc<RefCell<Option<Function>>> = Rc::new(RefCell::new(None));
        let answered: Rc<RefCell<Option<Function>>> = Rc::new(RefCell::new(None));
        let got = Promise::new(&mut |resolve, _reject| {
            *answered.borrow_mut() = Some(resolve);
        });
        let (release_slot, answer) = (release.clone(), answered.clone());
        let callback = Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |lock: JsValue| {
            let tell = |v: bool| {
                if let Some(f) = answer.borrow_mut().take() {
                    let _ = f.call1(&JsValue::NULL, &JsValue::from_bool(v));
                }
            };
            if lock.is_null() {
                tell(false);
                return JsValue::UNDEFINED;
            }
            // Held until `release` is called: the lock lives as long as this promise is pending.
            let hold = Promise::new(&mut |resolve, _reject| {
                *release_slot.borrow_mut() = Some(resolve);
            });
            tell(true);
            hold.into()
        });
        let options = Object::new();
        Reflect::set(&options, &JsValue::from_str("ifAvailable"), &JsValue::TRUE).ok();
        request
            .call3(
                &locks,
                &JsValue::from_str(&lock_name(playground)),
                &options,
                callback.as_ref().unchecked_ref(),
            )
            .map_err(|e| js_error("taking the writer lock", &e))?;
        let held = JsFuture::from(got)
            .await
            .map_err(|e| js_error("taking the writer lock", &e))?
            .as_bool()
            .unwrap_or(false);
        Ok(held.then(|| WriterLock {
            release,
            _callback: callback,
        }))
    }
}

impl Drop for WriterLock {
    fn drop(&mut self) {
        if let Some(f) = self.release.borrow_mut().take() {
            let _ = f.call0(&JsValue::NULL);
        }
    }
}

/// Follows another tab's commits to a playground.
pub struct ChangeFeed {
    channel: web_sys::BroadcastChannel,
    seen: Rc<Cell<u64>>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl ChangeFeed {
    pub fn listen(playground: &str) -> Result<ChangeFeed, IdbError> {
        let channel = web_sys::BroadcastChannel::new(&lock_name(playground))
            .map_err(|e| js_error("listening for changes", &e))?;
        let seen = Rc::new(Cell::new(0u64));
        let counter = seen.clone();
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_e: web_sys::MessageEvent| {
            counter.set(counter.get() + 1);
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Ok(ChangeFeed {
            channel,
            seen,
            _on_message: on_message,
        })
    }

    /// Commits announced by other tabs since this feed started.
    pub fn changes_seen(&self) -> u64 {
        self.seen.get()
    }

    /// Announces a commit to the other tabs.
    pub fn announce(&self, playground: &str) {
        let _ = self.channel.post_message(&JsValue::from_str(playground));
    }
}

impl Drop for ChangeFeed {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}
