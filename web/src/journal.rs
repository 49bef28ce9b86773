//! The journal: everything the learner did to the world, with the simulated
//! time it was done at, so the same cluster can be rebuilt anywhere.
//!
//! The simulation is deterministic: the same seed and broker count, and the
//! same inputs applied at the same simulated times, give the same trace. The
//! page records each input that changes the world (a line submitted in the
//! terminal, Ctrl+C, Ctrl+D, Step, a fault from a box, a network cut, *Heal
//! all*, the topic form, the producer form, a consumer started or stopped
//! in the consumer-groups panel) as an [`Entry`]; [`replay`] builds
//! a fresh [`Playground`] with the journal's seed and applies the entries at
//! their times, running the clock in between. What does not change the world
//! (speed, play/pause, the language, the message browser) is not recorded.
//!
//! The page keeps its journal with the playground in IndexedDB
//! (`crate::persistence`), and a reload adds [`Action::Reload`] at the time
//! of the restored image: a replay restarts every node from its disk there,
//! in memory, as the reload did from the stored one. So the timeline and
//! share links go on working across reloads.
//!
//! Why a replay lands in the same state:
//!
//! - `Simulation::run_until` handles every event up to a time, whatever steps
//!   the clock took to get there, and [`Playground::run_for`] sends producer
//!   records, takes metric samples and polls the terminal's running job (the
//!   console consumer, the perf test) at fixed simulated times (a 100 ms grid
//!   for the job), not at the page's frames. So one long `run_for` equals many
//!   short ones (tested below with different chunkings).
//! - A terminal command that waits for an answer, and Step, stop the clock
//!   between two events of the same millisecond. An entry is therefore
//!   applied without running the clock when the replay is already at its time.
//! - The page's clock finishes such a millisecond before it runs on, and
//!   notes that as an entry ([`Action::Settle`]): an input after it comes
//!   after the millisecond's last event, in the page and in the replay. Its
//!   frame budget stops the clock only between two milliseconds
//!   (`Playground::run_sim_until`). Without both, an input after a frame that
//!   stopped inside a millisecond was replayed at another point of it, and a
//!   shared link reached another trace (tested in `playground`).
//!
//! The text form ([`Journal::to_text`], [`Journal::parse`]) is one line per
//! entry, times as differences in ms; a shared link is the page's address with
//! `#v1:` and the text in base64url ([`Journal::to_link_fragment`]). The text
//! ends with the trace's hash at the end time, so a link made by another
//! version of the simulator is noticed ([`Replayed::hash_matches`]).

use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;

use kafkaplay_cluster::{Ms, NodeId};
use kafkaplay_shell::Shell;

use crate::playground::{FaultKind, Playground, ProducerForm, TopicForm, BROKERS_MAX};

/// The version of the text format: the newest this page reads. A text is
/// written with the oldest version that reads it: 1, or 2 when it holds a
/// job's input ([`Action::Input`]), so a journal without one is the same
/// text (and link) as before version 2.
pub const FORMAT_VERSION: u32 = 2;
/// The first line of the text.
pub const MAGIC: &str = "kafkaplay-journal";
/// A shared link's fragment starts with this (then base64url of the text).
pub const LINK_PREFIX: &str = "#v1:";
/// The longest text a link or stored journal may hold (decoded).
pub const TEXT_MAX: usize = 256 * 1024;
/// The most entries a journal may hold.
pub const ENTRIES_MAX: usize = 20_000;
/// The longest simulated time a journal may span (a link must not hang the
/// page in its replay): 6 hours.
pub const SPAN_MS_MAX: Ms = 6 * 3_600_000;

/// One input that changed the world.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A line submitted in the terminal at the shell's prompt.
    Line(String),
    /// A line submitted in the terminal while a job ran: the job's input (a
    /// console producer's record). Replayed as a [`Action::Line`] is; kept
    /// apart so the page's embed code can give it to the job (a heredoc).
    /// Journals written before it have [`Action::Line`] for these too.
    Input(String),
    /// Ctrl+C in the terminal.
    Interrupt,
    /// Ctrl+D in the terminal on an empty line.
    Eof,
    /// The Step button.
    Step,
    /// The page's clock finished a millisecond that was left part-done (by
    /// the cluster's start, a command that waited for an answer, or Step)
    /// before running on ([`Playground::settle`]): an input after it comes
    /// after every event of that millisecond.
    Settle,
    /// The page was reloaded: every node restarted from what its disk held
    /// at the page's last save ([`Playground::reload_from_disks`]), as the
    /// page restores a playground from IndexedDB.
    Reload,
    Fault(FaultKind, NodeId),
    Cut(NodeId, NodeId),
    Heal,
    CreateTopic(TopicForm),
    StartProducer(ProducerForm),
    StopProducer,
    /// The consumer form (`crate::groups_panel`).
    StartConsumer(crate::groups_panel::ConsumerForm),
    /// A consumer's Stop button: its client (node) id.
    StopConsumer(NodeId),
}

