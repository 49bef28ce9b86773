//! Drives real `Broker`s against a small scripted controller, without the
//! simulator: a deterministic event queue, a network with blockable links, and a
//! controller that commits every metadata record at once. The tests decide
//! leaders and ISRs themselves (`create_topic`, `change_partition`), so they
//! exercise the broker alone.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use kafkaplay_cluster::broker::{self, Broker, BrokerDisk, ReplicaInfo};
use kafkaplay_cluster::metadata::{MetadataImage, MetadataRecord, PartitionRegistration};
use kafkaplay_cluster::protocol::{
    AdminRequest, AlterPartition, AlterPartitionResponse, FetchPartition, FetchRequest, FetchResponse, Message,
    MetadataFetchResponse, ProduceRequest, ProduceResponse,
};
use kafkaplay_cluster::sim::{Ctx, Effect, Timer};
use kafkaplay_cluster::trace::Observation;
use kafkaplay_cluster::{ClusterConfig, KafkaError, Ms, NodeId, TopicPartition, Uuid};
use kafkaplay_log::{BatchBuilder, NewRecord};
use oorandom::Rand64;

pub const CONTROLLER: NodeId = 1000;
pub const CLIENT: NodeId = 10_000;
pub const T0: Ms = 1_700_000_000_000;

/// The scripted active controller: every record is committed when written.
#[derive(Debug, Default)]
pub struct FakeController {
    pub log: Vec<MetadataRecord>,
    pub image: MetadataImage,
    /// Observers' fetches waiting for new records: (broker, fetch offset, deadline).
    held: Vec<(NodeId, i64, Ms)>,
    pub alter_requests: Vec<AlterPartition>,
    /// Admin requests received (from brokers creating `__consumer_offsets`), unanswered.
    pub admin_requests: Vec<(NodeId, AdminRequest)>,
    /// When false, AlterPartition requests are not answered (a slow controller).
    pub answer_alter_partition: bool,
    next_topic: u128,
}

impl FakeController {
    pub fn append(&mut self, record: MetadataRecord) {
        let offset = self.log.len() as i64;
        self.image.apply(offset, &record);
        self.log.push(record);
    }

    fn fetch_response(&self, fetch_offset: i64) -> MetadataFetchResponse {
        let from = fetch_offset.clamp(0, self.log.len() as i64) as usize;
        MetadataFetchResponse {
            epoch: 1,
            leader: CONTROLLER,
            error: None,
            records: self.log[from..]
                .iter()
                .enumerate()
                .map(|(i, r)| ((from + i) as i64, 1, r.clone()))
                .collect(),
            high_watermark: self.log.len() as i64,
            diverging: None,
        }
    }

