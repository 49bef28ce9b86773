//! A broker (`BrokerServer`): a KRaft observer that follows the metadata log,
//! registers and heartbeats with the active controller, and leads and follows
//! partition replicas as the committed metadata says (`ReplicaManager`,
//! `Partition`, `ReplicaFetcherThread`).
//!
//! - Metadata ([`Broker::on_message`] with `MetadataFetchResponse`): records are
//!   appended to a local copy of `__cluster_metadata`; only records below the
//!   quorum's high watermark are applied to the [`MetadataImage`]. Once the image
//!   holds this broker's own registration it is caught up, asks to be unfenced,
//!   and from then on every applied change is reconciled into replica roles.
//! - Replication: followers send one `Fetch` per leader broker covering all the
//!   partitions they follow there, truncate on a diverging epoch (KIP-279), and
//!   copy the leader's high watermark. Leaders check epochs and divergence,
//!   track each follower's log end offset and last caught-up time, move the high
//!   watermark over the maximal ISR (KIP-497; not while the ISR is below
//!   `min(min.insync.replicas, RF)`, since 3.7), hold empty fetches (long poll),
//!   and expand or shrink the ISR through `AlterPartition`.
//! - Produce with acks 0, 1 and all, idempotent producers' duplicate and
//!   sequence checks ([`producer_state`]).
//! - Disk: every partition's [`MemoryStore`] and the high-watermark checkpoint;
//!   logs are flushed every `page_cache_flush_interval_ms`, on roll and on clean
//!   shutdown, so a power loss drops only younger data.
//!
//! Deviations from Kafka, said here so nobody looks for them: producer ids come
//! from a per-broker counter kept on disk (`broker_id * 10^9 + n`) instead of
//! blocks from the controller (`AllocateProducerIds`); the broker does not keep
//! the metadata log on disk (it fetches it again from offset 0 after a restart);
//! the cleaner looks at the logs every [`LOG_CLEANUP_INTERVAL_MS`] rather than
//! every 15 s; topics are not created automatically. Retention runs as in
//! Kafka: `log.initial.task.delay.ms` after the start, then every
//! `log.retention.check.interval.ms` (`kafka-log-retention`).

pub mod disk_view;
mod dynamic_config;
pub mod group_coordinator;
mod metadata_log;
pub mod partition;
pub mod producer_state;
mod retention;

use kafkaplay_flatmap::{FlatMap, FlatSet};
use std::sync::Arc;

use kafkaplay_log::{BatchRef, LogConfig, LogError, MemoryStore, PartitionLog, SegmentStore};

use crate::config::ClusterConfig;
use crate::error::KafkaError;
use crate::metadata::{MetadataImage, MetadataRecord, PartitionRegistration, TopicImage};
use crate::protocol::{
    AdminRequest, AlterPartition, AlterPartitionResponse, FetchPartition, FetchRequest, FetchResponse,
    FetchResponsePartition, ListOffsetsPartition, Message, MetadataFetchResponse, ProducePartitionResponse,
    ProduceRequest, ProduceResponse, TopicView,
};
use crate::sim::{self, Ctx};
use crate::trace::{self, Observation};
use crate::types::{Ms, NodeId, Topic, TopicPartition, Uuid, NO_NODE};

use group_coordinator::{GroupCoordinator, OffsetsLog, GROUP_METADATA_TOPIC_NAME};
use metadata_log::MetadataLog;
use partition::{log_config, min_insync_replicas, Partition, PendingIsr, RemoteReplica, Role};
use producer_state::{Check, ProducerBatch};

/// The cluster id every broker reports (Confluent's `cp-all-in-one` default
/// `CLUSTER_ID`, matching the flavour of the seed notes).
pub const CLUSTER_ID: &str = "MkU3OEVBNTcwNTJENDM2Qk";
/// `replica.high.watermark.checkpoint.interval.ms`.
pub const HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS: Ms = 5_000;
/// How often the cleaner looks at the logs (Kafka: `log.cleaner.backoff.ms` =
/// 15000). Retention has its own schedule (`log.retention.check.interval.ms`).
pub const LOG_CLEANUP_INTERVAL_MS: Ms = 5_000;
/// `min.cleanable.dirty.ratio`.
pub const MIN_CLEANABLE_DIRTY_RATIO: f64 = 0.5;
/// `controller.quorum.retry.backoff.ms`.
const QUORUM_RETRY_BACKOFF_MS: Ms = 20;
/// Producer ids of broker `b` are `b * PRODUCER_ID_STRIDE + n`.
const PRODUCER_ID_STRIDE: i64 = 1_000_000_000;

/// The broker's timers.
#[derive(Debug, Clone, PartialEq)]
pub enum Timer {
    /// A metadata fetch got no answer in time.
    MetadataFetchTimeout {
        generation: u64,
    },
    /// Fetch metadata again after a back-off.
    MetadataFetchRetry,
    RegistrationTimeout {
        generation: u64,
    },
    RegistrationRetry,
    Heartbeat,
    /// Some partitions followed at `leader` may fetch again.
    FetcherWake {
        leader: NodeId,
    },
    FetchTimeout {
        leader: NodeId,
        request_id: u64,
    },
    /// A held (long-poll) fetch reached its `max_wait_ms`.
    FetchHoldExpired {
        hold_id: u64,
    },
    ProduceTimeout {
        id: u64,
    },
    /// `isr-expiration`: every `replica.lag.time.max.ms / 2`.
    IsrExpiration,
    AlterPartitionRetry {
        tp: TopicPartition,
        generation: u64,
    },
    HighWatermarkCheckpoint,
    /// A group coordinator timer (sessions, joins, commits).
    Coordinator(group_coordinator::Timer),
    /// The OS writes dirty pages back (`page_cache_flush_interval_ms`).
    LogFlush,
    LogCleanup,
    /// `kafka-log-retention`: every `log.retention.check.interval.ms`.
    LogRetention,
}

/// One partition's files.
#[derive(Debug)]
struct StoredPartition {
    topic_id: Uuid,
    config: LogConfig,
    overrides: FlatMap<String, String>,
    store: MemoryStore,
}

/// What a broker keeps on disk: its partition logs and checkpoints.
#[derive(Debug, Default)]
pub struct BrokerDisk {
    partitions: FlatMap<TopicPartition, StoredPartition>,
    /// `replication-offset-checkpoint`: the high watermarks last written.
    high_watermarks: FlatMap<TopicPartition, i64>,
    /// Producer ids handed out so far (written before each is handed out).
    producer_ids_issued: i64,
}

impl BrokerDisk {
    /// Power loss: every log loses what was not yet flushed. Checkpoint files
    /// are written with fsync, so they survive.
    pub fn power_loss(&mut self) {
        for p in self.partitions.values_mut() {
            p.store.crash();
        }
    }

    /// The partitions with files on this disk.
    pub fn partitions(&self) -> impl Iterator<Item = &TopicPartition> {
        self.partitions.keys()
    }

    /// A partition's segment files.
    pub fn store(&self, tp: &TopicPartition) -> Option<&MemoryStore> {
        self.partitions.get(tp).map(|p| &p.store)
    }

    /// The high watermark last checkpointed for a partition.
    pub fn high_watermark_checkpoint(&self, tp: &TopicPartition) -> Option<i64> {
        self.high_watermarks.get(tp).copied()
    }
}

/// A replica's state as the broker holding it sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaInfo {
    /// `leader`, `follower`, or `none` (hosted, no role yet).
    pub role: &'static str,
    pub leader_epoch: i32,
    pub log_start_offset: i64,
    pub log_end_offset: i64,
    pub high_watermark: i64,
    /// For a leader: the ISR it works with (including pending expansions).
    pub isr: Vec<NodeId>,
}

/// The observer side of the metadata quorum.
///
/// `MetadataFetch` carries no request id, so an answer to a fetch that timed
/// out cannot be told from the answer to its retry by its content. One that
/// arrives sooner than a round trip after the latest fetch cannot answer it and
/// is dropped; that keeps at most one fetch loop going even after a pause.
#[derive(Debug, Default)]
struct MetadataFetcher {
    target: NodeId,
    generation: u64,
    in_flight: bool,
    last_sent_at: Ms,
}

#[derive(Debug, Default)]
struct Lifecycle {
    incarnation: u64,
    broker_epoch: Option<i64>,
    registration_in_flight: bool,
    registration_generation: u64,
    /// The image holds this broker's registration (`initialCatchUpFuture`).
    caught_up: bool,
    /// What the last heartbeat response said.
    fenced_by_heartbeat: bool,
    want_shutdown: bool,
    stopped: bool,
}

/// What an in-flight replica fetch asked for: per partition, the leader epoch
/// and the fetch offset.
type FetchedAt = FlatMap<TopicPartition, (i32, i64)>;

#[derive(Debug, Default)]
struct Fetcher {
    /// The request id and what it asked for.
    in_flight: Option<(u64, FetchedAt)>,
    wake_at: Option<Ms>,
}

#[derive(Debug)]
struct HeldFetch {
    from: NodeId,
    request: FetchRequest,
}

#[derive(Debug)]
enum ProducePart {
    Done(ProducePartitionResponse),
    /// acks=all: waiting for the HW to pass `required_offset`.
    Waiting {
        required_offset: i64,
        leader_epoch: i32,
        base_offset: i64,
        log_append_time: i64,
    },
}

#[derive(Debug)]
struct PendingProduce {
    from: NodeId,
    request_id: u64,
    partitions: Vec<(TopicPartition, ProducePart)>,
}

#[derive(Debug, Default)]
struct Recovered {
    partitions: u32,
    truncated_bytes: u64,
    lost: Vec<(TopicPartition, i64, i64)>,
}

/// The replicas that metadata records applied since the last reconcile may
/// concern.
#[derive(Debug, Default)]
struct Dirty {
    /// Every replica: this broker's own registration changed (fenced or not).
    all: bool,
    /// Every partition of these topics: created, deleted, or configs changed.
    topics: FlatSet<String>,
    /// Partitions whose registration names this broker before or after the change.
    partitions: FlatSet<(Uuid, i32)>,
}

impl Dirty {
    /// Applies `record` to `image` and notes what it touches on broker `me`.
    /// After a reconcile this broker hosts exactly the partitions whose
    /// registration names it, so a partition change concerns it only if the
    /// registration names it before or after.
    fn apply(&mut self, image: &mut MetadataImage, me: NodeId, offset: i64, record: &MetadataRecord) {
        // The common record first, in a small function (see `apply_noting`).
        if let MetadataRecord::Partition(p) = record {
            if image.apply_noting(offset, record, me) {
                self.partitions.insert((p.topic_id, p.partition));
            }
            return;
        }
        self.apply_other(image, me, offset, record);
    }

