//! The page's persistence: the playground lives in IndexedDB
//! (`kafkaplay-storage-idb`), so a reload is a restart of the stored cluster,
//! not a reset.
//!
//! - **Load.** On start the page opens the playground database (the last one
//!   used in this browser, `default` at first). If a cluster is stored, it is
//!   restarted from its stored logs (`Playground::restore_cluster`: every
//!   broker recovers, CRCs checked, torn tails cut) and the recovery is shown;
//!   otherwise the fresh cluster the page started with is kept. The shell's
//!   history, the learner's files and the clock (playing or paused, speed)
//!   come back from the playground's key/value area.
//! - **Save.** Every [`COMMIT_INTERVAL_MS`] while something changed, and when
//!   the page is hidden (`visibilitychange`) or left (`pagehide`), ONE commit
//!   writes what the brokers have flushed since the last one. What a broker
//!   had not flushed when the tab died is gone from that broker, as after a
//!   power loss in Kafka. The simulation is borrowed only while the commit's
//!   writes are issued (`begin_commit`), never across the wait.
//! - **Tabs.** One tab writes (Web Locks). Another shows the playground
//!   read-only: its clock stops, the terminal and the cluster's buttons answer
//!   with a read-only text, and it reloads the cluster when the writer
//!   announces a commit (`BroadcastChannel`). It polls the lock, and takes
//!   over as the writer once the writer's tab has closed.
//! - **Quota.** A full quota leaves the stored playground as it was (the
//!   transaction is atomic); the page says so, the cluster keeps running in
//!   memory and saving is tried again later.
//! - **Playgrounds.** Named databases: list, new, switch, reset, delete,
//!   export to a `.kafkaplay` file and import one; a partition's Kafka files;
//!   the `docker-compose.yml` and topics script of `kafkaplay export-compose`.
//!
//! The pure parts (names, the files' encoding, the read-only rule) are tested
//! natively; the rest runs only in a browser (natively the engine is absent
//! and every call says so).

use kafkaplay_flatmap::FlatMap;
use std::cell::RefCell;
use std::rc::Rc;

use kafkaplay_cluster::sim::persist::RestoreReport;
use kafkaplay_cluster::{NodeId, Simulation, TopicPartition};
use kafkaplay_shell::fs::Machine;
use kafkaplay_shell::{Shell, World};
use yew::Callback;

use crate::app::Msg;
use crate::i18n::Lang;
use crate::journal::Journal;
use crate::playground::{Playground, SPEEDS};
use crate::terminal::{decode_history, encode_history};

#[cfg(target_arch = "wasm32")]
use kafkaplay_storage_idb as engine;

/// How often the page saves while the cluster changes (real ms).
pub const COMMIT_INTERVAL_MS: i32 = 2_000;
/// The driver's timer (real ms): a command typed or a button pressed is saved
/// at the next tick rather than at the next interval.
const TIMER_MS: i32 = 500;
const TICKS_PER_COMMIT: u32 = (COMMIT_INTERVAL_MS / TIMER_MS) as u32;
/// How often the storage estimate is refreshed, in commits.
const ESTIMATE_EVERY_COMMITS: u32 = 10;
/// After a failed commit (a full quota), the next try waits this many ticks (10 s).
const RETRY_AFTER_TICKS: u32 = 20;

/// The bytes of segment chunks a commit writes in one animation frame (at
/// least one chunk): a broker's page-cache flush of 30 s of a producer at
/// 10,000 records/s on 1,000 partitions RF 3 is about 150 MB to save, in one
/// task 320 ms; at 512 KiB a frame it goes out over about 3.5 s, with about
/// 1.4 ms of copying and puts a frame (BENCHMARKS.md, *the page*).
pub const SAVE_BYTES_PER_FRAME: usize = 512 << 10;
/// The playground a browser starts with.
pub const DEFAULT_PLAYGROUND: &str = "default";
/// The longest playground name the menu accepts.
pub const NAME_CHARS_MAX: usize = 40;

/// Key/value entries of a playground.
pub const KV_HISTORY: &str = "shell.history";
pub const KV_FILES: &str = "shell.files";
pub const KV_CLOCK: &str = "page.clock";
/// The page's journal (`crate::journal`), so that the timeline and share
/// links go on after a reload.
pub const KV_JOURNAL: &str = "page.journal";
/// Where the terminal kept its history before (migrated once, then removed).
pub const LEGACY_HISTORY_KEY: &str = "kafkaplay.terminal.history";
/// `localStorage`: the playground this browser used last.
const LAST_PLAYGROUND_KEY: &str = "kafkaplay.playground";
/// The test seam: `?persist-fault=quota` makes every commit of this page end
/// as a full disk does (the engine aborts the transaction with a
/// `QuotaExceededError`, see `Playground::inject_fault`). Headless Chromium
/// cannot lower a real quota (its 10 GB), so the end-to-end test uses this.
const FAULT_PARAM: &str = "persist-fault";

// ---------------------------------------------------------------------------
// Pure parts

/// A playground name typed in the menu, trimmed; `None` if unusable (empty,
/// too long, or with `/` or control characters).
pub fn parse_name(input: &str) -> Option<String> {
    let name = input.trim();
    let ok = !name.is_empty()
        && name.chars().count() <= NAME_CHARS_MAX
        && !name.chars().any(|c| c == '/' || c == '\\' || c.is_control());
    ok.then(|| name.to_string())
}

/// The playground name for an imported file: its name without `.kafkaplay`.
pub fn name_from_file(file_name: &str) -> String {
    let stem = file_name.strip_suffix(".kafkaplay").unwrap_or(file_name);
    parse_name(stem)
        .or_else(|| {
            parse_name(
                &stem
                    .chars()
                    .filter(|c| *c != '/' && *c != '\\')
                    .take(NAME_CHARS_MAX)
                    .collect::<String>(),
            )
        })
        .unwrap_or_else(|| "imported".to_string())
}

/// Whether a page message changes the cluster (refused in a read-only tab).
pub fn changes_cluster(msg: &Msg) -> bool {
    matches!(
        msg,
        Msg::TogglePlay
            | Msg::Step
            | Msg::NewCluster
            | Msg::Fault(..)
            | Msg::Cut
            | Msg::Heal
            | Msg::CreateTopic
            | Msg::StartProducer
            | Msg::StopProducer
            | Msg::StartConsumer
            | Msg::StopConsumer(_)
            | Msg::Fork
    )
}

const FILES_MAGIC: &[u8; 4] = b"KPF1";
/// Bounds on a stored file list (bad input is an error, not an allocation).
const FILES_ENTRIES_MAX: u32 = 100_000;

