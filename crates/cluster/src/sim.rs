//! The deterministic simulator: one clock, one seeded PRNG, one network, and
//! the nodes. It owns time and randomness so that nodes never read either: a
//! node only ever sees `(now, input)` and answers with effects.
//!
//! Same [`ClusterConfig`], seed and calls give the same trace, natively and in
//! wasm: events are ordered by `(time, sequence number)`, collections are ordered,
//! and the PRNG is PCG (`oorandom`), whose stream is fixed.

use std::collections::BTreeMap;

use kafkaplay_flatmap::{FlatMap, FlatSet};
use std::fmt;

use oorandom::Rand64;

pub mod persist;

use crate::broker::{self, Broker, BrokerDisk};
use crate::config::{ClusterConfig, ConsumerConfig, ProducerConfig};
use crate::consumer::{self, ConsumedRecord, Consumer, ConsumerApp, Phase};
use crate::controller::{self, Controller, ControllerDisk};
use crate::metadata::MetadataImage;
use crate::producer::{self, Producer, ProducerRecord};
use crate::protocol::{AdminRequest, AdminResponse, Message};
use crate::trace::{self, Observation, Trace, TraceLine};
use crate::types::{Ms, NodeId, TopicPartition};

mod config_admin;
pub mod group_admin;

/// The pseudo-node admin requests come from (the shell's AdminClient).
pub const ADMIN_NODE: NodeId = -100;
/// Client nodes (producers, consumers) get ids from here up.
pub const FIRST_CLIENT_ID: NodeId = 10_000;

/// A timer a node set; each node kind has its own timer type.
#[derive(Debug, Clone, PartialEq)]
pub enum Timer {
    Controller(controller::Timer),
    Broker(broker::Timer),
    Producer(producer::Timer),
    Consumer(consumer::Timer),
}

/// What a node asks the simulator to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Send(NodeId, Message),
    /// Fire `Timer` after this many ms.
    SetTimer(Ms, Timer),
    Observe(Observation),
    /// The outcome of one record a producer was given.
    Outcome(RecordOutcome),
    /// The node finished a controlled shutdown and stops.
    Exit,
}

/// The acknowledgement (or final failure) of one produced record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordOutcome {
    pub record_id: u64,
    pub producer: NodeId,
    pub tp: TopicPartition,
    /// The record's offset, or the error the producer gave up with.
    pub result: Result<i64, String>,
    pub time: Ms,
}

/// What a node gets while it handles one input.
pub struct Ctx<'a> {
    pub now: Ms,
    pub me: NodeId,
    pub rng: &'a mut Rand64,
    effects: &'a mut Vec<Effect>,
}

impl<'a> Ctx<'a> {
    /// A context outside the simulator: for driving one node directly in tests.
    pub fn new(now: Ms, me: NodeId, rng: &'a mut Rand64, effects: &'a mut Vec<Effect>) -> Self {
        Ctx { now, me, rng, effects }
    }

    pub fn send(&mut self, to: NodeId, msg: Message) {
        self.effects.push(Effect::Send(to, msg));
    }
    pub fn set_timer(&mut self, after_ms: Ms, timer: Timer) {
        self.effects.push(Effect::SetTimer(after_ms.max(0), timer));
    }
    pub fn observe(&mut self, o: Observation) {
        self.effects.push(Effect::Observe(o));
    }
    pub fn outcome(&mut self, o: RecordOutcome) {
        self.effects.push(Effect::Outcome(o));
    }
    pub fn exit(&mut self) {
        self.effects.push(Effect::Exit);
    }
    /// A uniform integer in `[lo, hi)` from the simulation's generator.
    pub fn random_range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.rng.rand_range(0..(hi - lo) as u64) as i64
    }
}

/// A running node.
#[derive(Debug)]
pub enum Node {
    Controller(Box<Controller>),
    Broker(Box<Broker>),
    Producer(Box<Producer>),
    Consumer(Box<Consumer>),
}

impl Node {
    fn on_start(&mut self, cx: &mut Ctx) {
        match self {
            Node::Controller(n) => n.on_start(cx),
            Node::Broker(n) => n.on_start(cx),
            Node::Producer(n) => n.on_start(cx),
            Node::Consumer(n) => n.on_start(cx),
        }
    }
    fn on_message(&mut self, cx: &mut Ctx, from: NodeId, msg: Message) {
        match self {
            Node::Controller(n) => n.on_message(cx, from, msg),
            Node::Broker(n) => n.on_message(cx, from, msg),
            Node::Producer(n) => n.on_message(cx, from, msg),
            Node::Consumer(n) => n.on_message(cx, from, msg),
        }
    }
    fn on_timer(&mut self, cx: &mut Ctx, timer: Timer) {
        match (self, timer) {
            (Node::Controller(n), Timer::Controller(t)) => n.on_timer(cx, t),
            (Node::Broker(n), Timer::Broker(t)) => n.on_timer(cx, t),
            (Node::Producer(n), Timer::Producer(t)) => n.on_timer(cx, t),
            (Node::Consumer(n), Timer::Consumer(t)) => n.on_timer(cx, t),
            _ => {}
        }
    }
}

