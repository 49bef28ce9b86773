//! The playground page: one Yew component over [`Playground`]. A 16 ms timer
//! advances simulated time by the real time that passed times the speed (a
//! small share of the simulation per animation frame); every 100 ms a tick
//! re-renders the views from the simulation. Faults are applied from the
//! node boxes. Record contents are only ever rendered as text nodes.
//!
//! The terminal under the cluster view types into the playground's shell: one
//! cluster, seen from the boxes and from `docker ps` / `kafka-topics` alike. The
//! page's clock moves simulated time; the terminal only collects a running
//! job's output (`drive_time={false}`) and says when a command ran.

use kafkaplay_cluster::{NodeId, TopicPartition, NO_NODE};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::browser::{self, AnimationFrames};
use crate::i18n::Lang;
use crate::i18n_play::Play;
use crate::log_lab::LogLab;
use crate::memo::Memo;
use crate::model;
use crate::playground::{
    self, format_bytes, FaultKind, InputError, MetadataSource, NodeView, PartitionView, Playground, ProducerForm,
    Sample, TopicForm, ValueFormat, SPEEDS,
};

/// A clock tick redraws the page at most this often (real ms).
const TICK_RENDER_MS: f64 = 100.0;
/// A clock tick runs the simulation for at most about this long (real ms);
/// the rest is owed to the next ticks (`Playground::tick_within`).
const TICK_SIM_BUDGET_MS: f64 = 4.0;
/// The default cluster size.
const DEFAULT_BROKERS: i32 = 3;

pub enum Msg {
    Tick,
    /// A command ran or a job printed in the terminal: the cluster may have
    /// changed (a topic, a stopped broker).
    ShellChanged,
    SetLang(Lang),
    TogglePlay,
    Step,
    SetSpeed(usize),
    SetBrokersForm(String),
    SetControllersForm(i32),
    SetSeedForm(String),
    NewCluster,
    Fault(FaultKind, NodeId),
    SetCutA(String),
    SetCutB(String),
    Cut,
    Heal,
    TopicName(String),
    TopicPartitions(String),
    TopicRf(String),
    CreateTopic,
    Producer(ProducerField, String),
    StartProducer,
    StopProducer,
    /// The consumer-groups panel (`crate::groups_panel`).
    Consumer(crate::groups_panel::ConsumerField, String),
    StartConsumer,
    StopConsumer(NodeId),
    /// A lesson step's page action (`crate::lessons::PageAction`).
    LessonAction(crate::lessons::PageAction),
    Browse(String),
    /// The message browser's start: its kind, then its text.
    SeekKind(String),
    SeekText(String),
    Search(String),
    SetFormat(ValueFormat),
    /// The timeline (`crate::timeline`): show this clock reading (ms).
    Scrub(kafkaplay_cluster::Ms),
    BackToLive,
    Fork,
    Share,
    /// The header's "copy embed code" (`crate::embed`), and its panel's Close.
    Embed,
    CloseEmbed,
    /// Saving and loading the playground (`persistence.rs`).
    Persist(crate::persistence::Event),
}

#[derive(Clone, Copy)]
pub enum ProducerField {
    Topic,
    Rate,
    Keys,
    Acks,
    Value,
    Idempotence,
}

/// Which form an input error belongs to.
#[derive(Clone, Copy, PartialEq)]
enum Form {
    Cluster,
    Topic,
    Producer,
}

pub struct App {
    lang: Lang,
    pg: Playground,
    brokers_form: String,
    /// The new-cluster form's controller count (one of `playground::CONTROLLERS`).
    controllers_form: i32,
    seed_form: String,
    cut_a: String,
    cut_b: String,
    topic_form: TopicForm,
    producer_form: ProducerForm,
    groups: crate::groups_panel::GroupsUi,
    /// `topic-partition` picked in the message browser.
    browse: Option<TopicPartition>,
    /// The message browser's query, and the form it comes from.
    query: crate::browse::Query,
    seek_kind: crate::browse::SeekKind,
    seek_text: String,
    seek_error: Option<crate::browse::SeekError>,
    format: ValueFormat,
    input_error: Option<(Form, InputError)>,
    step_lines: Vec<String>,
    last_tick_ms: f64,
    /// When a clock tick last redrew the page (real ms).
    last_tick_render_ms: f64,
    /// The views a redraw shows, read from the simulation one frame before
    /// it (see `Msg::Tick`).
    prepared: std::cell::RefCell<Option<Prepared>>,
    /// The views the last redraw showed, freed in a frame of simulation
    /// (within its budget) rather than in the redraw's frame: 1,000
    /// partitions are thousands of small allocations.
    shown: std::cell::RefCell<Option<Prepared>>,
    /// Records on their way (`crate::flow`), read from the trace each tick.
    flow: crate::flow::Flow,
    flow_snapshot: std::rc::Rc<crate::flow::FlowSnapshot>,
    /// The message browser's partition names, made again only when the
    /// partitions change: the same `Rc` makes its `<select>`'s props compare
    /// equal at once (1,000 partitions would be 1,000 strings a redraw).
    partition_names: std::cell::RefCell<(Vec<TopicPartition>, std::rc::Rc<Vec<String>>)>,
    /// The topic tables and the message browser: drawn again only when what
    /// they show changed (most redraws, it has not).
    topics_memo: Memo<TopicsModel>,
    browser_memo: Memo<BrowserModel>,
    /// Made once, so the terminal's props stay equal between renders.
    on_shell_change: Callback<()>,
    /// Sends `Msg::Tick` before every animation frame.
    _frames: AnimationFrames,
    /// The live cluster while `pg` shows a moment of its past (read-only).
    past: Option<crate::timeline::Past>,
    share_url: Option<String>,
    /// The embed code last copied, shown until closed or the cluster changes.
    embed_code: Option<String>,
    link_notice: Option<crate::timeline::LinkNotice>,
    persist: crate::persistence::Persist,
    on_persist: Callback<crate::persistence::Event>,
}

/// The playground a shared link opens into: new, named after the moment
/// (e.g. `link 2026-11-24 14:20:05`).
fn link_playground_name() -> String {
    let iso = String::from(js_sys::Date::new_0().to_iso_string());
    format!("link {}", iso.get(..19).unwrap_or(&iso).replace('T', " "))
}