/// An action at a simulated time, in ms since the cluster had started
/// (`Playground::new` returned).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub at: Ms,
    pub action: Action,
}

/// The trace at the end of a journal: a replay must reach the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceCheck {
    pub hash: u64,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Journal {
    pub seed: u64,
    pub brokers: i32,
    /// KRaft controller voters (1, or 3 for the controller-failover lesson);
    /// written as a `controllers` line only when not 1, so older texts and
    /// links read as before.
    pub controllers: i32,
    /// The simulated time (absolute) when the cluster had started; entry
    /// times count from here. Not part of the text (a replay knows it).
    pub start: Ms,
    pub entries: Vec<Entry>,
}

pub type SharedJournal = Rc<RefCell<Journal>>;

/// Why a journal or link could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JournalError {
    /// Not base64url, or not UTF-8.
    Encoding,
    /// Longer than [`TEXT_MAX`], [`ENTRIES_MAX`] or [`SPAN_MS_MAX`].
    TooLong,
    /// Written by a newer kafkaplay (its version).
    TooNew(u32),
    /// Something else is wrong on this line (1-based).
    Format(usize),
}

impl std::fmt::Display for JournalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JournalError::Encoding => write!(f, "not base64url-encoded UTF-8 text"),
            JournalError::TooLong => write!(f, "too long"),
            JournalError::TooNew(v) => write!(f, "format version {v} is newer than this page's {FORMAT_VERSION}"),
            JournalError::Format(line) => write!(f, "line {line} is not understood"),
        }
    }
}

impl Journal {
    pub fn new(seed: u64, brokers: i32, start: Ms) -> Journal {
        Journal {
            seed,
            brokers,
            controllers: 1,
            start,
            entries: Vec::new(),
        }
    }

    /// Records `action`, done at absolute simulated time `now`.
    pub fn record(&mut self, now: Ms, action: Action) {
        if self.entries.len() >= ENTRIES_MAX {
            // A journal this long cannot be shared or replayed; the page
            // goes on, the journal stops growing.
            return;
        }
        let at = (now - self.start).max(self.entries.last().map_or(0, |e| e.at));
        self.entries.push(Entry { at, action });
    }

    /// Records a terminal input done on `shell` (its simulation's time now).
    pub fn record_on(&mut self, shell: &Shell, action: Action) {
        let now = shell.world().sim.now();
        self.record(now, action);
    }

    /// The text form, ending at `end` (ms since start) with the trace check.
    pub fn to_text(&self, end: Ms, check: Option<TraceCheck>) -> String {
        let mut s = String::new();
        let version = if self.entries.iter().any(|e| matches!(e.action, Action::Input(_))) {
            2
        } else {
            1
        };
        let _ = writeln!(s, "{MAGIC} {version}");
        let _ = writeln!(s, "seed {}", self.seed);
        let _ = writeln!(s, "brokers {}", self.brokers);
        if self.controllers != 1 {
            let _ = writeln!(s, "controllers {}", self.controllers);
        }
        let mut last = 0;
        for e in &self.entries {
            let _ = write!(s, "{} ", e.at - last);
            last = e.at;
            write_action(&mut s, &e.action);
            s.push('\n');
        }
        let _ = write!(s, "end {}", end.max(last) - last);
        if let Some(c) = check {
            let _ = write!(s, " {:016x} {}", c.hash, c.count);
        }
        s.push('\n');
        s
    }

