//! Guided lessons: step-by-step scenarios over the page's one cluster, in
//! Korean and English, starting with the seed notes' path (a topic with three
//! partitions, a broker down with replication factor 1, failover with 2).
//!
//! - [`content`]: the lessons as data. Each [`Step`] says what to do (and
//!   which command to type), has a [`Step::check`] that looks at the real
//!   state, and explains what Kafka did once the check passes.
//! - This module: the checking engine. [`Progress`] follows the learner
//!   through a lesson over a [`Shell`]: it notes the commands entered since
//!   the current step began (with their exit status) and runs the step's
//!   check. A check is a pure function of a [`Check`]: the simulation (topics,
//!   leaders, ISR, offline partitions, high watermarks, record outcomes) and
//!   those commands. Nothing passes by clicking: a step whose command was not
//!   run, or whose state is not there, stays waiting.
//! - [`panel`]: the Yew component (`<LessonPanel>`).
//!
//! No browser API here, so every lesson is played natively in the tests by
//! typing its commands into a real [`Shell`].

pub mod content;
pub mod panel;
#[cfg(test)]
mod tests;

use kafkaplay_cluster::metadata::{MetadataImage, PartitionRegistration, TopicImage};
use kafkaplay_cluster::trace::Observation;
use kafkaplay_cluster::{Ms, NodeId, Simulation, TopicPartition, NO_NODE};
use kafkaplay_shell::Shell;

use crate::i18n::Lang;

pub use panel::LessonPanel;

/// The lessons that need nothing but the terminal and the node boxes (no
/// step is a page action on the consumer form or a new cluster): the ones
/// a docs widget can show.
pub fn terminal_only() -> impl Iterator<Item = &'static Lesson> {
    content::LESSONS.iter().filter(|l| l.terminal_only())
}

impl Lesson {
    /// No step is a page action: the lesson runs in a docs widget.
    pub fn terminal_only(&self) -> bool {
        self.steps.iter().all(|s| !matches!(s.command, Some(Command::Page(_))))
    }
}

/// The commands a step remembers (the latest; older ones are dropped).
pub const COMMANDS_MAX: usize = 200;

/// How far back (in observations) a check looks for a leader election or a
/// truncation, so a long-running page stays cheap to check.
pub const OBSERVATIONS_SCANNED_MAX: usize = 50_000;

/// A text in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bi {
    pub en: &'static str,
    pub ko: &'static str,
}

impl Bi {
    pub fn get(self, lang: Lang) -> &'static str {
        lang.pick(self.en, self.ko)
    }
}

/// The command a step asks for, to copy or to type into the terminal.
#[derive(Clone, Copy)]
pub enum Command {
    Fixed(&'static str),
    /// Depends on the cluster (which broker to stop); `None` until it can be
    /// told (the topic does not exist yet).
    Dynamic(fn(&Shell) -> Option<String>),
    /// Done on the page rather than typed (the terminal runs one job at a
    /// time, so a second consumer of a group comes from the groups panel).
    Page(PageAction),
}

/// What a [`Command::Page`] step asks the learner to do on the page. The
/// step's check still looks at the cluster: the panel only offers a button
/// that does the real thing (or fills a form), never one that passes a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageAction {
    /// Start a new playground, with the same brokers and seed, that has
    /// `controllers` KRaft controller voters.
    NewCluster { controllers: i32 },
    /// Start a consumer of `group` on `topic` from the consumer-groups panel
    /// (the lesson panel can fill the form in).
    StartConsumer { group: &'static str, topic: &'static str },
    /// Stop one of `group`'s consumers with its Stop button in the
    /// consumer-groups panel.
    StopConsumer { group: &'static str },
}

impl Command {
    /// The text to type; `None` for a page action.
    pub fn text(&self, shell: &Shell) -> Option<String> {
        match self {
            Command::Fixed(s) => Some((*s).to_string()),
            Command::Dynamic(f) => f(shell),
            Command::Page(_) => None,
        }
    }
}

pub struct Step {
    pub title: Bi,
    /// What to do; `` `code` `` spans are shown as code.
    pub instruction: Bi,
    pub command: Option<Command>,
    pub check: fn(&Check) -> bool,
    /// What the learner sees and why, shown once the check passed;
    /// paragraphs are separated by blank lines.
    pub explanation: Bi,
}

pub struct Lesson {
    pub id: &'static str,
    pub title: Bi,
    pub intro: Bi,
    pub steps: &'static [Step],
}

/// A command line the learner entered while a step was current.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    pub line: String,
    /// Its exit status, when it was the last line of what was entered and
    /// had finished (`None`: not known, e.g. a console producer still running).
    pub status: Option<i32>,
}