/// The learner's files and directories on every machine of `world` (the
/// host and each node's container), as stored under [`KV_FILES`]:
/// `KPF1 | u32 count | (u8 kind (0 file, 1 dir) | i32 machine (-1 = host) |
/// u32 len | path | u32 len | bytes)*`, little-endian.
pub fn encode_files(world: &World) -> Vec<u8> {
    let config = world.sim.config();
    let mut machines: Vec<Machine> = vec![None];
    machines.extend(config.brokers.iter().chain(&config.controllers).map(|id| Some(*id)));
    let mut entries: Vec<(u8, Machine, String, Vec<u8>)> = Vec::new();
    for m in machines {
        let mut dirs = vec!["/".to_string()];
        while let Some(dir) = dirs.pop() {
            let (files, subdirs) = world.fs.children_on(m, &dir);
            let join = |name: &str| {
                if dir == "/" {
                    format!("/{name}")
                } else {
                    format!("{dir}/{name}")
                }
            };
            for (name, _) in files {
                let path = join(&name);
                if let Some(bytes) = world.fs.read_on(m, &path) {
                    entries.push((0, m, path, bytes.to_vec()));
                }
            }
            for name in subdirs {
                let path = join(&name);
                entries.push((1, m, path.clone(), Vec::new()));
                dirs.push(path);
            }
        }
    }
    let mut out = FILES_MAGIC.to_vec();
    out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    for (kind, m, path, bytes) in entries {
        out.push(kind);
        out.extend_from_slice(&m.unwrap_or(-1).to_le_bytes());
        out.extend_from_slice(&(path.len() as u32).to_le_bytes());
        out.extend_from_slice(path.as_bytes());
        out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        out.extend_from_slice(&bytes);
    }
    out
}

/// Puts stored files back into `world`'s filesystem. A damaged entry list is
/// an error and changes nothing.
pub fn restore_files(world: &mut World, stored: &[u8]) -> Result<usize, String> {
    let bad = || "the stored files are damaged".to_string();
    let mut pos = 0usize;
    let mut take = |n: usize| -> Result<&[u8], String> {
        let end = pos.checked_add(n).filter(|e| *e <= stored.len()).ok_or_else(bad)?;
        let s = &stored[pos..end];
        pos = end;
        Ok(s)
    };
    if take(4)? != FILES_MAGIC {
        return Err(bad());
    }
    let u32_of = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let count = u32_of(take(4)?);
    if count > FILES_ENTRIES_MAX {
        return Err(bad());
    }
    let mut entries = Vec::new();
    for _ in 0..count {
        let kind = take(1)?[0];
        let m = i32::from_le_bytes(take(4)?.try_into().map_err(|_| bad())?);
        let len = u32_of(take(4)?) as usize;
        let path = String::from_utf8(take(len)?.to_vec()).map_err(|_| bad())?;
        let len = u32_of(take(4)?) as usize;
        let bytes = take(len)?.to_vec();
        if kind > 1 || !path.starts_with('/') {
            return Err(bad());
        }
        let machine: Machine = if m == -1 { None } else { Some(m as NodeId) };
        entries.push((kind, machine, path, bytes));
    }
    if pos != stored.len() {
        return Err(bad());
    }
    let n = entries.len();
    for (kind, m, path, bytes) in entries {
        if kind == 0 {
            world.fs.write_on(m, &path, bytes);
        } else {
            world.fs.mkdir_on(m, &path);
        }
    }
    Ok(n)
}

/// The clock as stored under [`KV_CLOCK`]: playing, and the speed's index.
pub fn encode_clock(running: bool, speed_index: usize) -> Vec<u8> {
    vec![u8::from(running), speed_index.min(SPEEDS.len() - 1) as u8]
}

pub fn decode_clock(stored: &[u8]) -> Option<(bool, usize)> {
    match stored {
        [r @ (0 | 1), s] if (*s as usize) < SPEEDS.len() => Some((*r == 1, *s as usize)),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// The driver

/// What the page shows about saving.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Status {
    /// The playground's name.
    pub name: String,
    /// The database is open and the page shows what it held.
    pub loaded: bool,
    /// This tab writes the playground (holds the writer lock).
    pub writer: bool,
    /// Commits this page made, and the simulated time (since the cluster's
    /// start) the last one saved.
    pub commits: u32,
    pub saved_at_ms: Option<i64>,
    /// Bytes of the last commit that wrote something.
    pub last_commit_bytes: u64,
    /// What the restart from storage found (shown after a load), and the
    /// stored simulated time (since the start) the clock went on from.
    pub restored: Option<RestoreReport>,
    pub restored_at_ms: i64,
    /// Stored files that were damaged (not loaded past the damage).
    pub damaged_files: Vec<String>,
    /// The last save or load failure (a full quota says so).
    pub error: Option<PersistError>,
    /// `navigator.storage`: usage and quota in bytes, and whether storage is
    /// persistent (not evicted under pressure).
    pub usage_bytes: Option<(f64, f64)>,
    pub persistent: Option<bool>,
    /// Playgrounds in this browser.
    pub list: Vec<String>,
    /// The last menu action's outcome (shown in the menu).
    pub outcome: Option<Outcome>,
    /// A command was refused because this tab is read-only.
    pub refused: bool,
    /// Reloads done to follow the writer.
    pub follows: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PersistError {
    Quota,
    /// Any other engine message (English, from the engine).
    Other(String),
}

/// A menu action's outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Exported(String),
    Imported(String),
    Deleted(String),
    Reset(String),
    Downloaded(Vec<String>),
    BadName,
    NoPartition,
    Failed(String),
}

/// What the menu asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    SetNewName(String),
    New,
    Switch(String),
    Reset,
    Delete(String),
    Export,
    /// Bytes and the file's name, read from the file input.
    Import(Vec<u8>, String),
    ExportCompose,
    SetPartition(String),
    /// `topic-partition`.
    ExportPartition(String),
    /// The menu was opened or closed.
    MenuOpen(bool),
}

/// Messages of the persistence driver (wrapped in the page's `Msg::Persist`).
pub enum Event {
    Loaded(Box<Loaded>),
    LoadFailed(String),
    /// The save timer.
    Timer,
    /// The page is hidden or left: save now.
    Hidden,
    Committed(Box<EngineBox>, Result<u64, (Failure, String)>),
    Estimate(Option<(f64, f64)>),
    Persistent(bool),
    List(Vec<String>),
    Ui(Action),
    /// An action finished; open playground `name` if given (the current
    /// one was closed for it).
    ActionDone(Option<Outcome>, Option<String>),
    /// The follower's check: nothing to do, the engine comes back.
    Idle(Box<EngineBox>),
}