/// What survives a node's death: its disk.
#[derive(Debug)]
pub enum Disk {
    Controller(ControllerDisk),
    Broker(BrokerDisk),
    /// Clients keep nothing.
    Client,
}

#[derive(Debug)]
enum Slot {
    Up(Node),
    Down(Disk),
}

#[derive(Debug)]
struct NodeState {
    slot: Slot,
    /// Bumped at every start: timers and connections of an earlier life are void.
    incarnation: u64,
    /// While paused (a GC stall), inputs wait here in order.
    paused: bool,
    held: Vec<Event>,
}

#[derive(Debug, Clone, PartialEq)]
enum Event {
    Deliver {
        from: NodeId,
        to: NodeId,
        to_incarnation: u64,
        msg: Message,
    },
    Timer {
        node: NodeId,
        incarnation: u64,
        timer: Timer,
    },
    /// No controller was active when an admin request was sent: try again.
    AdminRetry { request_id: u64 },
}

/// Per-link fault settings (from → to).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LinkRule {
    /// Extra one-way delay.
    pub extra_delay_ms: Ms,
    /// Probability in [0, 1] that a message is lost.
    pub drop_probability: f64,
}

/// A named fault a scenario or a random schedule can apply.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// `kill -9`: the process dies, the OS page cache (written log data) survives.
    Kill(NodeId),
    /// Power loss: like `Kill`, and log data not yet flushed to disk is lost.
    PowerLoss(NodeId),
    /// Start a stopped node; it recovers from its disk.
    Restart(NodeId),
    /// Controlled shutdown: a broker moves its leaderships away first.
    Shutdown(NodeId),
    /// A stop-the-world pause (GC) until `Resume`.
    Pause(NodeId),
    Resume(NodeId),
    /// Cut the network between every pair of groups (nodes in no group keep
    /// talking to everyone).
    Partition(Vec<Vec<NodeId>>),
    /// Remove every partition and link rule.
    Heal,
    Link {
        from: NodeId,
        to: NodeId,
        rule: LinkRule,
    },
}

/// The simulated cluster.
pub struct Simulation {
    config: ClusterConfig,
    now: Ms,
    rng: Rand64,
    /// The event queue stays a B-tree: large, filled out of order, drained from the front.
    queue: BTreeMap<(Ms, u64), Event>,
    seq: u64,
    nodes: FlatMap<NodeId, NodeState>,
    blocked: FlatSet<(NodeId, NodeId)>,
    links: FlatMap<(NodeId, NodeId), LinkRule>,
    /// FIFO per connection: no message overtakes an earlier one on the same link.
    last_delivery: FlatMap<(NodeId, NodeId), Ms>,
    trace: Trace,
    observations: Vec<(Ms, NodeId, Observation)>,
    outcomes: Vec<RecordOutcome>,
    admin_pending: FlatMap<u64, (AdminRequest, Ms)>,
    admin_responses: FlatMap<u64, AdminResponse>,
    next_request_id: u64,
    next_client_id: NodeId,
    seed: u64,
    traffic: FlatMap<NodeId, Traffic>,
    /// Records handed to producers (each gets exactly one outcome).
    records_sent: u64,
    /// Records consumer applications processed, in order.
    consumed: Vec<ConsumedRecord>,
    /// Answers to the group admin client, by request id ([`group_admin`]).
    group_admin_inbox: FlatMap<u64, Message>,
    /// The effects of the input being handled (kept for its capacity).
    effects: Vec<Effect>,
}

/// Record bytes a broker took in from producers and sent out in fetch responses
/// (to followers and consumers): Kafka's `BytesInPerSec`/`BytesOutPerSec`
/// counted since the start, and `MessagesInPerSec`'s count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traffic {
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub produce_requests: u64,
    pub fetch_responses: u64,
}

impl Simulation {
    /// Builds the cluster and starts every controller and broker at time 0.
    pub fn new(config: ClusterConfig, seed: u64) -> Self {
        let mut sim = Simulation::new_stopped(config, seed);
        for id in sim.config.controllers.clone() {
            sim.nodes
                .insert(id, NodeState::down(Disk::Controller(ControllerDisk::default())));
            sim.start(id);
        }
        for id in sim.config.brokers.clone() {
            sim.nodes
                .insert(id, NodeState::down(Disk::Broker(BrokerDisk::default())));
            sim.start(id);
        }
        sim
    }

    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// Simulated wall-clock time in ms.
    pub fn now(&self) -> Ms {
        self.now
    }
    pub fn trace(&self) -> &Trace {
        &self.trace
    }
    pub fn observations(&self) -> &[(Ms, NodeId, Observation)] {
        &self.observations
    }
    pub fn outcomes(&self) -> &[RecordOutcome] {
        &self.outcomes
    }

    // ----- driving -----

