//! The playground's model: a simulated cluster (`kafkaplay-cluster`) driven by
//! a clock the page gives it, the faults a learner applies from the nodes, the
//! topics, one producer, and plain-data views of everything for the UI.
//!
//! No browser API is used here: the page passes in how much real time passed,
//! so the whole model is tested natively. Everything a view shows is read from
//! the simulation (the active controller's committed metadata, each broker's
//! replicas and logs, the simulator's counters); the model only remembers what
//! the learner did (which network cuts were applied, the producer's settings).

use kafkaplay_flatmap::{FlatMap, FlatSet};
use std::cell::{Ref, RefCell, RefMut};
use std::collections::VecDeque;
use std::rc::Rc;

use kafkaplay_cluster::config::ProducerConfig;
use kafkaplay_cluster::metadata::MetadataImage;
use kafkaplay_cluster::producer::ProducerRecord;
use kafkaplay_cluster::protocol::{AdminRequest, AdminResponse};
use kafkaplay_cluster::snapshot;
use kafkaplay_cluster::{Fault, LinkRule, Ms, NodeId, Simulation, TopicPartition, NO_NODE};
use kafkaplay_shell::{Flavour, Shell, World};

use crate::browse;

/// Speeds the speed control offers (simulated time per real time).
pub const SPEEDS: &[f64] = &[0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0];
/// Real time longer than this between two ticks (a background tab, a slow
/// frame) counts as this much, so the simulation never jumps far at once.
pub const TICK_REAL_MS_MAX: f64 = 250.0;
/// Metrics are sampled every this many simulated ms, and this many are kept.
pub const SAMPLE_INTERVAL_MS: Ms = 1_000;
pub const SAMPLES_MAX: usize = 120;
/// Bounds of the producer form.
pub const RATE_MAX: u32 = 200;
pub const KEYS_MAX: u32 = 1_000;
/// The message browser shows at most this many of a partition's latest records.
pub const BROWSER_RECORDS_MAX: usize = 50;
/// How many announcements are kept.
pub const NOTES_MAX: usize = 8;
/// The step button handles at most this many events.
pub const STEP_EVENTS_MAX: usize = 10_000;
/// Bounds of the new-cluster form.
pub const BROKERS_MAX: i32 = 9;
/// The controller quorum sizes a playground may have.
pub const CONTROLLERS: [i32; 2] = [1, 3];
/// A budgeted tick owes the next ones at most this much real time's worth of
/// simulated time; beyond it the simulation runs slower than real time.
pub const OWED_REAL_MS_MAX: f64 = 250.0;
/// The terminal's running job is polled every this many simulated ms.
pub const JOB_POLL_MS: Ms = kafkaplay_shell::shell::TICK_MS;

/// A node's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Controller,
    Broker,
}

/// Whether a node's process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeState {
    Running,
    /// Stop-the-world pause: up, but handles nothing.
    Paused,
    Stopped,
}

/// A replica's role as the learner sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaRole {
    Leader,
    /// In the ISR.
    InSyncFollower,
    /// Not in the ISR (lagging or just restarted).
    OutOfSyncFollower,
    /// Its broker is stopped or fenced.
    Offline,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaView {
    pub tp: TopicPartition,
    pub role: ReplicaRole,
    /// This replica's log end offset, if its broker holds the log now.
    pub log_end_offset: Option<i64>,
    /// The partition's high watermark (as its leader has it).
    pub high_watermark: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodeView {
    pub id: NodeId,
    pub kind: NodeKind,
    pub state: NodeState,
    /// A broker the metadata shows fenced (not alive for the controller).
    pub fenced: bool,
    /// The active controller.
    pub active: bool,
    /// A controller's Raft role (`leader`, `follower`, `candidate`, ...).
    pub raft_role: Option<&'static str>,
    /// Some network cut touches this node.
    pub cut: bool,
    /// A slow broker ([`FaultKind::Slow`]).
    pub slow: bool,
    pub replicas: Vec<ReplicaView>,
}

/// One partition as the metadata has it, with each replica's state.
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionView {
    pub tp: TopicPartition,
    pub leader: NodeId,
    pub leader_epoch: i32,
    pub replicas: Vec<NodeId>,
    pub isr: Vec<NodeId>,
    pub high_watermark: Option<i64>,
    /// (broker, role, LEO)
    pub replica_states: Vec<(NodeId, ReplicaRole, Option<i64>)>,
}

impl PartitionView {
    pub fn is_offline(&self) -> bool {
        self.leader == NO_NODE
    }
    pub fn is_under_replicated(&self) -> bool {
        !self.is_offline() && self.isr.len() < self.replicas.len()
    }
}

/// Where the partition list came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataSource {
    /// The active controller's committed metadata.
    Controller(NodeId),
    /// No controller is active: the metadata as this broker last applied it.
    Broker(NodeId),
    None,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TopicRow {
    pub name: String,
    pub topic_id: String,
    pub partitions: usize,
    pub replication_factor: usize,
    pub under_replicated: usize,
    pub offline: usize,
}

/// A metrics sample.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Sample {
    pub time: Ms,
    /// Record bytes brokers took in from producers in the last interval, per second.
    pub bytes_in_per_s: f64,
    /// Records the producer had acknowledged in the last interval, per second.
    pub acked_per_s: f64,
    pub under_replicated: u32,
    pub offline: u32,
    /// The total lag of every consumer group (`None`: no group).
    pub consumer_lag: Option<i64>,
}

/// Something the page announces (aria-live) and lists; the UI words it.
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    Fault {
        fault: FaultKind,
        node: NodeId,
    },
    Cut {
        a: NodeId,
        b: NodeId,
    },
    Healed,
    /// `to` is -1 when the partition went offline.
    LeaderChanged {
        tp: TopicPartition,
        from: NodeId,
        to: NodeId,
    },
    ControllerChanged {
        to: Option<NodeId>,
    },
    TopicCreated {
        name: String,
    },
    /// Kafka's exception class and message.
    TopicFailed {
        name: String,
        error: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    Kill,
    Shutdown,
    Restart,
    Pause,
    Resume,
    Isolate,
    /// A slow follower: the broker's requests to the other brokers (its
    /// replica fetches) take [`Playground::slow_delay_ms`] longer, more than
    /// `replica.lag.time.max.ms`, so while records are written it falls
    /// behind and drops out of the ISR (an idle follower is caught up whenever
    /// its fetch arrives, as in Kafka); its heartbeats to the controller and
    /// its answers to clients are not delayed.
    Slow,
    /// Undoes [`FaultKind::Slow`].
    Unslow,
}

impl FaultKind {
    pub const ALL: [FaultKind; 8] = [
        FaultKind::Kill,
        FaultKind::Shutdown,
        FaultKind::Restart,
        FaultKind::Pause,
        FaultKind::Resume,
        FaultKind::Isolate,
        FaultKind::Slow,
        FaultKind::Unslow,
    ];

    /// The fault's word: in the journal's text, and the button's CSS class.
    pub fn word(self) -> &'static str {
        match self {
            FaultKind::Kill => "kill",
            FaultKind::Shutdown => "stop",
            FaultKind::Restart => "restart",
            FaultKind::Pause => "pause",
            FaultKind::Resume => "resume",
            FaultKind::Isolate => "isolate",
            FaultKind::Slow => "slow",
            FaultKind::Unslow => "unslow",
        }
    }

    /// The fault a word names (the inverse of [`FaultKind::word`]).
    pub fn from_word(word: &str) -> Option<FaultKind> {
        FaultKind::ALL.into_iter().find(|k| k.word() == word)
    }
}

/// The producer form, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct ProducerForm {
    pub topic: String,
    /// Records per simulated second.
    pub rate: String,
    /// Distinct keys (`key-0`, `key-1`, ...); 0 means null keys.
    pub keys: String,
    /// `0`, `1` or `all`.
    pub acks: String,
    /// The value; `{n}` becomes the record's sequence number.
    pub value: String,
    /// `enable.idempotence`: `default` (not set: on, unless acks is not all,
    /// as Kafka 3.2+ does), `true` or `false`.
    pub idempotence: String,
}

impl Default for ProducerForm {
    fn default() -> Self {
        ProducerForm {
            topic: String::new(),
            rate: "5".into(),
            keys: "0".into(),
            acks: "all".into(),
            value: r#"{"order": {n}, "item": "coffee"}"#.into(),
            idempotence: "default".into(),
        }
    }
}

/// The topic form, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicForm {
    pub name: String,
    pub partitions: String,
    pub replication_factor: String,
}

impl Default for TopicForm {
    fn default() -> Self {
        TopicForm {
            name: "orders".into(),
            partitions: "3".into(),
            replication_factor: "2".into(),
        }
    }
}

/// Why a form could not be used (the UI words it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputError {
    Partitions,
    ReplicationFactor,
    Rate,
    Keys,
    Acks,
    /// `enable.idempotence=true` with acks other than all (Kafka's
    /// `ConfigException`).
    Idempotence,
    NoTopic,
    Brokers,
    Seed,
}

