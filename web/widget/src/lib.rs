//! `kafkaplay-widget`: a live Kafka cluster inside any documentation page.
//!
//! A docs page includes `kafkaplay-widget.js` (web/widget/kafkaplay-widget.js,
//! an ES module) and writes `<kafka-playground scenario="replicated">`, or
//! calls its `mount(element, options)`. That loader fetches this wasm once for
//! every widget of the page and calls [`mount_widget`] for each, into a shadow
//! root of its own, when the widget scrolls into view.
//!
//! Each widget is a Yew app ([`WidgetApp`]) over its own [`Playground`] (its
//! own simulation, shell and clock), built from the app's library
//! (`kafkaplay-web`): the node boxes with their fault buttons
//! (`cluster_view::node_box`), the terminal, the record flow. Widgets share
//! nothing but the wasm module: killing a broker in one leaves the others
//! alone. [`WidgetHandle::destroy`] unmounts the app, which drops its frame
//! loop and the terminal's timer: nothing of it runs afterwards
//! ([`live_widgets`] counts the apps alive).
//!
//! Events go to the host page as DOM `CustomEvent`s on the widget's element
//! (bubbling, composed): `ready`, `error`, `leader-changed`,
//! `records-produced` and `step-done` (a scenario command, or a command the
//! page ran, finished). No `postMessage`: the widget runs in the page's own
//! document, so there is no other window whose origin to check.

// Natively only the options' and views' tests run; the app is compiled, not called.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

use std::cell::Cell;
use std::rc::Rc;

use kafkaplay_cluster::{NodeId, TopicPartition, NO_NODE};
use kafkaplay_flatmap::FlatMap;
use kafkaplay_shell::Output;
use kafkaplay_web::browser::AnimationFrames;
use kafkaplay_web::i18n::Lang;
use kafkaplay_web::playground::{FaultKind, PartitionView, Playground};
use kafkaplay_web::scenario::Scenario;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use yew::prelude::*;

mod persist;
mod text;

/// A clock tick redraws the widget at most this often (real ms).
const RENDER_MS: f64 = 100.0;
/// A frame runs the simulation for at most about this long (real ms): a page
/// may hold several widgets.
const FRAME_SIM_BUDGET_MS: f64 = 3.0;
/// The messages view shows this many of a partition's latest records.
const MESSAGES_SHOWN: usize = 8;

thread_local! {
    static LIVE: Cell<u32> = const { Cell::new(0) };
}

/// How many widget apps are alive in this wasm instance (the tests check
/// that a removed widget is gone).
#[wasm_bindgen]
pub fn live_widgets() -> u32 {
    LIVE.with(Cell::get)
}

// ---------------------------------------------------------------------------
// Options

/// Which views a widget shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Views {
    pub cluster: bool,
    pub terminal: bool,
    pub messages: bool,
}

impl Views {
    /// `"terminal cluster"`, `"cluster,messages"`: any of the three names,
    /// separated by spaces or commas. Empty: cluster and terminal.
    pub fn parse(text: &str) -> Result<Views, String> {
        let mut v = Views {
            cluster: false,
            terminal: false,
            messages: false,
        };
        let mut any = false;
        for word in text.split([' ', ',']).filter(|w| !w.is_empty()) {
            match word {
                "cluster" => v.cluster = true,
                "terminal" => v.terminal = true,
                "messages" => v.messages = true,
                other => return Err(format!("unknown view \"{other}\": use cluster, terminal or messages")),
            }
            any = true;
        }
        if !any {
            v.cluster = true;
            v.terminal = true;
        }
        Ok(v)
    }
}

/// The options as the loader passes them (attributes, or `mount`'s object),
/// read through JSON with serde_json: `deny_unknown_fields` then holds for
/// every key, so a misspelt option (`readonly` for `readOnly`) or scenario
/// field is an error that names it. (serde-wasm-bindgen reads a struct's
/// fields by name and never sees the keys it does not know.)
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
struct RawOptions {
    /// A built-in scenario's name, inline JSON text, or an object: its JSON
    /// text, read below.
    scenario: Option<Box<serde_json::value::RawValue>>,
    views: Option<String>,
    lang: Option<String>,
    read_only: Option<bool>,
    autoplay: Option<bool>,
    /// Handled by the loader (kafkaplay-widget.js): named here so they are known.
    height: Option<Box<serde_json::value::RawValue>>,
    theme: Option<String>,
    eager: Option<bool>,
    persist: Option<String>,
    lesson: Option<String>,
}