    #[inline(never)]
    fn apply_other(&mut self, image: &mut MetadataImage, me: NodeId, offset: i64, record: &MetadataRecord) {
        if let MetadataRecord::RemoveTopic { id } = record {
            if let Some(t) = image.topics.get(id) {
                self.topics.insert(t.name.clone());
            }
        }
        let names_me = image.apply_noting(offset, record, me);
        match record {
            MetadataRecord::RegisterBroker { broker, .. }
            | MetadataRecord::UnregisterBroker { broker, .. }
            | MetadataRecord::FenceBroker { broker, .. }
            | MetadataRecord::UnfenceBroker { broker, .. }
            | MetadataRecord::BrokerInControlledShutdown { broker, .. } => self.all |= *broker == me,
            MetadataRecord::Topic { name, .. } | MetadataRecord::Config { topic: name, .. } => {
                self.topics.insert(name.clone());
            }
            MetadataRecord::Partition(p) => {
                if names_me {
                    self.partitions.insert((p.topic_id, p.partition));
                }
            }
            MetadataRecord::PartitionChange {
                topic_id, partition, ..
            } => {
                if names_me {
                    self.partitions.insert((*topic_id, *partition));
                }
            }
            MetadataRecord::RemoveTopic { .. }
            | MetadataRecord::BrokerConfig { .. }
            | MetadataRecord::ProducerIds { .. }
            | MetadataRecord::LeaderChange { .. } => {}
        }
    }
}

/// A broker node.
#[derive(Debug)]
pub struct Broker {
    id: NodeId,
    config: ClusterConfig,
    /// `__cluster_metadata` as fetched (epochs, and the records not yet applied).
    metadata_log: MetadataLog,
    image: MetadataImage,
    /// What the records applied since the last reconcile touched.
    dirty: Dirty,
    quorum_epoch: i32,
    quorum_leader: NodeId,
    metadata: MetadataFetcher,
    lifecycle: Lifecycle,
    /// Boxed: a B-tree moves its values around, and a replica is large.
    partitions: FlatMap<TopicPartition, Box<Partition>>,
    fetchers: FlatMap<NodeId, Fetcher>,
    held_fetches: FlatMap<u64, HeldFetch>,
    pending_produces: FlatMap<u64, PendingProduce>,
    /// The partitions this broker follows, by leader (what a fetch to that
    /// leader covers).
    followed: FlatMap<NodeId, FlatSet<TopicPartition>>,
    /// Bumped by every change that may complete a held fetch or a waiting
    /// produce: a role, a leader epoch, a log end, log start or high watermark,
    /// a new held fetch or waiting produce.
    state_version: u64,
    /// Held fetches to check: new ones, and those covering a partition that
    /// changed since (the others cannot have become ready).
    held_to_check: FlatSet<u64>,
    /// The `state_version` waiting produces were last checked at.
    settled_version: u64,
    next_id: u64,
    high_watermarks: FlatMap<TopicPartition, i64>,
    producer_ids_issued: i64,
    recovered: Recovered,
    coordinator: GroupCoordinator,
    /// When this broker last asked the controller to create `__consumer_offsets`
    /// (and the request id), while no answer came.
    offsets_topic_creation: Option<(u64, Ms)>,
    /// What `dynamic_config.rs` needs: `server.properties` as started, and the
    /// dynamic broker configs last applied over it into `config`.
    dynamic: dynamic_config::DynamicState,
}

impl Broker {
    /// Opens the broker's disk: every log is recovered (batches checked, a torn
    /// tail cut) and its high watermark restored from the checkpoint.
    pub fn new(id: NodeId, config: &ClusterConfig, disk: BrokerDisk, now: Ms) -> Self {
        let mut partitions = FlatMap::new();
        let mut recovered = Recovered::default();
        for (tp, sp) in disk.partitions {
            let stored = sp.store.load().unwrap_or_default();
            let name = tp.to_string();
            let (mut log, report) = match PartitionLog::recover(&name, stored, sp.store, sp.config.clone(), now) {
                Ok(x) => x,
                Err(_) => match PartitionLog::create(&name, MemoryStore::new(), sp.config.clone(), now) {
                    Ok(log) => (log, Default::default()),
                    Err(_) => continue,
                },
            };
            recovered.partitions += 1;
            recovered.truncated_bytes += report.truncated_bytes;
            if let Some((from, to)) = report.truncated_offsets {
                recovered.lost.push((tp.clone(), from, to));
            }
            if let Some(hw) = disk.high_watermarks.get(&tp) {
                log.update_high_watermark(*hw);
            }
            let min_isr = min_insync_replicas(config.broker.min_insync_replicas, &sp.overrides);
            partitions.insert(tp, Box::new(Partition::new(sp.topic_id, log, sp.overrides, min_isr)));
        }
        let voters = &config.controllers;
        let target = if voters.is_empty() {
            NO_NODE
        } else {
            voters[(id.unsigned_abs() as usize) % voters.len()]
        };
        Broker {
            id,
            config: config.clone(),
            metadata_log: MetadataLog::default(),
            image: MetadataImage {
                quorum_leader: NO_NODE,
                ..MetadataImage::default()
            },
            dirty: Dirty::default(),
            quorum_epoch: 0,
            quorum_leader: NO_NODE,
            metadata: MetadataFetcher {
                target,
                ..MetadataFetcher::default()
            },
            lifecycle: Lifecycle::default(),
            partitions,
            fetchers: FlatMap::new(),
            held_fetches: FlatMap::new(),
            pending_produces: FlatMap::new(),
            followed: FlatMap::new(),
            state_version: 1,
            held_to_check: FlatSet::new(),
            settled_version: 0,
            next_id: 1,
            high_watermarks: disk.high_watermarks,
            producer_ids_issued: disk.producer_ids_issued,
            recovered,
            coordinator: GroupCoordinator::new(id, &config.broker),
            offsets_topic_creation: None,
            dynamic: dynamic_config::DynamicState::new(config),
        }
    }

    pub fn on_start(&mut self, cx: &mut Ctx) {
        self.lifecycle.incarnation = cx.rng.rand_u64();
        if self.recovered.partitions > 0 {
            cx.observe(Observation::LogRecovered {
                broker: self.id,
                partitions: self.recovered.partitions,
                truncated_bytes: self.recovered.truncated_bytes,
            });
        }
        for (tp, from, to) in std::mem::take(&mut self.recovered.lost) {
            cx.observe(Observation::Truncated {
                tp,
                broker: self.id,
                from,
                to,
            });
        }
        self.send_metadata_fetch(cx);
        let b = &self.config.broker;
        cx.set_timer(b.broker_heartbeat_interval_ms, sim::Timer::Broker(Timer::Heartbeat));
        cx.set_timer(
            (b.replica_lag_time_max_ms / 2).max(1),
            sim::Timer::Broker(Timer::IsrExpiration),
        );
        cx.set_timer(
            HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS,
            sim::Timer::Broker(Timer::HighWatermarkCheckpoint),
        );
        cx.set_timer(
            b.page_cache_flush_interval_ms.max(1),
            sim::Timer::Broker(Timer::LogFlush),
        );
        cx.set_timer(LOG_CLEANUP_INTERVAL_MS, sim::Timer::Broker(Timer::LogCleanup));
        cx.set_timer(b.log_initial_task_delay_ms, sim::Timer::Broker(Timer::LogRetention));
    }

    pub fn on_message(&mut self, cx: &mut Ctx, from: NodeId, msg: Message) {
        if self.lifecycle.stopped {
            return;
        }
        match msg {
            Message::MetadataFetchResponse(r) => self.on_metadata_fetch_response(cx, from, r),
            Message::BrokerRegistrationResponse { error, broker_epoch } => {
                self.on_registration_response(cx, error, broker_epoch)
            }
            Message::BrokerHeartbeatResponse {
                error,
                is_caught_up: _,
                is_fenced,
                should_shutdown,
            } => self.on_heartbeat_response(cx, error, is_fenced, should_shutdown),
            Message::AlterPartitionResponse(r) => self.on_alter_partition_response(cx, r),
            Message::Fetch(request) => self.on_fetch(cx, from, request),
            Message::FetchResponse(r) => self.on_fetch_response(cx, from, r),
            Message::Produce(request) => self.on_produce(cx, from, request),
            Message::MetadataRequest { request_id, topics } => {
                let mut metadata = self.image.view(CLUSTER_ID, topics.as_deref());
                for name in topics.iter().flatten() {
                    if self.image.topic(name).is_none() {
                        metadata.topics.push(TopicView {
                            name: name.clone(),
                            id: Uuid::ZERO,
                            error: Some(KafkaError::UnknownTopicOrPartition),
                            partitions: Vec::new(),
                        });
                    }
                }
                cx.send(from, Message::MetadataResponse { request_id, metadata });
            }
            Message::InitProducerId { request_id } => {
                self.producer_ids_issued += 1;
                let producer_id = self.id as i64 * PRODUCER_ID_STRIDE + self.producer_ids_issued;
                cx.send(
                    from,
                    Message::InitProducerIdResponse {
                        request_id,
                        error: None,
                        producer_id,
                        producer_epoch: 0,
                    },
                );
            }
            Message::FindCoordinator { request_id, group_id } => {
                self.on_find_coordinator(cx, from, request_id, &group_id)
            }
            Message::AdminResponse { request_id, .. }
                if self.offsets_topic_creation.is_some_and(|(id, _)| id == request_id) =>
            {
                self.offsets_topic_creation = None;
            }
            Message::DescribeConfigs { request_id, resource } => {
                let result = self.describe_configs(&resource);
                cx.send(from, Message::DescribeConfigsResponse { request_id, result });
            }
            Message::ListOffsets { request_id, partitions } => {
                let partitions = partitions
                    .iter()
                    .map(|(tp, timestamp)| self.list_offsets(tp, *timestamp))
                    .collect();
                cx.send(from, Message::ListOffsetsResponse { request_id, partitions });
            }
            msg @ (Message::JoinGroup(_)
            | Message::SyncGroup(_)
            | Message::Heartbeat { .. }
            | Message::LeaveGroup { .. }
            | Message::OffsetCommit { .. }
            | Message::OffsetFetch { .. }
            | Message::ListGroups { .. }
            | Message::DescribeGroup { .. }
            | Message::DeleteGroup { .. }
            | Message::OffsetDelete { .. }) => {
                let mut log = OffsetsLogView::new(&mut self.partitions);
                self.coordinator.on_message(cx, from, msg, &mut log);
                let touched = log.touched;
                self.after_coordinator_appends(cx, touched);
            }
            _ => {}
        }
        self.settle(cx);
    }