/// What opening a playground gave.
pub struct Loaded {
    engine: EngineBox,
    cluster: Option<(Simulation, RestoreReport)>,
    history: Option<Vec<String>>,
    files: Option<Vec<u8>>,
    clock: Option<(bool, usize)>,
    journal: Option<Journal>,
    damaged_files: Vec<String>,
    /// Why it was opened.
    reason: Reason,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Reason {
    /// The page's start: keep the fresh cluster if nothing is stored.
    Start,
    /// A read-only tab following the writer, or taking over.
    Follow,
    /// Another playground, or this one reset: a fresh cluster if nothing is stored.
    Switch,
}

/// The engine's playground, owned by the driver except while an async step
/// holds it.
pub struct EngineBox {
    #[cfg(target_arch = "wasm32")]
    pg: engine::Playground,
}

/// The driver, owned by the page.
pub struct Persist {
    pub status: Status,
    engine: Option<EngineBox>,
    /// A step (commit, reload, action) is under way.
    busy: bool,
    on_event: Callback<Event>,
    /// What the last commit saved: the simulation's fingerprint and the
    /// key/value values.
    saved_fingerprint: Option<(i64, u64, u64)>,
    /// The simulated time (since the start) of the commit under way.
    committing_at_ms: i64,
    saved_kv: FlatMap<&'static str, Vec<u8>>,
    /// The legacy history is removed once a commit stored it.
    legacy_history: bool,
    intervals: u32,
    retry_at: u32,
    /// Commits announced by the writer that this read-only tab has shown.
    seen_changes: u64,
    pub new_name: String,
    pub partition: String,
    /// The menu is open: only then does the page build its contents (a list
    /// of every partition to export, for one).
    pub menu_open: bool,
    /// A save was asked for while a step was under way.
    save_wanted: bool,
    /// A command ran or a button changed the cluster: save at the next tick.
    soon: bool,
    /// The pace of the commit in flight, refilled every frame (`frame`).
    pace: Option<Pace>,
    /// The timer found a save due; the page does it at its next frame
    /// (`save_when_due`), so that it does not share a frame with other work.
    save_due: bool,
    /// A menu action asked for while a step was under way.
    queued: Option<Action>,
    /// `?persist-fault=quota`: every commit fails as on a full disk.
    quota_fault: bool,
    _timer: Option<crate::browser::Interval>,
    _listeners: Vec<Listener>,
}

impl Persist {
    /// Starts: opens the last used playground and reports `Loaded` (or
    /// `LoadFailed`) through `on_event`; saves on a timer and when the page
    /// is hidden.
    /// `name`: the playground to open instead of the last one used (a page
    /// opened from a shared link gets a new playground of its own, so the
    /// link's cluster neither is replaced by nor overwrites a stored one).
    pub fn start(on_event: Callback<Event>, name: Option<String>) -> Persist {
        let name = name
            .and_then(|n| parse_name(&n))
            .or_else(last_playground)
            .unwrap_or_else(|| DEFAULT_PLAYGROUND.to_string());
        let timer = {
            let cb = on_event.clone();
            crate::browser::Interval::new(TIMER_MS, move || cb.emit(Event::Timer))
        };
        let listeners = hidden_listeners(&on_event);
        let mut p = Persist {
            status: Status {
                name: name.clone(),
                ..Default::default()
            },
            engine: None,
            busy: true,
            on_event,
            saved_fingerprint: None,
            committing_at_ms: 0,
            saved_kv: FlatMap::new(),
            legacy_history: false,
            intervals: 0,
            retry_at: 0,
            seen_changes: 0,
            new_name: String::new(),
            partition: String::new(),
            menu_open: false,
            save_wanted: false,
            soon: false,
            pace: None,
            save_due: false,
            queued: None,
            quota_fault: crate::browser::query_param(FAULT_PARAM).as_deref() == Some("quota"),
            _timer: timer,
            _listeners: listeners,
        };
        p.spawn_open(name, Reason::Start);
        p.spawn_storage_info(true);
        p
    }

    /// The save the timer found due, if it did; true if so. The page calls
    /// this from its frame loop, in a frame that does nothing else (a save of
    /// a big cluster takes a few ms: the simulation's image and the changed
    /// bytes are read).
    pub fn save_when_due(&mut self, pg: &Playground) -> bool {
        let due = std::mem::take(&mut self.save_due);
        if due {
            self.save(pg, false);
        }
        due
    }

    /// A new animation frame: a paced commit in flight may write another
    /// frame's share ([`SAVE_BYTES_PER_FRAME`]).
    pub fn frame(&self) {
        if let Some(p) = &self.pace {
            p.refill();
        }
    }

    /// A paced commit in flight writes the rest of it at once.
    fn hurry_commit(&self) {
        if let Some(p) = &self.pace {
            p.hurry();
        }
    }

    /// This tab only shows the playground.
    pub fn read_only(&self) -> bool {
        self.status.loaded && !self.status.writer
    }

    /// Whether the page may run `msg`; a refused one is remembered for the banner.
    pub fn allows(&mut self, msg: &Msg) -> bool {
        let changes = changes_cluster(msg) || matches!(msg, Msg::ShellChanged);
        if self.read_only() && changes_cluster(msg) {
            self.status.refused = true;
            return false;
        }
        self.soon |= changes;
        true
    }

    /// Handles one event; returns the page's new playground when the cluster
    /// was replaced (restored, followed, switched, reset).
    pub fn handle(&mut self, event: Event, pg: &mut Playground) -> Option<Playground> {
        match event {
            Event::Loaded(loaded) => return self.loaded(*loaded, pg),
            Event::LoadFailed(message) => {
                self.busy = false;
                self.status.loaded = false;
                self.status.error = Some(classify(Failure::Other, message));
            }
            Event::Timer => {
                self.intervals += 1;
                let due = self.intervals % TICKS_PER_COMMIT == 0;
                if self.read_only() {
                    if due {
                        self.follow_check();
                    }
                } else if due || self.soon {
                    // Done by the page in a frame of its own (`save_when_due`).
                    self.save_due = true;
                }
            }
            Event::Hidden => self.save(pg, true),
            Event::Committed(engine, result) => {
                self.engine = Some(*engine);
                self.busy = false;
                self.pace = None;
                match result {
                    Ok(bytes) => {
                        self.status.commits += 1;
                        self.status.saved_at_ms = Some(self.committing_at_ms);
                        if bytes > 0 {
                            self.status.last_commit_bytes = bytes;
                        }
                        if self.status.error.is_some() {
                            self.status.error = None;
                        }
                        if self.legacy_history {
                            self.legacy_history = false;
                            remove_legacy_history();
                        }
                        if self.status.commits % ESTIMATE_EVERY_COMMITS == 1 {
                            self.spawn_storage_info(false);
                        }
                    }
                    Err((Failure::Superseded, _)) => {
                        // The cluster rewrote a segment this paced commit was
                        // still writing: nothing of it is stored, and the next
                        // save (at the next timer event) writes the difference.
                        self.saved_fingerprint = None;
                        self.saved_kv.clear();
                        self.soon = true;
                    }
                    Err((failure, message)) => {
                        // Nothing of this commit is stored; try the whole difference again later.
                        self.saved_fingerprint = None;
                        self.saved_kv.clear();
                        self.status.error = Some(classify(failure, message));
                        self.retry_at = self.intervals + RETRY_AFTER_TICKS;
                        self.spawn_storage_info(false);
                    }
                }
                if let Some(a) = self.queued.take() {
                    return self.action(a, pg);
                }
                if self.save_wanted {
                    self.save_wanted = false;
                    self.save(pg, true);
                }
            }
            Event::Estimate(e) => self.status.usage_bytes = e,
            Event::Persistent(p) => self.status.persistent = Some(p),
            Event::List(list) => self.status.list = list,
            Event::Idle(engine) => {
                self.engine = Some(*engine);
                self.busy = false;
                if let Some(a) = self.queued.take() {
                    return self.action(a, pg);
                }
            }
            Event::ActionDone(outcome, reopen) => {
                if outcome.is_some() {
                    self.status.outcome = outcome;
                }
                self.spawn_storage_info(false);
                if let Some(name) = reopen {
                    self.switch_to(name);
                }
            }
            Event::Ui(action) => return self.action(action, pg),
        }
        None
    }