    /// Handles the next event; false when nothing is scheduled.
    pub fn step(&mut self) -> bool {
        let Some(((time, _), event)) = self.queue.pop_first() else {
            return false;
        };
        self.now = self.now.max(time);
        self.dispatch(event);
        true
    }

    /// Handles every event up to and including simulated time `t`, then sets the
    /// clock to `t`.
    pub fn run_until(&mut self, t: Ms) {
        while let Some((&(time, _), _)) = self.queue.first_key_value() {
            if time > t {
                break;
            }
            self.step();
        }
        self.now = self.now.max(t);
    }

    /// When the next scheduled event is due, if any (a driver that runs the
    /// simulation a few events at a time looks here; nothing changes).
    pub fn next_event_time(&self) -> Option<Ms> {
        self.queue.first_key_value().map(|(&(time, _), _)| time)
    }

    pub fn run_for(&mut self, ms: Ms) {
        let t = self.now + ms;
        self.run_until(t);
    }

    /// Runs until `done(self)` holds (checked after each event) or `max_ms` pass;
    /// returns whether it held.
    pub fn run_until_condition(&mut self, max_ms: Ms, mut done: impl FnMut(&Simulation) -> bool) -> bool {
        let deadline = self.now + max_ms;
        loop {
            if done(self) {
                return true;
            }
            match self.queue.first_key_value() {
                Some((&(time, _), _)) if time <= deadline => {
                    self.step();
                }
                _ => {
                    self.now = self.now.max(deadline);
                    return done(self);
                }
            }
        }
    }

    /// Runs until the cluster is quiet (see [`Simulation::is_quiet`]) or `max_ms`
    /// pass; returns whether it became quiet. Heartbeats and idle fetches go on
    /// forever in a live cluster, so "quiet" means nothing is left to converge.
    pub fn run_until_quiet(&mut self, max_ms: Ms) -> bool {
        self.run_until_condition(max_ms, Simulation::is_quiet)
    }

    /// Nothing left to converge: an active controller exists, every running
    /// unfenced broker has applied all committed metadata, every in-sync replica
    /// that is up holds the leader's log end offset and high watermark, no admin
    /// request is pending and every record handed to a producer has an outcome.
    pub fn is_quiet(&self) -> bool {
        let Some(image) = self.metadata() else { return false };
        if !self.admin_pending.is_empty() {
            return false;
        }
        let alive = image.unfenced_brokers();
        if alive
            .iter()
            .any(|b| self.broker(*b).is_some_and(|x| x.image().offset < image.offset))
        {
            return false;
        }
        for (tp, p) in image.partitions() {
            let Some(leader) = self.broker(p.leader).and_then(|b| b.replica_info(&tp)) else {
                continue;
            };
            for r in &p.isr {
                if *r == p.leader || !self.is_up(*r) || self.is_paused(*r) {
                    continue;
                }
                match self.broker(*r).and_then(|b| b.replica_info(&tp)) {
                    Some(i)
                        if i.log_end_offset == leader.log_end_offset && i.high_watermark == leader.high_watermark => {}
                    _ => return false,
                }
            }
        }
        self.outcomes.len() as u64 >= self.records_sent
    }

    fn schedule(&mut self, at: Ms, event: Event) {
        self.seq += 1;
        self.queue.insert((at, self.seq), event);
    }

    /// Hands `event` to its node.
    ///
    /// Code size: each message handler is called from one place, so the
    /// compiler inlines the whole chain (node, broker or controller, handler)
    /// into [`Simulation::step`], one function of about 90 KB in the wasm.
    /// The docs widget splits its wasm by what a profile ran
    /// (web/build/split-widget.mjs) and can only leave out whole functions,
    /// so the handlers a widget rarely needs (consumer groups, configs,
    /// reassignments, elections, Raft votes, offsets lookups) are
    /// `#[inline(never)]`: one call each per request, no measurable time.
    fn dispatch(&mut self, event: Event) {
        let target = match &event {
            Event::Deliver { to, .. } => *to,
            Event::Timer { node, .. } => *node,
            Event::AdminRetry { request_id } => {
                self.send_admin(*request_id);
                return;
            }
        };
        let Some(state) = self.nodes.get_mut(&target) else {
            if let Event::Deliver { from, to, msg, .. } = event {
                self.deliver_to_pseudo_node(from, to, msg);
            }
            return;
        };
        if state.paused {
            state.held.push(event);
            return;
        }
        let incarnation = state.incarnation;
        match event {
            Event::Deliver {
                from,
                to,
                to_incarnation,
                msg,
            } => {
                if to_incarnation != incarnation || !matches!(state.slot, Slot::Up(_)) {
                    self.trace_line(to, format!("dropped {} from {from}: node down", msg_kind(&msg)));
                    if msg != Message::Disconnected && self.is_up(from) {
                        // The sender's TCP connection is reset by the dead peer's host.
                        self.send(to, from, Message::Disconnected);
                    }
                    return;
                }
                if self.blocked.contains(&(from, to)) {
                    self.trace_line(to, format!("dropped {} from {from}: partitioned", msg_kind(&msg)));
                    return;
                }
                let mut line = String::with_capacity(128);
                line.push_str("recv ");
                push_summary(&mut line, &msg);
                line.push_str(" from ");
                trace::push_int(&mut line, from.into());
                self.trace_line(to, line);
                self.count_traffic(from, to, &msg);
                self.with_node(to, |node, cx| node.on_message(cx, from, msg));
            }
            Event::Timer {
                node,
                incarnation: inc,
                timer,
            } => {
                if inc != incarnation {
                    return;
                }
                self.with_node(node, |n, cx| n.on_timer(cx, timer));
            }
            Event::AdminRetry { .. } => unreachable!("handled above"),
        }
    }