    pub fn on_timer(&mut self, cx: &mut Ctx, timer: Timer) {
        if self.lifecycle.stopped {
            return;
        }
        let b = self.config.broker.clone();
        match timer {
            Timer::MetadataFetchTimeout { generation } => {
                if generation == self.metadata.generation && self.metadata.in_flight {
                    self.metadata.target = self.next_voter(self.metadata.target);
                    self.send_metadata_fetch(cx);
                }
            }
            Timer::MetadataFetchRetry => {
                if !self.metadata.in_flight {
                    self.send_metadata_fetch(cx);
                }
            }
            Timer::RegistrationTimeout { generation } => {
                if generation == self.lifecycle.registration_generation && self.lifecycle.registration_in_flight {
                    self.lifecycle.registration_in_flight = false;
                    self.maybe_register(cx);
                }
            }
            Timer::RegistrationRetry => self.maybe_register(cx),
            Timer::Heartbeat => {
                self.send_heartbeat(cx);
                cx.set_timer(b.broker_heartbeat_interval_ms, sim::Timer::Broker(Timer::Heartbeat));
            }
            Timer::FetcherWake { leader } => {
                if let Some(f) = self.fetchers.get_mut(&leader) {
                    f.wake_at = None;
                }
                self.maybe_send_fetch(cx, leader);
            }
            Timer::FetchTimeout { leader, request_id } => {
                let Some(f) = self.fetchers.get_mut(&leader) else {
                    return;
                };
                if f.in_flight.as_ref().is_some_and(|(id, _)| *id == request_id) {
                    let (_, sent) = f.in_flight.take().expect("checked");
                    for tp in sent.keys() {
                        if let Some(p) = self.partitions.get_mut(tp) {
                            p.follower.backoff_until = cx.now + b.replica_fetch_backoff_ms;
                        }
                    }
                    self.maybe_send_fetch(cx, leader);
                }
            }
            Timer::FetchHoldExpired { hold_id } => {
                if let Some(held) = self.held_fetches.remove(&hold_id) {
                    let (response, _) = self.serve_fetch(cx, held.from, &held.request);
                    cx.send(held.from, Message::FetchResponse(response));
                }
            }
            Timer::ProduceTimeout { id } => {
                if let Some(mut pending) = self.pending_produces.remove(&id) {
                    for (tp, part) in pending.partitions.iter_mut() {
                        if matches!(part, ProducePart::Waiting { .. }) {
                            *part = ProducePart::Done(produce_error(tp, KafkaError::RequestTimedOut, None));
                        }
                    }
                    send_produce_response(cx, pending);
                }
            }
            Timer::IsrExpiration => {
                let tps: Vec<TopicPartition> = self
                    .partitions
                    .iter()
                    .filter(|(_, p)| p.is_leader())
                    .map(|(tp, _)| tp.clone())
                    .collect();
                for tp in tps {
                    self.maybe_shrink_isr(cx, &tp);
                }
                cx.set_timer(
                    (b.replica_lag_time_max_ms / 2).max(1),
                    sim::Timer::Broker(Timer::IsrExpiration),
                );
            }
            Timer::AlterPartitionRetry { tp, generation } => {
                let due = self.partitions.get(&tp).is_some_and(|p| {
                    p.is_leader() && p.pending_isr.as_ref().is_some_and(|x| x.generation == generation)
                });
                if due {
                    self.send_alter_partition(cx, &tp);
                }
            }
            Timer::HighWatermarkCheckpoint => {
                self.checkpoint_high_watermarks();
                cx.set_timer(
                    HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS,
                    sim::Timer::Broker(Timer::HighWatermarkCheckpoint),
                );
            }
            Timer::LogFlush => {
                for p in self.partitions.values_mut() {
                    let _ = p.log.flush();
                }
                cx.set_timer(
                    b.page_cache_flush_interval_ms.max(1),
                    sim::Timer::Broker(Timer::LogFlush),
                );
            }
            Timer::LogCleanup => {
                let now = cx.now;
                self.state_version += 1; // log starts may move
                self.held_to_check.extend(self.held_fetches.keys());
                for p in self.partitions.values_mut() {
                    if p.log.config().cleanup_policy.compact && p.log.dirty_ratio(now) >= MIN_CLEANABLE_DIRTY_RATIO {
                        let _ = p.log.clean(now);
                    }
                }
                cx.set_timer(LOG_CLEANUP_INTERVAL_MS, sim::Timer::Broker(Timer::LogCleanup));
            }
            Timer::LogRetention => {
                retention::run(cx, self.id, &mut self.partitions);
                let every = self.config.broker.log_retention_check_interval_ms.max(1);
                cx.set_timer(every, sim::Timer::Broker(Timer::LogRetention));
            }
            Timer::Coordinator(t) => {
                let mut log = OffsetsLogView::new(&mut self.partitions);
                self.coordinator.on_timer(cx, t, &mut log);
                let touched = log.touched;
                self.after_coordinator_appends(cx, touched);
            }
        }
        self.settle(cx);
    }

    /// Controlled shutdown: ask the controller (through heartbeats) to move this
    /// broker's leaderships away; stop when it says `should_shutdown`.
    pub fn begin_controlled_shutdown(&mut self, cx: &mut Ctx) {
        if self.lifecycle.stopped {
            return;
        }
        self.lifecycle.want_shutdown = true;
        if self.lifecycle.broker_epoch.is_none() {
            self.shutdown_now(cx);
            return;
        }
        self.send_heartbeat(cx);
    }

    /// The disk as the process leaves it (what was written, flushed or not).
    pub fn into_disk(self) -> BrokerDisk {
        let mut disk = BrokerDisk {
            partitions: FlatMap::new(),
            high_watermarks: self.high_watermarks,
            producer_ids_issued: self.producer_ids_issued,
        };
        for (tp, p) in self.partitions {
            let config = p.log.config().clone();
            disk.partitions.insert(
                tp,
                StoredPartition {
                    topic_id: p.topic_id,
                    config,
                    overrides: p.overrides,
                    store: p.log.into_store(),
                },
            );
        }
        disk
    }

    /// The partition's log on this broker, if it holds a replica.
    pub fn log(&self, tp: &TopicPartition) -> Option<&PartitionLog<MemoryStore>> {
        self.partitions.get(tp).map(|p| &p.log)
    }

    pub fn replica_info(&self, tp: &TopicPartition) -> Option<ReplicaInfo> {
        let p = self.partitions.get(tp)?;
        Some(ReplicaInfo {
            role: p.role.name(),
            leader_epoch: p.leader_epoch,
            log_start_offset: p.log.log_start_offset(),
            log_end_offset: p.log.log_end_offset(),
            high_watermark: p.log.high_watermark(),
            isr: if p.is_leader() {
                p.maximal_isr().to_vec()
            } else {
                p.isr.clone()
            },
        })
    }

    /// The committed metadata this broker has applied.
    pub fn image(&self) -> &MetadataImage {
        &self.image
    }

    /// This broker's epoch, once registered.
    pub fn broker_epoch(&self) -> Option<i64> {
        self.lifecycle.broker_epoch
    }

    /// Whether the image holds this broker's registration (it asked to be unfenced).
    pub fn is_caught_up(&self) -> bool {
        self.lifecycle.caught_up
    }

    /// Whether this broker is fenced, as its image or its last heartbeat says.
    pub fn is_fenced(&self) -> bool {
        self.lifecycle.fenced_by_heartbeat || self.is_fenced_in_image()
    }

    /// The active controller as far as this broker knows (-1: unknown).
    pub fn quorum_leader(&self) -> NodeId {
        self.quorum_leader
    }

    // ----- metadata (KRaft observer) -----

    fn next_voter(&self, current: NodeId) -> NodeId {
        let voters = &self.config.controllers;
        match voters.iter().position(|v| *v == current) {
            Some(i) => voters[(i + 1) % voters.len()],
            None => voters.first().copied().unwrap_or(NO_NODE),
        }
    }

    fn send_metadata_fetch(&mut self, cx: &mut Ctx) {
        if self.metadata.target == NO_NODE {
            return;
        }
        self.metadata.generation += 1;
        self.metadata.in_flight = true;
        self.metadata.last_sent_at = cx.now;
        let fetch_offset = self.metadata_log.end_offset();
        let last_fetched_epoch = self.metadata_log.last_epoch();
        cx.send(
            self.metadata.target,
            Message::MetadataFetch {
                epoch: self.quorum_epoch,
                replica: self.id,
                fetch_offset,
                last_fetched_epoch,
            },
        );
        cx.set_timer(
            self.config.quorum.fetch_timeout_ms,
            sim::Timer::Broker(Timer::MetadataFetchTimeout {
                generation: self.metadata.generation,
            }),
        );
    }

    #[inline(never)]
    fn on_metadata_fetch_response(&mut self, cx: &mut Ctx, from: NodeId, r: MetadataFetchResponse) {
        if from != self.metadata.target || !self.metadata.in_flight {
            return;
        }
        if cx.now < self.metadata.last_sent_at + 2 * self.config.network_delay_ms {
            return; // the answer to an older fetch; the latest one is still out
        }
        self.metadata.in_flight = false;
        if r.epoch > self.quorum_epoch {
            self.quorum_epoch = r.epoch;
        }
        if r.error.is_some() {
            if r.leader >= 0 && r.leader != from && self.config.controllers.contains(&r.leader) {
                self.set_quorum_leader(cx, r.leader);
                self.metadata.target = r.leader;
                self.send_metadata_fetch(cx);
            } else {
                self.metadata.target = self.next_voter(from);
                cx.set_timer(QUORUM_RETRY_BACKOFF_MS, sim::Timer::Broker(Timer::MetadataFetchRetry));
            }
            return;
        }
        if r.leader >= 0 {
            self.set_quorum_leader(cx, r.leader);
        }
        if let Some((epoch, end_offset)) = r.diverging {
            self.truncate_metadata_log(epoch, end_offset);
        } else {
            let mut applied = false;
            for &(offset, epoch, ref record) in r.records.iter() {
                let end = self.metadata_log.end_offset();
                if offset < end {
                    continue;
                }
                if offset > end {
                    break;
                }
                if offset < r.high_watermark && self.image.offset == end {
                    // Committed and next to apply: applied from the response,
                    // only its epoch is kept.
                    self.metadata_log.push_applied(epoch);
                    self.dirty.apply(&mut self.image, self.id, offset, record);
                    applied = true;
                } else {
                    self.metadata_log.push(epoch, record.clone());
                }
            }
            let committed = r.high_watermark.min(self.metadata_log.end_offset());
            while self.image.offset < committed {
                let offset = self.image.offset;
                let Some(record) = self.metadata_log.take_unapplied() else {
                    break;
                };
                self.dirty.apply(&mut self.image, self.id, offset, &record);
                applied = true;
            }
            if applied {
                self.on_metadata_applied(cx);
            }
        }
        self.send_metadata_fetch(cx);
    }

    /// `ReplicatedLog.truncateToEndOffset`, never below what was applied.
    fn truncate_metadata_log(&mut self, epoch: i32, end_offset: i64) {
        let end = self.metadata_log.end_offset();
        let target = if epoch == 0 {
            end_offset.min(end)
        } else {
            let (local_epoch, local_end) = self.metadata_log.end_offset_for_epoch(epoch);
            if local_epoch == epoch {
                local_end.min(end_offset)
            } else {
                local_end
            }
        };
        let target = target.max(self.image.offset).clamp(0, end);
        self.metadata_log.truncate(target);
    }