    fn loaded(&mut self, l: Loaded, current: &mut Playground) -> Option<Playground> {
        #[cfg(target_arch = "wasm32")]
        {
            self.status.writer = l.engine.pg.is_writer();
            self.seen_changes = l.engine.pg.changes_seen();
            self.status.name = l.engine.pg.name().to_string();
        }
        self.busy = false;
        self.status.loaded = true;
        self.status.error = None;
        self.status.damaged_files = l.damaged_files;
        self.engine = Some(l.engine);
        self.saved_fingerprint = None;
        self.saved_kv.clear();
        if l.reason == Reason::Follow {
            self.status.follows += 1;
        } else {
            self.status.refused = false;
        }
        remember_playground(&self.status.name);
        let mut replacement = match (l.cluster, l.reason) {
            (Some((sim, report)), _) => {
                self.status.restored = Some(report);
                self.status.restored_at_ms = sim.now() - sim.config().origin_ms;
                self.status.saved_at_ms = Some(self.status.restored_at_ms);
                Some(restored_playground(sim, l.journal))
            }
            // Nothing stored yet: the page's fresh cluster becomes this playground.
            (None, Reason::Start) => {
                self.status.restored = None;
                self.status.saved_at_ms = None;
                None
            }
            (None, _) => {
                self.status.restored = None;
                self.status.saved_at_ms = None;
                Some(Playground::new(3, (crate::browser::now_ms() as u64) % 1_000_000))
            }
        };
        let pg = replacement.as_mut().unwrap_or(current);
        if let Ok(mut shell) = pg.shell.try_borrow_mut() {
            let history = match l.history {
                Some(h) => Some(h),
                None => {
                    let legacy = legacy_history();
                    self.legacy_history = legacy.is_some();
                    legacy
                }
            };
            if let Some(h) = history {
                shell.set_history(h);
            }
            if let Some(files) = &l.files {
                // Damaged files are left out; the cluster still loads.
                let _ = restore_files(shell.world_mut(), files);
            }
        }
        if let Some((running, speed)) = l.clock {
            pg.running = running;
            pg.set_speed_index(speed);
        }
        if !self.status.writer {
            // A read-only tab shows the writer's last commit; it does not run.
            pg.running = false;
        }
        replacement
    }