    /// Handles one request; returns the answers.
    fn handle(&mut self, now: Ms, from: NodeId, msg: Message) -> Vec<(NodeId, Message)> {
        let mut out = Vec::new();
        match msg {
            Message::MetadataFetch { fetch_offset, .. } => {
                if fetch_offset < self.log.len() as i64 {
                    out.push((from, Message::MetadataFetchResponse(self.fetch_response(fetch_offset))));
                } else {
                    self.held.push((from, fetch_offset, now + 500));
                }
            }
            Message::BrokerRegistration { broker, incarnation } => {
                let broker_epoch = self.log.len() as i64;
                self.append(MetadataRecord::RegisterBroker {
                    broker,
                    broker_epoch,
                    incarnation,
                });
                out.push((
                    from,
                    Message::BrokerRegistrationResponse {
                        error: None,
                        broker_epoch,
                    },
                ));
            }
            Message::BrokerHeartbeat {
                broker,
                broker_epoch,
                want_fence,
                want_shutdown,
                ..
            } => {
                let Some(b) = self.image.brokers.get(&broker).cloned() else {
                    out.push((from, heartbeat_error(KafkaError::StaleBrokerEpoch)));
                    return out;
                };
                if b.epoch != broker_epoch {
                    out.push((from, heartbeat_error(KafkaError::StaleBrokerEpoch)));
                    return out;
                }
                if b.fenced && !want_fence && !want_shutdown {
                    self.append(MetadataRecord::UnfenceBroker { broker, broker_epoch });
                }
                let leads_something = self.image.partitions().any(|(_, p)| p.leader == broker);
                out.push((
                    from,
                    Message::BrokerHeartbeatResponse {
                        error: None,
                        is_caught_up: true,
                        is_fenced: self.image.brokers.get(&broker).is_some_and(|b| b.fenced),
                        should_shutdown: want_shutdown && !leads_something,
                    },
                ));
            }
            Message::AlterPartition(req) => {
                self.alter_requests.push(req.clone());
                if !self.answer_alter_partition {
                    return out;
                }
                let tp = req.tp.clone();
                let p = self.image.partition(&tp).cloned().expect("known partition");
                let error = if req.leader_epoch != p.leader_epoch {
                    Some(KafkaError::FencedLeaderEpoch)
                } else if req.partition_epoch != p.partition_epoch {
                    Some(KafkaError::InvalidUpdateVersion)
                } else {
                    None
                };
                if error.is_none() {
                    self.append(MetadataRecord::PartitionChange {
                        topic_id: p.topic_id,
                        partition: p.partition,
                        leader: None,
                        isr: Some(req.new_isr.clone()),
                        replicas: None,
                        removing: None,
                        adding: None,
                    });
                }
                let p = self.image.partition(&tp).cloned().expect("known partition");
                out.push((
                    from,
                    Message::AlterPartitionResponse(AlterPartitionResponse {
                        tp,
                        error,
                        leader: p.leader,
                        leader_epoch: p.leader_epoch,
                        isr: p.isr,
                        partition_epoch: p.partition_epoch,
                    }),
                ));
            }
            Message::Admin { request, .. } => self.admin_requests.push((from, request)),
            _ => {}
        }
        out
    }

    /// Answers held fetches that have news or whose wait is over.
    fn release(&mut self, now: Ms) -> Vec<(NodeId, Message)> {
        let len = self.log.len() as i64;
        let mut out = Vec::new();
        let held = std::mem::take(&mut self.held);
        for (b, offset, deadline) in held {
            if offset < len || deadline <= now {
                out.push((b, Message::MetadataFetchResponse(self.fetch_response(offset))));
            } else {
                self.held.push((b, offset, deadline));
            }
        }
        out
    }
}

fn heartbeat_error(e: KafkaError) -> Message {
    Message::BrokerHeartbeatResponse {
        error: Some(e),
        is_caught_up: false,
        is_fenced: true,
        should_shutdown: false,
    }
}

#[derive(Debug)]
enum Event {
    Deliver {
        from: NodeId,
        to: NodeId,
        incarnation: u64,
        msg: Message,
    },
    Timer {
        node: NodeId,
        incarnation: u64,
        timer: broker::Timer,
    },
    ControllerTick,
}

/// Brokers, the scripted controller and a client, on one clock.
pub struct Harness {
    pub now: Ms,
    pub config: ClusterConfig,
    rng: Rand64,
    queue: BTreeMap<(Ms, u64), Event>,
    seq: u64,
    pub brokers: BTreeMap<NodeId, Broker>,
    pub disks: BTreeMap<NodeId, BrokerDisk>,
    incarnations: BTreeMap<NodeId, u64>,
    pub controller: FakeController,
    /// Links (from, to) that drop every message.
    pub blocked: BTreeSet<(NodeId, NodeId)>,
    /// Messages that reached the client.
    pub inbox: Vec<(Ms, NodeId, Message)>,
    pub observations: Vec<(Ms, NodeId, Observation)>,
    next_request_id: u64,
}

impl Harness {
    /// `n` brokers (1..=n) and one controller; runs until every broker is unfenced.
    pub fn new(n: i32) -> Self {
        Self::with_config(ClusterConfig::new(n, 1))
    }