    fn set_quorum_leader(&mut self, cx: &mut Ctx, leader: NodeId) {
        if leader == self.quorum_leader {
            return;
        }
        self.quorum_leader = leader;
        self.maybe_register(cx);
        // AlterPartition requests that went to the old controller are resent.
        let pending: Vec<TopicPartition> = self
            .partitions
            .iter()
            .filter(|(_, p)| p.is_leader() && p.pending_isr.is_some())
            .map(|(tp, _)| tp.clone())
            .collect();
        for tp in pending {
            self.send_alter_partition(cx, &tp);
        }
    }

    fn on_metadata_applied(&mut self, cx: &mut Ctx) {
        self.apply_dynamic_configs();
        if self.image.quorum_leader >= 0 && self.image.quorum_epoch >= self.quorum_epoch {
            self.quorum_epoch = self.image.quorum_epoch;
            self.set_quorum_leader(cx, self.image.quorum_leader);
        }
        let was_caught_up = self.lifecycle.caught_up;
        self.check_caught_up(cx);
        if was_caught_up {
            self.reconcile_dirty(cx);
        }
    }

    // ----- lifecycle: registration, heartbeats, shutdown -----

    fn maybe_register(&mut self, cx: &mut Ctx) {
        let l = &mut self.lifecycle;
        if l.broker_epoch.is_some() || l.registration_in_flight || self.quorum_leader == NO_NODE || l.stopped {
            return;
        }
        l.registration_in_flight = true;
        l.registration_generation += 1;
        cx.send(
            self.quorum_leader,
            Message::BrokerRegistration {
                broker: self.id,
                incarnation: l.incarnation,
            },
        );
        cx.set_timer(
            self.config.quorum.fetch_timeout_ms,
            sim::Timer::Broker(Timer::RegistrationTimeout {
                generation: l.registration_generation,
            }),
        );
    }

    fn on_registration_response(&mut self, cx: &mut Ctx, error: Option<KafkaError>, broker_epoch: i64) {
        if !self.lifecycle.registration_in_flight {
            return;
        }
        self.lifecycle.registration_in_flight = false;
        match error {
            None => {
                self.lifecycle.broker_epoch = Some(broker_epoch);
                self.check_caught_up(cx);
                self.send_heartbeat(cx);
                // AlterPartitions waiting for a broker epoch go now.
                let pending: Vec<TopicPartition> = self
                    .partitions
                    .iter()
                    .filter(|(_, p)| p.is_leader() && p.pending_isr.is_some())
                    .map(|(tp, _)| tp.clone())
                    .collect();
                for tp in pending {
                    self.send_alter_partition(cx, &tp);
                }
            }
            Some(_) => cx.set_timer(
                QUORUM_RETRY_BACKOFF_MS * 5,
                sim::Timer::Broker(Timer::RegistrationRetry),
            ),
        }
    }

    /// Caught up once the image holds this incarnation's registration.
    fn check_caught_up(&mut self, cx: &mut Ctx) {
        if self.lifecycle.caught_up {
            return;
        }
        let registered = self.image.brokers.get(&self.id).is_some_and(|b| {
            b.incarnation == self.lifecycle.incarnation && Some(b.epoch) == self.lifecycle.broker_epoch
        });
        if registered {
            self.lifecycle.caught_up = true;
            cx.observe(Observation::Note(format!(
                "broker {} caught up with the metadata at offset {}",
                self.id, self.image.offset
            )));
            self.send_heartbeat(cx);
            self.reconcile(cx);
        }
    }

    fn send_heartbeat(&mut self, cx: &mut Ctx) {
        let Some(broker_epoch) = self.lifecycle.broker_epoch else {
            return;
        };
        if self.quorum_leader == NO_NODE {
            return;
        }
        cx.send(
            self.quorum_leader,
            Message::BrokerHeartbeat {
                broker: self.id,
                broker_epoch,
                metadata_offset: self.image.offset,
                want_fence: !self.lifecycle.caught_up,
                want_shutdown: self.lifecycle.want_shutdown,
            },
        );
    }

    fn on_heartbeat_response(
        &mut self,
        cx: &mut Ctx,
        error: Option<KafkaError>,
        is_fenced: bool,
        should_shutdown: bool,
    ) {
        match error {
            None => {
                self.lifecycle.fenced_by_heartbeat = is_fenced;
                if should_shutdown && self.lifecycle.want_shutdown {
                    self.shutdown_now(cx);
                }
            }
            Some(KafkaError::StaleBrokerEpoch)
            | Some(KafkaError::BrokerIdNotRegistered)
            | Some(KafkaError::UnknownServerError) => {
                // The controller no longer knows this registration: register again.
                self.lifecycle.broker_epoch = None;
                self.maybe_register(cx);
            }
            Some(_) => {}
        }
    }

    /// Clean shutdown: flush every log and the checkpoints, then stop.
    fn shutdown_now(&mut self, cx: &mut Ctx) {
        for p in self.partitions.values_mut() {
            let _ = p.log.flush();
        }
        self.checkpoint_high_watermarks();
        self.lifecycle.stopped = true;
        cx.observe(Observation::Note(format!("broker {} shut down cleanly", self.id)));
        cx.exit();
    }

    fn checkpoint_high_watermarks(&mut self) {
        self.high_watermarks = self
            .partitions
            .iter()
            .map(|(tp, p)| (tp.clone(), p.log.high_watermark()))
            .collect();
    }

    // ----- applying the metadata to replicas -----

    fn is_fenced_in_image(&self) -> bool {
        self.image.brokers.get(&self.id).is_none_or(|b| b.fenced)
    }

    /// Whether a follower may join the ISR (`isReplicaIsrEligible`).
    fn is_isr_eligible(&self, broker: NodeId) -> bool {
        self.image
            .brokers
            .get(&broker)
            .is_some_and(|b| !b.fenced && !b.in_controlled_shutdown)
    }

    /// Brings every hosted replica in line with the image.
    fn reconcile(&mut self, cx: &mut Ctx) {
        self.dirty = Dirty::default();
        let me = self.id;
        let mut tps: FlatSet<TopicPartition> = self.partitions.keys().cloned().collect();
        for (name, id) in &self.image.topic_ids {
            let Some(t) = self.image.topics.get(id) else { continue };
            for reg in t.partitions.values() {
                if reg.replicas.contains(&me) {
                    tps.insert(TopicPartition::new(name, reg.partition));
                }
            }
        }
        self.reconcile_partitions(cx, tps);
    }

    /// Brings the replicas that the records applied since the last reconcile
    /// touched in line with the image (Kafka's brokers apply a `MetadataDelta`
    /// the same way). Replicas no record touched are already in line.
    fn reconcile_dirty(&mut self, cx: &mut Ctx) {
        let dirty = std::mem::take(&mut self.dirty);
        if dirty.all {
            return self.reconcile(cx);
        }
        if dirty.topics.is_empty() && dirty.partitions.is_empty() {
            return;
        }
        let me = self.id;
        // The dirty partitions come in topic order: the name is looked up once
        // per topic, not per partition.
        let mut name: Option<(Uuid, Topic)> = None;
        let mut tps: FlatSet<TopicPartition> = dirty
            .partitions
            .iter()
            .filter_map(|(id, partition)| {
                let topic = match &name {
                    Some((named, topic)) if named == id => topic.clone(),
                    _ => {
                        let topic = Topic::new(&self.image.topics.get(id)?.name);
                        name = Some((*id, topic.clone()));
                        topic
                    }
                };
                Some(TopicPartition::of(&topic, *partition))
            })
            .collect();
        for name in &dirty.topics {
            let first = TopicPartition::new(name, i32::MIN);
            tps.extend(
                self.partitions
                    .range(first..)
                    .take_while(|(tp, _)| tp.topic == *name)
                    .map(|(tp, _)| tp.clone()),
            );
            if let Some(t) = self.image.topic(name) {
                for reg in t.partitions.values() {
                    if reg.replicas.contains(&me) {
                        tps.insert(TopicPartition::new(name, reg.partition));
                    }
                }
            }
        }
        self.reconcile_partitions(cx, tps);
    }

    /// Removes the replicas of `tps` the image no longer gives this broker, then
    /// opens and applies the registration of the others, in partition order.
    fn reconcile_partitions(&mut self, cx: &mut Ctx, tps: FlatSet<TopicPartition>) {
        let gone: Vec<TopicPartition> = tps
            .iter()
            .filter(|tp| {
                self.partitions
                    .get(*tp)
                    .is_some_and(|p| wanted(&self.image, self.id, tp).is_none_or(|(t, _)| t.id != p.topic_id))
            })
            .cloned()
            .collect();
        for tp in gone {
            self.remove_partition(cx, &tp);
        }
        let fenced = self.is_fenced_in_image();
        for tp in tps {
            self.reconcile_one(cx, &tp, fenced);
        }
        self.sync_coordinator(cx);
    }

    /// One replica of [`Self::reconcile_partitions`]: opens it if new, applies
    /// its configs and registration. A function of its own, called once per
    /// replica: small hot functions are what wasm engines optimize first.
    #[inline(never)]
    fn reconcile_one(&mut self, cx: &mut Ctx, tp: &TopicPartition, fenced: bool) {
        let Some((t, reg)) = wanted(&self.image, self.id, tp) else {
            return;
        };
        let (topic_id, reg) = (t.id, Arc::clone(reg));
        let configs = &t.configs;
        match self.partitions.get_mut(tp) {
            None => {
                let Some(p) = open_replica(&self.config, tp, topic_id, configs, cx.now) else {
                    return;
                };
                self.partitions.insert(tp.clone(), p);
            }
            Some(p) if p.overrides != *configs => {
                let _ = p.log.set_config(log_config(&self.config.log, configs));
                p.min_insync_replicas = min_insync_replicas(self.config.broker.min_insync_replicas, configs);
                p.overrides = configs.clone();
            }
            Some(_) => {}
        }
        self.apply_registration(cx, tp, &reg, fenced);
    }

    fn remove_partition(&mut self, cx: &mut Ctx, tp: &TopicPartition) {
        if let Some(mut p) = self.partitions.remove(tp) {
            self.state_version += 1;
            wake_held(&mut p, &self.held_fetches, &mut self.held_to_check);
            self.set_followed(tp, p.leader(), None);
            self.high_watermarks.remove(tp);
            cx.observe(Observation::ReplicaRole {
                tp: tp.clone(),
                broker: self.id,
                role: "deleted",
                leader_epoch: p.leader_epoch,
            });
        }
    }