    /// Runs `f` on a running node and applies its effects.
    fn with_node(&mut self, id: NodeId, f: impl FnOnce(&mut Node, &mut Ctx)) {
        // One buffer for every input (a nested call would get a new one).
        let mut effects = std::mem::take(&mut self.effects);
        {
            let Some(NodeState {
                slot: Slot::Up(node), ..
            }) = self.nodes.get_mut(&id)
            else {
                return;
            };
            let mut cx = Ctx {
                now: self.now,
                me: id,
                rng: &mut self.rng,
                effects: &mut effects,
            };
            f(node, &mut cx);
            if let Node::Consumer(c) = node {
                self.consumed.extend(c.take_processed());
            }
        }
        self.apply_effects(id, &mut effects);
        self.effects = effects;
        if matches!(self.consumer(id), Some(c) if c.is_halted()) {
            // The consumer reached the crash point a test asked for.
            self.apply_fault(Fault::Kill(id));
        }
    }

    fn apply_effects(&mut self, from: NodeId, effects: &mut Vec<Effect>) {
        for e in effects.drain(..) {
            match e {
                Effect::Send(to, msg) => self.send(from, to, msg),
                Effect::SetTimer(after, timer) => {
                    let incarnation = self.nodes.get(&from).map_or(0, |s| s.incarnation);
                    self.schedule(
                        self.now + after,
                        Event::Timer {
                            node: from,
                            incarnation,
                            timer,
                        },
                    );
                }
                Effect::Observe(o) => {
                    self.trace_line(from, o.text());
                    self.observations.push((self.now, from, o));
                }
                Effect::Outcome(o) => {
                    let text = match &o.result {
                        Ok(offset) => {
                            let mut s = String::with_capacity(48);
                            s.push_str("record ");
                            trace::push_uint(&mut s, o.record_id);
                            s.push_str(" acked ");
                            trace::push_tp(&mut s, &o.tp);
                            s.push('@');
                            trace::push_int(&mut s, *offset);
                            s
                        }
                        Err(e) => format!("record {} failed {}: {e}", o.record_id, o.tp),
                    };
                    self.trace_line(from, text);
                    self.outcomes.push(o);
                }
                Effect::Exit => self.stop(from, false),
            }
        }
    }

    fn send(&mut self, from: NodeId, to: NodeId, msg: Message) {
        if self.blocked.contains(&(from, to)) {
            self.trace_line(from, format!("dropped {} to {to}: partitioned", msg_kind(&msg)));
            return;
        }
        let rule = self.links.get(&(from, to)).copied().unwrap_or_default();
        if rule.drop_probability > 0.0 && self.rng.rand_float() < rule.drop_probability {
            self.trace_line(from, format!("dropped {} to {to}: link drop", msg_kind(&msg)));
            return;
        }
        let earliest = self.now + self.config.network_delay_ms + rule.extra_delay_ms;
        let at = earliest.max(self.last_delivery.get(&(from, to)).copied().unwrap_or(0));
        self.last_delivery.insert((from, to), at);
        let to_incarnation = self.nodes.get(&to).map_or(0, |s| s.incarnation);
        self.schedule(
            at,
            Event::Deliver {
                from,
                to,
                to_incarnation,
                msg,
            },
        );
    }

    fn count_traffic(&mut self, from: NodeId, to: NodeId, msg: &Message) {
        match msg {
            Message::Produce(p) => {
                let t = self.traffic.entry(to).or_default();
                t.produce_requests += 1;
                t.bytes_in += p.partitions.iter().map(|(_, b)| b.len() as u64).sum::<u64>();
            }
            Message::FetchResponse(r) => {
                let t = self.traffic.entry(from).or_default();
                t.fetch_responses += 1;
                t.bytes_out += r.partitions.iter().map(|p| p.records.len() as u64).sum::<u64>();
            }
            _ => {}
        }
    }

    /// Per broker traffic counters since the start.
    pub fn traffic(&self, broker: NodeId) -> Traffic {
        self.traffic.get(&broker).copied().unwrap_or_default()
    }

    fn trace_line(&mut self, node: NodeId, text: String) {
        self.trace.push(TraceLine {
            time: self.now,
            node,
            text,
        });
    }

    // ----- lifecycle and faults -----