/// What a step's check looks at.
pub struct Check<'a> {
    pub shell: &'a Shell,
    /// The commands entered since the step became current, oldest first.
    pub commands: &'a [Ran],
    /// Simulated time when the step became current.
    pub since_ms: Ms,
}

impl<'a> Check<'a> {
    pub fn sim(&self) -> &'a Simulation {
        &self.shell.world().sim
    }

    /// The committed metadata (the active controller's).
    pub fn metadata(&self) -> Option<&'a MetadataImage> {
        self.sim().metadata()
    }

    pub fn topic(&self, name: &str) -> Option<&'a TopicImage> {
        self.metadata()?.topic(name)
    }

    /// The topic's partitions, in order.
    pub fn partitions(&self, topic: &str) -> Vec<&'a PartitionRegistration> {
        self.topic(topic)
            .map(|t| t.partitions.values().map(|p| p.as_ref()).collect())
            .unwrap_or_default()
    }

    /// The shell is on the learner's machine (not inside a container).
    pub fn on_host(&self) -> bool {
        self.shell.world().host.is_none()
    }

    /// Some command since the step began ran `tool` with every flag of
    /// `flags`, named `topic` if it has `--topic` (a `$variable` matches), and
    /// did not fail.
    pub fn ran(&self, tool: &str, flags: &[&str], topic: Option<&str>) -> bool {
        self.commands.iter().any(|ran| {
            ran.status.is_none_or(|s| s == 0)
                && simple_commands(&ran.line)
                    .iter()
                    .any(|words| invokes(words, tool, flags, topic))
        })
    }

    /// Some record produced to `tp` since the step began was acknowledged
    /// (`Ok`) or refused with an error containing `error` (`Err`).
    pub fn produced(&self, tp: &TopicPartition, outcome: Result<(), &str>) -> bool {
        self.sim()
            .outcomes()
            .iter()
            .rev()
            .take_while(|o| o.time >= self.since_ms)
            .any(|o| {
                o.tp == *tp
                    && match (&o.result, outcome) {
                        (Ok(_), Ok(())) => true,
                        (Err(e), Err(want)) => e.contains(want),
                        _ => false,
                    }
            })
    }

    /// The partition's leader's high watermark and log end offset.
    pub fn offsets(&self, tp: &TopicPartition) -> Option<(i64, i64)> {
        let leader = self.metadata()?.partition(tp)?.leader;
        let info = self.sim().broker(leader)?.replica_info(tp)?;
        Some((info.high_watermark, info.log_end_offset))
    }

    /// Group `group`'s committed offsets on `topic` as its coordinator has
    /// them: (their sum, the lag summed over the partitions: high watermark
    /// minus committed offset, a partition without a commit counting from 0).
    /// `None` when no running broker coordinates the group.
    pub fn group_lag(&self, group: &str, topic: &str) -> Option<(i64, i64)> {
        let sim = self.sim();
        let coordinator = sim
            .config()
            .brokers
            .iter()
            .filter_map(|&b| sim.broker(b))
            .map(|b| b.group_coordinator())
            .find(|c| c.group_state(group).is_some())?;
        let mut committed_sum = 0;
        let mut lag = 0;
        for p in self.partitions(topic) {
            let tp = TopicPartition::new(topic, p.partition);
            let committed = coordinator.committed_offset(group, &tp).unwrap_or(0);
            let (hw, _) = self.offsets(&tp)?;
            committed_sum += committed;
            lag += (hw - committed).max(0);
        }
        Some((committed_sum, lag))
    }

    /// The high watermarks of `topic`'s partitions, summed (`None` while a
    /// partition has no leader).
    pub fn records_in(&self, topic: &str) -> Option<i64> {
        self.partitions(topic)
            .iter()
            .map(|p| self.offsets(&TopicPartition::new(topic, p.partition)).map(|(hw, _)| hw))
            .sum()
    }

    /// The latest observations, newest first (at most
    /// [`OBSERVATIONS_SCANNED_MAX`] of them).
    fn latest_observations(&self) -> impl Iterator<Item = &'a (Ms, NodeId, Observation)> {
        self.sim().observations().iter().rev().take(OBSERVATIONS_SCANNED_MAX)
    }

    /// The observations since the step began, newest first.
    fn observed_since_step(&self) -> impl Iterator<Item = &'a Observation> {
        let since = self.since_ms;
        self.latest_observations()
            .take_while(move |(time, _, _)| *time >= since)
            .map(|(_, _, o)| o)
    }

    /// The reason the controller gave for `tp`'s latest leader election
    /// (`clean`, `unclean`, `new partition`, `no eligible replica`, ...).
    pub fn last_election(&self, tp: &TopicPartition) -> Option<&'a str> {
        self.latest_observations().find_map(|(_, _, o)| match o {
            Observation::LeaderElected { tp: t, reason, .. } if t == tp => Some(*reason),
            _ => None,
        })
    }

    /// Records broker `broker` removed from its log of `tp` since the step
    /// began (a follower truncating to its new leader).
    pub fn truncated(&self, tp: &TopicPartition, broker: NodeId) -> i64 {
        self.observed_since_step()
            .map(|o| match o {
                Observation::Truncated {
                    tp: t,
                    broker: b,
                    from,
                    to,
                } if t == tp && *b == broker => to - from,
                _ => 0,
            })
            .sum()
    }

    /// A broker whose process runs and that the controller has unfenced.
    pub fn alive(&self, broker: NodeId) -> bool {
        self.sim().is_up(broker) && self.metadata().is_some_and(|m| m.is_alive(broker))
    }

    /// Group `group` as its coordinator describes it (what
    /// `kafka-consumer-groups --describe` and the groups panel show).
    pub fn group(&self, group: &str) -> Option<crate::groups_panel::GroupView> {
        crate::groups_panel::groups(self.sim())
            .into_iter()
            .find(|g| g.group_id == group)
    }

    /// Group `group` went through a rebalance since the step began (its
    /// coordinator moved it to `PreparingRebalance`).
    pub fn rebalanced(&self, group: &str) -> bool {
        self.observed_since_step().any(|o| {
                matches!(o, Observation::GroupState { group: g, state, .. } if g == group && *state == "PreparingRebalance")
            })
    }

    /// The KRaft controller voters (`controller.quorum.voters`).
    pub fn controllers(&self) -> &'a [NodeId] {
        &self.sim().config().controllers
    }

    /// The active controller elected since the step began (its
    /// `ControllerElected`), if it is still the active one.
    pub fn controller_elected_since(&self) -> Option<NodeId> {
        let active = self.sim().active_controller()?;
        self.observed_since_step()
            .any(|o| matches!(o, Observation::ControllerElected { leader, .. } if *leader == active))
            .then_some(active)
    }
}