    fn apply_registration(&mut self, cx: &mut Ctx, tp: &TopicPartition, reg: &PartitionRegistration, fenced: bool) {
        let me = self.id;
        let p = self.partitions.get_mut(tp).expect("hosted");
        if reg.leader_epoch < p.leader_epoch {
            return;
        }
        let new_epoch = reg.leader_epoch > p.leader_epoch;
        let changed = new_epoch || reg.partition_epoch != p.partition_epoch;
        if reg.leader == me && !fenced {
            if !p.is_leader() || new_epoch {
                self.make_leader(cx, tp, reg);
            } else if changed {
                // Same leadership, new ISR or replicas: the committed state wins
                // over any pending AlterPartition (KRaft `makeLeader`).
                p.partition_epoch = reg.partition_epoch;
                p.isr = reg.isr.clone();
                p.replicas = reg.replicas.clone();
                p.pending_isr = None;
                let now = cx.now;
                p.remote.retain(|id, _| reg.replicas.contains(id));
                for r in reg.replicas.iter().filter(|r| **r != me) {
                    p.remote
                        .entry(*r)
                        .or_insert_with(|| RemoteReplica::new_for_leader(false, now));
                }
                self.maybe_increment_high_watermark(cx, tp);
            }
            return;
        }
        let leader = if reg.leader == me { NO_NODE } else { reg.leader };
        let role = if reg.leader == me {
            Role::None
        } else {
            Role::Follower { leader }
        };
        if p.role != role || new_epoch {
            self.make_follower(cx, tp, reg, role);
        } else if changed {
            p.partition_epoch = reg.partition_epoch;
            p.isr = reg.isr.clone();
            p.replicas = reg.replicas.clone();
            if p.follower.waiting_for_metadata {
                p.follower.waiting_for_metadata = false;
                if let Some(l) = p.leader() {
                    self.maybe_send_fetch(cx, l);
                }
            }
        }
    }

    /// `Partition.makeLeader`.
    #[inline(never)]
    fn make_leader(&mut self, cx: &mut Ctx, tp: &TopicPartition, reg: &PartitionRegistration) {
        let me = self.id;
        let now = cx.now;
        let p = self.partitions.get_mut(tp).expect("hosted");
        let old_leader = p.leader();
        p.role = Role::Leader;
        self.state_version += 1;
        wake_held(p, &self.held_fetches, &mut self.held_to_check);
        p.leader_epoch = reg.leader_epoch;
        p.partition_epoch = reg.partition_epoch;
        p.replicas = reg.replicas.clone();
        p.isr = reg.isr.clone();
        p.pending_isr = None;
        let leo = p.log.log_end_offset();
        p.log.assign_leader_epoch(reg.leader_epoch, leo);
        p.leader_epoch_start_offset = leo;
        p.remote = reg
            .replicas
            .iter()
            .filter(|r| **r != me)
            .map(|r| (*r, RemoteReplica::new_for_leader(reg.isr.contains(r), now)))
            .collect();
        p.follower = Default::default();
        cx.observe(Observation::ReplicaRole {
            tp: tp.clone(),
            broker: me,
            role: "leader",
            leader_epoch: reg.leader_epoch,
        });
        self.set_followed(tp, old_leader, None);
        if let Some(l) = old_leader {
            self.drop_from_fetcher(tp, l);
        }
        self.maybe_increment_high_watermark(cx, tp);
    }

    /// `Partition.makeFollower`: follow `role`'s leader from this log's end; the
    /// first fetch's `last_fetched_epoch` finds any divergence.
    #[inline(never)]
    fn make_follower(&mut self, cx: &mut Ctx, tp: &TopicPartition, reg: &PartitionRegistration, role: Role) {
        let p = self.partitions.get_mut(tp).expect("hosted");
        let old_leader = p.leader();
        p.role = role;
        self.state_version += 1;
        wake_held(p, &self.held_fetches, &mut self.held_to_check);
        p.leader_epoch = reg.leader_epoch;
        p.partition_epoch = reg.partition_epoch;
        p.replicas = reg.replicas.clone();
        p.isr = reg.isr.clone();
        p.pending_isr = None;
        p.remote.clear();
        p.leader_epoch_start_offset = -1;
        p.follower = Default::default();
        let new_leader = p.leader();
        self.set_followed(tp, old_leader, new_leader);
        cx.observe(Observation::ReplicaRole {
            tp: tp.clone(),
            broker: self.id,
            role: role.name(),
            leader_epoch: reg.leader_epoch,
        });
        if let Some(l) = old_leader {
            self.drop_from_fetcher(tp, l);
        }
        if let Some(l) = new_leader {
            self.maybe_send_fetch(cx, l);
        }
    }

    /// Moves `tp` in the index of followed partitions from `old` to `new` leader.
    fn set_followed(&mut self, tp: &TopicPartition, old: Option<NodeId>, new: Option<NodeId>) {
        if old == new {
            return;
        }
        if let Some(old) = old {
            if let Some(set) = self.followed.get_mut(&old) {
                set.remove(tp);
                if set.is_empty() {
                    self.followed.remove(&old);
                }
            }
        }
        if let Some(new) = new {
            self.followed.entry(new).or_default().insert(tp.clone());
        }
    }

    fn drop_from_fetcher(&mut self, tp: &TopicPartition, leader: NodeId) {
        if let Some((_, sent)) = self.fetchers.get_mut(&leader).and_then(|f| f.in_flight.as_mut()) {
            sent.remove(tp);
        }
    }

    // ----- follower: fetching from leaders -----

    fn maybe_send_fetch(&mut self, cx: &mut Ctx, leader: NodeId) {
        if leader == NO_NODE || self.lifecycle.stopped {
            return;
        }
        // The usual answer (a fetch to this leader is out) in a few
        // instructions; building a request is a function of its own.
        if self.fetchers.get(&leader).is_some_and(|f| f.in_flight.is_some()) {
            return;
        }
        self.send_fetch(cx, leader);
    }

    #[inline(never)]
    fn send_fetch(&mut self, cx: &mut Ctx, leader: NodeId) {
        let now = cx.now;
        let f = self.fetchers.entry(leader).or_default();
        if f.in_flight.is_some() {
            return;
        }
        let b = &self.config.broker;
        let mut partitions = Vec::new();
        let mut sent = FlatMap::new();
        let mut wake: Option<Ms> = None;
        let followed = self.followed.get(&leader).into_iter().flatten();
        for (tp, p) in followed.filter_map(|tp| self.partitions.get_key_value(tp)) {
            if p.role != (Role::Follower { leader }) || p.follower.waiting_for_metadata {
                continue;
            }
            if p.follower.backoff_until > now {
                wake = Some(wake.map_or(p.follower.backoff_until, |w| w.min(p.follower.backoff_until)));
                continue;
            }
            let fetch_offset = p.log.log_end_offset();
            partitions.push(FetchPartition {
                tp: tp.clone(),
                current_leader_epoch: p.leader_epoch,
                fetch_offset,
                last_fetched_epoch: p.log.latest_epoch().unwrap_or(-1),
                max_bytes: b.replica_fetch_max_bytes,
            });
            sent.insert(tp.clone(), (p.leader_epoch, fetch_offset));
        }
        if partitions.is_empty() {
            if let Some(t) = wake {
                if f.wake_at.is_none_or(|w| w > t) {
                    f.wake_at = Some(t);
                    cx.set_timer(t - now, sim::Timer::Broker(Timer::FetcherWake { leader }));
                }
            }
            return;
        }
        let request_id = self.next_id;
        self.next_id += 1;
        f.in_flight = Some((request_id, sent));
        cx.send(
            leader,
            Message::Fetch(FetchRequest {
                replica: self.id,
                request_id,
                max_wait_ms: b.replica_fetch_wait_max_ms,
                partitions,
            }),
        );
        cx.set_timer(
            b.request_timeout_ms + b.replica_fetch_wait_max_ms,
            sim::Timer::Broker(Timer::FetchTimeout { leader, request_id }),
        );
    }

    fn on_fetch_response(&mut self, cx: &mut Ctx, from: NodeId, r: FetchResponse) {
        let Some(f) = self.fetchers.get_mut(&from) else { return };
        if f.in_flight.as_ref().is_none_or(|(id, _)| *id != r.request_id) {
            return;
        }
        let (_, sent) = f.in_flight.take().expect("checked");
        for part in r.partitions {
            let Some(&(epoch, fetch_offset)) = sent.get(&part.tp) else {
                continue;
            };
            let current = self.partitions.get(&part.tp).is_some_and(|p| {
                p.role == (Role::Follower { leader: from })
                    && p.leader_epoch == epoch
                    && p.log.log_end_offset() == fetch_offset
            });
            if current {
                self.process_fetched_partition(cx, part, fetch_offset);
            }
        }
        self.maybe_send_fetch(cx, from);
    }

    /// `AbstractFetcherThread.processFetchResponse` for one partition.
    fn process_fetched_partition(&mut self, cx: &mut Ctx, part: FetchResponsePartition, fetch_offset: i64) {
        self.state_version += 1;
        let me = self.id;
        let now = cx.now;
        let backoff = self.config.broker.replica_fetch_backoff_ms;
        let tp = part.tp.clone();
        let p = self.partitions.get_mut(&tp).expect("checked by caller");
        wake_held(p, &self.held_fetches, &mut self.held_to_check);
        match part.error {
            None => {}
            Some(KafkaError::OffsetOutOfRange) => {
                // The leader cannot place our offset: start again at its log start if
                // we are below it, else fall back to what it has committed.
                let leo = p.log.log_end_offset();
                let target = part.high_watermark.min(leo);
                let result = if fetch_offset < part.log_start_offset || target >= leo || target < part.log_start_offset
                {
                    p.log
                        .truncate_fully_and_start_at(part.log_start_offset, now)
                        .map(|_| true)
                } else {
                    p.log.truncate_to(target, now)
                };
                if result.is_ok() {
                    p.producers = producer_state::ProducerStateTable::rebuild(&p.log);
                    let new_leo = p.log.log_end_offset();
                    if new_leo < leo {
                        cx.observe(Observation::Truncated {
                            tp,
                            broker: me,
                            from: new_leo,
                            to: leo,
                        });
                    }
                } else {
                    p.follower.backoff_until = now + backoff;
                }
                return;
            }
            Some(KafkaError::FencedLeaderEpoch) => {
                p.follower.waiting_for_metadata = true;
                return;
            }
            Some(_) => {
                p.follower.backoff_until = now + backoff;
                return;
            }
        }
        if let Some((leader_epoch, end_offset)) = part.diverging_epoch {
            // AbstractFetcherThread.getOffsetTruncationState (KIP-279).
            let leo = p.log.log_end_offset();
            let (local_epoch, local_end) = p.log.end_offset_for_epoch(leader_epoch);
            let target = if local_epoch < 0 || local_end < 0 {
                end_offset.min(leo)
            } else if local_epoch != leader_epoch {
                local_end.min(leo)
            } else {
                local_end.min(end_offset).min(leo)
            };
            let target = target.max(0);
            match p.log.truncate_to(target, now) {
                Ok(truncated) => {
                    if truncated {
                        p.producers = producer_state::ProducerStateTable::rebuild(&p.log);
                        cx.observe(Observation::Truncated {
                            tp,
                            broker: me,
                            from: p.log.log_end_offset(),
                            to: leo,
                        });
                    }
                }
                Err(_) => p.follower.backoff_until = now + backoff,
            }
            return;
        }
        if !part.records.is_empty() {
            match p.log.append_as_follower(&part.records, now) {
                Ok(info) => {
                    p.producers.record_all(&part.records);
                    if info.rolled {
                        let _ = p.log.flush();
                    }
                }
                Err(_) => {
                    p.follower.backoff_until = now + backoff;
                    return;
                }
            }
        }
        let hw = part.high_watermark.min(p.log.log_end_offset());
        p.log.update_high_watermark(hw);
    }