/// A widget's settings, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub scenario: Scenario,
    pub views: Views,
    pub lang: Lang,
    /// No fault buttons and no typing: the page shows, the reader watches.
    pub read_only: bool,
    /// The clock runs from the start (else it waits for ▶).
    pub autoplay: bool,
    /// The IndexedDB namespace the widget's cluster is kept under, if any.
    pub persist: Option<String>,
    /// A guided lesson shown above the terminal (its id).
    pub lesson: Option<&'static str>,
}

/// A lesson a widget can show, by id.
///
/// Not inlined into `parse_options`: this names the lessons' table, which
/// points to every lesson's texts, and the docs widget's split keeps in the
/// start-up module whatever a function it runs names (`cargo xtask
/// split-data`); this runs only for a widget with a `lesson`.
#[inline(never)]
fn lesson_id(id: &str) -> Result<&'static str, String> {
    use kafkaplay_web::lessons;
    if let Some(l) = lessons::terminal_only().find(|l| l.id == id) {
        return Ok(l.id);
    }
    let ids: Vec<&str> = lessons::terminal_only().map(|l| l.id).collect();
    let why = if lessons::content::LESSONS.iter().any(|l| l.id == id) {
        "needs the playground page (a step uses its consumer form or a new cluster)"
    } else {
        "is not a lesson"
    };
    Err(format!("lesson \"{id}\" {why}: a widget can show {}", ids.join(", ")))
}

/// Reads the options from their JSON text (`JSON.stringify` of what the page gave).
pub fn parse_options(json: &str) -> Result<Options, String> {
    let raw: RawOptions = if json.trim().is_empty() || json.trim() == "null" {
        RawOptions::default()
    } else {
        serde_json::from_str(json).map_err(|e| format!("options: {e}"))?
    };
    let lesson = match raw.lesson.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) => Some(lesson_id(id)?),
    };
    // A lesson builds its own topics: its default cluster has none.
    let default_scenario = if lesson.is_some() {
        "empty"
    } else {
        kafkaplay_web::scenario::BUILTIN[0]
    };
    let scenario = match raw.scenario.as_deref().map(|r| r.get().trim()) {
        None | Some("null") => Scenario::named(default_scenario).map_err(|e| e.to_string())?,
        Some(json) if json.starts_with('"') => {
            let text: String = serde_json::from_str(json).map_err(|e| format!("scenario: {e}"))?;
            if text.trim_start().starts_with('{') {
                Scenario::from_json(&text).map_err(|e| format!("scenario: {e}"))?
            } else {
                Scenario::named(&text).map_err(|e| e.to_string())?
            }
        }
        Some(json) => Scenario::from_json(json).map_err(|e| format!("scenario: {e}"))?,
    };
    let persist = match raw.persist.as_deref().map(str::trim) {
        None | Some("") | Some("off") | Some("false") => None,
        Some(name) if name.len() <= 100 => Some(name.to_string()),
        Some(_) => return Err("persist: a namespace has at most 100 characters".into()),
    };
    let views = Views::parse(raw.views.as_deref().unwrap_or(""))?;
    if lesson.is_some() && !views.terminal {
        return Err("lesson: a lesson needs the terminal view (views=\"cluster terminal\")".into());
    }
    Ok(Options {
        scenario,
        views,
        lesson,
        lang: Lang::from_tag(raw.lang.as_deref().unwrap_or("en")),
        read_only: raw.read_only.unwrap_or(false),
        autoplay: raw.autoplay.unwrap_or(true),
        persist,
    })
}

// ---------------------------------------------------------------------------
// The handle the loader holds

/// One mounted widget, as the page's JavaScript holds it.
#[wasm_bindgen]
pub struct WidgetHandle {
    app: Option<yew::AppHandle<WidgetApp>>,
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Unmounts the widget: its cluster, clock and timers are dropped.
    pub fn destroy(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
    }