    /// Reads the text form: the journal, its end (ms since start) and the
    /// trace check if there is one.
    pub fn parse(text: &str) -> Result<(Journal, Ms, Option<TraceCheck>), JournalError> {
        if text.len() > TEXT_MAX {
            return Err(JournalError::TooLong);
        }
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l)).peekable();
        let bad = JournalError::Format;
        let (n, first) = lines.next().ok_or(bad(1))?;
        let version = first
            .strip_prefix(MAGIC)
            .and_then(|v| v.strip_prefix(' '))
            .and_then(|v| v.parse::<u32>().ok())
            .ok_or(bad(n))?;
        if version > FORMAT_VERSION {
            return Err(JournalError::TooNew(version));
        }
        if version == 0 {
            return Err(bad(n));
        }
        let (n, line) = lines.next().ok_or(bad(2))?;
        let seed = line
            .strip_prefix("seed ")
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or(bad(n))?;
        let (n, line) = lines.next().ok_or(bad(3))?;
        let brokers = line
            .strip_prefix("brokers ")
            .and_then(|v| v.parse::<i32>().ok())
            .filter(|b| (1..=BROKERS_MAX).contains(b))
            .ok_or(bad(n))?;
        let mut journal = Journal::new(seed, brokers, 0);
        if let Some((n, line)) = lines.next_if(|(_, l)| l.starts_with("controllers ")) {
            journal.controllers = line
                .strip_prefix("controllers ")
                .and_then(|v| v.parse::<i32>().ok())
                .filter(|c| crate::playground::CONTROLLERS.contains(c))
                .ok_or(bad(n))?;
        }
        let mut at: Ms = 0;
        let step = |at: Ms, delta: &str, n: usize| -> Result<Ms, JournalError> {
            let d: Ms = delta.parse().map_err(|_| bad(n))?;
            if d < 0 {
                return Err(bad(n));
            }
            let t = at.checked_add(d).ok_or(JournalError::TooLong)?;
            if t > SPAN_MS_MAX {
                return Err(JournalError::TooLong);
            }
            Ok(t)
        };
        for (n, line) in lines {
            if let Some(rest) = line.strip_prefix("end ") {
                let mut words = rest.split(' ');
                let end = step(at, words.next().unwrap_or(""), n)?;
                let check = match (words.next(), words.next()) {
                    (None, _) => None,
                    (Some(h), Some(c)) => Some(TraceCheck {
                        hash: u64::from_str_radix(h, 16).map_err(|_| bad(n))?,
                        count: c.parse().map_err(|_| bad(n))?,
                    }),
                    _ => return Err(bad(n)),
                };
                if words.next().is_some() {
                    return Err(bad(n));
                }
                return Ok((journal, end, check));
            }
            let (delta, rest) = line.split_once(' ').ok_or(bad(n))?;
            at = step(at, delta, n)?;
            let action = parse_action(rest).ok_or(bad(n))?;
            if journal.entries.len() >= ENTRIES_MAX {
                return Err(JournalError::TooLong);
            }
            journal.entries.push(Entry { at, action });
        }
        // No `end` line: cut off.
        Err(bad(text.lines().count() + 1))
    }

    /// A link's fragment: `#v1:` and the text in base64url.
    pub fn to_link_fragment(&self, end: Ms, check: Option<TraceCheck>) -> String {
        format!("{LINK_PREFIX}{}", base64url_encode(self.to_text(end, check).as_bytes()))
    }

    /// Reads a link's fragment (with or without its `#`). `Ok(None)` when the
    /// fragment is not a kafkaplay link at all (an anchor).
    #[allow(clippy::type_complexity)]
    pub fn from_link_fragment(fragment: &str) -> Result<Option<(Journal, Ms, Option<TraceCheck>)>, JournalError> {
        let f = fragment.strip_prefix('#').unwrap_or(fragment);
        let Some(rest) = f.strip_prefix('v') else {
            return Ok(None);
        };
        let Some((version, data)) = rest.split_once(':') else {
            return Ok(None);
        };
        let Ok(version) = version.parse::<u32>() else {
            return Ok(None);
        };
        if version > FORMAT_VERSION {
            return Err(JournalError::TooNew(version));
        }
        if data.len() > TEXT_MAX * 4 / 3 + 4 {
            return Err(JournalError::TooLong);
        }
        let bytes = base64url_decode(data).ok_or(JournalError::Encoding)?;
        let text = String::from_utf8(bytes).map_err(|_| JournalError::Encoding)?;
        Journal::parse(&text).map(Some)
    }
}

fn write_action(s: &mut String, action: &Action) {
    match action {
        Action::Line(line) => {
            s.push_str("$ ");
            escape_into(s, line, false);
        }
        Action::Input(line) => {
            s.push_str("> ");
            escape_into(s, line, false);
        }
        Action::Interrupt => s.push_str("^C"),
        Action::Eof => s.push_str("^D"),
        Action::Step => s.push_str("step"),
        Action::Settle => s.push_str("settle"),
        Action::Reload => s.push_str("reload"),
        Action::Fault(kind, node) => {
            let _ = write!(s, "{} {node}", kind.word());
        }
        Action::Cut(a, b) => {
            let _ = write!(s, "cut {a} {b}");
        }
        Action::Heal => s.push_str("heal"),
        Action::CreateTopic(f) => {
            s.push_str("topic");
            for field in [&f.name, &f.partitions, &f.replication_factor] {
                s.push(' ');
                escape_field(s, field);
            }
        }
        Action::StartProducer(f) => {
            s.push_str("produce");
            for field in [&f.topic, &f.rate, &f.keys, &f.acks, &f.value] {
                s.push(' ');
                escape_field(s, field);
            }
            // Written only when set, so journals and links from before the
            // field read and hash as they did.
            if f.idempotence != "default" {
                s.push(' ');
                escape_field(s, &f.idempotence);
            }
        }
        Action::StopProducer => s.push_str("stop-producer"),
        Action::StartConsumer(f) => {
            s.push_str("consume");
            for field in [&f.group, &f.topic, &f.offset_reset] {
                s.push(' ');
                escape_field(s, field);
            }
        }
        Action::StopConsumer(id) => {
            let _ = write!(s, "stop-consumer {id}");
        }
    }
}