    fn start(&mut self, id: NodeId) {
        let now = self.now;
        let config = self.config.clone();
        let Some(state) = self.nodes.get_mut(&id) else { return };
        let Slot::Down(disk) = std::mem::replace(&mut state.slot, Slot::Down(Disk::Client)) else {
            return;
        };
        state.incarnation += 1;
        state.paused = false;
        state.held.clear();
        let node = match disk {
            Disk::Controller(d) => Node::Controller(Box::new(Controller::new(id, &config, d, now))),
            Disk::Broker(d) => Node::Broker(Box::new(Broker::new(id, &config, d, now))),
            Disk::Client => {
                state.slot = Slot::Down(Disk::Client);
                return; // clients are not restarted
            }
        };
        state.slot = Slot::Up(node);
        self.trace_line(id, "started".to_string());
        self.with_node(id, |n, cx| n.on_start(cx));
    }

    /// Stops a node; `power_loss` also drops its unflushed log data.
    fn stop(&mut self, id: NodeId, power_loss: bool) {
        let Some(state) = self.nodes.get_mut(&id) else { return };
        let Slot::Up(node) = std::mem::replace(&mut state.slot, Slot::Down(Disk::Client)) else {
            return;
        };
        state.incarnation += 1; // void its timers and in-flight messages to it
        state.paused = false;
        state.held.clear();
        state.slot = Slot::Down(match node {
            Node::Controller(c) => Disk::Controller(c.into_disk()),
            Node::Broker(b) => {
                let mut disk = b.into_disk();
                if power_loss {
                    disk.power_loss();
                }
                Disk::Broker(disk)
            }
            Node::Producer(_) | Node::Consumer(_) => Disk::Client,
        });
        self.trace_line(id, if power_loss { "power lost" } else { "stopped" }.to_string());
        // The dead process's host resets its TCP connections: clients notice at
        // once (brokers and controllers rely on their own timeouts and ignore it).
        let clients: Vec<NodeId> = self
            .nodes
            .iter()
            .filter(|(n, s)| **n >= FIRST_CLIENT_ID && matches!(s.slot, Slot::Up(_)))
            .map(|(n, _)| *n)
            .collect();
        for client in clients {
            self.send(id, client, Message::Disconnected);
        }
    }

    /// Applies a named fault.
    pub fn apply_fault(&mut self, fault: Fault) {
        self.trace_line(-1, format!("fault {fault:?}"));
        match fault {
            Fault::Kill(id) => self.stop(id, false),
            Fault::PowerLoss(id) => self.stop(id, true),
            Fault::Restart(id) => self.start(id),
            Fault::Shutdown(id) => self.with_node(id, |n, cx| {
                if let Node::Broker(b) = n {
                    b.begin_controlled_shutdown(cx);
                } else {
                    cx.exit();
                }
            }),
            Fault::Pause(id) => {
                if let Some(s) = self.nodes.get_mut(&id) {
                    s.paused = matches!(s.slot, Slot::Up(_));
                }
            }
            Fault::Resume(id) => {
                let held = match self.nodes.get_mut(&id) {
                    Some(s) if s.paused => {
                        s.paused = false;
                        std::mem::take(&mut s.held)
                    }
                    _ => Vec::new(),
                };
                for e in held {
                    self.schedule(self.now, e);
                }
            }
            Fault::Partition(groups) => {
                for (i, a) in groups.iter().enumerate() {
                    for (j, b) in groups.iter().enumerate() {
                        if i != j {
                            for x in a {
                                for y in b {
                                    self.blocked.insert((*x, *y));
                                }
                            }
                        }
                    }
                }
            }
            Fault::Heal => {
                self.blocked.clear();
                self.links.clear();
            }
            Fault::Link { from, to, rule } => {
                self.links.insert((from, to), rule);
            }
        }
    }