    /// Runs a shell line in the widget (typed into its terminal when it shows
    /// one). The promise resolves to `{stdout, stderr, exitCode}` once it ran
    /// (after a running job ended), or to `null` if the widget was destroyed.
    pub fn run(&self, line: String) -> js_sys::Promise {
        let app = self.app.as_ref().map(|a| (**a).clone());
        js_sys::Promise::new(&mut |resolve, _reject| match &app {
            Some(scope) => scope.send_message(Msg::Run(line.clone(), resolve)),
            None => {
                let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
            }
        })
    }

    /// Starts or stops the widget's clock.
    #[wasm_bindgen(js_name = setPlaying)]
    pub fn set_playing(&self, playing: bool) {
        if let Some(app) = &self.app {
            app.send_message(Msg::SetPlaying(playing));
        }
    }
}

/// Mounts a widget into `root` (an element in the widget's shadow root) and
/// sends its events to `host` (the `<kafka-playground>` element, or the
/// element given to `mount`). Bad options do not throw: the widget shows
/// what is wrong and sends an `error` event.
#[wasm_bindgen]
pub fn mount_widget(root: web_sys::Element, host: web_sys::Element, options: JsValue) -> WidgetHandle {
    let json = js_sys::JSON::stringify(&options)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default();
    let props = WidgetProps {
        options: Rc::new(parse_options(&json)),
        host,
    };
    let app = yew::Renderer::<WidgetApp>::with_root_and_props(root, props).render();
    WidgetHandle { app: Some(app) }
}

// ---------------------------------------------------------------------------
// The app

#[derive(Properties, PartialEq)]
pub struct WidgetProps {
    options: Rc<Result<Options, String>>,
    host: web_sys::Element,
}

pub enum Msg {
    Frame,
    SetPlaying(bool),
    TogglePlay,
    Fault(FaultKind, NodeId),
    ShellChanged,
    /// A line from the host page, and the promise's resolve.
    Run(String, js_sys::Function),
    /// A script line ran in the terminal: its index, output, status.
    Scripted(usize, Box<Output>, i32),
    Browse(String),
    Persist(persist::Event),
    LessonStep(kafkaplay_web::lessons::panel::StepDone),
}

pub struct WidgetApp {
    pg: Option<Playground>,
    error: Option<String>,
    lang: Lang,
    /// The scenario's commands, then the page's `run` lines.
    script: Rc<Vec<String>>,
    /// How many script lines the scenario has (the rest came from `run`).
    scenario_lines: usize,
    pending: Vec<(usize, js_sys::Function)>,
    browse: Option<TopicPartition>,
    leaders: FlatMap<TopicPartition, NodeId>,
    high_watermarks: FlatMap<TopicPartition, i64>,
    views: Option<(Vec<PartitionView>, Vec<kafkaplay_web::playground::NodeView>)>,
    flow: Option<kafkaplay_web::flow::Flow>,
    flow_snapshot: Rc<kafkaplay_web::flow::FlowSnapshot>,
    last_frame_ms: f64,
    last_render_ms: f64,
    on_shell_change: Callback<()>,
    on_script: Callback<(usize, Output, i32)>,
    /// `persist="namespace"`: the cluster kept in IndexedDB.
    saver: Option<persist::Saver>,
    _frames: AnimationFrames,
}

impl Component for WidgetApp {
    type Message = Msg;
    type Properties = WidgetProps;