fn parse_action(rest: &str) -> Option<Action> {
    if let Some(line) = rest.strip_prefix("$ ") {
        return Some(Action::Line(unescape(line)?));
    }
    if let Some(line) = rest.strip_prefix("> ") {
        return Some(Action::Input(unescape(line)?));
    }
    let mut words = rest.split(' ');
    let verb = words.next()?;
    let mut node = || words.next().and_then(|w| w.parse::<NodeId>().ok());
    let action = match verb {
        "^C" => Action::Interrupt,
        "^D" => Action::Eof,
        "step" => Action::Step,
        "settle" => Action::Settle,
        "reload" => Action::Reload,
        "heal" => Action::Heal,
        "stop-producer" => Action::StopProducer,
        "cut" => {
            let a = node()?;
            let b = node()?;
            Action::Cut(a, b)
        }
        "topic" => {
            let f: Vec<String> = rest["topic".len()..]
                .split(' ')
                .skip(1)
                .map(unescape)
                .collect::<Option<_>>()?;
            let [name, partitions, replication_factor] = <[String; 3]>::try_from(f).ok()?;
            return Some(Action::CreateTopic(TopicForm {
                name,
                partitions,
                replication_factor,
            }));
        }
        "produce" => {
            let f: Vec<String> = rest["produce".len()..]
                .split(' ')
                .skip(1)
                .map(unescape)
                .collect::<Option<_>>()?;
            let mut f = f.into_iter();
            let mut next = || f.next();
            let (topic, rate, keys, acks, value) = (next()?, next()?, next()?, next()?, next()?);
            let idempotence = next().unwrap_or_else(|| "default".into());
            if next().is_some() {
                return None;
            }
            return Some(Action::StartProducer(ProducerForm {
                topic,
                rate,
                keys,
                acks,
                value,
                idempotence,
            }));
        }
        "consume" => {
            let f: Vec<String> = rest["consume".len()..]
                .split(' ')
                .skip(1)
                .map(unescape)
                .collect::<Option<_>>()?;
            let [group, topic, offset_reset] = <[String; 3]>::try_from(f).ok()?;
            return Some(Action::StartConsumer(crate::groups_panel::ConsumerForm {
                group,
                topic,
                offset_reset,
            }));
        }
        "stop-consumer" => Action::StopConsumer(node()?),
        other => Action::Fault(FaultKind::from_word(other)?, node()?),
    };
    if words.next().is_some() {
        return None;
    }
    Some(action)
}

/// Escapes `\`, newline and CR (and, in a field, space as `\s`; the empty
/// field as `\e`).
fn escape_into(s: &mut String, text: &str, field: bool) {
    for c in text.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            ' ' if field => s.push_str("\\s"),
            c => s.push(c),
        }
    }
}

fn escape_field(s: &mut String, text: &str) {
    if text.is_empty() {
        s.push_str("\\e");
    } else {
        escape_into(s, text, true);
    }
}

fn unescape(text: &str) -> Option<String> {
    if text == "\\e" {
        return Some(String::new());
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            '\\' => '\\',
            'n' => '\n',
            'r' => '\r',
            's' => ' ',
            _ => return None,
        });
    }
    Some(out)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 §5).
pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            s.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    s
}

/// Decodes base64url (padding `=` tolerated); `None` on any other character
/// or an impossible length.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------
// Replay

/// The trace check of a playground now.
pub fn trace_check(pg: &Playground) -> TraceCheck {
    let sim = pg.sim();
    TraceCheck {
        hash: sim.trace().hash(),
        count: sim.trace().count(),
    }
}

/// Runs `pg`'s clock to `at` (ms since start) if it is not there yet.
fn run_to(pg: &mut Playground, at: Ms) {
    let target = pg.journal.borrow().start + at;
    let now = pg.sim().now();
    if target > now {
        pg.run_for(target - now);
    }
}

/// Applies one action to `pg` as the page would (recording it in `pg`'s journal).
pub fn apply(pg: &mut Playground, action: &Action) {
    match action {
        Action::Line(line) | Action::Input(line) => {
            let shell = pg.shell.clone();
            let mut shell = shell.borrow_mut();
            pg.journal.borrow_mut().record_on(&shell, action.clone());
            if !shell.has_exited() {
                let _ = shell.submit(line);
            }
        }
        Action::Interrupt => {
            let shell = pg.shell.clone();
            let mut shell = shell.borrow_mut();
            pg.journal.borrow_mut().record_on(&shell, action.clone());
            let _ = shell.interrupt();
        }
        Action::Eof => {
            let shell = pg.shell.clone();
            let mut shell = shell.borrow_mut();
            pg.journal.borrow_mut().record_on(&shell, action.clone());
            let _ = shell.eof();
        }
        Action::Step => {
            let _ = pg.step();
        }
        Action::Settle => pg.settle(),
        Action::Reload => pg.reload_from_disks(),
        Action::Fault(kind, node) => pg.fault(*kind, *node),
        Action::Cut(a, b) => pg.cut(*a, *b),
        Action::Heal => pg.heal(),
        Action::CreateTopic(form) => {
            let _ = pg.create_topic(form);
        }
        Action::StartProducer(form) => {
            let _ = pg.start_producer(form);
        }
        Action::StopProducer => pg.stop_producer(),
        Action::StartConsumer(form) => {
            let _ = pg.start_consumer(form);
        }
        Action::StopConsumer(id) => pg.stop_consumer(*id),
    }
    pg.refresh();
}