    /// Whether a node is up (running or paused).
    pub fn is_up(&self, id: NodeId) -> bool {
        self.nodes.get(&id).is_some_and(|s| matches!(s.slot, Slot::Up(_)))
    }
    pub fn is_paused(&self, id: NodeId) -> bool {
        self.nodes.get(&id).is_some_and(|s| s.paused)
    }

    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.nodes.keys().copied()
    }

    pub fn broker(&self, id: NodeId) -> Option<&Broker> {
        match self.nodes.get(&id).map(|s| &s.slot) {
            Some(Slot::Up(Node::Broker(b))) => Some(b),
            _ => None,
        }
    }

    pub fn controller(&self, id: NodeId) -> Option<&Controller> {
        match self.nodes.get(&id).map(|s| &s.slot) {
            Some(Slot::Up(Node::Controller(c))) => Some(c),
            _ => None,
        }
    }

    /// The active controller (the quorum leader), if one is up and knows it.
    pub fn active_controller(&self) -> Option<NodeId> {
        self.config
            .controllers
            .iter()
            .copied()
            .filter(|id| !self.is_paused(*id))
            .find(|id| self.controller(*id).is_some_and(Controller::is_active))
    }

    /// The committed metadata as the active controller sees it.
    pub fn metadata(&self) -> Option<&MetadataImage> {
        self.active_controller()
            .and_then(|id| self.controller(id))
            .map(Controller::image)
    }

    // ----- admin -----

    /// Sends an admin request to the active controller (retried until one
    /// answers). The response appears in [`Simulation::admin_response`].
    pub fn admin(&mut self, request: AdminRequest) -> u64 {
        let id = self.next_request_id;
        self.next_request_id += 1;
        self.admin_pending.insert(id, (request, self.now));
        self.send_admin(id);
        id
    }

    fn send_admin(&mut self, id: u64) {
        let Some((request, _)) = self.admin_pending.get(&id).cloned() else {
            return;
        };
        match self.active_controller() {
            Some(c) => self.send(
                ADMIN_NODE,
                c,
                Message::Admin {
                    request_id: id,
                    request,
                },
            ),
            // The AdminClient retries while no controller is known (retry.backoff.ms).
            None => self.schedule(self.now + 100, Event::AdminRetry { request_id: id }),
        }
    }

    fn deliver_to_pseudo_node(&mut self, from: NodeId, to: NodeId, msg: Message) {
        if to == group_admin::GROUP_ADMIN_NODE {
            return self.group_admin_deliver(from, msg);
        }
        if to != ADMIN_NODE {
            return;
        }
        if let Message::AdminResponse { request_id, response } = msg {
            if admin_not_controller(&response) {
                self.send_admin(request_id);
                return;
            }
            self.admin_pending.remove(&request_id);
            self.trace_line(
                ADMIN_NODE,
                format!("admin response {request_id} from {from}: {response:?}"),
            );
            self.admin_responses.insert(request_id, response);
        }
    }

    pub fn admin_response(&self, id: u64) -> Option<&AdminResponse> {
        self.admin_responses.get(&id)
    }

    /// Sends an admin request and runs until it is answered (or `max_ms` pass).
    pub fn admin_and_wait(&mut self, request: AdminRequest, max_ms: Ms) -> Option<AdminResponse> {
        let id = self.admin(request);
        self.run_until_condition(max_ms, |s| s.admin_responses.contains_key(&id));
        self.admin_responses.get(&id).cloned()
    }

    // ----- clients -----

    /// Adds a producer client that bootstraps from the brokers.
    pub fn add_producer(&mut self, config: ProducerConfig) -> NodeId {
        let id = self.next_client_id;
        self.next_client_id += 1;
        let producer = Producer::new(id, config, self.config.brokers.clone());
        self.nodes.insert(
            id,
            NodeState {
                slot: Slot::Up(Node::Producer(Box::new(producer))),
                incarnation: 1,
                paused: false,
                held: Vec::new(),
            },
        );
        self.with_node(id, |n, cx| n.on_start(cx));
        id
    }

    /// Hands a record to a producer; its outcome appears in [`Simulation::outcomes`].
    pub fn send_record(&mut self, producer: NodeId, record: ProducerRecord) -> u64 {
        let id = self.next_request_id;
        self.next_request_id += 1;
        if matches!(
            self.nodes.get(&producer).map(|s| &s.slot),
            Some(Slot::Up(Node::Producer(_)))
        ) {
            self.records_sent += 1;
        }
        self.with_node(producer, |n, cx| {
            if let Node::Producer(p) = n {
                p.send(cx, id, record);
            }
        });
        id
    }

    /// Adds a consumer with its application loop (see [`ConsumerApp`]); it
    /// does nothing until it is told to [`subscribe`](Simulation::subscribe) or
    /// [`assign`](Simulation::assign).
    pub fn add_consumer(&mut self, config: ConsumerConfig, app: ConsumerApp) -> NodeId {
        let id = self.next_client_id;
        self.next_client_id += 1;
        let consumer = Consumer::new(id, config, app, self.config.brokers.clone());
        self.nodes.insert(
            id,
            NodeState {
                slot: Slot::Up(Node::Consumer(Box::new(consumer))),
                incarnation: 1,
                paused: false,
                held: Vec::new(),
            },
        );
        self.trace_line(id, "started".to_string());
        self.with_node(id, |n, cx| n.on_start(cx));
        id
    }

    /// A running consumer.
    pub fn consumer(&self, id: NodeId) -> Option<&Consumer> {
        match self.nodes.get(&id).map(|s| &s.slot) {
            Some(Slot::Up(Node::Consumer(c))) => Some(c),
            _ => None,
        }
    }

    /// Runs `f` on a running consumer as one input (the application's call).
    pub fn with_consumer(&mut self, id: NodeId, f: impl FnOnce(&mut Consumer, &mut Ctx)) {
        self.with_node(id, |n, cx| {
            if let Node::Consumer(c) = n {
                f(c, cx);
            }
        });
    }

    /// `consumer.subscribe(topics)`.
    pub fn subscribe(&mut self, consumer: NodeId, topics: &[&str]) {
        self.with_consumer(consumer, |c, cx| c.subscribe(cx, topics));
    }

    /// `consumer.subscribe(Pattern.compile(pattern))`.
    pub fn subscribe_pattern(&mut self, consumer: NodeId, pattern: &str) {
        self.with_consumer(consumer, |c, cx| c.subscribe_pattern(cx, pattern));
    }

    /// `consumer.assign(partitions)`.
    pub fn assign(&mut self, consumer: NodeId, tps: &[TopicPartition]) {
        self.with_consumer(consumer, |c, cx| c.assign(cx, tps));
    }

    /// `consumer.seek(tp, offset)`.
    pub fn seek(&mut self, consumer: NodeId, tp: &TopicPartition, offset: i64) {
        self.with_consumer(consumer, |c, cx| c.seek(cx, tp, offset));
    }

    /// `consumer.close()`: commit (with auto-commit), leave the group, exit.
    pub fn close_consumer(&mut self, consumer: NodeId) {
        self.with_consumer(consumer, |c, cx| c.close(cx));
    }

    /// The consumer's application stops calling `poll` (or starts again).
    pub fn stall_consumer_app(&mut self, consumer: NodeId, stalled: bool) {
        self.with_consumer(consumer, |c, _| c.set_app_stalled(stalled));
    }

    /// Kills the consumer (like `Fault::Kill`) right after it reaches `phase`
    /// next: after processing a batch, or after a `commitSync` was acknowledged.
    pub fn crash_consumer_after(&mut self, consumer: NodeId, phase: Phase) {
        self.with_consumer(consumer, |c, _| c.crash_after(phase));
    }

    /// Every record consumer applications processed, in processing order.
    pub fn consumed(&self) -> &[ConsumedRecord] {
        &self.consumed
    }
}