/// Parsed producer settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ProducerSettings {
    pub topic: String,
    pub rate: u32,
    pub keys: u32,
    pub acks: i16,
    pub value: String,
    /// Whether the producer is idempotent (`enable.idempotence` resolved).
    pub idempotence: bool,
}

impl ProducerForm {
    pub fn parse(&self) -> Result<ProducerSettings, InputError> {
        let topic = self.topic.trim();
        if topic.is_empty() {
            return Err(InputError::NoTopic);
        }
        let rate: u32 = self.rate.trim().parse().map_err(|_| InputError::Rate)?;
        if !(1..=RATE_MAX).contains(&rate) {
            return Err(InputError::Rate);
        }
        let keys: u32 = self.keys.trim().parse().map_err(|_| InputError::Keys)?;
        if keys > KEYS_MAX {
            return Err(InputError::Keys);
        }
        let acks = match self.acks.trim() {
            "0" => 0,
            "1" => 1,
            "all" | "-1" => -1,
            _ => return Err(InputError::Acks),
        };
        // ProducerConfig.postProcessAndValidateIdempotenceConfigs: an explicit
        // true needs acks=all; left unset, idempotence is off for acks 0 and 1.
        let idempotence = match self.idempotence.trim() {
            "" | "default" => acks == -1,
            "true" if acks != -1 => return Err(InputError::Idempotence),
            "true" => true,
            "false" => false,
            _ => return Err(InputError::Idempotence),
        };
        Ok(ProducerSettings {
            topic: topic.to_string(),
            rate,
            keys,
            acks,
            value: self.value.clone(),
            idempotence,
        })
    }
}

/// The producer the learner started.
#[derive(Debug, Clone, PartialEq)]
pub struct ProducerRun {
    pub id: NodeId,
    pub settings: ProducerSettings,
    pub running: bool,
    pub sent: u64,
    pub acked: u64,
    pub failed: u64,
    /// The last failed send's error, as the Java client shows it.
    pub last_error: Option<String>,
    /// When the next record is due (simulated ms, fractional).
    next_at: f64,
}

/// One record of the message browser.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordRow {
    pub offset: i64,
    pub timestamp: i64,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

/// What the message browser shows of one partition.
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionRecords {
    /// The broker the records were read from (the leader).
    pub leader: NodeId,
    pub log_start_offset: i64,
    pub high_watermark: i64,
    pub log_end_offset: i64,
    /// Where the query started reading (after clamping to the log).
    pub start: i64,
    /// With a search: what it went through.
    pub searched: Option<browse::Searched>,
    /// The records the query found below the HW (what a consumer can read),
    /// oldest first.
    pub records: Vec<RecordRow>,
    /// A batch could not be decoded (never expected; shown if it happens).
    pub decode_error: Option<String>,
}

/// How long [`Playground::new`] lets the cluster start, in simulated ms (what
/// `docker compose up` and a few seconds give).
pub const STARTUP_MS_MAX: Ms = 60_000;

pub struct Playground {
    /// Restarted from IndexedDB (`restored`) without the journal that led
    /// to it (a playground saved before the page kept its journal): a replay
    /// from the seed cannot reach this cluster (its brokers recovered what
    /// they had flushed), so the timeline and share links are off for it.
    /// With the journal, `persistence::restored_playground` notes the reload
    /// in it and a replay goes through it.
    pub from_storage: bool,
    /// The one cluster of the page: the terminal's shell owns the `World`,
    /// which owns the `Simulation` the cluster view shows. Borrowed only
    /// inside a method, never across a callback.
    pub shell: Rc<RefCell<Shell>>,
    pub seed: u64,
    pub running: bool,
    /// Index into [`SPEEDS`].
    pub speed_index: usize,
    carry_ms: f64,
    /// Network cuts the learner applied, until healed.
    cuts: FlatSet<(NodeId, NodeId)>,
    /// Brokers made slow ([`FaultKind::Slow`]) and not healed since.
    slowed: FlatSet<NodeId>,
    pub producer: Option<ProducerRun>,
    outcome_cursor: usize,
    pub samples: VecDeque<Sample>,
    /// Whether [`Playground::samples`] and [`Playground::lag_history`] are
    /// kept (the page's metrics and lag charts). The docs widget shows
    /// neither: it turns this off, and its split's start-up module holds no
    /// code for them.
    pub sampling: bool,
    next_sample_at: Ms,
    last_bytes_in: u64,
    acked_since_sample: u64,
    leaders: FlatMap<TopicPartition, NodeId>,
    /// The (controller, metadata offset) `leaders` was read at.
    leaders_seen: Option<(Option<NodeId>, i64)>,
    controller: Option<NodeId>,
    pending_topics: Vec<(u64, String)>,
    pub notes: VecDeque<(u64, Note)>,
    next_note: u64,
    /// What the learner did, with when (`crate::journal`): the page's own
    /// inputs are recorded here, the terminal's by the terminal.
    pub journal: crate::journal::SharedJournal,
    /// Consumers started from the page (`crate::groups_panel`).
    pub consumers: Vec<crate::groups_panel::ConsumerRun>,
    /// Each group's lag at each metrics sample (`crate::groups_panel`).
    pub lag_history: crate::groups_panel::LagHistory,
}

impl Playground {
    /// A cluster of `brokers` brokers (1, 2, ...) and one controller (1000),
    /// started (a controller active, every broker unfenced; at most
    /// [`STARTUP_MS_MAX`]), with a shell on the learner's machine over it.
    pub fn new(brokers: i32, seed: u64) -> Self {
        Playground::with_controllers(brokers, 1, seed)
    }

    /// As [`Playground::new`], with `controllers` KRaft controller voters
    /// (one of [`CONTROLLERS`]; 1000, 1001, ...).
    pub fn with_controllers(brokers: i32, controllers: i32, seed: u64) -> Self {
        let brokers = brokers.clamp(1, BROKERS_MAX);
        let controllers = if CONTROLLERS.contains(&controllers) {
            controllers
        } else {
            1
        };
        let mut world = World::with_controllers(brokers, controllers, seed, Flavour::Confluent);
        // If it does not start, the boxes and `docker ps` show it.
        world.run_until_started(STARTUP_MS_MAX);
        Playground::with_world(world, seed)
    }

    /// The page over a cluster restarted from storage (`Simulation::restore`):
    /// the same shell set-up (containers, listeners) for its brokers. The
    /// clock goes on from where the stored cluster stopped; the restart is
    /// let run (a controller active, every broker registered again; at most
    /// [`STARTUP_MS_MAX`]) before the page shows it, as for a new cluster.
    pub fn restored(sim: Simulation) -> Self {
        let brokers = (sim.config().brokers.len() as i32).max(1);
        let seed = sim.seed();
        let mut world = World::new(brokers, seed, Flavour::Confluent);
        world.sim = sim;
        // The controller's metadata log is on its disk, so it knows the
        // brokers at once; a restarted broker answers clients only once its
        // own metadata has caught up with it (as a Kafka broker opens its
        // listeners when it has caught up).
        world.sim.run_until_condition(STARTUP_MS_MAX, |s| {
            let Some(controller) = s.metadata() else { return false };
            let unfenced = controller.unfenced_brokers();
            s.config()
                .brokers
                .iter()
                .all(|b| unfenced.contains(b) && s.broker(*b).is_some_and(|x| x.image().offset >= controller.offset))
        });
        let mut pg = Playground::with_world(world, seed);
        pg.from_storage = true;
        pg
    }

    fn with_world(world: World, seed: u64) -> Self {
        let now = world.sim.now();
        let controller = world.sim.active_controller();
        let brokers = (world.sim.config().brokers.len() as i32).max(1);
        let mut journal = crate::journal::Journal::new(seed, brokers, now);
        journal.controllers = world.sim.config().controllers.len() as i32;
        Playground {
            shell: Rc::new(RefCell::new(Shell::new(world))),
            seed,
            running: true,
            speed_index: SPEEDS.iter().position(|s| *s == 1.0).unwrap_or(0),
            carry_ms: 0.0,
            cuts: FlatSet::new(),
            slowed: FlatSet::new(),
            producer: None,
            outcome_cursor: 0,
            samples: VecDeque::new(),
            sampling: true,
            next_sample_at: now + SAMPLE_INTERVAL_MS,
            last_bytes_in: 0,
            acked_since_sample: 0,
            leaders: FlatMap::new(),
            leaders_seen: None,
            // The election at start-up is not news.
            controller,
            pending_topics: Vec::new(),
            notes: VecDeque::new(),
            next_note: 0,
            journal: Rc::new(RefCell::new(journal)),
            from_storage: false,
            consumers: Vec::new(),
            lag_history: Default::default(),
        }
    }

    /// Records an input in the journal at the simulated time now.
    pub(crate) fn record(&self, action: crate::journal::Action) {
        let now = self.sim().now();
        self.journal.borrow_mut().record(now, action);
    }