    pub fn with_config(config: ClusterConfig) -> Self {
        let mut h = Harness {
            now: T0,
            rng: Rand64::new(42),
            queue: BTreeMap::new(),
            seq: 0,
            brokers: BTreeMap::new(),
            disks: BTreeMap::new(),
            incarnations: BTreeMap::new(),
            controller: FakeController {
                answer_alter_partition: true,
                next_topic: 100,
                ..FakeController::default()
            },
            blocked: BTreeSet::new(),
            inbox: Vec::new(),
            observations: Vec::new(),
            next_request_id: 1,
            config,
        };
        h.controller.append(MetadataRecord::LeaderChange {
            epoch: 1,
            leader: CONTROLLER,
        });
        for id in h.config.brokers.clone() {
            h.disks.insert(id, BrokerDisk::default());
            h.start(id);
        }
        h.schedule(h.now + 10, Event::ControllerTick);
        let ids = h.config.brokers.clone();
        assert!(
            h.run_until(5_000, |h| ids.iter().all(|b| h.controller.image.is_alive(*b))),
            "brokers did not register and unfence"
        );
        h
    }

    fn schedule(&mut self, at: Ms, e: Event) {
        self.seq += 1;
        self.queue.insert((at, self.seq), e);
    }

    pub fn start(&mut self, id: NodeId) {
        let disk = self.disks.remove(&id).expect("broker is down");
        let incarnation = self.incarnations.get(&id).copied().unwrap_or(0) + 1;
        self.incarnations.insert(id, incarnation);
        let mut b = Broker::new(id, &self.config, disk, self.now);
        let mut effects = Vec::new();
        b.on_start(&mut Ctx::new(self.now, id, &mut self.rng, &mut effects));
        self.brokers.insert(id, b);
        self.apply(id, effects);
    }

    /// `kill -9`: the page cache survives.
    pub fn kill(&mut self, id: NodeId) {
        let b = self.brokers.remove(&id).expect("broker is up");
        self.disks.insert(id, b.into_disk());
        *self.incarnations.get_mut(&id).expect("started") += 1;
    }

    /// Power loss: unflushed log data is gone.
    pub fn power_loss(&mut self, id: NodeId) {
        self.kill(id);
        self.disks.get_mut(&id).expect("just stopped").power_loss();
    }

    pub fn broker(&self, id: NodeId) -> &Broker {
        &self.brokers[&id]
    }

    pub fn info(&self, id: NodeId, tp: &TopicPartition) -> ReplicaInfo {
        self.brokers[&id].replica_info(tp).expect("hosted")
    }

    fn apply(&mut self, from: NodeId, effects: Vec<Effect>) {
        let incarnation = self.incarnations.get(&from).copied().unwrap_or(0);
        for e in effects {
            match e {
                Effect::Send(to, msg) => self.send(from, to, msg),
                Effect::SetTimer(after, Timer::Broker(timer)) => self.schedule(
                    self.now + after,
                    Event::Timer {
                        node: from,
                        incarnation,
                        timer,
                    },
                ),
                Effect::SetTimer(..) => {}
                Effect::Observe(o) => self.observations.push((self.now, from, o)),
                Effect::Outcome(_) => {}
                Effect::Exit => {
                    if let Some(b) = self.brokers.remove(&from) {
                        self.disks.insert(from, b.into_disk());
                        *self.incarnations.get_mut(&from).expect("started") += 1;
                    }
                }
            }
        }
    }

    pub fn send(&mut self, from: NodeId, to: NodeId, msg: Message) {
        if self.blocked.contains(&(from, to)) {
            return;
        }
        let incarnation = self.incarnations.get(&to).copied().unwrap_or(0);
        self.schedule(
            self.now + self.config.network_delay_ms,
            Event::Deliver {
                from,
                to,
                incarnation,
                msg,
            },
        );
    }