impl NodeState {
    fn down(disk: Disk) -> Self {
        NodeState {
            slot: Slot::Down(disk),
            incarnation: 0,
            paused: false,
            held: Vec::new(),
        }
    }
}

/// Whether the controller answered NOT_CONTROLLER (retry with the new one).
fn admin_not_controller(r: &AdminResponse) -> bool {
    use crate::error::KafkaError::NotController;
    let is = |e: &Result<_, (crate::error::KafkaError, String)>| matches!(e, Err((NotController, _)));
    match r {
        AdminResponse::CreateTopic(e) => matches!(e, Err((NotController, _))),
        AdminResponse::DeleteTopic(e)
        | AdminResponse::CreatePartitions(e)
        | AdminResponse::AlterTopicConfigs(e)
        | AdminResponse::AlterBrokerConfigs(e)
        | AdminResponse::UnregisterBroker(e) => is(e),
        AdminResponse::ElectLeaders(v) | AdminResponse::AlterPartitionReassignments(v) => v.iter().any(|(_, e)| is(e)),
        AdminResponse::ListPartitionReassignments(e) => matches!(e, Err((NotController, _))),
    }
}

/// The message's name, for trace lines.
pub fn msg_kind(m: &Message) -> &'static str {
    match m {
        Message::Vote { .. } => "Vote",
        Message::VoteResponse { .. } => "VoteResponse",
        Message::BeginQuorumEpoch { .. } => "BeginQuorumEpoch",
        Message::MetadataFetch { .. } => "MetadataFetch",
        Message::MetadataFetchResponse(_) => "MetadataFetchResponse",
        Message::BrokerRegistration { .. } => "BrokerRegistration",
        Message::BrokerRegistrationResponse { .. } => "BrokerRegistrationResponse",
        Message::BrokerHeartbeat { .. } => "BrokerHeartbeat",
        Message::BrokerHeartbeatResponse { .. } => "BrokerHeartbeatResponse",
        Message::AlterPartition(_) => "AlterPartition",
        Message::AlterPartitionResponse(_) => "AlterPartitionResponse",
        Message::Admin { .. } => "Admin",
        Message::AdminResponse { .. } => "AdminResponse",
        Message::Fetch(_) => "Fetch",
        Message::FetchResponse(_) => "FetchResponse",
        Message::Produce(_) => "Produce",
        Message::ProduceResponse(_) => "ProduceResponse",
        Message::MetadataRequest { .. } => "MetadataRequest",
        Message::MetadataResponse { .. } => "MetadataResponse",
        Message::InitProducerId { .. } => "InitProducerId",
        Message::InitProducerIdResponse { .. } => "InitProducerIdResponse",
        Message::Disconnected => "Disconnected",
        Message::FindCoordinator { .. } => "FindCoordinator",
        Message::FindCoordinatorResponse { .. } => "FindCoordinatorResponse",
        Message::JoinGroup(_) => "JoinGroup",
        Message::JoinGroupResponse(_) => "JoinGroupResponse",
        Message::SyncGroup(_) => "SyncGroup",
        Message::SyncGroupResponse { .. } => "SyncGroupResponse",
        Message::Heartbeat { .. } => "Heartbeat",
        Message::HeartbeatResponse { .. } => "HeartbeatResponse",
        Message::LeaveGroup { .. } => "LeaveGroup",
        Message::LeaveGroupResponse { .. } => "LeaveGroupResponse",
        Message::OffsetCommit { .. } => "OffsetCommit",
        Message::OffsetCommitResponse { .. } => "OffsetCommitResponse",
        Message::OffsetFetch { .. } => "OffsetFetch",
        Message::OffsetFetchResponse { .. } => "OffsetFetchResponse",
        Message::ListOffsets { .. } => "ListOffsets",
        Message::ListOffsetsResponse { .. } => "ListOffsetsResponse",
        Message::ListGroups { .. } => "ListGroups",
        Message::ListGroupsResponse { .. } => "ListGroupsResponse",
        Message::DescribeGroup { .. } => "DescribeGroup",
        Message::DescribeGroupResponse { .. } => "DescribeGroupResponse",
        Message::DeleteGroup { .. } => "DeleteGroup",
        Message::DeleteGroupResponse { .. } => "DeleteGroupResponse",
        Message::OffsetDelete { .. } => "OffsetDelete",
        Message::DescribeConfigs { .. } => "DescribeConfigs",
        Message::DescribeConfigsResponse { .. } => "DescribeConfigsResponse",
        Message::OffsetDeleteResponse { .. } => "OffsetDeleteResponse",
    }
}