    // ----- leader: serving fetches -----

    fn on_fetch(&mut self, cx: &mut Ctx, from: NodeId, request: FetchRequest) {
        let (response, respond_now) = self.serve_fetch(cx, from, &request);
        if respond_now || request.max_wait_ms <= 0 {
            cx.send(from, Message::FetchResponse(response));
            return;
        }
        let hold_id = self.next_id;
        self.next_id += 1;
        cx.set_timer(
            request.max_wait_ms,
            sim::Timer::Broker(Timer::FetchHoldExpired { hold_id }),
        );
        for fp in &request.partitions {
            if let Some(p) = self.partitions.get_mut(&fp.tp) {
                // Ids of fetches answered since (by their timer) go.
                p.held_fetches.retain(|id| self.held_fetches.contains_key(id));
                p.held_fetches.push(hold_id);
            }
        }
        self.held_fetches.insert(hold_id, HeldFetch { from, request });
        self.held_to_check.insert(hold_id);
    }

    /// Reads every requested partition (`ReplicaManager.readFromLog` and
    /// `Partition.fetchRecords`); a replica's fetch also updates what the leader
    /// knows of it. Returns the response and whether it should go now (data, an
    /// error or a divergence) rather than wait (long poll).
    fn serve_fetch(&mut self, cx: &mut Ctx, from: NodeId, request: &FetchRequest) -> (FetchResponse, bool) {
        let mut respond_now = false;
        let mut partitions = Vec::new();
        for fp in &request.partitions {
            let part = self.read_partition(cx, from, request.replica, fp);
            respond_now |= part.error.is_some() || part.diverging_epoch.is_some() || !part.records.is_empty();
            partitions.push(part);
        }
        (
            FetchResponse {
                request_id: request.request_id,
                partitions,
            },
            respond_now,
        )
    }

    fn fetch_error(&self, tp: &TopicPartition) -> KafkaError {
        if self.image.partition(tp).is_some() {
            KafkaError::NotLeaderOrFollower
        } else {
            KafkaError::UnknownTopicOrPartition
        }
    }

    fn read_partition(
        &mut self,
        cx: &mut Ctx,
        from: NodeId,
        replica: NodeId,
        fp: &FetchPartition,
    ) -> FetchResponsePartition {
        let now = cx.now;
        let tp = fp.tp.clone();
        let empty = |error: Option<KafkaError>, hw: i64, lso: i64| FetchResponsePartition {
            tp: fp.tp.clone(),
            error,
            high_watermark: hw,
            log_start_offset: lso,
            records: Vec::new(),
            diverging_epoch: None,
        };
        let Some(p) = self.partitions.get(&tp) else {
            return empty(Some(self.fetch_error(&tp)), -1, -1);
        };
        let (hw, lso, leo) = (p.log.high_watermark(), p.log.log_start_offset(), p.log.log_end_offset());
        // Epochs first, then leadership (`Partition.localLogWithEpochOrThrow`).
        if fp.current_leader_epoch >= 0 && fp.current_leader_epoch < p.leader_epoch {
            return empty(Some(KafkaError::FencedLeaderEpoch), hw, lso);
        }
        if fp.current_leader_epoch > p.leader_epoch {
            return empty(Some(KafkaError::UnknownLeaderEpoch), hw, lso);
        }
        if !p.is_leader() {
            return empty(Some(KafkaError::NotLeaderOrFollower), -1, -1);
        }
        let is_replica = replica >= 0;
        if is_replica && (replica != from || !p.remote.contains_key(&replica)) {
            return empty(Some(KafkaError::NotLeaderOrFollower), hw, lso);
        }
        if fp.last_fetched_epoch >= 0 {
            let (epoch, end) = p.log.end_offset_for_epoch(fp.last_fetched_epoch);
            if epoch < 0 || end < 0 {
                return empty(Some(KafkaError::OffsetOutOfRange), hw, lso);
            }
            if epoch < fp.last_fetched_epoch || end < fp.fetch_offset {
                let mut part = empty(None, hw, lso);
                part.diverging_epoch = Some((epoch, end));
                return part;
            }
        }
        let max_offset = if is_replica { leo } else { hw };
        let (throttled, exceeded) = if is_replica {
            self.leader_throttle(&tp, replica, now)
        } else {
            (false, false)
        };
        let p = self.partitions.get(&tp).expect("hosted");
        // A throttled replica over the quota gets nothing (`shouldLeaderThrottle`).
        let records = match p.log.read(fp.fetch_offset, fp.max_bytes, max_offset) {
            Ok(_) if exceeded => Vec::new(),
            Ok(data) => data.bytes,
            Err(LogError::OffsetOutOfRange { .. }) => return empty(Some(KafkaError::OffsetOutOfRange), hw, lso),
            Err(_) => return empty(Some(KafkaError::KafkaStorageError), hw, lso),
        };
        if throttled {
            self.record_leader_bytes(records.len() as u64, now);
        }
        if is_replica {
            // The response carries the HW from before this fetch moved it, as Kafka's does.
            let p = self.partitions.get_mut(&tp).expect("hosted");
            p.remote
                .get_mut(&replica)
                .expect("checked")
                .update_fetch_state(fp.fetch_offset, leo, now);
            self.maybe_expand_isr(cx, &tp, replica);
            self.maybe_increment_high_watermark(cx, &tp);
        }
        FetchResponsePartition {
            tp,
            error: None,
            high_watermark: hw,
            log_start_offset: lso,
            records,
            diverging_epoch: None,
        }
    }

    /// Whether a held fetch can be answered now (`DelayedFetch.tryComplete`).
    fn held_fetch_ready(&self, held: &HeldFetch) -> bool {
        held.request.partitions.iter().any(|fp| {
            let Some(p) = self.partitions.get(&fp.tp) else {
                return true;
            };
            if !p.is_leader() || (fp.current_leader_epoch >= 0 && fp.current_leader_epoch != p.leader_epoch) {
                return true;
            }
            let end = if held.request.replica >= 0 {
                p.log.log_end_offset()
            } else {
                p.log.high_watermark()
            };
            fp.fetch_offset < p.log.log_start_offset() || fp.fetch_offset != end
        })
    }

    // ----- consumer groups: coordinator lookup, offsets by time -----

    /// The group coordinator on this broker.
    pub fn group_coordinator(&self) -> &GroupCoordinator {
        &self.coordinator
    }

    /// `KafkaApis.handleFindCoordinatorRequest` for a group: the leader of the
    /// group's `__consumer_offsets` partition, as this broker's metadata says.
    /// The topic is created on first use (`AutoTopicCreationManager`).
    #[inline(never)] // not inlined into Simulation::step: see Simulation::dispatch
    fn on_find_coordinator(&mut self, cx: &mut Ctx, from: NodeId, request_id: u64, group_id: &str) {
        let respond = |cx: &mut Ctx, error: Option<KafkaError>, coordinator: NodeId| {
            cx.send(
                from,
                Message::FindCoordinatorResponse {
                    request_id,
                    error,
                    coordinator,
                },
            )
        };
        if self.image.topic(GROUP_METADATA_TOPIC_NAME).is_none() {
            self.maybe_create_offsets_topic(cx);
            return respond(cx, Some(KafkaError::CoordinatorNotAvailable), NO_NODE);
        }
        let tp = TopicPartition::new(GROUP_METADATA_TOPIC_NAME, self.coordinator.partition_for(group_id));
        match self.image.partition(&tp).map(|p| p.leader) {
            Some(leader) if leader != NO_NODE && self.image.is_alive(leader) => respond(cx, None, leader),
            _ => respond(cx, Some(KafkaError::CoordinatorNotAvailable), NO_NODE),
        }
    }

    /// Asks the active controller to create `__consumer_offsets` with
    /// `offsets.topic.*` settings. Kafka fails while fewer brokers are alive
    /// than `offsets.topic.replication.factor`; here the factor is lowered to
    /// the live brokers (at least one).
    fn maybe_create_offsets_topic(&mut self, cx: &mut Ctx) {
        let b = &self.config.broker;
        if self
            .offsets_topic_creation
            .is_some_and(|(_, sent)| cx.now < sent + b.request_timeout_ms)
        {
            return;
        }
        let alive = self.image.brokers.values().filter(|r| !r.fenced).count() as i16;
        if self.quorum_leader == NO_NODE || alive == 0 {
            return;
        }
        let replication_factor = b.offsets_topic_replication_factor.min(alive).max(1);
        let request_id = self.next_id;
        self.next_id += 1;
        self.offsets_topic_creation = Some((request_id, cx.now));
        let configs = vec![
            ("cleanup.policy".to_string(), "compact".to_string()),
            ("compression.type".to_string(), "producer".to_string()),
            ("segment.bytes".to_string(), b.offsets_topic_segment_bytes.to_string()),
        ];
        cx.observe(Observation::Note(format!(
            "broker {} asks to create {GROUP_METADATA_TOPIC_NAME} with {} partitions, replication factor {replication_factor}",
            self.id, b.offsets_topic_num_partitions
        )));
        cx.send(
            self.quorum_leader,
            Message::Admin {
                request_id,
                request: AdminRequest::CreateTopic {
                    name: GROUP_METADATA_TOPIC_NAME.to_string(),
                    partitions: b.offsets_topic_num_partitions,
                    replication_factor,
                    assignment: None,
                    configs,
                    validate_only: false,
                },
            },
        );
    }

    /// `Partition.fetchOffsetForTimestamp` for a consumer (isolation
    /// READ_UNCOMMITTED): -1 latest is the high watermark, -2 earliest the log
    /// start, -3 the record with the largest timestamp, else the first record
    /// at or after the time; what is not below the HW is not found (-1).
    #[inline(never)] // not inlined into Simulation::step: see Simulation::dispatch
    fn list_offsets(&self, tp: &TopicPartition, timestamp: i64) -> ListOffsetsPartition {
        let answer = |error, timestamp, offset| ListOffsetsPartition {
            tp: tp.clone(),
            error,
            timestamp,
            offset,
        };
        let Some(p) = self.partitions.get(tp) else {
            return answer(Some(self.fetch_error(tp)), -1, -1);
        };
        if !p.is_leader() {
            return answer(Some(KafkaError::NotLeaderOrFollower), -1, -1);
        }
        let hw = p.log.high_watermark();
        let found = match timestamp {
            -1 => return answer(None, -1, hw),
            -2 => return answer(None, -1, p.log.log_start_offset()),
            -3 => p.log.max_timestamp_offset(),
            t => p.log.offset_for_timestamp(t),
        };
        match found {
            Some(f) if f.offset < hw => answer(None, f.timestamp, f.offset),
            _ => answer(None, -1, -1),
        }
    }