    fn step(&mut self) -> bool {
        let Some(((t, _), e)) = self.queue.pop_first() else {
            return false;
        };
        self.now = self.now.max(t);
        match e {
            Event::Deliver {
                from,
                to,
                incarnation,
                msg,
            } => {
                if self.blocked.contains(&(from, to)) {
                    return true;
                }
                if to == CONTROLLER {
                    let out = self.controller.handle(self.now, from, msg);
                    for (dest, m) in out {
                        self.send(CONTROLLER, dest, m);
                    }
                    let out = self.controller.release(self.now);
                    for (dest, m) in out {
                        self.send(CONTROLLER, dest, m);
                    }
                } else if to == CLIENT {
                    self.inbox.push((self.now, from, msg));
                } else if self.incarnations.get(&to) == Some(&incarnation) {
                    if let Some(b) = self.brokers.get_mut(&to) {
                        let mut effects = Vec::new();
                        b.on_message(&mut Ctx::new(self.now, to, &mut self.rng, &mut effects), from, msg);
                        self.apply(to, effects);
                    }
                }
            }
            Event::Timer {
                node,
                incarnation,
                timer,
            } => {
                if self.incarnations.get(&node) == Some(&incarnation) {
                    if let Some(b) = self.brokers.get_mut(&node) {
                        let mut effects = Vec::new();
                        b.on_timer(&mut Ctx::new(self.now, node, &mut self.rng, &mut effects), timer);
                        self.apply(node, effects);
                    }
                }
            }
            Event::ControllerTick => {
                let out = self.controller.release(self.now);
                for (dest, m) in out {
                    self.send(CONTROLLER, dest, m);
                }
                self.schedule(self.now + 10, Event::ControllerTick);
            }
        }
        true
    }

    pub fn run_for(&mut self, ms: Ms) {
        let end = self.now + ms;
        while self.queue.first_key_value().is_some_and(|((t, _), _)| *t <= end) {
            self.step();
        }
        self.now = end;
    }

    /// Runs until `done` holds (checked after every event) or `max_ms` pass.
    pub fn run_until(&mut self, max_ms: Ms, mut done: impl FnMut(&Harness) -> bool) -> bool {
        let end = self.now + max_ms;
        loop {
            if done(self) {
                return true;
            }
            if self.queue.first_key_value().is_none_or(|((t, _), _)| *t > end) {
                self.now = end;
                return done(self);
            }
            self.step();
        }
    }

    /// Runs until every message in flight and every metadata change has been
    /// delivered (timers later than `ms` are left alone).
    pub fn settle(&mut self) {
        self.run_for(50);
    }

    // ----- metadata scripting -----

    /// Creates a topic: partition p gets `assignment[p]`, leader the first
    /// replica, ISR all replicas, epochs 0.
    pub fn create_topic(&mut self, name: &str, assignment: &[&[NodeId]], configs: &[(&str, &str)]) -> Uuid {
        self.controller.next_topic += 1;
        let id = Uuid(self.controller.next_topic);
        self.controller.append(MetadataRecord::Topic {
            name: name.to_string(),
            id,
        });
        for (k, v) in configs {
            self.controller.append(MetadataRecord::Config {
                topic: name.to_string(),
                name: k.to_string(),
                value: Some(v.to_string()),
            });
        }
        for (p, replicas) in assignment.iter().enumerate() {
            self.controller
                .append(MetadataRecord::Partition(std::sync::Arc::new(PartitionRegistration {
                    topic_id: id,
                    partition: p as i32,
                    replicas: replicas.to_vec(),
                    isr: replicas.to_vec(),
                    leader: replicas[0],
                    leader_epoch: 0,
                    partition_epoch: 0,
                    adding_replicas: Vec::new(),
                    removing_replicas: Vec::new(),
                })));
        }
        let brokers: Vec<NodeId> = assignment.iter().flat_map(|r| r.iter().copied()).collect();
        let tp0 = TopicPartition::new(name, 0);
        self.run_until(1_000, |h| {
            brokers
                .iter()
                .all(|b| h.brokers.get(b).is_none_or(|x| x.replica_info(&tp0).is_some()))
        });
        self.settle();
        id
    }

    /// A controller-side change of a partition's leader and/or ISR.
    pub fn change_partition(&mut self, tp: &TopicPartition, leader: Option<NodeId>, isr: Option<Vec<NodeId>>) {
        let p = self.controller.image.partition(tp).cloned().expect("known partition");
        self.controller.append(MetadataRecord::PartitionChange {
            topic_id: p.topic_id,
            partition: p.partition,
            leader,
            isr,
            replicas: None,
            removing: None,
            adding: None,
        });
        let out = self.controller.release(self.now);
        for (dest, m) in out {
            self.send(CONTROLLER, dest, m);
        }
    }

    pub fn partition(&self, tp: &TopicPartition) -> PartitionRegistration {
        self.controller.image.partition(tp).cloned().expect("known partition")
    }

    // ----- client side -----

