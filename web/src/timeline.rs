//! The timeline and shared links, over the journal (`crate::journal`).
//!
//! - **Timeline.** A range input over the simulated time from the cluster's
//!   start to now. Moving it back shows the cluster as it was then: a second
//!   [`Playground`] replayed from the journal up to that moment ([`scrub`];
//!   moving forward goes on from the shown moment, moving back replays from
//!   the start). While it shows the past the page is read-only and the live
//!   cluster waits, paused. *Back to live* returns to it ([`back_to_live`]);
//!   *Fork from here* keeps the past one, whose journal holds only what came
//!   before, and goes on live from there ([`fork`]).
//! - **Share.** The page's address with `#v1:` and the journal (seed, broker
//!   count, inputs and their times, the end time and the trace's hash), in the
//!   clipboard and in a text field. Opening it ([`start`]) replays the journal
//!   and lands paused at its end; a bad, cut or too-new link says so and a
//!   fresh cluster starts.
//!
//! The component has its own English and Korean text, like the terminal.

use kafkaplay_cluster::Ms;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::journal::{self, Journal, JournalError};
use crate::playground::Playground;

/// The slider's step, in simulated ms.
pub const SCRUB_STEP_MS: Ms = 100;

/// What the page says about the link it was opened with.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkNotice {
    /// Replayed. `Some(false)`: this version reached another trace than the
    /// one the link was made with.
    Opened {
        matches: Option<bool>,
    },
    Bad(JournalError),
}

/// The live cluster, kept while the page shows a moment of its past.
pub struct Past {
    pub live: Playground,
    /// The live journal when scrubbing began.
    journal: Journal,
    /// The live cluster's time then (ms since start).
    end: Ms,
    /// The shown moment (ms since start) and how many entries it applied.
    at: Ms,
    done: usize,
}

impl Past {
    /// The shown moment, ms since start.
    pub fn at(&self) -> Ms {
        self.at
    }
}

/// The playground to start with: the one a shared link in the address
/// describes, replayed; else a new one. Only in the browser.
pub fn start(brokers: i32, seed: u64) -> (Playground, Option<LinkNotice>) {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    match Journal::from_link_fragment(&hash) {
        Ok(None) => (Playground::new(brokers, seed), None),
        Ok(Some((journal, end, check))) => {
            let r = journal::replay(&journal, end, check, None);
            (
                r.playground,
                Some(LinkNotice::Opened {
                    matches: r.hash_matches,
                }),
            )
        }
        Err(e) => (Playground::new(brokers, seed), Some(LinkNotice::Bad(e))),
    }
}

/// Shows the moment `to` (ms since start) of the live cluster: `pg` becomes
/// a replay up to `to` and the live one is kept in `past`. At or after the
/// live time, back to live.
pub fn scrub(pg: &mut Playground, past: &mut Option<Past>, to: Ms) {
    let to = to.max(0);
    if past.is_none() {
        let end = journal::elapsed_since_start(pg);
        if to >= end {
            return;
        }
        let journal = pg.journal.borrow().clone();
        let replayed = journal::replay(&journal, end, None, Some(to)).playground;
        let live = std::mem::replace(pg, replayed);
        let done = journal.entries.iter().take_while(|e| e.at <= to).count();
        *past = Some(Past {
            live,
            journal,
            end,
            at: to,
            done,
        });
        return;
    }
    let Some(p) = past.as_mut() else { return };
    if to >= p.end {
        back_to_live(pg, past);
        return;
    }
    if to >= p.at {
        // Forward: go on from the moment shown.
        p.done = journal::continue_replay(pg, &p.journal, p.done, to);
    } else {
        *pg = journal::replay(&p.journal, p.end, None, Some(to)).playground;
        p.done = p.journal.entries.iter().take_while(|e| e.at <= to).count();
    }
    p.at = to;
}

/// Back to the live cluster.
pub fn back_to_live(pg: &mut Playground, past: &mut Option<Past>) {
    if let Some(p) = past.take() {
        let speed = pg.speed_index;
        *pg = p.live;
        pg.set_speed_index(speed);
    }
}

/// Goes on live from the moment shown: what came after it is dropped.
pub fn fork(pg: &mut Playground, past: &mut Option<Past>) {
    if let Some(p) = past.take() {
        pg.set_speed_index(p.live.speed_index);
        pg.running = true;
    }
}

/// The shared link for what `pg` shows now: the page's address (without its
/// fragment) and `#v1:...`. Also put in the clipboard, if the browser lets us.
pub fn share(pg: &Playground) -> String {
    let fragment = journal::link_fragment(pg);
    let base = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|h| h.split('#').next().unwrap_or("").to_string())
        .unwrap_or_default();
    let url = format!("{base}{fragment}");
    copy_to_clipboard(&url);
    url
}