/// Whether `words` (one simple command) runs `tool` with `flags` and `topic`.
fn invokes(words: &[String], tool: &str, flags: &[&str], topic: Option<&str>) -> bool {
    let Some(first) = words.first() else { return false };
    if tool_name(first) != tool {
        return false;
    }
    let args = &words[1..];
    let has = |flag: &str| {
        args.iter()
            .any(|a| a == flag || a.strip_prefix(flag).is_some_and(|r| r.starts_with('=')))
    };
    if !flags.iter().all(|f| has(f)) {
        return false;
    }
    match (topic, option_value(args, "--topic")) {
        (Some(want), Some(given)) => given == want || given.contains('$'),
        _ => true,
    }
}

/// `--name value` or `--name=value`.
fn option_value<'w>(args: &'w [String], name: &str) -> Option<&'w str> {
    args.iter().enumerate().find_map(|(i, a)| {
        if a == name {
            args.get(i + 1).map(String::as_str)
        } else {
            a.strip_prefix(name).and_then(|r| r.strip_prefix('='))
        }
    })
}

/// `kafka-topics`, `kafka-topics.sh`, `/usr/bin/kafka-topics` are all `kafka-topics`.
fn tool_name(word: &str) -> &str {
    let base = word.rsplit('/').next().unwrap_or(word);
    base.strip_suffix(".sh").unwrap_or(base)
}