    /// Commits if this tab writes and something changed (`now` also when the
    /// page is being hidden, even inside the interval).
    fn save(&mut self, pg: &Playground, now: bool) {
        if !self.status.loaded || !self.status.writer {
            return;
        }
        if self.busy || self.engine.is_none() {
            if now {
                self.save_wanted = true;
                // A hidden page gets no frames to pace a commit by.
                self.hurry_commit();
            }
            return;
        }
        if !now && self.status.error.is_some() && self.intervals < self.retry_at {
            return;
        }
        // The terminal or the page is using the simulation (never between
        // messages, but a busy shell must not panic the page).
        let Ok(shell) = pg.shell.try_borrow() else { return };
        let sim = &shell.world().sim;
        let fingerprint = (sim.now(), sim.trace().count(), sim.trace().hash());
        let at_ms = sim.now() - sim.config().origin_ms;
        let kv = kv_of(&shell, pg);
        let kv_changed: Vec<(&'static str, Vec<u8>)> = kv
            .into_iter()
            .filter(|(k, v)| self.saved_kv.get(k) != Some(v))
            .collect();
        if self.saved_fingerprint == Some(fingerprint) && kv_changed.is_empty() {
            self.soon = false;
            return;
        }
        let Some(mut engine) = self.engine.take() else { return };
        self.soon = false;
        // A save from the timer is paced over the frames (see `frame`); one
        // for a page being hidden goes out at once.
        let pace = (!now).then(|| calls::pace(pg.shell.clone()));
        let begun = begin_commit(&mut engine, sim, &kv_changed, self.quota_fault, pace.as_ref());
        self.pace = pace;
        drop(shell);
        match begun {
            Ok(pending) => {
                self.busy = true;
                self.committing_at_ms = at_ms;
                self.saved_fingerprint = Some(fingerprint);
                for (k, v) in kv_changed {
                    self.saved_kv.insert(k, v);
                }
                let cb = self.on_event.clone();
                spawn(async move {
                    let result = finish_commit(&mut engine, pending).await;
                    cb.emit(Event::Committed(Box::new(engine), result));
                });
            }
            Err((failure, message)) => {
                self.engine = Some(engine);
                self.status.error = Some(classify(failure, message));
                self.retry_at = self.intervals + RETRY_AFTER_TICKS;
            }
        }
    }

    /// A read-only tab: reloads when the writer announced a commit, and every
    /// other interval tries to become the writer (the writer's tab may have closed).
    fn follow_check(&mut self) {
        if self.busy {
            return;
        }
        let Some(mut engine) = self.engine.take() else { return };
        self.busy = true;
        let announced = engine_changes(&engine) > self.seen_changes;
        let try_lock = self.intervals % (2 * TICKS_PER_COMMIT) == 0;
        let cb = self.on_event.clone();
        spawn(async move {
            let writer = try_lock && engine_try_writer(&mut engine).await;
            if announced || writer {
                match reopen(engine).await {
                    Ok(e) => cb.emit(load_event(e, Reason::Follow)),
                    Err(m) => cb.emit(Event::LoadFailed(m)),
                }
            } else {
                cb.emit(Event::Idle(Box::new(engine)));
            }
        });
    }

    fn action(&mut self, action: Action, pg: &mut Playground) -> Option<Playground> {
        match action {
            Action::SetNewName(v) => self.new_name = v,
            Action::SetPartition(v) => self.partition = v,
            Action::MenuOpen(open) => self.menu_open = open,
            Action::ExportCompose => {
                let files = match pg.shell.try_borrow() {
                    Ok(shell) => kafkaplay_shell::playground::export_compose(shell.world()),
                    Err(_) => return None,
                };
                let mut names = Vec::new();
                for (name, text) in files {
                    match crate::browser::download(&name, text.as_bytes()) {
                        Ok(()) => names.push(name),
                        Err(e) => self.status.outcome = Some(Outcome::Failed(e)),
                    }
                }
                if !names.is_empty() {
                    self.status.outcome = Some(Outcome::Downloaded(names));
                }
            }
            Action::ExportPartition(selected) => {
                let tp = selected
                    .rsplit_once('-')
                    .and_then(|(t, p)| p.parse::<i32>().ok().map(|p| TopicPartition::new(t, p)));
                self.status.outcome = Some(match tp.and_then(|tp| export_partition(pg, &tp)) {
                    Some((dir, files)) => {
                        let mut names = Vec::new();
                        for f in files {
                            let name = format!("{dir}_{}", f.name);
                            if crate::browser::download(&name, &f.bytes).is_ok() {
                                names.push(name);
                            }
                        }
                        Outcome::Downloaded(names)
                    }
                    None => Outcome::NoPartition,
                });
            }
            // The rest needs the engine, after the step under way (a paced
            // commit goes at once: the learner is waiting).
            _ if self.busy && self.status.loaded => {
                self.hurry_commit();
                self.queued = Some(action);
            }
            _ if self.busy => {}
            _ if self.read_only() && matches!(action, Action::Reset | Action::Import(..)) => {
                self.status.refused = true;
            }
            Action::New => match parse_name(&self.new_name) {
                Some(name) => {
                    self.new_name.clear();
                    self.status.outcome = None;
                    self.leave_and(pg, true, move |cb| async move {
                        cb.emit(Event::ActionDone(None, Some(name)));
                    });
                }
                None => self.status.outcome = Some(Outcome::BadName),
            },
            Action::Switch(name) => {
                if name != self.status.name {
                    self.status.outcome = None;
                    self.leave_and(pg, true, move |cb| async move {
                        cb.emit(Event::ActionDone(None, Some(name)));
                    });
                }
            }
            Action::Reset => {
                let name = self.status.name.clone();
                self.leave_and(pg, false, move |cb| async move {
                    let outcome = match engine_reset(&name).await {
                        Ok(()) => Outcome::Reset(name.clone()),
                        Err(m) => Outcome::Failed(m),
                    };
                    cb.emit(Event::ActionDone(Some(outcome), Some(name)));
                });
            }
            Action::Delete(name) => {
                let current = name == self.status.name;
                let run = move |cb: Callback<Event>| async move {
                    let outcome = match engine_delete(&name).await {
                        Ok(()) => Outcome::Deleted(name.clone()),
                        Err(m) => Outcome::Failed(m),
                    };
                    let next = current.then(|| DEFAULT_PLAYGROUND.to_string());
                    cb.emit(Event::ActionDone(Some(outcome), next));
                    cb.emit(Event::List(engine_list().await));
                };
                if current {
                    self.leave_and(pg, false, run);
                } else {
                    // Another playground: its connections (other tabs) close themselves.
                    spawn(run(self.on_event.clone()));
                }
            }
            Action::Export => {
                let mut engine = self.engine.take()?;
                // Save first, so the file holds what the page shows.
                let begun = if self.status.writer {
                    let kv = kv_now(pg);
                    match pg.shell.try_borrow() {
                        Ok(shell) => Some(begin_commit(
                            &mut engine,
                            &shell.world().sim,
                            &kv,
                            self.quota_fault,
                            None,
                        )),
                        Err(_) => None,
                    }
                } else {
                    None
                };
                self.busy = true;
                let cb = self.on_event.clone();
                let file = format!("{}.kafkaplay", self.status.name);
                spawn(async move {
                    if let Some(Ok(pending)) = begun {
                        let _ = finish_commit(&mut engine, pending).await;
                    }
                    let outcome = match engine_export(&engine).await {
                        Ok(bytes) => match crate::browser::download(&file, &bytes) {
                            Ok(()) => Outcome::Exported(file),
                            Err(e) => Outcome::Failed(e),
                        },
                        Err(m) => Outcome::Failed(m),
                    };
                    cb.emit(Event::Idle(Box::new(engine)));
                    cb.emit(Event::ActionDone(Some(outcome), None));
                });
            }
            Action::Import(bytes, file_name) => {
                // The file becomes the playground named after it; the page
                // closes the current one (saved) and opens that one, or
                // reopens the current one if the file is refused.
                let name = name_from_file(&file_name);
                let current = self.status.name.clone();
                self.leave_and(pg, true, move |cb| async move {
                    match engine_import(&name, &bytes).await {
                        Ok(()) => cb.emit(Event::ActionDone(Some(Outcome::Imported(name.clone())), Some(name))),
                        Err(m) => cb.emit(Event::ActionDone(Some(Outcome::Failed(m)), Some(current))),
                    }
                    cb.emit(Event::List(engine_list().await));
                });
            }
        }
        None
    }

    /// Closes the current playground, saving it first if `save` (which also
    /// releases the writer lock), then runs `then`.
    fn leave_and<F, Fut>(&mut self, pg: &Playground, save: bool, then: F)
    where
        F: FnOnce(Callback<Event>) -> Fut + 'static,
        Fut: std::future::Future<Output = ()> + 'static,
    {
        let mut engine = self.engine.take();
        let fault = self.quota_fault;
        let begun = match (&mut engine, save && self.status.writer) {
            (Some(e), true) => {
                let kv = kv_now(pg);
                pg.shell
                    .try_borrow()
                    .ok()
                    .map(|shell| begin_commit(e, &shell.world().sim, &kv, fault, None))
            }
            _ => None,
        };
        self.busy = true;
        self.status.loaded = false;
        let cb = self.on_event.clone();
        spawn(async move {
            if let Some(mut e) = engine {
                if let Some(Ok(pending)) = begun {
                    let _ = finish_commit(&mut e, pending).await;
                }
                engine_close(e);
            }
            then(cb).await;
        });
    }

    fn switch_to(&mut self, name: String) {
        self.status.name = name.clone();
        self.status.loaded = false;
        self.busy = true;
        self.spawn_open(name, Reason::Switch);
    }

    fn spawn_open(&mut self, name: String, reason: Reason) {
        let cb = self.on_event.clone();
        spawn(async move {
            let event = match open(&name).await {
                Ok(e) => load_event(e, reason),
                Err(m) => Event::LoadFailed(m),
            };
            cb.emit(event);
            cb.emit(Event::List(engine_list().await));
        });
    }

    fn spawn_storage_info(&self, ask_persistence: bool) {
        let cb = self.on_event.clone();
        spawn(async move {
            if ask_persistence {
                if let Some(p) = engine_request_persistence().await {
                    cb.emit(Event::Persistent(p));
                }
            }
            cb.emit(Event::Estimate(engine_estimate().await));
        });
    }

    /// Whether the page may start a step that needs the engine (menu buttons).
    pub fn idle(&self) -> bool {
        !self.busy && self.engine.is_some()
    }
}

/// The page's key/value entries now.
fn kv_of(shell: &kafkaplay_shell::Shell, pg: &Playground) -> [(&'static str, Vec<u8>); 4] {
    [
        (KV_HISTORY, encode_history(shell.history()).into_bytes()),
        (KV_FILES, encode_files(shell.world())),
        (KV_CLOCK, encode_clock(pg.running, pg.speed_index)),
        (KV_JOURNAL, encode_journal(pg)),
    ]
}

/// The journal as stored under [`KV_JOURNAL`]: its start (absolute
/// simulated ms, which the text leaves out) on the first line, then its
/// text, ending at its last entry (so it is written again only when it grew).
pub fn encode_journal(pg: &Playground) -> Vec<u8> {
    let journal = pg.journal.borrow();
    format!("{}\n{}", journal.start, journal.to_text(0, None)).into_bytes()
}

/// Reads [`encode_journal`]'s bytes; `None` if they are not that.
pub fn decode_journal(bytes: &[u8]) -> Option<Journal> {
    let text = std::str::from_utf8(bytes).ok()?;
    let (start, text) = text.split_once('\n')?;
    let (mut journal, _, _) = Journal::parse(text).ok()?;
    journal.start = start.parse().ok()?;
    Some(journal)
}

/// The page over a cluster restored from storage. With the journal stored
/// with it, the journal goes on with a reload at the image's time (a replay
/// restarts every node from its disk there, as this restore did), so the
/// timeline and share links keep working. Without one (a playground saved
/// before journals were kept), or with one that is not this cluster's or is
/// full, the timeline says it cannot replay this cluster.
pub fn restored_playground(sim: Simulation, journal: Option<Journal>) -> Playground {
    let at = sim.now();
    let config = sim.config();
    let (seed, brokers, controllers) = (sim.seed(), config.brokers.len() as i32, config.controllers.len() as i32);
    let journal = journal.filter(|j| {
        j.seed == seed
            && j.brokers == brokers
            && j.controllers == controllers
            && j.start <= at
            && j.entries.last().is_none_or(|e| j.start + e.at <= at)
            && j.entries.len() < crate::journal::ENTRIES_MAX
    });
    let mut pg = Playground::restored(sim);
    if let Some(mut journal) = journal {
        journal.record(at, crate::journal::Action::Reload);
        pg.journal = std::rc::Rc::new(std::cell::RefCell::new(journal));
        pg.from_storage = false;
    }
    pg
}

fn kv_now(pg: &Playground) -> Vec<(&'static str, Vec<u8>)> {
    pg.shell
        .try_borrow()
        .map(|s| kv_of(&s, pg).to_vec())
        .unwrap_or_default()
}

fn classify(failure: Failure, message: String) -> PersistError {
    match failure {
        Failure::Quota => PersistError::Quota,
        Failure::Superseded | Failure::Other => PersistError::Other(message),
    }
}

/// Why a commit failed, as the page acts on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The browser's storage is full.
    Quota,
    /// A paced commit was overtaken by the cluster (a segment it was writing
    /// was rewritten): not shown; the next save writes the difference.
    Superseded,
    Other,
}

/// A partition's Kafka files from its leader (or, if it has none, from the
/// first broker holding a replica), with the directory name they belong in.
fn export_partition(pg: &Playground, tp: &TopicPartition) -> Option<(String, Vec<kafkaplay_log::KafkaFile>)> {
    let (partitions, _) = pg.partitions();
    let p = partitions.iter().find(|p| &p.tp == tp)?;
    let shell = pg.shell.try_borrow().ok()?;
    let sim = &shell.world().sim;
    let mut brokers = vec![p.leader];
    brokers.extend(p.replicas.iter().copied());
    brokers.into_iter().find_map(|b| {
        kafkaplay_storage_idb::export::export_partition(sim, b, tp).map(|f| (format!("broker{b}_{tp}"), f))
    })
}

// ---------------------------------------------------------------------------
// Browser glue

fn spawn(f: impl std::future::Future<Output = ()> + 'static) {
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_futures::spawn_local(f);
    #[cfg(not(target_arch = "wasm32"))]
    drop(f);
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn last_playground() -> Option<String> {
    let v = local_storage()?.get_item(LAST_PLAYGROUND_KEY).ok().flatten()?;
    parse_name(&v)
}

fn remember_playground(name: &str) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(LAST_PLAYGROUND_KEY, name);
    }
}

fn legacy_history() -> Option<Vec<String>> {
    let stored = local_storage()?.get_item(LEGACY_HISTORY_KEY).ok().flatten()?;
    let h = decode_history(&stored);
    (!h.is_empty()).then_some(h)
}

fn remove_legacy_history() {
    if let Some(s) = local_storage() {
        let _ = s.remove_item(LEGACY_HISTORY_KEY);
    }
}

/// `visibilitychange` (to hidden) and `pagehide` listeners, removed on drop.
struct Listener {
    target: web_sys::EventTarget,
    kind: &'static str,
    closure: wasm_bindgen::closure::Closure<dyn FnMut()>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        use wasm_bindgen::JsCast;
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, self.closure.as_ref().unchecked_ref());
    }
}