fn input_value(e: &InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

fn select_value(e: &Event) -> String {
    e.target_unchecked_into::<HtmlSelectElement>().value()
}

/// A seed for a visit without `?seed=`: the clock's low bits (shown, so a run
/// can be replayed).
fn fresh_seed() -> u64 {
    (browser::now_ms() as u64) % 1_000_000
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let lang = browser::initial_lang();
        browser::set_document_lang(lang);
        let seed = browser::query_param("seed")
            .and_then(|s| playground::parse_seed(&s).ok())
            .unwrap_or_else(fresh_seed);
        let brokers = browser::query_param("brokers")
            .and_then(|s| playground::parse_brokers(&s).ok())
            .unwrap_or(DEFAULT_BROKERS);
        let link = ctx.link().clone();
        // A shared link in the address (`#v1:...`) is replayed.
        let (pg, link_notice) = crate::timeline::start(brokers, seed);
        let (brokers, seed) = (pg.journal.borrow().brokers, pg.seed);
        let controllers = pg.sim().config().controllers.len() as i32;
        let flow = crate::flow::Flow::new(&pg.sim());
        App {
            lang,
            pg,
            past: None,
            share_url: None,
            embed_code: None,
            link_notice: link_notice.clone(),
            brokers_form: brokers.to_string(),
            controllers_form: controllers,
            seed_form: seed.to_string(),
            cut_a: String::new(),
            cut_b: String::new(),
            topic_form: TopicForm::default(),
            producer_form: ProducerForm::default(),
            groups: Default::default(),
            browse: None,
            query: Default::default(),
            seek_kind: Default::default(),
            seek_text: String::new(),
            seek_error: None,
            format: ValueFormat::Text,
            input_error: None,
            step_lines: Vec::new(),
            last_tick_ms: js_sys::Date::now(),
            last_tick_render_ms: 0.0,
            prepared: Default::default(),
            shown: Default::default(),
            flow,
            flow_snapshot: Default::default(),
            partition_names: Default::default(),
            topics_memo: Memo::default(),
            browser_memo: Memo::default(),
            on_shell_change: ctx.link().callback(|()| Msg::ShellChanged),
            _frames: AnimationFrames::new(move || link.send_message(Msg::Tick)),
            persist: crate::persistence::Persist::start(
                ctx.link().callback(Msg::Persist),
                link_notice.is_some().then(link_playground_name),
            ),
            on_persist: ctx.link().callback(Msg::Persist),
        }
    }

    fn update(&mut self, _ctx: &Context<Self>, msg: Msg) -> bool {
        // The saves' own periodic events (the timer, a commit done) change
        // no view of the cluster.
        use crate::persistence::Event as Saving;
        let saving = matches!(msg, Msg::Persist(Saving::Timer | Saving::Committed(..)));
        if !matches!(msg, Msg::Tick) && !saving {
            // Anything else may change what the views show.
            self.prepared.get_mut().take();
        }
        if !self.persist.allows(&msg) {
            return true; // a read-only tab: the banner says why
        }
        // A cluster restarted from storage has no replayable history.
        if self.live().from_storage && matches!(msg, Msg::Scrub(..) | Msg::Share | Msg::Fork) {
            return false;
        }
        // Viewing the past: nothing changes the world.
        // (Fork is how the past becomes live.)
        if self.past.is_some() && crate::persistence::changes_cluster(&msg) && !matches!(msg, Msg::Fork) {
            return false;
        }
        match msg {
            Msg::Tick => {
                // One tick a frame, and each frame does one of: a save, a
                // redraw's reading of the views, the redraw, or a share of
                // the simulation (issue 8's frame budget: ≤ 10 ms a frame).
                let now = js_sys::Date::now();
                self.persist.frame();
                // A save's frame: its simulated time is owed to the next
                // (`last_tick_ms` stays).
                if self.prepared.get_mut().is_none() && self.persist.save_when_due(&self.pg) {
                    return false;
                }
                // (A busy shell never happens between messages; it must not panic.)
                if !self.pg.running || !self.pg.available() {
                    self.last_tick_ms = now;
                    return false;
                }
                if now - self.last_tick_render_ms >= TICK_RENDER_MS {
                    // A redraw, in two frames: this one reads the views from
                    // the simulation, the next draws them. The tick after
                    // runs their share of the simulation too, so no frame
                    // does two of these.
                    if self.prepared.get_mut().is_none() {
                        *self.prepared.get_mut() = Some(self.prepare());
                        self.flow.read(&self.pg.sim(), now);
                        self.flow.emit(now);
                        let brokers = self.pg.sim().config().brokers.clone();
                        self.flow_snapshot = std::rc::Rc::new(self.flow.snapshot(&brokers));
                        return false;
                    }
                    self.last_tick_render_ms = now;
                    return true;
                }
                let real = now - self.last_tick_ms;
                self.last_tick_ms = now;
                // A burst of simulation events is spread over the next frames.
                let deadline = now + TICK_SIM_BUDGET_MS;
                drop(self.shown.get_mut().take());
                self.pg.tick_within(real, &mut || js_sys::Date::now() >= deadline);
                self.flow.read(&self.pg.sim(), now);
                return false;
            }
            Msg::ShellChanged => {
                if !self.pg.available() {
                    return false;
                }
                self.pg.refresh();
                if self.pg.running {
                    // The next paced redraw shows it (at most 100 ms away): a
                    // redraw now would read every view in this task, and a
                    // job's output (a report every 5 s) comes in a timer task
                    // that falls into a frame of simulation.
                    return false;
                }
            }
            Msg::SetLang(lang) => {
                self.lang = lang;
                browser::set_document_lang(lang);
            }
            Msg::TogglePlay => self.pg.running = !self.pg.running,
            Msg::Step => {
                self.pg.running = false;
                self.step_lines = self.pg.step();
            }
            Msg::SetSpeed(i) => self.pg.set_speed_index(i),
            Msg::SetBrokersForm(v) => self.brokers_form = v,
            Msg::SetControllersForm(v) => self.controllers_form = v,
            Msg::SetSeedForm(v) => self.seed_form = v,
            Msg::NewCluster => {
                let parsed = playground::parse_brokers(&self.brokers_form)
                    .and_then(|b| playground::parse_seed(&self.seed_form).map(|s| (b, s)));
                match parsed {
                    Ok((brokers, seed)) => self.new_cluster(brokers, self.controllers_form, seed),
                    Err(e) => self.input_error = Some((Form::Cluster, e)),
                }
            }
            Msg::Fault(kind, node) => self.pg.fault(kind, node),
            Msg::SetCutA(v) => self.cut_a = v,
            Msg::SetCutB(v) => self.cut_b = v,
            Msg::Cut => {
                if let (Ok(a), Ok(b)) = (self.cut_a.parse(), self.cut_b.parse()) {
                    self.pg.cut(a, b);
                }
            }
            Msg::Heal => self.pg.heal(),
            Msg::TopicName(v) => self.topic_form.name = v,
            Msg::TopicPartitions(v) => self.topic_form.partitions = v,
            Msg::TopicRf(v) => self.topic_form.replication_factor = v,
            Msg::CreateTopic => {
                self.input_error = self.pg.create_topic(&self.topic_form).err().map(|e| (Form::Topic, e));
                if self.producer_form.topic.is_empty() && self.input_error.is_none() {
                    self.producer_form.topic = self.topic_form.name.trim().to_string();
                }
            }
            Msg::Producer(field, v) => {
                let f = &mut self.producer_form;
                match field {
                    ProducerField::Topic => f.topic = v,
                    ProducerField::Rate => f.rate = v,
                    ProducerField::Keys => f.keys = v,
                    ProducerField::Acks => f.acks = v,
                    ProducerField::Value => f.value = v,
                    ProducerField::Idempotence => f.idempotence = v,
                }
            }
            Msg::StartProducer => {
                self.input_error = self
                    .pg
                    .start_producer(&self.producer_form)
                    .err()
                    .map(|e| (Form::Producer, e));
            }
            Msg::StopProducer => self.pg.stop_producer(),
            Msg::Consumer(field, v) => self.groups.set(field, v),
            Msg::StartConsumer => self.groups.start(&mut self.pg),
            Msg::StopConsumer(id) => self.pg.stop_consumer(id),
            Msg::LessonAction(crate::lessons::PageAction::NewCluster { controllers }) => {
                // The same brokers and seed, with `controllers` voters.
                let brokers = self.pg.sim().config().brokers.len() as i32;
                self.new_cluster(brokers, controllers, self.pg.seed);
            }
            Msg::LessonAction(crate::lessons::PageAction::StartConsumer { group, topic }) => {
                self.groups.form.group = group.to_string();
                self.groups.form.topic = topic.to_string();
                self.groups.form.offset_reset = "earliest".into();
                self.groups.error = None;
            }
            Msg::LessonAction(crate::lessons::PageAction::StopConsumer { .. }) => {}
            Msg::Browse(v) => {
                self.browse = v
                    .rsplit_once('-')
                    .and_then(|(topic, p)| p.parse::<i32>().ok().map(|p| TopicPartition::new(topic, p)));
            }
            Msg::SeekKind(w) => {
                self.seek_kind = crate::browse::SeekKind::from_word(&w);
                self.apply_seek();
            }
            Msg::SeekText(v) => {
                self.seek_text = v;
                self.apply_seek();
            }
            Msg::Search(v) => self.query.search = v,
            Msg::SetFormat(f) => self.format = f,
            Msg::Scrub(clock_ms) => {
                let start = self.pg.journal.borrow().start - self.pg.sim().config().origin_ms;
                crate::timeline::scrub(&mut self.pg, &mut self.past, clock_ms - start);
                self.share_url = None;
            }
            Msg::BackToLive => {
                crate::timeline::back_to_live(&mut self.pg, &mut self.past);
                self.share_url = None;
            }
            Msg::Fork => {
                crate::timeline::fork(&mut self.pg, &mut self.past);
                self.share_url = None;
                self.link_notice = None;
            }
            Msg::Share => self.share_url = Some(crate::timeline::share(&self.pg)),
            Msg::Embed => {
                let scenario = crate::embed::scenario_of(self.live());
                let script_url = browser::resolve_url(crate::embed::WIDGET_SCRIPT);
                let code = crate::embed::snippet(&scenario, &script_url, self.lang.tag());
                crate::timeline::copy_to_clipboard(&code);
                self.embed_code = Some(code);
            }
            Msg::CloseEmbed => self.embed_code = None,
            Msg::Persist(e) => {
                let status = saving.then(|| self.persist.status.clone());
                if let Some(pg) = self.persist.handle(e, &mut self.pg) {
                    self.seed_form = pg.seed.to_string();
                    self.brokers_form = pg.sim().config().brokers.len().to_string();
                    self.show_cluster(pg);
                } else if let Some(before) = status {
                    // While the clock runs, the next paced redraw shows a new
                    // status (a redraw now would read every view in this frame).
                    return self.persist.status != before && !(self.pg.running && self.pg.available());
                }
            }
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let prepared = self.prepared.borrow_mut().take();
        let t = self.lang.play();
        // Prepared by the clock tick a frame earlier, or now.
        let (partitions, source, mut nodes) = prepared.unwrap_or_else(|| self.prepare());
        // Each broker's replicas move into the props of its box (no copy).
        let replicas: Vec<std::rc::Rc<Vec<playground::ReplicaView>>> = nodes
            .iter_mut()
            .map(|n| std::rc::Rc::new(std::mem::take(&mut n.replicas)))
            .collect();
        let page = html! {
            <div class="page" data-testid="app-ready" lang={self.lang.tag()}>
                <header>
                    <div>
                        <h1>{ t.title }</h1>
                        <p class="subtitle">{ t.subtitle }</p>
                    </div>
                    { crate::persist_ui::header(&self.persist, self.lang, &partitions, &self.on_persist) }
                    { self.view_embed(ctx, t) }
                    { self.view_lang_toggle(ctx, t) }
                </header>
                <main>
                    { crate::persist_ui::banner(&self.persist, self.lang) }
                    { self.view_clock(ctx, t) }
                    { self.view_timeline(ctx) }
                    { self.view_announcer(t) }
                    <div class={classes!("layout", self.past.is_some().then_some("viewing-past"))}>
                        <div class="main-col">
                            { self.view_cluster(ctx, t, &nodes, &replicas, source) }
                        </div>
                        <aside class="side-col">
                            { self.view_events(t) }
                        </aside>
                        <div class="wide-row terminal-row" inert={self.past.is_some().then_some("")}>
                            <crate::lessons::LessonPanel shell={self.live().shell.clone()} lang={self.lang}
                                on_action={ctx.link().callback(Msg::LessonAction)} />
                            <crate::terminal::Terminal shell={Some(self.live().shell.clone())}
                                lang={self.lang.tag()} drive_time={false}
                                journal={Some(self.live().journal.clone())}
                                on_change={self.on_shell_change.clone()} history_key={None::<AttrValue>}
                                read_only={self.persist.read_only().then(|| AttrValue::Static(crate::persistence::read_only_text(self.lang)))} />
                        </div>
                        <div class="wide-row">
                            { self.view_topics(ctx, t, &partitions) }
                            <div class="two">
                                { self.view_producer(ctx, t, &partitions) }
                                { self.view_metrics(t) }
                            </div>
                            { crate::groups_panel::view(&self.groups, &self.pg, self.lang, &partitions,
                                &ctx.link().callback(|(f, v)| Msg::Consumer(f, v)),
                                &ctx.link().callback(|()| Msg::StartConsumer),
                                &ctx.link().callback(Msg::StopConsumer)) }
                            { self.view_browser(ctx, t, &partitions) }
                        </div>
                    </div>
                    <details class="card lab">
                        <summary><h2>{ t.log_lab_heading }</h2></summary>
                        <LogLab lang={self.lang} />
                    </details>
                </main>
            </div>
        };
        *self.shown.borrow_mut() = Some((partitions, source, nodes));
        page
    }
}

/// Partitions, where their metadata came from, and nodes.
type Prepared = (Vec<PartitionView>, MetadataSource, Vec<NodeView>);

impl App {
    /// The views of the cluster a redraw shows.
    fn prepare(&self) -> Prepared {
        let (partitions, source) = self.pg.partitions();
        let nodes = self.pg.nodes(&partitions);
        (partitions, source, nodes)
    }

    /// A new cluster at the page's speed, from the form or a lesson's step.
    fn new_cluster(&mut self, brokers: i32, controllers: i32, seed: u64) {
        let speed = self.pg.speed_index;
        let mut pg = Playground::with_controllers(brokers, controllers, seed);
        pg.set_speed_index(speed);
        self.show_cluster(pg);
        self.input_error = None;
    }

    /// Shows `pg`, another cluster (new, restored or switched to): what the
    /// page showed of the one before goes.
    fn show_cluster(&mut self, pg: Playground) {
        self.controllers_form = pg.sim().config().controllers.len() as i32;
        self.pg = pg;
        self.past = None;
        self.browse = None;
        self.step_lines.clear();
        self.share_url = None;
        self.embed_code = None;
        self.link_notice = None;
    }

    /// The live cluster (`pg`, unless it shows a moment of the past).
    fn live(&self) -> &Playground {
        self.past.as_ref().map_or(&self.pg, |p| &p.live)
    }

    fn view_timeline(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let origin = self.pg.sim().config().origin_ms;
        let start_ms = self.pg.journal.borrow().start - origin;
        let live_ms = self.live().elapsed_ms();
        html! {
            <crate::timeline::Timeline lang={self.lang.tag()} {start_ms} {live_ms}
                past_ms={self.past.as_ref().map(|p| start_ms + p.at())}
                share_url={self.share_url.clone().map(AttrValue::from)}
                notice={self.link_notice.clone()}
                on_scrub={link.callback(Msg::Scrub)}
                on_live={link.callback(|()| Msg::BackToLive)}
                on_fork={link.callback(|()| Msg::Fork)}
                on_share={link.callback(|()| Msg::Share)}
                restored={self.live().from_storage} />
        }
    }

    /// The header's "copy embed code" button and, once clicked, the code in
    /// a read-only field (for when the clipboard was refused).
    fn view_embed(&self, ctx: &Context<Self>, t: &Play) -> Html {
        let link = ctx.link();
        html! {
            <div class="embed">
                <button type="button" data-testid="embed-button" title={t.embed_title}
                    onclick={link.callback(|_| Msg::Embed)}>{ t.embed }</button>
                if let Some(code) = &self.embed_code {
                    <div class="embed-panel" data-testid="embed-panel">
                        <label>
                            <span>{ t.embed_label }</span>
                            <textarea readonly=true rows="5" spellcheck="false" data-testid="embed-code"
                                value={code.clone()}
                                onfocus={Callback::from(|e: FocusEvent| {
                                    e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().select();
                                })} />
                        </label>
                        <p class="note">{ t.embed_note }</p>
                        if self.live().from_storage {
                            <p class="note">{ t.embed_restored }</p>
                        }
                        <button type="button" class="small" data-testid="embed-close"
                            onclick={link.callback(|_| Msg::CloseEmbed)}>{ t.embed_close }</button>
                    </div>
                }
            </div>
        }
    }

    fn view_lang_toggle(&self, ctx: &Context<Self>, t: &Play) -> Html {
        let button = |lang: Lang, label: &'static str| {
            html! {
                <button
                    type="button"
                    lang={lang.tag()}
                    class={classes!("lang", (self.lang == lang).then_some("on"))}
                    aria-pressed={(self.lang == lang).to_string()}
                    data-testid={format!("lang-{}", lang.tag())}
                    onclick={ctx.link().callback(move |_| Msg::SetLang(lang))}
                >{ label }</button>
            }
        };
        html! {
            <div class="lang-toggle" role="group" aria-label={t.language}>
                { button(Lang::Ko, "한국어") }
                { button(Lang::En, "English") }
            </div>
        }
    }

    /// Takes the browser's start from its form when the text is valid; an
    /// invalid one is reported and the previous start stays in force.
    fn apply_seek(&mut self) {
        match crate::browse::parse_seek(self.seek_kind, &self.seek_text) {
            Ok(seek) => {
                self.query.seek = seek;
                self.seek_error = None;
            }
            // An empty field is not an error yet: nothing was typed.
            Err(_) if self.seek_text.trim().is_empty() => self.seek_error = None,
            Err(e) => self.seek_error = Some(e),
        }
    }

    fn error_for(&self, form: Form, t: &Play) -> Html {
        error_view(self.input_error_of(form), t)
    }

    /// The input error of `form`, if the last input error was in it.
    fn input_error_of(&self, form: Form) -> Option<InputError> {
        self.input_error.and_then(|(f, e)| (f == form).then_some(e))
    }

    fn view_clock(&self, ctx: &Context<Self>, t: &Play) -> Html {
        let link = ctx.link();
        let running = self.pg.running;
        let secs = self.pg.elapsed_ms() as f64 / 1000.0;
        let speed_options = SPEEDS.iter().enumerate().map(|(i, s)| {
            html! { <option value={i.to_string()} selected={i == self.pg.speed_index}>{ format!("{s}×") }</option> }
        });
        let onsubmit = link.callback(|e: SubmitEvent| {
            e.prevent_default();
            Msg::NewCluster
        });
        html! {
            <section class="card clock" aria-labelledby="clock-heading">
                <h2 id="clock-heading" class="visually-hidden">{ t.clock_heading }</h2>
                <div class="clock-row">
                    <button type="button" class="primary" data-testid="play-button"
                        onclick={link.callback(|_| Msg::TogglePlay)}>
                        { if running { t.pause.to_string() } else { t.play.to_string() } }
                    </button>
                    <button type="button" data-testid="step-button" aria-label={t.step_label} title={t.step_label}
                        onclick={link.callback(|_| Msg::Step)}>{ t.step }</button>
                    <label class="inline">
                        <span>{ t.speed }</span>
                        <select data-testid="speed-select"
                            onchange={link.callback(|e: Event| Msg::SetSpeed(select_value(&e).parse().unwrap_or(3)))}>
                            { for speed_options }
                        </select>
                    </label>
                    <span class="time">
                        <span class="muted">{ format!("{} ", t.sim_time) }</span>
                        <span class="num" data-testid="sim-time">{ format!("{secs:.1} s") }</span>
                    </span>
                    <span class="muted">{ format!("{} ", t.seed) }<span class="num" data-testid="seed">{ self.pg.seed }</span></span>
                </div>
                <form class="clock-row new-cluster" novalidate=true {onsubmit}>
                    <label class="inline">
                        <span>{ t.brokers }</span>
                        <input type="number" min="1" max="9" class="short" value={self.brokers_form.clone()} data-testid="brokers-input"
                            oninput={link.callback(|e: InputEvent| Msg::SetBrokersForm(input_value(&e)))} />
                    </label>
                    <label class="inline">
                        <span>{ t.controllers }</span>
                        <select data-testid="controllers-input"
                            onchange={link.callback(|e: Event| Msg::SetControllersForm(select_value(&e).parse().unwrap_or(1)))}>
                            { for playground::CONTROLLERS.iter().map(|&n| html! {
                                <option value={n.to_string()} selected={n == self.controllers_form}>{ n }</option>
                            }) }
                        </select>
                    </label>
                    <label class="inline">
                        <span>{ t.seed }</span>
                        <input type="text" inputmode="numeric" class="seed-input" value={self.seed_form.clone()} data-testid="seed-input"
                            oninput={link.callback(|e: InputEvent| Msg::SetSeedForm(input_value(&e)))} />
                    </label>
                    <button type="submit" data-testid="new-cluster-button">{ t.new_cluster }</button>
                    <span class="note">{ t.new_cluster_note }</span>
                </form>
                { self.error_for(Form::Cluster, t) }
                if !self.step_lines.is_empty() {
                    <div class="step-lines" data-testid="step-lines">
                        <span class="muted">{ format!("{}: ", t.last_step) }</span>
                        { for self.step_lines.iter().map(|l| html! { <code>{ l.clone() }</code> }) }
                    </div>
                }
            </section>
        }
    }

    /// The newest announcement, read out by screen readers as it changes.
    fn view_announcer(&self, t: &Play) -> Html {
        let latest = self.pg.notes.back().map(|(_, n)| (t.note)(n)).unwrap_or_default();
        html! {
            <div class="announcer" role="status" aria-live="polite" aria-atomic="true" data-testid="announcer">{ latest }</div>
        }
    }

    fn view_events(&self, t: &Play) -> Html {
        html! {
            <section class="card events" aria-labelledby="events-heading">
                <h2 id="events-heading">{ t.events_heading }</h2>
                if self.pg.notes.is_empty() {
                    <p class="muted">{ t.events_none }</p>
                } else {
                    <ol class="notes" data-testid="events">
                        { for self.pg.notes.iter().rev().map(|(_, n)| html! { <li>{ (t.note)(n) }</li> }) }
                    </ol>
                }
            </section>
        }
    }

    fn view_cluster(
        &self,
        ctx: &Context<Self>,
        t: &Play,
        nodes: &[NodeView],
        replicas: &[std::rc::Rc<Vec<playground::ReplicaView>>],
        source: MetadataSource,
    ) -> Html {
        let source_note = match source {
            MetadataSource::Controller(c) => (t.metadata_from_controller)(c),
            MetadataSource::Broker(b) => (t.metadata_from_broker)(b),
            MetadataSource::None => t.metadata_none.to_string(),
        };
        let on_fault = ctx.link().callback(|(f, id)| Msg::Fault(f, id));
        html! {
            <section class="card" aria-labelledby="cluster-heading">
                <h2 id="cluster-heading">{ t.cluster_heading }</h2>
                <p class="note legend">{ t.legend }</p>
                <p class={classes!("note", (!matches!(source, MetadataSource::Controller(_))).then_some("warn"))}
                    data-testid="metadata-source">{ source_note }</p>
                <crate::flow::FlowView lang={self.lang} snapshot={self.flow_snapshot.clone()} />
                <div class="nodes" data-testid="nodes">
                    { for nodes.iter().zip(replicas).map(|(n, r)| crate::cluster_view::node_box(self.lang, n, r, Some(&on_fault))) }
                </div>
                <p class="note">{ t.faults_note }</p>
                { self.view_network(ctx, t, nodes) }
            </section>
        }
    }

    fn view_network(&self, ctx: &Context<Self>, t: &Play, nodes: &[NodeView]) -> Html {
        let link = ctx.link();
        let options = |selected: &str| {
            nodes
                .iter()
                .map(|n| {
                    let v = n.id.to_string();
                    html! { <option value={v.clone()} selected={selected == v}>{ (self.lang.nodes().node_name)(n.kind, n.id) }</option> }
                })
                .collect::<Html>()
        };
        let cuts: Vec<String> = self.pg.cuts().map(|(a, b)| format!("{a} ↔ {b}")).collect();
        let onsubmit = link.callback(|e: SubmitEvent| {
            e.prevent_default();
            Msg::Cut
        });
        html! {
            <div class="network">
                <h3>{ t.network_heading }</h3>
                <form class="clock-row" novalidate=true {onsubmit}>
                    <span>{ t.cut_between }</span>
                    <select aria-label={format!("{} (1)", t.cut_between)} data-testid="cut-a"
                        onchange={link.callback(|e: Event| Msg::SetCutA(select_value(&e)))}>
                        <option value="" selected={self.cut_a.is_empty()}>{ "–" }</option>
                        { options(&self.cut_a) }
                    </select>
                    <span>{ t.and }</span>
                    <select aria-label={format!("{} (2)", t.cut_between)} data-testid="cut-b"
                        onchange={link.callback(|e: Event| Msg::SetCutB(select_value(&e)))}>
                        <option value="" selected={self.cut_b.is_empty()}>{ "–" }</option>
                        { options(&self.cut_b) }
                    </select>
                    <button type="submit" data-testid="cut-button">{ t.cut }</button>
                    <button type="button" data-testid="heal-button" onclick={link.callback(|_| Msg::Heal)}>{ t.heal }</button>
                </form>
                <p class="note" data-testid="cuts">
                    if cuts.is_empty() { { t.cuts_none } } else { { format!("{} {}", t.cuts_now, cuts.join(", ")) } }
                </p>
            </div>
        }
    }

    fn view_topics(&self, ctx: &Context<Self>, t: &Play, partitions: &[PartitionView]) -> Html {
        let model = TopicsModel {
            lang: self.lang,
            form: self.topic_form.clone(),
            error: self.input_error_of(Form::Topic),
            pending: self.pg.topic_pending(),
            rows: self.pg.topics(partitions),
            table: crate::cluster_view::table_rows(partitions),
        };
        self.topics_memo.view(model, |m| Self::view_topics_of(ctx, t, m))
    }

    fn view_topics_of(ctx: &Context<Self>, t: &Play, m: &TopicsModel) -> Html {
        let link = ctx.link();
        let f = &m.form;
        let onsubmit = link.callback(|e: SubmitEvent| {
            e.prevent_default();
            Msg::CreateTopic
        });
        let rows = &m.rows;
        let list = |v: &[NodeId]| v.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(",");
        html! {
            <section class="card" aria-labelledby="topics-heading">
                <h2 id="topics-heading">{ t.topics_heading }</h2>
                <form class="grid-form" novalidate=true {onsubmit}>
                    <label class="field"><span>{ t.topic_name }</span>
                        <input type="text" value={f.name.clone()} data-testid="topic-name-input" autocomplete="off"
                            oninput={link.callback(|e: InputEvent| Msg::TopicName(input_value(&e)))} /></label>
                    <label class="field"><span>{ t.partitions }</span>
                        <input type="text" inputmode="numeric" class="short" value={f.partitions.clone()} data-testid="topic-partitions-input"
                            oninput={link.callback(|e: InputEvent| Msg::TopicPartitions(input_value(&e)))} /></label>
                    <label class="field"><span>{ t.replication_factor }</span>
                        <input type="text" inputmode="numeric" class="short" value={f.replication_factor.clone()} data-testid="topic-rf-input"
                            oninput={link.callback(|e: InputEvent| Msg::TopicRf(input_value(&e)))} /></label>
                    <button type="submit" class="primary" data-testid="create-topic-button">{ t.create_topic }</button>
                </form>
                { error_view(m.error, t) }
                if m.pending { <p class="note" data-testid="topic-pending">{ t.create_pending }</p> }
                if rows.is_empty() {
                    <p class="muted">{ t.topics_none }</p>
                } else {
                    <div class="scroll">
                        <table data-testid="topics-table">
                            <thead><tr>
                                <th>{ t.topic_name }</th><th class="r">{ t.partitions }</th><th class="r">{ "RF" }</th>
                                <th class="r">{ t.under_replicated }</th><th class="r">{ t.offline }</th><th>{ t.topic_id }</th>
                            </tr></thead>
                            <tbody>
                                { for rows.iter().map(|r| html! {
                                    <tr data-testid="topic-row" data-topic={r.name.clone()}>
                                        <td><code>{ r.name.clone() }</code></td>
                                        <td class="num" data-testid="topic-partitions">{ r.partitions }</td>
                                        <td class="num" data-testid="topic-rf">{ r.replication_factor }</td>
                                        <td class={classes!("num", (r.under_replicated > 0).then_some("bad"))} data-testid="topic-under-replicated">{ r.under_replicated }</td>
                                        <td class={classes!("num", (r.offline > 0).then_some("bad"))} data-testid="topic-offline">{ r.offline }</td>
                                        <td><code class="small">{ r.topic_id.clone() }</code></td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                        <table class="describe" data-testid="partitions-table">
                            <thead><tr>
                                <th>{ t.partition }</th><th class="r">{ t.leader }</th><th class="r">{ t.leader_epoch }</th>
                                <th>{ t.replicas }</th><th>{ t.isr }</th><th class="r">{ t.high_watermark }</th>
                            </tr></thead>
                            <tbody>
                                { for m.table.iter().map(|row| match row {
                                    crate::cluster_view::TableRow::More { topic, hidden } => crate::cluster_view::view_more_row(m.lang, topic, *hidden, 6),
                                    crate::cluster_view::TableRow::Partition { tp, leader, leader_epoch, replicas, isr, high_watermark } => html! {
                                    <tr data-testid="partition-row" data-tp={tp.to_string()}>
                                        <td><code>{ tp.to_string() }</code></td>
                                        <td class={classes!("num", (*leader == NO_NODE).then_some("bad"))} data-testid="partition-leader">
                                            { if *leader == NO_NODE { t.none.to_string() } else { leader.to_string() } }
                                        </td>
                                        <td class="num">{ leader_epoch }</td>
                                        <td class="num">{ list(replicas) }</td>
                                        <td class="num" data-testid="partition-isr">{ list(isr) }</td>
                                        <td class="num">{ high_watermark.map_or("–".to_string(), |h| h.to_string()) }</td>
                                    </tr>
                                }}) }
                            </tbody>
                        </table>
                    </div>
                }
            </section>
        }
    }

    fn view_producer(&self, ctx: &Context<Self>, t: &Play, partitions: &[PartitionView]) -> Html {
        let link = ctx.link();
        let f = &self.producer_form;
        let mut topics: Vec<&str> = partitions.iter().map(|p| p.tp.topic.as_str()).collect();
        topics.dedup();
        let field = |field: ProducerField| link.callback(move |e: InputEvent| Msg::Producer(field, input_value(&e)));
        let onsubmit = link.callback(|e: SubmitEvent| {
            e.prevent_default();
            Msg::StartProducer
        });
        let run = self.pg.producer.as_ref();
        let running = run.is_some_and(|p| p.running);
        html! {
            <section class="card" aria-labelledby="producer-heading">
                <h2 id="producer-heading">{ t.producer_heading }</h2>
                <form class="grid-form" novalidate=true {onsubmit}>
                    <label class="field"><span>{ t.topic }</span>
                        <select data-testid="producer-topic"
                            onchange={link.callback(|e: Event| Msg::Producer(ProducerField::Topic, select_value(&e)))}>
                            <option value="" selected={!topics.contains(&f.topic.as_str())}>{ "–" }</option>
                            { for topics.iter().map(|name| html! {
                                <option value={name.to_string()} selected={f.topic == *name}>{ name.to_string() }</option>
                            }) }
                        </select></label>
                    <label class="field"><span>{ t.rate }</span>
                        <input type="number" min="1" max="200" class="short" value={f.rate.clone()} data-testid="producer-rate"
                            oninput={field(ProducerField::Rate)} /></label>
                    <label class="field"><span>{ t.keys }</span>
                        <input type="number" min="0" max="1000" class="short" value={f.keys.clone()} data-testid="producer-keys"
                            oninput={field(ProducerField::Keys)} /></label>
                    <p class="note">{ t.keys_note }</p>
                    <label class="field"><span><code>{ t.acks }</code></span>
                        <select data-testid="producer-acks"
                            onchange={link.callback(|e: Event| Msg::Producer(ProducerField::Acks, select_value(&e)))}>
                            { for ["all", "1", "0"].iter().map(|a| html! { <option value={*a} selected={f.acks == *a}>{ *a }</option> }) }
                        </select></label>
                    <label class="field"><span><code>{ "enable.idempotence" }</code></span>
                        <select data-testid="producer-idempotence"
                            onchange={link.callback(|e: Event| Msg::Producer(ProducerField::Idempotence, select_value(&e)))}>
                            { for [("default", t.idempotence_default), ("true", "true"), ("false", "false")].iter().map(|(v, label)| html! {
                                <option value={*v} selected={f.idempotence == *v}>{ *label }</option>
                            }) }
                        </select></label>
                    <label class="field"><span>{ t.value }</span>
                        <input type="text" value={f.value.clone()} data-testid="producer-value" oninput={field(ProducerField::Value)} /></label>
                    <p class="note">{ t.value_note }</p>
                    <div class="buttons">
                        <button type="submit" class="primary" data-testid="producer-start">{ t.start }</button>
                        <button type="button" data-testid="producer-stop" disabled={!running}
                            onclick={link.callback(|_| Msg::StopProducer)}>{ t.stop }</button>
                    </div>
                </form>
                { self.error_for(Form::Producer, t) }
                <p data-testid="producer-state">{ if running { t.producer_running } else { t.producer_idle } }</p>
                if let Some(p) = run {
                    <p class="num" data-testid="producer-stats">{ (t.producer_stats)(p.sent, p.acked, p.failed) }</p>
                    if let Some(e) = &p.last_error {
                        <p class="notice error" data-testid="producer-error"><strong>{ format!("{}: ", t.last_error) }</strong>{ e.clone() }</p>
                    }
                }
            </section>
        }
    }

    /// `topic-partition` of each of `partitions`, shared while they stay the same.
    fn partition_names(&self, partitions: &[PartitionView]) -> std::rc::Rc<Vec<String>> {
        let mut cache = self.partition_names.borrow_mut();
        if !cache.0.iter().eq(partitions.iter().map(|p| &p.tp)) {
            cache.0 = partitions.iter().map(|p| p.tp.clone()).collect();
            cache.1 = std::rc::Rc::new(partitions.iter().map(|p| p.tp.to_string()).collect());
        }
        cache.1.clone()
    }

    fn view_browser(&self, ctx: &Context<Self>, t: &Play, partitions: &[PartitionView]) -> Html {
        let selected = self.browse.clone().or_else(|| partitions.first().map(|p| p.tp.clone()));
        let model = BrowserModel {
            lang: self.lang,
            shown: selected.map(|tp| {
                let records = self.pg.records_for(&tp, &self.query);
                (tp, records)
            }),
            names: self.partition_names(partitions),
            no_partitions: partitions.is_empty(),
            format: self.format,
            query: self.query.clone(),
            seek_kind: self.seek_kind,
            seek_text: self.seek_text.clone(),
            seek_error: self.seek_error,
        };
        self.browser_memo.view(model, |m| Self::view_browser_of(ctx, t, m))
    }

    fn view_browser_of(ctx: &Context<Self>, t: &Play, m: &BrowserModel) -> Html {
        let link = ctx.link();
        let formats = [ValueFormat::Text, ValueFormat::Json, ValueFormat::Hex];
        let bt = crate::browse::text(m.lang);
        let latest = m.query.seek == crate::browse::Seek::Latest;
        // The latest records newest first; from a start, in offset order.
        fn ordered(
            rows: &[playground::RecordRow],
            latest: bool,
        ) -> Box<dyn Iterator<Item = &playground::RecordRow> + '_> {
            if latest {
                Box::new(rows.iter().rev())
            } else {
                Box::new(rows.iter())
            }
        }
        let body = match &m.shown {
            None => html! { <p class="muted">{ t.topics_none }</p> },
            Some((_, records)) => match records {
                None => {
                    html! { <p class="notice error" data-testid="browser-unavailable">{ t.browser_unavailable }</p> }
                }
                Some(recs) => {
                    let null = || html! { <span class="null">{ t.null }</span> };
                    let show = |b: &Option<Vec<u8>>, format: ValueFormat| match b {
                        None => null(),
                        Some(bytes) => match format_bytes(bytes, format) {
                            Ok(s) => html! { <pre class="val">{ s }</pre> },
                            Err(s) => {
                                html! { <><span class="tag">{ t.not_json }</span><pre class="val">{ s }</pre></> }
                            }
                        },
                    };
                    // Keys and header values are text or hex; only values are pretty-printed.
                    let key_format = if m.format == ValueFormat::Hex {
                        ValueFormat::Hex
                    } else {
                        ValueFormat::Text
                    };
                    html! {
                        <>
                            <p class="note" data-testid="browser-offsets">
                                { (t.browser_offsets)(recs.leader, recs.log_start_offset, recs.high_watermark, recs.log_end_offset) }
                            </p>
                            if let Some(e) = &recs.decode_error { <p class="notice error">{ e.clone() }</p> }
                            <p class="note" data-testid="browser-showing">
                                { (bt.showing)(m.query.seek, recs.start, recs.records.len(), recs.searched) }
                            </p>
                            if recs.records.is_empty() && recs.searched.is_some() {
                                <p class="muted" data-testid="browser-no-match">{ bt.no_match }</p>
                            } else if recs.records.is_empty() {
                                <p class="muted" data-testid="browser-empty">{ t.browser_empty }</p>
                            } else {
                                <div class="scroll">
                                    <table class="records" data-testid="records-table">
                                        <thead><tr>
                                            <th class="r">{ t.offset }</th><th>{ t.timestamp }</th><th>{ t.key }</th>
                                            <th>{ t.value }</th><th>{ t.headers }</th>
                                        </tr></thead>
                                        <tbody>
                                            { for ordered(&recs.records, latest).map(|r| html! {
                                                <tr data-testid="record-row">
                                                    <td class="num" data-testid="record-offset">{ r.offset }</td>
                                                    <td class="small"><span class="num">{ model::iso_time(r.timestamp) }</span></td>
                                                    <td data-testid="record-key">{ show(&r.key, key_format) }</td>
                                                    <td data-testid="record-value">{ show(&r.value, m.format) }</td>
                                                    <td data-testid="record-headers">
                                                        { for r.headers.iter().map(|(k, v)| html! {
                                                            <div><code>{ k.clone() }</code>{ " = " }{ show(v, key_format) }</div>
                                                        }) }
                                                    </td>
                                                </tr>
                                            }) }
                                        </tbody>
                                    </table>
                                </div>
                            }
                        </>
                    }
                }
            },
        };
        let selected_text = m.shown.as_ref().map(|(tp, _)| tp.to_string()).unwrap_or_default();
        html! {
            <section class="card" aria-labelledby="browser-heading">
                <h2 id="browser-heading">{ t.browser_heading }</h2>
                <div class="clock-row" hidden={m.no_partitions}>
                    <label class="inline"><span>{ t.browser_pick }</span>
                        <select data-testid="browser-partition" onchange={link.callback(|e: Event| Msg::Browse(select_value(&e)))}>
                            <crate::cluster_view::Options selected={selected_text.clone()}
                                values={m.names.clone()} />
                        </select>
                    </label>
                    <fieldset class="formats">
                        <legend>{ t.format }</legend>
                        { for formats.iter().map(|f| {
                            let f = *f;
                            html! {
                                <label class="radio">
                                    <input type="radio" name="value-format" checked={m.format == f}
                                        data-testid={format!("format-{}", match f { ValueFormat::Text => "text", ValueFormat::Json => "json", ValueFormat::Hex => "hex" })}
                                        onchange={link.callback(move |_| Msg::SetFormat(f))} />
                                    { (t.format_name)(f) }
                                </label>
                            }
                        }) }
                    </fieldset>
                </div>
                <div class="clock-row browse-query" hidden={m.no_partitions}>
                    <label class="inline"><span>{ bt.start_at }</span>
                        <select data-testid="browser-seek-kind"
                            onchange={link.callback(|e: Event| Msg::SeekKind(select_value(&e)))}>
                            { for [
                                (crate::browse::SeekKind::Latest, bt.latest),
                                (crate::browse::SeekKind::Offset, bt.offset),
                                (crate::browse::SeekKind::Time, bt.time),
                            ].into_iter().map(|(k, label)| html! {
                                <option value={k.word()} selected={m.seek_kind == k}>{ label }</option>
                            }) }
                        </select>
                    </label>
                    if m.seek_kind != crate::browse::SeekKind::Latest {
                        <input type="text" class="seek" data-testid="browser-seek-text" value={m.seek_text.clone()}
                            aria-label={bt.start_at}
                            aria-invalid={if m.seek_error.is_some() { "true" } else { "false" }}
                            placeholder={if m.seek_kind == crate::browse::SeekKind::Offset { bt.start_placeholder_offset } else { bt.start_placeholder_time }}
                            oninput={link.callback(|e: InputEvent| Msg::SeekText(input_value(&e)))} />
                    }
                    <label class="inline"><span>{ bt.search }</span>
                        <input type="search" data-testid="browser-search" value={m.query.search.clone()}
                            placeholder={bt.search_placeholder}
                            oninput={link.callback(|e: InputEvent| Msg::Search(input_value(&e)))} />
                    </label>
                </div>
                if let Some(e) = m.seek_error {
                    <p class="notice error" role="alert" data-testid="browser-seek-error">
                        { match e { crate::browse::SeekError::BadOffset => bt.bad_offset, crate::browse::SeekError::BadTime => bt.bad_time } }
                    </p>
                }
                <p class="note">{ t.browser_note }</p>
                { body }
            </section>
        }
    }

    fn view_metrics(&self, t: &Play) -> Html {
        let samples: Vec<Sample> = self.pg.samples.iter().copied().collect();
        let series = |f: fn(&Sample) -> f64| samples.iter().map(f).collect::<Vec<f64>>();
        html! {
            <section class="card" aria-labelledby="metrics-heading">
                <h2 id="metrics-heading">{ t.metrics_heading }</h2>
                <div class="charts">
                    { chart(t, t.chart_acked, &series(|s| s.acked_per_s), "acked") }
                    { chart(t, t.chart_bytes_in, &series(|s| s.bytes_in_per_s), "bytes-in") }
                    { chart(t, t.chart_under_replicated, &series(|s| f64::from(s.under_replicated)), "under-replicated") }
                    { chart(t, t.chart_offline, &series(|s| f64::from(s.offline)), "offline") }
                    { chart(t, crate::groups_panel::text(self.lang).chart_lag, &series(|s| s.consumer_lag.unwrap_or(0) as f64), "consumer-lag") }
                </div>
                <p class="note">{ t.metrics_note }</p>
            </section>
        }
    }
}

/// A small line chart of the last [`playground::SAMPLES_MAX`] samples, as SVG.
fn chart(t: &Play, title: &str, values: &[f64], testid: &str) -> Html {
    const W: f64 = 240.0;
    const H: f64 = 60.0;
    let max = values.iter().copied().fold(0.0_f64, f64::max);
    let scale = if max > 0.0 { max } else { 1.0 };
    let n = playground::SAMPLES_MAX as f64;
    let offset = n - values.len() as f64;
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let x = (offset + i as f64) / (n - 1.0) * W;
            let y = H - v / scale * (H - 4.0) - 2.0;
            format!("{x:.1},{y:.1}")
        })
        .collect();
    let fmt = |v: f64| {
        if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}")
        }
    };
    let now = values.last().copied().unwrap_or(0.0);
    let label = (t.chart_label)(title, &fmt(now), &fmt(max));
    html! {
        <figure class="chart" data-testid={format!("chart-{testid}")} data-now={fmt(now)}>
            <figcaption>
                <span>{ title }</span>
                <span class="num now">{ fmt(now) }</span>
            </figcaption>
            <svg viewBox={format!("0 0 {W} {H}")} preserveAspectRatio="none" role="img" aria-label={label}>
                <line x1="0" y1={(H - 2.0).to_string()} x2={W.to_string()} y2={(H - 2.0).to_string()} class="axis" />
                if points.len() > 1 {
                    <polyline points={points.join(" ")} class="line" />
                }
            </svg>
            <div class="chart-scale num muted">{ format!("{} {}", t.chart_max, fmt(max)) }</div>
        </figure>
    }
}

/// A form's input error, if it has one.
fn error_view(error: Option<InputError>, t: &Play) -> Html {
    match error {
        Some(e) => html! {
            <p class="notice error" role="alert" data-testid="input-error">{ (t.input_error)(e) }</p>
        },
        None => html! {},
    }
}

/// What the topics card shows (its [`Memo`]'s model).
#[derive(PartialEq)]
struct TopicsModel {
    lang: Lang,
    form: TopicForm,
    error: Option<InputError>,
    pending: bool,
    rows: Vec<playground::TopicRow>,
    table: Vec<crate::cluster_view::TableRow>,
}

/// What the message browser shows (its [`Memo`]'s model).
#[derive(PartialEq)]
struct BrowserModel {
    lang: Lang,
    /// The partition shown, and what it holds (`None`: no leader has its log).
    shown: Option<(TopicPartition, Option<playground::PartitionRecords>)>,
    /// Every partition's name, for the picker.
    names: std::rc::Rc<Vec<String>>,
    no_partitions: bool,
    format: ValueFormat,
    query: crate::browse::Query,
    seek_kind: crate::browse::SeekKind,
    seek_text: String,
    seek_error: Option<crate::browse::SeekError>,
}