    fn create(ctx: &Context<Self>) -> Self {
        LIVE.with(|l| l.set(l.get() + 1));
        let link = ctx.link().clone();
        let frames = AnimationFrames::new(move || link.send_message(Msg::Frame));
        let now = js_sys::Date::now();
        let mut app = WidgetApp {
            pg: None,
            error: None,
            lang: Lang::En,
            script: Rc::new(Vec::new()),
            scenario_lines: 0,
            pending: Vec::new(),
            browse: None,
            leaders: FlatMap::new(),
            high_watermarks: FlatMap::new(),
            views: None,
            flow: None,
            flow_snapshot: Default::default(),
            last_frame_ms: now,
            last_render_ms: 0.0,
            on_shell_change: ctx.link().callback(|()| Msg::ShellChanged),
            on_script: ctx
                .link()
                .callback(|(i, out, status)| Msg::Scripted(i, Box::new(out), status)),
            saver: None,
            _frames: frames,
        };
        match &*ctx.props().options {
            Err(e) => app.fail(ctx, e.clone()),
            Ok(options) => {
                app.lang = options.lang;
                match options.scenario.start() {
                    Err(e) => app.fail(ctx, e.to_string()),
                    Ok(mut pg) => {
                        pg.running = options.autoplay;
                        pg.sampling = false;
                        app.script = Rc::new(options.scenario.commands.clone());
                        app.scenario_lines = app.script.len();
                        if !options.views.terminal {
                            for (i, (out, status)) in options.scenario.run_commands(&mut pg).into_iter().enumerate() {
                                app.step_done(ctx, i, &out, status);
                            }
                        }
                        app.flow = Some(kafkaplay_web::flow::Flow::new(&pg.sim()));
                        app.pg = Some(pg);
                        if let Some(namespace) = &options.persist {
                            app.saver = Some(persist::start(namespace, ctx.link().callback(Msg::Persist)));
                        }
                        app.look(ctx);
                        app.emit(
                            ctx,
                            "ready",
                            &Ready {
                                brokers: options.scenario.brokers,
                            },
                        );
                    }
                }
            }
        }
        app
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        let Some(pg) = self.pg.as_mut() else {
            if let Msg::Run(_, resolve) = msg {
                let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
            }
            return false;
        };
        match msg {
            Msg::Frame => {
                let now = js_sys::Date::now();
                let real = now - self.last_frame_ms;
                self.last_frame_ms = now;
                if !pg.running || !pg.available() {
                    return false;
                }
                let deadline = now + FRAME_SIM_BUDGET_MS;
                pg.tick_within(real, &mut || js_sys::Date::now() >= deadline);
                if let Some(flow) = &mut self.flow {
                    flow.read(&pg.sim(), now);
                }
                if now - self.last_render_ms < RENDER_MS {
                    return false;
                }
                self.last_render_ms = now;
                if let Some(flow) = &mut self.flow {
                    flow.emit(now);
                    let brokers = pg.sim().config().brokers.clone();
                    self.flow_snapshot = Rc::new(flow.snapshot(&brokers));
                }
                self.look(ctx);
                true
            }
            Msg::SetPlaying(on) => {
                pg.running = on;
                true
            }
            Msg::TogglePlay => {
                pg.running = !pg.running;
                true
            }
            Msg::Fault(kind, node) => {
                if read_only(ctx) {
                    return false;
                }
                pg.fault(kind, node);
                self.look(ctx);
                true
            }
            Msg::ShellChanged => {
                if !pg.available() {
                    return false;
                }
                pg.refresh();
                self.look(ctx);
                true
            }
            Msg::Run(line, resolve) => {
                // Every line the widget ran, numbered (the step-done events' index).
                let index = self.script.len();
                Rc::make_mut(&mut self.script).push(line.clone());
                if shows_terminal(ctx) {
                    // A new Rc (the terminal holds the old one): it types the line.
                    self.pending.push((index, resolve));
                    return true;
                }
                let out = pg.shell.borrow_mut().submit(&line);
                let status = pg.shell.borrow().last_status();
                pg.refresh();
                let _ = resolve.call1(&JsValue::NULL, &result_object(&out, status));
                self.step_done(ctx, index, &out, status);
                self.look(ctx);
                true
            }
            Msg::Scripted(i, out, status) => {
                if let Some(at) = self.pending.iter().position(|(n, _)| *n == i) {
                    let (_, resolve) = self.pending.swap_remove(at);
                    let _ = resolve.call1(&JsValue::NULL, &result_object(&out, status));
                }
                self.step_done(ctx, i, &out, status);
                false
            }
            Msg::Browse(value) => {
                self.browse = parse_tp(&value);
                true
            }
            Msg::LessonStep(done) => {
                self.emit(ctx, "lesson-step-done", &done);
                false
            }
            Msg::Persist(event) => {
                let Some(saver) = self.saver.as_mut() else { return false };
                let Some(stored) = saver.handle(event, Some(&pg.shell)) else {
                    return true;
                };
                // The namespace held a cluster: it replaces the scenario's.
                let running = pg.running;
                let mut restored = Playground::restored(stored);
                restored.running = running;
                restored.sampling = false;
                self.flow = Some(kafkaplay_web::flow::Flow::new(&restored.sim()));
                // (The script stays: its lines ran on the scenario's cluster, and
                // the terminal goes on after them with the page's next `run`.)
                self.pg = Some(restored);
                self.leaders = FlatMap::new();
                self.high_watermarks = FlatMap::new();
                self.look(ctx);
                true
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let w = text::of(self.lang);
        let Ok(options) = &*ctx.props().options else {
            return self.view_error(w);
        };
        let Some(pg) = &self.pg else { return self.view_error(w) };
        let views = options.views;
        let (partitions, nodes): (&[PartitionView], &[kafkaplay_web::playground::NodeView]) = self
            .views
            .as_ref()
            .map_or((&[], &[]), |(p, n)| (p.as_slice(), n.as_slice()));
        let running = pg.running;
        let on_fault = (!options.read_only).then(|| ctx.link().callback(|(f, id)| Msg::Fault(f, id)));
        let clock = format!("{:.1} s", pg.elapsed_ms() as f64 / 1000.0);
        html! {
            <div class="kpw" lang={self.lang.tag()} data-testid="widget">
                <div class="kpw-bar">
                    <button type="button" class="kpw-play" data-testid="widget-play"
                        aria-pressed={running.to_string()}
                        onclick={ctx.link().callback(|_| Msg::TogglePlay)}>
                        { if running { w.pause } else { w.play } }
                    </button>
                    <span class="kpw-clock" data-testid="widget-clock" aria-label={w.clock}>{ clock }</span>
                    if let Some(saver) = &self.saver {
                        <span class="kpw-saved" data-testid="widget-persist"
                            data-saves={match saver.status { persist::Status::Saving(n) => n.to_string(), _ => String::new() }}>{ w.persist(&saver.status) }</span>
                    }
                    <span class="kpw-brand">{ "kafkaplay" }</span>
                </div>
                if views.cluster {
                    <div class="kpw-cluster">
                        <kafkaplay_web::flow::FlowView lang={self.lang} snapshot={self.flow_snapshot.clone()} />
                        <div class="nodes" data-testid="nodes">
                            { for nodes.iter().map(|n| {
                                let replicas = Rc::new(n.replicas.clone());
                                kafkaplay_web::cluster_view::node_box(self.lang, n, &replicas, on_fault.as_ref())
                            }) }
                        </div>
                    </div>
                }
                if views.terminal {
                    <div class="kpw-terminal">
                        if let Some(lesson) = options.lesson {
                            <kafkaplay_web::lessons::LessonPanel shell={pg.shell.clone()} lang={self.lang}
                                lesson={Some(AttrValue::Static(lesson))} terminal_only=true
                                on_step_done={ctx.link().callback(Msg::LessonStep)} />
                        }
                        <kafkaplay_web::terminal::Terminal shell={Some(pg.shell.clone())}
                            lang={self.lang.tag()} drive_time={false} history_key={None::<AttrValue>}
                            on_change={self.on_shell_change.clone()}
                            script={Some(self.script.clone())} on_script={Some(self.on_script.clone())}
                            read_only={options.read_only.then_some(AttrValue::Static(w.read_only))} />
                    </div>
                }
                if views.messages {
                    { self.view_messages(ctx, w, pg, partitions) }
                }
            </div>
        }
    }

    fn destroy(&mut self, _ctx: &Context<Self>) {
        if let Some(saver) = self.saver.as_mut() {
            saver.finish(self.pg.as_ref().map(|pg| &pg.shell));
        }
        for (_, resolve) in self.pending.drain(..) {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
        }
        LIVE.with(|l| l.set(l.get().saturating_sub(1)));
    }
}

fn read_only(ctx: &Context<WidgetApp>) -> bool {
    ctx.props().options.as_ref().as_ref().is_ok_and(|o| o.read_only)
}

fn shows_terminal(ctx: &Context<WidgetApp>) -> bool {
    ctx.props().options.as_ref().as_ref().is_ok_and(|o| o.views.terminal)
}

impl WidgetApp {
    fn fail(&mut self, ctx: &Context<Self>, message: String) {
        self.emit(
            ctx,
            "error",
            &ErrorDetail {
                message: message.clone(),
            },
        );
        self.error = Some(message);
    }

    /// Reads the views from the simulation and sends the events of what
    /// changed since the last look.
    fn look(&mut self, ctx: &Context<Self>) {
        self.read_views();
        self.events(ctx);
    }

    fn read_views(&mut self) {
        if let Some(pg) = &self.pg {
            let (partitions, _) = pg.partitions();
            let nodes = pg.nodes(&partitions);
            self.views = Some((partitions, nodes));
        }
    }

    /// `leader-changed` and `records-produced` for what changed since the
    /// last reading (the first reading only sets the baseline).
    fn events(&mut self, ctx: &Context<Self>) {
        let Some((partitions, _)) = &self.views else { return };
        let first = self.leaders.is_empty() && self.high_watermarks.is_empty();
        let mut leaders = Vec::new();
        let mut produced = Vec::new();
        for p in partitions.iter().filter(|p| !p.tp.topic.starts_with("__")) {
            let before = self.leaders.insert(p.tp.clone(), p.leader);
            if let Some(previous) = before.filter(|b| !first && *b != p.leader) {
                leaders.push(LeaderChanged {
                    topic: p.tp.topic.to_string(),
                    partition: p.tp.partition,
                    leader: node(p.leader),
                    previous: node(previous),
                    leader_epoch: p.leader_epoch,
                });
            }
            if let Some(hw) = p.high_watermark {
                let before = self.high_watermarks.insert(p.tp.clone(), hw).unwrap_or(0);
                if hw > before {
                    produced.push(RecordsProduced {
                        topic: p.tp.topic.to_string(),
                        partition: p.tp.partition,
                        count: hw - before,
                        high_watermark: hw,
                    });
                }
            }
        }
        for e in leaders {
            self.emit(ctx, "leader-changed", &e);
        }
        for e in produced {
            self.emit(ctx, "records-produced", &e);
        }
    }

    fn step_done(&self, ctx: &Context<Self>, index: usize, out: &Output, status: i32) {
        let detail = StepDone {
            index,
            from_scenario: index < self.scenario_lines,
            exit_code: status,
            stdout: out.stdout(),
        };
        self.emit(ctx, "step-done", &detail);
    }

    /// Dispatches `name` on the host element, `detail` made a plain object
    /// (serde-wasm-bindgen).
    fn emit(&self, ctx: &Context<Self>, name: &str, detail: &impl Serialize) {
        let detail = detail
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .unwrap_or(JsValue::NULL);
        let init = web_sys::CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(&detail);
        if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
            let _ = ctx.props().host.dispatch_event(&event);
        }
    }

    fn view_error(&self, w: &text::Text) -> Html {
        let message = self.error.clone().unwrap_or_default();
        html! {
            <div class="kpw kpw-failed" data-testid="widget">
                <p class="kpw-error" role="alert" data-testid="widget-error">
                    <strong>{ w.failed }</strong>{ " " }{ message }
                </p>
            </div>
        }
    }

    fn view_messages(
        &self,
        ctx: &Context<Self>,
        w: &text::Text,
        pg: &Playground,
        partitions: &[PartitionView],
    ) -> Html {
        let user: Vec<&PartitionView> = partitions.iter().filter(|p| !p.tp.topic.starts_with("__")).collect();
        let chosen = self
            .browse
            .clone()
            .filter(|tp| user.iter().any(|p| &p.tp == tp))
            .or_else(|| user.first().map(|p| p.tp.clone()));
        let records = chosen
            .as_ref()
            .and_then(|tp| pg.records_for(tp, &kafkaplay_web::browse::Query::default()));
        let onchange = ctx
            .link()
            .callback(|e: Event| Msg::Browse(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()));
        let text_of = |b: &Option<Vec<u8>>| {
            b.as_ref()
                .map_or("null".to_string(), |b| String::from_utf8_lossy(b).into_owned())
        };
        html! {
            <div class="kpw-messages" data-testid="widget-messages">
                <label class="inline">{ w.partition }
                    <select {onchange} data-testid="widget-partition">
                        { for user.iter().map(|p| {
                            let name = format!("{}-{}", p.tp.topic, p.tp.partition);
                            html! { <option value={name.clone()} selected={chosen.as_ref() == Some(&p.tp)}>{ name }</option> }
                        }) }
                    </select>
                </label>
                if let Some(r) = records {
                    <table class="kpw-records">
                        <thead><tr><th>{ w.offset }</th><th>{ w.key }</th><th>{ w.value }</th></tr></thead>
                        <tbody>
                            { for r.records.iter().rev().take(MESSAGES_SHOWN).map(|rec| html! {
                                <tr><td>{ rec.offset }</td><td>{ text_of(&rec.key) }</td><td>{ text_of(&rec.value) }</td></tr>
                            }) }
                        </tbody>
                    </table>
                    if r.records.is_empty() { <p class="muted small">{ w.no_records }</p> }
                } else if chosen.is_some() {
                    <p class="muted small">{ w.offline }</p>
                } else {
                    <p class="muted small">{ w.no_topics }</p>
                }
            </div>
        }
    }
}

/// A broker id, or `None` (`null`) for no leader.
fn node(id: NodeId) -> Option<NodeId> {
    (id != NO_NODE).then_some(id)
}

/// The events' details, as the host page reads them.
#[derive(Serialize)]
struct Ready {
    brokers: i32,
}

#[derive(Serialize)]
struct ErrorDetail {
    message: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LeaderChanged {
    topic: String,
    partition: i32,
    /// `null` when the partition went offline.
    leader: Option<NodeId>,
    previous: Option<NodeId>,
    leader_epoch: i32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RecordsProduced {
    topic: String,
    partition: i32,
    /// Records newly below the high watermark (readable by consumers).
    count: i64,
    high_watermark: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StepDone {
    index: usize,
    from_scenario: bool,
    exit_code: i32,
    stdout: String,
}

/// What `run` resolves to.
fn result_object(out: &Output, status: i32) -> JsValue {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct RunResult {
        stdout: String,
        stderr: String,
        exit_code: i32,
    }
    let result = RunResult {
        stdout: out.stdout(),
        stderr: out.stderr(),
        exit_code: status,
    };
    result
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

/// `orders-2` → the partition.
fn parse_tp(value: &str) -> Option<TopicPartition> {
    let (topic, partition) = value.rsplit_once('-')?;
    Some(TopicPartition::new(topic, partition.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_parse_names_and_default_to_cluster_and_terminal() {
        assert_eq!(
            Views::parse("").unwrap(),
            Views {
                cluster: true,
                terminal: true,
                messages: false
            }
        );
        let v = Views::parse("messages, cluster").unwrap();
        assert!(v.cluster && v.messages && !v.terminal);
        assert_eq!(
            Views::parse("cluster graph").unwrap_err(),
            "unknown view \"graph\": use cluster, terminal or messages"
        );
    }

    #[test]
    fn options_name_what_is_wrong() {
        let o = parse_options(r#"{"scenario":"rf1","views":"cluster messages","lang":"ko","readOnly":true}"#).unwrap();
        assert_eq!(o.scenario, Scenario::builtin("rf1").unwrap());
        assert!(o.read_only && o.autoplay && o.lang == Lang::Ko && o.views.messages && !o.views.terminal);
        let inline = parse_options(r#"{"scenario":"{\"brokers\":2}"}"#).unwrap();
        assert_eq!(inline.scenario.brokers, 2);
        let object = parse_options(r#"{"scenario":{"brokers":1,"topics":[{"name":"t"}]}}"#).unwrap();
        assert_eq!(object.scenario.topics[0].name, "t");
        assert_eq!(
            parse_options("null").unwrap().scenario,
            Scenario::builtin("three-brokers").unwrap()
        );
        let typo = parse_options(r#"{"readonly":true}"#).unwrap_err();
        assert!(typo.starts_with("options: unknown field `readonly`"), "{typo}");
        let field = parse_options(r#"{"scenario":{"topics":[{"name":"t","replicationfactor":3}]}}"#).unwrap_err();
        assert!(
            field.starts_with("scenario: unknown field `replicationfactor`"),
            "{field}"
        );
        let text = parse_options(r#"{"scenario":"{\"brokers\": 3,"}"#).unwrap_err();
        assert!(text.starts_with("scenario: EOF while parsing"), "{text}");
        assert!(parse_options(r#"{"scenario":"nope"}"#)
            .unwrap_err()
            .starts_with("unknown scenario \"nope\""));
    }

    #[test]
    fn a_partition_name_parses_back() {
        assert_eq!(parse_tp("my-topic-12"), Some(TopicPartition::new("my-topic", 12)));
        assert_eq!(parse_tp("nodash"), None);
    }
}