    /// The simulation, borrowed from the shell (drop it before calling back).
    pub fn sim(&self) -> Ref<'_, Simulation> {
        Ref::map(self.shell.borrow(), |s| &s.world().sim)
    }

    /// The simulation, borrowed mutably from the shell.
    pub fn sim_mut(&self) -> RefMut<'_, Simulation> {
        RefMut::map(self.shell.borrow_mut(), |s| &mut s.world_mut().sim)
    }

    /// Whether the shell is free: the page may use the simulation now.
    pub fn available(&self) -> bool {
        self.shell.try_borrow_mut().is_ok()
    }

    pub fn speed(&self) -> f64 {
        SPEEDS.get(self.speed_index).copied().unwrap_or(1.0)
    }

    pub fn set_speed_index(&mut self, i: usize) {
        if i < SPEEDS.len() {
            self.speed_index = i;
        }
    }

    /// Simulated ms since the cluster started.
    pub fn elapsed_ms(&self) -> Ms {
        let sim = self.sim();
        sim.now() - sim.config().origin_ms
    }

    /// One timer tick: `real_ms` of real time passed. Runs the simulation for
    /// that times the speed, when playing. (The page uses
    /// [`Playground::tick_within`]; this is a tick without a frame budget.)
    #[cfg(test)]
    pub fn tick(&mut self, real_ms: f64) {
        self.tick_within(real_ms, &mut || false);
    }

    /// [`Playground::tick`] that stops early once `over_budget()` says the
    /// frame's time is spent (it is asked before every event: one event, a
    /// fetch over hundreds of partitions, can take a few ms; asked every
    /// second event, frames overran the budget more). The simulated time not reached is owed to the next ticks
    /// (at most [`OWED_REAL_MS_MAX`] of real time's worth): a burst of events
    /// is spread over a few frames instead of freezing one. The events and
    /// the page's inputs happen at the same simulated times either way.
    pub fn tick_within(&mut self, real_ms: f64, over_budget: &mut dyn FnMut() -> bool) {
        if !self.running || !real_ms.is_finite() || real_ms <= 0.0 {
            return;
        }
        let sim_ms = real_ms.min(TICK_REAL_MS_MAX) * self.speed();
        self.carry_ms = (self.carry_ms + sim_ms).min(OWED_REAL_MS_MAX * self.speed());
        let whole = self.carry_ms.floor();
        self.carry_ms -= whole;
        if whole >= 1.0 {
            self.settle();
            let owed = self.run_for_within(whole as Ms, over_budget);
            self.carry_ms += owed as f64;
        }
    }

    /// Runs `ms` simulated ms, sending the producer's records when they are due
    /// and sampling metrics on the way.
    pub fn run_for(&mut self, ms: Ms) {
        self.run_for_within(ms, &mut || false);
    }

    /// [`Playground::run_for`] that stops once `over_budget()` says so;
    /// returns the simulated ms it did not run.
    fn run_for_within(&mut self, ms: Ms, over_budget: &mut dyn FnMut() -> bool) -> Ms {
        let now = self.sim().now();
        self.catch_up(now);
        let end = now + ms.max(0);
        let mut owed = 0;
        loop {
            let now = self.sim().now();
            let next_record = self
                .producer
                .as_ref()
                .filter(|p| p.running)
                .map(|p| p.next_at.ceil() as Ms);
            let mut t = end.min(self.next_sample_at);
            if let Some(r) = next_record {
                t = t.min(r.max(now));
            }
            // The terminal's running job is polled on a fixed grid of
            // simulated time, whatever the page's frames (`crate::journal`).
            let next_poll = self
                .shell
                .borrow()
                .job_running()
                .then(|| (now / JOB_POLL_MS + 1) * JOB_POLL_MS);
            if let Some(p) = next_poll {
                t = t.min(p);
            }
            if now < t && over_budget() {
                owed = end - now;
                break;
            }
            if !self.run_sim_until(t, over_budget) {
                // `t` not reached: nothing that is due at `t` happens yet.
                self.collect_outcomes();
                owed = end - self.sim().now();
                break;
            }
            self.collect_outcomes();
            if next_record.is_some_and(|r| r <= t) {
                self.send_due_record();
            }
            if self.next_sample_at <= t {
                self.sample();
            }
            if next_poll.is_some_and(|p| p <= t) {
                self.shell.borrow_mut().poll_held();
                self.collect_outcomes();
                // A job that closes a client may run the clock itself.
                let now = self.sim().now();
                self.catch_up(now);
            }
            if t >= end {
                break;
            }
        }
        self.observe();
        owed
    }

    /// The simulation's events up to `t` (then its clock at `t`), as
    /// `Simulation::run_until`; false if `over_budget()` stopped it first.
    ///
    /// The budget is asked only between two milliseconds, never between two
    /// events of the same one: what the page does next (a fault, a command)
    /// then comes after every event of the millisecond, as in a replay of
    /// its journal, which runs the clock to an input's time before applying
    /// it (`crate::journal`; a stop inside a millisecond made shared links
    /// reach another trace). A frame may so run over its budget by one
    /// simulated millisecond's events.
    fn run_sim_until(&mut self, t: Ms, over_budget: &mut dyn FnMut() -> bool) -> bool {
        let mut sim = self.sim_mut();
        while let Some(at) = sim.next_event_time().filter(|at| *at <= t) {
            if at > sim.now() && over_budget() {
                return false;
            }
            sim.step();
        }
        sim.run_until(t);
        true
    }

    /// Finishes the millisecond now if some of its events are still to
    /// come (the cluster's start, a command that waited for an answer, and
    /// Step stop between two events of one millisecond), and notes it in the
    /// journal. The page's clock does this before it runs on; a replay, which
    /// runs the clock to an input's time only when it is later, finishes the
    /// millisecond at the same point by the note.
    pub fn settle(&mut self) {
        let now = self.sim().now();
        if self.sim().next_event_time() != Some(now) {
            return;
        }
        self.record(crate::journal::Action::Settle);
        self.sim_mut().run_until(now);
        self.collect_outcomes();
    }

    /// What a reload of the page does to the cluster, done in memory (a
    /// replay of a journal with [`crate::journal::Action::Reload`]): every
    /// node restarts from what its disk holds now (`Simulation::persisted`,
    /// then `Simulation::restore`: a power loss of every node, as a closed
    /// tab is), and the page's clients (its producer, consumers, the
    /// terminal's job) are gone; the learner's files, the journal and the
    /// clock's speed stay, as the page keeps them in IndexedDB.
    pub fn reload_from_disks(&mut self) {
        self.record(crate::journal::Action::Reload);
        let restored = {
            let sim = self.sim();
            let image = sim.persisted();
            Simulation::restore(&image.meta, image.stored_files())
        };
        // An image just taken always restores; if it did not, the cluster goes on.
        let Ok((sim, _)) = restored else { return };
        let files = crate::persistence::encode_files(self.shell.borrow().world());
        let mut pg = Playground::restored(sim);
        if let Ok(mut shell) = pg.shell.try_borrow_mut() {
            let _ = crate::persistence::restore_files(shell.world_mut(), &files);
        }
        pg.journal = self.journal.clone();
        pg.from_storage = false;
        pg.running = self.running;
        pg.set_speed_index(self.speed_index);
        *self = pg;
    }

    /// After a command ran in the terminal: picks up what it changed (leaders
    /// moved, a stopped broker, records acknowledged) for the announcements.
    pub fn refresh(&mut self) {
        self.collect_outcomes();
        self.observe();
    }

    /// A command in the terminal runs the simulation too (it waits for its
    /// answer): the samples missed meanwhile are skipped, and the producer
    /// goes on from `now` instead of sending the records it missed at once.
    fn catch_up(&mut self, now: Ms) {
        if self.next_sample_at < now {
            let behind = now - self.next_sample_at;
            self.next_sample_at += (behind / SAMPLE_INTERVAL_MS + 1) * SAMPLE_INTERVAL_MS;
        }
        if let Some(p) = self.producer.as_mut() {
            p.next_at = p.next_at.max(now as f64);
        }
    }

    /// The step button: handles the next events up to the first one that
    /// leaves a trace line (a timer that only sends leaves none), at most
    /// [`STEP_EVENTS_MAX`]; returns the new trace lines.
    pub fn step(&mut self) -> Vec<String> {
        self.record(crate::journal::Action::Step);
        let before = self.sim().trace().count();
        {
            let mut sim = self.sim_mut();
            for _ in 0..STEP_EVENTS_MAX {
                if !sim.step() || sim.trace().count() > before {
                    break;
                }
            }
        }
        self.collect_outcomes();
        self.observe();
        let sim = self.sim();
        let new = (sim.trace().count() - before) as usize;
        let lines: Vec<String> = sim.trace().lines().map(|l| l.to_string()).collect();
        lines[lines.len().saturating_sub(new)..].to_vec()
    }

    fn send_due_record(&mut self) {
        let Some(p) = self.producer.as_mut() else { return };
        let n = p.sent;
        let s = &p.settings;
        let key = (s.keys > 0).then(|| format!("key-{}", n % u64::from(s.keys)).into_bytes());
        let value = s.value.replace("{n}", &n.to_string()).into_bytes();
        let record = ProducerRecord {
            topic: s.topic.clone(),
            partition: None,
            key,
            value: Some(value),
            headers: vec![("source".to_string(), Some(b"kafkaplay-ui".to_vec()))],
        };
        p.sent += 1;
        p.next_at += 1000.0 / f64::from(s.rate.max(1));
        let id = p.id;
        self.sim_mut().send_record(id, record);
    }

    fn collect_outcomes(&mut self) {
        let shell = self.shell.borrow();
        let outcomes = shell.world().sim.outcomes();
        if let Some(p) = self.producer.as_mut() {
            for o in &outcomes[self.outcome_cursor.min(outcomes.len())..] {
                if o.producer != p.id {
                    continue;
                }
                match &o.result {
                    Ok(_) => {
                        p.acked += 1;
                        self.acked_since_sample += 1;
                    }
                    Err(e) => {
                        p.failed += 1;
                        p.last_error = Some(e.clone());
                    }
                }
            }
        }
        self.outcome_cursor = outcomes.len();
    }

    fn sample(&mut self) {
        if !self.sampling {
            self.next_sample_at += SAMPLE_INTERVAL_MS;
            return;
        }
        let m = snapshot::metrics(&self.sim());
        let seconds = SAMPLE_INTERVAL_MS as f64 / 1000.0;
        let views = self.partitions();
        let groups = crate::groups_panel::groups(&self.sim());
        let consumer_lag = crate::groups_panel::total_lag_of(&groups);
        self.lag_history.push(self.next_sample_at, &groups);
        self.samples.push_back(Sample {
            time: self.next_sample_at,
            bytes_in_per_s: m.bytes_in.saturating_sub(self.last_bytes_in) as f64 / seconds,
            acked_per_s: self.acked_since_sample as f64 / seconds,
            under_replicated: views.0.iter().filter(|p| p.is_under_replicated()).count() as u32,
            offline: views.0.iter().filter(|p| p.is_offline()).count() as u32,
            consumer_lag,
        });
        while self.samples.len() > SAMPLES_MAX {
            self.samples.pop_front();
        }
        self.last_bytes_in = m.bytes_in;
        self.acked_since_sample = 0;
        self.next_sample_at += SAMPLE_INTERVAL_MS;
    }

    fn note(&mut self, note: Note) {
        self.next_note += 1;
        self.notes.push_back((self.next_note, note));
        while self.notes.len() > NOTES_MAX {
            self.notes.pop_front();
        }
    }

    /// Notices what changed since the last look: leaders, the active
    /// controller, answers to topic creation.
    fn observe(&mut self) {
        let controller = self.sim().active_controller();
        if controller != self.controller {
            // The first election at start-up is not news.
            if self.controller.is_some() || self.elapsed_ms() > 5_000 {
                self.note(Note::ControllerChanged { to: controller });
            }
            self.controller = controller;
        }
        // Leaders change only with the metadata (its offset moves).
        let seen = self.sim().metadata().map(|image| (controller, image.offset));
        let leaders: Option<FlatMap<TopicPartition, NodeId>> = if seen == self.leaders_seen {
            None
        } else {
            self.leaders_seen = seen;
            self.sim()
                .metadata()
                .map(|image| image.partitions().map(|(tp, p)| (tp, p.leader)).collect())
        };
        if let Some(now) = leaders {
            let mut changes = Vec::new();
            for (tp, leader) in &now {
                if let Some(before) = self.leaders.get(tp) {
                    if before != leader {
                        changes.push(Note::LeaderChanged {
                            tp: tp.clone(),
                            from: *before,
                            to: *leader,
                        });
                    }
                }
            }
            self.leaders = now;
            for c in changes {
                self.note(c);
            }
        }
        let pending = std::mem::take(&mut self.pending_topics);
        for (id, name) in pending {
            let response = self.sim().admin_response(id).cloned();
            match response {
                Some(AdminResponse::CreateTopic(Ok(_))) => self.note(Note::TopicCreated { name }),
                Some(AdminResponse::CreateTopic(Err((e, message)))) => {
                    let error = format!("{}: {message}", e.exception_class());
                    self.note(Note::TopicFailed { name, error });
                }
                Some(_) => {}
                None => self.pending_topics.push((id, name)),
            }
        }
    }

    // ----- faults -----

    pub fn fault(&mut self, kind: FaultKind, node: NodeId) {
        self.record(crate::journal::Action::Fault(kind, node));
        let faults = match kind {
            FaultKind::Kill => vec![Fault::Kill(node)],
            FaultKind::Shutdown => vec![Fault::Shutdown(node)],
            FaultKind::Restart => vec![Fault::Restart(node)],
            FaultKind::Pause => vec![Fault::Pause(node)],
            FaultKind::Resume => vec![Fault::Resume(node)],
            FaultKind::Isolate => {
                let others: Vec<NodeId> = self.sim().node_ids().filter(|n| *n != node).collect();
                for o in &others {
                    self.cuts.insert((node.min(*o), node.max(*o)));
                }
                vec![Fault::Partition(vec![vec![node], others])]
            }
            FaultKind::Slow | FaultKind::Unslow => {
                let slow = kind == FaultKind::Slow;
                if slow {
                    self.slowed.insert(node);
                } else {
                    self.slowed.remove(&node);
                }
                let rule = LinkRule {
                    extra_delay_ms: if slow { self.slow_delay_ms() } else { 0 },
                    drop_probability: 0.0,
                };
                let sim = self.sim();
                sim.config()
                    .brokers
                    .iter()
                    .filter(|b| **b != node)
                    .map(|&to| Fault::Link { from: node, to, rule })
                    .collect()
            }
        };
        for fault in faults {
            self.sim_mut().apply_fault(fault);
        }
        self.note(Note::Fault { fault: kind, node });
        self.observe();
    }

    /// Cuts the network between `a` and `b` (both ways).
    pub fn cut(&mut self, a: NodeId, b: NodeId) {
        if a == b {
            return;
        }
        self.record(crate::journal::Action::Cut(a, b));
        self.sim_mut().apply_fault(Fault::Partition(vec![vec![a], vec![b]]));
        self.cuts.insert((a.min(b), a.max(b)));
        self.note(Note::Cut { a, b });
    }

    pub fn heal(&mut self) {
        self.record(crate::journal::Action::Heal);
        self.sim_mut().apply_fault(Fault::Heal);
        self.cuts.clear();
        self.slowed.clear();
        self.note(Note::Healed);
    }

    pub fn cuts(&self) -> impl Iterator<Item = &(NodeId, NodeId)> {
        self.cuts.iter()
    }

    /// The extra delay of a slow broker's requests to other brokers: 5 s
    /// more than `replica.lag.time.max.ms`, so that as a follower it cannot
    /// catch up within that time.
    pub fn slow_delay_ms(&self) -> Ms {
        self.sim().config().broker.replica_lag_time_max_ms + 5_000
    }

    // ----- topics and the producer -----

    /// Sends CreateTopic to the controller; the answer is announced.
    pub fn create_topic(&mut self, form: &TopicForm) -> Result<(), InputError> {
        let partitions: i32 = form.partitions.trim().parse().map_err(|_| InputError::Partitions)?;
        let replication_factor: i16 = form
            .replication_factor
            .trim()
            .parse()
            .map_err(|_| InputError::ReplicationFactor)?;
        let name = form.name.trim().to_string();
        self.record(crate::journal::Action::CreateTopic(form.clone()));
        let id = self.sim_mut().admin(AdminRequest::CreateTopic {
            name: name.clone(),
            partitions,
            replication_factor,
            assignment: None,
            configs: Vec::new(),
            validate_only: false,
        });
        self.pending_topics.push((id, name));
        self.observe();
        Ok(())
    }

    pub fn topic_pending(&self) -> bool {
        !self.pending_topics.is_empty()
    }

    /// Starts producing with the form's settings (a new producer client when
    /// there is none yet or `acks` or idempotence changed).
    pub fn start_producer(&mut self, form: &ProducerForm) -> Result<(), InputError> {
        let settings = form.parse()?;
        self.record(crate::journal::Action::StartProducer(form.clone()));
        let now = self.sim().now() as f64;
        match self.producer.as_mut() {
            Some(p) if p.settings.acks == settings.acks && p.settings.idempotence == settings.idempotence => {
                p.settings = settings;
                p.running = true;
                p.next_at = now;
            }
            _ => {
                if let Some(old) = self.producer.take() {
                    // The old client is closed: its process goes away.
                    self.sim_mut().apply_fault(Fault::Kill(old.id));
                }
                let config = ProducerConfig {
                    acks: settings.acks,
                    enable_idempotence: settings.idempotence,
                    ..ProducerConfig::default()
                };
                let id = self.sim_mut().add_producer(config);
                self.producer = Some(ProducerRun {
                    id,
                    settings,
                    running: true,
                    sent: 0,
                    acked: 0,
                    failed: 0,
                    last_error: None,
                    next_at: now,
                });
            }
        }
        Ok(())
    }

    pub fn stop_producer(&mut self) {
        self.record(crate::journal::Action::StopProducer);
        if let Some(p) = self.producer.as_mut() {
            p.running = false;
        }
    }

    // ----- views -----

    /// The metadata the views use: the active controller's, else (no
    /// controller) the freshest one a running broker applied.
    fn image(sim: &Simulation) -> (Option<&MetadataImage>, MetadataSource) {
        if let Some(c) = sim.active_controller() {
            if let Some(image) = sim.metadata() {
                return (Some(image), MetadataSource::Controller(c));
            }
        }
        let best = sim
            .config()
            .brokers
            .iter()
            .filter_map(|b| sim.broker(*b).map(|x| (*b, x.image())))
            .max_by_key(|(b, image)| (image.offset, -b));
        match best {
            Some((b, image)) => (Some(image), MetadataSource::Broker(b)),
            None => (None, MetadataSource::None),
        }
    }

    /// Every partition, by topic and partition.
    pub fn partitions(&self) -> (Vec<PartitionView>, MetadataSource) {
        let sim = self.sim();
        let (Some(image), source) = Self::image(&sim) else {
            return (Vec::new(), MetadataSource::None);
        };
        let views = image
            .partitions()
            .map(|(tp, p)| {
                let infos: Vec<_> = p
                    .replicas
                    .iter()
                    .map(|&b| (b, sim.broker(b).and_then(|x| x.replica_info(&tp))))
                    .collect();
                let high_watermark = infos
                    .iter()
                    .find(|(b, _)| *b == p.leader)
                    .and_then(|(_, i)| i.as_ref().map(|i| i.high_watermark));
                let replica_states = infos
                    .iter()
                    .map(|(b, info)| {
                        let role = if !sim.is_up(*b) || !image.is_alive(*b) {
                            ReplicaRole::Offline
                        } else if *b == p.leader {
                            ReplicaRole::Leader
                        } else if p.isr.contains(b) {
                            ReplicaRole::InSyncFollower
                        } else {
                            ReplicaRole::OutOfSyncFollower
                        };
                        (*b, role, info.as_ref().map(|i| i.log_end_offset))
                    })
                    .collect();
                PartitionView {
                    leader: p.leader,
                    leader_epoch: p.leader_epoch,
                    replicas: p.replicas.clone(),
                    isr: p.isr.clone(),
                    high_watermark,
                    replica_states,
                    tp,
                }
            })
            .collect();
        (views, source)
    }

    /// Controllers first, then brokers, with each broker's replicas.
    pub fn nodes(&self, partitions: &[PartitionView]) -> Vec<NodeView> {
        let sim = self.sim();
        let (image, _) = Self::image(&sim);
        let active = sim.active_controller();
        let config = sim.config();
        let cut = |id: NodeId| self.cuts.iter().any(|(a, b)| *a == id || *b == id);
        let state = |id: NodeId| {
            if !sim.is_up(id) {
                NodeState::Stopped
            } else if sim.is_paused(id) {
                NodeState::Paused
            } else {
                NodeState::Running
            }
        };
        let controllers = config.controllers.iter().map(|&id| NodeView {
            id,
            kind: NodeKind::Controller,
            state: state(id),
            fenced: false,
            active: active == Some(id),
            raft_role: sim.controller(id).map(|c| c.role()),
            cut: cut(id),
            slow: false,
            replicas: Vec::new(),
        });
        let brokers = config.brokers.iter().map(|&id| NodeView {
            id,
            kind: NodeKind::Broker,
            state: state(id),
            fenced: image.is_some_and(|i| !i.is_alive(id)),
            active: false,
            raft_role: None,
            cut: cut(id),
            slow: self.slowed.contains(&id),
            replicas: partitions
                .iter()
                .filter_map(|p| {
                    let (_, role, leo) = p.replica_states.iter().find(|(b, _, _)| *b == id)?;
                    Some(ReplicaView {
                        tp: p.tp.clone(),
                        role: *role,
                        log_end_offset: *leo,
                        high_watermark: p.high_watermark,
                    })
                })
                .collect(),
        });
        controllers.chain(brokers).collect()
    }

    pub fn topics(&self, partitions: &[PartitionView]) -> Vec<TopicRow> {
        let sim = self.sim();
        let (image, _) = Self::image(&sim);
        let mut rows: Vec<TopicRow> = Vec::new();
        for p in partitions {
            if rows.last().map(|r| r.name.as_str()) != Some(p.tp.topic.as_str()) {
                rows.push(TopicRow {
                    name: p.tp.topic.to_string(),
                    topic_id: image
                        .and_then(|i| i.topic(&p.tp.topic))
                        .map(|t| t.id.to_string())
                        .unwrap_or_default(),
                    partitions: 0,
                    replication_factor: p.replicas.len(),
                    under_replicated: 0,
                    offline: 0,
                });
            }
            if let Some(r) = rows.last_mut() {
                r.partitions += 1;
                r.under_replicated += usize::from(p.is_under_replicated());
                r.offline += usize::from(p.is_offline());
            }
        }
        rows
    }

    /// The latest records of a partition below its HW, read from its leader's
    /// log; `None` when the partition has no leader holding the log.
    #[cfg(test)]
    pub fn records(&self, tp: &TopicPartition) -> Option<PartitionRecords> {
        self.records_for(tp, &browse::Query::default())
    }

    /// The records of a partition below its HW that `query` asks for, read
    /// from its leader's log, at most [`BROWSER_RECORDS_MAX`] of them: the
    /// latest, or the first from an offset or a time on, each only if it
    /// matches the search. A search decodes at most
    /// [`browse::SEARCH_SCAN_MAX`] records. `None` when the partition has no
    /// leader holding the log.
    pub fn records_for(&self, tp: &TopicPartition, query: &browse::Query) -> Option<PartitionRecords> {
        let sim = self.sim();
        let (image, _) = Self::image(&sim);
        let leader = image?.partition(tp)?.leader;
        let log = sim.broker(leader)?.log(tp)?;
        let hw = log.high_watermark();
        let lso = log.log_start_offset();
        // As a consumer's seek: an offset below the log start reads from the
        // start; a time after every record reads nothing (the end).
        let start = match query.seek {
            browse::Seek::Latest => lso,
            browse::Seek::Offset(o) => o.clamp(lso, hw),
            browse::Seek::Time(t) => log.offset_for_timestamp(t).map_or(hw, |x| x.offset.clamp(lso, hw)),
        };
        let latest = query.seek == browse::Seek::Latest;
        let searching = !query.search.is_empty();
        let needle = browse::Needle::new(&query.search);
        // The latest records without a search need only the batches near the HW;
        // with a search, the last SEARCH_SCAN_MAX records are searched.
        let from = match (latest, searching) {
            (true, false) => hw - BROWSER_RECORDS_MAX as i64,
            (true, true) => (hw - browse::SEARCH_SCAN_MAX as i64).max(start),
            (false, _) => start,
        };
        let mut records = VecDeque::new();
        let mut decode_error = None;
        let mut scanned = 0usize;
        let mut capped = false;
        'batches: for (_, batch) in log.batches() {
            if batch.base_offset() >= hw {
                break;
            }
            if batch.is_control() || batch.last_offset() < from {
                continue;
            }
            match batch.records() {
                Ok(rs) => {
                    for r in rs.into_iter().filter(|r| r.offset >= from && r.offset < hw) {
                        if searching {
                            if scanned == browse::SEARCH_SCAN_MAX {
                                capped = true;
                                break 'batches;
                            }
                            scanned += 1;
                        }
                        let row = RecordRow {
                            offset: r.offset,
                            timestamp: r.timestamp,
                            key: r.key,
                            value: r.value,
                            headers: r.headers.into_iter().map(|h| (h.key, h.value)).collect(),
                        };
                        if !needle.matches(row.key.as_deref(), row.value.as_deref(), &row.headers) {
                            continue;
                        }
                        records.push_back(row);
                        if records.len() > BROWSER_RECORDS_MAX {
                            if !latest {
                                // From a start on: the first ones are kept.
                                records.pop_back();
                                break 'batches;
                            }
                            records.pop_front();
                        }
                    }
                }
                Err(e) => decode_error = Some(e.to_string()),
            }
        }
        Some(PartitionRecords {
            leader,
            log_start_offset: lso,
            high_watermark: hw,
            log_end_offset: log.log_end_offset(),
            start,
            searched: searching.then_some(browse::Searched { scanned, capped }),
            records: records.into(),
            decode_error,
        })
    }
}