/// A playground rebuilt from a journal.
pub struct Replayed {
    pub playground: Playground,
    /// `None` when the journal had no trace check or the replay stopped
    /// before its end; else whether the replay reached the same trace.
    pub hash_matches: Option<bool>,
}

/// Rebuilds the playground `journal` describes, up to `until` ms since start
/// (its end when `None` or later), paused.
pub fn replay(journal: &Journal, end: Ms, check: Option<TraceCheck>, until: Option<Ms>) -> Replayed {
    let mut pg = Playground::with_controllers(journal.brokers, journal.controllers, journal.seed);
    pg.running = false;
    let stop = until.map_or(end, |u| u.min(end)).max(0);
    continue_replay(&mut pg, journal, 0, stop);
    let hash_matches = match check {
        Some(c) if stop == end => Some(trace_check(&pg) == c),
        _ => None,
    };
    Replayed {
        playground: pg,
        hash_matches,
    }
}

/// Goes on replaying `journal` on `pg` (which holds its first `done`
/// entries) up to `until` ms since start. Returns how many entries `pg` now holds.
pub fn continue_replay(pg: &mut Playground, journal: &Journal, done: usize, until: Ms) -> usize {
    let mut done = done;
    for e in journal.entries.iter().skip(done) {
        if e.at > until {
            break;
        }
        run_to(pg, e.at);
        apply(pg, &e.action);
        done += 1;
    }
    run_to(pg, until);
    pg.refresh();
    done
}

// For the page's storage (IndexedDB) to keep and reload a playground.
#[allow(dead_code)]
impl Playground {
    /// The journal as text, ending now (to store it; see [`journal_text`]).
    pub fn journal_text(&self) -> String {
        journal_text(self)
    }

    /// The playground a journal text describes, replayed to its end and paused.
    pub fn from_journal_text(text: &str) -> Result<Playground, JournalError> {
        from_journal_text(text).map(|r| r.playground)
    }
}

/// Ms since the cluster started, now.
pub fn elapsed_since_start(pg: &Playground) -> Ms {
    pg.sim().now() - pg.journal.borrow().start
}

/// The playground's journal as text, ending now (what the page may store).
#[allow(dead_code)]
pub fn journal_text(pg: &Playground) -> String {
    let end = elapsed_since_start(pg);
    pg.journal.borrow().to_text(end, Some(trace_check(pg)))
}

/// The playground a stored journal text describes, replayed to its end.
#[allow(dead_code)]
pub fn from_journal_text(text: &str) -> Result<Replayed, JournalError> {
    let (journal, end, check) = Journal::parse(text)?;
    Ok(replay(&journal, end, check, None))
}