    /// The coordinator appended to these offsets partitions: move their HW.
    #[inline(never)] // not inlined into Simulation::step: see Simulation::dispatch
    fn after_coordinator_appends(&mut self, cx: &mut Ctx, touched: Vec<TopicPartition>) {
        if !touched.is_empty() {
            self.state_version += 1; // log ends moved
        }
        for tp in &touched {
            if let Some(p) = self.partitions.get_mut(tp) {
                wake_held(p, &self.held_fetches, &mut self.held_to_check);
            }
        }
        for tp in touched {
            self.maybe_increment_high_watermark(cx, &tp);
        }
    }

    /// Loads the groups of `__consumer_offsets` partitions this broker now
    /// leads, and unloads those it no longer leads (`onElection`/`onResignation`).
    fn sync_coordinator(&mut self, cx: &mut Ctx) {
        let led: FlatMap<i32, i32> = self
            .partitions
            .iter()
            .filter(|(tp, p)| tp.topic == GROUP_METADATA_TOPIC_NAME && p.is_leader())
            .map(|(tp, p)| (tp.partition, p.leader_epoch))
            .collect();
        let loaded = self.coordinator.loaded_partitions().clone();
        for (partition, epoch) in &loaded {
            if led.get(partition) != Some(epoch) {
                self.coordinator.unload(cx, *partition);
            }
        }
        for (partition, epoch) in led {
            if loaded.get(&partition) != Some(&epoch) {
                let tp = TopicPartition::new(GROUP_METADATA_TOPIC_NAME, partition);
                let p = self.partitions.get(&tp).expect("led");
                self.coordinator.load(cx, partition, epoch, &p.log);
            }
        }
    }

    // ----- leader: high watermark and ISR -----

    /// `Partition.maybeIncrementLeaderHW`.
    fn maybe_increment_high_watermark(&mut self, cx: &mut Ctx, tp: &TopicPartition) {
        let now = cx.now;
        let lag = self.config.broker.replica_lag_time_max_ms;
        let Some(p) = self.partitions.get(tp) else { return };
        if !p.is_leader() || p.is_under_min_isr() {
            return;
        }
        let leo = p.log.log_end_offset();
        let maximal = p.maximal_isr();
        let mut hw = leo;
        for (id, r) in &p.remote {
            let waits = maximal.contains(id) || (r.is_caught_up(leo, now, lag) && self.is_isr_eligible(*id));
            if r.log_end_offset < hw && waits {
                hw = r.log_end_offset;
            }
        }
        let p = self.partitions.get_mut(tp).expect("hosted");
        if hw > p.log.high_watermark() {
            let hw = p.log.update_high_watermark(hw);
            self.state_version += 1;
            wake_held(p, &self.held_fetches, &mut self.held_to_check);
            cx.observe(Observation::HighWatermark {
                tp: tp.clone(),
                broker: self.id,
                high_watermark: hw,
            });
        }
    }

    /// `Partition.maybeExpandIsr`, after a follower's fetch.
    fn maybe_expand_isr(&mut self, cx: &mut Ctx, tp: &TopicPartition, follower: NodeId) {
        let eligible = self.is_isr_eligible(follower);
        let p = self.partitions.get_mut(tp).expect("hosted");
        if p.pending_isr.is_some() || p.isr.contains(&follower) || !eligible {
            return;
        }
        let Some(r) = p.remote.get(&follower) else { return };
        if r.log_end_offset >= p.log.high_watermark() && r.log_end_offset >= p.leader_epoch_start_offset {
            let mut new_isr = p.isr.clone();
            new_isr.push(follower);
            self.propose_isr(cx, tp, new_isr.clone(), new_isr);
        }
    }

    /// `Partition.maybeShrinkIsr`: followers not caught up within
    /// `replica.lag.time.max.ms` leave the ISR.
    fn maybe_shrink_isr(&mut self, cx: &mut Ctx, tp: &TopicPartition) {
        let now = cx.now;
        let lag = self.config.broker.replica_lag_time_max_ms;
        let me = self.id;
        let p = self.partitions.get(tp).expect("hosted");
        if p.pending_isr.is_some() {
            return;
        }
        let leo = p.log.log_end_offset();
        let out: Vec<NodeId> = p
            .isr
            .iter()
            .copied()
            .filter(|id| *id != me && p.remote.get(id).is_none_or(|r| !r.is_caught_up(leo, now, lag)))
            .collect();
        if out.is_empty() {
            return;
        }
        let new_isr: Vec<NodeId> = p.isr.iter().copied().filter(|id| !out.contains(id)).collect();
        let maximal = p.isr.clone();
        self.propose_isr(cx, tp, new_isr, maximal);
    }

    fn propose_isr(&mut self, cx: &mut Ctx, tp: &TopicPartition, new_isr: Vec<NodeId>, maximal_isr: Vec<NodeId>) {
        let generation = self.next_id;
        self.next_id += 1;
        let p = self.partitions.get_mut(tp).expect("hosted");
        p.pending_isr = Some(PendingIsr {
            new_isr,
            maximal_isr,
            generation,
        });
        self.send_alter_partition(cx, tp);
    }

    fn send_alter_partition(&mut self, cx: &mut Ctx, tp: &TopicPartition) {
        let Some(p) = self.partitions.get_mut(tp) else { return };
        let Some(pending) = p.pending_isr.as_mut() else { return };
        // A new generation voids the retry timer of the previous send.
        pending.generation = self.next_id;
        self.next_id += 1;
        let generation = pending.generation;
        if let (Some(broker_epoch), true) = (self.lifecycle.broker_epoch, self.quorum_leader != NO_NODE) {
            cx.send(
                self.quorum_leader,
                Message::AlterPartition(AlterPartition {
                    broker: self.id,
                    broker_epoch,
                    tp: tp.clone(),
                    leader_epoch: p.leader_epoch,
                    partition_epoch: p.partition_epoch,
                    new_isr: pending.new_isr.clone(),
                }),
            );
        }
        cx.set_timer(
            self.config.quorum.fetch_timeout_ms,
            sim::Timer::Broker(Timer::AlterPartitionRetry {
                tp: tp.clone(),
                generation,
            }),
        );
    }

    /// `Partition.handleAlterPartitionUpdate` / `handleAlterPartitionError`.
    fn on_alter_partition_response(&mut self, cx: &mut Ctx, r: AlterPartitionResponse) {
        let Some(p) = self.partitions.get_mut(&r.tp) else {
            return;
        };
        if !p.is_leader() || p.pending_isr.is_none() {
            return;
        }
        match r.error {
            None => {
                if r.leader_epoch != p.leader_epoch || r.partition_epoch < p.partition_epoch {
                    return; // stale
                }
                p.isr = r.isr;
                p.partition_epoch = r.partition_epoch;
                p.pending_isr = None;
                self.maybe_increment_high_watermark(cx, &r.tp);
            }
            // The metadata will bring the partition's current state; until then
            // nothing else is proposed.
            Some(KafkaError::FencedLeaderEpoch)
            | Some(KafkaError::InvalidUpdateVersion)
            | Some(KafkaError::NewLeaderElected) => {
                if let Some(pending) = p.pending_isr.as_mut() {
                    pending.generation = u64::MAX; // no retry
                }
            }
            // Retriable: the retry timer sends it again.
            Some(KafkaError::NotController)
            | Some(KafkaError::RequestTimedOut)
            | Some(KafkaError::StaleBrokerEpoch)
            | Some(KafkaError::UnknownServerError)
            | Some(KafkaError::BrokerNotAvailable) => {}
            // INELIGIBLE_REPLICA, UNKNOWN_TOPIC_OR_PARTITION, ...: back to the
            // last committed ISR.
            Some(_) => p.pending_isr = None,
        }
    }

    // ----- leader: produce -----

    fn on_produce(&mut self, cx: &mut Ctx, from: NodeId, request: ProduceRequest) {
        if ![0, 1, -1].contains(&request.acks) {
            let partitions = request
                .partitions
                .iter()
                .map(|(tp, _)| {
                    (
                        tp.clone(),
                        ProducePart::Done(produce_error(tp, KafkaError::InvalidRequiredAcks, None)),
                    )
                })
                .collect();
            send_produce_response(
                cx,
                PendingProduce {
                    from,
                    request_id: request.request_id,
                    partitions,
                },
            );
            return;
        }
        let mut partitions = Vec::new();
        for (tp, bytes) in &request.partitions {
            let part = self.produce_partition(cx, tp, bytes, request.acks);
            partitions.push((tp.clone(), part));
        }
        if request.acks == 0 {
            return;
        }
        let pending = PendingProduce {
            from,
            request_id: request.request_id,
            partitions,
        };
        if pending
            .partitions
            .iter()
            .all(|(_, p)| matches!(p, ProducePart::Done(_)))
        {
            send_produce_response(cx, pending);
        } else {
            let id = self.next_id;
            self.next_id += 1;
            cx.set_timer(
                request.timeout_ms.max(0),
                sim::Timer::Broker(Timer::ProduceTimeout { id }),
            );
            self.pending_produces.insert(id, pending);
            self.state_version += 1;
        }
    }