    /// Sends a Produce request from the client; returns its request id.
    pub fn produce(&mut self, to: NodeId, acks: i16, tp: &TopicPartition, batch: Vec<u8>) -> u64 {
        self.produce_with_timeout(to, acks, tp, batch, 30_000)
    }

    pub fn produce_with_timeout(
        &mut self,
        to: NodeId,
        acks: i16,
        tp: &TopicPartition,
        batch: Vec<u8>,
        timeout_ms: Ms,
    ) -> u64 {
        let request_id = self.next_request_id;
        self.next_request_id += 1;
        self.send(
            CLIENT,
            to,
            Message::Produce(ProduceRequest {
                request_id,
                acks,
                timeout_ms,
                partitions: vec![(tp.clone(), batch)],
            }),
        );
        request_id
    }

    pub fn produce_response(&self, request_id: u64) -> Option<(Ms, ProduceResponse)> {
        self.inbox.iter().find_map(|(t, _, m)| match m {
            Message::ProduceResponse(r) if r.request_id == request_id => Some((*t, r.clone())),
            _ => None,
        })
    }

    /// Produces and runs until the answer comes (or `max_ms` pass).
    pub fn produce_and_wait(
        &mut self,
        to: NodeId,
        acks: i16,
        tp: &TopicPartition,
        batch: Vec<u8>,
        max_ms: Ms,
    ) -> ProduceResponse {
        let id = self.produce(to, acks, tp, batch);
        assert!(
            self.run_until(max_ms, |h| h.produce_response(id).is_some()),
            "no produce response in {max_ms} ms"
        );
        self.produce_response(id).expect("answered").1
    }

    /// A consumer fetch (replica -1) from `to`; returns the response.
    pub fn consumer_fetch(&mut self, to: NodeId, tp: &TopicPartition, offset: i64) -> FetchResponse {
        let request_id = self.next_request_id;
        self.next_request_id += 1;
        self.send(
            CLIENT,
            to,
            Message::Fetch(FetchRequest {
                replica: -1,
                request_id,
                max_wait_ms: 0,
                partitions: vec![FetchPartition {
                    tp: tp.clone(),
                    current_leader_epoch: -1,
                    fetch_offset: offset,
                    last_fetched_epoch: -1,
                    max_bytes: 1 << 20,
                }],
            }),
        );
        let found = |h: &Harness| {
            h.inbox.iter().find_map(|(_, _, m)| match m {
                Message::FetchResponse(r) if r.request_id == request_id => Some(r.clone()),
                _ => None,
            })
        };
        assert!(self.run_until(1_000, |h| found(h).is_some()));
        found(self).expect("answered")
    }

    /// Observations of one kind, e.g. every `Truncated`.
    pub fn observed(&self, pick: impl Fn(&Observation) -> bool) -> Vec<(Ms, NodeId, Observation)> {
        self.observations.iter().filter(|(_, _, o)| pick(o)).cloned().collect()
    }
}

/// A producer's batch of `n` records with values `prefix-i`.
pub fn batch(prefix: &str, n: usize) -> Vec<u8> {
    let mut b = BatchBuilder::new(0);
    for i in 0..n {
        b.append(NewRecord::new(T0, None, Some(format!("{prefix}-{i}").as_bytes())));
    }
    b.build()
}

/// An idempotent producer's batch.
pub fn idempotent_batch(producer_id: i64, epoch: i16, base_sequence: i32, values: &[&str]) -> Vec<u8> {
    let mut b = BatchBuilder::new(0).producer(producer_id, epoch, base_sequence);
    for v in values {
        b.append(NewRecord::new(T0, Some(b"k"), Some(v.as_bytes())));
    }
    b.build()
}

/// Every record value in a broker's log, in offset order.
pub fn values(h: &Harness, broker: NodeId, tp: &TopicPartition) -> Vec<(i64, String)> {
    let log = h.broker(broker).log(tp).expect("hosted");
    let mut out = Vec::new();
    for (_, b) in log.batches() {
        for r in b.records().expect("valid") {
            out.push((
                r.offset,
                String::from_utf8_lossy(r.value.as_deref().unwrap_or_default()).into_owned(),
            ));
        }
    }
    out
}