fn hidden_listeners(on_event: &Callback<Event>) -> Vec<Listener> {
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return Vec::new();
    };
    let Some(document) = window.document() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let targets: [(web_sys::EventTarget, &'static str); 2] = [
        (document.clone().into(), "visibilitychange"),
        (window.into(), "pagehide"),
    ];
    for (target, kind) in targets {
        let cb = on_event.clone();
        let doc = document.clone();
        let closure = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
            if kind == "pagehide" || doc.visibility_state() == web_sys::VisibilityState::Hidden {
                cb.emit(Event::Hidden);
            }
        });
        if target
            .add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref())
            .is_ok()
        {
            out.push(Listener { target, kind, closure });
        }
    }
    out
}

// ----- the engine's calls (natively absent) -----

#[cfg(target_arch = "wasm32")]
mod calls {
    use super::*;
    use engine::{IdbError, PendingCommit};

    pub type Pending = PendingCommit;

    fn split(e: IdbError) -> (Failure, String) {
        let failure = if e.is_quota() {
            Failure::Quota
        } else if e.kind == engine::ErrorKind::Superseded {
            Failure::Superseded
        } else {
            Failure::Other
        };
        (failure, e.message)
    }

    pub use engine::Pace;

    /// A save's pace: the frame's allowance, and the cluster lent from the
    /// page's shell while the save's later writes read it.
    pub fn pace(shell: Rc<RefCell<Shell>>) -> Pace {
        Pace::new(SAVE_BYTES_PER_FRAME, move |f| match shell.try_borrow() {
            Ok(shell) => {
                f(&shell.world().sim);
                true
            }
            Err(_) => false,
        })
    }

    pub async fn open(name: &str) -> Result<EngineBox, String> {
        engine::Playground::open(name)
            .await
            .map(|pg| EngineBox { pg })
            .map_err(|e| e.message)
    }

    pub async fn reopen(e: EngineBox) -> Result<EngineBox, String> {
        e.pg.reopen().await.map(|pg| EngineBox { pg }).map_err(|e| e.message)
    }