    /// `Partition.appendRecordsToLeader` with the producer-state checks of
    /// `UnifiedLog.analyzeAndValidateProducerState`.
    fn produce_partition(&mut self, cx: &mut Ctx, tp: &TopicPartition, bytes: &[u8], acks: i16) -> ProducePart {
        let now = cx.now;
        let not_hosted = self.fetch_error(tp);
        let Some(p) = self.partitions.get_mut(tp) else {
            return ProducePart::Done(produce_error(tp, not_hosted, None));
        };
        if !p.is_leader() {
            return ProducePart::Done(produce_error(tp, KafkaError::NotLeaderOrFollower, None));
        }
        if acks == -1 && p.is_under_min_isr() {
            return ProducePart::Done(produce_error(tp, KafkaError::NotEnoughReplicas, None));
        }
        let producer = BatchRef::parse(bytes, usize::MAX)
            .ok()
            .filter(|b| b.size() == bytes.len() && b.validate().is_ok())
            .and_then(|b| ProducerBatch::of(&b));
        if let Some(pb) = &producer {
            match p.producers.check(pb) {
                Ok(Check::Append) => {}
                Ok(Check::Duplicate(dup)) => {
                    return if acks == -1 {
                        ProducePart::Waiting {
                            required_offset: dup.last_offset + 1,
                            leader_epoch: p.leader_epoch,
                            base_offset: dup.first_offset,
                            log_append_time: -1,
                        }
                    } else {
                        ProducePart::Done(produce_ok(tp, dup.first_offset, -1))
                    };
                }
                Err(e) => return ProducePart::Done(produce_error(tp, e, None)),
            }
        }
        let info = match p.log.append_as_leader(bytes, p.leader_epoch, now) {
            Ok(info) => info,
            Err(e) => {
                let (code, message) = map_log_error(&e);
                return ProducePart::Done(produce_error(tp, code, message));
            }
        };
        if let Some(pb) = producer {
            p.producers.record(pb, info.first_offset, info.last_offset);
        }
        self.state_version += 1;
        wake_held(p, &self.held_fetches, &mut self.held_to_check);
        if info.rolled {
            let _ = p.log.flush();
        }
        let leader_epoch = p.leader_epoch;
        self.maybe_increment_high_watermark(cx, tp);
        let log_append_time = info.log_append_time.unwrap_or(-1);
        if acks == -1 {
            ProducePart::Waiting {
                required_offset: info.last_offset + 1,
                leader_epoch,
                base_offset: info.first_offset,
                log_append_time,
            }
        } else {
            ProducePart::Done(produce_ok(tp, info.first_offset, log_append_time))
        }
    }

    /// `DelayedProduce.tryComplete` for one partition.
    fn produce_outcome(&self, tp: &TopicPartition, part: &ProducePart) -> Option<ProducePartitionResponse> {
        let ProducePart::Waiting {
            required_offset,
            leader_epoch,
            base_offset,
            log_append_time,
        } = part
        else {
            return None;
        };
        let Some(p) = self
            .partitions
            .get(tp)
            .filter(|p| p.is_leader() && p.leader_epoch == *leader_epoch)
        else {
            return Some(produce_error(tp, KafkaError::NotLeaderOrFollower, None));
        };
        if p.log.high_watermark() >= *required_offset {
            return Some(if p.maximal_isr().len() >= p.effective_min_isr() {
                produce_ok(tp, *base_offset, *log_append_time)
            } else {
                produce_error(tp, KafkaError::NotEnoughReplicasAfterAppend, None)
            });
        }
        // Below min.insync.replicas the HW is frozen (3.7+), so the request waits
        // until its timeout (REQUEST_TIMED_OUT), as Kafka's DelayedProduce does.
        None
    }

    /// Answers whatever waiting requests can be answered now, until nothing changes.
    fn settle(&mut self, cx: &mut Ctx) {
        if self.lifecycle.stopped {
            return;
        }
        loop {
            let mut progressed = false;
            progressed |= self.complete_waiting(cx);
            let mut log = OffsetsLogView::new(&mut self.partitions);
            progressed |= self.coordinator.poll_writes(cx, &mut log);
            let touched = log.touched;
            self.after_coordinator_appends(cx, touched);
            if !progressed {
                break;
            }
        }
    }

    /// Answers the waiting produces and held fetches that can be answered;
    /// returns whether any was. Only what a change may have completed is
    /// checked: produces when anything changed, held fetches that are new or
    /// cover a partition that changed.
    fn complete_waiting(&mut self, cx: &mut Ctx) -> bool {
        let mut progressed = false;
        if self.settled_version != self.state_version {
            self.settled_version = self.state_version;
            let ids: Vec<u64> = self.pending_produces.keys().copied().collect();
            for id in ids {
                let mut pending = self.pending_produces.remove(&id).expect("listed");
                for i in 0..pending.partitions.len() {
                    let (tp, part) = &pending.partitions[i];
                    if let Some(outcome) = self.produce_outcome(tp, part) {
                        pending.partitions[i].1 = ProducePart::Done(outcome);
                    }
                }
                if pending
                    .partitions
                    .iter()
                    .all(|(_, p)| matches!(p, ProducePart::Done(_)))
                {
                    send_produce_response(cx, pending);
                    progressed = true;
                } else {
                    self.pending_produces.insert(id, pending);
                }
            }
        }
        if !self.held_to_check.is_empty() {
            let ready: Vec<u64> = std::mem::take(&mut self.held_to_check)
                .into_iter()
                .filter(|id| self.held_fetches.get(id).is_some_and(|h| self.held_fetch_ready(h)))
                .collect();
            for id in ready {
                let held = self.held_fetches.remove(&id).expect("listed");
                let (response, _) = self.serve_fetch(cx, held.from, &held.request);
                cx.send(held.from, Message::FetchResponse(response));
                progressed = true;
            }
        }
        progressed
    }
}

/// The coordinator's view of the `__consumer_offsets` partitions: appends as
/// leader (what a produce with acks=-1 does, without the producer checks).
struct OffsetsLogView<'a> {
    partitions: &'a mut FlatMap<TopicPartition, Box<Partition>>,
    /// Partitions appended to, whose HW may move.
    touched: Vec<TopicPartition>,
}

impl<'a> OffsetsLogView<'a> {
    fn new(partitions: &'a mut FlatMap<TopicPartition, Box<Partition>>) -> Self {
        OffsetsLogView {
            partitions,
            touched: Vec::new(),
        }
    }
}

impl OffsetsLog for OffsetsLogView<'_> {
    fn append(&mut self, partition: i32, batch: &[u8], now: Ms) -> Result<(i32, i64), KafkaError> {
        let tp = TopicPartition::new(GROUP_METADATA_TOPIC_NAME, partition);
        let Some(p) = self.partitions.get_mut(&tp) else {
            return Err(KafkaError::NotLeaderOrFollower);
        };
        if !p.is_leader() {
            return Err(KafkaError::NotLeaderOrFollower);
        }
        if p.is_under_min_isr() {
            return Err(KafkaError::NotEnoughReplicas);
        }
        let info = p
            .log
            .append_as_leader(batch, p.leader_epoch, now)
            .map_err(|e| map_log_error(&e).0)?;
        if info.rolled {
            let _ = p.log.flush();
        }
        self.touched.push(tp);
        Ok((p.leader_epoch, info.last_offset + 1))
    }

    fn high_watermark(&self, partition: i32, leader_epoch: i32) -> Option<i64> {
        let tp = TopicPartition::new(GROUP_METADATA_TOPIC_NAME, partition);
        self.partitions
            .get(&tp)
            .filter(|p| p.is_leader() && p.leader_epoch == leader_epoch)
            .map(|p| p.log.high_watermark())
    }
}

/// Something changed in `p`: the held fetches that cover it are to be checked.
/// Ids of fetches answered since are dropped.
fn wake_held(p: &mut Partition, held: &FlatMap<u64, HeldFetch>, to_check: &mut FlatSet<u64>) {
    p.held_fetches.retain(|id| held.contains_key(id));
    to_check.extend(p.held_fetches.iter().copied());
}

/// The image's topic and registration of `tp` if broker `me` holds a replica of it.
/// A new, empty replica of `tp` (its log created in a fresh store).
#[inline(never)]
fn open_replica(
    config: &ClusterConfig,
    tp: &TopicPartition,
    topic_id: Uuid,
    configs: &FlatMap<String, String>,
    now: Ms,
) -> Option<Box<Partition>> {
    let log_config = log_config(&config.log, configs);
    let mut name = String::with_capacity(tp.topic.len() + 11);
    trace::push_tp(&mut name, tp);
    let log = PartitionLog::create(name, MemoryStore::new(), log_config, now).ok()?;
    let min_isr = min_insync_replicas(config.broker.min_insync_replicas, configs);
    Some(Box::new(Partition::new(topic_id, log, configs.clone(), min_isr)))
}

fn wanted<'a>(
    image: &'a MetadataImage,
    me: NodeId,
    tp: &TopicPartition,
) -> Option<(&'a TopicImage, &'a Arc<PartitionRegistration>)> {
    let t = image.topic(&tp.topic)?;
    let reg = t.partitions.get(&tp.partition)?;
    reg.replicas.contains(&me).then_some((t, reg))
}

/// The error code (and, for record validation failures, the message Kafka
/// sends along) of a failed leader append.
pub fn map_log_error(e: &LogError) -> (KafkaError, Option<String>) {
    match e {
        LogError::RecordTooLarge { .. } => (KafkaError::MessageTooLarge, None),
        LogError::CorruptRecord(_) | LogError::Corrupt(_) => (KafkaError::CorruptMessage, None),
        LogError::InvalidRecord(m) => (KafkaError::InvalidRecord, Some(m.clone())),
        LogError::RecordBatchTooLarge(_) => (KafkaError::RecordListTooLarge, None),
        LogError::Storage(_) => (KafkaError::KafkaStorageError, None),
        LogError::OffsetOutOfRange { .. } => (KafkaError::OffsetOutOfRange, None),
        LogError::UnexpectedAppendOffset { .. } | LogError::InvalidConfig(_) => (KafkaError::UnknownServerError, None),
    }
}

fn produce_error(tp: &TopicPartition, error: KafkaError, error_message: Option<String>) -> ProducePartitionResponse {
    ProducePartitionResponse {
        tp: tp.clone(),
        error: Some(error),
        error_message,
        base_offset: -1,
        log_append_time: -1,
    }
}

fn produce_ok(tp: &TopicPartition, base_offset: i64, log_append_time: i64) -> ProducePartitionResponse {
    ProducePartitionResponse {
        tp: tp.clone(),
        error: None,
        error_message: None,
        base_offset,
        log_append_time,
    }
}

fn send_produce_response(cx: &mut Ctx, pending: PendingProduce) {
    let partitions = pending
        .partitions
        .into_iter()
        .map(|(tp, p)| match p {
            ProducePart::Done(r) => r,
            ProducePart::Waiting { .. } => produce_error(&tp, KafkaError::RequestTimedOut, None),
        })
        .collect();
    cx.send(
        pending.from,
        Message::ProduceResponse(ProduceResponse {
            request_id: pending.request_id,
            partitions,
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_errors_map_to_kafkas_codes() {
        let e = LogError::RecordTooLarge {
            partition: "t-0".into(),
            size: 10,
            max: 5,
        };
        assert_eq!(map_log_error(&e), (KafkaError::MessageTooLarge, None));
        let e = LogError::InvalidRecord("bad".into());
        assert_eq!(map_log_error(&e), (KafkaError::InvalidRecord, Some("bad".into())));
        assert_eq!(
            map_log_error(&LogError::Storage("full".into())).0,
            KafkaError::KafkaStorageError
        );
        assert_eq!(
            map_log_error(&LogError::RecordBatchTooLarge("x".into())).0,
            KafkaError::RecordListTooLarge
        );
        assert_eq!(
            map_log_error(&LogError::CorruptRecord("x".into())).0,
            KafkaError::CorruptMessage
        );
    }
}