/// The simple commands of a command line, as words with quotes removed:
/// split at `;`, `&`, `|` and newlines; `docker exec [-it] NAME CMD...` also
/// gives `CMD...` (what runs inside the container). Only for recognising what
/// the learner ran; the shell itself parses with [`kafkaplay_shell::syntax`].
pub fn simple_commands(line: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars().peekable();
    let end_word = |words: &mut Vec<String>, word: &mut String, in_word: &mut bool| {
        if *in_word {
            words.push(std::mem::take(word));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.push(c),
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    in_word = true;
                }
                '\\' => {
                    if let Some(n) = chars.next() {
                        if n != '\n' {
                            word.push(n);
                            in_word = true;
                        }
                    }
                }
                ';' | '&' | '|' | '\n' => {
                    end_word(&mut words, &mut word, &mut in_word);
                    if !words.is_empty() {
                        commands.push(std::mem::take(&mut words));
                    }
                }
                c if c.is_whitespace() => end_word(&mut words, &mut word, &mut in_word),
                c => {
                    word.push(c);
                    in_word = true;
                }
            },
        }
    }
    end_word(&mut words, &mut word, &mut in_word);
    if !words.is_empty() {
        commands.push(words);
    }
    let inner: Vec<Vec<String>> = commands.iter().filter_map(|w| docker_exec_inner(w)).collect();
    commands.extend(inner);
    commands
}

/// `docker exec [OPTIONS] CONTAINER COMMAND [ARG...]`: the command.
fn docker_exec_inner(words: &[String]) -> Option<Vec<String>> {
    if words.first().map(String::as_str) != Some("docker") || words.get(1).map(String::as_str) != Some("exec") {
        return None;
    }
    let mut i = 2;
    while let Some(w) = words.get(i) {
        if !w.starts_with('-') {
            break;
        }
        // Options that take a value.
        let takes_value = matches!(w.as_str(), "-e" | "--env" | "-u" | "--user" | "-w" | "--workdir");
        i += if takes_value { 2 } else { 1 };
    }
    let rest = words.get(i + 1..)?;
    (!rest.is_empty()).then(|| rest.to_vec())
}

/// The partition of `topic` whose leader is the first alive broker other than
/// broker 1 (the learner's terminal works through broker 1): the one a lesson
/// asks to stop. Its leader.
pub fn leader_to_stop(shell: &Shell, topic: &str) -> Option<NodeId> {
    let image = shell.world().sim.metadata()?;
    let t = image.topic(topic)?;
    t.partitions
        .values()
        .map(|p| p.leader)
        .find(|&l| l != NO_NODE && l != 1)
}

/// A learner's way through one lesson.
#[derive(Debug, Clone)]
pub struct Progress {
    pub lesson: usize,
    pub step: usize,
    /// Which steps of the lesson have passed their check (once passed, a step
    /// stays done).
    done: Vec<bool>,
    /// Commands entered since the current step began.
    commands: Vec<Ran>,
    since_ms: Ms,
    /// History entries already accounted for; `None` until the first look
    /// (the terminal may restore an old history when it starts).
    seen: Option<usize>,
    /// The current step's command as last shown: a dynamic one (which broker
    /// to stop) is kept once the step is done, when the cluster has moved on.
    command_shown: Option<String>,
}