    /// Reads everything the page restores (restarting the cluster is synchronous).
    pub fn load_event(mut e: EngineBox, reason: Reason) -> Event {
        let cluster = match e.pg.restore_cluster() {
            Ok(c) => c,
            Err(err) => return Event::LoadFailed(err.message),
        };
        let history =
            e.pg.kv_get(KV_HISTORY)
                .map(|b| decode_history(&String::from_utf8_lossy(b)));
        let files = e.pg.kv_get(KV_FILES).map(<[u8]>::to_vec);
        let clock = e.pg.kv_get(KV_CLOCK).and_then(decode_clock);
        let journal = e.pg.kv_get(KV_JOURNAL).and_then(decode_journal);
        let damaged_files = e.pg.open_report().damaged_files.clone();
        Event::Loaded(Box::new(Loaded {
            engine: e,
            cluster,
            history,
            files,
            clock,
            journal,
            damaged_files,
            reason,
        }))
    }

    pub fn begin_commit(
        e: &mut EngineBox,
        sim: &Simulation,
        kv: &[(&str, Vec<u8>)],
        quota_fault: bool,
        pace: Option<&Pace>,
    ) -> Result<Pending, (Failure, String)> {
        for (k, v) in kv {
            e.pg.kv_set(k, v);
        }
        if quota_fault {
            e.pg.inject_fault(engine::CommitFault::Quota { after_ops: 1 });
        }
        e.pg.begin_commit(Some(sim), pace).map_err(split)
    }

    pub async fn finish_commit(e: &mut EngineBox, p: Pending) -> Result<u64, (Failure, String)> {
        e.pg.finish_commit(p).await.map(|s| s.bytes).map_err(split)
    }

    pub fn engine_changes(e: &EngineBox) -> u64 {
        e.pg.changes_seen()
    }

    pub async fn engine_try_writer(e: &mut EngineBox) -> bool {
        e.pg.try_become_writer().await.unwrap_or(false)
    }

    pub fn engine_close(e: EngineBox) {
        e.pg.close();
    }

    pub async fn engine_export(e: &EngineBox) -> Result<Vec<u8>, String> {
        e.pg.export().await.map(|d| d.to_bytes()).map_err(|e| e.message)
    }

    pub async fn engine_reset(name: &str) -> Result<(), String> {
        engine::reset_playground(name).await.map_err(|e| e.message)
    }

    pub async fn engine_delete(name: &str) -> Result<(), String> {
        engine::delete_playground(name).await.map_err(|e| e.message)
    }

    pub async fn engine_import(name: &str, bytes: &[u8]) -> Result<(), String> {
        engine::import_playground(name, bytes).await.map_err(|e| e.message)
    }

    pub async fn engine_list() -> Vec<String> {
        engine::list_playgrounds().await.unwrap_or_default()
    }

    pub async fn engine_estimate() -> Option<(f64, f64)> {
        engine::storage_estimate()
            .await
            .ok()
            .map(|e| (e.usage_bytes, e.quota_bytes))
    }