/// `navigator.clipboard.writeText(text)`, ignoring a refusal (the page
/// shows `text` in a field too). Also the embed code's (`crate::embed`).
pub(crate) fn copy_to_clipboard(text: &str) {
    let Some(window) = web_sys::window() else { return };
    let navigator = window.navigator();
    let Ok(clipboard) = js_sys::Reflect::get(&navigator, &"clipboard".into()) else {
        return;
    };
    let Ok(write) = js_sys::Reflect::get(&clipboard, &"writeText".into()) else {
        return;
    };
    let Ok(write) = write.dyn_into::<js_sys::Function>() else {
        return;
    };
    if let Ok(promise) = write.call1(&clipboard, &text.into()) {
        if let Ok(promise) = promise.dyn_into::<js_sys::Promise>() {
            // A refusal (no permission, no focus) is not an error: the text is in a field.
            let ignore = wasm_bindgen::closure::Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(|_| {});
            let _ = promise.catch(&ignore);
            ignore.forget();
        }
    }
}

// ---------------------------------------------------------------------------
// Text

pub struct Text {
    pub heading: &'static str,
    pub slider: &'static str,
    pub live: &'static str,
    pub viewing_past: &'static str,
    pub back_to_live: &'static str,
    pub fork: &'static str,
    pub share: &'static str,
    pub share_note: &'static str,
    pub share_label: &'static str,
    pub opened: &'static str,
    pub opened_differs: &'static str,
    pub bad_link: &'static str,
    pub too_new: &'static str,
    pub restored: &'static str,
    pub error: fn(&JournalError) -> String,
}

const EN: Text = Text {
    heading: "Timeline",
    slider: "Simulated time to show",
    live: "live",
    viewing_past: "Viewing the past: the cluster as it was at this moment. Nothing can be changed here; go back to live, or fork from here to go on from this moment (what came after is dropped).",
    back_to_live: "Back to live",
    fork: "Fork from here",
    share: "Share link",
    share_note: "The link holds the seed and everything you did, with when; whoever opens it gets the same cluster.",
    share_label: "Link to this cluster",
    opened: "Opened a shared link: the same cluster, replayed, paused where the link was made.",
    opened_differs: "Opened a shared link, but this version of kafkaplay replays it to a different state than the one it was made with.",
    bad_link: "This link could not be opened; here is a fresh cluster. Reason:",
    too_new: "This link was made by a newer kafkaplay; here is a fresh cluster.",
    restored: "This cluster was restarted from the browser's storage, as brokers restart from their disks; what happened before that restart cannot be replayed from the seed. The timeline and share links work for clusters started in this page (New cluster, or a shared link).",
    error: |e| match e {
        JournalError::Encoding => "the link is damaged (not base64url text)".into(),
        JournalError::TooLong => "it is too long".into(),
        JournalError::TooNew(v) => format!("format version {v}"),
        JournalError::Format(line) => format!("line {line} of the journal is not understood"),
    },
};

const KO: Text = Text {
    heading: "타임라인",
    slider: "보여 줄 시뮬레이션 시간",
    live: "실시간",
    viewing_past: "과거 보기: 이 시점의 클러스터입니다. 여기서는 아무것도 바꿀 수 없습니다. 실시간으로 돌아가거나, 여기서 분기해 이 시점부터 이어 가세요(그 뒤의 일은 버려집니다).",
    back_to_live: "실시간으로",
    fork: "여기서 분기",
    share: "링크 공유",
    share_note: "링크에는 시드와 지금까지 한 모든 일이 시각과 함께 담깁니다. 링크를 연 사람은 같은 클러스터를 봅니다.",
    share_label: "이 클러스터의 링크",
    opened: "공유 링크를 열었습니다: 같은 클러스터를 재생해, 링크를 만든 시점에서 멈췄습니다.",
    opened_differs: "공유 링크를 열었지만, 이 버전의 kafkaplay는 링크를 만든 버전과 다른 상태로 재생합니다.",
    bad_link: "이 링크를 열 수 없어 새 클러스터를 시작했습니다. 이유:",
    too_new: "이 링크는 더 새로운 kafkaplay가 만들었습니다. 새 클러스터를 시작했습니다.",
    restored: "이 클러스터는 브로커가 디스크에서 다시 시작하듯 브라우저 저장소에서 다시 시작되었습니다. 그 이전의 일은 시드로부터 재생할 수 없습니다. 타임라인과 공유 링크는 이 페이지에서 시작한 클러스터(새 클러스터 또는 공유 링크)에서 쓸 수 있습니다.",
    error: |e| match e {
        JournalError::Encoding => "링크가 손상되었습니다(base64url 텍스트가 아님)".into(),
        JournalError::TooLong => "너무 깁니다".into(),
        JournalError::TooNew(v) => format!("형식 버전 {v}"),
        JournalError::Format(line) => format!("저널의 {line}번째 줄을 이해할 수 없습니다"),
    },
};