/// A short, stable description of a message for the trace.
pub fn msg_summary(m: &Message) -> String {
    MsgSummary(m).to_string()
}

/// [`msg_summary`] written straight into a formatter (no intermediate strings).
pub struct MsgSummary<'a>(pub &'a Message);

/// `items` separated by commas, each written by `item`.
fn write_list<T>(
    f: &mut fmt::Formatter<'_>,
    items: &[T],
    mut item: impl FnMut(&mut fmt::Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        item(f, x)?;
    }
    Ok(())
}

/// Appends [`MsgSummary`]'s text to `out`. Replica fetches and their
/// responses are most of what a cluster sends (each follower long-polls each
/// leader twice a second), so their summaries are written without `fmt`'s
/// machinery, which took a third of an idle 50-broker run.
pub fn push_summary(out: &mut String, m: &Message) {
    match m {
        Message::Fetch(r) => {
            out.push_str("Fetch replica=");
            trace::push_int(out, r.replica.into());
            out.push_str(" [");
            for (i, p) in r.partitions.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                trace::push_tp(out, &p.tp);
                out.push('@');
                trace::push_int(out, p.fetch_offset);
            }
            out.push(']');
        }
        Message::FetchResponse(r) => {
            out.push_str("FetchResponse [");
            for (i, p) in r.partitions.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                trace::push_tp(out, &p.tp);
                out.push_str(" hw=");
                trace::push_int(out, p.high_watermark);
                out.push_str(" bytes=");
                trace::push_uint(out, p.records.len() as u64);
                if let Some(e) = p.error {
                    out.push(' ');
                    out.push_str(e.name());
                }
            }
            out.push(']');
        }
        other => {
            use fmt::Write as _;
            let _ = write!(out, "{}", MsgSummary(other));
        }
    }
}

impl fmt::Display for MsgSummary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            m @ (Message::Fetch(_) | Message::FetchResponse(_)) => {
                let mut s = String::with_capacity(64);
                push_summary(&mut s, m);
                f.write_str(&s)
            }
            Message::Produce(p) => {
                write!(f, "Produce {} acks={} [", p.request_id, p.acks)?;
                write_list(f, &p.partitions, |f, (tp, b)| {
                    match kafkaplay_log::BatchRef::parse(b, b.len()) {
                        Ok(batch) if batch.producer_id() >= 0 => write!(
                            f,
                            "{tp} bytes={} records={} producer={}/{} seq={}",
                            b.len(),
                            batch.records_count(),
                            batch.producer_id(),
                            batch.producer_epoch(),
                            batch.base_sequence()
                        ),
                        Ok(batch) => write!(f, "{tp} bytes={} records={}", b.len(), batch.records_count()),
                        Err(_) => write!(f, "{tp} bytes={}", b.len()),
                    }
                })?;
                f.write_str("]")
            }
            Message::ProduceResponse(r) => {
                write!(f, "ProduceResponse {} [", r.request_id)?;
                write_list(f, &r.partitions, |f, p| match p.error {
                    Some(e) => write!(f, "{} {e}", p.tp),
                    None => write!(f, "{} offset={}", p.tp, p.base_offset),
                })?;
                f.write_str("]")
            }
            Message::MetadataFetchResponse(r) => {
                write!(
                    f,
                    "MetadataFetchResponse epoch={} leader={} records={} hw={}",
                    r.epoch,
                    r.leader,
                    r.records.len(),
                    r.high_watermark,
                )?;
                match r.error {
                    Some(e) => write!(f, " {e}"),
                    None => Ok(()),
                }
            }
            Message::MetadataResponse { request_id, metadata } => {
                write!(f, "MetadataResponse {request_id} topics={}", metadata.topics.len())
            }
            other => write!(f, "{other:?}"),
        }
    }
}