    pub async fn engine_request_persistence() -> Option<bool> {
        engine::request_persistence().await.ok()
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod calls {
    //! Natively there is no IndexedDB: the page never runs here (see main.rs),
    //! and every call says so.
    use super::*;

    pub struct Pending;
    const ABSENT: &str = "IndexedDB exists only in a browser";

    pub async fn open(_: &str) -> Result<EngineBox, String> {
        Err(ABSENT.into())
    }
    pub async fn reopen(_: EngineBox) -> Result<EngineBox, String> {
        Err(ABSENT.into())
    }
    pub fn load_event(_: EngineBox, _: Reason) -> Event {
        Event::LoadFailed(ABSENT.into())
    }
    pub fn begin_commit(
        _: &mut EngineBox,
        _: &Simulation,
        _: &[(&str, Vec<u8>)],
        _: bool,
        _: Option<&Pace>,
    ) -> Result<Pending, (Failure, String)> {
        Err((Failure::Other, ABSENT.into()))
    }
    pub async fn finish_commit(_: &mut EngineBox, _: Pending) -> Result<u64, (Failure, String)> {
        Err((Failure::Other, ABSENT.into()))
    }
    pub struct Pace;
    impl Pace {
        pub fn refill(&self) {}
        pub fn hurry(&self) {}
    }
    pub fn pace(_: Rc<RefCell<Shell>>) -> Pace {
        Pace
    }
    pub fn engine_changes(_: &EngineBox) -> u64 {
        0
    }
    pub async fn engine_try_writer(_: &mut EngineBox) -> bool {
        false
    }
    pub fn engine_close(_: EngineBox) {}
    pub async fn engine_export(_: &EngineBox) -> Result<Vec<u8>, String> {
        Err(ABSENT.into())
    }
    pub async fn engine_reset(_: &str) -> Result<(), String> {
        Err(ABSENT.into())
    }
    pub async fn engine_delete(_: &str) -> Result<(), String> {
        Err(ABSENT.into())
    }
    pub async fn engine_import(_: &str, _: &[u8]) -> Result<(), String> {
        Err(ABSENT.into())
    }
    pub async fn engine_list() -> Vec<String> {
        Vec::new()
    }
    pub async fn engine_estimate() -> Option<(f64, f64)> {
        None
    }
    pub async fn engine_request_persistence() -> Option<bool> {
        None
    }
}

use calls::*;

/// The read-only text in the page's language.
pub fn read_only_text(lang: Lang) -> &'static str {
    crate::persist_ui::text(lang).read_only_refusal
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafkaplay_log::StoredSegment;
    use kafkaplay_shell::Flavour;

    /// What IndexedDB would give back: the image and every durable segment.
    fn stored(sim: &Simulation) -> (Vec<u8>, FlatMap<String, Vec<StoredSegment>>) {
        let p = sim.persisted();
        let files = p.stored_files();
        (p.meta, files)
    }

    /// The page's clock for `frames` frames, its budget cut short at every
    /// `stop_every`th question (as a slow frame would).
    fn frames(pg: &mut Playground, frames: usize, stop_every: u32) {
        let mut asked = 0_u32;
        for _ in 0..frames {
            pg.tick_within(16.0, &mut || {
                asked += 1;
                asked % stop_every == 0
            });
        }
    }

    #[test]
    fn a_reloaded_page_keeps_its_journal_and_a_replay_goes_through_the_reload() {
        use crate::journal::{self, Action};
        use crate::playground::{FaultKind, ProducerForm, TopicForm};
        let mut pg = Playground::new(3, 9);
        journal::apply(
            &mut pg,
            &Action::CreateTopic(TopicForm {
                name: "orders".into(),
                partitions: "3".into(),
                replication_factor: "2".into(),
            }),
        );
        journal::apply(
            &mut pg,
            &Action::StartProducer(ProducerForm {
                topic: "orders".into(),
                rate: "100".into(),
                ..ProducerForm::default()
            }),
        );
        frames(&mut pg, 150, 3);
        // Past the brokers' flush interval, so the logs are on their disks.
        journal::apply(&mut pg, &Action::Line("kafkaplay advance 35s".into()));
        frames(&mut pg, 50, 4);
        let saved_at = pg.sim().now();

        // The page saves (image, segments, journal) and is reloaded.
        let (meta, files) = stored(&pg.sim());
        let kv = encode_journal(&pg);
        let (sim, _) = Simulation::restore(&meta, files).expect("restore");
        let mut back = restored_playground(sim, decode_journal(&kv));
        assert!(!back.from_storage, "the timeline and share links stay on");
        {
            let j = back.journal.borrow();
            let last = j.entries.last().expect("entries");
            assert_eq!((j.start + last.at, &last.action), (saved_at, &Action::Reload));
        }
        // The learner goes on: the clock, a broker killed.
        frames(&mut back, 100, 3);
        back.fault(FaultKind::Kill, 2);
        frames(&mut back, 100, 5);

        // A shared link of it (the journal, from the seed) reaches the same trace.
        let text = journal::journal_text(&back);
        assert!(text.contains("\nreload\n") || text.contains(" reload\n"), "{text}");
        let replayed = journal::from_journal_text(&text).expect("parses");
        assert_eq!(replayed.hash_matches, Some(true), "{text}");
        assert_eq!(replayed.playground.partitions().0, back.partitions().0);

        // A playground saved without a journal, or with another cluster's, restores without one.
        let (meta, files) = stored(&pg.sim());
        let (sim, _) = Simulation::restore(&meta, files.clone()).expect("restore");
        assert!(restored_playground(sim, None).from_storage);
        let other = Playground::new(3, 10);
        let (sim, _) = Simulation::restore(&meta, files).expect("restore");
        assert!(restored_playground(sim, decode_journal(&encode_journal(&other))).from_storage);
        assert_eq!(decode_journal(b"not a journal"), None);
    }

    #[test]
    fn a_restored_page_shows_the_saved_partitions_offsets_and_group_offsets() {
        let pg = Playground::new(3, 7);
        let run = |pg: &Playground, c: &str| pg.shell.borrow_mut().submit(c).stdout();
        run(&pg, "kafkaplay sample orders 30");
        run(&pg, "kafka-consumer-groups --bootstrap-server localhost:9092 --reset-offsets --group g1 --topic orders --to-offset 4 --execute");
        run(&pg, "kafkaplay advance 40s"); // past page_cache_flush_interval_ms: the logs are flushed
        let offsets = run(
            &pg,
            "kafka-get-offsets --bootstrap-server localhost:9092 --topic orders",
        );
        let group = run(
            &pg,
            "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group g1",
        );
        let (before, _) = pg.partitions();
        let saved_at = pg.sim().now();
        let (meta, files) = stored(&pg.sim());
        let (sim, report) = Simulation::restore(&meta, files).expect("restore");
        assert_eq!(sim.now(), saved_at, "the clock goes on from the stored time");
        assert_eq!(report.truncated_bytes, 0);
        assert_eq!(
            report.partitions,
            3 * 3 + 50 * 3,
            "orders and __consumer_offsets on 3 brokers"
        );
        let restored = Playground::restored(sim);
        let (after, _) = restored.partitions();
        // The controller's metadata log came back: the same leaders, epochs, replicas and ISR.
        let shape = |v: &[crate::playground::PartitionView]| {
            v.iter()
                .map(|p| {
                    (
                        p.tp.clone(),
                        p.leader,
                        p.leader_epoch,
                        p.replicas.clone(),
                        p.isr.clone(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(shape(&after), shape(&before));
        assert_eq!(
            run(
                &restored,
                "kafka-get-offsets --bootstrap-server localhost:9092 --topic orders"
            ),
            offsets
        );
        assert_eq!(
            run(
                &restored,
                "kafka-consumer-groups --bootstrap-server localhost:9092 --describe --group g1"
            ),
            group
        );
    }

    #[test]
    fn names_are_trimmed_bounded_and_without_slashes() {
        assert_eq!(parse_name("  lab 1 "), Some("lab 1".into()));
        assert_eq!(parse_name("한국어 놀이터"), Some("한국어 놀이터".into()));
        assert_eq!(parse_name(""), None);
        assert_eq!(parse_name("a/b"), None);
        assert_eq!(parse_name("tab\there"), None);
        assert_eq!(parse_name(&"x".repeat(NAME_CHARS_MAX + 1)), None);
        assert_eq!(name_from_file("lab.kafkaplay"), "lab");
        assert_eq!(name_from_file(".kafkaplay"), "imported");
    }

    #[test]
    fn the_learners_files_round_trip_on_every_machine() {
        let mut world = World::new(2, 1, Flavour::Confluent);
        world.fs.write_on(None, "/home/me/notes.txt", b"hello".to_vec());
        world.fs.mkdir_on(None, "/tmp/empty");
        world.fs.write_on(Some(2), "/tmp/records.txt", b"a\nb\n".to_vec());
        let stored = encode_files(&world);
        let mut back = World::new(2, 1, Flavour::Confluent);
        // 2 files and 5 directories (/home, /home/me, /tmp, /tmp/empty; /tmp on broker 2).
        assert_eq!(restore_files(&mut back, &stored), Ok(7));
        assert_eq!(back.fs.read_on(None, "/home/me/notes.txt"), Some(&b"hello"[..]));
        assert!(back.fs.is_dir_on(None, "/tmp/empty"));
        assert_eq!(back.fs.read_on(Some(2), "/tmp/records.txt"), Some(&b"a\nb\n"[..]));
        assert_eq!(encode_files(&back), stored);
    }

    #[test]
    fn damaged_stored_files_are_an_error_and_change_nothing() {
        let mut world = World::new(1, 1, Flavour::Confluent);
        world.fs.write_on(None, "/a.txt", b"x".to_vec());
        let stored = encode_files(&world);
        for n in 0..stored.len() {
            let mut fresh = World::new(1, 1, Flavour::Confluent);
            assert!(restore_files(&mut fresh, &stored[..n]).is_err(), "prefix {n}");
            assert_eq!(fresh.fs.read_on(None, "/a.txt"), None);
        }
        let mut huge = stored.clone();
        huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(restore_files(&mut World::new(1, 1, Flavour::Confluent), &huge).is_err());
    }

    #[test]
    fn the_clock_round_trips_and_bad_values_are_ignored() {
        assert_eq!(decode_clock(&encode_clock(false, 9)), Some((false, 9)));
        assert_eq!(decode_clock(&encode_clock(true, 3)), Some((true, 3)));
        assert_eq!(decode_clock(&[2, 0]), None);
        assert_eq!(decode_clock(&[1, 200]), None);
        assert_eq!(decode_clock(&[]), None);
    }

    #[test]
    fn a_read_only_tab_refuses_what_changes_the_cluster_only() {
        assert!(changes_cluster(&Msg::Fault(crate::playground::FaultKind::Kill, 1)));
        assert!(changes_cluster(&Msg::CreateTopic));
        assert!(changes_cluster(&Msg::TogglePlay));
        assert!(!changes_cluster(&Msg::Browse("t-0".into())));
        assert!(!changes_cluster(&Msg::Tick));
    }
}