/// A shared link's fragment for the playground now.
pub fn link_fragment(pg: &Playground) -> String {
    let end = elapsed_since_start(pg);
    pg.journal.borrow().to_link_fragment(end, Some(trace_check(pg)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(pg: &Playground) -> String {
        journal_text(pg)
    }

    /// The seed lesson's first steps, through the terminal and the UI.
    fn scripted(chunks: &dyn Fn(Ms) -> Vec<Ms>) -> Playground {
        let mut pg = Playground::new(3, 42);
        let drive = |pg: &mut Playground, ms: Ms| {
            for c in chunks(ms) {
                pg.run_for(c);
            }
        };
        drive(&mut pg, 1_500);
        apply(
            &mut pg,
            &Action::Line(
                "kafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 3 --replication-factor 2"
                    .into(),
            ),
        );
        drive(&mut pg, 700);
        pg.start_producer(&ProducerForm {
            topic: "orders".into(),
            rate: "20".into(),
            keys: "4".into(),
            ..ProducerForm::default()
        })
        .unwrap();
        drive(&mut pg, 3_300);
        apply(
            &mut pg,
            &Action::Line(
                "kafka-console-consumer --bootstrap-server localhost:9092 --topic orders --from-beginning".into(),
            ),
        );
        drive(&mut pg, 2_050);
        drive(&mut pg, 8_050);
        pg.fault(FaultKind::Kill, 2);
        drive(&mut pg, 4_000);
        apply(&mut pg, &Action::Interrupt);
        drive(&mut pg, 1_000);
        // A job that sends as simulated time passes.
        apply(
            &mut pg,
            &Action::Line(
                "kafka-producer-perf-test --topic orders --num-records 150 --record-size 40 --throughput 100 \
                 --producer-props bootstrap.servers=localhost:9092"
                    .into(),
            ),
        );
        drive(&mut pg, 3_000);
        assert!(pg.shell.borrow().job_running(), "the perf test is still sending");
        drive(&mut pg, 2_000);
        assert!(!pg.shell.borrow().job_running());
        pg.step();
        apply(
            &mut pg,
            &Action::Line("kafka-topics --bootstrap-server localhost:9092 --describe --topic orders".into()),
        );
        pg.cut(1, 3);
        drive(&mut pg, 2_000);
        pg.heal();
        pg.stop_producer();
        drive(&mut pg, 1_234);
        pg
    }

    fn state(pg: &Playground) -> (TraceCheck, Ms, String) {
        let (partitions, _) = pg.partitions();
        (
            trace_check(pg),
            pg.sim().now(),
            format!("{partitions:?}{:?}", pg.samples),
        )
    }

    #[test]
    fn a_cluster_with_three_controllers_replays_with_three() {
        let mut pg = Playground::with_controllers(3, 3, 11);
        assert_eq!(pg.journal.borrow().controllers, 3);
        apply(&mut pg, &Action::Line("docker kill controller1".into()));
        pg.run_for(8_000);
        let text = journal_text(&pg);
        assert!(text.contains("\ncontrollers 3\n"), "{text}");
        let replayed = from_journal_text(&text).unwrap();
        assert_eq!(replayed.hash_matches, Some(true));
        let back = replayed.playground;
        assert_eq!(back.sim().config().controllers, vec![1000, 1001, 1002]);
        assert_eq!(back.sim().active_controller(), pg.sim().active_controller());
        // One controller: no line, as before.
        let one = journal_text(&Playground::new(1, 1));
        assert!(!one.contains("controllers"), "{one}");
        // Only 1 or 3.
        let bad = "kafkaplay-journal 1\nseed 1\nbrokers 3\ncontrollers 2\nend 0\n";
        assert_eq!(Journal::parse(bad).map(|_| ()), Err(JournalError::Format(4)));
    }

    #[test]
    fn the_same_journal_gives_the_same_state_whatever_the_chunks() {
        let one = scripted(&|ms| vec![ms]);
        let many = scripted(&|ms| {
            let mut v = Vec::new();
            let mut left = ms;
            let mut i = 0;
            while left > 0 {
                let c = [1, 7, 33, 16, 100, 250, 3][i % 7].min(left);
                v.push(c);
                left -= c;
                i += 1;
            }
            v
        });
        assert_eq!(state(&one), state(&many));
        assert_eq!(text_of(&one), text_of(&many));
        // The journal holds what was done, in order.
        let j = one.journal.borrow();
        let kinds: Vec<&str> = j
            .entries
            .iter()
            .map(|e| match &e.action {
                Action::Line(_) => "line",
                Action::Input(_) => "input",
                Action::Interrupt => "^C",
                Action::StartProducer(_) => "produce",
                Action::Fault(..) => "fault",
                Action::Step => "step",
                Action::Cut(..) => "cut",
                Action::Heal => "heal",
                Action::StopProducer => "stop",
                Action::StartConsumer(_) => "consume",
                Action::StopConsumer(_) => "stop-consumer",
                _ => "other",
            })
            .collect();
        assert_eq!(
            kinds,
            ["line", "produce", "line", "fault", "^C", "line", "step", "line", "cut", "heal", "stop"]
        );
    }

    #[test]
    fn a_replay_reaches_the_same_state_and_trace() {
        let live = scripted(&|ms| (0..ms / 100).map(|_| 100).chain([ms % 100]).collect());
        let text = text_of(&live);
        let replayed = from_journal_text(&text).unwrap();
        assert_eq!(replayed.hash_matches, Some(true));
        assert_eq!(state(&replayed.playground), state(&live));
        // Its own journal is the same again.
        assert_eq!(text_of(&replayed.playground), text);
        // The same through the methods the page's storage uses.
        let again = Playground::from_journal_text(&live.journal_text()).unwrap();
        assert_eq!(state(&again), state(&live));
        assert!(matches!(
            Playground::from_journal_text("nonsense"),
            Err(JournalError::Format(1))
        ));
        // The producer's counts too.
        assert_eq!(
            replayed.playground.producer.as_ref().map(|p| (p.sent, p.acked)),
            live.producer.as_ref().map(|p| (p.sent, p.acked))
        );
        // And the shell: the consumer had stopped, the same describe output.
        let describe = "kafka-topics --bootstrap-server localhost:9092 --describe --topic orders";
        let a = live.shell.borrow_mut().submit(describe).stdout();
        let b = replayed.playground.shell.borrow_mut().submit(describe).stdout();
        assert!(a.contains("Topic: orders"), "{a}");
        assert_eq!(a, b);
        // The console consumer, polled on the grid, printed the same records.
        let a = live.shell.borrow_mut().take_held().stdout();
        let b = replayed.playground.shell.borrow_mut().take_held().stdout();
        assert!(a.contains(r#""item": "coffee""#), "{a}");
        assert!(a.contains("150 records sent"), "{a}");
        assert_eq!(a, b);
    }

    /// How long replays take (not a test of speed: run with
    /// `cargo test -p kafkaplay-web --release replay_timing -- --ignored --nocapture`).
    #[test]
    #[ignore]
    fn replay_timing() {
        for rate in ["5", "50", "200"] {
            let mut pg = Playground::new(3, 9);
            pg.create_topic(&TopicForm::default()).unwrap();
            pg.run_for(1_000);
            pg.start_producer(&ProducerForm {
                topic: "orders".into(),
                rate: rate.into(),
                ..ProducerForm::default()
            })
            .unwrap();
            pg.run_for(300_000);
            let text = text_of(&pg);
            let t0 = std::time::Instant::now();
            let r = from_journal_text(&text).unwrap();
            assert_eq!(r.hash_matches, Some(true));
            println!(
                "5 min simulated with a producer at {rate}/s: replay {:?}, {} text bytes, link {} chars",
                t0.elapsed(),
                text.len(),
                pg.journal
                    .borrow()
                    .to_link_fragment(300_000, Some(trace_check(&pg)))
                    .len()
            );
        }
    }

    #[test]
    fn a_replay_up_to_a_moment_shows_that_moment_and_can_go_on() {
        let live = scripted(&|ms| vec![ms]);
        let (journal, end, check) = Journal::parse(&text_of(&live)).unwrap();
        let kill_at = journal
            .entries
            .iter()
            .find(|e| matches!(e.action, Action::Fault(FaultKind::Kill, 2)))
            .unwrap()
            .at;
        let before = replay(&journal, end, check, Some(kill_at - 1));
        assert_eq!(before.hash_matches, None);
        assert!(before.playground.sim().is_up(2));
        assert_eq!(elapsed_since_start(&before.playground), kill_at - 1);
        // Going on from there reaches the end.
        let mut pg = before.playground;
        let done = pg.journal.borrow().entries.len();
        continue_replay(&mut pg, &journal, done, end);
        assert_eq!(trace_check(&pg), check.unwrap());
        assert!(!pg.sim().is_up(2));
    }

    #[test]
    fn a_journal_without_job_input_is_still_written_as_version_1() {
        let mut j = Journal::new(7, 3, 0);
        j.record(5, Action::Line("docker ps".into()));
        assert!(j.to_text(10, None).starts_with("kafkaplay-journal 1\n"));
    }

    #[test]
    fn text_round_trips_every_action() {
        let mut j = Journal::new(7, 5, 1_000);
        let actions = vec![
            Action::Line("echo 'a b'  \\ \"c\"\ttab".into()),
            Action::Line(String::new()),
            Action::Input("a record: 'x' \\ y".into()),
            Action::Interrupt,
            Action::Eof,
            Action::Step,
            Action::Fault(FaultKind::Kill, 2),
            Action::Fault(FaultKind::Shutdown, 3),
            Action::Fault(FaultKind::Restart, 3),
            Action::Fault(FaultKind::Pause, 1000),
            Action::Fault(FaultKind::Resume, 1000),
            Action::Fault(FaultKind::Isolate, 1),
            Action::Fault(FaultKind::Slow, 2),
            Action::Fault(FaultKind::Unslow, 2),
            Action::Cut(1, 2),
            Action::Heal,
            Action::CreateTopic(TopicForm {
                name: "주문 topic".into(),
                partitions: "".into(),
                replication_factor: " 2\\n".into(),
            }),
            Action::StartProducer(ProducerForm::default()),
            Action::StartProducer(ProducerForm {
                acks: "1".into(),
                idempotence: "false".into(),
                ..ProducerForm::default()
            }),
            Action::StopProducer,
            Action::StartConsumer(crate::groups_panel::ConsumerForm {
                group: "그룹 a".into(),
                topic: "".into(),
                offset_reset: "latest".into(),
            }),
            Action::StopConsumer(3000),
        ];
        for (i, a) in actions.iter().enumerate() {
            j.record(1_000 + (i as Ms) * 37, a.clone());
        }
        let text = j.to_text(
            9_999,
            Some(TraceCheck {
                hash: 0xdead_beef,
                count: 12,
            }),
        );
        // A job's input needs version 2 to be read.
        assert!(text.starts_with("kafkaplay-journal 2\n"), "{text}");
        let (back, end, check) = Journal::parse(&text).unwrap();
        assert_eq!(back.entries, j.entries);
        assert_eq!((back.seed, back.brokers), (7, 5));
        assert_eq!(end, 9_999);
        assert_eq!(
            check,
            Some(TraceCheck {
                hash: 0xdead_beef,
                count: 12
            })
        );
        let fragment = j.to_link_fragment(9_999, None);
        assert!(fragment.starts_with("#v1:"));
        assert!(fragment[4..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        let (back, _, check) = Journal::from_link_fragment(&fragment).unwrap().unwrap();
        assert_eq!(back.entries, j.entries);
        assert_eq!(check, None);
    }

    #[test]
    fn a_producer_line_without_idempotence_reads_as_not_set() {
        // Journals and links from before the field: five fields.
        let line = parse_action("produce t 5 0 all v").unwrap();
        let Action::StartProducer(f) = line else {
            panic!("{line:?}")
        };
        assert_eq!((f.acks.as_str(), f.idempotence.as_str()), ("all", "default"));
        assert!(parse_action("produce t 5 0 all v false x").is_none());
        assert!(parse_action("produce t 5 0").is_none());
    }

    #[test]
    fn base64url_round_trips() {
        for n in 0..70 {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 97 + n) as u8).collect();
            let s = base64url_encode(&bytes);
            assert_eq!(base64url_decode(&s).unwrap(), bytes, "{n}");
        }
        assert_eq!(base64url_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64url_encode(b"fo"), "Zm8");
        assert_eq!(base64url_decode("Zm8=").unwrap(), b"fo");
        assert_eq!(base64url_decode("Z"), None);
        assert_eq!(base64url_decode("Zm9v!"), None);
    }

    #[test]
    fn bad_links_are_errors_never_panics() {
        assert_eq!(Journal::from_link_fragment("#terminal").unwrap(), None);
        assert_eq!(Journal::from_link_fragment("").unwrap(), None);
        assert_eq!(Journal::from_link_fragment("#v1:@@@"), Err(JournalError::Encoding));
        assert_eq!(Journal::from_link_fragment("#v9:AAAA"), Err(JournalError::TooNew(9)));
        let good = Journal::new(1, 3, 0).to_link_fragment(500, None);
        assert!(Journal::from_link_fragment(&good).unwrap().is_some());
        // Invalid UTF-8.
        assert_eq!(
            Journal::from_link_fragment(&format!("#v1:{}", base64url_encode(&[0xff, 0xfe]))),
            Err(JournalError::Encoding)
        );
        let too_new = format!("{MAGIC} 3\nseed 1\nbrokers 3\nend 0\n");
        assert_eq!(Journal::parse(&too_new), Err(JournalError::TooNew(3)));
        for (text, line) in [
            ("", 1),
            ("hello", 1),
            ("kafkaplay-journal 1\nseed x\n", 2),
            ("kafkaplay-journal 1\nseed 1\nbrokers 0\nend 0\n", 3),
            ("kafkaplay-journal 1\nseed 1\nbrokers 3\n", 4),
            ("kafkaplay-journal 1\nseed 1\nbrokers 3\n5 explode 2\nend 0\n", 4),
            ("kafkaplay-journal 1\nseed 1\nbrokers 3\n-5 kill 2\nend 0\n", 4),
            ("kafkaplay-journal 1\nseed 1\nbrokers 3\n5 kill two\nend 0\n", 4),
            ("kafkaplay-journal 1\nseed 1\nbrokers 3\n5 $ bad\\escape\nend 0\n", 4),
            ("kafkaplay-journal 1\nseed 1\nbrokers 3\n5 topic a 1\nend 0\n", 4),
            ("kafkaplay-journal 1\nseed 1\nbrokers 3\nend 0 zz 1\n", 4),
        ] {
            assert_eq!(Journal::parse(text), Err(JournalError::Format(line)), "{text:?}");
        }
        let long = "kafkaplay-journal 1\nseed 1\nbrokers 3\n99999999999 step\nend 0\n";
        assert_eq!(Journal::parse(long), Err(JournalError::TooLong));
        let overflow = format!("kafkaplay-journal 1\nseed 1\nbrokers 3\n{} step\nend 0\n", i64::MAX);
        assert_eq!(Journal::parse(&overflow), Err(JournalError::TooLong));
        // Every cut-off prefix of a real text is an error or a shorter journal, never a panic.
        let mut pg = Playground::new(1, 3);
        pg.run_for(500);
        pg.fault(FaultKind::Pause, 1);
        apply(&mut pg, &Action::Line("docker ps".into()));
        let text = text_of(&pg);
        for i in 0..text.len() {
            let _ = Journal::parse(&text[..i]);
            let _ = Journal::from_link_fragment(&base64url_encode(&text.as_bytes()[..i]));
        }
    }

    #[test]
    fn a_replay_of_any_valid_journal_does_not_panic() {
        // Nonsense inputs: unknown nodes, a topic form with letters, a producer to nowhere.
        let text = "kafkaplay-journal 1\nseed 5\nbrokers 2\n10 kill 77\n0 cut 1 1\n0 cut 5 6\n\
                    3 topic \\e x y\n1 produce nowhere 5 0 all v\n100 isolate 1000\n0 ^D\n0 ^D\n0 $ echo hi\n\
                    5 step\nend 1000\n";
        let r = from_journal_text(text).unwrap();
        assert_eq!(r.hash_matches, None);
        assert_eq!(elapsed_since_start(&r.playground), 1_119);
    }
}