/// How the message browser shows bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueFormat {
    Text,
    Json,
    Hex,
}

/// Bytes shown as `format`: text (UTF-8, invalid sequences replaced), JSON
/// pretty-printed (or `Err` with the text when they are not JSON), or hex.
pub fn format_bytes(bytes: &[u8], format: ValueFormat) -> Result<String, String> {
    match format {
        ValueFormat::Text => Ok(String::from_utf8_lossy(bytes).into_owned()),
        ValueFormat::Hex => Ok(bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")),
        ValueFormat::Json => {
            let text = String::from_utf8_lossy(bytes);
            json_pretty(&text).ok_or_else(|| text.into_owned())
        }
    }
}

/// Pretty-prints JSON with two-space indentation; `None` if `s` is not JSON.
/// A small validating parser (RFC 8259), bounded in depth.
pub fn json_pretty(s: &str) -> Option<String> {
    const DEPTH_MAX: usize = 64;
    struct P<'a> {
        b: &'a [u8],
        i: usize,
        out: String,
    }
    impl P<'_> {
        fn ws(&mut self) {
            while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
                self.i += 1;
            }
        }
        fn indent(&mut self, depth: usize) {
            self.out.push('\n');
            for _ in 0..depth {
                self.out.push_str("  ");
            }
        }
        fn value(&mut self, depth: usize) -> Option<()> {
            if depth > DEPTH_MAX {
                return None;
            }
            self.ws();
            match *self.b.get(self.i)? {
                b'{' => self.container(depth, b'}', true),
                b'[' => self.container(depth, b']', false),
                b'"' => self.string(),
                b't' => self.word("true"),
                b'f' => self.word("false"),
                b'n' => self.word("null"),
                b'-' | b'0'..=b'9' => self.number(),
                _ => None,
            }
        }
        fn container(&mut self, depth: usize, close: u8, object: bool) -> Option<()> {
            self.out.push(self.b[self.i] as char);
            self.i += 1;
            self.ws();
            if self.b.get(self.i) == Some(&close) {
                self.i += 1;
                self.out.push(close as char);
                return Some(());
            }
            loop {
                self.indent(depth + 1);
                if object {
                    self.ws();
                    if self.b.get(self.i) != Some(&b'"') {
                        return None;
                    }
                    self.string()?;
                    self.ws();
                    if self.b.get(self.i) != Some(&b':') {
                        return None;
                    }
                    self.i += 1;
                    self.out.push_str(": ");
                }
                self.value(depth + 1)?;
                self.ws();
                match *self.b.get(self.i)? {
                    b',' => {
                        self.i += 1;
                        self.out.push(',');
                    }
                    c if c == close => {
                        self.i += 1;
                        self.indent(depth);
                        self.out.push(close as char);
                        return Some(());
                    }
                    _ => return None,
                }
            }
        }
        fn string(&mut self) -> Option<()> {
            let start = self.i;
            self.i += 1;
            loop {
                match *self.b.get(self.i)? {
                    b'"' => break,
                    b'\\' => match *self.b.get(self.i + 1)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.i += 2,
                        b'u' => {
                            let hex = self.b.get(self.i + 2..self.i + 6)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            self.i += 6;
                        }
                        _ => return None,
                    },
                    c if c < 0x20 => return None,
                    _ => self.i += 1,
                }
            }
            self.i += 1;
            self.out.push_str(std::str::from_utf8(&self.b[start..self.i]).ok()?);
            Some(())
        }
        fn word(&mut self, w: &str) -> Option<()> {
            if self.b.get(self.i..self.i + w.len())? != w.as_bytes() {
                return None;
            }
            self.i += w.len();
            self.out.push_str(w);
            Some(())
        }
        fn number(&mut self) -> Option<()> {
            let start = self.i;
            let digits = |p: &mut Self| {
                let s = p.i;
                while p.b.get(p.i).is_some_and(u8::is_ascii_digit) {
                    p.i += 1;
                }
                p.i > s
            };
            if self.b.get(self.i) == Some(&b'-') {
                self.i += 1;
            }
            if self.b.get(self.i) == Some(&b'0') {
                self.i += 1;
            } else if !digits(self) {
                return None;
            }
            if self.b.get(self.i) == Some(&b'.') {
                self.i += 1;
                if !digits(self) {
                    return None;
                }
            }
            if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
                self.i += 1;
                if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                    self.i += 1;
                }
                if !digits(self) {
                    return None;
                }
            }
            self.out.push_str(std::str::from_utf8(&self.b[start..self.i]).ok()?);
            Some(())
        }
    }
    let mut p = P {
        b: s.as_bytes(),
        i: 0,
        out: String::new(),
    };
    p.value(0)?;
    p.ws();
    (p.i == p.b.len()).then_some(p.out)
}

