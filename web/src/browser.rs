//! The few things the page takes from the browser: the clock, the interval
//! timer and the animation frames, the language, `?name=` parameters, file downloads and
//! addresses relative to the page. Elsewhere only
//! the terminal touches web-sys directly (keyboard and clipboard events, and its
//! history in `localStorage` when no page saves it), and `persistence.rs`
//! (page visibility, `localStorage` for the last playground, the import file).

use wasm_bindgen::{JsCast, JsValue};

use crate::i18n::Lang;

/// Milliseconds since the epoch (`Date.now()`).
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// `?lang=ko|en` if given, else `navigator.language`, else English.
pub fn initial_lang() -> Lang {
    let Some(window) = web_sys::window() else {
        return Lang::En;
    };
    let query = window.location().search().unwrap_or_default();
    let from_query = query
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("lang="))
        .map(Lang::from_tag);
    from_query
        .or_else(|| window.navigator().language().map(|l| Lang::from_tag(&l)))
        .unwrap_or(Lang::En)
}

/// Sets `<html lang>` so fonts and screen readers follow the toggle.
pub fn set_document_lang(lang: Lang) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", lang.tag());
    }
}

/// Offers `bytes` as a download named `name` (a Blob, an object URL and a
/// temporary `<a download>`).
pub fn download(name: &str, bytes: &[u8]) -> Result<(), String> {
    let js = |e: JsValue| e.as_string().unwrap_or_else(|| format!("{e:?}"));
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(js)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js)?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(js)?
        .dyn_into()
        .map_err(|_| "not an <a>".to_string())?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // Revoked a little later: some browsers read the URL after click() returns.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    window
        .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000)
        .map_err(js)?;
    Ok(())
}

/// A `setInterval` timer that calls `f` every `ms` until dropped.
pub struct Interval {
    id: i32,
    _closure: wasm_bindgen::closure::Closure<dyn FnMut()>,
}

impl Interval {
    pub fn new(ms: i32, f: impl FnMut() + 'static) -> Option<Interval> {
        let closure = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(f);
        let id = web_sys::window()?
            .set_interval_with_callback_and_timeout_and_arguments_0(closure.as_ref().unchecked_ref(), ms)
            .ok()?;
        Some(Interval { id, _closure: closure })
    }
}

impl Drop for Interval {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            w.clear_interval_with_handle(self.id);
        }
    }
}

/// A `requestAnimationFrame` loop that calls `f` once before every frame the
/// browser draws, until dropped. Unlike a 16 ms interval, which drifts against
/// the display's frames and now and then fires twice within one, every frame
/// gets exactly one call, so work paced a call at a time never doubles up in a
/// frame (issue 8's frame budget). A hidden tab draws no frames and so makes
/// no calls.
pub struct AnimationFrames {
    state: std::rc::Rc<FrameLoop>,
}

struct FrameLoop {
    handle: std::cell::Cell<Option<i32>>,
    closure: std::cell::RefCell<Option<wasm_bindgen::closure::Closure<dyn FnMut()>>>,
}

impl FrameLoop {
    fn request(&self) {
        let (Some(window), Ok(closure)) = (web_sys::window(), self.closure.try_borrow()) else {
            return;
        };
        if let Some(c) = closure.as_ref() {
            self.handle
                .set(window.request_animation_frame(c.as_ref().unchecked_ref()).ok());
        }
    }
}

impl AnimationFrames {
    pub fn new(mut f: impl FnMut() + 'static) -> AnimationFrames {
        let state = std::rc::Rc::new(FrameLoop {
            handle: std::cell::Cell::new(None),
            closure: std::cell::RefCell::new(None),
        });
        // The closure holds the loop weakly: dropping the AnimationFrames
        // frees both (no reference cycle).
        let weak = std::rc::Rc::downgrade(&state);
        let closure = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
            let Some(state) = weak.upgrade() else { return };
            state.handle.set(None);
            f();
            state.request();
        });
        *state.closure.borrow_mut() = Some(closure);
        state.request();
        AnimationFrames { state }
    }
}

impl Drop for AnimationFrames {
    fn drop(&mut self) {
        if let (Some(w), Some(h)) = (web_sys::window(), self.state.handle.take()) {
            let _ = w.cancel_animation_frame(h);
        }
    }
}

/// The value of `?name=` in the page's address, if given.
pub fn query_param(name: &str) -> Option<String> {
    let query = web_sys::window()?.location().search().ok()?;
    query
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
        .map(str::to_string)
}

/// `relative` resolved against the document's base URI, as
/// `new URL(relative, document.baseURI).href` (the address of a file served
/// beside the page); `relative` itself if the browser cannot resolve it.
pub fn resolve_url(relative: &str) -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .and_then(|base| web_sys::Url::new_with_base(relative, &base).ok())
        .map_or_else(|| relative.to_string(), |url| url.href())
}