impl Progress {
    pub fn new(lesson: usize, shell: &Shell) -> Progress {
        let lesson = lesson.min(content::LESSONS.len().saturating_sub(1));
        Progress {
            lesson,
            step: 0,
            done: vec![false; content::LESSONS.get(lesson).map_or(0, |l| l.steps.len())],
            commands: Vec::new(),
            since_ms: shell.world().sim.now(),
            seen: None,
            command_shown: None,
        }
    }

    pub fn lesson(&self) -> &'static Lesson {
        &content::LESSONS[self.lesson]
    }

    pub fn current(&self) -> &'static Step {
        &self.lesson().steps[self.step]
    }

    pub fn is_done(&self, step: usize) -> bool {
        self.done.get(step).copied().unwrap_or(false)
    }

    pub fn done_count(&self) -> usize {
        self.done.iter().filter(|d| **d).count()
    }

    /// The exit status of the last command entered for the current step,
    /// when it failed (the panel says so while the step waits).
    pub fn last_failed(&self) -> Option<i32> {
        self.commands.last().and_then(|r| r.status).filter(|s| *s != 0)
    }

    /// Looks at the shell: notes the commands entered since the last look,
    /// then runs the current step's check. Returns whether the current step
    /// has just become done. Cheap enough to call after every command and
    /// every tick.
    pub fn observe(&mut self, shell: &Shell) -> bool {
        self.note_commands(shell);
        self.evaluate(shell)
    }

    fn note_commands(&mut self, shell: &Shell) {
        let history = shell.history();
        let Some(seen) = self.seen else {
            self.seen = Some(history.len());
            return;
        };
        if history.len() < seen {
            // Another shell (a new cluster): start counting again.
            self.seen = Some(history.len());
            return;
        }
        let new = &history[seen..];
        for (i, line) in new.iter().enumerate() {
            let last = i + 1 == new.len();
            let status = (last && !shell.job_running()).then(|| shell.last_status());
            self.commands.push(Ran {
                line: line.clone(),
                status,
            });
        }
        if self.commands.len() > COMMANDS_MAX {
            let extra = self.commands.len() - COMMANDS_MAX;
            self.commands.drain(..extra);
        }
        self.seen = Some(history.len());
    }

    fn evaluate(&mut self, shell: &Shell) -> bool {
        if self.is_done(self.step) {
            return false;
        }
        let check = Check {
            shell,
            commands: &self.commands,
            since_ms: self.since_ms,
        };
        if (self.current().check)(&check) {
            if let Some(d) = self.done.get_mut(self.step) {
                *d = true;
            }
            return true;
        }
        false
    }

    /// Makes `step` current: its commands are counted from now. Returns
    /// whether it is done right away (its state is already there).
    pub fn go_to(&mut self, step: usize, shell: &Shell) -> bool {
        self.note_commands(shell);
        self.step = step.min(self.lesson().steps.len().saturating_sub(1));
        self.commands.clear();
        self.since_ms = shell.world().sim.now();
        self.command_shown = None;
        self.evaluate(shell)
    }

    /// The current step's command to show: computed while the step waits,
    /// kept as it was once the step is done.
    pub fn command_text(&mut self, shell: &Shell) -> Option<String> {
        let command = self.current().command?;
        if !(self.is_done(self.step) && self.command_shown.is_some()) {
            if let Some(text) = command.text(shell) {
                self.command_shown = Some(text);
            }
        }
        self.command_shown.clone()
    }

    pub fn next(&mut self, shell: &Shell) -> bool {
        self.go_to(self.step + 1, shell)
    }

    pub fn previous(&mut self, shell: &Shell) -> bool {
        self.go_to(self.step.saturating_sub(1), shell)
    }

    /// Starts lesson `lesson` at its first step.
    pub fn select(&mut self, lesson: usize, shell: &Shell) -> bool {
        let seen = self.seen;
        *self = Progress::new(lesson, shell);
        self.seen = seen;
        self.go_to(0, shell)
    }

    /// The shell was replaced (a new cluster): the lesson starts over.
    pub fn restart(&mut self, shell: &Shell) -> bool {
        *self = Progress::new(self.lesson, shell);
        self.observe(shell)
    }
}