pub fn text_for(lang: &str) -> &'static Text {
    if lang.starts_with("ko") {
        &KO
    } else {
        &EN
    }
}

// ---------------------------------------------------------------------------
// The component

#[derive(Properties, PartialEq, Clone)]
pub struct TimelineProps {
    #[prop_or(AttrValue::Static("en"))]
    pub lang: AttrValue,
    /// The page clock's reading (simulated ms since the origin) when the
    /// cluster had started: the slider's left end.
    pub start_ms: Ms,
    /// The live cluster's clock reading now: the right end.
    pub live_ms: Ms,
    /// The clock reading shown, when it is in the past.
    pub past_ms: Option<Ms>,
    pub share_url: Option<AttrValue>,
    pub notice: Option<LinkNotice>,
    /// Clock readings (ms since the origin).
    pub on_scrub: Callback<Ms>,
    pub on_live: Callback<()>,
    pub on_fork: Callback<()>,
    pub on_share: Callback<()>,
    /// The live cluster was restarted from storage: no replayable history.
    #[prop_or_default]
    pub restored: bool,
}

fn secs(ms: Ms) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

#[function_component(Timeline)]
pub fn timeline(props: &TimelineProps) -> Html {
    let t = text_for(&props.lang);
    let shown = props.past_ms.unwrap_or(props.live_ms);
    let on_scrub = props.on_scrub.clone();
    let oninput = Callback::from(move |e: InputEvent| {
        let v = e.target_unchecked_into::<HtmlInputElement>().value();
        if let Ok(v) = v.parse::<f64>() {
            on_scrub.emit(v as Ms);
        }
    });
    let value_text = match props.past_ms {
        Some(p) => format!("{} / {}", secs(p), secs(props.live_ms)),
        None => format!("{} ({})", secs(props.live_ms), t.live),
    };
    let notice = props.notice.as_ref().map(|n| {
        let (class, text) = match n {
            LinkNotice::Opened { matches: Some(false) } => ("notice warn", t.opened_differs.to_string()),
            LinkNotice::Opened { .. } => ("notice", t.opened.to_string()),
            LinkNotice::Bad(JournalError::TooNew(_)) => ("notice error", t.too_new.to_string()),
            LinkNotice::Bad(e) => ("notice error", format!("{} {}.", t.bad_link, (t.error)(e))),
        };
        html! { <p class={class} role="status" data-testid="link-notice">{ text }</p> }
    });
    let on_live = props.on_live.reform(|_| ());
    let on_fork = props.on_fork.reform(|_| ());
    let on_share = props.on_share.reform(|_| ());
    if props.restored {
        return html! {
            <section class={classes!("card", "timeline")} aria-labelledby="timeline-heading" data-testid="timeline">
                <h2 id="timeline-heading" class="visually-hidden">{ t.heading }</h2>
                <p class="note" data-testid="timeline-restored">{ t.restored }</p>
            </section>
        };
    }
    html! {
        <section class={classes!("card", "timeline", props.past_ms.is_some().then_some("in-past"))}
            aria-labelledby="timeline-heading" data-testid="timeline">
            <h2 id="timeline-heading" class="visually-hidden">{ t.heading }</h2>
            { for notice }
            <div class="timeline-row">
                <label class="timeline-slider">
                    <span class="visually-hidden">{ t.slider }</span>
                    <input type="range" data-testid="timeline-slider"
                        min={props.start_ms.to_string()} max={props.live_ms.max(props.start_ms).to_string()}
                        step={SCRUB_STEP_MS.to_string()} value={shown.to_string()}
                        aria-valuetext={value_text.clone()} {oninput} />
                </label>
                <span class="num timeline-time" data-testid="timeline-time">{ value_text }</span>
                if props.past_ms.is_some() {
                    <button type="button" class="primary" data-testid="back-to-live" onclick={on_live}>{ t.back_to_live }</button>
                    <button type="button" data-testid="fork-button" onclick={on_fork}>{ t.fork }</button>
                }
                <button type="button" data-testid="share-button" title={t.share_note} onclick={on_share}>{ t.share }</button>
            </div>
            if props.past_ms.is_some() {
                <p class="notice warn past-banner" role="status" data-testid="past-banner">{ t.viewing_past }</p>
            }
            if let Some(url) = &props.share_url {
                <label class="share-url">
                    <span>{ t.share_label }</span>
                    <input type="text" readonly=true value={url.clone()} data-testid="share-url"
                        onfocus={Callback::from(|e: FocusEvent| {
                            e.target_unchecked_into::<HtmlInputElement>().select();
                        })} />
                </label>
                <p class="note">{ t.share_note }</p>
            }
        </section>
    }
}