/// `?seed=N` if given and valid.
pub fn parse_seed(s: &str) -> Result<u64, InputError> {
    s.trim().parse().map_err(|_| InputError::Seed)
}

pub fn parse_brokers(s: &str) -> Result<i32, InputError> {
    match s.trim().parse::<i32>() {
        Ok(n) if (1..=BROKERS_MAX).contains(&n) => Ok(n),
        _ => Err(InputError::Brokers),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn started(brokers: i32) -> Playground {
        let mut p = Playground::new(brokers, 42);
        p.run_for(5_000);
        p
    }

    fn create(p: &mut Playground, name: &str, partitions: &str, rf: &str) {
        p.create_topic(&TopicForm {
            name: name.into(),
            partitions: partitions.into(),
            replication_factor: rf.into(),
        })
        .unwrap();
        p.run_for(3_000);
    }

    #[test]
    fn cluster_starts_with_an_active_controller_and_live_brokers() {
        let p = started(3);
        let (parts, source) = p.partitions();
        assert!(parts.is_empty());
        assert_eq!(source, MetadataSource::Controller(1000));
        let nodes = p.nodes(&parts);
        assert_eq!(nodes.len(), 4);
        assert!(nodes[0].active && nodes[0].kind == NodeKind::Controller);
        assert!(nodes[1..]
            .iter()
            .all(|n| n.kind == NodeKind::Broker && n.state == NodeState::Running && !n.fenced));
    }

    #[test]
    fn topic_with_three_partitions_rf2_has_six_replicas() {
        let mut p = started(3);
        create(&mut p, "orders", "3", "2");
        assert!(p
            .notes
            .iter()
            .any(|(_, n)| *n == Note::TopicCreated { name: "orders".into() }));
        let (parts, _) = p.partitions();
        let nodes = p.nodes(&parts);
        let replicas: usize = nodes.iter().map(|n| n.replicas.len()).sum();
        assert_eq!(replicas, 6);
        let leaders = nodes
            .iter()
            .flat_map(|n| &n.replicas)
            .filter(|r| r.role == ReplicaRole::Leader)
            .count();
        assert_eq!(leaders, 3);
        let rows = p.topics(&parts);
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (
                rows[0].partitions,
                rows[0].replication_factor,
                rows[0].under_replicated,
                rows[0].offline
            ),
            (3, 2, 0, 0)
        );
        assert_eq!(rows[0].topic_id.len(), 22);
    }

    #[test]
    fn kafka_errors_come_back_with_their_text() {
        let mut p = started(3);
        create(&mut p, "big", "1", "4");
        let error = p
            .notes
            .iter()
            .find_map(|(_, n)| match n {
                Note::TopicFailed { error, .. } => Some(error.clone()),
                _ => None,
            })
            .expect("the controller refuses RF 4 on 3 brokers");
        assert!(error.contains("InvalidReplicationFactorException"), "{error}");
        assert!(error.contains("only 3 broker(s) are registered"), "{error}");
        assert_eq!(
            p.create_topic(&TopicForm {
                name: "x".into(),
                partitions: "many".into(),
                replication_factor: "1".into()
            }),
            Err(InputError::Partitions)
        );
        // Bad names go to the controller, which answers with Kafka's text.
        create(&mut p, "bad name!", "1", "1");
        assert!(p
            .notes
            .iter()
            .any(|(_, n)| matches!(n, Note::TopicFailed { error, .. } if error.contains("InvalidTopicException"))));
    }

    #[test]
    fn killing_a_leader_moves_leadership_with_rf2() {
        let mut p = started(3);
        create(&mut p, "orders", "1", "2");
        let (parts, _) = p.partitions();
        let leader = parts[0].leader;
        p.fault(FaultKind::Kill, leader);
        p.run_for(15_000);
        let (parts, _) = p.partitions();
        assert_ne!(parts[0].leader, leader);
        assert_ne!(parts[0].leader, NO_NODE);
        assert!(p
            .notes
            .iter()
            .any(|(_, n)| matches!(n, Note::LeaderChanged { from, .. } if *from == leader)));
        let nodes = p.nodes(&parts);
        let dead = nodes.iter().find(|n| n.id == leader).unwrap();
        assert_eq!(dead.state, NodeState::Stopped);
        assert!(dead.fenced);
        assert_eq!(dead.replicas[0].role, ReplicaRole::Offline);
        assert_eq!(p.topics(&parts)[0].under_replicated, 1);
    }

    #[test]
    fn killing_the_only_replica_takes_the_partition_offline() {
        let mut p = started(2);
        create(&mut p, "half", "2", "1");
        let (parts, _) = p.partitions();
        let victim = parts[0].leader;
        p.fault(FaultKind::Kill, victim);
        p.run_for(15_000);
        let (parts, _) = p.partitions();
        let offline: Vec<_> = parts.iter().filter(|x| x.is_offline()).collect();
        assert_eq!(offline.len(), 1, "RF=1: the dead broker takes half the topic");
        assert_eq!(p.topics(&parts)[0].offline, 1);
        p.fault(FaultKind::Restart, victim);
        p.run_for(15_000);
        let (parts, _) = p.partitions();
        assert!(parts.iter().all(|x| !x.is_offline()));
    }

    #[test]
    fn producer_records_reach_the_message_browser() {
        let mut p = started(3);
        create(&mut p, "orders", "1", "3");
        let form = ProducerForm {
            topic: "orders".into(),
            rate: "10".into(),
            keys: "2".into(),
            ..ProducerForm::default()
        };
        p.start_producer(&form).unwrap();
        p.run_for(2_000);
        p.stop_producer();
        p.run_for(2_000);
        let run = p.producer.clone().unwrap();
        // One record every 100 ms from the start to the end of 2 s, both included.
        assert_eq!(run.sent, 21);
        assert_eq!(run.acked, 21);
        let recs = p.records(&TopicPartition::new("orders", 0)).unwrap();
        assert_eq!(recs.records.len(), 21);
        assert_eq!(recs.high_watermark, 21);
        let first = &recs.records[0];
        assert_eq!(first.offset, 0);
        assert_eq!(first.key.as_deref(), Some(&b"key-0"[..]));
        assert_eq!(first.value.as_deref(), Some(&br#"{"order": 0, "item": "coffee"}"#[..]));
        assert_eq!(first.headers[0].0, "source");
        assert!(p.samples.iter().any(|s| s.acked_per_s > 0.0 && s.bytes_in_per_s > 0.0));
    }

    #[test]
    fn without_sampling_the_cluster_runs_the_same_and_keeps_no_samples() {
        let run = |sampling: bool| {
            let mut p = started(2);
            p.sampling = sampling;
            let before = p.samples.len();
            p.create_topic(&TopicForm {
                name: "orders".into(),
                partitions: "2".into(),
                replication_factor: "2".into(),
            })
            .unwrap();
            p.run_for(1_000);
            p.start_producer(&ProducerForm {
                topic: "orders".into(),
                rate: "10".into(),
                ..ProducerForm::default()
            })
            .unwrap();
            p.run_for(3_000);
            let (hash, now) = (p.sim().trace().hash(), p.sim().now());
            (p.samples.len() - before, hash, now)
        };
        let (with, digest, now) = run(true);
        assert!(with > 0);
        assert_eq!(run(false), (0, digest, now));
    }

    #[test]
    fn message_browser_shows_the_latest_records_only() {
        let mut p = started(1);
        create(&mut p, "many", "1", "1");
        let form = ProducerForm {
            topic: "many".into(),
            rate: "100".into(),
            ..ProducerForm::default()
        };
        p.start_producer(&form).unwrap();
        p.run_for(2_000);
        p.stop_producer();
        p.run_for(1_000);
        let recs = p.records(&TopicPartition::new("many", 0)).unwrap();
        assert_eq!(recs.high_watermark, 201);
        assert_eq!(recs.records.len(), BROWSER_RECORDS_MAX);
        assert_eq!(recs.records.first().unwrap().offset, 201 - BROWSER_RECORDS_MAX as i64);
        assert_eq!(recs.records.last().unwrap().offset, 200);
        assert!(p.records(&TopicPartition::new("nope", 0)).is_none());
    }

    #[test]
    fn a_slow_follower_leaves_the_isr_and_rejoins_when_no_longer_slow() {
        let mut p = started(3);
        create(&mut p, "orders", "1", "3");
        let tp = TopicPartition::new("orders", 0);
        let view = |p: &Playground| p.partitions().0.into_iter().find(|v| v.tp == tp).unwrap();
        let before = view(&p);
        assert_eq!(before.isr.len(), 3);
        let follower = *before.replicas.iter().find(|b| **b != before.leader).unwrap();
        let form = ProducerForm {
            topic: "orders".into(),
            rate: "10".into(),
            ..ProducerForm::default()
        };
        p.start_producer(&form).unwrap();
        p.fault(FaultKind::Slow, follower);
        assert!(p.nodes(&[]).iter().any(|n| n.id == follower && n.slow));
        // replica.lag.time.max.ms (30 s) without catching up: out of the ISR,
        // while the broker stays registered (its heartbeats are not delayed).
        p.run_for(40_000);
        let slowed = view(&p);
        assert!(!slowed.isr.contains(&follower), "{slowed:?}");
        assert_eq!(slowed.leader, before.leader);
        assert!(p.nodes(&[]).iter().any(|n| n.id == follower && !n.fenced));
        let acked = p.producer.as_ref().unwrap().acked;
        assert!(acked > 300, "acks=all still succeeds with the ISR shrunk: {acked}");
        p.fault(FaultKind::Unslow, follower);
        // Fetches already on the slow link still arrive late; then it catches up.
        p.run_for(60_000);
        assert!(view(&p).isr.contains(&follower), "{:?}", view(&p));
        assert!(p.nodes(&[]).iter().all(|n| !n.slow));
    }

    #[test]
    fn producer_idempotence_follows_kafkas_defaults() {
        let settings = |acks: &str, idempotence: &str| {
            ProducerForm {
                topic: "t".into(),
                acks: acks.into(),
                idempotence: idempotence.into(),
                ..ProducerForm::default()
            }
            .parse()
        };
        assert!(settings("all", "default").unwrap().idempotence);
        assert!(!settings("1", "default").unwrap().idempotence);
        assert!(!settings("all", "false").unwrap().idempotence);
        assert_eq!(settings("0", "true"), Err(InputError::Idempotence));
        // A non-idempotent acks=all producer writes too, through a new client.
        let mut p = started(1);
        create(&mut p, "orders", "1", "1");
        let form = |idempotence: &str| ProducerForm {
            topic: "orders".into(),
            idempotence: idempotence.into(),
            ..ProducerForm::default()
        };
        p.start_producer(&form("default")).unwrap();
        p.run_for(1_000);
        let first = p.producer.as_ref().unwrap().id;
        p.start_producer(&form("false")).unwrap();
        p.run_for(1_000);
        p.stop_producer();
        p.run_for(1_000);
        let run = p.producer.clone().unwrap();
        assert_ne!(run.id, first, "a new client for another enable.idempotence");
        assert!(!run.settings.idempotence);
        assert!(run.acked > 0 && run.failed == 0, "{run:?}");
    }

    #[test]
    fn message_browser_seeks_by_offset_and_time_and_searches() {
        use crate::browse::{Query, Seek};
        let mut p = started(1);
        create(&mut p, "many", "1", "1");
        let form = ProducerForm {
            topic: "many".into(),
            rate: "100".into(),
            keys: "3".into(),
            ..ProducerForm::default()
        };
        p.start_producer(&form).unwrap();
        p.run_for(2_000);
        p.stop_producer();
        p.run_for(1_000);
        let tp = TopicPartition::new("many", 0);
        let all = p.records_for(&tp, &Query::default()).unwrap();
        assert_eq!((all.high_watermark, all.start, all.searched), (201, 0, None));

        // From an offset: the first ones from there on, in offset order.
        let q = |seek, search: &str| Query {
            seek,
            search: search.into(),
        };
        let from = p.records_for(&tp, &q(Seek::Offset(120), "")).unwrap();
        assert_eq!(from.start, 120);
        let offsets: Vec<i64> = from.records.iter().map(|r| r.offset).collect();
        assert_eq!(offsets, (120..170).collect::<Vec<_>>());
        // Past the HW: nothing; below the log start: from the start.
        assert!(p
            .records_for(&tp, &q(Seek::Offset(500), ""))
            .unwrap()
            .records
            .is_empty());
        assert_eq!(
            p.records_for(&tp, &q(Seek::Offset(0), "")).unwrap().records[0].offset,
            0
        );

        // From a time: the first record at or after it (offsetsForTimes).
        let at = all.records[10].timestamp;
        let by_time = p.records_for(&tp, &q(Seek::Time(at), "")).unwrap();
        let first = &by_time.records[0];
        assert!(first.timestamp >= at);
        assert_eq!(by_time.start, first.offset);
        assert!(by_time
            .records
            .iter()
            .all(|r| r.offset >= first.offset && r.offset < 201));
        let after_all = p.records_for(&tp, &q(Seek::Time(i64::MAX), "")).unwrap();
        assert_eq!((after_all.start, after_all.records.len()), (201, 0));

        // Search: keys cycle over key-0..key-2, so a third match key-1.
        let key1 = p.records_for(&tp, &q(Seek::Offset(0), "KEY-1")).unwrap();
        assert_eq!(key1.searched.map(|s| s.capped), Some(false));
        assert!(!key1.records.is_empty());
        assert!(key1.records.iter().all(|r| r.key.as_deref() == Some(&b"key-1"[..])));
        let none = p.records_for(&tp, &q(Seek::Latest, "no such text")).unwrap();
        assert_eq!(
            (none.records.len(), none.searched),
            (
                0,
                Some(browse::Searched {
                    scanned: 201,
                    capped: false
                })
            )
        );
        // Latest with a search: the newest matches.
        let latest = p.records_for(&tp, &q(Seek::Latest, "key-2")).unwrap();
        assert_eq!(latest.records.last().unwrap().key.as_deref(), Some(&b"key-2"[..]));
        assert!(latest.records.last().unwrap().offset >= 198);
    }

    #[test]
    fn producer_form_rejects_bad_input() {
        let ok = ProducerForm {
            topic: "t".into(),
            ..ProducerForm::default()
        };
        assert!(ok.parse().is_ok());
        for (f, e) in [
            (
                ProducerForm {
                    rate: "0".into(),
                    ..ok.clone()
                },
                InputError::Rate,
            ),
            (
                ProducerForm {
                    rate: "9999".into(),
                    ..ok.clone()
                },
                InputError::Rate,
            ),
            (
                ProducerForm {
                    keys: "-1".into(),
                    ..ok.clone()
                },
                InputError::Keys,
            ),
            (
                ProducerForm {
                    acks: "2".into(),
                    ..ok.clone()
                },
                InputError::Acks,
            ),
            (
                ProducerForm {
                    acks: "1".into(),
                    idempotence: "true".into(),
                    ..ok.clone()
                },
                InputError::Idempotence,
            ),
            (
                ProducerForm {
                    topic: " ".into(),
                    ..ok.clone()
                },
                InputError::NoTopic,
            ),
        ] {
            assert_eq!(f.parse(), Err(e));
        }
        assert_eq!(parse_brokers("0"), Err(InputError::Brokers));
        assert_eq!(parse_brokers("3"), Ok(3));
        assert_eq!(parse_seed("x"), Err(InputError::Seed));
    }

    #[test]
    fn the_terminal_and_the_boxes_are_one_cluster() {
        let mut p = started(3);
        let run = |p: &Playground, command: &str| p.shell.borrow_mut().submit(command).stdout();
        let created = run(
            &p,
            "kafka-topics --bootstrap-server localhost:9092 --create --topic shared --replication-factor 2 --partitions 3",
        );
        assert_eq!(created, "Created topic shared.\n");
        p.refresh();
        let (parts, _) = p.partitions();
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|v| v.tp.topic == "shared" && v.replicas.len() == 2));

        // Killed from its box (not broker 1: localhost:9092 is broker 1).
        p.fault(FaultKind::Kill, 2);
        p.run_for(15_000);
        let describe = run(
            &p,
            "kafka-topics --bootstrap-server localhost:9092 --describe --topic shared",
        );
        let lines: Vec<&str> = describe.lines().skip(1).collect();
        assert_eq!(lines.len(), 3, "{describe}");
        for line in lines {
            let field = |name: &str| {
                line.split('\t')
                    .find_map(|f| f.strip_prefix(name))
                    .unwrap_or_else(|| panic!("no {name} in {line:?}"))
                    .to_string()
            };
            assert_ne!(field("Leader: "), "2", "{describe}");
            assert!(!field("Isr: ").split(',').any(|b| b == "2"), "{describe}");
        }
        let ps = run(&p, "docker ps");
        assert!(!ps.lines().any(|l| l.ends_with(" broker2")), "{ps}");
        assert!(ps.lines().any(|l| l.ends_with(" broker3")), "{ps}");
    }

    #[test]
    fn tick_follows_speed_and_pause() {
        let mut p = Playground::new(1, 1);
        // The cluster has started already; count from there.
        let start = p.elapsed_ms();
        assert!(start > 0 && p.sim().active_controller().is_some());
        p.set_speed_index(SPEEDS.iter().position(|s| *s == 10.0).unwrap());
        p.tick(100.0);
        assert_eq!(p.elapsed_ms() - start, 1_000);
        p.tick(10_000.0); // capped
        assert_eq!(p.elapsed_ms() - start, 1_000 + (TICK_REAL_MS_MAX * 10.0) as i64);
        p.running = false;
        p.tick(100.0);
        assert_eq!(p.elapsed_ms() - start, 3_500);
        p.running = true;
        p.set_speed_index(0); // 0.1x: 10 ms of real time is 1 ms
        p.tick(4.0);
        p.tick(6.0);
        assert_eq!(p.elapsed_ms() - start, 3_501);
        p.tick(f64::NAN);
        assert_eq!(p.elapsed_ms() - start, 3_501);
    }

    #[test]
    fn step_handles_one_event() {
        let mut p = Playground::new(1, 1);
        let lines = p.step();
        assert!(!lines.is_empty());
    }

    #[test]
    fn pause_isolate_and_heal_show_on_nodes() {
        let mut p = started(3);
        p.fault(FaultKind::Pause, 2);
        p.fault(FaultKind::Isolate, 3);
        let (parts, _) = p.partitions();
        let nodes = p.nodes(&parts);
        assert_eq!(nodes[2].state, NodeState::Paused);
        assert!(nodes[3].cut && nodes[0].cut);
        p.heal();
        p.fault(FaultKind::Resume, 2);
        let nodes = p.nodes(&parts);
        assert!(nodes.iter().all(|n| !n.cut && n.state == NodeState::Running));
        // No active controller: the views fall back to a broker's metadata.
        p.fault(FaultKind::Kill, 1000);
        let (_, source) = p.partitions();
        assert!(matches!(source, MetadataSource::Broker(_)), "{source:?}");
    }

    #[test]
    fn formats_values() {
        assert_eq!(
            json_pretty(r#"{"a":[1,2.5e3,{"b":null}],"c":"x\"y","d":{}}"#).unwrap(),
            "{\n  \"a\": [\n    1,\n    2.5e3,\n    {\n      \"b\": null\n    }\n  ],\n  \"c\": \"x\\\"y\",\n  \"d\": {}\n}"
        );
        assert_eq!(json_pretty("true"), Some("true".into()));
        for bad in [
            "",
            "{",
            "{\"a\" 1}",
            "[1,]",
            "01",
            "\"\\x\"",
            "nul",
            "[1] x",
            "<b>hi</b>",
        ] {
            assert_eq!(json_pretty(bad), None, "{bad}");
        }
        let deep = "[".repeat(1000);
        assert_eq!(json_pretty(&deep), None);
        assert_eq!(format_bytes(b"<b>", ValueFormat::Json), Err("<b>".into()));
        assert_eq!(format_bytes(&[0, 255], ValueFormat::Hex), Ok("00 ff".into()));
        assert_eq!(format_bytes(&[0x68, 0xff], ValueFormat::Text), Ok("h\u{fffd}".into()));
    }

    /// A tick stopped by its frame budget owes the rest: run on to the same
    /// moment, the cluster did exactly what an unbudgeted run did.
    /// 3 brokers (`seed`), topic `orders` of `partitions` partitions RF 3,
    /// and the page's producer sending `rate` records/s to it.
    fn producing(seed: u64, partitions: &str, rate: &str) -> Playground {
        let mut p = Playground::new(3, seed);
        p.create_topic(&TopicForm {
            name: "orders".into(),
            partitions: partitions.into(),
            replication_factor: "3".into(),
        })
        .unwrap();
        p.start_producer(&ProducerForm {
            topic: "orders".into(),
            rate: rate.into(),
            ..ProducerForm::default()
        })
        .unwrap();
        p
    }

    #[test]
    fn a_budgeted_tick_does_the_same_later() {
        let run = |stop_every: Option<u32>| {
            let mut p = producing(7, "3", "50");
            let mut asked = 0_u32;
            for _ in 0..200 {
                p.tick_within(16.0, &mut || {
                    asked += 1;
                    stop_every.is_some_and(|n| asked % n == 0)
                });
            }
            let behind = p.elapsed_ms();
            let target = p.sim().config().origin_ms + 10_000;
            let now = p.sim().now();
            p.run_for(target - now);
            let sim = p.sim();
            (
                behind,
                sim.now(),
                sim.trace().hash(),
                p.producer.as_ref().map(|r| r.sent),
            )
        };
        let free = run(None);
        let budgeted = run(Some(3));
        assert!(
            budgeted.0 < free.0,
            "the budget stopped some ticks early: {budgeted:?} {free:?}"
        );
        assert_eq!((budgeted.1, budgeted.2, budgeted.3), (free.1, free.2, free.3));
    }

    /// A page input (here a fault) after a tick the budget stopped: the
    /// page's journal, replayed, must reach the same trace (a shared link).
    #[test]
    fn an_input_after_a_budgeted_tick_replays_to_the_same_trace() {
        for stop_every in [u32::MAX, 2, 3, 5, 7] {
            let mut p = producing(11, "6", "200");
            let mut asked = 0_u32;
            for i in 0..300 {
                p.tick_within(16.0, &mut || {
                    asked += 1;
                    asked % stop_every == 0
                });
                match i {
                    100 => p.fault(FaultKind::Kill, 2),
                    150 => p.fault(FaultKind::Restart, 2),
                    200 => p.fault(FaultKind::Pause, 3),
                    250 => p.fault(FaultKind::Resume, 3),
                    _ => {}
                }
            }
            let text = crate::journal::journal_text(&p);
            let replayed = crate::journal::from_journal_text(&text).expect("parses");
            if replayed.hash_matches != Some(true) {
                // Where the two traces part, to see which event an input overtook.
                let lines = |p: &Playground| p.sim().trace().lines().map(|l| l.to_string()).collect::<Vec<_>>();
                let (live, again) = (lines(&p), lines(&replayed.playground));
                let at = live
                    .iter()
                    .zip(&again)
                    .position(|(a, b)| a != b)
                    .unwrap_or(live.len().min(again.len()));
                eprintln!(
                    "the traces part at line {at}:\npage:   {:?}\nreplay: {:?}",
                    live.get(at),
                    again.get(at)
                );
            }
            assert_eq!(
                replayed.hash_matches,
                Some(true),
                "stop_every {stop_every}: the replay of\n{text}\nreached another trace"
            );
        }
    }
}
